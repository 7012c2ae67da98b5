/**
 * Validating request bodies against the API's JSON Schemas with ajv, compiled once; a failure becomes a
 * 400 that names the offending field.
 */

import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { pointerToPath, schemaProblems } from "../config/schema-problem";
import { HttpError } from "./http-error";

/** Checks a parsed body; throws HttpError COUNTERSIGN_INVALID_REQUEST, returns the body typed when it passes. */
export type BodyValidator<T> = (body: unknown) => T;

/** A validator for one schema. */
export function createBodyValidator<T>(schema: object): BodyValidator<T> {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (body: unknown): T => {
    if (validate(body)) return body as T;
    const problems = schemaProblems(validate.errors).map((p) => ({ field: p.pointer, message: p.message }));
    const first = problems[0]!;
    const where = first.field === "" ? "the body" : pointerToPath(first.field);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? "" : "s"})` : "";
    throw new HttpError("COUNTERSIGN_INVALID_REQUEST", `invalid request: ${where} ${first.message}${more}`, {
      field: first.field,
      problems,
    });
  };
}
