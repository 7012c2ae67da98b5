import { createHmac } from "node:crypto";
import canonicalize from "canonicalize";
import type { JsonValue } from "../../src/bundle/bundle";
import { isMaskedMarker, maskDigest, maskDocument, maskedMarker } from "../../src/audit/masking";

const salt = Buffer.from("test-salt-0123456789abcdef", "utf8");

describe("masking", () => {
  it("replaces the value at a pointer with the HMAC of its canonical JSON", () => {
    const doc: JsonValue = { action: { name: "db.query", params: { query: "select * from users", limit: 5 } } };
    const { value, masked } = maskDocument(doc, { salt, pointers: ["/action/params/query"] });
    const expected = "sha256:" + createHmac("sha256", salt).update(JSON.stringify("select * from users")).digest("hex");
    expect(value).toEqual({ action: { name: "db.query", params: { query: { $masked: expected }, limit: 5 } } });
    expect(masked).toEqual(["/action/params/query"]);
  });

  it("digests objects through their canonical form, so member order does not matter", () => {
    expect(maskDigest({ b: 1, a: [true, null] }, salt)).toBe(maskDigest({ a: [true, null], b: 1 }, salt));
    expect(maskDigest({ b: 1, a: 2 }, salt)).toBe(
      "sha256:" +
        createHmac("sha256", salt)
          .update(canonicalize({ a: 2, b: 1 }) as string)
          .digest("hex"),
    );
  });

  it("depends on the salt", () => {
    expect(maskDigest("hunter2", salt)).not.toBe(maskDigest("hunter2", Buffer.from("another-salt-0123456789")));
  });

  it("masks secret-named members anywhere, case- and separator-insensitively", () => {
    const doc: JsonValue = {
      context: { Password: "p1", nested: [{ API_KEY: "k1" }, { "x-api-key": "k2" }], apiKey: "k3", Authorization: "Bearer t" },
      action: { params: { token: { value: "t2" }, tokens: 3 } },
    };
    const { value, masked } = maskDocument(doc, { salt });
    const text = JSON.stringify(value);
    for (const secret of ["p1", "k1", "k2", "k3", "Bearer t", "t2"]) expect(text).not.toContain(secret);
    expect(text).toContain('"tokens":3');
    expect([...masked].sort()).toEqual([
      "/action/params/token",
      "/context/Authorization",
      "/context/Password",
      "/context/apiKey",
      "/context/nested/0/API_KEY",
      "/context/nested/1/x-api-key",
    ]);
  });

  it("handles escaped pointer tokens and array indexes, and ignores pointers that name nothing", () => {
    const doc: JsonValue = { "a/b": { "m~n": [10, 20] }, list: [1] };
    const r = maskDocument(doc, { salt, pointers: ["/a~1b/m~0n/1", "/missing/x", "/list/5", "/list/-"], keys: new Set() });
    expect(r.masked).toEqual(["/a~1b/m~0n/1"]);
    expect((r.value as { "a/b": { "m~n": unknown[] } })["a/b"]["m~n"][0]).toBe(10);
    expect(isMaskedMarker((r.value as { "a/b": { "m~n": unknown[] } })["a/b"]["m~n"][1])).toBe(true);
  });

  it("reports invalid pointers instead of guessing", () => {
    const r = maskDocument({ a: 1 }, { salt, pointers: ["a", "/b~2"] });
    expect(r.invalidPointers).toEqual(["a", "/b~2"]);
    expect(r.value).toEqual({ a: 1 });
  });

  it("masks the whole document for the empty pointer", () => {
    expect(maskDocument({ a: 1 }, { salt, pointers: [""] }).value).toEqual(maskedMarker({ a: 1 }, salt));
  });

  it("does not modify its input and is idempotent", () => {
    const doc = { password: "x", keep: { a: 1 } };
    const once = maskDocument(doc, { salt, pointers: ["/keep/a"] });
    expect(doc).toEqual({ password: "x", keep: { a: 1 } });
    const twice = maskDocument(once.value, { salt, pointers: ["/keep/a"] });
    expect(twice.value).toEqual(once.value);
    expect(twice.masked).toEqual([]);
  });

  it("keeps a member named __proto__ an own member when masking below it", () => {
    const doc = JSON.parse('{"__proto__": {"password": "p"}}') as JsonValue;
    const { value } = maskDocument(doc, { salt });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).not.toContain('"p"');
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
  });
});
