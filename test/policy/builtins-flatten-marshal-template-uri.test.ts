/**
 * array.flatten, json.marshal_with_options, regex.template_match, uri.parse and uri.is_valid, on one reused
 * instance. Expected values: OPA's conformance cases for array.flatten (v1/test/cases/testdata/v1/array/
 * flatten.yaml); Go's json.MarshalIndent layout (OPA prefixes the first line too); OPA's regex.template_match
 * documentation (delimited parts are patterns, the rest literal, the whole value must match); Go's
 * net/url.Parse, which OPA's uri.* call.
 */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;
const RULES = `flat := array.flatten(input.x)
marshal := json.marshal_with_options(input.x, input.opts)
tmatch := regex.template_match(input.t, input.v, input.open, input.close)
uri := uri.parse(input.u)
valid := uri.is_valid(input.u)`;
const NAMES = ["flat", "marshal", "tmatch", "uri", "valid"];

beforeAll(async () => {
  p = await loadTestPolicy(RULES, NAMES);
  strict = await loadTestPolicy(RULES, NAMES, true);
});

function strictError(rule: string, input: unknown): string {
  try {
    strict.value(rule, input);
  } catch (err) {
    return (err as Error).message;
  }
  return "no error";
}

describe("array.flatten", () => {
  it.each([
    [[], []],
    [
      [[1, 2], [3, 4], [5]],
      [1, 2, 3, 4, 5],
    ],
    [
      [[[1], [2, 3, []]], [[4, 5]]],
      [[1], [2, 3, []], [4, 5]],
    ],
    [
      [[1, 2], "string", [3, { a: "b" }], 4.5, [6, [7, 8]]],
      [1, 2, "string", 3, { a: "b" }, 4.5, 6, [7, 8]],
    ],
  ])("flattens %j one level", (x, want) => {
    expect(p.value("flat", { x })).toEqual(want);
  });
  it("is a type error for a non-array", () => {
    expect(strictError("flat", { x: 42 })).toBe("array.flatten: operand 1 must be array but got number");
  });
});

describe("json.marshal_with_options", () => {
  const x = { b: [1, { c: "<&>" }], a: {}, e: [] };
  it.each([
    [{}, '{"a":{},"b":[1,{"c":"\\u003c\\u0026\\u003e"}],"e":[]}'],
    [{ pretty: false, indent: "  " }, '{"a":{},"b":[1,{"c":"\\u003c\\u0026\\u003e"}],"e":[]}'],
    [{ pretty: true }, '{\n\t"a": {},\n\t"b": [\n\t\t1,\n\t\t{\n\t\t\t"c": "\\u003c\\u0026\\u003e"\n\t\t}\n\t],\n\t"e": []\n}'],
    [{ indent: "  " }, '{\n  "a": {},\n  "b": [\n    1,\n    {\n      "c": "\\u003c\\u0026\\u003e"\n    }\n  ],\n  "e": []\n}'],
    [
      { prefix: "> ", indent: " " },
      '> {\n>  "a": {},\n>  "b": [\n>   1,\n>   {\n>    "c": "\\u003c\\u0026\\u003e"\n>   }\n>  ],\n>  "e": []\n> }',
    ],
  ])("with %j", (opts, want) => {
    expect(p.value("marshal", { x, opts })).toBe(want);
  });
  it("keeps a scalar on one line, prefixed", () => {
    expect(p.value("marshal", { x: "a,b:c", opts: { prefix: "#" } })).toBe('#"a,b:c"');
  });
  it.each([
    [{ colour: true }, "json.marshal_with_options: operand 2 object contained unknown key colour"],
    [{ pretty: "yes" }, "json.marshal_with_options: operand 2 key pretty failed cast to bool"],
    [{ indent: 2 }, "json.marshal_with_options: operand 2 key indent failed cast to string: operand 0 must be string but got number"],
  ])("refuses options %j", (opts, message) => {
    expect(strictError("marshal", { x: 1, opts })).toBe(message);
  });
});

