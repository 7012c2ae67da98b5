/**
 * Turns ajv's validation errors into problems that name the offending field, for the configuration file
 * and for API requests alike.
 *
 * ajv reports a missing or unknown property at its parent object; a problem points at the property itself,
 * so `{ "actor": {} }` without `actor.id` reads `/actor/id: is required`.
 */

import type { ErrorObject } from "ajv";

/** One thing wrong with a document. */
export interface SchemaProblem {
  /** JSON pointer (RFC 6901) to the offending field; "" for the document itself. */
  readonly pointer: string;
  /** What is wrong, without the field name. */
  readonly message: string;
}

const escapeToken = (token: string): string => token.replace(/~/g, "~0").replace(/\//g, "~1");

/** The problems of one failed validation, in ajv's order, without duplicates. */
export function schemaProblems(errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const e of errors ?? []) {
    const p = describe(e);
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return problems;
}

function describe(e: ErrorObject): SchemaProblem {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { pointer: `${e.instancePath}/${escapeToken(String(params["missingProperty"]))}`, message: "is required" };
    case "additionalProperties":
      return { pointer: `${e.instancePath}/${escapeToken(String(params["additionalProperty"]))}`, message: "is not a known field" };
    case "enum":
      return { pointer: e.instancePath, message: `must be one of ${(params["allowedValues"] as unknown[]).map(String).join(", ")}` };
    case "const":
      return { pointer: e.instancePath, message: `must be ${JSON.stringify(params["allowedValue"])}` };
    case "type": {
      const t = params["type"];
      return { pointer: e.instancePath, message: `must be ${Array.isArray(t) ? t.map(article).join(" or ") : article(String(t))}` };
    }
    case "maxLength":
      return { pointer: e.instancePath, message: `must be at most ${String(params["limit"])} characters` };
    case "minLength":
      return {
        pointer: e.instancePath,
        message: Number(params["limit"]) === 1 ? "must not be empty" : `must be at least ${String(params["limit"])} characters`,
      };
    case "maxItems":
      return { pointer: e.instancePath, message: `must have at most ${String(params["limit"])} items` };
    case "minItems":
      return {
        pointer: e.instancePath,
        message: `must have at least ${String(params["limit"])} item${Number(params["limit"]) === 1 ? "" : "s"}`,
      };
    case "maxProperties":
      return { pointer: e.instancePath, message: `must have at most ${String(params["limit"])} fields` };
    case "pattern":
      return { pointer: e.instancePath, message: `must match ${String(params["pattern"])}` };
    case "format":
      return { pointer: e.instancePath, message: `must be a valid ${String(params["format"])}` };
    case "uniqueItems":
      return { pointer: e.instancePath, message: "must not repeat items" };
    default:
      return { pointer: e.instancePath, message: e.message ?? `fails ${e.keyword}` };
  }
}

function article(type: string): string {
  switch (type) {
    case "object":
      return "an object";
    case "array":
      return "an array";
    case "integer":
      return "an integer";
    case "null":
      return "null";
    default:
      return `a ${type}`;
  }
}

/** A pointer as a dotted path for people (`/identities/2/kind` → `identities[2].kind`). */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "(the document)";
  let out = "";
  for (const raw of pointer.split("/").slice(1)) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(token)) out += `[${token}]`;
    else out += out === "" ? token : `.${token}`;
  }
  return out;
}
