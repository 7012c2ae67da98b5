/**
 * GraphQL documents in the shape OPA's graphql built-ins return (the JSON of the Go library gqlparser's AST,
 * with positions, nulls and empty lists left out), parsed with graphql-js, and printed back to GraphQL text.
 */

import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  parse,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type Location,
  type SelectionNode,
  type Token,
  type TypeNode,
  type ValueNode,
  type VariableDefinitionNode,
} from "graphql";

/** A line and column in the source text (1-based), as gqlparser reports them. */
export interface GqlPosition {
  readonly line: number;
  readonly column: number;
}

export interface GqlType {
  NamedType: string;
  NonNull: boolean;
  Elem?: GqlType;
}

/** gqlparser's value kinds, by number. */
export const VALUE_KIND = {
  Variable: 0,
  Int: 1,
  Float: 2,
  String: 3,
  Block: 4,
  Boolean: 5,
  Null: 6,
  Enum: 7,
  List: 8,
  Object: 9,
} as const;

export interface GqlValue {
  Raw: string;
  Kind: number;
  Children?: GqlChildValue[];
  ExpectedTypeHasDefault: boolean;
}

export interface GqlChildValue {
  Name: string;
  Value: GqlValue;
}

export interface GqlArgument {
  Name: string;
  Value: GqlValue;
}

export interface GqlDirective {
  Name: string;
  Arguments?: GqlArgument[];
  Location: string;
}

export interface GqlField {
  Alias: string;
  Name: string;
  Arguments?: GqlArgument[];
  Directives?: GqlDirective[];
  SelectionSet?: GqlSelection[];
}

export interface GqlFragmentSpread {
  Name: string;
  Directives?: GqlDirective[];
}

export interface GqlInlineFragment {
  TypeCondition: string;
  Directives?: GqlDirective[];
  SelectionSet?: GqlSelection[];
}

export type GqlSelection = GqlField | GqlFragmentSpread | GqlInlineFragment;

export interface GqlVariableDefinition {
  Variable: string;
  Type: GqlType;
  DefaultValue?: GqlValue;
  Directives?: GqlDirective[];
  Used: boolean;
}

export interface GqlOperation {
  Operation: string;
  Name: string;
  VariableDefinitions?: GqlVariableDefinition[];
  Directives?: GqlDirective[];
  SelectionSet?: GqlSelection[];
}

export interface GqlFragmentDefinition {
  Name: string;
  VariableDefinition?: GqlVariableDefinition[];
  TypeCondition: string;
  Directives?: GqlDirective[];
  SelectionSet?: GqlSelection[];
}

export interface GqlQueryDocument {
  Operations?: GqlOperation[];
  Fragments?: GqlFragmentDefinition[];
}

export interface GqlArgumentDefinition {
  Description: string;
  Name: string;
  DefaultValue?: GqlValue;
  Type: GqlType;
  Directives?: GqlDirective[];
}

export interface GqlFieldDefinition {
  Description: string;
  Name: string;
  Arguments?: GqlArgumentDefinition[];
  DefaultValue?: GqlValue;
  Type: GqlType;
  Directives?: GqlDirective[];
}

export interface GqlEnumValueDefinition {
  Description: string;
  Name: string;
  Directives?: GqlDirective[];
}

export interface GqlDefinition {
  Kind: string;
  Description: string;
  Name: string;
  Directives?: GqlDirective[];
  Interfaces?: string[];
  Fields?: GqlFieldDefinition[];
  Types?: string[];
  EnumValues?: GqlEnumValueDefinition[];
  BuiltIn: boolean;
}

export interface GqlDirectiveDefinition {
  Description: string;
  Name: string;
  Arguments?: GqlArgumentDefinition[];
  Locations: string[];
  IsRepeatable: boolean;
}

export interface GqlOperationTypeDefinition {
  Operation: string;
  Type: string;
}

export interface GqlSchemaDefinition {
  Description: string;
  Directives?: GqlDirective[];
  OperationTypes?: GqlOperationTypeDefinition[];
}

export interface GqlSchemaDocument {
  Schema?: GqlSchemaDefinition[];
  SchemaExtension?: GqlSchemaDefinition[];
  Directives?: GqlDirectiveDefinition[];
  Definitions?: GqlDefinition[];
  Extensions?: GqlDefinition[];
}

