/**
 * The SDK loading layer: loadCompiledPolicy over a hand-assembled OPA-ABI module (no compiler needed).
 */

import { fixedClock } from "../../src/policy/clock";
import { loadCompiledPolicy, RawJson } from "../../src/policy/compiled-policy";
import { PolicyError, PolicyEvalError, parseAbortMessage, repairSdkString } from "../../src/policy/policy-error";
import { FAKE_ENTRYPOINTS, fakeOpaWasm } from "../bundle/fixtures/fake-opa-wasm";

describe("loadCompiledPolicy", () => {
  it("lists the module's entrypoints in id order", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    expect(policy.entrypoints).toEqual(FAKE_ENTRYPOINTS);
  });

  it("evaluates an entrypoint given as pkg/rule or data.pkg.rule", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    expect(policy.evaluate("fixed/allow")).toEqual([{ result: true }]);
    expect(policy.evaluate("data.fixed.allow")).toEqual([{ result: true }]);
  });

  it("loads the data it is given, and new data through setData", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm(), { roles: ["admin"] });
    expect(policy.evaluate("fixed/data")).toEqual([{ roles: ["admin"] }]);
    policy.setData({ roles: [] });
    expect(policy.evaluate("fixed/data")).toEqual([{ roles: [] }]);
  });

  it("passes falsy inputs (false, 0, null) instead of dropping them", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    expect(policy.evaluate("fixed/input", false)).toEqual([false]);
    expect(policy.evaluate("fixed/input", 0)).toEqual([0]);
    expect(policy.evaluate("fixed/input", null)).toEqual([null]);
    expect(policy.evaluate("fixed/input")).toEqual([]);
  });

  it("passes raw JSON input through untouched", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    expect(policy.evaluate("fixed/input", new RawJson('{"n": 12345678901234567890}'))).toEqual([{ n: 12345678901234567890 }]);
  });

  it("turns an abort into a PolicyEvalError with code and location", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    let caught: unknown;
    try {
      policy.evaluate("fixed/conflict");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyEvalError);
    const e = caught as PolicyEvalError;
    expect(e.code).toBe("eval_conflict_error");
    expect(e.message).toBe("complete rules must not produce multiple outputs");
    expect(e.location).toEqual({ file: "test-0.rego", line: 4 });
    expect(e.text).toBe("test-0.rego:4: eval_conflict_error: complete rules must not produce multiple outputs");
  });

  it("turns a trap into eval_internal_error and keeps working afterwards", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm(), { a: 1 });
    expect(() => policy.evaluate("fixed/trap")).toThrow(PolicyEvalError);
    try {
      policy.evaluate("fixed/trap");
    } catch (err) {
      expect((err as PolicyEvalError).code).toBe("eval_internal_error");
      expect((err as PolicyEvalError).message).toMatch(/^wasm trap: /);
    }
    expect(policy.evaluate("fixed/data")).toEqual([{ a: 1 }]);
  });

  it("calls host builtins through opa_builtinN", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    expect(policy.evaluate("fixed/regex")).toEqual([true]);
  });

  it("reads time.now_ns from the injected clock, exactly", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm(), undefined, { clock: fixedClock(1700000000123456789n) });
    // JSON.parse rounds; the module received the exact digits.
    expect(policy.evaluate("fixed/now")).toEqual([1700000000123456789]);
  });

  it("lets extra builtins replace the fallbacks", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm(), undefined, { builtins: { "regex.match": () => false } });
    expect(policy.evaluate("fixed/regex")).toEqual([false]);
  });

  it("rejects an unknown entrypoint with a typed error naming the known ones", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm());
    expect(() => policy.evaluate("nope/rule")).toThrow(PolicyError);
    expect(() => policy.evaluate("nope/rule")).toThrow(/fixed\/allow/);
  });

  it("rejects bytes that are not a wasm module", async () => {
    await expect(loadCompiledPolicy(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: "COUNTERSIGN_POLICY_LOAD_FAILED",
    });
  });

  it("sizes memory for a module that caps its imported memory", async () => {
    const policy = await loadCompiledPolicy(fakeOpaWasm({ memoryMaximum: 8 }));
    expect(policy.evaluate("fixed/allow")).toEqual([{ result: true }]);
  });
});

describe("parseAbortMessage", () => {
  it("parses file:line:col locations", () => {
    const e = parseAbortMessage("p.rego:3:7: eval_type_error: count: operand 1 must be array but got number");
    expect(e.code).toBe("eval_type_error");
    expect(e.location).toEqual({ file: "p.rego", line: 3, col: 7 });
    expect(e.text).toBe("p.rego:3:7: eval_type_error: count: operand 1 must be array but got number");
  });

  it("parses a message without location", () => {
    const e = parseAbortMessage("eval_builtin_error: div: divide by zero");
    expect(e.code).toBe("eval_builtin_error");
    expect(e.location).toBeNull();
    expect(e.message).toBe("div: divide by zero");
  });

  it("treats other text as eval_internal_error", () => {
    const e = parseAbortMessage("something odd");
    expect(e.code).toBe("eval_internal_error");
    expect(e.message).toBe("something odd");
  });
});

describe("repairSdkString", () => {
  it("recovers UTF-8 that the SDK decoded through a signed byte view", () => {
    const bytes = Buffer.from("naïve ✓");
    const mangled = Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length), (b) => String.fromCharCode(b)).join("");
    expect(repairSdkString(mangled)).toBe("naïve ✓");
    expect(repairSdkString("plain")).toBe("plain");
  });
});
