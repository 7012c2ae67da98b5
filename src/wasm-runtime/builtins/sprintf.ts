// sprintf: Go's fmt.Sprintf over the operands as OPA hands them to it.
//
// OPA converts each operand before formatting: an integer that fits an int64 becomes a Go int, a bigger
// integer a *big.Int, any other number a float64, a string stays a string, and every other value becomes
// the string of its Rego text (so "%v" of an array prints `["a", 1]`, and "%d" of a boolean prints
// `%!d(string=true)`). The verbs, flags, widths, precisions, argument indexes and Go's error notations
// (%!d(MISSING), %!(EXTRA ...), %!(NOVERB), ...) follow package fmt.

import { clearBuiltinError } from "../errors";
import { ByteWriter } from "../byte-writer";
import { StringBox, TYPE_ARRAY, TYPE_NUMBER, TYPE_STRING, arrayAt, arrayLength, typeOf } from "../value";
import { exactDigitsOf, numberIsInteger, numberText, numberValue } from "../number";
import { appendAscii, appendRepeated, appendRune, appendUnsigned } from "./output";
import { appendGoQuote } from "./quote";
import { appendGoFloat } from "./float-format";
import { appendRegoText } from "./rego-text";
import { exactInt64, exactValue, strLen, strPtr, typeError } from "./operands";
import { decodeRune, runeCount, runeOffset, runeWidth } from "./utf8";

// Operand kinds after OPA's conversion.
const INT = 0;
const BIG = 1;
const FLOAT = 2;
const STRING = 3;

/** One converted operand. */
class Arg {
  kind: i32 = INT;
  int: i64 = 0;
  float: f64 = 0;
  /** STRING: the bytes; BIG: the decimal digits (with a leading '-' when negative). */
  ptr: usize = 0;
  len: i32 = 0;
}

function convert(v: usize): Arg {
  let a = new Arg();
  let kind = typeOf(v);
  if (kind == TYPE_NUMBER) {
    if (numberIsInteger(v) && exactInt64(v)) {
      a.kind = INT;
      a.int = exactValue;
    } else if (numberText(v) || (numberIsInteger(v) && Math.abs(numberValue(v)) < 1e21)) {
      // Beyond int64: OPA's *big.Int. The value model does not remember whether an f64 was written as an
      // integer, so one below 1e21 (where Go starts writing exponents) counts as one.
      a.kind = BIG;
      let digits = changetype<StringBox>(exactDigitsOf(v));
      a.ptr = digits.ptr;
      a.len = <i32>digits.len;
    } else {
      a.kind = FLOAT;
      a.float = numberValue(v);
    }
  } else if (kind == TYPE_STRING) {
    a.kind = STRING;
    a.ptr = strPtr(v);
    a.len = strLen(v);
  } else {
    a.kind = STRING;
    let w = new ByteWriter(32);
    appendRegoText(w, v);
    a.ptr = w.ptr;
    a.len = <i32>w.len;
  }
  return a;
}

/** Go's fmt state for one verb. */
class Flags {
  sharp: bool = false;
  zero: bool = false;
  plus: bool = false;
  minus: bool = false;
  space: bool = false;
  wid: i32 = 0;
  widPresent: bool = false;
  prec: i32 = 0;
  precPresent: bool = false;
  sharpV: bool = false;

  clear(): void {
    this.sharp = false;
    this.zero = false;
    this.plus = false;
    this.minus = false;
    this.space = false;
    this.wid = 0;
    this.widPresent = false;
    this.prec = 0;
    this.precPresent = false;
    this.sharpV = false;
  }
}

/** sprintf(format, values): Go's fmt.Sprintf. */
export function cs_bi_sprintf(format: usize, values: usize): usize {
  clearBuiltinError();
  if (typeOf(format) != TYPE_STRING) return typeError("sprintf", 1, format, "string");
  if (typeOf(values) != TYPE_ARRAY) return typeError("sprintf", 2, values, "array");
  let n = arrayLength(values);
  let args = new Array<Arg>(<i32>n);
  for (let i: u32 = 0; i < n; i++) args[i] = convert(arrayAt(values, i));
  let out = new ByteWriter(<usize>strLen(format) + 16);
  new Printer(out, args).print(strPtr(format), strLen(format));
  return out.finishString();
}