/** A parse error in gqlparser's wording, with its position. */
export class GqlSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly position: GqlPosition,
  ) {
    super(`${detail} in GraphQL string at location ${position.line}:${position.column}`);
  }
}

/** Where each converted node came from (kept out of the JSON). */
const positions = new WeakMap<object, GqlPosition>();

/** The source position of a converted node, when known. */
export function positionOf(node: object): GqlPosition | undefined {
  return positions.get(node);
}

/** Records where a node came from. */
export function setPosition(node: object, position: GqlPosition): void {
  positions.set(node, position);
}

function at<T extends object>(node: T, loc: Location | undefined): T {
  if (loc) positions.set(node, { line: loc.startToken.line, column: loc.startToken.column });
  return node;
}

/** Sets `key` on `target` only when the list is non-empty (OPA prunes empty lists). */
function putList<T extends object, K extends keyof T>(target: T, key: K, list: T[K] & unknown[]): void {
  if (list.length > 0) target[key] = list;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

/** Parses a query document, or throws GqlSyntaxError. Also returns graphql-js's document for validation. */
export function parseQueryDocument(text: string): { doc: GqlQueryDocument; node: DocumentNode } {
  const node = parseGraphql(text, true);
  const doc: GqlQueryDocument = {};
  const operations: GqlOperation[] = [];
  const fragments: GqlFragmentDefinition[] = [];
  for (const def of node.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) {
      const op: GqlOperation = { Operation: def.operation, Name: def.name?.value ?? "" };
      putList(op, "VariableDefinitions", (def.variableDefinitions ?? []).map(variableDefinition));
      putList(op, "Directives", directives(def.directives));
      putList(op, "SelectionSet", selections(def.selectionSet.selections));
      operations.push(at(op, def.loc));
    } else if (def.kind === Kind.FRAGMENT_DEFINITION) {
      const frag: GqlFragmentDefinition = { Name: def.name.value, TypeCondition: def.typeCondition.name.value };
      putList(frag, "VariableDefinition", (def.variableDefinitions ?? []).map(variableDefinition));
      putList(frag, "Directives", directives(def.directives));
      putList(frag, "SelectionSet", selections(def.selectionSet.selections));
      fragments.push(at(frag, def.loc));
    } else {
      throw unexpectedAt(text, def);
    }
  }
  putList(doc, "Operations", operations);
  putList(doc, "Fragments", fragments);
  return { doc, node };
}

/** Parses a schema document, or throws GqlSyntaxError. */
export function parseSchemaDocument(text: string): GqlSchemaDocument {
  const node = parseGraphql(text, false);
  const doc: GqlSchemaDocument = {};
  const schema: GqlSchemaDefinition[] = [];
  const schemaExtension: GqlSchemaDefinition[] = [];
  const directiveDefs: GqlDirectiveDefinition[] = [];
  const definitions: GqlDefinition[] = [];
  const extensions: GqlDefinition[] = [];
  for (const def of node.definitions) {
    switch (def.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION: {
        const s: GqlSchemaDefinition = {
          Description: def.kind === Kind.SCHEMA_DEFINITION ? (def.description?.value ?? "") : "",
        };
        putList(s, "Directives", directives(def.directives));
        putList(
          s,
          "OperationTypes",
          (def.operationTypes ?? []).map((o) => at({ Operation: o.operation, Type: o.type.name.value }, o.loc)),
        );
        (def.kind === Kind.SCHEMA_DEFINITION ? schema : schemaExtension).push(at(s, def.loc));
        break;
      }
      case Kind.DIRECTIVE_DEFINITION: {
        const d: GqlDirectiveDefinition = {
          Description: def.description?.value ?? "",
          Name: def.name.value,
          Locations: def.locations.map((l) => l.value),
          IsRepeatable: def.repeatable,
        };
        putList(d, "Arguments", (def.arguments ?? []).map(argumentDefinition));
        directiveDefs.push(at(d, def.name.loc));
        break;
      }
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        definitions.push(typeDefinition(def, def.description?.value ?? ""));
        break;
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_EXTENSION:
      case Kind.UNION_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        extensions.push(typeDefinition(def, ""));
        break;
      default:
        throw unexpectedAt(text, def);
    }
  }
  putList(doc, "Schema", schema);
  putList(doc, "SchemaExtension", schemaExtension);
  putList(doc, "Directives", directiveDefs);
  putList(doc, "Definitions", definitions);
  putList(doc, "Extensions", extensions);
  return doc;
}

