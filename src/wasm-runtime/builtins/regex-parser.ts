// The parser of RE2 regular-expression syntax as Go's regexp/syntax accepts it with the Perl flags.
//
// It builds a small tree (literals, classes as sorted rune ranges, groups, repeats, assertions) that the
// compiler turns into a program, and reports malformed patterns with Go's error texts, for example
// "error parsing regexp: missing closing ]: `[a`", because regex.match's error names them.

import { decodeRune, runeWidth, toLowerRune, toUpperRune } from "./utf8";

/** Node kinds of the syntax tree. */
export const enum Kind {
  Empty = 0,
  Literal = 1,
  Class = 2,
  AnyChar = 3,
  AnyCharNotNL = 4,
  BeginLine = 5,
  EndLine = 6,
  BeginText = 7,
  EndText = 8,
  WordBoundary = 9,
  NoWordBoundary = 10,
  Capture = 11,
  Repeat = 12,
  Concat = 13,
  Alternate = 14,
}

/** One node of the syntax tree. */
export class Node {
  kind: Kind;
  /** Literal: the code point. */
  rune: i32 = 0;
  /** Literal: match either case. */
  fold: bool = false;
  /** Class: sorted, non-overlapping inclusive [lo, hi] pairs. */
  ranges: Array<i32> | null = null;
  /** Capture, Repeat: one child; Concat, Alternate: children in order. */
  subs: Array<Node> | null = null;
  /** Repeat bounds; max -1 means unbounded. */
  min: i32 = 0;
  max: i32 = 0;
  greedy: bool = true;
  /** Capture: group index from 1. */
  cap: i32 = 0;

  constructor(kind: Kind) {
    this.kind = kind;
  }
}

/** Largest count allowed in {n,m}, as in Go. */
const MAX_REPEAT = 1000;
/** Deepest nesting of groups and repeats accepted. */
const MAX_DEPTH = 1000;

// Flag bits.
const FOLD = 1;
const DOT_NL = 2;
const MULTI_LINE = 4;
const NON_GREEDY = 8;

/** Parser state and result; `error` is set when `parse` returns null. */
export class RegexParser {
  private p: usize = 0;
  private n: i32 = 0;
  private i: i32 = 0;
  private flags: i32 = 0;
  private depth: i32 = 0;
  /** Number of capture groups seen. */
  numCap: i32 = 0;
  /** Go's error message for the last failed parse. */
  error: string = "";

  /** Parses the pattern (p, n); returns the tree, or null with `error` set. */
  parse(p: usize, n: i32): Node | null {
    this.p = p;
    this.n = n;
    this.i = 0;
    this.flags = 0;
    this.numCap = 0;
    this.error = "";
    // Go checks the whole pattern is valid UTF-8 as it reads it.
    let k = 0;
    while (k < n) {
      if (load<u8>(p + <usize>k) < 0x80) {
        k++;
        continue;
      }
      let r = decodeRune(p, n, k);
      if (r == 0xfffd && runeWidth == 1) return this.fail("invalid UTF-8", k, n);
      k += runeWidth;
    }
    let node = this.parseAlternate();
    if (node == null) return null;
    if (this.i < n) {
      // Only an unmatched ')' stops the top level early.
      return this.fail("unexpected )", 0, n);
    }
    return node;
  }

  private fail(code: string, start: i32, end: i32): Node | null {
    this.error = "error parsing regexp: " + code + ": `" + String.UTF8.decodeUnsafe(this.p + <usize>start, <usize>(end - start)) + "`";
    return null;
  }

  // @ts-ignore: decorator
  @inline private peek(): i32 {
    return <i32>load<u8>(this.p + <usize>this.i);
  }

  // @ts-ignore: decorator
  @inline private more(): bool {
    return this.i < this.n;
  }

  private nextRune(): i32 {
    let r = decodeRune(this.p, this.n, this.i);
    this.i += runeWidth;
    return r;
  }

  // alternate = concat { "|" concat }
  private parseAlternate(): Node | null {
    let first = this.parseConcat();
    if (first == null) return null;
    if (!this.more() || this.peek() != 0x7c) return first;
    let alt = new Node(Kind.Alternate);
    let subs = new Array<Node>();
    subs.push(first);
    while (this.more() && this.peek() == 0x7c) {
      this.i++;
      let next = this.parseConcat();
      if (next == null) return null;
      subs.push(next);
    }
    alt.subs = subs;
    return alt;
  }

