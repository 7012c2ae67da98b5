// The registry of builtins implemented in the runtime: re-exports each builtins/ file's `cs_bi_*` functions
// so that they become module exports (the entry, index.ts, re-exports this file).
//
// Add one line per file under builtins/ that defines `cs_bi_*` exports; scripts/build-runtime.mjs warns
// when a file defines some and is missing here. The operator builtins live in ../operators.ts.

export * from "./builtins/aggregates";
export * from "./builtins/casts";
export * from "./builtins/numbers";
export * from "./builtins/strings";
export * from "./builtins/types";
export * from "./builtins/sprintf";
export * from "./builtins/objects";
export * from "./builtins/arrays";
export * from "./builtins/sets";
export * from "./builtins/encoding";
export * from "./builtins/time";
export * from "./builtins/matching";
export * from "./builtins/walk";
export * from "./builtins/print";
export * from "./builtins/template-string";
export * from "./builtins/deprecated";