type TypeDefinitionNode = Extract<
  DefinitionNode,
  {
    kind:
      | Kind.SCALAR_TYPE_DEFINITION
      | Kind.OBJECT_TYPE_DEFINITION
      | Kind.INTERFACE_TYPE_DEFINITION
      | Kind.UNION_TYPE_DEFINITION
      | Kind.ENUM_TYPE_DEFINITION
      | Kind.INPUT_OBJECT_TYPE_DEFINITION
      | Kind.SCALAR_TYPE_EXTENSION
      | Kind.OBJECT_TYPE_EXTENSION
      | Kind.INTERFACE_TYPE_EXTENSION
      | Kind.UNION_TYPE_EXTENSION
      | Kind.ENUM_TYPE_EXTENSION
      | Kind.INPUT_OBJECT_TYPE_EXTENSION;
  }
>;

const DEFINITION_KIND: Readonly<Record<string, string>> = {
  [Kind.SCALAR_TYPE_DEFINITION]: "SCALAR",
  [Kind.SCALAR_TYPE_EXTENSION]: "SCALAR",
  [Kind.OBJECT_TYPE_DEFINITION]: "OBJECT",
  [Kind.OBJECT_TYPE_EXTENSION]: "OBJECT",
  [Kind.INTERFACE_TYPE_DEFINITION]: "INTERFACE",
  [Kind.INTERFACE_TYPE_EXTENSION]: "INTERFACE",
  [Kind.UNION_TYPE_DEFINITION]: "UNION",
  [Kind.UNION_TYPE_EXTENSION]: "UNION",
  [Kind.ENUM_TYPE_DEFINITION]: "ENUM",
  [Kind.ENUM_TYPE_EXTENSION]: "ENUM",
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: "INPUT_OBJECT",
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: "INPUT_OBJECT",
};

function typeDefinition(def: TypeDefinitionNode, description: string): GqlDefinition {
  const out: GqlDefinition = { Kind: DEFINITION_KIND[def.kind]!, Description: description, Name: def.name.value, BuiltIn: false };
  putList(out, "Directives", directives(def.directives));
  if ("interfaces" in def)
    putList(
      out,
      "Interfaces",
      (def.interfaces ?? []).map((i) => i.name.value),
    );
  if ("fields" in def) {
    const fields = (def.fields ?? []) as readonly (FieldDefinitionNode | InputValueDefinitionNode)[];
    putList(out, "Fields", fields.map(fieldDefinition));
  }
  if ("types" in def)
    putList(
      out,
      "Types",
      (def.types ?? []).map((t) => t.name.value),
    );
  if ("values" in def) {
    putList(
      out,
      "EnumValues",
      (def.values ?? []).map((v) => {
        const e: GqlEnumValueDefinition = { Description: v.description?.value ?? "", Name: v.name.value };
        putList(e, "Directives", directives(v.directives));
        return at(e, v.loc);
      }),
    );
  }
  return at(out, def.name.loc);
}

function fieldDefinition(f: FieldDefinitionNode | InputValueDefinitionNode): GqlFieldDefinition {
  const out: GqlFieldDefinition = { Description: f.description?.value ?? "", Name: f.name.value, Type: type(f.type) };
  if (f.kind === Kind.FIELD_DEFINITION) putList(out, "Arguments", (f.arguments ?? []).map(argumentDefinition));
  if (f.kind === Kind.INPUT_VALUE_DEFINITION && f.defaultValue) out.DefaultValue = value(f.defaultValue);
  putList(out, "Directives", directives(f.directives));
  return at(out, f.loc);
}

function argumentDefinition(a: InputValueDefinitionNode): GqlArgumentDefinition {
  const out: GqlArgumentDefinition = { Description: a.description?.value ?? "", Name: a.name.value, Type: type(a.type) };
  if (a.defaultValue) out.DefaultValue = value(a.defaultValue);
  putList(out, "Directives", directives(a.directives));
  return at(out, a.loc);
}

