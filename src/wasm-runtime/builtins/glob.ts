// Glob patterns with the syntax and errors of github.com/gobwas/glob v0.2, which OPA's glob.match uses.
//
// `*` matches any run of characters other than the delimiters, `**` any run at all, `?` one non-delimiter
// character, `[abc]`/`[!abc]` a listed character, `[a-z]`/`[!a-z]` one range (gobwas allows only one), and
// `{a,b}` alternatives. The pattern is translated into the regular-expression tree and run on the same
// linear-time machine as regex.match, anchored at both ends.

import { Kind, Node, addRange, cleanRanges, negateRanges } from "./regex-parser";
import { compileRegex, Program } from "./regex-compiler";
import { Machine } from "./regex-machine";
import { decodeRune, runeWidth } from "./utf8";
import { cachePattern, cachedPattern } from "./pattern-cache";

/** gobwas's error text for the last failed `compileGlob`. */
export let globError: string = "";

const EOF = -1;

class GlobParser {
  p: usize;
  n: i32;
  i: i32 = 0;
  delims: Array<i32>;
  error: string = "";

  constructor(p: usize, n: i32, delims: Array<i32>) {
    this.p = p;
    this.n = n;
    this.delims = delims;
  }

  read(): i32 {
    if (this.i >= this.n) return EOF;
    let r = decodeRune(this.p, this.n, this.i);
    this.i += runeWidth;
    return r;
  }

  peek(): i32 {
    if (this.i >= this.n) return EOF;
    return decodeRune(this.p, this.n, this.i);
  }

  /** [^delimiters] as a class node, or any character when there are none. */
  nonDelimiter(): Node {
    let r = new Array<i32>();
    for (let k = 0; k < this.delims.length; k++) addRange(r, this.delims[k], this.delims[k]);
    let node = new Node(Kind.Class);
    node.ranges = negateRanges(cleanRanges(r));
    return node;
  }

  star(sub: Node): Node {
    let rep = new Node(Kind.Repeat);
    rep.min = 0;
    rep.max = -1;
    rep.greedy = true;
    let subs = new Array<Node>();
    subs.push(sub);
    rep.subs = subs;
    return rep;
  }

  /** pattern = { text | "*" | "**" | "?" | range | "{" pattern { "," pattern } "}" }, ended by `}`/`,` in terms. */
  parsePattern(inTerms: bool): Node | null {
    let cat = new Node(Kind.Concat);
    let subs = new Array<Node>();
    cat.subs = subs;
    while (true) {
      let r = this.peek();
      if (r == EOF) break;
      if (inTerms && (r == 0x7d || r == 0x2c)) break;
      let start = this.i;
      this.read();
      if (r == 0x7b) {
        let alt = this.parseTerms();
        if (alt == null) return null;
        subs.push(alt);
      } else if (r == 0x5b) {
        let range = this.parseRange();
        if (range == null) return null;
        subs.push(range);
      } else if (r == 0x3f) {
        subs.push(this.nonDelimiter());
      } else if (r == 0x2a) {
        if (this.peek() == 0x2a) {
          this.read();
          let any = new Node(Kind.AnyChar);
          subs.push(this.star(any));
        } else {
          subs.push(this.star(this.nonDelimiter()));
        }
      } else {
        // Text up to the next special character; a backslash escapes the next character.
        this.i = start;
        this.parseText(subs, inTerms);
      }
    }
    return cat;
  }

  parseText(subs: Array<Node>, inTerms: bool): void {
    let escaped = false;
    while (true) {
      let r = this.peek();
      if (r == EOF) return; // gobwas v0.2 drops a trailing backslash
      if (!escaped) {
        if (r == 0x5c) {
          this.read();
          escaped = true;
          continue;
        }
        if (r == 0x3f || r == 0x2a || r == 0x5b || r == 0x7b) return;
        if (inTerms && (r == 0x7d || r == 0x2c)) return;
      }
      this.read();
      escaped = false;
      let lit = new Node(Kind.Literal);
      lit.rune = r;
      subs.push(lit);
    }
  }

