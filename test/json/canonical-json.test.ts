/**
 * The canonical JSON writer (RFC 8785) against the `canonicalize` package as the reference, on generated
 * JSON values and on the cases JCS singles out: member order by UTF-16 code units (not by code points, not
 * by V8's integer-key order), number formatting, string escapes and lone surrogates.
 */

import canonicalize from "canonicalize";
import fc from "fast-check";
import { canonicalJson } from "../../src/json/canonical-json";

describe("canonicalJson", () => {
  it("writes what the reference implementation writes, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes what the reference writes for objects with any member names, integer-like ones included", () => {
    const names = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.nat().map(String),
      fc.constantFrom("", "0", "10", "9", "\u20ac", "\ud83d\ude00", "\ufb33", "a\u0000b"),
    );
    fc.assert(
      fc.property(fc.dictionary(names, fc.jsonValue({ maxDepth: 2 })), (record) => {
        expect(canonicalJson(record)).toBe(canonicalize(record));
      }),
      { numRuns: 1000 },
    );
  });

  it("orders members by UTF-16 code units, as RFC 8785 section 3.2.3 shows", () => {
    const record = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    expect(canonicalJson(record)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalJson({ 10: 1, 9: 2, a: 3 })).toBe('{"10":1,"9":2,"a":3}');
  });

  it("formats numbers as ECMAScript does", () => {
    expect(canonicalJson([0, -0, 1e21, 1e-7, 333333333.3333333, 4.5, 2 ** 53, -1.5e-300, 100])).toBe(
      "[0,0,1e+21,1e-7,333333333.3333333,4.5,9007199254740992,-1.5e-300,100]",
    );
  });

  it("escapes what JSON must escape and keeps other text as it is, lone surrogates escaped", () => {
    expect(canonicalJson(['a"b', "a\\b", "\u0001\n\t\u001f", "\u00e9\u20ac\ud83d\ude00", "\ud800", "x\udfffy", "\u2028"])).toBe(
      '["a\\"b","a\\\\b","\\u0001\\n\\t\\u001f","\u00e9\u20ac\ud83d\ude00","\\ud800","x\\udfffy","\u2028"]',
    );
  });

  it("leaves undefined members out and writes undefined array elements as null, as JSON.stringify does", () => {
    expect(canonicalJson({ b: undefined, a: [1, undefined, 2] })).toBe('{"a":[1,null,2]}');
  });

  it("writes a Date as its toJSON text", () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2026, 10, 21)) })).toBe('{"at":"2026-11-21T00:00:00.000Z"}');
  });

  it("refuses what JSON cannot represent instead of writing null", () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, 1n, () => 1, Symbol("s")]) {
      expect(() => canonicalJson({ nested: [bad] })).toThrow(TypeError);
    }
    expect(() => canonicalJson(undefined)).toThrow(/no JSON representation/);
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(/NaN has no JSON representation/);
  });
});
