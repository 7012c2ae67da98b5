/**
 * units.parse and units.parse_bytes, compiled into a policy and evaluated many times on one instance.
 */

import { RawJson, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyEvalError } from "../../src/policy/policy-error";
import { loadRego, valueOf } from "./host-builtin-policy";

const MODULE = `package t
import rego.v1

parse := units.parse(input.s)
bytes := units.parse_bytes(input.s)

# Compared inside the policy, so that numbers beyond 2^53 are checked exactly.
parse_is if units.parse(input.s) == input.want
bytes_is if units.parse_bytes(input.s) == input.want
`;

let policy: CompiledPolicy;
let strict: CompiledPolicy;

beforeAll(async () => {
  policy = await loadRego(MODULE, ["parse", "bytes", "parse_is", "bytes_is"]);
  strict = await loadRego(MODULE, ["parse", "bytes"], { strictBuiltinErrors: true });
});

function exactly(entrypoint: "t/parse_is" | "t/bytes_is", s: string, want: string): boolean {
  return valueOf(policy, entrypoint, new RawJson(`{"s":${JSON.stringify(s)},"want":${want}}`)) === true;
}

describe("units.parse", () => {
  it.each([
    ["0", 0],
    [".0", 0],
    ["12345", 12345],
    ["10K", 10000],
    ["10k", 10000],
    ["10KI", 10240],
    ["10Ki", 10240],
    ["200M", 200000000],
    ["100mi", 104857600],
    ["300Gi", 322122547200],
    ["1.1K", 1100],
    ["1.1Ki", 1126.4],
    [".5K", 500],
    ["100m", 0.1],
    ["1m", 0.001],
    ["1e10", 10000000000],
    ["3.2E4", 32000],
    ["2.5e3K", 2500000],
    ["5e1Gi", 53687091200],
    ["1e-2", 0.01],
    ["7.8E-1", 0.78],
    ["-3.5E2m", -0.35],
    ['"100TI"', 109951162777600],
    ["1/3", undefined],
    ["5E", 5e18],
    ["+4k", 4000],
    ["10.", 10],
  ])("units.parse(%j) is %j", (s, want) => {
    expect(valueOf(policy, "t/parse", { s })).toBe(want);
  });

  it("keeps every digit of amounts beyond 2^53", () => {
    expect(exactly("t/parse_is", "10Ei", "11529215046068469760")).toBe(true);
    expect(exactly("t/parse_is", "10Ei", "11529215046068469761")).toBe(false);
    expect(exactly("t/parse_is", "10e", "10000000000000000000")).toBe(true);
    expect(exactly("t/parse_is", "100Pi", "112589990684262400")).toBe(true);
    expect(exactly("t/parse_is", "1.1Ki", "1126.4")).toBe(true);
  });

  it("rounds what is not a whole number to ten decimals", () => {
    expect(valueOf(policy, "t/parse", { s: "1.23456789012345m" })).toBe(0.0012345679);
    expect(valueOf(policy, "t/parse", { s: "0.00000000006" })).toBe(0.0000000001);
    expect(valueOf(policy, "t/parse", { s: "0.00000000001" })).toBe(0);
    expect(valueOf(policy, "t/parse", { s: "0.00000001m" })).toBe(0);
  });

  it.each([
    ["", "units.parse: no amount provided"],
    ["K", "units.parse: no amount provided"],
    ["1 K", "units.parse: spaces not allowed in resource strings"],
    ["10KB", "units.parse: unit Kb not recognized"],
    ["10x", "units.parse: unit x not recognized"],
    ["1-2", "units.parse: could not parse amount to a number"],
    ["1e99999", "units.parse: could not parse amount to a number"],
  ])("units.parse(%j) is undefined, or in strict mode fails with %j", (s, message) => {
    expect(valueOf(policy, "t/parse", { s })).toBeUndefined();
    expect(() => strict.evaluate("t/parse", { s })).toThrow(PolicyEvalError);
    expect(() => strict.evaluate("t/parse", { s })).toThrow(message);
  });

  it("raises a type error for a number", () => {
    expect(valueOf(policy, "t/parse", { s: 10 })).toBeUndefined();
    expect(() => strict.evaluate("t/parse", { s: 10 })).toThrow("units.parse: operand 1 must be string but got number");
  });
});

describe("units.parse_bytes", () => {
  it.each([
    ["0", 0],
    ["0.0", 0],
    ["12345", 12345],
    ["10KB", 10000],
    ["10kb", 10000],
    ["10KIB", 10240],
    ["10Kib", 10240],
    ["200mb", 200000000],
    ["100m", 100000000],
    ["300GiB", 322122547200],
    ["1.1KB", 1100],
    ["1.1KiB", 1126],
    [".5KB", 500],
    ["0.3KB", 300],
    ["1e3KB", 1000000],
    ["3.2E2MiB", 335544320],
    ["1e-2KB", 10],
    ["5e6", 5000000],
    ["-1.5k", -1500],
    ["-0.9", 0],
    ['"100TIB"', 109951162777600],
    ["5E", 5e18],
  ])("units.parse_bytes(%j) is %j", (s, want) => {
    expect(valueOf(policy, "t/bytes", { s })).toBe(want);
  });

  it("keeps every digit of amounts beyond 2^53", () => {
    expect(exactly("t/bytes_is", "10eib", "11529215046068469760")).toBe(true);
    expect(exactly("t/bytes_is", "10eb", "10000000000000000000")).toBe(true);
    expect(exactly("t/bytes_is", "100pib", "112589990684262400")).toBe(true);
    expect(exactly("t/bytes_is", "100pib", "112589990684262401")).toBe(false);
  });

  it("computes in 64-bit binary floating point, as OPA does", () => {
    // 12345678901234567891 needs 64 bits; one more digit needs 67 bits and is rounded to a multiple of 8.
    expect(exactly("t/bytes_is", "12345678901234567891", "12345678901234567891")).toBe(true);
    expect(exactly("t/bytes_is", "123456789012345678901", "123456789012345678904")).toBe(true);
  });

  it.each([
    ["", "units.parse_bytes: no byte amount provided"],
    ["1 KB", "units.parse_bytes: spaces not allowed in resource strings"],
    ["10b", "units.parse_bytes: byte unit b not recognized"],
    ["10kbb", "units.parse_bytes: byte unit kbb not recognized"],
    ["10constructor", "units.parse_bytes: byte unit constructor not recognized"],
    ["1..2", "units.parse_bytes: could not parse byte amount to a number"],
  ])("units.parse_bytes(%j) is undefined, or in strict mode fails with %j", (s, message) => {
    expect(valueOf(policy, "t/bytes", { s })).toBeUndefined();
    expect(() => strict.evaluate("t/bytes", { s })).toThrow(message);
  });

  it("answers many inputs in turn on one instance", () => {
    for (let i = 0; i < 300; i++) {
      expect(valueOf(policy, "t/bytes", { s: `${i}KiB` })).toBe(i * 1024);
      expect(valueOf(policy, "t/parse", { s: `${i}m` })).toBe(Number((i / 1000).toFixed(10)));
    }
  });
});
