/**
 * The JSON text of policy inputs, written once per input object and shared by everything that writes the
 * same input: in shadow mode the live policy and the candidate evaluate every decision's input, and the
 * candidate reads the text the live evaluation wrote instead of serialising the input again. Where the
 * audit trail records decisions the text is canonical JSON (`canonicalJsonKept`), so the decision's entry,
 * whose `input` is the same object when masking changes nothing in it, reuses it rather than writing the
 * input a second time; elsewhere it is `JSON.stringify`'s, the faster of the two (a no-op recorder).
 *
 * Texts are keyed by the input object itself, weakly, so a text lives exactly as long as its input. An input
 * must not change once it was evaluated; the decide use case builds a fresh input for every decision and
 * never changes it. Inputs that are not objects (absent, a number) and RawJson pass through as they are.
 */

import { canonicalJsonKept } from "../json/canonical-json";
import { PolicyError } from "../policy/policy-error";
import { RawJson, toRawJson } from "../policy/compiled-policy";

/** Serialised inputs, shared between engines (PolicyEngineOptions.inputTexts). */
export class InputTexts {
  private readonly texts = new WeakMap<object, RawJson>();

  /** `canonical`: write canonical JSON and keep it for `canonicalJson` (the audit trail) to reuse. */
  constructor(private readonly opts: { readonly canonical: boolean } = { canonical: true }) {}

  /**
   * The input as the policy is handed it: its JSON text, serialised on first sight. Throws PolicyError
   * (COUNTERSIGN_POLICY_BAD_DOCUMENT) for an input that is not JSON, as the evaluation would.
   */
  of(input: unknown): unknown {
    if (typeof input !== "object" || input === null || input instanceof RawJson) return input;
    let text = this.texts.get(input);
    if (text === undefined) {
      text = this.opts.canonical ? canonicalText(input) : toRawJson(input, "input");
      this.texts.set(input, text);
    }
    return text;
  }
}

/**
 * The input's canonical text, kept; for an input that is not JSON, the PolicyError `toRawJson` raises (so the
 * failure reads the same either way, "circular structure" rather than a stack overflow), or one saying what
 * canonical JSON refuses where `JSON.stringify` would write null (NaN, Infinity).
 */
function canonicalText(input: object): RawJson {
  try {
    return new RawJson(canonicalJsonKept(input));
  } catch (err) {
    toRawJson(input, "input");
    throw new PolicyError("COUNTERSIGN_POLICY_BAD_DOCUMENT", `input is not JSON-serialisable: ${(err as Error).message}`);
  }
}
