/**
 * Runs the built CLI (`node dist/src/cli/main.js`) as a child process, as users and CI run it.
 * Build first: `npx tsc -p tsconfig.json` (or `npm run build`).
 */

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root. */
export const ROOT = path.join(__dirname, "..", "..");

/** The built CLI entry point. */
export const CLI = path.join(ROOT, "dist", "src", "cli", "main.js");

/** What a run printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns a script with node and collects its output. */
export function runNode(script: string, args: readonly string[], opts: { cwd?: string; stdin?: string } = {}): Promise<CliRun> {
  if (!fs.existsSync(script)) {
    throw new Error(`${script} is missing: build first with \`npx tsc -p tsconfig.json\``);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: opts.cwd ?? ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

/** Runs `countersign <args>`. */
export function countersign(args: readonly string[], opts: { cwd?: string; stdin?: string } = {}): Promise<CliRun> {
  return runNode(CLI, args, opts);
}
