// Compiles a regular-expression syntax tree into a program for the Pike VM in regex-machine.ts.
//
// Instructions are triples (op, a, b) in one flat array. Counted repeats are expanded into copies, as Go's
// regexp/syntax simplifies x{2,4} to xx(x(x)?)?, so the machine only knows split, jump and save.

import { Kind, Node } from "./regex-parser";
import { toLowerRune, toUpperRune } from "./utf8";
import { foldExtra } from "./regex-parser";

/** Opcodes. */
export const enum Op {
  Match = 0,
  Rune = 1, // a: the rune
  Rune2 = 2, // a or b
  Class = 3, // a: class index
  Any = 4,
  AnyNotNL = 5,
  Split = 6, // try a first, then b
  Jmp = 7, // a: target
  Save = 8, // a: capture slot
  Assert = 9, // a: Kind of the assertion
  Fail = 10,
}

/** Largest program accepted; Go reports bigger ones as "expression too large". */
const MAX_INSTRUCTIONS = 100000;

/** A compiled regular expression. */
export class Program {
  /** Instructions as (op, a, b) triples. */
  code: Array<i32> = new Array<i32>();
  /** Rune ranges of Class instructions. */
  classes: Array<Array<i32>> = new Array<Array<i32>>();
  /** Number of capture groups, not counting the whole match. */
  numCap: i32 = 0;
  /** True when every match must start at the beginning of the text (a leading \A or non-multiline ^). */
  anchored: bool = false;
  /** Set when compilation failed because the program grew too large. */
  tooLarge: bool = false;

  /** Number of instructions. */
  // @ts-ignore: decorator
  @inline get length(): i32 {
    return this.code.length / 3;
  }

  emit(op: Op, a: i32, b: i32): i32 {
    let pc = this.code.length / 3;
    this.code.push(op);
    this.code.push(a);
    this.code.push(b);
    if (pc > MAX_INSTRUCTIONS) this.tooLarge = true;
    return pc;
  }

  patchA(pc: i32, a: i32): void {
    this.code[pc * 3 + 1] = a;
  }

  patchB(pc: i32, b: i32): void {
    this.code[pc * 3 + 2] = b;
  }
}

/** Compiles the tree of a pattern with numCap groups; check `tooLarge` on the result. */
export function compileRegex(root: Node, numCap: i32): Program {
  let prog = new Program();
  prog.numCap = numCap;
  prog.anchored = startsAnchored(root);
  prog.emit(Op.Save, 0, 0);
  compileNode(prog, root);
  prog.emit(Op.Save, 1, 0);
  prog.emit(Op.Match, 0, 0);
  return prog;
}

function startsAnchored(node: Node): bool {
  if (node.kind == Kind.BeginText) return true;
  if (node.kind == Kind.Concat || node.kind == Kind.Capture) {
    let subs = node.subs!;
    return subs.length > 0 && startsAnchored(subs[0]);
  }
  return false;
}

