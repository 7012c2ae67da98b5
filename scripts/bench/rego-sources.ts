/**
 * Reads the policy sources of a directory (`*.rego`, excluding `*_test.rego`) for benchmarks.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { SourceFile } from "../../src/compiler/compile-options";

/** Every non-test `.rego` file below dir, sorted by path. */
export function readRegoSources(dir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego")) {
        out.push({ file: path.relative(dir, p), text: fs.readFileSync(p, "utf8") });
      }
    }
  };
  walk(dir);
  return out;
}
