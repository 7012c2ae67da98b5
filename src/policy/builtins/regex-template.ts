/**
 * `regex.template_match(template, value, start, end)`: whether value matches a template whose parts between
 * the one-character delimiters `start` and `end` are regular expressions and whose other text is literal,
 * as OPA's (from gorilla/mux) reads it: the whole value must match, each delimited part is checked as a
 * pattern of its own, and braces that do not balance are an error.
 */

import { cachedGoRegexp, GoRegexpError } from "../go-regexp";
import { stringOperand, type HostBuiltinFamily } from "./operands";
import { builtinError } from "./values";

const NAME = "regex.template_match";

/** Go's regexp.QuoteMeta: every character special to a pattern gets a backslash. */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** Go's %q of a string (strconv.Quote), for messages. */
function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x07) out += "\\a";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0b) out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The [start, end) offsets of each top-level delimited part; throws on unbalanced delimiters. */
function delimitedParts(template: string, open: string, close: string): [number, number][] {
  const parts: [number, number][] = [];
  let level = 0;
  let from = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === open) {
      level++;
      if (level === 1) from = i;
    } else if (c === close) {
      level--;
      if (level === 0) parts.push([from, i + 1]);
      else if (level < 0) throw builtinError(NAME, `unbalanced braces in ${goQuote(template)}`);
    }
  }
  if (level !== 0) throw builtinError(NAME, `unbalanced braces in ${goQuote(template)}`);
  return parts;
}

/** Compiles a Go pattern, turning its syntax error into the builtin's error. */
function compile(pattern: string): RegExp {
  try {
    return cachedGoRegexp(pattern);
  } catch (err) {
    if (err instanceof GoRegexpError) throw builtinError(NAME, err.message);
    throw err;
  }
}

const templates = new Map<string, RegExp>();

/** The pattern of a template: literal text quoted, each delimited part a group, anchored at both ends. */
function templatePattern(template: string, open: string, close: string): RegExp {
  const key = `${open}${close}${template}`;
  const cached = templates.get(key);
  if (cached !== undefined) return cached;
  let pattern = "^";
  let end = 0;
  for (const [from, to] of delimitedParts(template, open, close)) {
    const inner = template.slice(from + 1, to - 1);
    compile(`^${inner}$`);
    pattern += `${quoteMeta(template.slice(end, from))}(${inner})`;
    end = to;
  }
  pattern += `${quoteMeta(template.slice(end))}$`;
  const re = compile(pattern);
  if (templates.size >= 512) templates.clear();
  templates.set(key, re);
  return re;
}

function templateMatch(template: unknown, value: unknown, start: unknown, end: unknown): boolean {
  const t = stringOperand(NAME, 1, template);
  const v = stringOperand(NAME, 2, value);
  const open = stringOperand(NAME, 3, start);
  const close = stringOperand(NAME, 4, end);
  // Lengths in bytes, as Go measures them; OPA's message for the end delimiter reports the start's length.
  const openBytes = Buffer.byteLength(open);
  if (openBytes !== 1) throw builtinError(NAME, `start delimiter has to be exactly one character long but is ${openBytes} long`);
  if (Buffer.byteLength(close) !== 1)
    throw builtinError(NAME, `end delimiter has to be exactly one character long but is ${openBytes} long`);
  return templatePattern(t, open, close).test(v);
}

/** The family, for host-builtins.ts. */
export const REGEX_TEMPLATE_BUILTINS: HostBuiltinFamily = {
  "regex.template_match": templateMatch,
};
