/**
 * The catalogue of Rego built-in functions: for each, its type as OPA declares it and where it is
 * implemented. It is the single source of truth for what a policy may call.
 *
 * A call to a name in this catalogue compiles to the runtime's implementation when the runtime exports one,
 * and otherwise to the host call `opa_builtinN`, which the opa-wasm SDK or Countersign's host built-ins
 * answer. A name that is neither here nor a user function is a compile error (`undefined function`), and so
 * is every built-in of OPA's that Countersign does not implement (REFUSED, with the reason): a policy never
 * compiles and then fails at evaluation for want of a built-in. The test
 * `test/compiler/builtin-catalogue.test.ts` checks every entry against the site it names.
 * Operators appear under OPA's internal names.
 */

import { declArity, parseFunctionType, type FunctionDeclJson } from "./builtin-types";

/**
 * Where a built-in is implemented: the planner lowers it itself (`=`, `:=`, `print`), the wasm runtime
 * exports it (`src/wasm-runtime`), the opa-wasm SDK answers its host call, or a Countersign host
 * family does (`src/policy/host-builtins.ts`).
 */
export type BuiltinSite = "planner" | "runtime" | "sdk" | "host";

const P = "planner" as const;
const R = "runtime" as const;
const S = "sdk" as const;
const H = "host" as const;

/** Repeated operand types, named once. */
const OBJ = "object[any: any]";
const COLL = "any<array[any], set[any]>";
const KEYS = `any<array[any], ${OBJ}, set[any]>`;
const PATHS = "any<array[any<string, array[any]>], set[any<string, array[any]>]>";
const TIME = "any<number, array<number, string>>";
const GQL = `any<string, ${OBJ}>`;
const CIDRS = "any<string, array[any<string, array[any]>], object[string: any<string, array[any]>], set[any<string, array[any]>]>";
const SCHEMA = `any<string, ${OBJ}>`;
const CERTS = "array<boolean, array[object[string: any]]>";

