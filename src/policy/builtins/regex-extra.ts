/**
 * The regex builtins beyond matching: `regex.replace` (Go's ReplaceAllString, with its `$1` / `${name}`
 * expansion and its rule for empty matches) and `regex.globs_match` (whether two glob-like patterns match
 * at least one common string).
 */

import { cachedGoRegexp, GoRegexpError } from "../go-regexp";
import { stringOperand, type HostBuiltinFamily } from "./operands";
import { builtinError } from "./values";

// ---- regex.replace ----

const globalCache = new Map<RegExp, RegExp>();

/** The global-flag twin of a compiled pattern, cached alongside it. */
function globalTwin(re: RegExp): RegExp {
  let g = globalCache.get(re);
  if (g === undefined) {
    if (globalCache.size >= 512) globalCache.clear();
    g = new RegExp(re.source, `${re.flags}g`);
    globalCache.set(re, g);
  }
  g.lastIndex = 0;
  return g;
}

/** Go's Regexp.Expand of a template for one match: `$n`, `${n}`, `$name`, `${name}`, `$$`. */
function expand(template: string, m: RegExpExecArray): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    let name: string | undefined;
    if (template[i] === "{") {
      const close = template.indexOf("}", i);
      const inner = close < 0 ? "" : template.slice(i + 1, close);
      if (close >= 0 && /^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const word = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (word !== null) {
        name = word[0];
        i += name.length;
      }
    }
    if (name === undefined) {
      // A `$` that starts no valid reference is kept as it is.
      out += "$";
      continue;
    }
    if (/^[0-9]+$/.test(name)) {
      const n = Number(name);
      if (n < m.length) out += m[n] ?? "";
    } else {
      out += m.groups?.[name] ?? "";
    }
  }
  return out;
}

function regexReplace(s: unknown, pattern: unknown, value: unknown): string {
  const text = stringOperand("regex.replace", 1, s);
  const p = stringOperand("regex.replace", 2, pattern);
  const template = stringOperand("regex.replace", 3, value);
  let re: RegExp;
  try {
    re = globalTwin(cachedGoRegexp(p));
  } catch (err) {
    if (err instanceof GoRegexpError) throw builtinError("regex.replace", err.message);
    throw err;
  }
  let out = "";
  let last = 0;
  let prevEnd = -1;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[0].length === 0) {
      // Step over the empty match by one character (a whole code point, as the pattern is Unicode).
      re.lastIndex = end + (text.codePointAt(end)! > 0xffff ? 2 : 1);
      // Go ignores an empty match right after the previous match.
      if (start === prevEnd) continue;
    }
    out += text.slice(last, start) + expand(template, m);
    last = end;
    prevEnd = end;
    if (end >= text.length && m[0].length === 0) break;
  }
  return out + text.slice(last);
}

// ---- regex.globs_match ----

/** A set of code points as sorted, disjoint, inclusive ranges. */
type CharSet = readonly (readonly [number, number])[];

const MAX_CP = 0x10ffff;
const ANY: CharSet = [[0, MAX_CP]];

interface GlobToken {
  readonly chars: CharSet;
  /** How often the token may repeat: exactly once, zero or more, or zero or one (`+` is one then `*`). */
  readonly repeat: "one" | "star" | "optional";
}