function compileNode(prog: Program, node: Node): void {
  if (prog.tooLarge) return;
  switch (node.kind) {
    case Kind.Empty:
      break;
    case Kind.Literal: {
      let r = node.rune;
      if (!node.fold) {
        prog.emit(Op.Rune, r, 0);
        break;
      }
      let lower = toLowerRune(r);
      let upper = toUpperRune(r);
      let extra = foldExtra(r);
      if (extra < 0) {
        let other = lower != r ? lower : upper;
        prog.emit(Op.Rune2, r, other);
      } else {
        let ranges = new Array<i32>();
        let members: StaticArray<i32> = [r, lower, upper, extra, foldExtra(extra)];
        for (let k = 0; k < members.length; k++) {
          let m = members[k];
          if (m < 0) continue;
          let seen = false;
          for (let j = 0; j < ranges.length; j += 2) if (ranges[j] == m) seen = true;
          if (!seen) {
            ranges.push(m);
            ranges.push(m);
          }
        }
        sortPairs(ranges);
        prog.classes.push(ranges);
        prog.emit(Op.Class, prog.classes.length - 1, 0);
      }
      break;
    }
    case Kind.Class: {
      let ranges = node.ranges!;
      if (ranges.length == 0) prog.emit(Op.Fail, 0, 0);
      else if (ranges.length == 2 && ranges[0] == ranges[1]) prog.emit(Op.Rune, ranges[0], 0);
      else if (ranges.length == 4 && ranges[0] == ranges[1] && ranges[2] == ranges[3]) prog.emit(Op.Rune2, ranges[0], ranges[2]);
      else {
        prog.classes.push(ranges);
        prog.emit(Op.Class, prog.classes.length - 1, 0);
      }
      break;
    }
    case Kind.AnyChar:
      prog.emit(Op.Any, 0, 0);
      break;
    case Kind.AnyCharNotNL:
      prog.emit(Op.AnyNotNL, 0, 0);
      break;
    case Kind.BeginLine:
    case Kind.EndLine:
    case Kind.BeginText:
    case Kind.EndText:
    case Kind.WordBoundary:
    case Kind.NoWordBoundary:
      prog.emit(Op.Assert, node.kind, 0);
      break;
    case Kind.Capture:
      prog.emit(Op.Save, node.cap * 2, 0);
      compileNode(prog, node.subs![0]);
      prog.emit(Op.Save, node.cap * 2 + 1, 0);
      break;
    case Kind.Concat: {
      let subs = node.subs!;
      for (let k = 0; k < subs.length; k++) compileNode(prog, subs[k]);
      break;
    }
    case Kind.Alternate: {
      let subs = node.subs!;
      let jumps = new Array<i32>();
      for (let k = 0; k < subs.length; k++) {
        if (k < subs.length - 1) {
          let split = prog.emit(Op.Split, 0, 0);
          prog.patchA(split, split + 1);
          compileNode(prog, subs[k]);
          jumps.push(prog.emit(Op.Jmp, 0, 0));
          prog.patchB(split, prog.length);
        } else {
          compileNode(prog, subs[k]);
        }
      }
      let end = prog.length;
      for (let k = 0; k < jumps.length; k++) prog.patchA(jumps[k], end);
      break;
    }
    case Kind.Repeat:
      compileRepeat(prog, node);
      break;
  }
}

/** Emits a split whose preferred branch is the next instruction when greedy; returns its pc. */
function emitSplit(prog: Program, greedy: bool): i32 {
  let pc = prog.emit(Op.Split, 0, 0);
  if (greedy) prog.patchA(pc, pc + 1);
  else prog.patchB(pc, pc + 1);
  return pc;
}

/** Points the non-body branch of a split made by emitSplit at target. */
function patchExit(prog: Program, pc: i32, greedy: bool, target: i32): void {
  if (greedy) prog.patchB(pc, target);
  else prog.patchA(pc, target);
}

function compileRepeat(prog: Program, node: Node): void {
  let sub = node.subs![0];
  let min = node.min;
  let max = node.max;
  let greedy = node.greedy;
  if (max == -1) {
    if (min == 0) {
      // x*: L: split body, out; body; jmp L
      let split = emitSplit(prog, greedy);
      compileNode(prog, sub);
      prog.emit(Op.Jmp, split, 0);
      patchExit(prog, split, greedy, prog.length);
      return;
    }
    // x{n,}: n-1 copies, then x+
    for (let k = 0; k < min - 1; k++) compileNode(prog, sub);
    let top = prog.length;
    compileNode(prog, sub);
    let pc = prog.emit(Op.Split, 0, 0);
    if (greedy) {
      prog.patchA(pc, top);
      prog.patchB(pc, pc + 1);
    } else {
      prog.patchA(pc, pc + 1);
      prog.patchB(pc, top);
    }
    return;
  }
  for (let k = 0; k < min; k++) compileNode(prog, sub);
  // (x(x(x)?)?)? for the optional copies; each split may skip to the end.
  let splits = new Array<i32>();
  for (let k = min; k < max; k++) {
    if (prog.tooLarge) return;
    splits.push(emitSplit(prog, greedy));
    compileNode(prog, sub);
  }
  let end = prog.length;
  for (let k = 0; k < splits.length; k++) patchExit(prog, splits[k], greedy, end);
}

function sortPairs(r: Array<i32>): void {
  for (let a = 2; a < r.length; a += 2) {
    let lo = r[a];
    let b = a - 2;
    while (b >= 0 && r[b] > lo) {
      r[b + 2] = r[b];
      r[b + 3] = r[b + 1];
      b -= 2;
    }
    r[b + 2] = lo;
    r[b + 3] = lo;
  }
}