class Printer {
  out: ByteWriter;
  args: Array<Arg>;
  f: Flags = new Flags();
  argNum: i32 = 0;
  reordered: bool = false;
  goodArgNum: bool = true;

  constructor(out: ByteWriter, args: Array<Arg>) {
    this.out = out;
    this.args = args;
  }

  print(p: usize, end: i32): void {
    let out = this.out;
    let f = this.f;
    let numArgs = this.args.length;
    let i = 0;
    while (i < end) {
      this.goodArgNum = true;
      let lasti = i;
      while (i < end && load<u8>(p + <usize>i) != 0x25) i++;
      if (i > lasti) out.bytes(p + <usize>lasti, <usize>(i - lasti));
      if (i >= end) break;
      i++; // '%'
      f.clear();
      // flags
      while (i < end) {
        let c = <i32>load<u8>(p + <usize>i);
        if (c == 0x23) f.sharp = true;
        else if (c == 0x30) f.zero = !f.minus;
        else if (c == 0x2b) f.plus = true;
        else if (c == 0x2d) {
          f.minus = true;
          f.zero = false;
        } else if (c == 0x20) f.space = true;
        else break;
        i++;
      }
      // argument index, width
      let afterIndex = false;
      i = this.argNumber(p, i, end, numArgs);
      afterIndex = this.foundIndex;
      if (i < end && load<u8>(p + <usize>i) == 0x2a) {
        i++;
        let ok = this.intFromArg();
        f.wid = this.fromArg;
        f.widPresent = ok;
        if (!ok) appendAscii(out, "%!(BADWIDTH)");
        if (f.wid < 0) {
          f.wid = -f.wid;
          f.minus = true;
          f.zero = false;
        }
        afterIndex = false;
      } else {
        i = this.parseNum(p, i, end);
        f.wid = this.num;
        f.widPresent = this.isNum;
        if (afterIndex && f.widPresent) this.goodArgNum = false;
      }
      // precision
      if (i + 1 < end && load<u8>(p + <usize>i) == 0x2e) {
        i++;
        if (afterIndex) this.goodArgNum = false;
        i = this.argNumber(p, i, end, numArgs);
        afterIndex = this.foundIndex;
        if (i < end && load<u8>(p + <usize>i) == 0x2a) {
          i++;
          let ok = this.intFromArg();
          f.prec = this.fromArg;
          f.precPresent = ok;
          if (f.prec < 0) {
            f.prec = 0;
            f.precPresent = false;
          }
          if (!ok) appendAscii(out, "%!(BADPREC)");
          afterIndex = false;
        } else {
          i = this.parseNum(p, i, end);
          f.prec = this.num;
          f.precPresent = true;
          if (!this.isNum) f.prec = 0;
        }
      }
      if (!afterIndex) {
        i = this.argNumber(p, i, end, numArgs);
      }
      if (i >= end) {
        appendAscii(out, "%!(NOVERB)");
        break;
      }
      let verb = <i32>load<u8>(p + <usize>i);
      let size = 1;
      if (verb >= 0x80) {
        verb = decodeRune(p, end, i);
        size = runeWidth;
      }
      i += size;
      if (verb == 0x25) {
        out.byte(0x25);
      } else if (!this.goodArgNum) {
        this.badArg(verb, "BADINDEX");
      } else if (this.argNum >= numArgs) {
        this.badArg(verb, "MISSING");
      } else {
        if (verb == 0x76) {
          f.sharpV = f.sharp;
          f.sharp = false;
        }
        this.printArg(this.args[this.argNum], verb);
        this.argNum++;
      }
    }
    if (!this.reordered && this.argNum < numArgs) {
      f.clear();
      appendAscii(out, "%!(EXTRA ");
      for (let k = this.argNum; k < numArgs; k++) {
        if (k > this.argNum) appendAscii(out, ", ");
        let a = this.args[k];
        appendAscii(out, typeNameOf(a));
        out.byte(0x3d);
        this.printArg(a, 0x76);
      }
      out.byte(0x29);
    }
  }

