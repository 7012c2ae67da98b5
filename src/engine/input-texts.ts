/**
 * The JSON text of policy inputs, written once per input object and shared by everything that writes the
 * same input: in shadow mode the live policy and the candidate evaluate every decision's input, and the
 * candidate reads the text the live evaluation wrote instead of serialising the input again; the decision's
 * audit entry embeds the same text as its `input` (`src/json/json-text-memo.ts`) when masking changes
 * nothing in it, so the entry records exactly the text the policy evaluated.
 *
 * Texts are keyed by the input object itself, weakly, so a text lives exactly as long as its input. An input
 * must not change once it was evaluated; the decide use case builds a fresh input for every decision and
 * never changes it. Inputs that are not objects (absent, a number) and RawJson pass through as they are.
 */

import { rememberJsonText, rememberedJsonText } from "../json/json-text-memo";
import { RawJson, toRawJson } from "../policy/compiled-policy";

/** Serialised inputs, shared between engines (PolicyEngineOptions.inputTexts). */
export class InputTexts {
  /**
   * The input as the policy is handed it: its JSON text, serialised on first sight and kept in the shared
   * memo (`json-text-memo.ts`, the one place an input's text is kept). Throws PolicyError
   * (COUNTERSIGN_POLICY_BAD_DOCUMENT) for an input that is not JSON, as the evaluation would.
   */
  of(input: unknown): unknown {
    if (typeof input !== "object" || input === null || input instanceof RawJson) return input;
    const kept = rememberedJsonText(input);
    if (kept instanceof RawJson) return kept;
    const text = toRawJson(input, "input");
    rememberJsonText(input, text);
    return text;
  }
}
