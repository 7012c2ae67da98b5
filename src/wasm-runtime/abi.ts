// The exports of OPA's WebAssembly ABI (version 1.2) that the SDKs call: memory, JSON and value text,
// evaluation contexts, both evaluation paths, and in-place edits of loaded data.

import { allocate, heapTop, setHeapTop } from "./heap";
import { abortWith, opa_builtin0, opa_builtin1, opa_builtin2, opa_builtin3, opa_builtin4 } from "./host";
import { dumpJSON, dumpRego } from "./json-dump";
import { parseJSON, parseRegoValue } from "./json-parse";
import { newSet } from "./collection";
import { memoReset } from "./memo";
import { clearBuiltinError } from "./errors";
import { addPath, removePath } from "./path";
import { resetPatternCache } from "./builtins/pattern-cache";
import { cs_policy_builtins, cs_policy_entrypoints, cs_policy_eval } from "./hooks";

/** ABI major version; the SDK refuses anything but 1. */
export const opa_wasm_abi_version: i32 = 1;
/** ABI minor version; 2 enables the SDK's single-call opa_eval path. */
export const opa_wasm_abi_minor_version: i32 = 2;

/** `size` bytes of heap for the host to write into (8-byte aligned, uninitialised). */
export function opa_malloc(size: usize): usize {
  return allocate(size);
}

/** Accepts a block back; bump allocation reclaims it when the SDK resets the heap pointer. */
export function opa_free(ptr: usize): void {}

/** The value of the JSON text at (ptr, len), or 0 when it is not valid JSON. */
export function opa_json_parse(ptr: usize, len: usize): usize {
  return parseJSON(ptr, len);
}

/** The value of the Rego value text at (ptr, len) (JSON plus sets), or 0. */
export function opa_value_parse(ptr: usize, len: usize): usize {
  return parseRegoValue(ptr, len);
}

/** The address of the NUL-terminated JSON text of a value. */
export function opa_json_dump(v: usize): usize {
  return dumpJSON(v);
}

/** The address of the NUL-terminated Rego value text of a value. */
export function opa_value_dump(v: usize): usize {
  return dumpRego(v);
}

/** The heap pointer. */
export function opa_heap_ptr_get(): usize {
  return heapTop();
}

/** Sets the heap pointer, giving up everything allocated above it. */
export function opa_heap_ptr_set(ptr: usize): void {
  setHeapTop(ptr);
}

// An evaluation context: input, data, entrypoint id and, after eval, the result set.
@final @unmanaged class Context {
  input: usize;
  data: usize;
  entrypoint: i32;
  result: usize;
}

/** A new evaluation context: no input, no data, entrypoint 0. */
export function opa_eval_ctx_new(): usize {
  let ctx = changetype<Context>(allocate(offsetof<Context>()));
  ctx.input = 0;
  ctx.data = 0;
  ctx.entrypoint = 0;
  ctx.result = 0;
  return changetype<usize>(ctx);
}

/** Sets the context's input value. */
export function opa_eval_ctx_set_input(ctx: usize, input: usize): void {
  changetype<Context>(ctx).input = input;
}

/** Sets the context's data value. */
export function opa_eval_ctx_set_data(ctx: usize, data: usize): void {
  changetype<Context>(ctx).data = data;
}

/** Sets the context's entrypoint id. */
export function opa_eval_ctx_set_entrypoint(ctx: usize, entrypoint: i32): void {
  changetype<Context>(ctx).entrypoint = entrypoint;
}

/** The result set of the last eval of the context. */
export function opa_eval_ctx_get_result(ctx: usize): usize {
  return changetype<Context>(ctx).result;
}

/** Evaluates the context's entrypoint and stores the result set in the context; returns 0. */
export function eval(ctx: usize): i32 {
  let c = changetype<Context>(ctx);
  c.result = evaluate(c.entrypoint, c.input, c.data);
  return 0;
}

/**
 * ABI 1.2's single call: sets the heap pointer to `heapPtr`, parses the JSON input at (inputPtr, inputLen)
 * (no input when inputLen is 0), evaluates, and returns the address of the NUL-terminated result set as
 * JSON (format 0) or Rego value text (format 1).
 */
export function opa_eval(
  reserved: usize, entrypoint: i32, data: usize, inputPtr: usize, inputLen: usize, heapPtr: usize, format: i32,
): usize {
  setHeapTop(heapPtr);
  let input: usize = 0;
  if (inputLen) {
    input = parseJSON(inputPtr, inputLen);
    if (!input) abortWith("opa_eval: input is not valid JSON");
  }
  let result = evaluate(entrypoint, input, data);
  return format == 1 ? dumpRego(result) : dumpJSON(result);
}

/** Starts an evaluation from a clean memo and error state, and never returns an undefined result set. */
function evaluate(entrypoint: i32, input: usize, data: usize): usize {
  memoReset();
  clearBuiltinError();
  resetPatternCache();
  let result = cs_policy_eval(entrypoint, input, data);
  return result ? result : newSet();
}

/** The object {builtin name: id} of the host builtins the policy calls through opa_builtinN. */
export function builtins(): usize {
  return cs_policy_builtins();
}

/** The object {entrypoint name: id}. */
export function entrypoints(): usize {
  return cs_policy_entrypoints();
}

/**
 * Sets `value` at `path` (an array of keys) inside the object `base`, in place, creating objects on the
 * way; returns 0, or OPA's error code (2 invalid type, 3 invalid path).
 */
export function opa_value_add_path(base: usize, path: usize, value: usize): i32 {
  return addPath(base, path, value);
}

/** Removes the value at `path` inside the object `base`, in place; returns 0 or an error code as above. */
export function opa_value_remove_path(base: usize, path: usize): i32 {
  return removePath(base, path);
}

/**
 * Calls host builtin `id` through opa_builtin<arity> (arity 0 to 4; extra operands are ignored). Generated
 * code calls the imports directly; this export keeps all five imports in the module for the linker to find.
 */
export function cs_host_builtin(arity: i32, id: i32, ctx: usize, a: usize, b: usize, c: usize, d: usize): usize {
  switch (arity) {
    case 0: return opa_builtin0(id, ctx);
    case 1: return opa_builtin1(id, ctx, a);
    case 2: return opa_builtin2(id, ctx, a, b);
    case 3: return opa_builtin3(id, ctx, a, b, c);
    case 4: return opa_builtin4(id, ctx, a, b, c, d);
  }
  abortWith("cs_host_builtin: arity " + arity.toString() + " is not 0 to 4");
  return 0;
}
