/**
 * `make lint`'s three checks each fail on what they exist to catch: ESLint on a lint error, prettier on a
 * formatting difference, dependency-cruiser on an import cycle, a layering violation, a compiler stage
 * importing a later one, an orphan module and one no entry point loads. Each runs the repository's own configuration on a small
 * fixture, and the same fixture without the fault passes.
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");
const bin = (name: string): string => path.join(root, "node_modules", ".bin", name);

function run(command: string, args: readonly string[], cwd: string, input?: string): { status: number | null; output: string } {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", ...(input === undefined ? {} : { input }) });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Writes files (path → text) under a fresh directory and returns it. */
function fixture(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "countersign-lint-"));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const TSCONFIG = JSON.stringify({ compilerOptions: { module: "commonjs", strict: true }, include: ["src/**/*.ts"] });

/** A small source tree that keeps every import rule; `faults` adds or replaces files to break one. */
function cruise(faults: Readonly<Record<string, string>> = {}): { status: number | null; output: string } {
  const dir = fixture({
    "tsconfig.json": TSCONFIG,
    "src/cli/main.ts":
      'import { a } from "../json/a";\nimport { settings } from "../config/settings";\nimport { lex } from "../compiler/parser";\nexport const x = [a, settings, lex];\n',
    "src/json/a.ts": "export const a = 1;\n",
    "src/config/settings.ts": 'import { a } from "../json/a";\nexport const settings = a;\n',
    "src/compiler/lexer.ts": "export const lex = 1;\n",
    "src/compiler/parser.ts": 'export { lex } from "./lexer";\n',
    ...faults,
  });
  try {
    return run(bin("depcruise"), ["src", "--config", path.join(root, ".dependency-cruiser.cjs"), "--output-type", "err"], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("make lint", () => {
  jest.setTimeout(60_000);

  describe("ESLint", () => {
    const lint = (code: string) =>
      run(bin("eslint"), ["--max-warnings", "0", "--stdin", "--stdin-filename", "src/json/example.ts"], root, code);

    it("passes clean code", () => {
      expect(lint("export const one = 1;\n").status).toBe(0);
    });

    it("fails on a lint error (an unused variable)", () => {
      const r = lint("const unused = 1;\nexport const one = 1;\n");
      expect(r.status).toBe(1);
      expect(r.output).toMatch(/no-unused-vars/);
    });
  });

  describe("prettier", () => {
    const check = (code: string) => {
      const dir = fixture({ "example.ts": code });
      try {
        return run(bin("prettier"), ["--config", path.join(root, ".prettierrc.json"), "--check", "example.ts"], dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    it("passes formatted code", () => {
      expect(check('export const greeting = "hello";\n').status).toBe(0);
    });

    it("fails on a formatting difference", () => {
      const r = check("export const greeting   =   'hello'\n");
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/example\.ts/);
    });
  });

  describe("dependency-cruiser", () => {
    it("passes a tree that keeps the rules", () => {
      const r = cruise();
      expect(r.output).not.toMatch(/error/);
      expect(r.status).toBe(0);
    });

    it("fails on an import cycle", () => {
      const r = cruise({
        "src/json/a.ts": 'import { b } from "./b";\nexport const a = b;\n',
        "src/json/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
      });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/no-circular/);
    });

    it("fails when config/ reaches into a capability (a layering violation)", () => {
      const r = cruise({
        "src/config/settings.ts": 'import { trail } from "../audit/trail";\nexport const settings = trail;\n',
        "src/audit/trail.ts": "export const trail = 1;\n",
      });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/layer-1-imports-later-layer: src\/config\/settings\.ts → src\/audit\/trail\.ts/);
    });

    it("fails when a foundation module imports the approval workflow", () => {
      const r = cruise({
        "src/json/a.ts": 'import { approve } from "../approvals/workflow";\nexport const a = approve;\n',
        "src/approvals/workflow.ts": "export const approve = 1;\n",
      });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/layer-0-imports-later-layer/);
    });

    it("fails when a compiler stage imports a later one", () => {
      const r = cruise({
        "src/compiler/lexer.ts": 'import { parse } from "./parser";\nexport const lex = parse;\n',
        "src/compiler/parser.ts": "export const parse = 1;\nexport const lex = 2;\n",
      });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/compiler-lexer-imports-later-stage/);
    });

    it("fails on a module no entry point loads (dead code that imports others)", () => {
      const r = cruise({ "src/json/dead.ts": 'import { a } from "./a";\nexport const dead = a;\n' });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/no-unreachable: src\/json\/dead\.ts/);
    });

    it("fails on an orphan module", () => {
      const r = cruise({ "src/json/forgotten.ts": "export const forgotten = 1;\n" });
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/no-orphans: src\/json\/forgotten\.ts/);
    });
  });
});