  // concat = { repeat } ; stops at "|", ")" or the end
  private parseConcat(): Node | null {
    let subs = new Array<Node>();
    while (this.more()) {
      let c = this.peek();
      if (c == 0x7c || c == 0x29) break;
      if (this.isRepeatStart()) {
        // A repetition operator with nothing to repeat.
        let start = this.i;
        this.skipRepeatOperator();
        return this.fail("missing argument to repetition operator", start, this.i);
      }
      let atomStart = this.i;
      let atom = this.parseAtom();
      if (atom == null) {
        if (this.error.length > 0) return null;
        continue; // a flag group such as (?i) produces no node
      }
      let rep = this.parseRepeats(atom, atomStart);
      if (rep == null) return null;
      subs.push(rep);
    }
    if (subs.length == 0) return new Node(Kind.Empty);
    if (subs.length == 1) return subs[0];
    let cat = new Node(Kind.Concat);
    cat.subs = subs;
    return cat;
  }

  /** True when the cursor is at *, +, ? or a well-formed {n}, {n,} or {n,m}. */
  private isRepeatStart(): bool {
    let c = this.peek();
    if (c == 0x2a || c == 0x2b || c == 0x3f) return true;
    if (c != 0x7b) return false;
    let save = this.i;
    let ok = this.parseBraces();
    this.i = save;
    return ok;
  }

  private skipRepeatOperator(): void {
    let c = this.peek();
    if (c == 0x7b) this.parseBraces();
    else this.i++;
    if (this.more() && this.peek() == 0x3f) this.i++;
  }

  // Results of parseBraces.
  private braceMin: i32 = 0;
  private braceMax: i32 = 0;

  /** Reads {n}, {n,} or {n,m} at the cursor into braceMin/braceMax (-1 for none); false if malformed. */
  private parseBraces(): bool {
    if (!this.more() || this.peek() != 0x7b) return false;
    this.i++;
    let lo = this.readInt();
    if (lo == -2) return false;
    let hi = lo;
    if (this.more() && this.peek() == 0x2c) {
      this.i++;
      if (this.more() && this.peek() == 0x7d) hi = -1;
      else {
        hi = this.readInt();
        if (hi == -2) return false;
      }
    }
    if (!this.more() || this.peek() != 0x7d) return false;
    this.i++;
    this.braceMin = lo;
    this.braceMax = hi;
    return true;
  }

  /** Reads decimal digits; -2 when there are none. Values beyond the limit saturate to force an error. */
  private readInt(): i32 {
    let start = this.i;
    let v = 0;
    while (this.more()) {
      let c = this.peek();
      if (c < 0x30 || c > 0x39) break;
      if (v <= 100000) v = v * 10 + c - 0x30;
      this.i++;
    }
    if (this.i == start) return -2;
    // Go rejects leading zeros in counts like {01}? It accepts them; keep the value.
    return v;
  }

