/**
 * uuid.rfc4122 and uuid.parse, compiled into a policy and evaluated many times on one instance.
 */

import { RawJson, type CompiledPolicy } from "../../src/policy/compiled-policy";
import { loadRego, valueOf } from "./host-builtin-policy";

const MODULE = `package t
import rego.v1

id := uuid.rfc4122(input.seed)
same if uuid.rfc4122(input.seed) == uuid.rfc4122(input.seed)
distinct := count({uuid.rfc4122(s) | some s in input.seeds})
repeated := count({uuid.rfc4122("key") | numbers.range(1, 100)[_]})
parsed := uuid.parse(input.id)
time_is if uuid.parse(input.id).time == input.want
`;

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let policy: CompiledPolicy;

beforeAll(async () => {
  policy = await loadRego(MODULE, ["id", "same", "distinct", "repeated", "parsed", "time_is"]);
});

describe("uuid.rfc4122", () => {
  it("is a version 4 UUID, the same for the same seed within an evaluation", () => {
    expect(valueOf(policy, "t/id", { seed: "a" })).toMatch(V4);
    expect(valueOf(policy, "t/same", { seed: "a" })).toBe(true);
    expect(valueOf(policy, "t/repeated", {})).toBe(1);
    expect(valueOf(policy, "t/distinct", { seeds: ["a", "b", "c", "a"] })).toBe(3);
  });

  it("is new in each evaluation on the same instance", () => {
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) seen.add(valueOf(policy, "t/id", { seed: "same seed" }));
    expect(seen.size).toBe(200);
  });
});

describe("uuid.parse", () => {
  it.each([
    ["00000000-0000-4000-8000-000000000000", { variant: "RFC4122", version: 4 }],
    ["{00000000-0000-4000-8000-000000000000}", { variant: "RFC4122", version: 4 }],
    ["38074da4-0b00-388d-9c3c-362de965547a", { variant: "RFC4122", version: 3 }],
    ["6bea8ef2d3d33cd184e09bab06a52ece", { variant: "RFC4122", version: 3 }],
    ["6BEA8EF2-D3D3-5CD1-C4E0-9BAB06A52ECE", { variant: "Microsoft", version: 5 }],
    ["00000000-0000-0000-0000-000000000000", { variant: "Reserved", version: 0 }],
    [
      "000003e8-48b9-21ee-b200-325096b39f47",
      {
        clocksequence: 12800,
        domain: "Person",
        id: 1000,
        macvariables: "local:unicast",
        nodeid: "32-50-96-b3-9f-47",
        time: 1693566990121469600,
        variant: "RFC4122",
        version: 2,
      },
    ],
    [
      "URN:uuid:000003e8-48b9-21ee-b200-325096b39f47",
      {
        clocksequence: 12800,
        domain: "Person",
        id: 1000,
        macvariables: "local:unicast",
        nodeid: "32-50-96-b3-9f-47",
        time: 1693566990121469600,
        variant: "RFC4122",
        version: 2,
      },
    ],
    [
      "c232ab00-9414-11ec-b3c8-9f6bdeced846",
      {
        clocksequence: 13256,
        macvariables: "local:multicast",
        nodeid: "9f-6b-de-ce-d8-46",
        time: 1645557742000000000,
        variant: "RFC4122",
        version: 1,
      },
    ],
  ])("uuid.parse(%j) is %j", (id, want) => {
    expect(valueOf(policy, "t/parsed", { id })).toEqual(want);
  });

  it("keeps every digit of the time", () => {
    const input = (want: string): RawJson => new RawJson(`{"id":"000003e8-48b9-21ee-b200-325096b39f47","want":${want}}`);
    expect(valueOf(policy, "t/time_is", input("1693566990121469600"))).toBe(true);
    expect(valueOf(policy, "t/time_is", input("1693566990121469601"))).toBeUndefined();
  });

  it.each([
    [123],
    ["not-a-uuid"],
    ["00000000-0000-4000-8000-00000000000g"],
    ["00000000-0000-4000-8000+000000000000"],
    ["{00000000-0000-4000-8000-000000000000"],
  ])("uuid.parse(%j) is undefined", (id) => {
    expect(valueOf(policy, "t/parsed", { id })).toBeUndefined();
  });
});
