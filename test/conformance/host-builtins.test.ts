/**
 * Host builtins (the JS fallbacks a compiled policy reaches through opa_builtinN), held to OPA's results.
 */

import { fixedClock } from "../../src/policy/clock";
import { compileGlob } from "../../src/policy/glob-pattern";
import { compileGoRegexp, GoRegexpError } from "../../src/policy/go-regexp";
import { createHostBuiltins } from "../../src/policy/host-builtins";
import { HostBuiltinError } from "../../src/policy/policy-error";

const lenient = createHostBuiltins().functions;
const strict = createHostBuiltins({ strictBuiltinErrors: true }).functions;

function call(name: string, ...args: unknown[]): unknown {
  return lenient[name]!(...args);
}

function strictError(name: string, ...args: unknown[]): HostBuiltinError {
  try {
    strict[name]!(...args);
  } catch (err) {
    if (err instanceof HostBuiltinError) return err;
    throw err;
  }
  throw new Error(`${name} did not raise`);
}

describe("time.now_ns", () => {
  it("reads the injected clock once per evaluation and repeats it", () => {
    let t = 100n;
    const host = createHostBuiltins({ clock: { nowNs: () => t++ } });
    const now = host.functions["time.now_ns"]!;
    const text = (v: unknown): string => new TextDecoder().decode(new Uint8Array(v as ArrayBuffer));
    host.beginEvaluation();
    expect(text(now())).toBe("100");
    expect(text(now())).toBe("100");
    host.beginEvaluation();
    expect(text(now())).toBe("101");
  });

  it("keeps nanosecond digits beyond 2^53", () => {
    const host = createHostBuiltins({ clock: fixedClock(1700000000123456789n) });
    host.beginEvaluation();
    expect(new TextDecoder().decode(new Uint8Array(host.functions["time.now_ns"]!() as ArrayBuffer))).toBe("1700000000123456789");
  });
});

describe("regex.match", () => {
  it.each([
    ["^a", "abc", true],
    ["b", "abc", true],
    ["^b", "abc", false],
    ["(?i)^ABC$", "abc", true],
    ["^a.c$", "a\nc", false],
    ["(?s)^a.c$", "a\nc", true],
    ["^(?P<word>[[:alpha:]]+)$", "hello", true],
    ["^[[:digit:]]+$", "12a", false],
    ["\\Aabc\\z", "abc", true],
    ["\\Aabc\\z", "abc\n", false],
    ["^\\Q*.+\\E$", "*.+", true],
    ["^\\pL+$", "héllo", true],
    ["^\\p{Greek}+$", "αβγ", true],
    ["^\\x{263a}$", "☺", true],
    ["^a{2}$", "aa", true],
    ["^a{,2}$", "a{,2}", true],
    ["^[]a]+$", "]a]", true],
    ["^\\-\\#$", "-#", true],
    ["^\\s+$", " \t", true],
    ["^\\d+$", "٣", false],
  ])("regex.match(%j, %j) is %j", (pattern, value, want) => {
    expect(call("regex.match", pattern, value)).toBe(want);
  });

  it("raises an operand type error in strict mode and is undefined otherwise", () => {
    expect(call("regex.match", 1, "a")).toBeUndefined();
    const e = strictError("regex.match", 1, "a");
    expect(e.code).toBe("eval_type_error");
    expect(e.message).toBe("regex.match: operand 1 must be string but got number");
    expect(strictError("regex.match", "a", ["x"]).message).toBe("regex.match: operand 2 must be string but got array");
  });

  it("raises a builtin error for a pattern Go rejects", () => {
    expect(call("regex.match", "(", "a")).toBeUndefined();
    const e = strictError("regex.match", "(", "a");
    expect(e.code).toBe("eval_builtin_error");
    expect(e.message).toMatch(/^regex\.match: error parsing regexp: /);
  });
});

describe("regex.is_valid", () => {
  it.each([
    ["^[a-z]+$", true],
    ["(?i)abc", true],
    ["(", false],
    ["a)", false],
    ["(a)\\1", false],
    ["a(?=b)", false],
    ["a(?<!b)", false],
    ["\\k", false],
    ["x{1001}", false],
  ])("regex.is_valid(%j) is %j", (pattern, want) => {
    expect(call("regex.is_valid", pattern)).toBe(want);
  });

  it("is false for a non-string, not an error", () => {
    expect(strict["regex.is_valid"]!(12)).toBe(false);
  });
});