describe("regex.template_match", () => {
  it.each([
    ["urn:foo:{.*}", "urn:foo:bar:baz", "{", "}", true],
    ["urn:foo:{.*}", "urn:foo.bar.com:bar:baz", "{", "}", false],
    ["urn:foo.bar.com:{.*}", "urn:foo.bar.com:bar:baz", "{", "}", true],
    ["urn:foo.bar.com:{.*}", "urnXfooXbarXcom:bar:baz", "{", "}", false],
    ["urn:foo:<[0-9]{2}>", "urn:foo:42", "<", ">", true],
    ["urn:foo:<[0-9]{2}>", "urn:foo:4", "<", ">", false],
    ["a(b)", "a(b)", "<", ">", true],
  ])("template %j against %j", (t, v, open, close, want) => {
    expect(p.value("tmatch", { t, v, open, close })).toBe(want);
  });
  it.each([
    [{ t: "urn:{.*", v: "x", open: "{", close: "}" }, 'regex.template_match: unbalanced braces in "urn:{.*"'],
    [
      { t: "a", v: "a", open: "{{", close: "}" },
      "regex.template_match: start delimiter has to be exactly one character long but is 2 long",
    ],
  ])("refuses %j", (input, message) => {
    expect(strictError("tmatch", input)).toBe(message);
  });
  it("refuses a delimited part that is not a pattern", () => {
    // OPA says "error parsing regexp: missing closing ): `^($`"; the host's Go-regexp translation words
    // some syntax errors its own way after the same prefix.
    expect(strictError("tmatch", { t: "{(}", v: "a", open: "{", close: "}" })).toMatch(/^regex\.template_match: error parsing regexp: /);
  });
});

describe("uri.parse and uri.is_valid", () => {
  it.each([
    [
      "https://user:pw@Example.com:8443/a%20b/c?x=1&y=2#frag%21",
      {
        scheme: "https",
        hostname: "Example.com",
        port: "8443",
        path: "/a b/c",
        raw_path: "/a b/c",
        raw_query: "x=1&y=2",
        fragment: "frag!",
      },
    ],
    ["HTTP://[::1]:80/", { scheme: "http", hostname: "::1", port: "80", path: "/", raw_path: "/" }],
    ["/relative/path?q", { path: "/relative/path", raw_path: "/relative/path", raw_query: "q" }],
    ["https://example.com/a%2Fb", { scheme: "https", hostname: "example.com", path: "/a/b", raw_path: "/a%2Fb" }],
    ["mailto:someone@example.com", { scheme: "mailto" }],
    ["https://example.com?", { scheme: "https", hostname: "example.com" }],
  ])("parses %j", (u, want) => {
    expect(p.value("uri", { u })).toEqual(want);
    expect(p.value("valid", { u })).toBe(true);
  });
  it.each([
    ["http://a b.com/", 'uri.parse: parse "http://a b.com/": invalid character " " in host name'],
    ["http://example.com:80x/", 'uri.parse: parse "http://example.com:80x/": invalid port ":80x" after host'],
    ["://nothing", 'uri.parse: parse "://nothing": missing protocol scheme'],
    ["a:b/c:d", "no error"],
    ["1a:b", 'uri.parse: parse "1a:b": first path segment in URL cannot contain colon'],
    ["/x%zz", 'uri.parse: parse "/x%zz": invalid URL escape "%zz"'],
    ["http://[::1/", "uri.parse: parse \"http://[::1/\": missing ']' in host"],
  ])("refuses %j as net/url does", (u, message) => {
    expect(strictError("uri", { u })).toBe(message);
    expect(p.value("valid", { u })).toBe(message === "no error");
  });
  it("calls the empty string and non-strings invalid", () => {
    expect(p.value("valid", { u: "" })).toBe(false);
    expect(p.value("valid", { u: 7 })).toBe(false);
  });
});