  // ---- format-string parsing helpers (results in fields) ----

  num: i32 = 0;
  isNum: bool = false;
  foundIndex: bool = false;
  fromArg: i32 = 0;

  private parseNum(p: usize, i: i32, end: i32): i32 {
    this.num = 0;
    this.isNum = false;
    while (i < end) {
      let c = <i32>load<u8>(p + <usize>i);
      if (c < 0x30 || c > 0x39) break;
      if (this.num > 1000000) {
        this.num = 0;
        this.isNum = false;
        return end;
      }
      this.num = this.num * 10 + c - 0x30;
      this.isNum = true;
      i++;
    }
    return i;
  }

  /** Handles an explicit [n] argument index at i; sets foundIndex and returns the new position. */
  private argNumber(p: usize, i: i32, end: i32, numArgs: i32): i32 {
    this.foundIndex = false;
    if (i >= end || load<u8>(p + <usize>i) != 0x5b) return i;
    this.reordered = true;
    // [n]: find the closing bracket
    let ok = false;
    let index = 0;
    let width = 1;
    if (end - i >= 3) {
      for (let k = i + 1; k < end; k++) {
        if (load<u8>(p + <usize>k) == 0x5d) {
          let after = this.parseNum(p, i + 1, k);
          if (!this.isNum || after != k) {
            width = k - i + 1;
          } else {
            index = this.num - 1;
            width = k - i + 1;
            ok = true;
          }
          break;
        }
      }
    }
    if (ok && index >= 0 && index < numArgs) {
      this.argNum = index;
      this.foundIndex = true;
      return i + width;
    }
    this.goodArgNum = false;
    this.foundIndex = ok;
    return i + width;
  }

  /** Takes an int operand for '*'; sets fromArg, returns whether it was an int. */
  private intFromArg(): bool {
    this.fromArg = 0;
    let ok = false;
    if (this.argNum < this.args.length) {
      let a = this.args[this.argNum];
      if (a.kind == INT) {
        ok = true;
        if (a.int > 1000000 || a.int < -1000000) {
          ok = false;
        } else {
          this.fromArg = <i32>a.int;
        }
      }
      this.argNum++;
    }
    return ok;
  }

  private badArg(verb: i32, what: string): void {
    appendAscii(this.out, "%!");
    appendRune(this.out, verb);
    this.out.byte(0x28);
    appendAscii(this.out, what);
    this.out.byte(0x29);
  }

  private badVerb(a: Arg, verb: i32): void {
    let out = this.out;
    appendAscii(out, "%!");
    appendRune(out, verb);
    out.byte(0x28);
    appendAscii(out, typeNameOf(a));
    out.byte(0x3d);
    this.printArg(a, 0x76);
    out.byte(0x29);
  }

  // ---- operands ----

  private printArg(a: Arg, verb: i32): void {
    switch (a.kind) {
      case INT: this.fmtInt(a, verb); break;
      case BIG: this.fmtBig(a, verb); break;
      case FLOAT: this.fmtFloatArg(a, verb); break;
      default: this.fmtString(a, verb);
    }
  }

  /** Writes b (as bytes already in a writer) padded to the width with spaces or zeros. */
  private pad(ptr: usize, len: i32): void {
    let f = this.f;
    let out = this.out;
    if (!f.widPresent || f.wid == 0) {
      out.bytes(ptr, <usize>len);
      return;
    }
    let width = f.wid - runeCount(ptr, len);
    let padByte: u32 = f.zero && !f.minus ? 0x30 : 0x20;
    if (!f.minus) {
      appendRepeated(out, padByte, width);
      out.bytes(ptr, <usize>len);
    } else {
      out.bytes(ptr, <usize>len);
      appendRepeated(out, 0x20, width);
    }
  }