function normalise(ranges: [number, number][]): CharSet {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const top = out[out.length - 1];
    if (top !== undefined && r[0] <= top[1] + 1) top[1] = Math.max(top[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

function intersects(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    if (alo <= bhi && blo <= ahi) return true;
    if (ahi < bhi) i++;
    else j++;
  }
  return false;
}

class GlobPatternError extends Error {}

/** Parses a glob of the form the regex builtin accepts: literals, `.`, `[…]`, `\` escapes, `*` `+` `?`. */
function parseGlob(pattern: string): GlobToken[] {
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  const tokens: GlobToken[] = [];
  let i = 0;
  const escaped = (): number => {
    const c = cps[i + 1];
    if (c === undefined) throw new GlobPatternError(`trailing backslash in ${pattern}`);
    i += 2;
    return c;
  };
  while (i < cps.length) {
    const c = cps[i]!;
    let chars: CharSet;
    if (c === 0x2a || c === 0x2b || c === 0x3f) {
      // * + ?
      const prev = tokens[tokens.length - 1];
      if (prev === undefined || prev.repeat !== "one") throw new GlobPatternError(`misplaced repetition in ${pattern}`);
      if (c === 0x2a) tokens[tokens.length - 1] = { chars: prev.chars, repeat: "star" };
      else if (c === 0x3f) tokens[tokens.length - 1] = { chars: prev.chars, repeat: "optional" };
      else tokens.push({ chars: prev.chars, repeat: "star" });
      i++;
      // `+` leaves a starred token last; a further quantifier on it is as misplaced as after `*`.
      continue;
    }
    if (c === 0x2e) {
      chars = ANY;
      i++;
    } else if (c === 0x5c) {
      const e = escaped();
      chars = [[e, e]];
    } else if (c === 0x5b) {
      i++;
      let negated = false;
      if (cps[i] === 0x5e) {
        negated = true;
        i++;
      }
      const ranges: [number, number][] = [];
      let first = true;
      for (;;) {
        const d = cps[i];
        if (d === undefined) throw new GlobPatternError(`unterminated character class in ${pattern}`);
        if (d === 0x5d && !first) {
          i++;
          break;
        }
        first = false;
        let lo: number;
        if (d === 0x5c) lo = escaped();
        else {
          lo = d;
          i++;
        }
        let hi = lo;
        if (cps[i] === 0x2d && cps[i + 1] !== undefined && cps[i + 1] !== 0x5d) {
          i++;
          if (cps[i] === 0x5c) hi = escaped();
          else hi = cps[i++]!;
          if (hi < lo) throw new GlobPatternError(`invalid character class range in ${pattern}`);
        }
        ranges.push([lo, hi]);
      }
      const set = normalise(ranges);
      chars = negated ? complement(set) : set;
    } else {
      chars = [[c, c]];
      i++;
    }
    tokens.push({ chars, repeat: "one" });
  }
  return tokens;
}

/** True when some string matches both globs: a search over pairs of positions in the two token lists. */
function globsIntersect(a: readonly GlobToken[], b: readonly GlobToken[]): boolean {
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width);
  const stack: number[] = [0];
  seen[0] = 1;
  const visit = (i: number, j: number): void => {
    const k = i * width + j;
    if (seen[k] === 0) {
      seen[k] = 1;
      stack.push(k);
    }
  };
  while (stack.length > 0) {
    const k = stack.pop()!;
    const i = Math.floor(k / width);
    const j = k % width;
    if (i === a.length && j === b.length) return true;
    const ta = a[i];
    const tb = b[j];
    // Skip an optional or starred token on either side.
    if (ta !== undefined && ta.repeat !== "one") visit(i + 1, j);
    if (tb !== undefined && tb.repeat !== "one") visit(i, j + 1);
    // Consume one character both tokens accept.
    if (ta !== undefined && tb !== undefined && intersects(ta.chars, tb.chars)) {
      const ni = ta.repeat === "star" ? i : i + 1;
      const nj = tb.repeat === "star" ? j : j + 1;
      visit(ni, nj);
      if (ta.repeat === "star" && tb.repeat === "star") {
        visit(i + 1, j);
        visit(i, j + 1);
      }
    }
  }
  return false;
}

function globsMatch(glob1: unknown, glob2: unknown): boolean {
  const a = stringOperand("regex.globs_match", 1, glob1);
  const b = stringOperand("regex.globs_match", 2, glob2);
  try {
    return globsIntersect(parseGlob(a), parseGlob(b));
  } catch (err) {
    if (err instanceof GlobPatternError) throw builtinError("regex.globs_match", err.message);
    throw err;
  }
}

export const REGEX_EXTRA_BUILTINS: HostBuiltinFamily = {
  "regex.replace": regexReplace,
  "regex.globs_match": globsMatch,
};
