/** yaml.is_valid (routed past the SDK's own) and http.send's request checks, on one reused instance. */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
valid := yaml.is_valid(input.doc)
sent := http.send(input.req)
`;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["valid", "sent"]);
  strict = await loadTestPolicy(RULES, ["sent"], true);
});

it.each([
  ["foo:\n  - qux: bar\n  - baz: 2", true],
  ["foo:\n  - qux: bar\n  - baz: {", false],
  ['{"json": "ok"}', true],
  ["  test:\ntest1: hello\n", false],
  ["a: 1\n---\nb: 2\n", true],
  ["a: 1\n---\n\tb: 2\n", false],
  ["k: 1\nk: 2\n", true],
  ["", true],
  [1, false],
  [null, false],
  [["a: 1"], false],
])("yaml.is_valid(%j) is %j", (doc, want) => {
  expect(p.value("valid", { doc })).toBe(want);
});

it("checks http.send's request as OPA does, then refuses the host as OPA does when no host is allowed", () => {
  expect(p.value("sent", { req: { method: "get" } })).toBeUndefined();
  expect(() => strict.value("sent", { req: { method: "get" } })).toThrow(
    'http.send: operand 1 missing required request parameters(s): {"url"}',
  );
  expect(() => strict.value("sent", { req: { method: "get", url: "u", nope: 1, also: 2 } })).toThrow(
    'http.send: operand 1 invalid request parameters(s): {"also", "nope"}',
  );
  expect(() => strict.value("sent", { req: "x" })).toThrow("http.send: operand 1 must be object but got string");
  for (const policy of [p, strict]) {
    expect(() => policy.value("sent", { req: { method: "get", url: "https://example.com:8443/x" } })).toThrow(
      "http.send: unallowed host: example.com",
    );
    expect(policy.value("sent", { req: { method: "get", url: "https://example.com", raise_error: false } })).toEqual({
      status_code: 0,
      error: { code: "eval_http_send_internal_error", message: "unallowed host: example.com" },
    });
  }
});