/** Every built-in Countersign implements: its type, and where it is implemented. */
const CATALOGUE: Readonly<Record<string, readonly [decl: string, site: BuiltinSite]>> = {
  // operators
  eq: ["(any, any) => boolean", P],
  assign: ["(any, any) => boolean", P],
  equal: ["(any, any) => boolean", R],
  neq: ["(any, any) => boolean", R],
  lt: ["(any, any) => boolean", R],
  lte: ["(any, any) => boolean", R],
  gt: ["(any, any) => boolean", R],
  gte: ["(any, any) => boolean", R],
  plus: ["(number, number) => number", R],
  minus: ["(any<number, set[any]>, any<number, set[any]>) => any<number, set[any]>", R],
  mul: ["(number, number) => number", R],
  div: ["(number, number) => number", R],
  rem: ["(number, number) => number", R],
  and: ["(set[any], set[any]) => set[any]", R],
  or: ["(set[any], set[any]) => set[any]", R],
  "internal.member_2": ["(any, any) => boolean", R],
  "internal.member_3": ["(any, any, any) => boolean", R],
  // numbers
  abs: ["(number) => number", R],
  round: ["(number) => number", R],
  ceil: ["(number) => number", R],
  floor: ["(number) => number", R],
  "numbers.range": ["(number, number) => array[number]", R],
  "numbers.range_step": ["(number, number, number) => array[number]", R],
  "bits.and": ["(number, number) => number", H],
  "bits.or": ["(number, number) => number", H],
  "bits.xor": ["(number, number) => number", H],
  "bits.negate": ["(number) => number", H],
  "bits.lsh": ["(number, number) => number", H],
  "bits.rsh": ["(number, number) => number", H],
  "rand.intn": ["(string, number) => number", H],
  // aggregates
  count: [`(any<string, array[any], ${OBJ}, set[any]>) => number`, R],
  sum: ["(any<array[number], set[number]>) => number", R],
  product: ["(any<array[number], set[number]>) => number", R],
  max: [`(${COLL}) => any`, R],
  min: [`(${COLL}) => any`, R],
  sort: [`(${COLL}) => array[any]`, R],
  // types
  is_string: ["(any) => boolean", R],
  is_number: ["(any) => boolean", R],
  is_boolean: ["(any) => boolean", R],
  is_array: ["(any) => boolean", R],
  is_object: ["(any) => boolean", R],
  is_set: ["(any) => boolean", R],
  is_null: ["(any) => boolean", R],
  type_name: ["(any) => string", R],
  to_number: ["(any<null, boolean, number, string>) => number", R],
  // strings
  concat: ["(string, any<array[string], set[string]>) => string", R],
  contains: ["(string, string) => boolean", R],
  startswith: ["(string, string) => boolean", R],
  endswith: ["(string, string) => boolean", R],
  lower: ["(string) => string", R],
  upper: ["(string) => string", R],
  split: ["(string, string) => array[string]", R],
  replace: ["(string, string, string) => string", R],
  "strings.replace_n": ["(object[string: string], string) => string", R],
  trim: ["(string, string) => string", R],
  trim_left: ["(string, string) => string", R],
  trim_right: ["(string, string) => string", R],
  trim_prefix: ["(string, string) => string", R],
  trim_suffix: ["(string, string) => string", R],
  trim_space: ["(string) => string", R],
  substring: ["(string, number, number) => string", R],
  indexof: ["(string, string) => number", R],
  indexof_n: ["(string, string) => array[number]", R],
  "strings.count": ["(string, string) => number", R],
  "strings.reverse": ["(string) => string", R],
  "strings.any_prefix_match": ["(any<string, array[string], set[string]>, any<string, array[string], set[string]>) => boolean", R],
  "strings.any_suffix_match": ["(any<string, array[string], set[string]>, any<string, array[string], set[string]>) => boolean", R],
  "strings.split_n": ["(string, string, number) => array[string]", H],
  sprintf: ["(string, array[any]) => string", R],
  format_int: ["(number, number) => string", R],
  "strings.render_template": ["(string, object[string: any]) => string", H],
  // regex and glob
  "regex.match": ["(string, string) => boolean", R],
  "regex.is_valid": ["(string) => boolean", R],
  "regex.split": ["(string, string) => array[string]", R],
  "regex.find_n": ["(string, string, number) => array[string]", R],
  "regex.find_all_string_submatch_n": ["(string, string, number) => array[array[string]]", R],
  "regex.replace": ["(string, string, string) => string", H],
  "regex.globs_match": ["(string, string) => boolean", H],
  "regex.template_match": ["(string, string, string, string) => boolean", H],
  "glob.match": ["(string, any<null, array[string]>, string) => boolean", R],
  "glob.quote_meta": ["(string) => string", R],
  // objects, arrays, sets
  "object.get": [`(${OBJ}, any, any) => any`, R],
  "object.remove": [`(${OBJ}, ${KEYS}) => ${OBJ}`, R],
  "object.union": [`(${OBJ}, ${OBJ}) => ${OBJ}`, R],
  "object.union_n": [`(array[${OBJ}]) => ${OBJ}`, R],
  "object.keys": [`(${OBJ}) => set[any]`, R],
  "object.filter": [`(${OBJ}, ${KEYS}) => ${OBJ}`, R],
  "object.subset": [`(${KEYS}, ${KEYS}) => boolean`, R],
  "json.filter": [`(${OBJ}, ${PATHS}) => ${OBJ}`, H],
  "json.remove": [`(${OBJ}, ${PATHS}) => ${OBJ}`, H],
  "json.patch": ["(any, array[object<op: string, path: any>[any: any]]) => any", H],
  "array.concat": ["(array[any], array[any]) => array[any]", R],
  "array.slice": ["(array[any], number, number) => array[any]", R],
  "array.reverse": ["(array[any]) => array[any]", R],
  "array.flatten": ["(array[any]) => array[any]", R],
  union: ["(set[set[any]]) => set[any]", R],
  intersection: ["(set[set[any]]) => set[any]", R],
  // encoding
  "json.marshal": ["(any) => string", R],
  "json.unmarshal": ["(string) => any", R],
  "json.marshal_with_options": ["(any, object<indent: string, prefix: string, pretty: boolean>[string: any]) => string", R],
  "json.is_valid": ["(string) => boolean", R],
  "base64.encode": ["(string) => string", R],
  "base64.decode": ["(string) => string", R],
  "base64.is_valid": ["(string) => boolean", R],
  "base64url.encode": ["(string) => string", R],
  "base64url.encode_no_pad": ["(string) => string", R],
  "base64url.decode": ["(string) => string", R],
  "hex.encode": ["(string) => string", R],
  "hex.decode": ["(string) => string", R],
  "uri.parse": ["(string) => object[string: string]", H],
  "uri.is_valid": ["(string) => boolean", H],
  "urlquery.encode": ["(string) => string", H],
  "urlquery.decode": ["(string) => string", H],
  "urlquery.encode_object": ["(object[string: any<string, array[string], set[string]>]) => string", H],
  "urlquery.decode_object": ["(string) => object[string: array[string]]", H],
  "yaml.marshal": ["(any) => string", S],
  "yaml.unmarshal": ["(string) => any", S],
  "yaml.is_valid": ["(string) => boolean", H],
  // time
  "time.now_ns": ["() => number", H],
  "time.parse_ns": ["(string, string) => number", R],
  "time.parse_rfc3339_ns": ["(string) => number", R],
  "time.parse_duration_ns": ["(string) => number", R],
  "time.date": [`(${TIME}) => array<number, number, number>`, R],
  "time.clock": [`(${TIME}) => array<number, number, number>`, R],
  "time.weekday": [`(${TIME}) => string`, R],
  "time.add_date": ["(number, number, number, number) => number", R],
  "time.diff": [`(${TIME}, ${TIME}) => array<number, number, number, number, number, number>`, R],
  "time.format": ["(any<number, array<number, string>, array<number, string, string>>) => string", R],
  // crypto and tokens
  "crypto.sha256": ["(string) => string", H],
  "crypto.sha1": ["(string) => string", H],
  "crypto.md5": ["(string) => string", H],
  "crypto.hmac.md5": ["(string, string) => string", H],
  "crypto.hmac.sha1": ["(string, string) => string", H],
  "crypto.hmac.sha256": ["(string, string) => string", H],
  "crypto.hmac.sha512": ["(string, string) => string", H],
  "crypto.hmac.equal": ["(string, string) => boolean", H],
  "crypto.x509.parse_certificates": ["(string) => array[object[string: any]]", H],
  "crypto.x509.parse_and_verify_certificates": [`(string) => ${CERTS}`, H],
  "crypto.x509.parse_certificate_request": ["(string) => object[string: any]", H],
  "crypto.x509.parse_rsa_private_key": ["(string) => object[string: any]", H],
  "io.jwt.decode": [`(string) => array<${OBJ}, ${OBJ}, string>`, H],
  "io.jwt.decode_verify": [`(string, object[string: any]) => array<boolean, ${OBJ}, ${OBJ}>`, H],
  "io.jwt.encode_sign": ["(object[string: any], object[string: any], object[string: any]) => string", H],
  "io.jwt.encode_sign_raw": ["(string, string, string) => string", H],
  "io.jwt.verify_hs256": ["(string, string) => boolean", H],
  "io.jwt.verify_hs384": ["(string, string) => boolean", H],
  "io.jwt.verify_hs512": ["(string, string) => boolean", H],
  "io.jwt.verify_rs256": ["(string, string) => boolean", H],
  "io.jwt.verify_rs384": ["(string, string) => boolean", H],
  "io.jwt.verify_rs512": ["(string, string) => boolean", H],
  "io.jwt.verify_ps256": ["(string, string) => boolean", H],
  "io.jwt.verify_ps384": ["(string, string) => boolean", H],
  "io.jwt.verify_ps512": ["(string, string) => boolean", H],
  "io.jwt.verify_es256": ["(string, string) => boolean", H],
  "io.jwt.verify_es384": ["(string, string) => boolean", H],
  "io.jwt.verify_es512": ["(string, string) => boolean", H],
  "io.jwt.verify_eddsa": ["(string, string) => boolean", H],
  // schemas, networking, providers
  "json.verify_schema": [`(${SCHEMA}) => array<boolean, any<null, string>>`, H],
  "json.match_schema": [
    `(${SCHEMA}, ${SCHEMA}) => array<boolean, array[object<desc: string, error: string, field: string, type: string>]>`,
    H,
  ],
  "http.send": [`(object[string: any]) => ${OBJ}`, H],
  "net.lookup_ip_addr": ["(string) => set[string]", H],
  "net.cidr_contains": ["(string, string) => boolean", H],
  "net.cidr_intersects": ["(string, string) => boolean", H],
  "net.cidr_is_valid": ["(string) => boolean", H],
  "net.cidr_expand": ["(string) => set[string]", H],
  "net.cidr_merge": ["(any<array[any<string>], set[string]>) => set[string]", H],
  "net.cidr_contains_matches": [`(${CIDRS}, ${CIDRS}) => set[array<any, any>]`, H],
  "providers.aws.sign_req": [`(object[string: any], object[string: any], number) => ${OBJ}`, H],
  // units, semver, uuid, graphs
  "units.parse": ["(string) => number", H],
  "units.parse_bytes": ["(string) => number", H],
  "semver.is_valid": ["(any) => boolean", H],
  "semver.compare": ["(string, string) => number", H],
  "uuid.rfc4122": ["(string) => string", H],
  "uuid.parse": ["(string) => object[string: any]", H],
  "graph.reachable": [`(object[any: ${COLL}], ${COLL}) => set[any]`, H],
  "graph.reachable_paths": [`(object[any: ${COLL}], ${COLL}) => set[array[any]]`, H],
  // graphql
  "graphql.parse": [`(${GQL}, ${GQL}) => array<${OBJ}, ${OBJ}>`, H],
  "graphql.parse_and_verify": [`(${GQL}, ${GQL}) => array<boolean, ${OBJ}, ${OBJ}>`, H],
  "graphql.parse_query": [`(string) => ${OBJ}`, H],
  "graphql.parse_schema": [`(string) => ${OBJ}`, H],
  "graphql.is_valid": [`(${GQL}, ${GQL}) => boolean`, H],
  "graphql.schema_is_valid": [`(${GQL}) => boolean`, H],
  // misc
  walk: ["(any) => array<array[any], any>", R],
  print: ["(...any) => void", P],
  "internal.print": ["(array[set[any]]) => void", R],
  trace: ["(string) => boolean", H],
  "opa.runtime": ["() => object[string: any]", H],
  // template strings ($"…{expr}…"), which the parser rewrites into calls of this
  "internal.template_string": ["(array[any]) => string", R],
  // deprecated: Rego v0 modules only (DEPRECATED below)
  all: [`(${COLL}) => boolean`, R],
  any: [`(${COLL}) => boolean`, R],
  re_match: ["(string, string) => boolean", R],
  set_diff: ["(set[any], set[any]) => set[any]", R],
  "net.cidr_overlap": ["(string, string) => boolean", H],
  cast_array: ["(any) => array[any]", R],
  cast_set: ["(any) => set[any]", R],
  cast_string: ["(any) => string", R],
  cast_boolean: ["(any) => boolean", R],
  cast_null: ["(any) => null", R],
  cast_object: [`(any) => ${OBJ}`, R],
};

