/**
 * The JSON Schema builtins: `json.verify_schema` (is this a valid schema) and `json.match_schema` (does a
 * document match a schema, and if not, why), validating with ajv (drafts 6 and 7; draft 4 schemas are read
 * as draft 7) and reporting errors in the shape and wording OPA's validator gives them.
 */

import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import draft06 from "ajv/dist/refs/json-schema-draft-06.json";
import { HostBuiltinError } from "../policy-error";
import { typeName, type HostBuiltinFamily } from "./operands";
import { builtinError, isObject } from "./values";

const VALID_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

class SchemaError extends Error {}

let ajv: Ajv | null = null;

function validator(): Ajv {
  if (ajv === null) {
    ajv = new Ajv({ allErrors: true, strict: false, validateSchema: true, logger: false });
    addFormats(ajv);
    ajv.addMetaSchema(draft06);
  }
  return ajv;
}

/** An operand that is a schema or document: an object (or other JSON value), or its JSON text. */
function jsonOperand(builtin: string, pos: number, v: unknown): unknown {
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch (err) {
      throw builtinError(builtin, `operand ${pos} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (isObject(v) || typeof v === "boolean") return v;
  throw new HostBuiltinError("eval_type_error", builtin, `operand ${pos} must be one of {object, string} but got ${typeName(v)}`);
}

/** Keywords whose values are data, not subschemas: a `type` key inside them is no schema's type. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples"]);

/** Rejects what OPA's validator rejects and ajv would not word the same way: unknown primitive types. */
function checkTypes(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const s of schema) checkTypes(s);
    return;
  }
  if (!isObject(schema)) return;
  for (const [k, v] of Object.entries(schema)) {
    if (k === "type") {
      const types = typeof v === "string" ? [v] : Array.isArray(v) ? v : [];
      for (const t of types) {
        if (typeof t === "string" && !VALID_TYPES.includes(t)) {
          throw new SchemaError(
            `has a primitive type that is NOT VALID -- given: /${t}/ Expected valid values are:[${VALID_TYPES.join(" ")}]`,
          );
        }
      }
    } else if (!DATA_KEYWORDS.has(k)) {
      checkTypes(v);
    }
  }
}

/**
 * Rewrites what ajv refuses but OPA's validator accepts: `enum: []` (matches nothing) and draft 3/4
 * `$schema` URIs (read as draft 7). Returns the schema unchanged when there is nothing to rewrite.
 */
function adapt(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(adapt);
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "enum" && Array.isArray(v) && v.length === 0) out.not = {};
    else if (k === "$schema" && typeof v === "string" && /draft-0[34]/.test(v)) continue;
    else out[k] = DATA_KEYWORDS.has(k) ? v : adapt(v);
  }
  return out;
}

const compiled = new Map<string, ValidateFunction | SchemaError>();

function compile(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  let hit = compiled.get(key);
  if (hit === undefined) {
    try {
      checkTypes(schema);
      hit = validator().compile(adapt(schema) as object);
    } catch (err) {
      hit = err instanceof SchemaError ? err : new SchemaError((err as Error).message);
    }
    if (compiled.size >= 64) compiled.clear();
    compiled.set(key, hit);
  }
  if (hit instanceof SchemaError) throw hit;
  return hit;
}

// ---- errors in OPA's shape ----

/** The validator's name for a JSON value's type: integers are "integer". */
function jsonType(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeName(v);
}

function fieldOf(instancePath: string): string {
  if (instancePath === "") return "(root)";
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

function valueAt(doc: unknown, instancePath: string): unknown {
  let v = doc;
  if (instancePath === "") return v;
  for (const raw of instancePath.slice(1).split("/")) {
    const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    v = Array.isArray(v) ? v[Number(k)] : isObject(v) ? v[k] : undefined;
  }
  return v;
}

function listValues(vs: unknown): string {
  return Array.isArray(vs) ? vs.map((v) => JSON.stringify(v)).join(", ") : JSON.stringify(vs);
}

/** The type and description OPA's validator gives the failure ajv reports, or null to leave it out. */
function describe(e: ErrorObject, doc: unknown, field: string): { type: string; desc: string } | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "type": {
      const want = Array.isArray(p.type) ? (p.type as string[]).join(",") : String(p.type);
      return { type: "invalid_type", desc: `Invalid type. Expected: ${want}, given: ${jsonType(valueAt(doc, e.instancePath))}` };
    }
    case "required":
      return { type: "required", desc: `${String(p.missingProperty)} is required` };
    case "enum":
      return { type: "enum", desc: `${field} must be one of the following: ${listValues(p.allowedValues)}` };
    case "const":
      return { type: "const", desc: `${field} does not match: ${listValues(p.allowedValue)}` };
    case "anyOf":
      return { type: "number_any_of", desc: "Must validate at least one schema (anyOf)" };
    case "oneOf":
      return { type: "number_one_of", desc: "Must validate one and only one schema (oneOf)" };
    case "not":
      return e.schemaPath.endsWith("/not") && isEmptyNot(e)
        ? { type: "enum", desc: `${field} must be one of the following: ` }
        : { type: "number_not", desc: "Must not validate the schema (not)" };
    case "if":
      return p.failingKeyword === "else"
        ? { type: "condition_else", desc: 'Must validate "else" as "if" was not valid' }
        : { type: "condition_then", desc: 'Must validate "then" as "if" was valid' };
    case "false schema":
      return { type: "false", desc: "False always fails validation" };
    case "minItems":
      return { type: "array_min_items", desc: `Array must have at least ${String(p.limit)} items` };
    case "maxItems":
      return { type: "array_max_items", desc: `Array must have at most ${String(p.limit)} items` };
    case "uniqueItems":
      return { type: "unique", desc: `array items[${String(p.j)},${String(p.i)}] must be unique` };
    case "contains":
      return { type: "contains", desc: "At least one of the items must match" };
    case "additionalItems":
      return { type: "array_no_additional_items", desc: "No additional items allowed on array" };
    case "minProperties":
      return { type: "array_min_properties", desc: `Must have at least ${String(p.limit)} properties` };
    case "maxProperties":
      return { type: "array_max_properties", desc: `Must have at most ${String(p.limit)} properties` };
    case "additionalProperties":
      return { type: "additional_property_not_allowed", desc: `Additional property ${String(p.additionalProperty)} is not allowed` };
    case "propertyNames":
      return { type: "invalid_property_name", desc: `Property name of "${String(p.propertyName)}" does not match` };
    case "dependencies":
      return { type: "missing_dependency", desc: `Has a dependency on ${String(p.deps)}` };
    case "minLength":
      return { type: "string_gte", desc: `String length must be greater than or equal to ${String(p.limit)}` };
    case "maxLength":
      return { type: "string_lte", desc: `String length must be less than or equal to ${String(p.limit)}` };
    case "pattern":
      return { type: "pattern", desc: `Does not match pattern '${String(p.pattern)}'` };
    case "format":
      return { type: "format", desc: `Does not match format '${String(p.format)}'` };
    case "multipleOf":
      return { type: "multiple_of", desc: `Must be a multiple of ${String(p.multipleOf)}` };
    case "minimum":
      return { type: "number_gte", desc: `Must be greater than or equal to ${String(p.limit)}` };
    case "exclusiveMinimum":
      return { type: "number_gt", desc: `Must be greater than ${String(p.limit)}` };
    case "maximum":
      return { type: "number_lte", desc: `Must be less than or equal to ${String(p.limit)}` };
    case "exclusiveMaximum":
      return { type: "number_lt", desc: `Must be less than ${String(p.limit)}` };
    default:
      return { type: e.keyword, desc: e.message ?? e.keyword };
  }
}

function isEmptyNot(e: ErrorObject): boolean {
  const s = e.parentSchema as Record<string, unknown> | undefined;
  return s !== undefined && isObject(s.not) && Object.keys(s.not).length === 0;
}

/** True for an error inside a branch of anyOf / oneOf / not / if, which the combinator's own error covers. */
function insideBranch(e: ErrorObject): boolean {
  return /\/(anyOf|oneOf|not|if|then|else)\//.test(e.schemaPath);
}

function verifySchema(schema: unknown): unknown[] {
  try {
    compile(jsonOperand("json.verify_schema", 1, schema));
    return [true, null];
  } catch (err) {
    if (err instanceof SchemaError) return [false, err.message];
    if (err instanceof HostBuiltinError && err.code === "eval_builtin_error")
      return [false, err.message.replace(/^json\.verify_schema: /, "")];
    throw err;
  }
}

function matchSchema(document: unknown, schema: unknown): unknown[] {
  const doc = typeof document === "string" ? jsonOperand("json.match_schema", 1, document) : document;
  const s = jsonOperand("json.match_schema", 2, schema);
  let validate: ValidateFunction;
  try {
    validate = compile(s);
  } catch (err) {
    if (err instanceof SchemaError) throw builtinError("json.match_schema", err.message);
    throw err;
  }
  if (validate(doc)) return [true, []];
  const errors: Record<string, string>[] = [];
  for (const e of validate.errors ?? []) {
    if (insideBranch(e)) continue;
    const field = fieldOf(e.instancePath);
    const d = describe(e, doc, field);
    if (d === null) continue;
    errors.push({ error: `${field}: ${d.desc}`, type: d.type, field, desc: d.desc });
  }
  return [false, errors];
}

export const JSON_SCHEMA_BUILTINS: HostBuiltinFamily = {
  "json.verify_schema": verifySchema,
  "json.match_schema": matchSchema,
};
