/**
 * Capabilities: what a policy may use, in OPA's capabilities JSON format. Countersign prints its own
 * (`countersign capabilities`), and a compilation may be given a file, as `opa build --capabilities` is.
 *
 * A file restricts the built-ins to those it lists (a call of any other is `undefined function`), and it
 * may declare built-ins Countersign does not implement: those are custom built-ins, compiled as host calls
 * that the embedding host must implement (a policy calling one without an implementation fails to load).
 */

import { catalogueEntries, REFUSED, type BuiltinEntry, type BuiltinLookup } from "./builtin-catalog";
import { declArity, type FunctionDeclJson, type TypeJson } from "./builtin-types";
import { CodedError } from "../errors/coded-error";

/** One built-in as a capabilities file lists it. */
export interface CapabilityBuiltin {
  readonly name: string;
  readonly decl: FunctionDeclJson;
  readonly infix?: string;
  readonly nondeterministic?: boolean;
  readonly relation?: boolean;
  readonly deprecated?: boolean;
}

/** A capabilities document. Unknown fields are kept out; the ones Countersign reads are typed. */
export interface Capabilities {
  readonly builtins: readonly CapabilityBuiltin[];
  readonly features?: readonly string[];
  readonly future_keywords?: readonly string[];
  readonly wasm_abi_versions?: readonly { readonly version: number; readonly minor_version: number }[];
}

/** A capabilities document that cannot be used, with what is wrong in it. */
export class CapabilitiesError extends CodedError<"COUNTERSIGN_CAPABILITIES_INVALID"> {
  constructor(message: string) {
    super("COUNTERSIGN_CAPABILITIES_INVALID", message);
  }
}

/** The language features Countersign's parser and planner support, as OPA names them. */
export const FEATURES: readonly string[] = ["keywords_in_refs", "rego_v1", "template_strings"];

/** `future.keywords.*` imports Countersign accepts (all of them always on, as in Rego v1). */
export const FUTURE_KEYWORDS: readonly string[] = ["contains", "every", "if", "in"];

