/**
 * Builtins implemented in JavaScript for a compiled policy to call through OPA's `opa_builtinN` imports.
 *
 * They are the fallback for builtins the wasm runtime does not implement itself, written to OPA's
 * semantics: the same results, the same operand type errors (`operand 1 must be string but got number`),
 * and the same treatment of errors, which make the call undefined unless strict builtin errors are on.
 */

import { graphqlBuiltins } from "./builtins/graphql";
import { systemClock, type Clock } from "./clock";
import { cachedGlob, GlobSyntaxError } from "./glob-pattern";
import { cachedGoRegexp, GoRegexpError } from "./go-regexp";
import { networkContains, networkContainsNetwork, parseCidr, parseIp } from "./ip-network";
import { HostBuiltinError } from "./policy-error";
import { jwtBuiltins } from "./builtins/jwt";
import { x509Builtins } from "./builtins/x509";
import {
  rawJson,
  stringOperand,
  typeError,
  typeName,
  type EvaluationScopedFamily,
  type HostBuiltinContext,
  type HostBuiltinFamily,
  type HostBuiltinFamilyFn,
  type HostBuiltinFn,
} from "./builtins/operands";
import { SEMVER_BUILTINS } from "./builtins/semver";
import { UNITS_BUILTINS } from "./builtins/units";
import { URLQUERY_BUILTINS } from "./builtins/urlquery";
import { createUuidBuiltins } from "./builtins/uuid";
import { BITS_BUILTINS } from "./builtins/bits";
import { GRAPH_BUILTINS } from "./builtins/graph";
import { HMAC_BUILTINS } from "./builtins/hmac";
import { JSON_EDIT_BUILTINS } from "./builtins/json-edit";
import { JSON_SCHEMA_BUILTINS } from "./builtins/json-schema";
import { NET_CIDR_BUILTINS } from "./builtins/net-cidr";
import { REGEX_EXTRA_BUILTINS } from "./builtins/regex-extra";
import { REGEX_TEMPLATE_BUILTINS } from "./builtins/regex-template";
import { URI_BUILTINS } from "./builtins/uri";
import { RENDER_TEMPLATE_BUILTINS } from "./builtins/render-template";
import { AWS_SIGN_BUILTINS } from "./builtins/aws-sign";
import { YAML_BUILTINS } from "./builtins/yaml";
import { HTTP_SEND_BUILTINS } from "./builtins/http-send";
import { DIGEST_BUILTINS } from "./builtins/digest";
import { createRandBuiltins } from "./builtins/rand";
import { STRINGS_EXTRA_BUILTINS } from "./builtins/strings-extra";
import { TRACE_BUILTINS } from "./builtins/trace";
import { hostDispatchName } from "../compiler/builtin-catalog";

export type { HostBuiltinFn } from "./builtins/operands";

/**
 * The families of host builtins, one file each under `src/policy/builtins/`: add a family here. A name a
 * family defines wins over the same name above it in this list; the SDK's own builtins win over all.
 */
const FAMILIES: readonly HostBuiltinFamily[] = [
  graphqlBuiltins,
  UNITS_BUILTINS,
  SEMVER_BUILTINS,
  URLQUERY_BUILTINS,
  JSON_EDIT_BUILTINS,
  JSON_SCHEMA_BUILTINS,
  GRAPH_BUILTINS,
  NET_CIDR_BUILTINS,
  REGEX_EXTRA_BUILTINS,
  REGEX_TEMPLATE_BUILTINS,
  URI_BUILTINS,
  RENDER_TEMPLATE_BUILTINS,
  HMAC_BUILTINS,
  BITS_BUILTINS,
  jwtBuiltins,
  x509Builtins,
  AWS_SIGN_BUILTINS,
  YAML_BUILTINS,
  HTTP_SEND_BUILTINS,
  DIGEST_BUILTINS,
  STRINGS_EXTRA_BUILTINS,
  TRACE_BUILTINS,
];

/** Families that keep state for one evaluation, each made afresh for every policy instance. */
const EVALUATION_SCOPED_FAMILIES: readonly (() => EvaluationScopedFamily)[] = [createUuidBuiltins, createRandBuiltins];

/** How host builtins behave. */
export interface HostBuiltinOptions {
  /** The clock behind `time.now_ns` (default: the system clock). */
  readonly clock?: Clock;
  /** Raise builtin errors instead of making the call undefined (OPA's strict-builtin-errors). */
  readonly strictBuiltinErrors?: boolean;
}

/** The builtins for one loaded policy. */
export interface HostBuiltins {
  /** By builtin name, for the SDK's customBuiltins. */
  readonly functions: Readonly<Record<string, HostBuiltinFn>>;
  /** Starts a new evaluation: `time.now_ns` reads the clock afresh once, then repeats that value. */
  beginEvaluation(): void;
}