  // repeat = atom { ("*" | "+" | "?" | "{n}" | "{n,}" | "{n,m}") ["?"] }
  private parseRepeats(atom: Node, atomStart: i32): Node | null {
    let node = atom;
    let lastStart = -1;
    while (this.more() && this.isRepeatStart()) {
      let opStart = this.i;
      let c = this.peek();
      let min = 0, max = -1;
      if (c == 0x2a) {
        this.i++;
      } else if (c == 0x2b) {
        min = 1;
        this.i++;
      } else if (c == 0x3f) {
        max = 1;
        this.i++;
      } else {
        this.parseBraces();
        min = this.braceMin;
        max = this.braceMax;
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
          return this.fail("invalid repeat count", opStart, this.i);
        }
      }
      let greedy = true;
      if (this.more() && this.peek() == 0x3f) {
        greedy = false;
        this.i++;
      }
      if ((this.flags & NON_GREEDY) != 0) greedy = !greedy;
      if (lastStart >= 0) {
        return this.fail("invalid nested repetition operator", lastStart, this.i);
      }
      lastStart = opStart;
      let rep = new Node(Kind.Repeat);
      rep.min = min;
      rep.max = max;
      rep.greedy = greedy;
      let subs = new Array<Node>();
      subs.push(node);
      rep.subs = subs;
      if (!checkRepeatSize(rep)) return this.fail("invalid repeat count", atomStart, this.i);
      node = rep;
    }
    return node;
  }

  private parseAtom(): Node | null {
    let c = this.peek();
    switch (c) {
      case 0x28: // (
        return this.parseGroup();
      case 0x5b: // [
        return this.parseClass();
      case 0x2e: { // .
        this.i++;
        return new Node((this.flags & DOT_NL) != 0 ? Kind.AnyChar : Kind.AnyCharNotNL);
      }
      case 0x5e: // ^
        this.i++;
        return new Node((this.flags & MULTI_LINE) != 0 ? Kind.BeginLine : Kind.BeginText);
      case 0x24: // $
        this.i++;
        return new Node((this.flags & MULTI_LINE) != 0 ? Kind.EndLine : Kind.EndText);
      case 0x5c: // backslash
        return this.parseBackslash();
    }
    return this.literal(this.nextRune());
  }

  private literal(r: i32): Node {
    let node = new Node(Kind.Literal);
    node.rune = r;
    node.fold = (this.flags & FOLD) != 0 && hasOtherCase(r);
    return node;
  }

  // group = "(" [ "?" flags [":" ] | "?P<name>" | "?<name>" ] alternate ")"
  private parseGroup(): Node | null {
    let start = this.i;
    if (++this.depth > MAX_DEPTH) return this.fail("expression nests too deeply", 0, this.n);
    this.i++;
    let savedFlags = this.flags;
    let capture = true;
    let cap = 0;
    if (this.more() && this.peek() == 0x3f) {
      // (?P<name>  (?<name>
      let rest = this.n - this.i;
      let named =
        (rest > 3 && load<u8>(this.p + <usize>this.i, 1) == 0x50 && load<u8>(this.p + <usize>this.i, 2) == 0x3c) ||
        (rest > 2 && load<u8>(this.p + <usize>this.i, 1) == 0x3c);
      if (named) {
        let nameStart = this.i + (load<u8>(this.p + <usize>this.i, 1) == 0x50 ? 3 : 2);
        let end = nameStart;
        while (end < this.n && load<u8>(this.p + <usize>end) != 0x3e) end++;
        if (end >= this.n) return this.fail("invalid named capture", start, this.n);
        if (!validCaptureName(this.p, nameStart, end)) return this.fail("invalid named capture", start, end + 1);
        this.i = end + 1;
      } else {
        // Flags: (?flags) or (?flags:re)
        this.i++;
        let flags = this.flags;
        let negate = false;
        let sawFlag = false;
        while (true) {
          if (!this.more()) return this.fail("missing closing )", 0, this.n);
          let f = this.nextRune();
          let bit = 0;
          if (f == 0x69) bit = FOLD;
          else if (f == 0x6d) bit = MULTI_LINE;
          else if (f == 0x73) bit = DOT_NL;
          else if (f == 0x55) bit = NON_GREEDY;
          if (bit != 0) {
            flags = negate ? flags & ~bit : flags | bit;
            sawFlag = true;
            continue;
          }
          if (f == 0x2d && !negate) {
            negate = true;
            sawFlag = false;
            continue;
          }
          if ((f == 0x3a || f == 0x29) && !(negate && !sawFlag)) {
            if (f == 0x29) {
              // (?flags): changes the flags for the rest of the enclosing group.
              this.flags = flags;
              this.depth--;
              return null;
            }
            this.flags = flags;
            capture = false;
            break;
          }
          return this.fail("invalid or unsupported Perl syntax", start, this.i);
        }
      }
    }
    if (capture) cap = ++this.numCap;
    let body = this.parseAlternate();
    if (body == null) return null;
    if (!this.more() || this.peek() != 0x29) return this.fail("missing closing )", 0, this.n);
    this.i++;
    this.flags = savedFlags;
    this.depth--;
    if (!capture) return body;
    let node = new Node(Kind.Capture);
    node.cap = cap;
    let subs = new Array<Node>();
    subs.push(body);
    node.subs = subs;
    return node;
  }

  private parseBackslash(): Node | null {
    let start = this.i;
    if (this.i + 1 >= this.n) return this.fail("trailing backslash at end of expression", 0, 0);
    let c = <i32>load<u8>(this.p + <usize>this.i, 1);
    switch (c) {
      case 0x41: this.i += 2; return new Node(Kind.BeginText); // \A
      case 0x7a: this.i += 2; return new Node(Kind.EndText); // \z
      case 0x62: this.i += 2; return new Node(Kind.WordBoundary); // \b
      case 0x42: this.i += 2; return new Node(Kind.NoWordBoundary); // \B
      case 0x51: { // \Q...\E literal text
        this.i += 2;
        let subs = new Array<Node>();
        while (this.more()) {
          if (this.peek() == 0x5c && this.i + 1 < this.n && load<u8>(this.p + <usize>this.i, 1) == 0x45) {
            this.i += 2;
            break;
          }
          subs.push(this.literal(this.nextRune()));
        }
        if (subs.length == 0) return new Node(Kind.Empty);
        if (subs.length == 1) return subs[0];
        let cat = new Node(Kind.Concat);
        cat.subs = subs;
        return cat;
      }
    }
    let ranges = new Array<i32>();
    if (this.perlClass(ranges) || this.unicodeClass(ranges)) {
      if (this.error.length > 0) return null;
      return this.classNode(ranges, false);
    }
    if (this.error.length > 0) return null;
    let r = this.parseEscape(start);
    if (r < 0) return null;
    return this.literal(r);
  }

  /** Reads an escape at the cursor (which is at the backslash) and returns its code point, or -1 on error. */
  private parseEscape(start: i32): i32 {
    this.i++;
    if (!this.more()) {
      this.fail("trailing backslash at end of expression", 0, 0);
      return -1;
    }
    let c = this.nextRune();
    // Octal: \1-\7 only when followed by another octal digit (a lone digit would be a backreference).
    if (c >= 0x31 && c <= 0x37) {
      if (this.more() && this.peek() >= 0x30 && this.peek() <= 0x37) {
        return this.octal(c - 0x30);
      }
      return this.badEscape(start);
    }
    if (c == 0x30) return this.octal(0);
    if (c == 0x78) { // \x
      if (!this.more()) return this.badEscape(start);
      if (this.peek() == 0x7b) {
        this.i++;
        let v = 0;
        let digits = 0;
        while (this.more() && this.peek() != 0x7d) {
          let d = hexValue(this.peek());
          if (d < 0) return this.badEscape(start);
          v = v * 16 + d;
          if (v > 0x10ffff) return this.badEscape(start);
          digits++;
          this.i++;
        }
        if (!this.more() || digits == 0) return this.badEscape(start);
        this.i++;
        return v;
      }
      if (this.i + 1 >= this.n) return this.badEscape(start);
      let x = hexValue(this.peek());
      let y = hexValue(<i32>load<u8>(this.p + <usize>this.i, 1));
      if (x < 0 || y < 0) {
        this.i += 1;
        return this.badEscape(start);
      }
      this.i += 2;
      return x * 16 + y;
    }
    switch (c) {
      case 0x61: return 7; // \a
      case 0x66: return 12; // \f
      case 0x6e: return 10; // \n
      case 0x72: return 13; // \r
      case 0x74: return 9; // \t
      case 0x76: return 11; // \v
    }
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation
    return this.badEscape(start);
  }

  private octal(first: i32): i32 {
    let v = first;
    for (let k = 0; k < 2 && this.more(); k++) {
      let d = this.peek();
      if (d < 0x30 || d > 0x37) break;
      v = v * 8 + d - 0x30;
      this.i++;
    }
    return v;
  }

  private badEscape(start: i32): i32 {
    this.fail("invalid escape sequence", start, this.i);
    return -1;
  }

  /** Reads \d \D \s \S \w \W at the cursor into ranges; false (cursor unchanged) when not one. */
  private perlClass(ranges: Array<i32>): bool {
    if (this.i + 1 >= this.n || this.peek() != 0x5c) return false;
    let c = <i32>load<u8>(this.p + <usize>this.i, 1);
    let lower = c | 0x20;
    if (lower != 0x64 && lower != 0x73 && lower != 0x77) return false;
    let tmp = new Array<i32>();
    if (lower == 0x64) addRange(tmp, 0x30, 0x39);
    else if (lower == 0x73) {
      addRange(tmp, 0x09, 0x0a);
      addRange(tmp, 0x0c, 0x0d);
      addRange(tmp, 0x20, 0x20);
    } else {
      addRange(tmp, 0x30, 0x39);
      addRange(tmp, 0x41, 0x5a);
      addRange(tmp, 0x5f, 0x5f);
      addRange(tmp, 0x61, 0x7a);
    }
    if (c != lower) tmp = negateRanges(cleanRanges(tmp));
    for (let k = 0; k < tmp.length; k++) ranges.push(tmp[k]);
    this.i += 2;
    return true;
  }

  /** Reads \pX, \p{Name}, \PX or \P{Name} at the cursor into ranges; false when not one. */
  private unicodeClass(ranges: Array<i32>): bool {
    if (this.i + 1 >= this.n || this.peek() != 0x5c) return false;
    let c = <i32>load<u8>(this.p + <usize>this.i, 1);
    if (c != 0x70 && c != 0x50) return false;
    let start = this.i;
    let negate = c == 0x50;
    this.i += 2;
    if (!this.more()) {
      this.fail("invalid character class range", start, this.n);
      return true;
    }
    let nameStart = this.i;
    let nameEnd: i32;
    if (this.peek() == 0x7b) {
      let end = this.i;
      while (end < this.n && load<u8>(this.p + <usize>end) != 0x7d) end++;
      if (end >= this.n) {
        this.fail("invalid character class range", start, this.n);
        return true;
      }
      nameStart = this.i + 1;
      nameEnd = end;
      this.i = end + 1;
    } else {
      this.nextRune();
      nameEnd = this.i;
    }
    if (nameEnd > nameStart && load<u8>(this.p + <usize>nameStart) == 0x5e) {
      negate = !negate;
      nameStart++;
    }
    let name = String.UTF8.decodeUnsafe(this.p + <usize>nameStart, <usize>(nameEnd - nameStart));
    let tmp = unicodeRanges(name);
    if (tmp == null) {
      this.fail("invalid character class range", start, this.i);
      return true;
    }
    let t = tmp as Array<i32>;
    if ((this.flags & FOLD) != 0) t = foldRanges(t);
    if (negate) t = negateRanges(cleanRanges(t));
    for (let k = 0; k < t.length; k++) ranges.push(t[k]);
    return true;
  }

  private classNode(ranges: Array<i32>, negate: bool): Node {
    let node = new Node(Kind.Class);
    let clean = cleanRanges(ranges);
    node.ranges = negate ? negateRanges(clean) : clean;
    return node;
  }

  // class = "[" [ "^" ] { class-item } "]" ; class-item = "[:name:]" | "\p.." | "\d".. | char [ "-" char ]
  private parseClass(): Node | null {
    let start = this.i;
    this.i++;
    let negate = false;
    if (this.more() && this.peek() == 0x5e) {
      negate = true;
      this.i++;
    }
    let ranges = new Array<i32>();
    let first = true;
    while (!this.more() || this.peek() != 0x5d || first) {
      if (!this.more()) return this.fail("missing closing ]", start, this.n);
      first = false;
      // [:alpha:] and friends.
      if (this.n - this.i > 2 && this.peek() == 0x5b && load<u8>(this.p + <usize>this.i, 1) == 0x3a) {
        let end = this.i + 2;
        while (end + 1 < this.n && !(load<u8>(this.p + <usize>end) == 0x3a && load<u8>(this.p + <usize>end, 1) == 0x5d)) end++;
        if (end + 1 < this.n) {
          let nameStart = this.i + 2;
          let neg = false;
          if (nameStart < end && load<u8>(this.p + <usize>nameStart) == 0x5e) {
            neg = true;
            nameStart++;
          }
          let name = String.UTF8.decodeUnsafe(this.p + <usize>nameStart, <usize>(end - nameStart));
          let posix = posixRanges(name);
          if (posix == null) return this.fail("invalid character class range", this.i, end + 2);
          let t = posix as Array<i32>;
          if ((this.flags & FOLD) != 0) t = foldRanges(t);
          if (neg) t = negateRanges(cleanRanges(t));
          for (let k = 0; k < t.length; k++) ranges.push(t[k]);
          this.i = end + 2;
          continue;
        }
      }
      if (this.unicodeClass(ranges)) {
        if (this.error.length > 0) return null;
        continue;
      }
      if (this.error.length > 0) return null;
      if (this.perlClass(ranges)) continue;
      let rangeStart = this.i;
      let lo = this.classChar(start);
      if (lo < 0) return null;
      let hi = lo;
      if (this.n - this.i >= 2 && this.peek() == 0x2d && load<u8>(this.p + <usize>this.i, 1) != 0x5d) {
        this.i++;
        hi = this.classChar(start);
        if (hi < 0) return null;
        if (hi < lo) return this.fail("invalid character class range", rangeStart, this.i);
      }
      if ((this.flags & FOLD) != 0) {
        let t = new Array<i32>();
        addRange(t, lo, hi);
        t = foldRanges(t);
        for (let k = 0; k < t.length; k++) ranges.push(t[k]);
      } else {
        addRange(ranges, lo, hi);
      }
    }
    this.i++; // ]
    return this.classNode(ranges, negate);
  }

  private classChar(classStart: i32): i32 {
    if (!this.more()) {
      this.fail("missing closing ]", classStart, this.n);
      return -1;
    }
    if (this.peek() == 0x5c) return this.parseEscape(this.i);
    return this.nextRune();
  }
}