  private padWriter(w: ByteWriter): void {
    this.pad(w.ptr, <i32>w.len);
  }

  private fmtInt(a: Arg, verb: i32): void {
    switch (verb) {
      case 0x76: // v
      case 0x64: // d
        this.fmtInteger(a.int, 10, verb, false);
        return;
      case 0x62: this.fmtInteger(a.int, 2, verb, false); return; // b
      case 0x6f: // o
      case 0x4f: this.fmtInteger(a.int, 8, verb, false); return; // O
      case 0x78: this.fmtInteger(a.int, 16, verb, false); return; // x
      case 0x58: this.fmtInteger(a.int, 16, verb, true); return; // X
      case 0x63: { // c
        let w = new ByteWriter(8);
        appendRune(w, a.int < 0 || a.int > 0x10ffff ? 0xfffd : <i32>a.int);
        this.padWriter(w);
        return;
      }
      case 0x71: { // q
        let w = new ByteWriter(16);
        appendQuotedRune(w, a.int < 0 || a.int > 0x10ffff ? 0xfffd : <i32>a.int);
        this.padWriter(w);
        return;
      }
      case 0x55: { // U
        let w = new ByteWriter(16);
        appendAscii(w, "U+");
        let hex = new ByteWriter(16);
        appendUnsigned(hex, <u64>a.int, 16);
        let prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
        appendRepeated(w, 0x30, prec - <i32>hex.len);
        for (let k: usize = 0; k < hex.len; k++) w.byte(upperHex(<u32>load<u8>(hex.ptr + k)));
        if (this.f.sharp && a.int >= 0x20 && a.int <= 0x10ffff) {
          appendAscii(w, " '");
          appendRune(w, <i32>a.int);
          w.byte(0x27);
        }
        let oldZero = this.f.zero;
        this.f.zero = false;
        this.padWriter(w);
        this.f.zero = oldZero;
        return;
      }
    }
    this.badVerb(a, verb);
  }

