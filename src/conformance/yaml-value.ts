/**
 * Values read from YAML case files, kept faithful to JSON: integers as bigint so they reach the policy
 * exact, and non-string mapping keys written as their JSON text, as the corpus writes them.
 */

/** A JSON value whose integers may be bigints. */
export type CaseValue = null | boolean | number | bigint | string | CaseValue[] | { [key: string]: CaseValue };

/** Converts what the `yaml` package produced (with `mapAsMap` and `intAsBigInt`) into a CaseValue. */
export function fromYaml(v: unknown): CaseValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(fromYaml);
  if (v instanceof Set) return [...v].map(fromYaml);
  if (v instanceof Map) {
    const out: { [key: string]: CaseValue } = {};
    for (const [k, val] of v) out[keyText(fromYaml(k))] = fromYaml(val);
    return out;
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") {
    const out: { [key: string]: CaseValue } = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = fromYaml(val);
    return out;
  }
  throw new TypeError(`unsupported YAML value: ${String(v)}`);
}

/** A mapping key as a string: strings as they are, anything else as its JSON text. */
function keyText(k: CaseValue): string {
  return typeof k === "string" ? k : jsonText(k);
}

/** Compact JSON text of a value; bigints are written as integer literals. */
export function jsonText(v: CaseValue): string {
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`${v} has no JSON form`);
    return JSON.stringify(v);
  }
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(jsonText).join(",") + "]";
  return (
    "{" +
    Object.entries(v)
      .map(([k, val]) => JSON.stringify(k) + ":" + jsonText(val))
      .join(",") +
    "}"
  );
}

/** The value with bigints turned into numbers, for comparison with what the SDK's JSON.parse returns. */
export function toPlainJson(v: CaseValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toPlainJson);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[k] = toPlainJson(val);
    return out;
  }
  return v;
}
