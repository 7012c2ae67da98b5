/**
 * Test helpers for the engine: bundles compiled from Rego held in strings, a logger that records, and a
 * poll-with-deadline for events that arrive asynchronously (file watching).
 */

import * as path from "node:path";
import type { Bundle, JsonObject } from "../../src/bundle/bundle";
import { buildBundle } from "../../src/bundle/bundle-build";
import type { EngineLogger, LogFields } from "../../src/engine/engine-logger";
import { loadDecisionBundle, type LoadedBundle } from "../../src/engine/loaded-bundle";
import type { ActivePolicy, PolicyProvider } from "../../src/engine/policy-provider";

/** The repository root. */
export const ROOT = path.join(__dirname, "..", "..");

/** Compiles Rego modules (file name → text) into a bundle; fails the test on diagnostics. */
export async function bundleFrom(
  files: Readonly<Record<string, string>>,
  opts: { entrypoints?: readonly string[]; revision?: string; data?: JsonObject; strictBuiltinErrors?: boolean } = {},
): Promise<Bundle> {
  const modules = Object.entries(files).map(([file, text]) => ({ file, bundlePath: "/" + file, text }));
  const result = await buildBundle({
    sources: { modules, data: opts.data ?? {}, dataFiles: [] },
    entrypoints: opts.entrypoints ?? ["countersign/decision"],
    ...(opts.revision === undefined ? {} : { revision: opts.revision }),
    ...(opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: opts.strictBuiltinErrors }),
  });
  if (!result.ok) throw new Error(`test policy does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result.bundle;
}

/** A decision policy: `package countersign` with the given rules. */
export function decisionPolicy(rules: string): string {
  return `package countersign\n\nimport rego.v1\n\n${rules}\n`;
}

/** A policy whose decision is a constant (JSON) value. */
export function constantDecision(value: unknown): string {
  return decisionPolicy(`decision := ${JSON.stringify(value)}`);
}

/** Compiles and loads a policy as the engine would serve it. */
export async function loadedFrom(
  files: Readonly<Record<string, string>>,
  opts: { revision?: string; strictBuiltinErrors?: boolean } = {},
): Promise<LoadedBundle> {
  const bundle = await bundleFrom(files, opts);
  return loadDecisionBundle(bundle, "countersign", "memory", {});
}

/** A provider serving a fixed policy (or none). */
export function fixedProvider(policy: ActivePolicy | null): PolicyProvider {
  return { active: () => policy };
}

/** One captured log line. */
export interface LogLine {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly fields: LogFields;
}

/** A logger that keeps what it is given. */
export function recordingLogger(): EngineLogger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine["level"]) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push({ level, message, fields });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

/** Polls until the check returns a value other than undefined, or fails after the deadline. */
export async function eventually<T>(check: () => T | undefined, what: string, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
