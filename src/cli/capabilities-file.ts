/**
 * The `--capabilities FILE` and `--builtins FILE` options of `build`, `eval` and `test`: a capabilities
 * document in OPA's JSON format, and a JavaScript module implementing the custom built-ins it declares.
 */

import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { builtinsUnder, CapabilitiesError, parseCapabilities, type Capabilities } from "../compiler/capabilities";
import type { HostBuiltinFn } from "../policy/host-builtins";
import { CliError } from "./cli-error";

/** Reads and checks a capabilities file; a file that cannot be used is a CliError naming it. */
export async function readCapabilitiesFile(file: string): Promise<Capabilities> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `cannot read capabilities ${file}: ${(err as Error).message}`);
  }
  try {
    const caps = parseCapabilities(JSON.parse(text));
    builtinsUnder(caps);
    return caps;
  } catch (err) {
    if (err instanceof SyntaxError)
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `capabilities ${file} is not valid JSON: ${err.message}`);
    if (err instanceof CapabilitiesError) throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `capabilities ${file}: ${err.message}`);
    throw err;
  }
}

/**
 * Loads a JavaScript module (CommonJS or ES) whose export (`default`, `builtins`, or the module itself) maps
 * built-in names to functions. Each function takes the operands as JSON values and returns the result as a
 * JSON value; throwing makes the call fail as a built-in error does.
 */
export function readBuiltinsModule(file: string): Record<string, HostBuiltinFn> {
  const absolute = path.resolve(file);
  let loaded: unknown;
  try {
    loaded = createRequire(__filename)(absolute);
  } catch (err) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `cannot load built-ins module ${file}: ${(err as Error).message}`);
  }
  const exported = loaded as { default?: unknown; builtins?: unknown } | null;
  const table = exported?.builtins ?? exported?.default ?? exported;
  if (typeof table !== "object" || table === null) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `built-ins module ${file} must export an object of functions by built-in name`);
  }
  const out: Record<string, HostBuiltinFn> = {};
  for (const [name, fn] of Object.entries(table)) {
    if (name === "default" || name === "builtins" || name === "__esModule") continue;
    if (typeof fn !== "function") throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `built-ins module ${file}: ${name} is not a function`);
    out[name] = fn as HostBuiltinFn;
  }
  return out;
}
