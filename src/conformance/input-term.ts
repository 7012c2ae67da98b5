/**
 * A case's `input_term` (a Rego term written as text) as JSON text for the policy's input.
 *
 * Only constant terms qualify. Sets become arrays, object keys that are not strings become their JSON
 * text, and number literals keep their digits so large integers reach the policy exact.
 */

import type { Term } from "../compiler/ast";

/** The term is not a constant value. */
export class InputTermError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputTermError";
  }
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** JSON text of a constant term. Throws InputTermError for variables, references, calls, comprehensions. */
export function termToJsonText(t: Term): string {
  switch (t.kind) {
    case "null":
      return "null";
    case "boolean":
      return t.value ? "true" : "false";
    case "number": {
      if (JSON_NUMBER.test(t.text)) return t.text;
      const n = Number(t.text);
      if (!Number.isFinite(n)) throw new InputTermError(`number ${t.text} has no JSON form`);
      return JSON.stringify(n);
    }
    case "string":
      return JSON.stringify(t.value);
    case "array":
    case "set":
      return "[" + t.items.map(termToJsonText).join(",") + "]";
    case "object":
      return (
        "{" +
        t.entries.map(([k, v]) => JSON.stringify(k.kind === "string" ? k.value : termToJsonText(k)) + ":" + termToJsonText(v)).join(",") +
        "}"
      );
    default:
      throw new InputTermError(`input_term must be a constant value, but has a ${t.kind} at ${t.loc.line}:${t.loc.col}`);
  }
}