function variableDefinition(v: VariableDefinitionNode): GqlVariableDefinition {
  const out: GqlVariableDefinition = { Variable: v.variable.name.value, Type: type(v.type), Used: false };
  if (v.defaultValue) out.DefaultValue = value(v.defaultValue);
  putList(out, "Directives", directives(v.directives));
  return at(out, v.loc);
}

function type(t: TypeNode): GqlType {
  if (t.kind === Kind.NON_NULL_TYPE) return { ...type(t.type), NonNull: true };
  if (t.kind === Kind.LIST_TYPE) return at({ NamedType: "", NonNull: false, Elem: type(t.type) }, t.loc);
  return at({ NamedType: t.name.value, NonNull: false }, t.loc);
}

function directives(list: readonly (DirectiveNode | ConstDirectiveNode)[] | undefined): GqlDirective[] {
  return (list ?? []).map((d) => {
    const out: GqlDirective = { Name: d.name.value, Location: "" };
    putList(
      out,
      "Arguments",
      (d.arguments ?? []).map((a) => at({ Name: a.name.value, Value: value(a.value) }, a.loc)),
    );
    return at(out, d.name.loc);
  });
}

function selections(list: readonly SelectionNode[]): GqlSelection[] {
  return list.map((s): GqlSelection => {
    if (s.kind === Kind.FIELD) {
      const f: GqlField = { Alias: s.alias?.value ?? s.name.value, Name: s.name.value };
      putList(
        f,
        "Arguments",
        (s.arguments ?? []).map((a) => at({ Name: a.name.value, Value: value(a.value) }, a.loc)),
      );
      putList(f, "Directives", directives(s.directives));
      if (s.selectionSet) putList(f, "SelectionSet", selections(s.selectionSet.selections));
      return at(f, s.loc);
    }
    if (s.kind === Kind.FRAGMENT_SPREAD) {
      const f: GqlFragmentSpread = { Name: s.name.value };
      putList(f, "Directives", directives(s.directives));
      return at(f, s.name.loc);
    }
    const f: GqlInlineFragment = { TypeCondition: s.typeCondition?.name.value ?? "" };
    putList(f, "Directives", directives(s.directives));
    putList(f, "SelectionSet", selections(s.selectionSet.selections));
    return at(f, s.loc);
  });
}

function value(v: ValueNode): GqlValue {
  const out = ((): GqlValue => {
    const scalar = (kind: number, raw: string): GqlValue => ({ Raw: raw, Kind: kind, ExpectedTypeHasDefault: false });
    switch (v.kind) {
      case Kind.VARIABLE:
        return scalar(VALUE_KIND.Variable, v.name.value);
      case Kind.INT:
        return scalar(VALUE_KIND.Int, v.value);
      case Kind.FLOAT:
        return scalar(VALUE_KIND.Float, v.value);
      case Kind.STRING:
        return scalar(v.block === true ? VALUE_KIND.Block : VALUE_KIND.String, v.value);
      case Kind.BOOLEAN:
        return scalar(VALUE_KIND.Boolean, v.value ? "true" : "false");
      case Kind.NULL:
        return scalar(VALUE_KIND.Null, "null");
      case Kind.ENUM:
        return scalar(VALUE_KIND.Enum, v.value);
      case Kind.LIST: {
        const out = scalar(VALUE_KIND.List, "");
        putList(
          out,
          "Children",
          v.values.map((c) => ({ Name: "", Value: value(c) })),
        );
        return out;
      }
      case Kind.OBJECT: {
        const out = scalar(VALUE_KIND.Object, "");
        putList(
          out,
          "Children",
          v.fields.map((f) => at({ Name: f.name.value, Value: value(f.value) }, f.loc)),
        );
        return out;
      }
    }
  })();
  return at(out, v.loc);
}

// ---------------------------------------------------------------------------------------------------------
// Syntax errors in gqlparser's wording

const PUNCTUATORS = new Set(["!", "$", "&", "(", ")", "...", ":", "=", "@", "[", "]", "{", "|", "}"]);
const OPENER: Readonly<Record<string, string>> = { "}": "{", ")": "(" };

