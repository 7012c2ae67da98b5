/**
 * OPA's GraphQL built-ins (`graphql.parse`, `graphql.parse_query`, `graphql.parse_schema`,
 * `graphql.parse_and_verify`, `graphql.is_valid`, `graphql.schema_is_valid`): GraphQL queries and schemas
 * parsed with graphql-js into OPA's AST objects, and queries validated against schemas.
 */

import type { DocumentNode } from "graphql";

import { HostBuiltinError } from "../policy-error";
import {
  GqlSyntaxError,
  parseQueryDocument,
  parseSchemaDocument,
  printQueryDocument,
  printSchemaDocument,
  type GqlQueryDocument,
  type GqlSchemaDocument,
} from "./graphql-ast";
import { GqlSchemaError, GqlValidationError, loadSchema, validateQuery, type LoadedSchema } from "./graphql-schema";
import { stringOperand, typeError, type HostBuiltinFamily } from "./operands";

interface ParsedQuery {
  readonly doc: GqlQueryDocument;
  readonly node: DocumentNode;
}

/** Keeps the last few parses: a policy usually checks many queries against one schema. */
class Memo<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = make();
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

type Outcome<T> = { ok: T } | { error: Error };

function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: fn() };
  } catch (err) {
    if (err instanceof GqlSyntaxError || err instanceof GqlSchemaError || err instanceof GqlValidationError) return { error: err };
    throw err;
  }
}

function unwrap<T>(outcome: Outcome<T>): T {
  if ("error" in outcome) throw outcome.error;
  return outcome.ok;
}

const queryMemo = new Memo<Outcome<ParsedQuery>>(64);
const schemaDocMemo = new Memo<Outcome<GqlSchemaDocument>>(16);
const schemaMemo = new Memo<Outcome<LoadedSchema>>(16);

function parseQueryText(text: string): ParsedQuery {
  return unwrap(queryMemo.get(text, () => attempt(() => parseQueryDocument(text))));
}

function parseSchemaText(text: string): GqlSchemaDocument {
  return unwrap(schemaDocMemo.get(text, () => attempt(() => parseSchemaDocument(text))));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A query operand: GraphQL text, or an AST object (read back through its GraphQL text). */
function queryOperand(builtin: string, v: unknown): ParsedQuery {
  if (typeof v === "string") return parseQueryText(v);
  if (isObject(v)) return parseQueryText(printQueryDocument(v));
  throw typeError(builtin, 1, v, "string", "object");
}

/** A schema operand: SDL text, or an AST object. Returns the document and the key its loaded schema is kept under. */
function schemaOperand(builtin: string, v: unknown): { doc: GqlSchemaDocument; key: string } {
  if (typeof v === "string") return { doc: parseSchemaText(v), key: v };
  if (isObject(v)) {
    const text = printSchemaDocument(v);
    return { doc: parseSchemaText(text), key: text };
  }
  throw typeError(builtin, 2, v, "string", "object");
}

function loaded(doc: GqlSchemaDocument, key: string): LoadedSchema {
  return unwrap(schemaMemo.get(key, () => attempt(() => loadSchema(doc))));
}

/** Parses and validates; GraphQL errors become the builtin's errors in OPA's wording. */
function parseAndValidate(builtin: string, query: unknown, schema: unknown): [GqlQueryDocument, GqlSchemaDocument] {
  const q = queryOperand(builtin, query);
  const s = schemaOperand(builtin, schema);
  let target: LoadedSchema;
  try {
    target = loaded(s.doc, s.key);
  } catch (err) {
    if (err instanceof GqlSchemaError) {
      throw new HostBuiltinError("eval_builtin_error", builtin, `Error in gqlparser SchemaDocument to Schema conversion: ${err.message}`);
    }
    throw err;
  }
  validateQuery(target, q.node);
  return [q.doc, s.doc];
}

/** Runs fn, turning GraphQL failures into the builtin's error. */
function reporting<T>(builtin: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GqlSyntaxError || err instanceof GqlValidationError) {
      throw new HostBuiltinError("eval_builtin_error", builtin, err.message);
    }
    throw err;
  }
}

/** Runs fn, answering `otherwise` on any GraphQL failure or operand of the wrong type. */
function orElse<T>(otherwise: T, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (
      err instanceof HostBuiltinError ||
      err instanceof GqlSyntaxError ||
      err instanceof GqlSchemaError ||
      err instanceof GqlValidationError
    ) {
      return otherwise;
    }
    throw err;
  }
}

export const graphqlBuiltins: HostBuiltinFamily = {
  "graphql.parse_query": (query) =>
    reporting("graphql.parse_query", () => parseQueryText(stringOperand("graphql.parse_query", 1, query)).doc),
  "graphql.parse_schema": (schema) =>
    reporting("graphql.parse_schema", () => parseSchemaText(stringOperand("graphql.parse_schema", 1, schema))),
  "graphql.parse": (query, schema) => reporting("graphql.parse", () => parseAndValidate("graphql.parse", query, schema)),
  "graphql.parse_and_verify": (query, schema) =>
    orElse<[boolean, object, object]>([false, {}, {}], () => [true, ...parseAndValidate("graphql.parse_and_verify", query, schema)]),
  "graphql.is_valid": (query, schema) =>
    orElse(false, () => {
      parseAndValidate("graphql.is_valid", query, schema);
      return true;
    }),
  "graphql.schema_is_valid": (schema) =>
    orElse(false, () => {
      const s = schemaOperand("graphql.schema_is_valid", schema);
      loaded(s.doc, s.key);
      return true;
    }),
};