/**
 * Built-ins OPA deprecated and removed from Rego v1: a module read as Rego v0 may call them, a v1 module may
 * not (`deprecated built-in function calls in expression: X`, see deprecated-builtins.ts), as in OPA 1.x.
 */
const DEPRECATED: ReadonlySet<string> = new Set([
  "all",
  "any",
  "re_match",
  "set_diff",
  "net.cidr_overlap",
  "cast_array",
  "cast_set",
  "cast_string",
  "cast_boolean",
  "cast_null",
  "cast_object",
]);

/** True for the built-ins only Rego v0 modules may call. */
export function isDeprecatedBuiltin(name: string): boolean {
  return DEPRECATED.has(name);
}

/**
 * OPA's built-ins that Countersign refuses at compile time, with the reason. A capabilities file may still
 * declare one of them, which makes it a custom built-in that the host must implement (see capabilities.ts).
 */
export const REFUSED: Readonly<Record<string, string>> = {
  "rego.parse_module": "its result is OPA's own AST as JSON, which Countersign's parser does not produce",
  "rego.metadata.chain": "the compiler keeps no METADATA annotations",
  "rego.metadata.rule": "the compiler keeps no METADATA annotations",
  "crypto.parse_private_keys": "its result is Go's in-memory key structures as JSON, which cannot be reproduced exactly",
  "crypto.x509.parse_keypair": "its result is Go's tls.Certificate as JSON, which cannot be reproduced exactly",
  "crypto.x509.parse_and_verify_certificates_with_options": "verification options (DNS name, key usages, time) are not implemented",
  "internal.test_case": "internal to OPA's test runner",
};

