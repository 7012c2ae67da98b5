/** strings.render_template, on one reused instance. */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

beforeAll(async () => {
  p = await loadTestPolicy(`rendered := strings.render_template(input.t, input.vars)`, ["rendered"]);
  strict = await loadTestPolicy(`rendered := strings.render_template(input.t, input.vars)`, ["rendered"], true);
});

it.each([
  ["{{.test}}", { test: "hello world" }, "hello world"],
  ["{{.test}}", { test: 2023 }, "2023"],
  ["{{range $i, $name := .names}}{{if $i}},{{end}}hello {{$name}}{{end}}", { names: ["rohan", "john doe"] }, "hello rohan,hello john doe"],
  ["{{.missing}}", { test: 1 }, "<undefined>"],
  ["test {{.foo}} {{.bar}} {{.baz}}", { baz: 1 }, "test <undefined> <undefined> 1"],
  ["{{.a.b.c}}", { a: { b: { c: true } } }, "true"],
  ["{{if .on}}yes{{else if .maybe}}maybe{{else}}no{{end}}", { on: false, maybe: "x" }, "maybe"],
  ["{{if not .on}}off{{end}}", { on: false }, "off"],
  ["{{range .xs}}[{{.}}]{{else}}none{{end}}", { xs: [] }, "none"],
  ["{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", { m: { b: 2, a: 1 } }, "a=1;b=2;"],
  ["{{with .user}}{{.name}}{{end}}", { user: { name: "ann" } }, "ann"],
  ["a  {{- .x -}}  b", { x: "X" }, "aXb"],
  ["{{/* a comment */}}ok", {}, "ok"],
  ['{{if eq .role "admin"}}root{{end}}', { role: "admin" }, "root"],
  ["{{len .xs}} {{index .xs 1}}", { xs: ["a", "b"] }, "2 b"],
  ["{{.xs}} {{.m}} {{.n}}", { xs: [1, "a"], m: { k: "v" }, n: null }, "[1 a] map[k:v] <nil>"],
  ['{{"quoted }} braces"}}', {}, "quoted }} braces"],
])("renders %j", (t, vars, want) => {
  expect(p.value("rendered", { t, vars })).toBe(want);
});

it("fails on malformed templates and bad operands", () => {
  expect(p.value("rendered", { t: "{{if .x}}", vars: {} })).toBeUndefined();
  expect(p.value("rendered", { t: "{{.x", vars: {} })).toBeUndefined();
  expect(() => strict.value("rendered", { t: "{{nosuchfn 1}}", vars: {} })).toThrow(
    /strings\.render_template: template: function "nosuchfn" not defined/,
  );
  expect(() => strict.value("rendered", { t: "x", vars: [] })).toThrow("strings.render_template: operand 2 must be object but got array");
});