function parseGraphql(text: string, executable: boolean): DocumentNode {
  // gqlparser reads a document without definitions as empty; graphql-js rejects it.
  const { list, lexError } = tokens(text);
  if (list.length === 0 && !lexError) return { kind: Kind.DOCUMENT, definitions: [] };
  try {
    return parse(new Source(withoutEmptyArguments(text, list, executable)), { allowLegacyFragmentVariables: true });
  } catch (err) {
    if (err instanceof GraphQLError) throw syntaxError(text, err);
    throw err;
  }
}

/**
 * gqlparser accepts empty argument lists `()` (and, in queries, empty variable definitions), which mean no
 * arguments; graphql-js rejects them. They are blanked out, keeping every other position. In a schema, only
 * a directive's arguments may be empty (field argument definitions may not).
 */
function withoutEmptyArguments(text: string, list: readonly Token[], executable: boolean): string {
  let out = text;
  for (let i = 0; i + 1 < list.length; i++) {
    const open = list[i]!;
    if (open.kind !== TokenKind.PAREN_L || list[i + 1]!.kind !== TokenKind.PAREN_R) continue;
    if (!executable && !(i >= 2 && list[i - 1]!.kind === TokenKind.NAME && list[i - 2]!.kind === TokenKind.AT)) continue;
    const close = list[i + 1]!;
    out = `${out.slice(0, open.start)} ${out.slice(open.end, close.start)} ${out.slice(close.end)}`;
  }
  return out;
}

/** The tokens of the text up to the first lexical error (and whether one occurred). */
function tokens(text: string): { list: Token[]; lexError: boolean } {
  const lexer = new Lexer(new Source(text));
  const list: Token[] = [];
  try {
    for (let t = lexer.advance(); t.kind !== TokenKind.EOF; t = lexer.advance()) list.push(t);
  } catch {
    return { list, lexError: true };
  }
  return { list, lexError: false };
}

/** Column of a token as gqlparser reports it: string tokens start after their opening quotes. */
function gqlColumn(t: Token): number {
  if (t.kind === TokenKind.STRING) return t.column + 1;
  if (t.kind === TokenKind.BLOCK_STRING) return t.column + 3;
  return t.column;
}

function describe(t: Token): string {
  if (t.kind === TokenKind.STRING || t.kind === TokenKind.BLOCK_STRING) return `String ${JSON.stringify(t.value)}`;
  if (t.kind === TokenKind.NAME || t.kind === TokenKind.INT || t.kind === TokenKind.FLOAT) {
    return `${t.kind} ${JSON.stringify(t.value)}`;
  }
  return t.kind;
}

function syntaxError(text: string, err: GraphQLError): GqlSyntaxError {
  const loc = err.locations?.[0] ?? { line: 1, column: 1 };
  const { list, lexError } = tokens(text);
  const index = list.findIndex((t) => t.line === loc.line && t.column === loc.column);
  const token = index >= 0 ? list[index] : undefined;
  const previous = index > 0 ? list[index - 1] : undefined;
  if (token === undefined && lexError && list.every((t) => t.line < loc.line || (t.line === loc.line && t.column < loc.column))) {
    return new GqlSyntaxError("Unexpected <Invalid>", loc);
  }
  let message = err.message.replace(/^Syntax Error: /, "").replace(/\.$/, "");
  // graphql-js quotes punctuators ("}"); gqlparser does not.
  message = message.replace(/"([^"]{1,3})"/g, (whole, p: string) => (PUNCTUATORS.has(p) ? p : whole));
  if (message.startsWith("Unexpected description") && token) {
    return new GqlSyntaxError(`Unexpected ${describe(token)}`, { line: token.line, column: gqlColumn(token) });
  }
  const empty = /^Expected Name, found ([})])$/.exec(message);
  if (empty && previous && previous.kind === OPENER[empty[1]!]) {
    message = `expected at least one definition, found ${empty[1]}`;
  }
  if (token && (token.kind === TokenKind.STRING || token.kind === TokenKind.BLOCK_STRING)) {
    return new GqlSyntaxError(message, { line: token.line, column: gqlColumn(token) });
  }
  return new GqlSyntaxError(message, loc);
}

