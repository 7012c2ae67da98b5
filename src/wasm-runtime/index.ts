// The runtime module's entry: its exports are the module's exports, and its top level is the start function.
//
// Built by scripts/build-runtime.mjs (`asc … --runtime rt/bump --use abort=…`) into build/runtime.wasm,
// to which the linker appends a compiled policy.

import "./abort";
import { initScalars } from "./value";
import { initNumbers } from "./number";
import { initParser } from "./json-parse";
import { memoReset } from "./memo";
import { cs_policy_init } from "./hooks";

export * from "./abi";
export * from "./contract";
export * from "./operators";
export * from "./hooks";
export * from "./builtin-registry";

// the start function: shared values first, then the policy's constants, all before the SDK reads the heap
// pointer, so that they survive every evaluation
initScalars();
initNumbers();
initParser();
memoReset();
cs_policy_init();
