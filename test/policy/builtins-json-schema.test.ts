/** json.verify_schema and json.match_schema, on one reused instance. */

import { loadTestPolicy, type TestPolicy } from "./host-builtin-policy";

let p: TestPolicy;
let strict: TestPolicy;

const RULES = `
verify := json.verify_schema(input.schema)
match := json.match_schema(input.doc, input.schema)
`;

beforeAll(async () => {
  p = await loadTestPolicy(RULES, ["verify", "match"]);
  strict = await loadTestPolicy(RULES, ["match"], true);
});

const idSchema = { properties: { id: { type: "integer" } }, required: ["id"] };

it("matches documents and schemas given as values or JSON text", () => {
  expect(p.value("match", { doc: { id: 5 }, schema: idSchema })).toEqual([true, []]);
  expect(p.value("match", { doc: '{"id": 5}', schema: idSchema })).toEqual([true, []]);
  expect(p.value("match", { doc: { id: 5 }, schema: JSON.stringify(idSchema) })).toEqual([true, []]);
});

it("reports mismatches in OPA's shape", () => {
  expect(p.value("match", { doc: { id: "foo" }, schema: idSchema })).toEqual([
    false,
    [
      {
        desc: "Invalid type. Expected: integer, given: string",
        error: "id: Invalid type. Expected: integer, given: string",
        field: "id",
        type: "invalid_type",
      },
    ],
  ]);
  expect(p.value("match", { doc: {}, schema: idSchema })).toEqual([
    false,
    [{ desc: "id is required", error: "(root): id is required", field: "(root)", type: "required" }],
  ]);
  const nested = { properties: { a: { properties: { b: { type: "string", minLength: 3 } } } } };
  expect(p.value("match", { doc: { a: { b: "x" } }, schema: nested })).toEqual([
    false,
    [
      {
        desc: "String length must be greater than or equal to 3",
        error: "a.b: String length must be greater than or equal to 3",
        field: "a.b",
        type: "string_gte",
      },
    ],
  ]);
});

it("rejects everything with an empty enum", () => {
  const r = p.value("match", { doc: { value: "allow" }, schema: { enum: [] } }) as unknown[];
  expect(r[0]).toBe(false);
});

it("reports only the combinator for anyOf", () => {
  const r = p.value("match", { doc: 1.5, schema: { anyOf: [{ type: "string" }, { type: "integer" }] } }) as [boolean, { type: string }[]];
  expect(r[0]).toBe(false);
  expect(r[1].map((e) => e.type)).toEqual(["number_any_of"]);
});

it("verifies schemas", () => {
  expect(p.value("verify", { schema: idSchema })).toEqual([true, null]);
  expect(p.value("verify", { schema: { $schema: "http://json-schema.org/draft-06/schema#", type: "string" } })).toEqual([true, null]);
  expect(p.value("verify", { schema: { properties: { id: { type: "unknown" } } } })).toEqual([
    false,
    "has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]",
  ]);
  const [ok, why] = p.value("verify", { schema: { minLength: "three" } }) as [boolean, string];
  expect(ok).toBe(false);
  expect(why).toMatch(/minLength/);
  expect((p.value("verify", { schema: "{not json" }) as unknown[])[0]).toBe(false);
});

it("raises a builtin error for an invalid schema when matching", () => {
  expect(p.value("match", { doc: {}, schema: { type: "unknown" } })).toBeUndefined();
  expect(() => strict.value("match", { doc: {}, schema: { type: "unknown" } })).toThrow(
    "json.match_schema: has a primitive type that is NOT VALID -- given: /unknown/",
  );
});