/** Operators' infix spelling, as capabilities files record it. */
const INFIX: Readonly<Record<string, string>> = {
  eq: "=",
  assign: ":=",
  equal: "==",
  neq: "!=",
  lt: "<",
  lte: "<=",
  gt: ">",
  gte: ">=",
  plus: "+",
  minus: "-",
  mul: "*",
  div: "/",
  rem: "%",
  and: "&",
  or: "|",
  "internal.member_2": "in",
  "internal.member_3": "in",
};

/** Built-ins whose result may differ between evaluations on the same input. */
const NONDETERMINISTIC: ReadonlySet<string> = new Set([
  "http.send",
  "io.jwt.decode_verify",
  "io.jwt.encode_sign",
  "io.jwt.encode_sign_raw",
  "net.lookup_ip_addr",
  "opa.runtime",
  "rand.intn",
  "time.now_ns",
  "uuid.rfc4122",
]);

/** One catalogued built-in. */
export interface BuiltinEntry {
  readonly name: string;
  /** Its type, as a capabilities file writes it. */
  readonly decl: FunctionDeclJson;
  /** Operand count; -1 when variadic. */
  readonly arity: number;
  readonly site: BuiltinSite;
  readonly infix?: string;
  readonly nondeterministic?: true;
  readonly relation?: true;
  /** Rego v0 modules only (see DEPRECATED). */
  readonly deprecated?: true;
}