/** gqlparser's error for a definition of the wrong sort of document: its first token is unexpected. */
function unexpectedAt(text: string, def: DefinitionNode): GqlSyntaxError {
  const start = def.loc?.startToken;
  if (!start) return new GqlSyntaxError("Unexpected <Invalid>", { line: 1, column: 1 });
  const token = tokens(text).list.find((t) => t.start === start.start) ?? start;
  // A description is read first and then the keyword after it is the unexpected token.
  let t: Token = token;
  if ((t.kind === TokenKind.STRING || t.kind === TokenKind.BLOCK_STRING) && t.next) t = t.next;
  return new GqlSyntaxError(`Unexpected ${describe(t)}`, { line: t.line, column: gqlColumn(t) });
}

// ---------------------------------------------------------------------------------------------------------
// Printing an AST object back to GraphQL text (for AST objects given as operands)

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function arr(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : [];
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function printString(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function printBlockString(s: string): string {
  return `"""${s.replace(/"""/g, '\\"""')}"""`;
}

function printDescription(v: unknown): string {
  const d = str(v);
  return d === "" ? "" : `${printString(d)} `;
}

function printValue(v: unknown): string {
  const o = obj(v);
  const raw = str(o.Raw);
  switch (o.Kind) {
    case VALUE_KIND.Variable:
      return `$${raw}`;
    case VALUE_KIND.String:
      return printString(raw);
    case VALUE_KIND.Block:
      return printBlockString(raw);
    case VALUE_KIND.List:
      return `[${arr(o.Children)
        .map((c) => printValue(c.Value))
        .join(", ")}]`;
    case VALUE_KIND.Object:
      return `{${arr(o.Children)
        .map((c) => `${str(c.Name)}: ${printValue(c.Value)}`)
        .join(", ")}}`;
    default:
      return raw;
  }
}

function printType(v: unknown): string {
  const o = obj(v);
  const inner = o.Elem !== undefined && o.Elem !== null ? `[${printType(o.Elem)}]` : str(o.NamedType);
  return o.NonNull === true ? `${inner}!` : inner;
}

function printArguments(v: unknown): string {
  const list = arr(v);
  return list.length === 0 ? "" : `(${list.map((a) => `${str(a.Name)}: ${printValue(a.Value)}`).join(", ")})`;
}

function printDirectives(v: unknown): string {
  return arr(v)
    .map((d) => ` @${str(d.Name)}${printArguments(d.Arguments)}`)
    .join("");
}

function printSelections(v: unknown): string {
  const list = arr(v);
  if (list.length === 0) return "";
  const items = list.map((s) => {
    if ("Alias" in s || "Arguments" in s || ("Name" in s && "SelectionSet" in s)) {
      const name = str(s.Name);
      const alias = str(s.Alias);
      const head = alias !== "" && alias !== name ? `${alias}: ${name}` : name;
      return `${head}${printArguments(s.Arguments)}${printDirectives(s.Directives)}${printSelections(s.SelectionSet)}`;
    }
    if ("Name" in s && !("TypeCondition" in s)) return `...${str(s.Name)}${printDirectives(s.Directives)}`;
    const cond = str(s.TypeCondition);
    return `...${cond === "" ? "" : ` on ${cond}`}${printDirectives(s.Directives)}${printSelections(s.SelectionSet)}`;
  });
  return ` { ${items.join(" ")} }`;
}

function printVariableDefinitions(v: unknown): string {
  const list = arr(v);
  if (list.length === 0) return "";
  const items = list.map((d) => {
    const dflt = d.DefaultValue !== undefined && d.DefaultValue !== null ? ` = ${printValue(d.DefaultValue)}` : "";
    return `$${str(d.Variable)}: ${printType(d.Type)}${dflt}${printDirectives(d.Directives)}`;
  });
  return `(${items.join(", ")})`;
}

/** GraphQL text for a query document AST object. */
export function printQueryDocument(doc: unknown): string {
  const o = obj(doc);
  const parts: string[] = [];
  for (const op of arr(o.Operations)) {
    const kind = str(op.Operation) || "query";
    parts.push(
      `${kind} ${str(op.Name)}${printVariableDefinitions(op.VariableDefinitions)}${printDirectives(op.Directives)}${printSelections(op.SelectionSet)}`,
    );
  }
  for (const f of arr(o.Fragments)) {
    parts.push(
      `fragment ${str(f.Name)}${printVariableDefinitions(f.VariableDefinition)} on ${str(f.TypeCondition)}${printDirectives(f.Directives)}${printSelections(f.SelectionSet)}`,
    );
  }
  return parts.join("\n");
}

function printArgumentDefinitions(v: unknown): string {
  const list = arr(v);
  if (list.length === 0) return "";
  return `(${list.map(printInputValue).join(", ")})`;
}

function printInputValue(a: Record<string, unknown>): string {
  const dflt = a.DefaultValue !== undefined && a.DefaultValue !== null ? ` = ${printValue(a.DefaultValue)}` : "";
  return `${printDescription(a.Description)}${str(a.Name)}: ${printType(a.Type)}${dflt}${printDirectives(a.Directives)}`;
}

const KEYWORD: Readonly<Record<string, string>> = {
  SCALAR: "scalar",
  OBJECT: "type",
  INTERFACE: "interface",
  UNION: "union",
  ENUM: "enum",
  INPUT_OBJECT: "input",
};

/** SDL text for one type definition in the AST object shape (`extend` for an extension). */
export function printDefinition(d: Record<string, unknown>, extension: boolean): string {
  const kind = str(d.Kind);
  const head = `${extension ? "extend " : printDescription(d.Description)}${KEYWORD[kind] ?? "type"} ${str(d.Name)}`;
  const interfaces = Array.isArray(d.Interfaces) ? d.Interfaces.map(str) : [];
  const impl = interfaces.length > 0 ? ` implements ${interfaces.join(" & ")}` : "";
  const dirs = printDirectives(d.Directives);
  switch (kind) {
    case "SCALAR":
      return `${head}${dirs}`;
    case "UNION": {
      const types = Array.isArray(d.Types) ? d.Types.map(str) : [];
      return `${head}${dirs}${types.length > 0 ? ` = ${types.join(" | ")}` : ""}`;
    }
    case "ENUM": {
      const values = arr(d.EnumValues).map((v) => `${printDescription(v.Description)}${str(v.Name)}${printDirectives(v.Directives)}`);
      return `${head}${dirs}${values.length > 0 ? ` { ${values.join(" ")} }` : ""}`;
    }
    case "INPUT_OBJECT": {
      const fields = arr(d.Fields).map(printInputValue);
      return `${head}${dirs}${fields.length > 0 ? ` { ${fields.join(" ")} }` : ""}`;
    }
    default: {
      const fields = arr(d.Fields).map(
        (f) =>
          `${printDescription(f.Description)}${str(f.Name)}${printArgumentDefinitions(f.Arguments)}: ${printType(f.Type)}${printDirectives(f.Directives)}`,
      );
      return `${head}${impl}${dirs}${fields.length > 0 ? ` { ${fields.join(" ")} }` : ""}`;
    }
  }
}

function printSchemaDefinition(s: Record<string, unknown>, extension: boolean): string {
  const ops = arr(s.OperationTypes).map((o) => `${str(o.Operation)}: ${str(o.Type)}`);
  const head = extension ? "extend schema" : `${printDescription(s.Description)}schema`;
  return `${head}${printDirectives(s.Directives)}${ops.length > 0 ? ` { ${ops.join(" ")} }` : ""}`;
}

/** SDL text for a directive definition in the AST object shape. */
export function printDirectiveDefinition(d: Record<string, unknown>): string {
  const locations = Array.isArray(d.Locations) ? d.Locations.map(str) : [];
  return `${printDescription(d.Description)}directive @${str(d.Name)}${printArgumentDefinitions(d.Arguments)}${d.IsRepeatable === true ? " repeatable" : ""} on ${locations.join(" | ")}`;
}

/** GraphQL SDL text for a schema document AST object. */
export function printSchemaDocument(doc: unknown): string {
  const o = obj(doc);
  const parts: string[] = [];
  for (const s of arr(o.Schema)) parts.push(printSchemaDefinition(s, false));
  for (const s of arr(o.SchemaExtension)) parts.push(printSchemaDefinition(s, true));
  for (const d of arr(o.Directives)) parts.push(printDirectiveDefinition(d));
  for (const d of arr(o.Definitions)) parts.push(printDefinition(d, false));
  for (const d of arr(o.Extensions)) parts.push(printDefinition(d, true));
  return parts.join("\n");
}