function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function validCaptureName(p: usize, s: i32, e: i32): bool {
  if (s == e) return false;
  for (let k = s; k < e; k++) {
    let c = <i32>load<u8>(p + <usize>k);
    if (c != 0x5f && !isAlnum(c)) return false;
  }
  return true;
}

/** Total size of nested counted repeats must stay within Go's limit of 1000. */
function checkRepeatSize(node: Node): bool {
  return repeatWeight(node) <= MAX_REPEAT;
}

function repeatWeight(node: Node): i32 {
  let w = 1;
  let subs = node.subs;
  if (subs != null) {
    for (let k = 0; k < subs.length; k++) {
      let s = repeatWeight(subs[k]);
      if (s > w) w = s;
    }
  }
  if (node.kind == Kind.Repeat && (node.min > 1 || node.max > 1)) {
    let m = node.max > node.min ? node.max : node.min;
    w = w * m;
    if (w > MAX_REPEAT * 10) w = MAX_REPEAT * 10;
  }
  return w;
}

/** True when the rune has a case counterpart, so (?i) must match more than the rune itself. */
function hasOtherCase(r: i32): bool {
  return toLowerRune(r) != r || toUpperRune(r) != r || foldExtra(r) >= 0;
}

/** Members of Unicode case-folding orbits that simple upper/lower mapping misses. */
export function foldExtra(r: i32): i32 {
  switch (r) {
    case 0x4b: case 0x6b: return 0x212a; // K k → Kelvin sign
    case 0x212a: return 0x6b;
    case 0x53: case 0x73: return 0x17f; // S s → long s
    case 0x17f: return 0x73;
    case 0xc5: case 0xe5: return 0x212b; // Å å → Angstrom sign
    case 0x212b: return 0xe5;
  }
  return -1;
}