let entries: ReadonlyMap<string, BuiltinEntry> | null = null;

/** The catalogue's entries by name, built on first use. */
export function catalogueEntries(): ReadonlyMap<string, BuiltinEntry> {
  if (entries !== null) return entries;
  const map = new Map<string, BuiltinEntry>();
  for (const [name, [text, site]] of Object.entries(CATALOGUE)) {
    const decl = parseFunctionType(text);
    map.set(name, {
      name,
      decl,
      arity: declArity(decl),
      site,
      ...(INFIX[name] === undefined ? {} : { infix: INFIX[name] }),
      ...(NONDETERMINISTIC.has(name) ? { nondeterministic: true as const } : {}),
      ...(RELATIONS.has(name) ? { relation: true as const } : {}),
      ...(DEPRECATED.has(name) ? { deprecated: true as const } : {}),
    });
  }
  entries = map;
  return map;
}

/** The built-ins one compilation may call: by name, their operand count (-1: variadic). */
export interface BuiltinLookup {
  arity(name: string): number | undefined;
}

/** The whole catalogue, as a lookup. */
export const CATALOGUE_LOOKUP: BuiltinLookup = { arity: (name) => builtinArity(name) };

/**
 * Builtins whose result is a set when the host implements them: the host can only answer in JSON, so its
 * array becomes a set again in the module.
 */
const SET_RESULTS: ReadonlySet<string> = new Set([
  "graph.reachable",
  "graph.reachable_paths",
  "net.cidr_merge",
  "net.cidr_expand",
  "net.cidr_contains_matches",
  "net.lookup_ip_addr",
]);

/** True for builtins whose host result (a JSON array) stands for a set. */
export function returnsSet(name: string): boolean {
  return SET_RESULTS.has(name);
}

/**
 * Builtins whose errors halt evaluation even without strict builtin errors, as OPA's do: a template string
 * whose expression has several values is a conflict, never an undefined string.
 */
const HALTING: ReadonlySet<string> = new Set(["internal.template_string"]);

/** True for builtins whose every error aborts evaluation. */
export function haltsOnError(name: string): boolean {
  return HALTING.has(name);
}

/**
 * Builtins whose result is their first operand (an object) with a few keys replaced, when the host
 * implements them: the host answers with only those keys, and the module lays them over the operand, whose
 * sets JSON could not carry there and back.
 */
const FIRST_OPERAND_OVERLAYS: ReadonlySet<string> = new Set(["providers.aws.sign_req"]);

/** True for builtins whose host result (an object of changed keys) is laid over their first operand. */
export function overlaysFirstOperand(name: string): boolean {
  return FIRST_OPERAND_OVERLAYS.has(name);
}

/**
 * Builtins whose host result is a set of [key of operand 1, key of operand 2] pairs, where OPA keys an
 * element of a set operand by the element itself: JSON brings a set to the host as an array, so the host
 * answers with the element's index and the module puts the element back in its place.
 */
const SET_OPERAND_KEYS: ReadonlySet<string> = new Set(["net.cidr_contains_matches"]);

/** True for builtins whose host result keys set operands' elements by index (see SET_OPERAND_KEYS). */
export function keysSetOperandsByElement(name: string): boolean {
  return SET_OPERAND_KEYS.has(name);
}

/**
 * Builtins the opa-wasm SDK implements itself, unlike OPA, and which the host implements as OPA does. The
 * SDK picks an implementation by the name in the module's builtin table, its own first, so the module names
 * these `countersign:<name>` there, a name only the host answers to.
 */
const HOST_OVERRIDES: ReadonlySet<string> = new Set(["yaml.is_valid"]);

/** The name under which the module asks the host for a builtin: the builtin's own, or `countersign:<name>`. */
export function hostDispatchName(name: string): string {
  return HOST_OVERRIDES.has(name) ? `countersign:${name}` : name;
}

/** Builtins that are relations: they produce several outputs, iterated by the planner. */
const RELATIONS: ReadonlySet<string> = new Set(["walk"]);

/** The number of operands a builtin takes, or undefined when the name is not a builtin (-1: variadic). */
export function builtinArity(name: string): number | undefined {
  return catalogueEntries().get(name)?.arity;
}

/** True for builtins such as walk whose call produces several results. */
export function isRelation(name: string): boolean {
  return RELATIONS.has(name);
}
