/**
 * GraphQL schemas checked by the rules of OPA's schema loader (the Go library gqlparser's: extensions of
 * undeclared types are allowed, built-in scalars and directives are implied), and queries validated against
 * them with graphql-js's validation rules.
 */

import {
  GraphQLError,
  Kind,
  buildASTSchema,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";

import {
  positionOf,
  printDefinition,
  setPosition,
  printDirectiveDefinition,
  type GqlArgumentDefinition,
  type GqlDefinition,
  type GqlDirective,
  type GqlDirectiveDefinition,
  type GqlPosition,
  type GqlSchemaDocument,
  type GqlType,
} from "./graphql-ast";

/** A schema rejected by the loader, in gqlparser's wording. */
export class GqlSchemaError extends Error {
  constructor(
    readonly detail: string,
    readonly position: GqlPosition | undefined,
  ) {
    super(`input:${position?.line ?? 0}:${position?.column ?? 0}: ${detail}`);
  }
}

/** A loaded schema: graphql-js's, ready to validate queries against. */
export interface LoadedSchema {
  readonly schema: GraphQLSchema;
}

interface TypeEntry {
  def: GqlDefinition;
  builtIn: boolean;
  extended: boolean;
}

interface DirectiveEntry {
  def: GqlDirectiveDefinition;
  builtIn: boolean;
}

const named = (name: string): GqlType => ({ NamedType: name, NonNull: false });
const nonNull = (name: string): GqlType => ({ NamedType: name, NonNull: true });

/** The directives every schema has (gqlparser's prelude). */
function builtinDirectives(): GqlDirectiveDefinition[] {
  const arg = (name: string, type: GqlType): GqlArgumentDefinition => ({ Description: "", Name: name, Type: type });
  const conditional = ["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"];
  return [
    { Description: "", Name: "include", Arguments: [arg("if", nonNull("Boolean"))], Locations: conditional, IsRepeatable: false },
    { Description: "", Name: "skip", Arguments: [arg("if", nonNull("Boolean"))], Locations: conditional, IsRepeatable: false },
    {
      Description: "",
      Name: "deprecated",
      Arguments: [arg("reason", named("String"))],
      Locations: ["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"],
      IsRepeatable: false,
    },
    { Description: "", Name: "specifiedBy", Arguments: [arg("url", nonNull("String"))], Locations: ["SCALAR"], IsRepeatable: false },
  ];
}

/** The types every schema has: the built-in scalars and the introspection types. */
const BUILTIN_TYPES: readonly (readonly [string, string])[] = [
  ["Int", "SCALAR"],
  ["Float", "SCALAR"],
  ["String", "SCALAR"],
  ["Boolean", "SCALAR"],
  ["ID", "SCALAR"],
  ["__Schema", "OBJECT"],
  ["__Type", "OBJECT"],
  ["__Field", "OBJECT"],
  ["__InputValue", "OBJECT"],
  ["__EnumValue", "OBJECT"],
  ["__Directive", "OBJECT"],
  ["__TypeKind", "ENUM"],
  ["__DirectiveLocation", "ENUM"],
];

const INPUT_KINDS = new Set(["SCALAR", "ENUM", "INPUT_OBJECT"]);
const OUTPUT_FIELD_KINDS = new Set(["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM"]);

function typeName(t: GqlType): string {
  return t.Elem ? typeName(t.Elem) : t.NamedType;
}

function typeString(t: GqlType): string {
  const inner = t.Elem ? `[${typeString(t.Elem)}]` : t.NamedType;
  return t.NonNull ? `${inner}!` : inner;
}

/** gqlparser's compatibility of argument types: the same type, structurally. */
function sameType(a: GqlType, b: GqlType): boolean {
  if (a.NonNull !== b.NonNull || a.NamedType !== b.NamedType) return false;
  if (a.Elem && b.Elem) return sameType(a.Elem, b.Elem);
  return !a.Elem && !b.Elem;
}

class SchemaLoader {
  readonly types = new Map<string, TypeEntry>();
  readonly directives = new Map<string, DirectiveEntry>();
  readonly possibleTypes = new Map<string, string[]>();
  roots: { query?: string; mutation?: string; subscription?: string } = {};

  constructor(private readonly doc: GqlSchemaDocument) {}

  fail(detail: string, node: object | undefined): never {
    throw new GqlSchemaError(detail, node ? positionOf(node) : undefined);
  }

  load(): void {
    for (const [name, kind] of BUILTIN_TYPES) {
      this.types.set(name, { def: { Kind: kind, Description: "", Name: name, BuiltIn: true }, builtIn: true, extended: false });
    }
    for (const def of this.doc.Definitions ?? []) {
      if (this.types.has(def.Name)) this.fail(`Cannot redeclare type ${def.Name}.`, def);
      this.types.set(def.Name, { def: cloneDefinition(def), builtIn: false, extended: false });
    }
    const order = [...this.types.values()];
    for (const ext of this.doc.Extensions ?? []) {
      let entry = this.types.get(ext.Name);
      if (!entry) {
        entry = { def: { Kind: ext.Kind, Description: "", Name: ext.Name, BuiltIn: false }, builtIn: false, extended: true };
        this.types.set(ext.Name, entry);
        order.push(entry);
      }
      if (entry.def.Kind !== ext.Kind) {
        this.fail(`Cannot extend type ${ext.Name} because the base type is a ${entry.def.Kind}, not ${ext.Kind}.`, ext);
      }
      entry.extended = true;
      const d = entry.def;
      d.Directives = [...(d.Directives ?? []), ...(ext.Directives ?? [])];
      d.Interfaces = [...(d.Interfaces ?? []), ...(ext.Interfaces ?? [])];
      d.Fields = [...(d.Fields ?? []), ...(ext.Fields ?? [])];
      d.Types = [...(d.Types ?? []), ...(ext.Types ?? [])];
      d.EnumValues = [...(d.EnumValues ?? []), ...(ext.EnumValues ?? [])];
      if (!positionOf(d)) copyPosition(ext, d);
    }
    for (const { def } of order) {
      const add = (abstract: string, member: string) => {
        const list = this.possibleTypes.get(abstract) ?? [];
        list.push(member);
        this.possibleTypes.set(abstract, list);
      };
      if (def.Kind === "UNION") for (const t of def.Types ?? []) add(def.Name, t);
      if (def.Kind === "OBJECT" || def.Kind === "INPUT_OBJECT" || def.Kind === "INTERFACE") {
        for (const i of def.Interfaces ?? []) add(i, def.Name);
        if (def.Kind !== "INTERFACE") add(def.Name, def.Name);
      }
    }

    for (const d of builtinDirectives()) this.directives.set(d.Name, { def: d, builtIn: true });
    for (const d of this.doc.Directives ?? []) {
      const existing = this.directives.get(d.Name);
      if (existing) {
        if (existing.builtIn) continue; // a schema may restate the built-in directives; the first one stays
        this.fail(`Cannot redeclare directive ${d.Name}.`, d);
      }
      this.directives.set(d.Name, { def: d, builtIn: false });
    }

    const schemas = this.doc.Schema ?? [];
    if (schemas.length > 1) {
      this.fail("Cannot have multiple schema entry points, consider schema extensions instead.", schemas[1]);
    }
    for (const s of [...schemas, ...(this.doc.SchemaExtension ?? [])]) {
      for (const op of s.OperationTypes ?? []) {
        if (!this.types.has(op.Type)) {
          this.fail(`Schema root ${op.Operation} refers to a type ${op.Type} that does not exist.`, op);
        }
        if (op.Operation === "query" || op.Operation === "mutation" || op.Operation === "subscription") {
          this.roots[op.Operation] = op.Type;
        }
      }
    }

    for (const name of [...this.types.keys()].sort()) {
      const entry = this.types.get(name)!;
      if (entry.builtIn && !entry.extended) continue;
      this.validateDefinition(entry);
    }
    for (const name of [...this.directives.keys()].sort()) {
      const entry = this.directives.get(name)!;
      if (entry.builtIn) continue;
      this.validateName(entry.def.Name, entry.def);
      this.validateArguments(entry.def.Arguments ?? [], entry.def);
    }

    if (schemas.length === 0) {
      for (const [op, typeName] of [
        ["query", "Query"],
        ["mutation", "Mutation"],
        ["subscription", "Subscription"],
      ] as const) {
        if (this.roots[op] === undefined && this.types.has(typeName)) this.roots[op] = typeName;
      }
    }
  }

  validateName(name: string, node: object): void {
    if (name.startsWith("__")) {
      this.fail(`Name "${name}" must not begin with "__", which is reserved by GraphQL introspection.`, node);
    }
  }

  validateTypeRef(t: GqlType): TypeEntry {
    const entry = this.types.get(typeName(t));
    if (!entry) this.fail(`Undefined type ${typeName(t)}.`, t);
    return entry;
  }

  validateArguments(args: readonly GqlArgumentDefinition[], current: GqlDirectiveDefinition | undefined): void {
    for (const arg of args) {
      this.validateName(arg.Name, arg);
      const entry = this.validateTypeRef(arg.Type);
      if (!INPUT_KINDS.has(entry.def.Kind)) {
        this.fail(`cannot use ${typeString(arg.Type)} as argument ${arg.Name} because ${entry.def.Kind} is not a valid input type`, arg);
      }
      this.validateDirectives(arg.Directives ?? [], "ARGUMENT_DEFINITION", current);
    }
  }

  validateDirectives(list: readonly GqlDirective[], location: string, current: GqlDirectiveDefinition | undefined): void {
    for (const dir of list) {
      this.validateName(dir.Name, dir);
      if (current && dir.Name === current.Name) this.fail(`Directive ${current.Name} cannot refer to itself.`, dir);
      const def = this.directives.get(dir.Name);
      if (!def) this.fail(`Undefined directive ${dir.Name}.`, dir);
      if (!def.def.Locations.includes(location)) this.fail(`Directive ${dir.Name} is not applicable on ${location}.`, dir);
    }
  }

  validateDefinition({ def, builtIn }: TypeEntry): void {
    const fields = def.Fields ?? [];
    for (const field of fields) {
      this.validateName(field.Name, field);
      this.validateTypeRef(field.Type);
      this.validateArguments(field.Arguments ?? [], undefined);
      this.validateDirectives(
        field.Directives ?? [],
        def.Kind === "INPUT_OBJECT" ? "INPUT_FIELD_DEFINITION" : "FIELD_DEFINITION",
        undefined,
      );
    }
    for (const member of def.Types ?? []) {
      const entry = this.types.get(member);
      if (!entry) this.fail(`Undefined type ${JSON.stringify(member)}.`, def);
      if (entry.def.Kind !== "OBJECT") this.fail(`${def.Kind} type ${JSON.stringify(member)} must be OBJECT.`, def);
    }
    for (const intf of def.Interfaces ?? []) this.validateImplements(def, intf);

    switch (def.Kind) {
      case "OBJECT":
      case "INTERFACE":
        if (fields.length === 0) this.fail(`${def.Kind} ${def.Name}: must define one or more fields.`, def);
        for (const field of fields) {
          const t = this.types.get(typeName(field.Type));
          if (t && !OUTPUT_FIELD_KINDS.has(t.def.Kind)) {
            this.fail(`${def.Kind} ${def.Name}: field must be one of SCALAR, OBJECT, INTERFACE, UNION, ENUM.`, field);
          }
        }
        break;
      case "ENUM": {
        const values = def.EnumValues ?? [];
        if (values.length === 0) this.fail(`${def.Kind} ${def.Name}: must define one or more unique enum values.`, def);
        for (const v of values) {
          if (v.Name === "true" || v.Name === "false" || v.Name === "null") {
            this.fail(`${def.Kind} ${def.Name}: non-enum value ${v.Name}.`, def);
          }
        }
        break;
      }
      case "INPUT_OBJECT":
        if (fields.length === 0) this.fail(`${def.Kind} ${def.Name}: must define one or more input fields.`, def);
        for (const field of fields) {
          const t = this.types.get(typeName(field.Type));
          if (t && !INPUT_KINDS.has(t.def.Kind)) {
            this.fail(`${t.def.Kind} ${field.Name}: field must be one of SCALAR, ENUM, INPUT_OBJECT.`, field);
          }
        }
        break;
    }

    for (let i = 0; i < fields.length; i++) {
      for (let j = i + 1; j < fields.length; j++) {
        if (fields[i]!.Name === fields[j]!.Name) this.fail(`Field ${def.Name}.${fields[j]!.Name} can only be defined once.`, fields[j]);
      }
    }
    if (!builtIn) this.validateName(def.Name, def);
    this.validateDirectives(def.Directives ?? [], def.Kind, undefined);
  }

  validateImplements(def: GqlDefinition, intfName: string): void {
    const intf = this.types.get(intfName)?.def;
    if (!intf) this.fail(`Undefined type ${JSON.stringify(intfName)}.`, def);
    if (intf.Kind !== "INTERFACE") this.fail(`${JSON.stringify(intfName)} is a non interface type ${intf.Kind}.`, def);
    for (const required of intf.Fields ?? []) {
      const found = (def.Fields ?? []).find((f) => f.Name === required.Name);
      if (!found) this.fail(`For ${def.Name} to implement ${intf.Name} it must have a field called ${required.Name}.`, def);
      if (!this.covariant(required.Type, found.Type)) {
        this.fail(
          `For ${def.Name} to implement ${intf.Name} the field ${required.Name} must have type ${typeString(required.Type)}.`,
          found,
        );
      }
      for (const reqArg of required.Arguments ?? []) {
        const arg = (found.Arguments ?? []).find((a) => a.Name === reqArg.Name);
        if (!arg) {
          this.fail(
            `For ${def.Name} to implement ${intf.Name} the field ${required.Name} must have the same arguments but it is missing ${reqArg.Name}.`,
            found,
          );
        }
        if (!sameType(reqArg.Type, arg.Type)) {
          this.fail(
            `For ${def.Name} to implement ${intf.Name} the field ${required.Name} must have the same arguments but ${reqArg.Name} has the wrong type.`,
            arg,
          );
        }
      }
      for (const arg of found.Arguments ?? []) {
        const declared = (required.Arguments ?? []).some((a) => a.Name === arg.Name);
        if (!declared && arg.Type.NonNull && arg.DefaultValue === undefined) {
          this.fail(
            `For ${def.Name} to implement ${intf.Name} any additional arguments on ${found.Name} must be optional or have a default value but ${arg.Name} is required.`,
            arg,
          );
        }
      }
    }
    for (const transitive of intf.Interfaces ?? []) {
      if ((def.Interfaces ?? []).includes(transitive)) continue;
      if (transitive === def.Name) {
        this.fail(`Type ${def.Name} cannot implement ${intfName} because it would create a circular reference.`, def);
      }
      this.fail(`Type ${def.Name} must implement ${transitive} because it is implemented by ${intfName}.`, def);
    }
  }

  covariant(required: GqlType, actual: GqlType): boolean {
    if (required.NonNull && !actual.NonNull) return false;
    if (required.NamedType !== "") {
      if (required.NamedType === actual.NamedType) return true;
      return (this.possibleTypes.get(required.NamedType) ?? []).includes(actual.NamedType);
    }
    if (required.Elem && !actual.Elem) return false;
    return required.Elem !== undefined && actual.Elem !== undefined && this.covariant(required.Elem, actual.Elem);
  }

  /** SDL for graphql-js: the merged user types and directives, and the root operation types. */
  sdl(): string {
    const parts: string[] = [];
    const roots = Object.entries(this.roots).map(([op, t]) => `${op}: ${t}`);
    if (roots.length > 0) parts.push(`schema { ${roots.join(" ")} }`);
    for (const { def, builtIn } of this.types.values()) {
      if (!builtIn) parts.push(printDefinition(def as unknown as Record<string, unknown>, false));
    }
    for (const { def, builtIn } of this.directives.values()) {
      if (!builtIn) parts.push(printDirectiveDefinition(def as unknown as Record<string, unknown>));
    }
    return parts.join("\n");
  }
}

function cloneDefinition(def: GqlDefinition): GqlDefinition {
  const copy = { ...def };
  copyPosition(def, copy);
  return copy;
}

function copyPosition(from: object, to: object): void {
  const p = positionOf(from);
  if (p) setPosition(to, p);
}

/** Checks a schema by gqlparser's rules and builds graphql-js's schema from it, or throws GqlSchemaError. */
export function loadSchema(doc: GqlSchemaDocument): LoadedSchema {
  const loader = new SchemaLoader(doc);
  loader.load();
  const sdl = loader.sdl();
  const schema = buildASTSchema(sdl === "" ? { kind: Kind.DOCUMENT, definitions: [] } : parse(sdl), {
    assumeValid: true,
    assumeValidSDL: true,
  });
  return { schema };
}

/** gqlparser's rule that an operation's root type exists (graphql-js leaves this to execution). */
const KnownRootTypeRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    const root =
      node.operation === "query"
        ? schema.getQueryType()
        : node.operation === "mutation"
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    if (!root) context.reportError(new GraphQLError(`Schema does not support operation type "${node.operation}"`, { nodes: node }));
  },
});

/** A query rejected by validation: the first error, in OPA's wording. */
export class GqlValidationError extends Error {}

/** Validates a query against a loaded schema, throwing the first error. */
export function validateQuery(loaded: LoadedSchema, query: DocumentNode): void {
  const errors = validate(loaded.schema, query, [KnownRootTypeRule, ...specifiedRules]);
  const first = errors[0];
  if (first) {
    const loc = first.locations?.[0] ?? { line: 0, column: 0 };
    const message = first.message.replace(/\.$/, "");
    throw new GqlValidationError(`${message} in GraphQL query string at location ${loc.line}:${loc.column}`);
  }
}