/** The wasm ABI versions compiled modules use. */
export const WASM_ABI_VERSIONS: readonly { version: number; minor_version: number }[] = [
  { version: 1, minor_version: 1 },
  { version: 1, minor_version: 2 },
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks the shape of a type, recursively; `where` names it in the error. */
function checkType(v: unknown, where: string): TypeJson {
  if (!isRecord(v) || typeof v.type !== "string") throw new CapabilitiesError(`${where}: a type needs a "type" string`);
  return v as unknown as TypeJson;
}

function checkDecl(v: unknown, where: string): FunctionDeclJson {
  if (!isRecord(v) || v.type !== "function") throw new CapabilitiesError(`${where}: "decl" must be {"type": "function", ...}`);
  if (v.args !== undefined) {
    if (!Array.isArray(v.args)) throw new CapabilitiesError(`${where}: "args" must be an array of types`);
    v.args.forEach((a, i) => checkType(a, `${where} operand ${i + 1}`));
  }
  if (v.variadic !== undefined) checkType(v.variadic, `${where} variadic operand`);
  if (v.result !== undefined) checkType(v.result, `${where} result`);
  return v as unknown as FunctionDeclJson;
}

function stringList(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new CapabilitiesError(`"${field}" must be an array of strings`);
  return v as string[];
}

/** Reads a capabilities document (already parsed JSON). Throws CapabilitiesError. */
export function parseCapabilities(doc: unknown): Capabilities {
  if (!isRecord(doc)) throw new CapabilitiesError("a capabilities document must be a JSON object");
  if (!Array.isArray(doc.builtins)) throw new CapabilitiesError('a capabilities document needs a "builtins" array');
  const seen = new Set<string>();
  const builtins = doc.builtins.map((b, i): CapabilityBuiltin => {
    if (!isRecord(b) || typeof b.name !== "string" || b.name === "") {
      throw new CapabilitiesError(`builtins[${i}] needs a "name" string`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(b.name)) {
      throw new CapabilitiesError(`builtins[${i}]: ${JSON.stringify(b.name)} is not a dotted Rego name`);
    }
    if (seen.has(b.name)) throw new CapabilitiesError(`builtin ${b.name} is listed twice`);
    seen.add(b.name);
    return {
      name: b.name,
      decl: checkDecl(b.decl, `builtin ${b.name}`),
      ...(typeof b.infix === "string" ? { infix: b.infix } : {}),
      ...(b.nondeterministic === true ? { nondeterministic: true } : {}),
      ...(b.relation === true ? { relation: true } : {}),
      ...(b.deprecated === true ? { deprecated: true } : {}),
    };
  });
  const features = stringList(doc.features, "features");
  const futureKeywords = stringList(doc.future_keywords, "future_keywords");
  return {
    builtins,
    ...(features === undefined ? {} : { features }),
    ...(futureKeywords === undefined ? {} : { future_keywords: futureKeywords }),
  };
}

/** The built-ins a compilation under some capabilities may call. */
export interface CapabilityBuiltins extends BuiltinLookup {
  /** Built-ins the capabilities declare and Countersign does not implement: the host must. */
  readonly custom: ReadonlySet<string>;
}

/**
 * The built-ins allowed under a capabilities document: the catalogue's, restricted to those it lists, plus
 * its custom ones. A listed built-in Countersign implements keeps Countersign's own declaration. Throws
 * CapabilitiesError for a custom built-in Countersign cannot call through its host.
 */
export function builtinsUnder(caps: Capabilities): CapabilityBuiltins {
  const known = catalogueEntries();
  const arity = new Map<string, number>();
  const custom = new Set<string>();
  for (const b of caps.builtins) {
    const entry = known.get(b.name);
    if (entry !== undefined) {
      arity.set(b.name, entry.arity);
      continue;
    }
    const n = declArity(b.decl);
    if (n < 0 || n > 4) {
      throw new CapabilitiesError(
        `custom builtin ${b.name}: a host built-in takes 0 to 4 operands, not ${n < 0 ? "a variable number" : n}`,
      );
    }
    if (b.relation === true) throw new CapabilitiesError(`custom builtin ${b.name}: relations cannot be host built-ins`);
    if (b.decl.result?.type === "set") {
      throw new CapabilitiesError(`custom builtin ${b.name}: a host built-in answers in JSON, so it cannot return a set`);
    }
    arity.set(b.name, n);
    custom.add(b.name);
  }
  return { arity: (name) => arity.get(name), custom };
}

function capabilityOf(e: BuiltinEntry): Record<string, unknown> {
  return {
    name: e.name,
    decl: sortedKeys(e.decl),
    ...(e.infix === undefined ? {} : { infix: e.infix }),
    ...(e.nondeterministic === undefined ? {} : { nondeterministic: true }),
    ...(e.relation === undefined ? {} : { relation: true }),
    ...(e.deprecated === undefined ? {} : { deprecated: true }),
  };
}

/** Sorts object keys at every level, as OPA writes capabilities files. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isRecord(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortedKeys(v[k])]),
  );
}

/** Countersign's own capabilities, in OPA's format: every built-in a policy may call, with its type. */
export function countersignCapabilities(): Record<string, unknown> {
  const builtins = [...catalogueEntries().values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(capabilityOf);
  return {
    builtins,
    future_keywords: [...FUTURE_KEYWORDS],
    wasm_abi_versions: WASM_ABI_VERSIONS.map((v) => ({ ...v })),
    features: [...FEATURES],
  };
}

/** OPA's built-ins Countersign refuses, with the reason, sorted by name. */
export function refusedBuiltins(): { name: string; reason: string }[] {
  return Object.keys(REFUSED)
    .sort()
    .map((name) => ({ name, reason: REFUSED[name]! }));
}