describe("compileGoRegexp", () => {
  it("throws GoRegexpError with Go's wording", () => {
    expect(() => compileGoRegexp("[a")).toThrow(GoRegexpError);
    expect(() => compileGoRegexp("[a")).toThrow(/^error parsing regexp: missing closing \]/);
  });
});

describe("glob.match", () => {
  // The examples of OPA's builtin documentation, and gobwas/glob's.
  it.each([
    ["*.github.com", [], "api.github.com", true],
    ["*.github.com", [], "api.cdn.github.com", false],
    ["*hub.com", null, "api.cdn.github.com", true],
    ["*:github:com", [":"], "api:github:com", true],
    ["api.**.com", [], "api.github.com", true],
    ["api.**.com", [], "api.cdn.github.com", true],
    ["?at", [], "cat", true],
    ["?at", [], "at", false],
    ["?at", ["f"], "fat", false],
    ["[abc]at", [], "bat", true],
    ["[!abc]at", [], "bat", false],
    ["[a-c]at", [], "cat", true],
    ["[!a-c]at", [], "lat", true],
    ["{cat,bat,[fr]at}", [], "rat", true],
    ["{cat,bat,[fr]at}", [], "mat", false],
    ["{api,*}.example.com", [], "web.example.com", true],
    ["\\*.com", [], "*.com", true],
    ["\\*.com", [], "a.com", false],
    ["a.b", [], "a.b", true],
  ])("glob.match(%j, %j, %j) is %j", (pattern, delimiters, match, want) => {
    expect(call("glob.match", pattern, delimiters, match)).toBe(want);
  });

  it("checks operand types as OPA does", () => {
    expect(strictError("glob.match", "*", "x", "a").message).toBe("glob.match: operand 2 must be one of {array, null} but got string");
    expect(strictError("glob.match", 1, [], "a").message).toBe("glob.match: operand 1 must be string but got number");
    expect(call("glob.match", "*", [], 3)).toBeUndefined();
  });

  it("rejects malformed patterns", () => {
    expect(() => compileGlob("[abc", [])).toThrow();
    expect(() => compileGlob("{a,b", [])).toThrow();
    expect(strictError("glob.match", "[abc", [], "a").code).toBe("eval_builtin_error");
  });
});

describe("net.cidr_contains", () => {
  it.each([
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.1.2.3", false],
    ["10.0.0.0/8", "10.1.0.0/16", true],
    ["10.0.0.0/16", "10.0.0.0/8", false],
    ["10.1.2.3/8", "10.200.0.1", true],
    ["192.168.1.0/24", "192.168.1.255", true],
    ["0.0.0.0/0", "8.8.8.8", true],
    ["2001:4860::/32", "2001:4860:4860::8888", true],
    ["2001:4860::/32", "2001:4861::1", false],
    ["fd00::/8", "fd12:3456::/32", true],
    ["10.0.0.0/8", "::ffff:10.0.0.1", true],
    ["10.0.0.0/8", "2001:db8::1", false],
    ["::/0", "10.0.0.1", false],
  ])("net.cidr_contains(%j, %j) is %j", (cidr, x, want) => {
    expect(call("net.cidr_contains", cidr, x)).toBe(want);
  });

  it("raises builtin errors for malformed addresses", () => {
    expect(strictError("net.cidr_contains", "10.0.0.0", "10.0.0.1").message).toBe("net.cidr_contains: invalid CIDR address: 10.0.0.0");
    expect(strictError("net.cidr_contains", "10.0.0.0/33", "10.0.0.1").code).toBe("eval_builtin_error");
    expect(strictError("net.cidr_contains", "10.0.0.0/8", "nonsense").message).toBe("net.cidr_contains: invalid CIDR address: nonsense");
    expect(call("net.cidr_contains", "10.0.0.0/8", "01.0.0.1")).toBeUndefined();
    expect(strictError("net.cidr_contains", 10, "x").code).toBe("eval_type_error");
  });
});