/** Appends the range [lo, hi] (unsorted; cleanRanges sorts and merges). */
export function addRange(ranges: Array<i32>, lo: i32, hi: i32): void {
  ranges.push(lo);
  ranges.push(hi);
}

/** Sorts and merges range pairs. */
export function cleanRanges(ranges: Array<i32>): Array<i32> {
  let count = ranges.length >> 1;
  // Insertion sort by lower bound: classes are small.
  for (let a = 1; a < count; a++) {
    let lo = ranges[a * 2];
    let hi = ranges[a * 2 + 1];
    let b = a - 1;
    while (b >= 0 && ranges[b * 2] > lo) {
      ranges[(b + 1) * 2] = ranges[b * 2];
      ranges[(b + 1) * 2 + 1] = ranges[b * 2 + 1];
      b--;
    }
    ranges[(b + 1) * 2] = lo;
    ranges[(b + 1) * 2 + 1] = hi;
  }
  let out = new Array<i32>();
  for (let a = 0; a < count; a++) {
    let lo = ranges[a * 2];
    let hi = ranges[a * 2 + 1];
    let m = out.length;
    if (m > 0 && lo <= out[m - 1] + 1) {
      if (hi > out[m - 1]) out[m - 1] = hi;
    } else {
      out.push(lo);
      out.push(hi);
    }
  }
  return out;
}

