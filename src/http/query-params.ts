/**
 * Reading query parameters: a parameter given twice, or not of the expected form, is a 400
 * COUNTERSIGN_INVALID_REQUEST naming it (`details.parameter`). Parameters a route does not read are ignored.
 */

import type { Request } from "express";
import { HttpError } from "./http-error";

function single(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalid(name, "must be given once");
  return value;
}

function invalid(name: string, what: string): HttpError {
  return new HttpError("COUNTERSIGN_INVALID_REQUEST", `invalid request: query parameter ${name} ${what}`, { parameter: name });
}

/** A non-negative decimal number (`?wait=2.5`), at most `max`; undefined when absent. */
export function numberParam(req: Request, name: string, max: number): number | undefined {
  const text = single(req, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}(\.\d{1,6})?$/.test(text) || Number(text) > max) throw invalid(name, `must be a number from 0 to ${max}`);
  return Number(text);
}

/** An integer from `min` to `max`; undefined when absent. */
export function integerParam(req: Request, name: string, min: number, max: number): number | undefined {
  const text = single(req, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text) || Number(text) < min || Number(text) > max) throw invalid(name, `must be an integer from ${min} to ${max}`);
  return Number(text);
}

/** One of `allowed`; undefined when absent. */
export function enumParam<T extends string>(req: Request, name: string, allowed: readonly T[]): T | undefined {
  const text = single(req, name);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw invalid(name, `must be one of ${allowed.join(", ")}`);
  return text as T;
}

/** A non-empty string of at most `maxLength` characters; undefined when absent. */
export function stringParam(req: Request, name: string, maxLength: number): string | undefined {
  const text = single(req, name);
  if (text === undefined) return undefined;
  if (text.length === 0 || text.length > maxLength) throw invalid(name, `must be 1 to ${maxLength} characters`);
  return text;
}
