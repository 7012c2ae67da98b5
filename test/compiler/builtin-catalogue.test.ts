/**
 * The built-in catalogue is the single source of truth for what a policy may call: every catalogued
 * built-in is implemented where the catalogue says, every one of OPA's is either catalogued or refused at
 * compile time, and a policy calling each catalogued built-in loads and evaluates without ever reaching a
 * built-in nothing implements.
 */

import * as path from "node:path";
import { catalogueEntries, REFUSED } from "../../src/compiler/builtin-catalog";
import { declArity, parseFunctionType, TypeNotationError } from "../../src/compiler/builtin-types";
import { countersignCapabilities, parseCapabilities, refusedBuiltins } from "../../src/compiler/capabilities";
import { compile, loadRuntime } from "../../src/compiler/compile";
import { formatDiagnostic } from "../../src/compiler/diagnostics";
import { loadCompiledPolicy, SDK_BUILTIN_NAMES } from "../../src/policy/compiled-policy";
import { HOST_BUILTIN_NAMES } from "../../src/policy/host-builtins";
import { PolicyEvalError } from "../../src/policy/policy-error";

/** OPA's built-ins (its v1.20 capabilities), by name. */
const OPA_BUILTINS = `
abs all and any array.concat array.flatten array.reverse array.slice assign base64.decode base64.encode
base64.is_valid base64url.decode base64url.encode base64url.encode_no_pad bits.and bits.lsh bits.negate bits.or
bits.rsh bits.xor cast_array cast_boolean cast_null cast_object cast_set cast_string ceil concat contains count
crypto.hmac.equal crypto.hmac.md5 crypto.hmac.sha1 crypto.hmac.sha256 crypto.hmac.sha512 crypto.md5
crypto.parse_private_keys crypto.sha1 crypto.sha256 crypto.x509.parse_and_verify_certificates
crypto.x509.parse_and_verify_certificates_with_options crypto.x509.parse_certificate_request
crypto.x509.parse_certificates crypto.x509.parse_keypair crypto.x509.parse_rsa_private_key div endswith eq equal
floor format_int glob.match glob.quote_meta graph.reachable graph.reachable_paths graphql.is_valid graphql.parse
graphql.parse_and_verify graphql.parse_query graphql.parse_schema graphql.schema_is_valid gt gte hex.decode
hex.encode http.send indexof indexof_n internal.member_2 internal.member_3 internal.print
internal.template_string internal.test_case intersection io.jwt.decode io.jwt.decode_verify io.jwt.encode_sign
io.jwt.encode_sign_raw io.jwt.verify_eddsa io.jwt.verify_es256 io.jwt.verify_es384 io.jwt.verify_es512
io.jwt.verify_hs256 io.jwt.verify_hs384 io.jwt.verify_hs512 io.jwt.verify_ps256 io.jwt.verify_ps384
io.jwt.verify_ps512 io.jwt.verify_rs256 io.jwt.verify_rs384 io.jwt.verify_rs512 is_array is_boolean is_null
is_number is_object is_set is_string json.filter json.is_valid json.marshal json.marshal_with_options
json.match_schema json.patch json.remove json.unmarshal json.verify_schema lower lt lte max min minus mul neq
net.cidr_contains net.cidr_contains_matches net.cidr_expand net.cidr_intersects net.cidr_is_valid net.cidr_merge
net.cidr_overlap net.lookup_ip_addr numbers.range numbers.range_step object.filter object.get object.keys
object.remove object.subset object.union object.union_n opa.runtime or plus print product providers.aws.sign_req
rand.intn re_match regex.find_all_string_submatch_n regex.find_n regex.globs_match regex.is_valid regex.match
regex.replace regex.split regex.template_match rego.metadata.chain rego.metadata.rule rego.parse_module rem
replace round semver.compare semver.is_valid set_diff sort split sprintf startswith strings.any_prefix_match
strings.any_suffix_match strings.count strings.render_template strings.replace_n strings.reverse strings.split_n
substring sum time.add_date time.clock time.date time.diff time.format time.now_ns time.parse_duration_ns
time.parse_ns time.parse_rfc3339_ns time.weekday to_number trace trim trim_left trim_prefix trim_right trim_space
trim_suffix type_name union units.parse units.parse_bytes upper uri.is_valid uri.parse urlquery.decode
urlquery.decode_object urlquery.encode urlquery.encode_object uuid.parse uuid.rfc4122 walk yaml.is_valid
yaml.marshal yaml.unmarshal
`
  .split(/\s+/)
  .filter((n) => n !== "");