  /** Go's fmt.fmtInteger for an int64 in the given base. */
  private fmtInteger(v: i64, base: u32, verb: i32, upper: bool): void {
    let f = this.f;
    let negative = v < 0;
    let u: u64 = negative ? <u64>(-v) : <u64>v;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        let oldZero = f.zero;
        f.zero = false;
        appendRepeated(this.out, 0x20, f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let digits = new ByteWriter(24);
    appendUnsigned(digits, u, base);
    let w = new ByteWriter(<usize>max(prec, 0) + 28);
    if (negative) w.byte(0x2d);
    else if (f.plus) w.byte(0x2b);
    else if (f.space) w.byte(0x20);
    if (f.sharp) {
      if (base == 2) appendAscii(w, "0b");
      else if (base == 8 && prec <= <i32>digits.len && load<u8>(digits.ptr) != 0x30) w.byte(0x30);
      else if (base == 16) appendAscii(w, upper ? "0X" : "0x");
    }
    if (verb == 0x4f) appendAscii(w, "0o");
    appendRepeated(w, 0x30, prec - <i32>digits.len);
    for (let k: usize = 0; k < digits.len; k++) {
      let c = <u32>load<u8>(digits.ptr + k);
      w.byte(upper ? upperHex(c) : c);
    }
    let oldZero = f.zero;
    f.zero = false;
    this.padWriter(w);
    f.zero = oldZero;
  }

  /** (*big.Int).Format. */
  private fmtBig(a: Arg, verb: i32): void {
    let f = this.f;
    let base: u32 = 0;
    if (verb == 0x62) base = 2;
    else if (verb == 0x6f || verb == 0x4f) base = 8;
    else if (verb == 0x64 || verb == 0x73 || verb == 0x76) base = 10;
    else if (verb == 0x78 || verb == 0x58) base = 16;
    let out = this.out;
    let negative = load<u8>(a.ptr) == 0x2d;
    let dp = negative ? a.ptr + 1 : a.ptr;
    let dn = negative ? a.len - 1 : a.len;
    if (base == 0) {
      appendAscii(out, "%!");
      appendRune(out, verb);
      appendAscii(out, "(big.Int=");
      out.bytes(a.ptr, <usize>a.len);
      out.byte(0x29);
      return;
    }
    let digits = base == 10 ? decimalSlice(dp, dn) : convertBase(dp, dn, base, verb == 0x58);
    let sign = negative ? "-" : f.plus ? "+" : f.space ? " " : "";
    let prefix = "";
    if (f.sharp) {
      if (verb == 0x62) prefix = "0b";
      else if (verb == 0x6f) prefix = "0";
      else if (verb == 0x78) prefix = "0x";
      else if (verb == 0x58) prefix = "0X";
    }
    if (verb == 0x4f) prefix = "0o";
    let zeros = 0;
    let left = 0;
    let right = 0;
    if (f.precPresent) {
      if (<i32>digits.len < f.prec) zeros = f.prec - <i32>digits.len;
      else if (digits.len == 1 && load<u8>(digits.ptr) == 0x30 && f.prec == 0) return;
    }
    let length = sign.length + prefix.length + zeros + <i32>digits.len;
    if (f.widPresent && length < f.wid) {
      let d = f.wid - length;
      if (f.minus) right = d;
      else if (f.zero && !f.precPresent) zeros = d;
      else left = d;
    }
    appendRepeated(out, 0x20, left);
    appendAscii(out, sign);
    appendAscii(out, prefix);
    appendRepeated(out, 0x30, zeros);
    out.bytes(digits.ptr, digits.len);
    appendRepeated(out, 0x20, right);
  }

  private fmtFloatArg(a: Arg, verb: i32): void {
    switch (verb) {
      case 0x76: this.fmtFloat(a.float, 0x67, -1); return; // v → g
      case 0x67: case 0x47: this.fmtFloat(a.float, verb, -1); return; // g G
      case 0x66: case 0x46: this.fmtFloat(a.float, 0x66, 6); return; // f F
      case 0x65: case 0x45: this.fmtFloat(a.float, verb, 6); return; // e E
    }
    this.badVerb(a, verb);
  }

  /** Go's fmt.fmtFloat (without %#g's trailing-zero preservation). */
  private fmtFloat(v: f64, verb: i32, prec: i32): void {
    let f = this.f;
    if (f.precPresent) prec = f.prec;
    let num = new ByteWriter(32);
    num.byte(v < 0 ? 0x2d : f.plus ? 0x2b : f.space ? 0x20 : 0x2b);
    appendGoFloat(num, v, verb, prec);
    let signShown = v < 0 || f.plus || f.space;
    if (signShown) {
      if (f.zero && !f.minus && f.widPresent && f.wid > <i32>num.len) {
        this.out.byte(<u32>load<u8>(num.ptr));
        appendRepeated(this.out, 0x30, f.wid - <i32>num.len);
        this.out.bytes(num.ptr + 1, num.len - 1);
        return;
      }
      this.pad(num.ptr, <i32>num.len);
      return;
    }
    this.pad(num.ptr + 1, <i32>num.len - 1);
  }

  private fmtString(a: Arg, verb: i32): void {
    let f = this.f;
    let len = a.len;
    switch (verb) {
      case 0x76: // v
        if (f.sharpV) {
          this.fmtQ(a);
          return;
        }
      // fallthrough
      case 0x73: { // s
        if (f.precPresent) len = runeOffset(a.ptr, a.len, f.prec);
        this.pad(a.ptr, len);
        return;
      }
      case 0x71: // q
        this.fmtQ(a);
        return;
      case 0x78: // x
      case 0x58: { // X
        if (f.precPresent && f.prec < len) len = f.prec;
        let w = new ByteWriter(<usize>len * 3 + 4);
        for (let k = 0; k < len; k++) {
          if (f.space && k > 0) w.byte(0x20);
          if (f.sharp && (f.space || k == 0)) appendAscii(w, verb == 0x58 ? "0X" : "0x");
          let b = <u32>load<u8>(a.ptr + <usize>k);
          let hi = b >> 4;
          let lo = b & 15;
          w.byte(hi < 10 ? 0x30 + hi : (verb == 0x58 ? 0x37 : 0x57) + hi);
          w.byte(lo < 10 ? 0x30 + lo : (verb == 0x58 ? 0x37 : 0x57) + lo);
        }
        this.padWriter(w);
        return;
      }
    }
    this.badVerb(a, verb);
  }

  private fmtQ(a: Arg): void {
    let f = this.f;
    let len = a.len;
    if (f.precPresent) len = runeOffset(a.ptr, a.len, f.prec);
    let w = new ByteWriter(<usize>len + 8);
    if (f.sharp && canBackquote(a.ptr, len)) {
      w.byte(0x60);
      w.bytes(a.ptr, <usize>len);
      w.byte(0x60);
    } else {
      appendGoQuote(w, a.ptr, len);
    }
    this.padWriter(w);
  }
}

function typeNameOf(a: Arg): string {
  switch (a.kind) {
    case INT: return "int";
    case BIG: return "*big.Int";
    case FLOAT: return "float64";
  }
  return "string";
}

// @ts-ignore: decorator
@inline function upperHex(c: u32): u32 {
  return c >= 0x61 && c <= 0x66 ? c - 32 : c;
}

class Slice {
  ptr: usize = 0;
  len: usize = 0;
}

function decimalSlice(p: usize, n: i32): Slice {
  let s = new Slice();
  s.ptr = p;
  s.len = <usize>n;
  return s;
}

/** The digits of the decimal magnitude (p, n) in base 2, 8 or 16, by repeated division. */
function convertBase(p: usize, n: i32, base: u32, upper: bool): Slice {
  let work = new StaticArray<u8>(n);
  for (let k = 0; k < n; k++) work[k] = load<u8>(p + <usize>k) - 0x30;
  let rev = new Array<u8>();
  let first = 0;
  while (first < n && work[first] == 0) first++;
  while (first < n) {
    let remainder: u32 = 0;
    for (let k = first; k < n; k++) {
      let cur = remainder * 10 + <u32>work[k];
      work[k] = <u8>(cur / base);
      remainder = cur % base;
    }
    rev.push(<u8>remainder);
    while (first < n && work[first] == 0) first++;
  }
  let w = new ByteWriter(<usize>rev.length + 1);
  if (rev.length == 0) w.byte(0x30);
  for (let k = rev.length - 1; k >= 0; k--) {
    let d = <u32>rev[k];
    w.byte(d < 10 ? 0x30 + d : (upper ? 0x37 : 0x57) + d);
  }
  let s = new Slice();
  s.ptr = w.ptr;
  s.len = w.len;
  return s;
}

/** strconv.QuoteRune: 'x' with Go's escapes. */
function appendQuotedRune(w: ByteWriter, r: i32): void {
  if (r == 0x27) {
    appendAscii(w, "'\\''");
    return;
  }
  if (r == 0x22) {
    appendAscii(w, "'\"'");
    return;
  }
  // Reuse string quoting on the rune's UTF-8, then swap the quotes.
  let tmp = new ByteWriter(8);
  appendRune(tmp, r);
  let q = new ByteWriter(16);
  appendGoQuote(q, tmp.ptr, <i32>tmp.len);
  w.byte(0x27);
  w.bytes(q.ptr + 1, q.len - 2);
  w.byte(0x27);
}

/** strconv.CanBackquote: no backquote, no control characters other than tab, valid UTF-8. */
function canBackquote(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c < 0x80) {
      if (c == 0x60 || c == 0x7f || (c < 0x20 && c != 0x09)) return false;
      i++;
      continue;
    }
    let r = decodeRune(p, n, i);
    if (r == 0xfffd && runeWidth == 1) return false;
    if (r == 0xfeff) return false;
    i += runeWidth;
  }
  return true;
}
