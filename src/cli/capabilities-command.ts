/**
 * `countersign capabilities`: prints the built-ins a policy may call, with their types, and the language
 * features, in OPA's capabilities JSON format, for tools such as Regal; `--refused` lists OPA's built-ins
 * Countersign refuses at compile time, with the reason.
 */

import { countersignCapabilities, refusedBuiltins } from "../compiler/capabilities";
import type { CliIo } from "./cli-io";

/** Options of `countersign capabilities`. */
export interface CapabilitiesCommandOptions {
  readonly refused?: boolean;
}

/** Prints the capabilities document (or the refused built-ins) as JSON. */
export function runCapabilitiesCommand(opts: CapabilitiesCommandOptions, io: CliIo): void {
  io.out(JSON.stringify(opts.refused === true ? refusedBuiltins() : countersignCapabilities(), null, 2));
}