const entries = [...catalogueEntries().values()];

describe("the catalogue names where each built-in is implemented", () => {
  const runtime = loadRuntime().builtins;
  const host = new Set(HOST_BUILTIN_NAMES);
  // The SDK's own table, read from the package itself, not from our list of it.
  const sdkTable = require(path.join(__dirname, "../../node_modules/@open-policy-agent/opa-wasm/src/builtins/index.js")) as Record<
    string,
    unknown
  >;

  it.each(entries.filter((e) => e.site === "runtime").map((e) => [e.name]))("%s is exported by the wasm runtime", (name) => {
    expect(runtime.has(name)).toBe(true);
  });
  it.each(entries.filter((e) => e.site === "host").map((e) => [e.name]))("%s is implemented by a host family", (name) => {
    expect(host.has(name)).toBe(true);
  });
  it.each(entries.filter((e) => e.site === "sdk").map((e) => [e.name]))("%s is implemented by the opa-wasm SDK", (name) => {
    expect(typeof sdkTable[name]).toBe("function");
    expect(SDK_BUILTIN_NAMES).toContain(name);
  });

  it("catalogues every built-in the runtime exports and every host built-in", () => {
    expect([...runtime].filter((n) => catalogueEntries().get(n)?.site !== "runtime")).toEqual([]);
    expect(HOST_BUILTIN_NAMES.filter((n) => !catalogueEntries().has(n))).toEqual([]);
  });

  it("lists the SDK's own built-ins exactly", () => {
    expect([...SDK_BUILTIN_NAMES].sort()).toEqual(
      Object.keys(sdkTable)
        .filter((n) => typeof sdkTable[n] === "function")
        .sort(),
    );
  });

  it("leaves only =, := and print to the planner", () => {
    expect(
      entries
        .filter((e) => e.site === "planner")
        .map((e) => e.name)
        .sort(),
    ).toEqual(["assign", "eq", "print"]);
  });
});

