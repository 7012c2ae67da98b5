// The policy hooks of POLICY_HOOKS, as placeholders: the linker replaces each body with a call into the
// generated policy, and the runtime (abi.ts, index.ts) calls them.
//
// The replacement only works if the runtime's calls reach these very functions, so the optimiser must not
// inline them, merge them or drop calls to them. The build marks them no-inline (scripts/build-runtime.mjs);
// each placeholder counts its calls in static memory, which makes the four bodies distinct (so they are never
// merged into one) and gives them a side effect (so that calls to them are never dropped as useless).
// test/runtime/hooks.test.ts swaps the bodies in the built module as the linker does and checks that every
// caller sees the swap.

import { newObject, newSet } from "./collection";

/** Four u32 counters, one per placeholder, in POLICY_HOOKS order. */
const CALLS = memory.data(16);

// @ts-ignore: decorator
@inline function count(hook: usize): void {
  store<u32>(CALLS + (hook << 2), load<u32>(CALLS + (hook << 2)) + 1);
}

/** Builds the policy's constants; runs once at instantiation, before the SDK reads the heap pointer. */
export function cs_policy_init(): void {
  count(0);
}

/** Evaluates entrypoint `entrypoint` against (input, data); the placeholder's result set is empty. */
export function cs_policy_eval(entrypoint: i32, input: usize, data: usize): usize {
  count(1);
  return newSet();
}

/** The object {builtin name: id} of host builtins the policy calls; the placeholder's is empty. */
export function cs_policy_builtins(): usize {
  count(2);
  return newObject();
}

/** The object {entrypoint name: id}; the placeholder's is empty. */
export function cs_policy_entrypoints(): usize {
  count(3);
  return newObject();
}
