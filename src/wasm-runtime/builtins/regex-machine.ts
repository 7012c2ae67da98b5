// A Pike VM: runs a compiled regular expression over UTF-8 text in time linear in the text, leftmost-first.
//
// All threads advance together one code point at a time; a thread's priority is its place in the run
// queue, so the first thread to reach Match wins exactly as in Go's (and Perl's) leftmost-first semantics,
// and no pattern can make matching exponential.

import { Op, Program } from "./regex-compiler";
import { Kind } from "./regex-parser";
import { decodeRune, runeWidth } from "./utf8";

/** A sparse set of program counters with per-thread capture slots. */
class Queue {
  dense: StaticArray<i32>;
  sparse: StaticArray<i32>;
  caps: StaticArray<i32>;
  size: i32 = 0;

  constructor(n: i32, ncap: i32) {
    this.dense = new StaticArray<i32>(n);
    this.sparse = new StaticArray<i32>(n);
    this.caps = new StaticArray<i32>(n * (ncap > 0 ? ncap : 1));
  }

  // @ts-ignore: decorator
  @inline contains(pc: i32): bool {
    let s = unchecked(this.sparse[pc]);
    return s < this.size && unchecked(this.dense[s]) == pc;
  }

  // @ts-ignore: decorator
  @inline add(pc: i32): i32 {
    let s = this.size++;
    unchecked((this.dense[s] = pc));
    unchecked((this.sparse[pc] = s));
    return s;
  }
}

// @ts-ignore: decorator
@inline function isWordByte(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}

/** Runs a program; reusable across searches over the same program. */
export class Machine {
  private prog: Program;
  private code: StaticArray<i32>;
  private ncap: i32;
  private run: Queue;
  private next: Queue;
  private scratch: StaticArray<i32>;
  private p: usize = 0;
  private n: i32 = 0;
  /** Capture positions of the last match: [start, end] of the whole match, then of each group (-1 if unset). */
  caps: StaticArray<i32>;

  /** Prepares to run prog recording `ncap` capture slots (0 for yes/no matching, 2 for the match bounds). */
  constructor(prog: Program, ncap: i32) {
    let code = prog.code;
    let flat = new StaticArray<i32>(code.length);
    for (let k = 0; k < code.length; k++) unchecked((flat[k] = code[k]));
    let len = prog.length;
    this.prog = prog;
    this.code = flat;
    this.ncap = ncap;
    this.run = new Queue(len, ncap);
    this.next = new Queue(len, ncap);
    this.scratch = new StaticArray<i32>(ncap > 0 ? ncap : 1);
    this.caps = new StaticArray<i32>(ncap > 0 ? ncap : 1);
  }

  private assert(kind: i32, pos: i32): bool {
    let p = this.p;
    let n = this.n;
    switch (kind) {
      case Kind.BeginText: return pos == 0;
      case Kind.EndText: return pos == n;
      case Kind.BeginLine: return pos == 0 || load<u8>(p + <usize>(pos - 1)) == 0x0a;
      case Kind.EndLine: return pos == n || load<u8>(p + <usize>pos) == 0x0a;
      case Kind.WordBoundary:
      case Kind.NoWordBoundary: {
        let before = pos > 0 && isWordByte(<i32>load<u8>(p + <usize>(pos - 1)));
        let after = pos < n && isWordByte(<i32>load<u8>(p + <usize>pos));
        return (before != after) == (kind == Kind.WordBoundary);
      }
    }
    return false;
  }

