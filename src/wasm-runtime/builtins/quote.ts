// Go's two ways of quoting text for messages and %q: the time package's byte-escaping quote and strconv.Quote.

import { ByteWriter } from "../byte-writer";
import { appendAscii } from "./output";
import { decodeRune, runeWidth, RUNE_ERROR } from "./utf8";

// @ts-ignore: decorator
@inline function hexDigit(d: i32): i32 {
  return d < 10 ? 0x30 + d : 0x57 + d;
}

/** Appends bytes [start, end) of p quoted as Go's time package does: printable ASCII kept, others \xNN. */
export function appendTimeQuote(out: ByteWriter, p: usize, start: i32, end: i32): void {
  out.byte(0x22);
  for (let i = start; i < end; i++) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c < 0x20 || c >= 0x80) {
      out.byte(0x5c);
      out.byte(0x78);
      out.byte(<u32>hexDigit(c >> 4));
      out.byte(<u32>hexDigit(c & 15));
    } else {
      if (c == 0x22 || c == 0x5c) out.byte(0x5c);
      out.byte(<u32>c);
    }
  }
  out.byte(0x22);
}

/** Bytes [start, end) of p quoted as Go's time package does, as a string for error messages. */
export function timeQuote(p: usize, start: i32, end: i32): string {
  let out = new ByteWriter(<usize>(end - start + 8));
  appendTimeQuote(out, p, start, end);
  return String.UTF8.decodeUnsafe(out.ptr, out.len);
}

/** An approximation of Go's unicode.IsPrint for code points above ASCII. */
function isPrintable(r: i32): bool {
  if (r < 0xa0) return false;
  if (r == 0xad) return false;
  if (r >= 0x2028 && r <= 0x202e) return false;
  if (r >= 0x200b && r <= 0x200f) return false;
  if (r >= 0x2060 && r <= 0x206f) return false;
  if (r == 0xfeff || r == 0xfffe || r == 0xffff) return false;
  if (r >= 0xfff9 && r <= 0xfffb) return false;
  if (r >= 0xe000 && r <= 0xf8ff) return false;
  if (r >= 0xf0000) return false;
  return true;
}

/** Appends (p, n) quoted as Go's strconv.Quote does (the %q verb): escapes for control and invalid bytes. */
export function appendGoQuote(out: ByteWriter, p: usize, n: i32): void {
  out.byte(0x22);
  let i = 0;
  while (i < n) {
    let c = <i32>load<u8>(p + <usize>i);
    let r = c;
    let w = 1;
    if (c >= 0x80) {
      r = decodeRune(p, n, i);
      w = runeWidth;
    }
    if (w == 1 && r == RUNE_ERROR) {
      appendAscii(out, "\\x");
      out.byte(<u32>hexDigit(c >> 4));
      out.byte(<u32>hexDigit(c & 15));
      i++;
      continue;
    }
    if (r == 0x22 || r == 0x5c) {
      out.byte(0x5c);
      out.byte(<u32>r);
    } else if (r >= 0x20 && r < 0x7f) {
      out.byte(<u32>r);
    } else if (r >= 0x80 && isPrintable(r)) {
      out.bytes(p + <usize>i, <usize>w);
    } else if (r == 0x07) appendAscii(out, "\\a");
    else if (r == 0x08) appendAscii(out, "\\b");
    else if (r == 0x0c) appendAscii(out, "\\f");
    else if (r == 0x0a) appendAscii(out, "\\n");
    else if (r == 0x0d) appendAscii(out, "\\r");
    else if (r == 0x09) appendAscii(out, "\\t");
    else if (r == 0x0b) appendAscii(out, "\\v");
    else if (r < 0x20 || r == 0x7f) {
      appendAscii(out, "\\x");
      out.byte(<u32>hexDigit(r >> 4));
      out.byte(<u32>hexDigit(r & 15));
    } else if (r < 0x10000) {
      appendAscii(out, "\\u");
      for (let s = 12; s >= 0; s -= 4) out.byte(<u32>hexDigit((r >> s) & 15));
    } else {
      appendAscii(out, "\\U");
      for (let s = 28; s >= 0; s -= 4) out.byte(<u32>hexDigit((r >> s) & 15));
    }
    i += w;
  }
  out.byte(0x22);
}
