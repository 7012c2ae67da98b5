/**
 * The placeholder runtime loads in the unmodified npm SDK and evaluates through both of its paths.
 */

import { readFileSync } from "node:fs";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { RUNTIME_PATH } from "./harness";

const bytes = readFileSync(RUNTIME_PATH);

describe("@open-policy-agent/opa-wasm", () => {
  it("loads the runtime and sees no entrypoints and no host builtins", async () => {
    const policy = await loadPolicy(bytes);
    expect(policy.entrypoints).toEqual({});
    expect(policy.minorVersion).toBe(2);
  });

  it("evaluates to [] through the ABI 1.2 fast path (opa_eval)", async () => {
    const policy = await loadPolicy(bytes);
    expect(policy.evaluate({ user: "ada", roles: ["admin"] })).toEqual([]);
    expect(policy.evaluate(undefined)).toEqual([]);
    expect(policy.evaluate(new TextEncoder().encode('{"a": [1, 2.5, "é"]}').buffer)).toEqual([]);
  });

  it("evaluates to [] through the eval path older ABI minors use", async () => {
    const policy = await loadPolicy(bytes);
    policy.minorVersion = 1;
    expect(policy.evaluate({ user: "ada" })).toEqual([]);
    expect(policy.evaluate(undefined)).toEqual([]);
  });

  it("accepts data and evaluates many times without growing the heap", async () => {
    const policy = await loadPolicy(bytes);
    policy.setData({ roles: { admin: ["ada"] }, limits: Array.from({ length: 100 }, (_, i) => i) });
    const input = { user: "ada", request: { path: ["a", "b"], n: 1 } };
    policy.evaluate(input);
    const size = policy.mem.buffer.byteLength;
    for (let i = 0; i < 2000; i++) expect(policy.evaluate(input)).toEqual([]);
    expect(policy.mem.buffer.byteLength).toBe(size);
  });

  it("evaluates inputs larger than the initial memory", async () => {
    const policy = await loadPolicy(bytes);
    const input = { items: Array.from({ length: 50000 }, (_, i) => ({ id: i, tag: `t${i}` })) };
    expect(policy.evaluate(input)).toEqual([]);
  });

  it("surfaces the runtime's abort message as the SDK's thrown string", async () => {
    const policy = await loadPolicy(bytes);
    expect(() => policy.evaluate(new TextEncoder().encode("{not json").buffer)).toThrow("opa_eval: input is not valid JSON");
  });
});
