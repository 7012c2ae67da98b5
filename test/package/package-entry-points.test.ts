/** package.json's entry points (`main`, `types`, `exports`, `bin`) name files the build produces. */

import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};

/** Every file path an exports map names, conditions flattened. */
function exportTargets(exports: typeof pkg.exports): string[] {
  return Object.values(exports).flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)));
}

describe("package.json entry points", () => {
  const named = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...exportTargets(pkg.exports)];

  it.each(named)("names %s, which the build writes", (file) => {
    expect(existsSync(path.join(root, file))).toBe(true);
  });

  it("resolves the package's own name to the client SDK, whose entry exports the Countersign client", async () => {
    const main = (await import(path.join(root, pkg.main))) as Record<string, unknown>;
    expect(typeof main["Countersign"]).toBe("function");
  });
});
