/**
 * The graphql built-ins, compiled into Rego policies and evaluated on one reused policy instance, as the
 * service does: OPA's AST objects, validity answers, and errors in OPA's wording.
 */

import { compile } from "../../src/compiler/compile";
import { loadCompiledPolicy, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { PolicyEvalError } from "../../src/policy/policy-error";

const POLICY = `package g
import rego.v1

query_ast := graphql.parse_query(input.query)

schema_ast := graphql.parse_schema(input.schema)

parsed := graphql.parse(input.query, input.schema)

verified := graphql.parse_and_verify(input.query, input.schema)

valid := graphql.is_valid(input.query, input.schema)

schema_valid := graphql.schema_is_valid(input.schema)

# AST objects are accepted where text is.
round_trip if {
	q := graphql.parse_query(input.query)
	s := graphql.parse_schema(input.schema)
	[q, s] == graphql.parse(q, s)
}

valid_from_objects := graphql.is_valid(graphql.parse_query(input.query), graphql.parse_schema(input.schema))

# A policy that allows a query only when it selects no forbidden field.
forbidden := {"salary"}

deny contains name if {
	some op in graphql.parse_query(input.query).Operations
	walk(op, [_, node])
	name := node.Name
	forbidden[name]
}
`;

const ENTRYPOINTS = [
  "g/query_ast",
  "g/schema_ast",
  "g/parsed",
  "g/verified",
  "g/valid",
  "g/schema_valid",
  "g/round_trip",
  "g/valid_from_objects",
  "g/deny",
];

function build(strict: boolean): Uint8Array {
  const result = compile({ modules: [{ file: "g.rego", text: POLICY }], entrypoints: ENTRYPOINTS, strictBuiltinErrors: strict });
  if (!result.ok) throw new Error(`the test policy does not compile: ${JSON.stringify(result.diagnostics)}`);
  return result.wasm;
}

const SCHEMA = `
  type Employee {
    id: String!
    salary: Int!
  }
  schema {
    query: Query
  }
  type Query {
    employeeByID(id: String): Employee
  }
`;

let policy: CompiledPolicy;
let strict: CompiledPolicy;

beforeAll(async () => {
  policy = await loadCompiledPolicy(build(false));
  strict = await loadCompiledPolicy(build(true), undefined, { strictBuiltinErrors: true });
});

function one(entrypoint: string, input: unknown): unknown {
  const rs = policy.evaluate(entrypoint, input);
  return rs.length === 0 ? undefined : rs[0]!.result;
}

function strictError(entrypoint: string, input: unknown): PolicyEvalError {
  try {
    strict.evaluate(entrypoint, input);
  } catch (err) {
    if (err instanceof PolicyEvalError) return err;
    throw err;
  }
  throw new Error(`${entrypoint} did not fail`);
}

describe("graphql.parse_query", () => {
  it("returns gqlparser's AST shape without positions, nulls or empty lists", () => {
    expect(
      one("g/query_ast", {
        query: `query hero($ep: Episode! = JEDI) { hero(episode: $ep, n: [1, 2.5], o: {a: "x", b: null}) { name ... on Droid { id } ...F } }`,
      }),
    ).toEqual({
      Operations: [
        {
          Name: "hero",
          Operation: "query",
          VariableDefinitions: [
            {
              Variable: "ep",
              Type: { NamedType: "Episode", NonNull: true },
              DefaultValue: { Raw: "JEDI", Kind: 7, ExpectedTypeHasDefault: false },
              Used: false,
            },
          ],
          SelectionSet: [
            {
              Alias: "hero",
              Name: "hero",
              Arguments: [
                { Name: "episode", Value: { Raw: "ep", Kind: 0, ExpectedTypeHasDefault: false } },
                {
                  Name: "n",
                  Value: {
                    Raw: "",
                    Kind: 8,
                    ExpectedTypeHasDefault: false,
                    Children: [
                      { Name: "", Value: { Raw: "1", Kind: 1, ExpectedTypeHasDefault: false } },
                      { Name: "", Value: { Raw: "2.5", Kind: 2, ExpectedTypeHasDefault: false } },
                    ],
                  },
                },
                {
                  Name: "o",
                  Value: {
                    Raw: "",
                    Kind: 9,
                    ExpectedTypeHasDefault: false,
                    Children: [
                      { Name: "a", Value: { Raw: "x", Kind: 3, ExpectedTypeHasDefault: false } },
                      { Name: "b", Value: { Raw: "null", Kind: 6, ExpectedTypeHasDefault: false } },
                    ],
                  },
                },
              ],
              SelectionSet: [
                { Alias: "name", Name: "name" },
                { TypeCondition: "Droid", SelectionSet: [{ Alias: "id", Name: "id" }] },
                { Name: "F" },
              ],
            },
          ],
        },
      ],
    });
  });

  it("answers many queries in a row on one instance", () => {
    for (let i = 0; i < 200; i++) {
      const field = `f${i}`;
      expect(one("g/query_ast", { query: `{ ${field} }` })).toEqual({
        Operations: [{ Name: "", Operation: "query", SelectionSet: [{ Alias: field, Name: field }] }],
      });
      expect(one("g/query_ast", { query: "{" })).toBeUndefined();
    }
  });

  it("reports syntax errors in gqlparser's wording", () => {
    expect(strictError("g/query_ast", { query: "{ a " }).message).toBe(
      "graphql.parse_query: Expected Name, found <EOF> in GraphQL string at location 1:5",
    );
    expect(strictError("g/query_ast", { query: "{}" }).message).toBe(
      "graphql.parse_query: expected at least one definition, found } in GraphQL string at location 1:2",
    );
    expect(strictError("g/query_ast", { query: "type A { a: Int }" }).message).toBe(
      'graphql.parse_query: Unexpected Name "type" in GraphQL string at location 1:1',
    );
  });

  it("accepts empty argument lists as gqlparser does", () => {
    expect(one("g/query_ast", { query: "query Q() { a() @d() }" })).toEqual({
      Operations: [{ Name: "Q", Operation: "query", SelectionSet: [{ Alias: "a", Name: "a", Directives: [{ Name: "d", Location: "" }] }] }],
    });
    expect(strictError("g/schema_ast", { schema: "type A { a(): Int }" }).message).toBe(
      "graphql.parse_schema: expected at least one definition, found ) in GraphQL string at location 1:12",
    );
  });

  it("reads an empty document as empty", () => {
    expect(one("g/query_ast", { query: "  # nothing\n" })).toEqual({});
  });
});

describe("graphql.parse_schema", () => {
  it("returns definitions, extensions, directives and schema entries", () => {
    const ast = one("g/schema_ast", {
      schema: `"""Doc"""
        type A implements I @deprecated { a(x: Int = 1): [String!] }
        extend enum E { X }
        directive @d repeatable on FIELD | QUERY
        schema { query: A }`,
    });
    expect(ast).toEqual({
      Definitions: [
        {
          BuiltIn: false,
          Description: "Doc",
          Kind: "OBJECT",
          Name: "A",
          Interfaces: ["I"],
          Directives: [{ Name: "deprecated", Location: "" }],
          Fields: [
            {
              Description: "",
              Name: "a",
              Arguments: [
                {
                  Description: "",
                  Name: "x",
                  Type: { NamedType: "Int", NonNull: false },
                  DefaultValue: { Raw: "1", Kind: 1, ExpectedTypeHasDefault: false },
                },
              ],
              Type: { NamedType: "", NonNull: false, Elem: { NamedType: "String", NonNull: true } },
            },
          ],
        },
      ],
      Extensions: [{ BuiltIn: false, Description: "", Kind: "ENUM", Name: "E", EnumValues: [{ Description: "", Name: "X" }] }],
      Directives: [{ Description: "", Name: "d", Locations: ["FIELD", "QUERY"], IsRepeatable: true }],
      Schema: [{ Description: "", OperationTypes: [{ Operation: "query", Type: "A" }] }],
    });
  });

  it("reports syntax errors in gqlparser's wording", () => {
    expect(strictError("g/schema_ast", { schema: "type Hello {}" }).message).toBe(
      "graphql.parse_schema: expected at least one definition, found } in GraphQL string at location 1:13",
    );
    expect(strictError("g/schema_ast", { schema: '\n  "D"\n  extend type A { a: Int }' }).message).toBe(
      'graphql.parse_schema: Unexpected String "D" in GraphQL string at location 2:4',
    );
    expect(strictError("g/schema_ast", { schema: "{ a }" }).message).toBe(
      "graphql.parse_schema: Unexpected { in GraphQL string at location 1:1",
    );
  });
});

describe("graphql.schema_is_valid", () => {
  it.each([
    [SCHEMA, true],
    ["extend type Query { a: Int }", true],
    ["type Query { a: Undefined }", false],
    ["union U = A", false],
    ["schema { query: Query }", false],
    ["interface I { id: ID! } interface J implements I { id: ID! } type A implements J { id: ID! }", false],
    ["interface I { id: ID! } interface J implements I { id: ID! } type A implements J & I { id: ID! }", true],
    ["input I { o: O } type O { a: Int }", false],
    ["scalar String", false],
    ["type Query { a(x: Query): Int }", false],
    ["extend scalar Foo @deprecated", false],
    ["type Query { a: Int @deprecated }", true],
    ["type Query { __a: Int }", false],
    ["type Query { a: Int a: String }", false],
    ["directive @x(a: Int @x) on ARGUMENT_DEFINITION", false],
    ["type {", false],
  ])("schema_is_valid(%j) is %j", (schema, want) => {
    expect(one("g/schema_valid", { schema })).toBe(want);
  });
});

describe("graphql.is_valid, graphql.parse_and_verify, graphql.parse", () => {
  it.each([
    [`{ employeeByID(id: "alice") { salary } }`, true],
    [`{ employeeByID(id: "alice") { nope } }`, false],
    [`{ employeeByID(id: 1) { id } }`, false],
    [`{ employeeByID(id: "a") }`, false],
    [`query Q($x: Int) { employeeByID(id: "a") { id } }`, false],
    [`mutation { x }`, false],
    [`{`, false],
  ])("is_valid(%j) is %j", (query, want) => {
    expect(one("g/valid", { query, schema: SCHEMA })).toBe(want);
    expect(one("g/valid_from_objects", { query, schema: SCHEMA })).toBe(want === true ? true : query === "{" ? undefined : false);
    const verified = one("g/verified", { query, schema: SCHEMA }) as unknown[];
    expect(verified[0]).toBe(want);
    if (!want) expect(verified.slice(1)).toEqual([{}, {}]);
  });

  it("parse returns both ASTs, and reads AST objects back to the same ASTs", () => {
    const input = { query: `query { employeeByID(id: "alice") { salary } }`, schema: SCHEMA };
    const [q, s] = one("g/parsed", input) as unknown[];
    expect(q).toEqual(one("g/query_ast", input));
    expect(s).toEqual(one("g/schema_ast", input));
    expect(one("g/round_trip", input)).toBe(true);
  });

  it("parse raises validation errors in OPA's wording", () => {
    expect(strictError("g/parsed", { query: "{\n  employeeByID { nope }\n}", schema: SCHEMA }).message).toBe(
      'graphql.parse: Cannot query field "nope" on type "Employee" in GraphQL query string at location 2:18',
    );
    expect(strictError("g/parsed", { query: "{ a }", schema: "type Query { a: Undefined }" }).message).toBe(
      "graphql.parse: Error in gqlparser SchemaDocument to Schema conversion: input:1:17: Undefined type Undefined.",
    );
  });

  it("lets a policy inspect the selected fields", () => {
    expect(one("g/deny", { query: `{ employeeByID(id: "a") { salary } }` })).toEqual(["salary"]);
    expect(one("g/deny", { query: `{ employeeByID(id: "a") { id } }` })).toEqual([]);
  });
});
