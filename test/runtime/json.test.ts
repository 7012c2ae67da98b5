/**
 * JSON text in and out of the runtime: opa_json_parse and opa_json_dump.
 */

import { Runtime } from "./harness";

const rt = new Runtime({ pages: 16 });

function roundTrip(text: string): string {
  return rt.jsonText(rt.json(text));
}

function rejects(text: string): boolean {
  return rt.exports.opa_json_parse(...rt.put(text)) === 0;
}

describe("JSON", () => {
  it("round-trips nested documents", () => {
    const docs = [
      { user: { name: "ada", roles: ["admin", "dev"], limits: { cpu: 2, mem: 1.5 } }, active: true, manager: null },
      [[], {}, [[[]]], [{ a: [{ b: [] }] }]],
      { "": "", " ": [null, false, true, 0, -1, 1e-9, 123456789] },
    ];
    for (const doc of docs) expect(rt.js(rt.json(doc))).toEqual(doc);
  });

  it("keeps UTF-8 text intact and decodes every escape", () => {
    expect(rt.js(rt.json('"\\u00e9\\ud83d\\ude00\\n\\t\\r\\b\\f\\"\\\\\\/"'))).toBe('é😀\n\t\r\b\f"\\/');
    expect(rt.js(rt.json(JSON.stringify("日本語 ✓ 😀 ä")))).toBe("日本語 ✓ 😀 ä");
    expect(roundTrip('"é😀"')).toBe('"é😀"');
  });

  it("writes control characters as escapes and leaves all other text unescaped", () => {
    expect(roundTrip('"\\u0001\\u001f\\n\\"\\\\</>\\u007f"')).toBe('"\\u0001\\u001f\\n\\"\\\\</>\u007f"');
  });

  it("decodes a lone surrogate escape as U+FFFD", () => {
    expect(rt.js(rt.json('"a\\ud800b"'))).toBe("a\ufffdb");
    expect(rt.js(rt.json('"\\udc00"'))).toBe("\ufffd");
  });

  it("prints integral numbers without a fraction", () => {
    expect(roundTrip("3.0")).toBe("3");
    expect(roundTrip("-0")).toBe("0");
    expect(roundTrip("1e2")).toBe("100");
    expect(roundTrip("-2.50e1")).toBe("-25");
    expect(roundTrip("123456789012")).toBe("123456789012");
  });

  it("prints fractions and huge numbers in shortest round-trip form", () => {
    expect(roundTrip("0.1")).toBe("0.1");
    expect(roundTrip("1.5e-7")).toBe("1.5e-7");
    expect(roundTrip("123.456")).toBe("123.456");
    expect(roundTrip("1e21")).toBe("1e+21");
    expect(roundTrip("5e-324")).toBe("5e-324");
    // every double comes back as itself
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const x = (random() - 0.5) * Math.pow(10, Math.floor(random() * 40) - 20);
      expect(Number(roundTrip(String(x)))).toBe(x);
    }
  });

  it("parses decimal text to the nearest double", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const digits = String(Math.floor(random() * 1e15)) + String(Math.floor(random() * 1e6));
      const text = `${digits.slice(0, 1 + (i % 17))}.${digits.slice(1 + (i % 17))}e${Math.floor(random() * 60) - 30}`;
      expect([text, Number(roundTrip(text))]).toEqual([text, Number(text)]);
    }
  });

  it("keeps integers beyond 2^53 exact", () => {
    for (const big of ["9007199254740993", "12345678901234567890123", "-98765432109876543210", "18446744073709551617"]) {
      expect(roundTrip(big)).toBe(big);
    }
    expect(roundTrip("[9007199254740993, 9007199254740992]")).toBe("[9007199254740993,9007199254740992]");
  });

  it("rejects malformed JSON", () => {
    for (const bad of [
      "",
      " ",
      "{",
      "[1,]",
      "[1 2]",
      '{"a"}',
      '{"a":}',
      '{"a":1,}',
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "tru",
      "nul",
      "falsy",
      '"abc',
      '"\u0001"',
      '"\\x"',
      '"\\u12g4"',
      "{1:2}",
      "set()",
      "[1] x",
      "{'a':1}",
      "NaN",
    ]) {
      expect([bad, rejects(bad)]).toEqual([bad, true]);
    }
  });

  it("accepts whitespace around and between tokens", () => {
    expect(rt.js(rt.json(' \n\t{ "a" : [ 1 , 2 ] ,\r\n "b" : { } } \n'))).toEqual({ a: [1, 2], b: {} });
  });

  it("lets the last of duplicate keys win", () => {
    expect(roundTrip('{"a":1,"b":2,"a":3}')).toBe('{"a":3,"b":2}');
  });

  it("dumps an object's keys in sorted order", () => {
    expect(roundTrip('{"b":1,"a":2,"c":{"z":1,"y":2},"B":0}')).toBe('{"B":0,"a":2,"b":1,"c":{"y":2,"z":1}}');
  });

  it("dumps a key that is not a string as its JSON text, as OPA does", () => {
    const obj = rt.exports.cs_object();
    rt.exports.cs_object_insert(obj, rt.num(3), rt.num(4));
    rt.exports.cs_object_insert(obj, rt.json('[1,"a"]'), rt.exports.cs_null());
    rt.exports.cs_object_insert(obj, rt.str("k"), rt.exports.cs_boolean(1));
    expect(rt.jsonText(obj)).toBe('{"3":4,"k":true,"[1,\\"a\\"]":null}');
  });

  it("dumps a set as the array of its sorted elements", () => {
    expect(rt.jsonText(rt.rego('{3, "a", 1, [0], null}'))).toBe('[null,1,3,"a",[0]]');
  });

  it("parses nesting 2048 levels deep and rejects deeper, before the wasm stack runs out", () => {
    expect(rt.jsonText(rt.json("[".repeat(2048) + "]".repeat(2048)))).toHaveLength(4096);
    const deepObject = '{"a":'.repeat(2048) + "1" + "}".repeat(2048);
    expect(rt.exports.cs_equal(rt.json(deepObject), rt.json(deepObject))).toBe(1);
    expect(rejects("[".repeat(2049) + "]".repeat(2049))).toBe(true);
  });

  it("parses arrays and objects wider than its preallocated value stack", () => {
    const wide = Array.from({ length: 5000 }, (_, i) => i);
    expect(rt.js(rt.json(wide))).toEqual(wide);
    const obj = Object.fromEntries(wide.map((i) => [`k${i}`, [i]]));
    expect(rt.js(rt.json(obj))).toEqual(obj);
    expect(rt.js(rt.json([1, 2]))).toEqual([1, 2]);
  });
});