/** The complement of clean ranges within [0, 0x10FFFF]. */
export function negateRanges(ranges: Array<i32>): Array<i32> {
  let out = new Array<i32>();
  let next = 0;
  for (let a = 0; a < ranges.length; a += 2) {
    if (ranges[a] > next) {
      out.push(next);
      out.push(ranges[a] - 1);
    }
    next = ranges[a + 1] + 1;
  }
  if (next <= 0x10ffff) {
    out.push(next);
    out.push(0x10ffff);
  }
  return out;
}

// Blocks that contain cased letters; folding only needs to look at these.
const CASED_BLOCKS: StaticArray<i32> = [
  0x41, 0x24f, 0x250, 0x2af, 0x345, 0x345, 0x370, 0x52f, 0x531, 0x586, 0x10a0, 0x10ff, 0x13a0, 0x13fd,
  0x1c80, 0x1cbf, 0x1d79, 0x1d8e, 0x1e00, 0x1fff, 0x2126, 0x2184, 0x24b6, 0x24e9, 0x2c00, 0x2d2d,
  0xa640, 0xa7ff, 0xab53, 0xabbf, 0xff21, 0xff5a, 0x10400, 0x104ff, 0x10570, 0x105bc, 0x10c80, 0x10cff,
  0x118a0, 0x118df, 0x16e40, 0x16e7f, 0x1e900, 0x1e943,
];

/** Ranges extended with the other cases of every cased rune in them. */
export function foldRanges(ranges: Array<i32>): Array<i32> {
  let out = new Array<i32>();
  for (let a = 0; a < ranges.length; a += 2) {
    let lo = ranges[a];
    let hi = ranges[a + 1];
    out.push(lo);
    out.push(hi);
    for (let b = 0; b < CASED_BLOCKS.length; b += 2) {
      let s = max(lo, CASED_BLOCKS[b]);
      let e = min(hi, CASED_BLOCKS[b + 1]);
      for (let r = s; r <= e; r++) {
        let l = toLowerRune(r);
        let u = toUpperRune(r);
        if (l != r) addRange(out, l, l);
        if (u != r) addRange(out, u, u);
        let x = foldExtra(r);
        if (x >= 0) addRange(out, x, x);
      }
    }
  }
  return out;
}

/** Ranges of a POSIX class name such as "alpha", or null when unknown. */
function posixRanges(name: string): Array<i32> | null {
  let r = new Array<i32>();
  if (name == "alnum") { addRange(r, 0x30, 0x39); addRange(r, 0x41, 0x5a); addRange(r, 0x61, 0x7a); }
  else if (name == "alpha") { addRange(r, 0x41, 0x5a); addRange(r, 0x61, 0x7a); }
  else if (name == "ascii") addRange(r, 0, 0x7f);
  else if (name == "blank") { addRange(r, 0x09, 0x09); addRange(r, 0x20, 0x20); }
  else if (name == "cntrl") { addRange(r, 0, 0x1f); addRange(r, 0x7f, 0x7f); }
  else if (name == "digit") addRange(r, 0x30, 0x39);
  else if (name == "graph") addRange(r, 0x21, 0x7e);
  else if (name == "lower") addRange(r, 0x61, 0x7a);
  else if (name == "print") addRange(r, 0x20, 0x7e);
  else if (name == "punct") { addRange(r, 0x21, 0x2f); addRange(r, 0x3a, 0x40); addRange(r, 0x5b, 0x60); addRange(r, 0x7b, 0x7e); }
  else if (name == "space") { addRange(r, 0x09, 0x0d); addRange(r, 0x20, 0x20); }
  else if (name == "upper") addRange(r, 0x41, 0x5a);
  else if (name == "word") { addRange(r, 0x30, 0x39); addRange(r, 0x41, 0x5a); addRange(r, 0x5f, 0x5f); addRange(r, 0x61, 0x7a); }
  else if (name == "xdigit") { addRange(r, 0x30, 0x39); addRange(r, 0x41, 0x46); addRange(r, 0x61, 0x66); }
  else return null;
  return r;
}