  /** Adds the thread at pc (following jumps, splits, saves and assertions) to q, in priority order. */
  private addThread(q: Queue, pc: i32, pos: i32): void {
    if (q.contains(pc)) return;
    let slot = q.add(pc);
    let code = this.code;
    let op = unchecked(code[pc * 3]);
    switch (op) {
      case Op.Jmp:
        this.addThread(q, unchecked(code[pc * 3 + 1]), pos);
        return;
      case Op.Split:
        this.addThread(q, unchecked(code[pc * 3 + 1]), pos);
        this.addThread(q, unchecked(code[pc * 3 + 2]), pos);
        return;
      case Op.Save: {
        let k = unchecked(code[pc * 3 + 1]);
        if (k < this.ncap) {
          let old = unchecked(this.scratch[k]);
          unchecked((this.scratch[k] = pos));
          this.addThread(q, pc + 1, pos);
          unchecked((this.scratch[k] = old));
        } else {
          this.addThread(q, pc + 1, pos);
        }
        return;
      }
      case Op.Assert:
        if (this.assert(unchecked(code[pc * 3 + 1]), pos)) this.addThread(q, pc + 1, pos);
        return;
    }
    // A thread that consumes input or matches keeps a copy of the captures it was reached with.
    let ncap = this.ncap;
    if (ncap > 0) {
      let base = slot * ncap;
      for (let k = 0; k < ncap; k++) unchecked((q.caps[base + k] = this.scratch[k]));
    }
  }

  private classMatches(index: i32, r: i32): bool {
    let ranges = unchecked(this.prog.classes[index]);
    let lo = 0;
    let hi = (ranges.length >> 1) - 1;
    while (lo <= hi) {
      let mid = (lo + hi) >> 1;
      if (r < unchecked(ranges[mid * 2])) hi = mid - 1;
      else if (r > unchecked(ranges[mid * 2 + 1])) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /**
   * Searches (p, n) for the leftmost-first match starting at or after byte `from`; on success fills `caps`
   * (when ncap > 0) and returns true.
   */
  search(p: usize, n: i32, from: i32): bool {
    this.p = p;
    this.n = n;
    let ncap = this.ncap;
    let code = this.code;
    let run = this.run;
    let next = this.next;
    run.size = 0;
    next.size = 0;
    let matched = false;
    let anchored = this.prog.anchored;
    let pos = from;
    while (true) {
      if (run.size == 0) {
        if (matched) break;
        if (anchored && pos != 0) break;
      }
      if (!matched && (!anchored || pos == 0)) {
        for (let k = 0; k < ncap; k++) unchecked((this.scratch[k] = -1));
        this.addThread(run, 0, pos);
      }
      // The code point at pos, or -1 at the end of the text.
      let r = -1;
      let width = 0;
      if (pos < n) {
        let b = <i32>load<u8>(p + <usize>pos);
        if (b < 0x80) {
          r = b;
          width = 1;
        } else {
          r = decodeRune(p, n, pos);
          width = runeWidth;
        }
      }
      let nextPos = pos + width;
      for (let t = 0; t < run.size; t++) {
        let pc = unchecked(run.dense[t]);
        let op = unchecked(code[pc * 3]);
        let ok = false;
        switch (op) {
          case Op.Match: {
            if (ncap > 0) {
              let base = t * ncap;
              for (let k = 0; k < ncap; k++) unchecked((this.caps[k] = run.caps[base + k]));
              // The match ends here; Save 1 ran before Match.
            }
            matched = true;
            if (ncap == 0) return true;
            // Lower-priority threads are cut off.
            t = run.size;
            continue;
          }
          case Op.Rune: ok = r == unchecked(code[pc * 3 + 1]); break;
          case Op.Rune2: ok = r == unchecked(code[pc * 3 + 1]) || r == unchecked(code[pc * 3 + 2]); break;
          case Op.Class: ok = r >= 0 && this.classMatches(unchecked(code[pc * 3 + 1]), r); break;
          case Op.Any: ok = r >= 0; break;
          case Op.AnyNotNL: ok = r >= 0 && r != 0x0a; break;
        }
        if (ok) {
          if (ncap > 0) {
            let base = t * ncap;
            for (let k = 0; k < ncap; k++) unchecked((this.scratch[k] = run.caps[base + k]));
          }
          this.addThread(next, pc + 1, nextPos);
        }
      }
      let tmp = run;
      run = next;
      next = tmp;
      next.size = 0;
      if (pos >= n) break;
      pos = nextPos;
    }
    // Leave the queues in the fields in a consistent order for the next search.
    this.run = run;
    this.next = next;
    return matched;
  }
}
