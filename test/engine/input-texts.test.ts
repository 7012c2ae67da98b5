/**
 * Inputs' JSON texts shared between engines (shadow mode: the live policy and the candidate evaluate the same
 * input): each input is serialised once, and an engine sharing texts answers exactly as one that does not,
 * failures included.
 */

import fc from "fast-check";
import { InputTexts } from "../../src/engine/input-texts";
import { PolicyEngine } from "../../src/engine/policy-engine";
import { RawJson } from "../../src/policy/compiled-policy";
import { decisionPolicy, fixedProvider, loadedFrom } from "./engine-fixtures";

/** Reads the input: allow for `read`, require_approval for `write` (reasons naming the table), else deny. */
const POLICY = decisionPolicy(`
default decision := {"outcome": "deny", "reasons": ["not listed"]}
decision := {"outcome": "allow", "reasons": [sprintf("read %v", [input.action.params.table])]} if input.action.name == "read"
decision := {"outcome": "require_approval", "reasons": ["write"], "approval": {"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 60}} if input.action.name == "write"
decision := {"outcome": "deny", "reasons": ["no input"]} if not input
`);

async function engines(): Promise<{ live: PolicyEngine; candidate: PolicyEngine; plain: PolicyEngine }> {
  const live = await loadedFrom({ "p.rego": POLICY }, { revision: "live" });
  const candidate = await loadedFrom({ "p.rego": POLICY }, { revision: "candidate" });
  const inputTexts = new InputTexts();
  return {
    live: new PolicyEngine(fixedProvider(live), { inputTexts }),
    candidate: new PolicyEngine(fixedProvider(candidate), { inputTexts }),
    plain: new PolicyEngine(fixedProvider(candidate)),
  };
}

/** Strips what differs between engines and runs (the revision, the time taken). */
function answer(d: ReturnType<PolicyEngine["decide"]>): unknown {
  const { evalNs: _evalNs, policy: _policy, ...rest } = d;
  return rest;
}

describe("inputs' texts shared between engines", () => {
  it("serialises a decision input once for every engine that shares the texts", async () => {
    const { live, candidate, plain } = await engines();
    let serialised = 0;
    const input = {
      action: { name: "read", params: { table: "customers" } },
      toJSON: () => (serialised++, { action: { name: "read", params: { table: "customers" } } }),
    };
    expect(live.decide(input).reasons).toEqual(["read customers"]);
    expect(candidate.decide(input).reasons).toEqual(["read customers"]);
    expect(serialised).toBe(1);
    plain.decide(input);
    expect(serialised).toBe(2);
    // Only decisions' inputs are shared: other entrypoints' inputs are serialised for their own evaluation.
    expect(live.evaluateEntrypoint("countersign/decision", input)).toMatchObject({ kind: "value" });
    expect(serialised).toBe(3);
  });

  it("answers every input as an engine that serialises it itself", async () => {
    const { live, candidate, plain } = await engines();
    const inputArb = fc.record({
      action: fc.record({
        name: fc.constantFrom("read", "write", "drop"),
        params: fc.record({ table: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
      }),
      context: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
    });
    fc.assert(
      fc.property(inputArb, (input) => {
        const want = answer(plain.decide(input));
        expect(answer(live.decide(input))).toEqual(want);
        expect(answer(candidate.decide(input))).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it("fails closed on an input that is not JSON, as without shared texts, and answers later inputs", async () => {
    const { live, candidate, plain } = await engines();
    const circular: Record<string, unknown> = { action: { name: "read" } };
    circular["self"] = circular;
    const want = plain.decide(circular);
    expect(want.failure?.code).toBe("COUNTERSIGN_POLICY_ERROR");
    for (const engine of [live, candidate]) {
      const d = engine.decide(circular);
      expect(d.outcome).toBe("deny");
      expect(d.failure).toEqual(want.failure);
    }
    expect(live.decide({ action: { name: "read", params: { table: "t" } } }).outcome).toBe("allow");
  });

  it("hands absent inputs and RawJson to the policy as they are", async () => {
    const { live } = await engines();
    expect(live.decide(undefined).reasons).toEqual(["no input"]);
    expect(live.decide(new RawJson(`{"action": {"name": "read", "params": {"table": 12345678901234567890}}}`)).reasons).toEqual([
      "read 12345678901234567890",
    ]);
    const texts = new InputTexts();
    const raw = new RawJson("{}");
    expect(texts.of(raw)).toBe(raw);
    expect(texts.of(undefined)).toBeUndefined();
    expect(texts.of(7)).toBe(7);
    const input = { a: 1 };
    expect(texts.of(input)).toBe(texts.of(input));
    expect((texts.of(input) as RawJson).text).toBe(`{"a":1}`);
  });
});