/** Names of the builtins provided here. */
export const HOST_BUILTIN_NAMES: readonly string[] = [
  "time.now_ns",
  "regex.match",
  "regex.is_valid",
  "glob.match",
  "net.cidr_contains",
  "net.cidr_overlap",
  "opa.runtime",
  ...FAMILIES.flatMap((family) => Object.keys(family)),
  ...EVALUATION_SCOPED_FAMILIES.flatMap((make) => Object.keys(make().functions)),
];

function regexMatch(pattern: unknown, value: unknown): boolean {
  const p = stringOperand("regex.match", 1, pattern);
  const v = stringOperand("regex.match", 2, value);
  try {
    return cachedGoRegexp(p).test(v);
  } catch (err) {
    if (err instanceof GoRegexpError) throw new HostBuiltinError("eval_builtin_error", "regex.match", err.message);
    throw err;
  }
}

function regexIsValid(pattern: unknown): boolean {
  if (typeof pattern !== "string") return false;
  try {
    cachedGoRegexp(pattern);
    return true;
  } catch (err) {
    if (err instanceof GoRegexpError) return false;
    throw err;
  }
}

function globMatch(pattern: unknown, delimiters: unknown, match: unknown): boolean {
  const p = stringOperand("glob.match", 1, pattern);
  let separators: number[];
  if (delimiters === null) {
    separators = [];
  } else if (Array.isArray(delimiters)) {
    separators = delimiters.map((d, i) => {
      if (typeof d !== "string") {
        throw new HostBuiltinError(
          "eval_type_error",
          "glob.match",
          `operand 2 must be array of strings but got array with ${typeName(d)} at index ${i}`,
        );
      }
      return d.codePointAt(0) ?? 0;
    });
    // OPA: an empty list means the default delimiter, ".".
    if (separators.length === 0) separators = [0x2e];
  } else {
    throw typeError("glob.match", 2, delimiters, "array", "null");
  }
  const m = stringOperand("glob.match", 3, match);
  try {
    return cachedGlob(p, separators).test(m);
  } catch (err) {
    if (err instanceof GlobSyntaxError) throw new HostBuiltinError("eval_builtin_error", "glob.match", err.message);
    throw err;
  }
}

/** net.cidr_contains, also under its deprecated Rego v0 name net.cidr_overlap (`name`), as OPA has it. */
function cidrContains(name: string, cidr: unknown, cidrOrIp: unknown): boolean {
  const outerText = stringOperand(name, 1, cidr);
  const innerText = stringOperand(name, 2, cidrOrIp);
  const outer = parseCidr(outerText);
  if (outer === null) {
    throw new HostBuiltinError("eval_builtin_error", name, `invalid CIDR address: ${outerText}`);
  }
  const ip = parseIp(innerText);
  if (ip !== null) return networkContains(outer, ip);
  const inner = parseCidr(innerText);
  if (inner === null) {
    throw new HostBuiltinError("eval_builtin_error", name, `invalid CIDR address: ${innerText}`);
  }
  return networkContainsNetwork(outer, inner);
}

/** Creates the host builtins for one policy instance. */
export function createHostBuiltins(opts: HostBuiltinOptions = {}): HostBuiltins {
  const clock = opts.clock ?? systemClock;
  const strict = opts.strictBuiltinErrors === true;
  let now: bigint | null = null;
  const context: HostBuiltinContext = {
    nowNs: () => {
      if (now === null) now = clock.nowNs();
      return now;
    },
  };

  // An error makes the call undefined, or is raised in strict mode; anything else is a bug and propagates.
  const guard =
    (fn: HostBuiltinFamilyFn): HostBuiltinFn =>
    (...operands) => {
      try {
        return fn.apply(context, operands);
      } catch (err) {
        if (err instanceof HostBuiltinError && !strict) return undefined;
        throw err;
      }
    };

  const functions: Record<string, HostBuiltinFn> = {};
  for (const family of FAMILIES) for (const [name, fn] of Object.entries(family)) functions[name] = guard(fn);
  const scoped = EVALUATION_SCOPED_FAMILIES.map((make) => make());
  for (const family of scoped) for (const [name, fn] of Object.entries(family.functions)) functions[name] = guard(fn);
  Object.assign(functions, {
    "time.now_ns": guard(() => rawJson(context.nowNs().toString())),
    "regex.match": guard((p, v) => regexMatch(p, v)),
    "regex.is_valid": guard((p) => regexIsValid(p)),
    "glob.match": guard((p, d, m) => globMatch(p, d, m)),
    "net.cidr_contains": guard((c, x) => cidrContains("net.cidr_contains", c, x)),
    "net.cidr_overlap": guard((c, x) => cidrContains("net.cidr_overlap", c, x)),
    // OPA gives the runtime's environment, version and configuration; an embedded policy has none of them.
    "opa.runtime": guard(() => ({})),
  });
  // Builtins the SDK also implements are asked for under another name (see hostDispatchName).
  for (const name of Object.keys(functions)) {
    const dispatch = hostDispatchName(name);
    if (dispatch !== name) functions[dispatch] = functions[name]!;
  }
  return {
    functions,
    beginEvaluation: () => {
      now = null;
      for (const family of scoped) family.beginEvaluation();
    },
  };
}