/**
 * Ranges of a Unicode class name for \p: "Any", the general categories L, Lu, Ll, N, Nd, P, S, Z and
 * common scripts. Categories are approximated by block ranges; unknown names give null.
 */
function unicodeRanges(name: string): Array<i32> | null {
  let r = new Array<i32>();
  if (name == "Any") addRange(r, 0, 0x10ffff);
  else if (name == "L") {
    addRange(r, 0x41, 0x5a); addRange(r, 0x61, 0x7a); addRange(r, 0xaa, 0xaa); addRange(r, 0xb5, 0xb5);
    addRange(r, 0xba, 0xba); addRange(r, 0xc0, 0xd6); addRange(r, 0xd8, 0xf6); addRange(r, 0xf8, 0x2c1);
    addRange(r, 0x370, 0x373); addRange(r, 0x376, 0x377); addRange(r, 0x37b, 0x37d); addRange(r, 0x386, 0x386);
    addRange(r, 0x388, 0x3ff); addRange(r, 0x400, 0x481); addRange(r, 0x48a, 0x52f); addRange(r, 0x531, 0x556);
    addRange(r, 0x561, 0x587); addRange(r, 0x5d0, 0x5ea); addRange(r, 0x620, 0x64a); addRange(r, 0x904, 0x939);
    addRange(r, 0xe01, 0xe30); addRange(r, 0x10a0, 0x10ff); addRange(r, 0x1100, 0x1248); addRange(r, 0x1e00, 0x1fbc);
    addRange(r, 0x3041, 0x3096); addRange(r, 0x30a1, 0x30fa); addRange(r, 0x3400, 0x4dbf); addRange(r, 0x4e00, 0x9fff);
    addRange(r, 0xac00, 0xd7a3); addRange(r, 0xf900, 0xfaff); addRange(r, 0xff21, 0xff3a); addRange(r, 0xff41, 0xff5a);
    addRange(r, 0x20000, 0x2fa1f);
  } else if (name == "Lu" || name == "Ll") {
    let upper = name == "Lu";
    for (let b = 0; b < CASED_BLOCKS.length; b += 2) {
      for (let c = CASED_BLOCKS[b]; c <= CASED_BLOCKS[b + 1]; c++) {
        let isUpper = toLowerRune(c) != c;
        let isLower = toUpperRune(c) != c;
        if (upper ? isUpper : isLower) addRange(r, c, c);
      }
    }
    if (!upper) addRange(r, 0xdf, 0xdf);
  } else if (name == "N" || name == "Nd") {
    addRange(r, 0x30, 0x39); addRange(r, 0x660, 0x669); addRange(r, 0x6f0, 0x6f9); addRange(r, 0x966, 0x96f);
    addRange(r, 0xff10, 0xff19);
    if (name == "N") { addRange(r, 0xb2, 0xb3); addRange(r, 0xb9, 0xb9); addRange(r, 0xbc, 0xbe); addRange(r, 0x2160, 0x2188); }
  } else if (name == "P") {
    addRange(r, 0x21, 0x23); addRange(r, 0x25, 0x2a); addRange(r, 0x2c, 0x2f); addRange(r, 0x3a, 0x3b);
    addRange(r, 0x3f, 0x40); addRange(r, 0x5b, 0x5d); addRange(r, 0x5f, 0x5f); addRange(r, 0x7b, 0x7b);
    addRange(r, 0x7d, 0x7d); addRange(r, 0xa1, 0xa1); addRange(r, 0xa7, 0xa7); addRange(r, 0xab, 0xab);
    addRange(r, 0xb6, 0xb7); addRange(r, 0xbb, 0xbb); addRange(r, 0xbf, 0xbf); addRange(r, 0x2010, 0x2027);
    addRange(r, 0x2030, 0x205e); addRange(r, 0x3001, 0x3003);
  } else if (name == "S") {
    addRange(r, 0x24, 0x24); addRange(r, 0x2b, 0x2b); addRange(r, 0x3c, 0x3e); addRange(r, 0x5e, 0x5e);
    addRange(r, 0x60, 0x60); addRange(r, 0x7c, 0x7c); addRange(r, 0x7e, 0x7e); addRange(r, 0xa2, 0xa6);
    addRange(r, 0xa8, 0xa9); addRange(r, 0xac, 0xac); addRange(r, 0xae, 0xb1); addRange(r, 0xb4, 0xb4);
    addRange(r, 0xd7, 0xd7); addRange(r, 0xf7, 0xf7); addRange(r, 0x20a0, 0x20c0); addRange(r, 0x2100, 0x214f);
    addRange(r, 0x2190, 0x23ff); addRange(r, 0x2500, 0x27bf); addRange(r, 0x1f300, 0x1faff);
  } else if (name == "Z") {
    addRange(r, 0x20, 0x20); addRange(r, 0xa0, 0xa0); addRange(r, 0x1680, 0x1680); addRange(r, 0x2000, 0x200a);
    addRange(r, 0x2028, 0x2029); addRange(r, 0x202f, 0x202f); addRange(r, 0x205f, 0x205f); addRange(r, 0x3000, 0x3000);
  } else if (name == "Latin") {
    addRange(r, 0x41, 0x5a); addRange(r, 0x61, 0x7a); addRange(r, 0xaa, 0xaa); addRange(r, 0xba, 0xba);
    addRange(r, 0xc0, 0xd6); addRange(r, 0xd8, 0xf6); addRange(r, 0xf8, 0x2b8); addRange(r, 0x1e00, 0x1eff);
    addRange(r, 0xff21, 0xff3a); addRange(r, 0xff41, 0xff5a);
  } else if (name == "Greek") { addRange(r, 0x370, 0x373); addRange(r, 0x375, 0x377); addRange(r, 0x37a, 0x37d); addRange(r, 0x37f, 0x37f); addRange(r, 0x384, 0x384); addRange(r, 0x386, 0x386); addRange(r, 0x388, 0x3e1); addRange(r, 0x3f0, 0x3ff); addRange(r, 0x1f00, 0x1ffe); }
  else if (name == "Cyrillic") { addRange(r, 0x400, 0x52f); addRange(r, 0x1c80, 0x1c88); addRange(r, 0x2de0, 0x2dff); addRange(r, 0xa640, 0xa69f); }
  else if (name == "Armenian") { addRange(r, 0x531, 0x556); addRange(r, 0x559, 0x58a); addRange(r, 0x58d, 0x58f); }
  else if (name == "Hebrew") { addRange(r, 0x591, 0x5c7); addRange(r, 0x5d0, 0x5ea); addRange(r, 0x5ef, 0x5f4); }
  else if (name == "Arabic") { addRange(r, 0x600, 0x604); addRange(r, 0x606, 0x60b); addRange(r, 0x60d, 0x61a); addRange(r, 0x61c, 0x61e); addRange(r, 0x620, 0x63f); addRange(r, 0x641, 0x64a); addRange(r, 0x656, 0x66f); addRange(r, 0x671, 0x6dc); addRange(r, 0x6de, 0x6ff); addRange(r, 0x750, 0x77f); }
  else if (name == "Devanagari") { addRange(r, 0x900, 0x950); addRange(r, 0x955, 0x963); addRange(r, 0x966, 0x97f); }
  else if (name == "Thai") { addRange(r, 0xe01, 0xe3a); addRange(r, 0xe40, 0xe5b); }
  else if (name == "Georgian") { addRange(r, 0x10a0, 0x10c5); addRange(r, 0x10c7, 0x10c7); addRange(r, 0x10cd, 0x10cd); addRange(r, 0x10d0, 0x10fa); addRange(r, 0x10fc, 0x10ff); }
  else if (name == "Hangul") { addRange(r, 0x1100, 0x11ff); addRange(r, 0x3131, 0x318e); addRange(r, 0xac00, 0xd7a3); }
  else if (name == "Hiragana") { addRange(r, 0x3041, 0x3096); addRange(r, 0x309d, 0x309f); }
  else if (name == "Katakana") { addRange(r, 0x30a1, 0x30fa); addRange(r, 0x30fd, 0x30ff); addRange(r, 0x31f0, 0x31ff); addRange(r, 0xff66, 0xff6f); addRange(r, 0xff71, 0xff9d); }
  else if (name == "Han") { addRange(r, 0x2e80, 0x2e99); addRange(r, 0x2e9b, 0x2ef3); addRange(r, 0x2f00, 0x2fd5); addRange(r, 0x3005, 0x3005); addRange(r, 0x3007, 0x3007); addRange(r, 0x3021, 0x3029); addRange(r, 0x3038, 0x303b); addRange(r, 0x3400, 0x4dbf); addRange(r, 0x4e00, 0x9fff); addRange(r, 0xf900, 0xfa6d); addRange(r, 0x20000, 0x2a6df); }
  else return null;
  return r;
}
