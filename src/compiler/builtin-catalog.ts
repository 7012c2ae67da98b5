/**
 * The catalogue of Rego builtin functions the compiler knows: each name with its number of operands.
 *
 * A call to a name in this catalogue compiles to the runtime's implementation when the runtime exports one,
 * and otherwise to the host call `opa_builtinN`, so a host can supply it. A call to a name that is neither
 * here nor a user function is a compile error. Operators appear under OPA's internal names.
 */

/** Operand counts by builtin name. */
const ARITY: Readonly<Record<string, number>> = {
  // operators
  eq: 2, assign: 2, equal: 2, neq: 2, lt: 2, lte: 2, gt: 2, gte: 2,
  plus: 2, minus: 2, mul: 2, div: 2, rem: 2, and: 2, or: 2,
  "internal.member_2": 2, "internal.member_3": 3,
  // numbers
  abs: 1, round: 1, ceil: 1, floor: 1, "numbers.range": 2, "numbers.range_step": 3,
  "bits.and": 2, "bits.or": 2, "bits.xor": 2, "bits.negate": 1, "bits.lsh": 2, "bits.rsh": 2,
  "rand.intn": 2,
  // aggregates
  count: 1, sum: 1, product: 1, max: 1, min: 1, sort: 1, all: 1, any: 1,
  // types
  is_string: 1, is_number: 1, is_boolean: 1, is_array: 1, is_object: 1, is_set: 1, is_null: 1,
  type_name: 1, to_number: 1,
  // strings
  concat: 2, contains: 2, startswith: 2, endswith: 2, lower: 1, upper: 1, split: 2, replace: 3,
  "strings.replace_n": 2, trim: 2, trim_left: 2, trim_right: 2, trim_prefix: 2, trim_suffix: 2,
  trim_space: 1, substring: 3, indexof: 2, indexof_n: 2, "strings.count": 2, "strings.reverse": 1,
  "strings.any_prefix_match": 2, "strings.any_suffix_match": 2, sprintf: 2, format_int: 2,
  "strings.render_template": 2,
  // regex and glob
  "regex.match": 2, re_match: 2, "regex.is_valid": 1, "regex.split": 2, "regex.find_n": 3,
  "regex.find_all_string_submatch_n": 3, "regex.replace": 3, "regex.template_match": 4,
  "regex.globs_match": 2, "glob.match": 3, "glob.quote_meta": 1,
  // objects, arrays, sets
  "object.get": 3, "object.remove": 2, "object.union": 2, "object.union_n": 1, "object.keys": 1,
  "object.filter": 2, "object.subset": 2, "json.filter": 2, "json.remove": 2, "json.patch": 2,
  "array.concat": 2, "array.slice": 3, "array.reverse": 1, union: 1, intersection: 1, set_diff: 2,
  // encoding
  "json.marshal": 1, "json.marshal_with_options": 2, "json.unmarshal": 1, "json.is_valid": 1,
  "base64.encode": 1, "base64.decode": 1, "base64.is_valid": 1, "base64url.encode": 1,
  "base64url.encode_no_pad": 1, "base64url.decode": 1, "hex.encode": 1, "hex.decode": 1,
  "urlquery.encode": 1, "urlquery.decode": 1, "urlquery.encode_object": 1, "urlquery.decode_object": 1,
  "yaml.marshal": 1, "yaml.unmarshal": 1, "yaml.is_valid": 1,
  // time
  "time.now_ns": 0, "time.parse_ns": 2, "time.parse_rfc3339_ns": 1, "time.parse_duration_ns": 1,
  "time.date": 1, "time.clock": 1, "time.weekday": 1, "time.add_date": 4, "time.diff": 2, "time.format": 1,
  // crypto and tokens (host-supplied)
  "crypto.sha256": 1, "crypto.sha1": 1, "crypto.md5": 1, "crypto.hmac.md5": 2, "crypto.hmac.sha1": 2,
  "crypto.hmac.sha256": 2, "crypto.hmac.sha512": 2, "crypto.hmac.equal": 2, "crypto.parse_private_keys": 1,
  "crypto.x509.parse_certificates": 1, "crypto.x509.parse_and_verify_certificates": 1,
  "crypto.x509.parse_and_verify_certificates_with_options": 2, "crypto.x509.parse_certificate_request": 1,
  "crypto.x509.parse_keypair": 2, "crypto.x509.parse_rsa_private_key": 1,
  "io.jwt.decode": 1, "io.jwt.decode_verify": 2, "io.jwt.encode_sign": 3, "io.jwt.encode_sign_raw": 3,
  "io.jwt.verify_hs256": 2, "io.jwt.verify_hs384": 2, "io.jwt.verify_hs512": 2,
  "io.jwt.verify_rs256": 2, "io.jwt.verify_rs384": 2, "io.jwt.verify_rs512": 2,
  "io.jwt.verify_ps256": 2, "io.jwt.verify_ps384": 2, "io.jwt.verify_ps512": 2,
  "io.jwt.verify_es256": 2, "io.jwt.verify_es384": 2, "io.jwt.verify_es512": 2, "io.jwt.verify_eddsa": 2,
  // schemas, parsing, networking (host-supplied)
  "json.verify_schema": 1, "json.match_schema": 2, "rego.parse_module": 2, "http.send": 1,
  "net.lookup_ip_addr": 1, "net.cidr_merge": 1, "net.cidr_contains_matches": 2, "providers.aws.sign_req": 3,
  "rego.metadata.chain": 0, "rego.metadata.rule": 0,
  // deprecated casts
  cast_array: 1, cast_set: 1, cast_string: 1, cast_boolean: 1, cast_null: 1, cast_object: 1,
  // net, units, semver, uuid, graphs
  "net.cidr_contains": 2, "net.cidr_intersects": 2, "net.cidr_is_valid": 1, "net.cidr_expand": 1,
  "units.parse": 1, "units.parse_bytes": 1, "semver.is_valid": 1, "semver.compare": 2,
  "uuid.rfc4122": 1, "uuid.parse": 1, "graph.reachable": 2, "graph.reachable_paths": 2,
  // graphql (host-supplied)
  "graphql.parse": 2, "graphql.parse_and_verify": 2, "graphql.parse_query": 1, "graphql.parse_schema": 1,
  "graphql.is_valid": 2, "graphql.schema_is_valid": 1,
  // misc
  walk: 1, print: -1, "internal.print": 1, trace: 1, "opa.runtime": 0,
  // template strings ($"…{expr}…"), which the parser rewrites into calls of this
  "internal.template_string": 1,
};

/**
 * Builtins whose result is a set when the host implements them: the host can only answer in JSON, so its
 * array becomes a set again in the module.
 */
const SET_RESULTS: ReadonlySet<string> = new Set([
  "graph.reachable", "graph.reachable_paths", "net.cidr_merge", "net.cidr_expand", "net.cidr_contains_matches",
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
  return Object.prototype.hasOwnProperty.call(ARITY, name) ? ARITY[name] : undefined;
}

/** True for builtins such as walk whose call produces several results. */
export function isRelation(name: string): boolean {
  return RELATIONS.has(name);
}
