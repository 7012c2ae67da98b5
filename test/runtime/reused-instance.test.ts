/**
 * One policy instance evaluating many inputs answers exactly as a fresh instance per input does.
 *
 * The service loads a policy once and evaluates every request on that instance; the ABI resets the heap
 * pointer between evaluations, so each evaluation runs on memory full of the previous one's bytes. These
 * properties evaluate random JSON (objects up to 100 keys, nesting, long and non-ASCII strings, sets built by
 * comprehensions) in sequence on one instance and compare every answer with a fresh instance's, through the
 * service's ABI 1.2 fast path (loadCompiledPolicy), the SDK's opa_eval path, the SDK's older eval path, and
 * the SDK path with the free heap overwritten by junk between evaluations.
 */

import fc from "fast-check";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { compile } from "../../src/compiler/compile";
import { loadCompiledPolicy } from "../../src/policy/compiled-policy";

const POLICY = `package t
import rego.v1

echo := input

keys := {k | some k, _ in input}

values := [v | some v in input]

leaves := {x | walk(input, [_, x]); not is_object(x); not is_array(x)}

objects := {o | walk(input, [_, o]); is_object(o)}

copy := {k: v | some k, v in input} if is_object(input)

merged := object.union(copy, {"__extra": 1})

paths := {p | walk(input, [p, _])}

summary := {"leaves": count(leaves), "objects": count(objects), "keys": count(keys), "paths": count(paths)}

danger if input.params.danger == true
`;

const ENTRYPOINTS = ["t/echo", "t/keys", "t/values", "t/leaves", "t/objects", "t/copy", "t/merged", "t/summary", "t/danger"];

function compiled(): Uint8Array {
  const result = compile({ modules: [{ file: "t.rego", text: POLICY }], entrypoints: ENTRYPOINTS });
  if (!result.ok) throw new Error(`the test policy does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result.wasm;
}

const wasm = compiled();

/** Keys that collide in their first bytes, are empty, long, or not ASCII. */
const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.integer({ min: 0, max: 200 }).map((i) => `k${i}`),
  fc.string({ minLength: 40, maxLength: 80 }),
);

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2000, max: 2000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ minLength: 500, maxLength: 3000 }),
  fc.constant('quote " backslash \\ newline \n tab \t'),
);

const { json } = fc.letrec<{ json: unknown; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("object"), fc.array(tie("json"), { maxLength: 12 })),
  object: fc.oneof(fc.dictionary(key, tie("json"), { maxKeys: 12 }), fc.dictionary(key, scalar, { minKeys: 9, maxKeys: 100 })),
}));

/** A request-shaped input: the case that failed in production (params with 9+ keys, one of them danger). */
const request = fc.record({
  params: fc
    .tuple(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), json, { maxKeys: 40 }), fc.boolean())
    .map(([params, danger]) => ({ ...params, danger })),
  other: json,
});

const input = fc.oneof({ weight: 3, arbitrary: json }, { weight: 2, arbitrary: request });

/** What an evaluation answered: its result set, or its error message. */
type Answer = { readonly ok: unknown } | { readonly error: string };

function answer(run: () => unknown): Answer {
  try {
    return { ok: run() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Result sets compared regardless of object key order (JSON.parse keeps insertion order). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      Object.defineProperty(out, k, { value: canonical((v as Record<string, unknown>)[k]), enumerable: true });
    }
    return out;
  }
  return v;
}

const sdkFresh = async (entrypoint: string, value: unknown, minor: number): Promise<Answer> => {
  const policy = await loadPolicy(wasm);
  policy.minorVersion = minor;
  return answer(() => policy.evaluate(value, entrypoint));
};

/** Overwrites the heap above the loaded data with junk, as a long-lived instance's leftovers could be. */
function poison(policy: LoadedPolicy, seed: number): void {
  const sdk = policy as unknown as { mem: WebAssembly.Memory; dataHeapPtr: number };
  const bytes = new Uint8Array(sdk.mem.buffer, sdk.dataHeapPtr);
  let x = seed | 1;
  for (let i = 0; i < bytes.length; i += 4096) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.fill(x & 0xff, i, Math.min(i + 4096, bytes.length));
  }
}

const RUNS = { numRuns: 40 };

describe("a reused policy instance", () => {
  it("reads a 9-key object correctly on every evaluation, not only the first", async () => {
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    const fast = await loadCompiledPolicy(wasm);
    const sdk = await loadPolicy(wasm);
    for (let i = 0; i < 3; i++) {
      expect(fast.evaluate("t/echo", nine)).toEqual([{ result: nine }]);
      expect(sdk.evaluate(nine, "t/echo")).toEqual([{ result: nine }]);
    }
  });

  it("answers large requests (40 params) right 1,000 times in a row, danger or not", async () => {
    const fast = await loadCompiledPolicy(wasm);
    for (let i = 0; i < 1000; i++) {
      const params: Record<string, unknown> = Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`p${(i + j) % 97}`, j]));
      params.danger = i % 2 === 0;
      expect(fast.evaluate("t/danger", { params })).toEqual(i % 2 === 0 ? [{ result: true }] : []);
      expect(fast.evaluate("t/summary", { params })).toEqual([{ result: { leaves: 41, objects: 2, keys: 1, paths: 43 } }]);
    }
  });

  it("answers as a fresh instance does, through the service's fast path", async () => {
    const reused = await loadCompiledPolicy(wasm);
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 6 }), async (inputs) => {
        for (const value of inputs) {
          for (const entrypoint of ENTRYPOINTS) {
            const fresh = await loadCompiledPolicy(wasm);
            const want = answer(() => fresh.evaluate(entrypoint, value));
            const got = answer(() => reused.evaluate(entrypoint, value));
            expect(canonical(got)).toEqual(canonical(want));
          }
          expect(canonical(reused.evaluate("t/echo", value))).toEqual(canonical([{ result: JSON.parse(JSON.stringify(value)) }]));
        }
      }),
      RUNS,
    );
  });

  it.each([
    ["opa_eval (ABI 1.2)", 2],
    ["eval (ABI 1.1)", 1],
  ])("answers as a fresh instance does, through the SDK's %s path", async (_name, minor) => {
    const reused = await loadPolicy(wasm);
    reused.minorVersion = minor;
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 6 }), async (inputs) => {
        for (const value of inputs) {
          for (const entrypoint of ENTRYPOINTS) {
            const want = await sdkFresh(entrypoint, value, minor);
            const got = answer(() => reused.evaluate(value, entrypoint));
            expect(canonical(got)).toEqual(canonical(want));
          }
        }
      }),
      RUNS,
    );
  });

  it("answers as a fresh instance does when the free heap holds junk before every evaluation", async () => {
    const reused = await loadPolicy(wasm);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(input, fc.integer()), { minLength: 1, maxLength: 6 }), async (inputs) => {
        for (const [value, seed] of inputs) {
          for (const entrypoint of ENTRYPOINTS) {
            const want = await sdkFresh(entrypoint, value, 2);
            poison(reused, seed);
            const got = answer(() => reused.evaluate(value, entrypoint));
            expect(canonical(got)).toEqual(canonical(want));
          }
        }
      }),
      RUNS,
    );
  });
});