describe("OPA's built-ins", () => {
  it("are each either catalogued or refused, never both", () => {
    const missing = OPA_BUILTINS.filter((n) => !catalogueEntries().has(n) && REFUSED[n] === undefined);
    expect(missing).toEqual([]);
    expect(Object.keys(REFUSED).filter((n) => catalogueEntries().has(n))).toEqual([]);
  });

  it("refused ones fail to compile with rego_type_error: undefined function, at the call", () => {
    const refused = refusedBuiltins().map((r) => r.name);
    const lines = refused.map((name, i) => {
      const arity = name.startsWith("rego.metadata") ? 0 : 1;
      return `r${i} := ${name}(${Array.from({ length: arity }, () => "input.a").join(", ")})`;
    });
    const text = `package t\n\n${lines.join("\n")}\n`;
    const result = compile({ modules: [{ file: "refused.rego", text }], entrypoints: ["t"] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const got = result.diagnostics.map(formatDiagnostic).sort();
    const want = refused
      .map((name, i) => `refused.rego:${i + 3}:${6 + String(i).length}: rego_type_error: undefined function ${name}`)
      .sort();
    expect(got).toEqual(want);
  });

  it("refuses a refused built-in in the output-argument form too", () => {
    const text = 'package t\n\np := x if {\n\trego.parse_module("x.rego", input.src, x)\n}\n';
    const result = compile({ modules: [{ file: "p.rego", text }], entrypoints: ["t/p"] });
    expect(result.ok ? [] : result.diagnostics.map(formatDiagnostic)).toEqual([
      "p.rego:4:2: rego_type_error: undefined function rego.parse_module",
    ]);
  });
});

describe("a policy calling every catalogued built-in", () => {
  const callable = entries.filter((e) => e.site !== "planner");
  const rule = (i: number): string => `r${i}`;
  const call = (name: string, arity: number): string => `${name}(${Array.from({ length: arity }, (_, k) => `input.a${k}`).join(", ")})`;
  // Rego v1 modules may not call the deprecated built-ins, so those are called from a module read as v0.
  const moduleText = (deprecated: boolean): string =>
    "package t\n\n" +
    callable
      .map((e, i) => [e, i] as const)
      .filter(([e]) => (e.deprecated === true) === deprecated)
      .map(([e, i]) => (e.relation ? `${rule(i)} := [x | ${call(e.name, e.arity)}; x := 1]` : `${rule(i)} := ${call(e.name, e.arity)}`))
      .join("\n") +
    "\n";
  const modules = [
    { file: "all.rego", text: moduleText(false) },
    { file: "deprecated.rego", text: moduleText(true), regoVersion: 0 as const },
  ];

  it.each([false, true])("compiles, loads and evaluates without a missing built-in (strict builtin errors: %s)", async (strict) => {
    const compiled = compile({ modules, entrypoints: callable.map((_, i) => `t/${rule(i)}`), strictBuiltinErrors: strict });
    if (!compiled.ok) throw new Error(compiled.diagnostics.map(formatDiagnostic).join("\n"));
    // Loading checks that every host call has an implementation.
    const policy = await loadCompiledPolicy(compiled.wasm, undefined, { strictBuiltinErrors: strict });
    const inputs = [
      { a0: "a", a1: "b", a2: "c", a3: "d" },
      { a0: 1, a1: 2, a2: 3, a3: 4 },
      { a0: { k: [1] }, a1: ["k"], a2: {}, a3: null },
      { a0: "10.0.0.0/8", a1: "10.1.2.3", a2: 1, a3: 0 },
    ];
    for (const input of inputs) {
      for (let i = 0; i < callable.length; i++) {
        try {
          policy.evaluate(`t/${rule(i)}`, input);
        } catch (err) {
          expect(err).toBeInstanceOf(PolicyEvalError);
          expect(`${callable[i]!.name}: ${(err as Error).message}`).not.toMatch(/not implemented/);
        }
      }
    }
  });
});

describe("declared types", () => {
  it("read OPA's notation into capabilities JSON", () => {
    expect(parseFunctionType("(object<op: string>[any: any], ...any) => void")).toEqual({
      type: "function",
      args: [
        { type: "object", static: [{ key: "op", value: { type: "string" } }], dynamic: { key: { type: "any" }, value: { type: "any" } } },
      ],
      variadic: { type: "any" },
    });
    expect(parseFunctionType("() => array<number, set[string]>")).toEqual({
      type: "function",
      result: { type: "array", static: [{ type: "number" }, { type: "set", of: { type: "string" } }] },
    });
    expect(declArity(parseFunctionType("(any<null, string>, array[any]) => boolean"))).toBe(2);
    expect(() => parseFunctionType("(strng) => number")).toThrow(TypeNotationError);
    expect(() => parseFunctionType("(number) => number junk")).toThrow(TypeNotationError);
  });

  it("print as a capabilities document Countersign reads back, with the catalogue's arities", () => {
    const doc = JSON.parse(JSON.stringify(countersignCapabilities())) as unknown;
    const caps = parseCapabilities(doc);
    expect(caps.builtins.map((b) => b.name)).toEqual([...catalogueEntries().keys()].sort());
    for (const b of caps.builtins) expect(declArity(b.decl)).toBe(catalogueEntries().get(b.name)!.arity);
    expect(caps.builtins.find((b) => b.name === "plus")).toMatchObject({ infix: "+" });
    expect(caps.builtins.find((b) => b.name === "walk")).toMatchObject({ relation: true });
    expect(caps.builtins.find((b) => b.name === "time.now_ns")).toMatchObject({ nondeterministic: true });
    expect(caps.features).toContain("rego_v1");
  });
});

it("the compiler's README lists every refused built-in", async () => {
  const readme = await import("node:fs").then((fs) => fs.readFileSync(path.join(__dirname, "../../src/compiler/README.md"), "utf8"));
  for (const { name } of refusedBuiltins()) expect(readme).toContain(`| \`${name}\` |`);
});
