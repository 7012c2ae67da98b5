/**
 * Countersign's own Rego semantics cases (test/cases/**.yaml, OPA's conformance format), each run through
 * the same runner as `countersign conformance`. Every case must pass: a failure or a skip fails the test.
 * Compile-error expectations (`want_error`) are matched against `file:line:col: code: message`.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { runCase } from "../../src/conformance/case-runner";
import { findCaseFiles, loadCaseFile } from "../../src/conformance/test-case";

const dir = path.join(__dirname, "..", "cases");
const files = fs.existsSync(dir) ? findCaseFiles(dir) : [];

it("finds YAML cases under test/cases", () => {
  expect(files.length).toBeGreaterThan(0);
});

for (const file of files) {
  describe(file, () => {
    for (const c of loadCaseFile(dir, file)) {
      it(c.note, async () => {
        if (c.testCase === null) throw new Error(`${file} #${c.index}: ${c.problem ?? "malformed case"}`);
        const outcome = await runCase(c.testCase);
        if (outcome.status !== "pass") {
          throw new Error(`${file} #${c.index} (${c.note}): ${outcome.status.toUpperCase()}: ${outcome.reason}`);
        }
      });
    }
  });
}
