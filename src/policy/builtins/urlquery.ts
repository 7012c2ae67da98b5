/**
 * `urlquery.encode`, `urlquery.decode`, `urlquery.encode_object` and `urlquery.decode_object`: URL query
 * escaping as Go's net/url does it (space as "+", everything but letters, digits and "-_.~" as %XX), which
 * is what OPA uses.
 */

import { HostBuiltinError } from "../policy-error";
import { stringOperand, typeError, type HostBuiltinFamily } from "./operands";

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const HEX = "0123456789ABCDEF";

function isUnreserved(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
  );
}

/** A query component escaped: UTF-8 bytes other than letters, digits and "-_.~" as %XX, space as "+". */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of utf8.encode(s)) {
    if (isUnreserved(b)) out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** Reverses queryEscape; a "%" not followed by two hex digits is an error naming it as Go does. */
function queryUnescape(builtin: string, s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%") {
      if (!isHex(s[i + 1]) || !isHex(s[i + 2])) {
        throw new HostBuiltinError("eval_builtin_error", builtin, `invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      // Runs of ordinary characters keep their UTF-8 bytes.
      let j = i;
      while (j < s.length && s[j] !== "%" && s[j] !== "+") j++;
      for (const b of utf8.encode(s.slice(i, j))) bytes.push(b);
      i = j - 1;
    }
  }
  return fromUtf8.decode(new Uint8Array(bytes));
}

/** Orders strings by their UTF-8 bytes, as Go sorts them. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function encodeObject(operand: unknown): string {
  const name = "urlquery.encode_object";
  if (operand === null || typeof operand !== "object" || Array.isArray(operand)) throw typeError(name, 1, operand, "object");
  const params = new Map<string, string[]>();
  for (const [key, value] of Object.entries(operand)) {
    if (typeof value === "string") {
      params.set(key, [value]);
    } else if (Array.isArray(value) && value.every((v): v is string => typeof v === "string")) {
      params.set(key, value);
    } else {
      throw new HostBuiltinError("eval_type_error", name, "operand 1 values must be string, array[string], or set[string]");
    }
  }
  const parts: string[] = [];
  for (const key of [...params.keys()].sort(byteOrder)) {
    const k = queryEscape(key);
    for (const v of params.get(key)!) parts.push(`${k}=${queryEscape(v)}`);
  }
  return parts.join("&");
}

function decodeObject(operand: unknown): Record<string, string[]> {
  const name = "urlquery.decode_object";
  const query = stringOperand(name, 1, operand);
  const params = new Map<string, string[]>();
  // Like Go's url.ParseQuery: every pair is tried; a semicolon error wins over an escape error, else the first.
  let error: HostBuiltinError | null = null;
  for (const pair of query.split("&")) {
    if (pair.includes(";")) {
      error = new HostBuiltinError("eval_builtin_error", name, "invalid semicolon separator in query");
      continue;
    }
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    try {
      const key = queryUnescape(name, eq < 0 ? pair : pair.slice(0, eq));
      const value = queryUnescape(name, eq < 0 ? "" : pair.slice(eq + 1));
      const values = params.get(key);
      if (values === undefined) params.set(key, [value]);
      else values.push(value);
    } catch (err) {
      if (!(err instanceof HostBuiltinError)) throw err;
      error ??= err;
    }
  }
  if (error !== null) throw error;
  return Object.fromEntries(params);
}

/** The urlquery builtins by name. */
export const URLQUERY_BUILTINS: HostBuiltinFamily = {
  "urlquery.encode": (s) => queryEscape(stringOperand("urlquery.encode", 1, s)),
  "urlquery.decode": (s) => queryUnescape("urlquery.decode", stringOperand("urlquery.decode", 1, s)),
  "urlquery.encode_object": encodeObject,
  "urlquery.decode_object": decodeObject,
};