  /** "{" alternatives; a missing "}" simply ends the group at the end of the pattern, as in gobwas. */
  parseTerms(): Node | null {
    let alt = new Node(Kind.Alternate);
    let subs = new Array<Node>();
    alt.subs = subs;
    while (true) {
      let sub = this.parsePattern(true);
      if (sub == null) return null;
      subs.push(sub);
      let r = this.read();
      if (r == 0x2c) continue;
      break; // "}" or the end
    }
    return alt;
  }

  /** "[" [ "!" ] ( chars | lo "-" hi ) "]" */
  parseRange(): Node | null {
    let negate = false;
    let lo = 0, hi = 0;
    let chars = new Array<i32>();
    let isRange = false;
    let rStart = this.i;
    let r = this.read();
    if (r == EOF) return this.fail("unexpected end of input");
    if (r == 0x21) {
      negate = true;
      rStart = this.i;
      r = this.read();
      if (r == EOF) return this.fail("unexpected end of input");
    }
    if (this.peek() == 0x2d) {
      this.read();
      lo = r;
      hi = this.read();
      if (hi == EOF) return this.fail("unexpected end of input");
      isRange = true;
      let close = this.read();
      if (close == EOF) return this.fail("unexpected end of input");
      if (close != 0x5d) return this.fail("expected close range character");
      if (hi < lo) {
        return this.fail("hi character '" + String.fromCodePoint(hi) + "' should be greater than lo '" + String.fromCodePoint(lo) + "'");
      }
    } else {
      // A run of characters up to "]", backslash escapes allowed.
      this.i = rStart;
      let escaped = false;
      while (true) {
        let c = this.peek();
        if (c == EOF) break;
        if (!escaped) {
          if (c == 0x5c) {
            this.read();
            escaped = true;
            continue;
          }
          if (c == 0x5d) break;
        }
        this.read();
        escaped = false;
        chars.push(c);
      }
      let close = this.read();
      if (close == EOF) return this.fail("unexpected end of input");
      if (close != 0x5d) return this.fail("expected close range character");
    }
    // gobwas treats a range whose bound is U+0000 as no range at all.
    let hasRange = isRange && lo != 0 && hi != 0;
    if (hasRange == (chars.length > 0)) return this.fail("could not parse range");
    let ranges = new Array<i32>();
    if (hasRange) addRange(ranges, lo, hi);
    else for (let k = 0; k < chars.length; k++) addRange(ranges, chars[k], chars[k]);
    let node = new Node(Kind.Class);
    let clean = cleanRanges(ranges);
    node.ranges = negate ? negateRanges(clean) : clean;
    return node;
  }

  fail(message: string): Node | null {
    this.error = message;
    return null;
  }
}

/** A compiled glob. */
export class Glob {
  private machine: Machine;

  constructor(prog: Program) {
    this.machine = new Machine(prog, 0);
  }

  /** True when the whole of (p, n) matches. */
  matches(p: usize, n: i32): bool {
    return this.machine.search(p, n, 0);
  }
}

/** Compiles a glob with the given delimiter code points, or returns null with `globError` set. */
export function compileGlob(p: usize, n: i32, delims: Array<i32>): Glob | null {
  let key = "g";
  for (let k = 0; k < delims.length; k++) key += String.fromCodePoint(delims[k]);
  key += "\0" + String.UTF8.decodeUnsafe(p, <usize>n);
  let cached = cachedPattern(key);
  if (cached) return changetype<Glob>(cached);
  let parser = new GlobParser(p, n, delims);
  let body = parser.parsePattern(false);
  if (body == null) {
    globError = parser.error;
    return null;
  }
  let root = new Node(Kind.Concat);
  let subs = new Array<Node>();
  subs.push(new Node(Kind.BeginText));
  subs.push(body);
  subs.push(new Node(Kind.EndText));
  root.subs = subs;
  let glob = new Glob(compileRegex(root, 0));
  cachePattern(key, changetype<usize>(glob));
  return glob;
}
