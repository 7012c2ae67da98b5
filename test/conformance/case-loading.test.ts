/**
 * Loading YAML cases: the corpus format, faithful values (bigints, non-string keys), malformed entries
 * reported rather than thrown, and input_term conversion.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Term } from "../../src/compiler/ast";
import { selectCases } from "../../src/conformance/conformance-suite";
import { InputTermError, termToJsonText } from "../../src/conformance/input-term";
import { findCaseFiles, loadCaseFile, loadCases } from "../../src/conformance/test-case";
import { jsonText } from "../../src/conformance/yaml-value";

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-cases-"));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function write(rel: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
  await fs.writeFile(path.join(tmp, rel), text);
}

const CASES = `---
cases:
  - note: completedoc/object/non-string key
    query: data.generated.p = x
    modules:
      - |
        package generated

        p := {1: 2, {3: 4}: 5}
    data: {}
    want_result:
      - x:
          '{"3":4}': 5
          "1": 2
  - note: time/big
    query: data.test.p = x
    modules:
      - |
        package test
    data:
      ns: 9223372036854775807
      bad: {1: true}
    input_term: '{"x": null}'
    strict_error: true
    want_error_code: eval_builtin_error
    want_error: time outside of valid range
  - note: sets/sorted
    query: data.test.s = x
    modules: []
    input:
      a: [3, 1]
    sort_bindings: true
    want_result: []
`;

describe("loading cases", () => {
  it("finds .yaml and .yml files recursively, sorted", async () => {
    await write("b/two.yml", "cases: []\n");
    await write("a/one.yaml", "cases: []\n");
    await write("a/readme.md", "");
    expect(findCaseFiles(tmp)).toEqual(["a/one.yaml", "b/two.yml"]);
  });

  it("reads every field of the corpus format", async () => {
    await write("x/cases.yaml", CASES);
    const [a, b, c] = loadCaseFile(tmp, "x/cases.yaml");
    expect(a!.file).toBe("x/cases.yaml");
    expect(a!.note).toBe("completedoc/object/non-string key");
    expect(a!.testCase!.modules[0]).toContain("p := {1: 2, {3: 4}: 5}");
    expect(a!.testCase!.want_result).toEqual([{ x: { '{"3":4}': 5n, "1": 2n } }]);
    expect(b!.index).toBe(1);
    expect(b!.testCase).toMatchObject({
      input_term: '{"x": null}',
      strict_error: true,
      want_error_code: "eval_builtin_error",
      want_error: "time outside of valid range",
    });
    expect(c!.testCase).toMatchObject({ sort_bindings: true, want_result: [], input: { a: [3n, 1n] } });
  });

  it("keeps integers exact and writes non-string data keys as JSON text", async () => {
    await write("cases.yaml", CASES);
    const b = loadCaseFile(tmp, "cases.yaml")[1]!;
    expect(jsonText(b.testCase!.data!)).toBe('{"ns":9223372036854775807,"bad":{"1":true}}');
  });

  it("reports a file that does not parse as one malformed entry", async () => {
    await write("bad.yaml", "cases:\n  - note: [unclosed\n");
    const [only, ...rest] = loadCaseFile(tmp, "bad.yaml");
    expect(rest).toEqual([]);
    expect(only!.testCase).toBeNull();
    expect(only!.problem).toMatch(/^cannot load: /);
  });

  it("reports malformed cases without losing the others", async () => {
    await write(
      "mixed.yaml",
      "cases:\n  - note: no query\n    modules: []\n  - note: fine\n    query: x = 1\n    want_result: []\n  - just a string\n",
    );
    const loaded = loadCaseFile(tmp, "mixed.yaml");
    expect(loaded.map((c) => [c.note, c.testCase === null, c.problem])).toEqual([
      ["no query", true, "malformed: `query` is missing"],
      ["fine", false, undefined],
      ["#2", true, "malformed: a case must be a mapping"],
    ]);
  });

  it("filters by note or file path", async () => {
    await write("strings/a.yaml", CASES);
    await write("other/b.yaml", CASES);
    const all = loadCases(tmp);
    expect(all).toHaveLength(6);
    expect(selectCases(all, "time/").map((c) => c.file)).toEqual(["other/b.yaml", "strings/a.yaml"]);
    expect(selectCases(all, "strings/")).toHaveLength(3);
    expect(selectCases(all, undefined)).toHaveLength(6);
  });
});

describe("termToJsonText", () => {
  const loc = { file: "input_term", line: 1, col: 1 };
  const s = (value: string): Term => ({ kind: "string", value, loc });
  const n = (text: string): Term => ({ kind: "number", text, loc });

  it("writes constant terms as JSON, keeping number digits", () => {
    const t: Term = {
      kind: "object",
      loc,
      entries: [
        [s("big"), n("12345678901234567890")],
        [
          s("list"),
          {
            kind: "array",
            loc,
            items: [
              { kind: "null", loc },
              { kind: "boolean", value: false, loc },
            ],
          },
        ],
      ],
    };
    expect(termToJsonText(t)).toBe('{"big":12345678901234567890,"list":[null,false]}');
  });

  it("turns sets into arrays and non-string keys into their JSON text", () => {
    const t: Term = {
      kind: "object",
      loc,
      entries: [[n("1"), { kind: "set", loc, items: [s("a"), s("b")] }]],
    };
    expect(termToJsonText(t)).toBe('{"1":["a","b"]}');
  });

  it("refuses terms that are not constants", () => {
    expect(() => termToJsonText({ kind: "var", name: "x", loc })).toThrow(InputTermError);
  });
});
