// Compiled regular expressions with the operations of Go's regexp that OPA's builtins use; compiled
// patterns are kept in the per-evaluation pattern cache.

import { RegexParser } from "./regex-parser";
import { compileRegex, Program } from "./regex-compiler";
import { Machine } from "./regex-machine";
import { decodeRune, runeWidth } from "./utf8";
import { cachePattern, cachedPattern } from "./pattern-cache";

/** Go's error text of the last failed `compilePattern`. */
export let regexError: string = "";

/** A compiled pattern. */
export class Regex {
  prog: Program;
  private matcher: Machine | null = null;
  private finder: Machine | null = null;

  constructor(prog: Program) {
    this.prog = prog;
  }

  /** Number of capture groups. */
  get numCap(): i32 {
    return this.prog.numCap;
  }

  /** True when the pattern matches anywhere in (p, n). */
  test(p: usize, n: i32): bool {
    let m = this.matcher;
    if (m == null) {
      m = new Machine(this.prog, 0);
      this.matcher = m;
    }
    return m.search(p, n, 0);
  }

  /**
   * Calls Go's allMatches iteration: up to `limit` (negative for all) non-overlapping matches, an empty
   * match right after a previous match skipped. Returns the flat capture positions of every accepted match
   * (2 × (numCap + 1) per match).
   */
  findAll(p: usize, n: i32, limit: i32, withGroups: bool): Array<i32> {
    let ncap = withGroups ? (this.prog.numCap + 1) * 2 : 2;
    let m = this.finder;
    if (m == null || (m.caps.length != ncap)) {
      m = new Machine(this.prog, ncap);
      this.finder = m;
    }
    let out = new Array<i32>();
    if (limit < 0) limit = n + 1;
    let pos = 0;
    let count = 0;
    let prevEnd = -1;
    while (count < limit && pos <= n) {
      if (!m.search(p, n, pos)) break;
      let s = m.caps[0];
      let e = m.caps[1];
      let accept = true;
      if (e == pos) {
        // An empty match: never right after the previous match; step over one code point.
        if (s == prevEnd) accept = false;
        if (pos < n) {
          decodeRune(p, n, pos);
          pos += runeWidth;
        } else {
          pos = n + 1;
        }
      } else {
        pos = e;
      }
      prevEnd = e;
      if (accept) {
        for (let k = 0; k < ncap; k++) out.push(m.caps[k]);
        count++;
      }
    }
    return out;
  }
}

/** Compiles the pattern (p, n), or returns null with `regexError` set to Go's message. */
export function compilePattern(p: usize, n: i32): Regex | null {
  let key = "r" + String.UTF8.decodeUnsafe(p, <usize>n);
  let cached = cachedPattern(key);
  if (cached) return changetype<Regex>(cached);
  let parser = new RegexParser();
  let root = parser.parse(p, n);
  if (root == null) {
    regexError = parser.error;
    return null;
  }
  let prog = compileRegex(root, parser.numCap);
  if (prog.tooLarge) {
    regexError = "error parsing regexp: expression too large: `" + key.substring(1) + "`";
    return null;
  }
  let re = new Regex(prog);
  cachePattern(key, changetype<usize>(re));
  return re;
}
