/**
 * The JSON text already written for an object, kept weakly by the object, so that a later writer that
 * accepts any exact JSON text of it (the audit entry's `input`, `src/audit/chain.ts`) reuses the text the
 * policy evaluation wrote (`src/engine/input-texts.ts`) instead of writing the object again. A remembered
 * object must not change afterwards; a text lives exactly as long as its object.
 */

/** A written JSON text (the policy layer's RawJson is one, and is kept as it is, so its holder can be reused). */
export interface JsonText {
  readonly text: string;
}

const texts = new WeakMap<object, JsonText>();

/** Remembers `text` as the JSON text of `value`. */
export function rememberJsonText(value: object, text: JsonText): void {
  texts.set(value, text);
}

/** The JSON text remembered for `value`, if any. */
export function rememberedJsonText(value: unknown): JsonText | undefined {
  return typeof value === "object" && value !== null ? texts.get(value) : undefined;
}
