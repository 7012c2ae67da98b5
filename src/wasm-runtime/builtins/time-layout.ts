// Go reference-time layouts ("2006-01-02T15:04:05Z07:00"): formatting and parsing with Go's rules and errors.
//
// OPA's time.format and time.parse_ns hand their layout straight to Go's time package, so the layout
// language, its quirks (a "Jan" followed by a lower-case letter is literal text, "_2006" is "_" and a year)
// and the exact ParseError texts are reproduced here over UTF-8 bytes.

import { ByteWriter } from "../byte-writer";
import { appendAscii, appendPadded, lastByte } from "./output";
import { timeQuote } from "./quote";
import { daysFromCivil, civilFromDays, civilYear, civilMonth, civilDay, daysInMonth, floorDiv, floorMod, isLeapYear, weekdayFromDays, yearDay, monthName, dayName } from "./calendar";

// Layout element codes (Go's std* constants, renumbered).
const STD_NONE = 0;
const STD_LONG_MONTH = 1;
const STD_MONTH = 2;
const STD_NUM_MONTH = 3;
const STD_ZERO_MONTH = 4;
const STD_LONG_WEEKDAY = 5;
const STD_WEEKDAY = 6;
const STD_DAY = 7;
const STD_UNDER_DAY = 8;
const STD_ZERO_DAY = 9;
const STD_UNDER_YEAR_DAY = 10;
const STD_ZERO_YEAR_DAY = 11;
const STD_HOUR = 12;
const STD_HOUR12 = 13;
const STD_ZERO_HOUR12 = 14;
const STD_MINUTE = 15;
const STD_ZERO_MINUTE = 16;
const STD_SECOND = 17;
const STD_ZERO_SECOND = 18;
const STD_LONG_YEAR = 19;
const STD_YEAR = 20;
const STD_PM = 21;
const STD_PM_LOWER = 22;
const STD_TZ = 23;
const STD_ISO8601_TZ = 24;
const STD_ISO8601_SECONDS_TZ = 25;
const STD_ISO8601_SHORT_TZ = 26;
const STD_ISO8601_COLON_TZ = 27;
const STD_ISO8601_COLON_SECONDS_TZ = 28;
const STD_NUM_TZ = 29;
const STD_NUM_SECONDS_TZ = 30;
const STD_NUM_SHORT_TZ = 31;
const STD_NUM_COLON_TZ = 32;
const STD_NUM_COLON_SECONDS_TZ = 33;
const STD_FRAC_SECOND0 = 34;
const STD_FRAC_SECOND9 = 35;

/** Layout names OPA accepts in place of a layout, mapped to Go's constants. */
export function namedLayout(p: usize, n: i32): string | null {
  if (n < 6 || n > 11) return null;
  let s = String.UTF8.decodeUnsafe(p, <usize>n);
  if (s == "ANSIC") return "Mon Jan _2 15:04:05 2006";
  if (s == "UnixDate") return "Mon Jan _2 15:04:05 MST 2006";
  if (s == "RubyDate") return "Mon Jan 02 15:04:05 -0700 2006";
  if (s == "RFC822") return "02 Jan 06 15:04 MST";
  if (s == "RFC822Z") return "02 Jan 06 15:04 -0700";
  if (s == "RFC850") return "Monday, 02-Jan-06 15:04:05 MST";
  if (s == "RFC1123") return "Mon, 02 Jan 2006 15:04:05 MST";
  if (s == "RFC1123Z") return "Mon, 02 Jan 2006 15:04:05 -0700";
  if (s == "RFC3339") return "2006-01-02T15:04:05Z07:00";
  if (s == "RFC3339Nano") return "2006-01-02T15:04:05.999999999Z07:00";
  return null;
}

/** Go's time.RFC3339Nano, time.format's default layout. */
export const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";
/** Go's time.RFC3339, the layout of time.parse_rfc3339_ns. */
export const RFC3339 = "2006-01-02T15:04:05Z07:00";

// Results of nextChunk: the element found, where it starts, where the rest of the layout starts, and for
// fractional seconds the digit count and separator.
let chunkStart: i32 = 0;
let chunkEnd: i32 = 0;
let chunkDigits: i32 = 0;
let chunkSep: i32 = 0;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i);
}

// @ts-ignore: decorator
@inline function isDigitAt(p: usize, n: i32, i: i32): bool {
  if (i >= n) return false;
  let c = at(p, i);
  return c >= 0x30 && c <= 0x39;
}

function startsWith(p: usize, n: i32, i: i32, lit: string): bool {
  let m = lit.length;
  if (n - i < m) return false;
  for (let k = 0; k < m; k++) if (at(p, i + k) != <i32>lit.charCodeAt(k)) return false;
  return true;
}

function lowerAt(p: usize, n: i32, i: i32): bool {
  if (i >= n) return false;
  let c = at(p, i);
  return c >= 0x61 && c <= 0x7a;
}

/** Finds the first layout element at or after byte `from`; sets chunkStart/chunkEnd and returns its code. */
function nextChunk(p: usize, n: i32, from: i32): i32 {
  for (let i = from; i < n; i++) {
    let c = at(p, i);
    chunkStart = i;
    switch (c) {
      case 0x4a: // J: January, Jan
        if (startsWith(p, n, i, "Jan")) {
          if (startsWith(p, n, i, "January")) { chunkEnd = i + 7; return STD_LONG_MONTH; }
          if (!lowerAt(p, n, i + 3)) { chunkEnd = i + 3; return STD_MONTH; }
        }
        break;
      case 0x4d: // M: Monday, Mon, MST
        if (startsWith(p, n, i, "Mon")) {
          if (startsWith(p, n, i, "Monday")) { chunkEnd = i + 6; return STD_LONG_WEEKDAY; }
          if (!lowerAt(p, n, i + 3)) { chunkEnd = i + 3; return STD_WEEKDAY; }
        }
        if (startsWith(p, n, i, "MST")) { chunkEnd = i + 3; return STD_TZ; }
        break;
      case 0x30: // 0: 01..06, 002
        if (i + 1 < n) {
          let d = at(p, i + 1);
          if (d >= 0x31 && d <= 0x36) {
            chunkEnd = i + 2;
            if (d == 0x31) return STD_ZERO_MONTH;
            if (d == 0x32) return STD_ZERO_DAY;
            if (d == 0x33) return STD_ZERO_HOUR12;
            if (d == 0x34) return STD_ZERO_MINUTE;
            if (d == 0x35) return STD_ZERO_SECOND;
            return STD_YEAR;
          }
        }
        if (startsWith(p, n, i, "002")) { chunkEnd = i + 3; return STD_ZERO_YEAR_DAY; }
        break;
      case 0x31: // 1: 15, 1
        if (i + 1 < n && at(p, i + 1) == 0x35) { chunkEnd = i + 2; return STD_HOUR; }
        chunkEnd = i + 1;
        return STD_NUM_MONTH;
      case 0x32: // 2: 2006, 2
        if (startsWith(p, n, i, "2006")) { chunkEnd = i + 4; return STD_LONG_YEAR; }
        chunkEnd = i + 1;
        return STD_DAY;
      case 0x5f: // _: _2, _2006 (a literal "_" then a year), __2
        if (i + 1 < n && at(p, i + 1) == 0x32) {
          if (startsWith(p, n, i + 1, "2006")) { chunkStart = i + 1; chunkEnd = i + 5; return STD_LONG_YEAR; }
          chunkEnd = i + 2;
          return STD_UNDER_DAY;
        }
        if (startsWith(p, n, i, "__2")) { chunkEnd = i + 3; return STD_UNDER_YEAR_DAY; }
        break;
      case 0x33: chunkEnd = i + 1; return STD_HOUR12;
      case 0x34: chunkEnd = i + 1; return STD_MINUTE;
      case 0x35: chunkEnd = i + 1; return STD_SECOND;
      case 0x50: // PM
        if (i + 1 < n && at(p, i + 1) == 0x4d) { chunkEnd = i + 2; return STD_PM; }
        break;
      case 0x70: // pm
        if (i + 1 < n && at(p, i + 1) == 0x6d) { chunkEnd = i + 2; return STD_PM_LOWER; }
        break;
      case 0x2d: // -070000, -07:00:00, -0700, -07:00, -07
        if (startsWith(p, n, i, "-070000")) { chunkEnd = i + 7; return STD_NUM_SECONDS_TZ; }
        if (startsWith(p, n, i, "-07:00:00")) { chunkEnd = i + 9; return STD_NUM_COLON_SECONDS_TZ; }
        if (startsWith(p, n, i, "-0700")) { chunkEnd = i + 5; return STD_NUM_TZ; }
        if (startsWith(p, n, i, "-07:00")) { chunkEnd = i + 6; return STD_NUM_COLON_TZ; }
        if (startsWith(p, n, i, "-07")) { chunkEnd = i + 3; return STD_NUM_SHORT_TZ; }
        break;
      case 0x5a: // Z070000, Z07:00:00, Z0700, Z07:00, Z07
        if (startsWith(p, n, i, "Z070000")) { chunkEnd = i + 7; return STD_ISO8601_SECONDS_TZ; }
        if (startsWith(p, n, i, "Z07:00:00")) { chunkEnd = i + 9; return STD_ISO8601_COLON_SECONDS_TZ; }
        if (startsWith(p, n, i, "Z0700")) { chunkEnd = i + 5; return STD_ISO8601_TZ; }
        if (startsWith(p, n, i, "Z07:00")) { chunkEnd = i + 6; return STD_ISO8601_COLON_TZ; }
        if (startsWith(p, n, i, "Z07")) { chunkEnd = i + 3; return STD_ISO8601_SHORT_TZ; }
        break;
      case 0x2e: // .000 .999 ,000 ,999: fractional seconds, only when the digit run ends the number
      case 0x2c:
        if (i + 1 < n) {
          let ch = at(p, i + 1);
          if (ch == 0x30 || ch == 0x39) {
            let j = i + 1;
            while (j < n && at(p, j) == ch) j++;
            if (!isDigitAt(p, n, j)) {
              chunkEnd = j;
              chunkDigits = j - (i + 1);
              chunkSep = c;
              return ch == 0x30 ? STD_FRAC_SECOND0 : STD_FRAC_SECOND9;
            }
          }
        }
        break;
    }
  }
  chunkStart = n;
  chunkEnd = n;
  return STD_NONE;
}

// @ts-ignore: decorator
@inline function appendInt(out: ByteWriter, x: i64, width: i32): void {
  appendPadded(out, x, width);
}

/**
 * Appends the time at unix second `sec` plus `nsec` nanoseconds, seen at UTC offset `offset` seconds in a
 * zone abbreviated `abbrev`, formatted by the layout (p, n).
 */
export function formatTime(out: ByteWriter, p: usize, n: i32, sec: i64, nsec: i32, offset: i32, abbrev: string): void {
  let local = sec + <i64>offset;
  let days = floorDiv(local, 86400);
  let secOfDay = <i32>floorMod(local, 86400);
  civilFromDays(days);
  let year = civilYear;
  let month = civilMonth;
  let day = civilDay;
  let hour = secOfDay / 3600;
  let minute = (secOfDay / 60) % 60;
  let second = secOfDay % 60;
  let i = 0;
  while (i < n) {
    let std = nextChunk(p, n, i);
    out.bytes(p + <usize>i, chunkStart - i);
    if (std == STD_NONE) break;
    i = chunkEnd;
    switch (std) {
      case STD_YEAR: {
        let y = year;
        if (y < 0) y = -y;
        appendInt(out, y % 100, 2);
        break;
      }
      case STD_LONG_YEAR: appendInt(out, year, 4); break;
      case STD_MONTH: appendAscii(out, monthName(month).substring(0, 3)); break;
      case STD_LONG_MONTH: appendAscii(out, monthName(month)); break;
      case STD_NUM_MONTH: appendInt(out, month, 0); break;
      case STD_ZERO_MONTH: appendInt(out, month, 2); break;
      case STD_WEEKDAY: appendAscii(out, dayName(weekdayFromDays(days)).substring(0, 3)); break;
      case STD_LONG_WEEKDAY: appendAscii(out, dayName(weekdayFromDays(days))); break;
      case STD_DAY: appendInt(out, day, 0); break;
      case STD_UNDER_DAY:
        if (day < 10) out.byte(0x20);
        appendInt(out, day, 0);
        break;
      case STD_ZERO_DAY: appendInt(out, day, 2); break;
      case STD_UNDER_YEAR_DAY: {
        let yd = yearDay(year, month, day);
        if (yd < 100) {
          out.byte(0x20);
          if (yd < 10) out.byte(0x20);
        }
        appendInt(out, yd, 0);
        break;
      }
      case STD_ZERO_YEAR_DAY: appendInt(out, yearDay(year, month, day), 3); break;
      case STD_HOUR: appendInt(out, hour, 2); break;
      case STD_HOUR12: {
        let h = hour % 12;
        appendInt(out, h == 0 ? 12 : h, 0);
        break;
      }
      case STD_ZERO_HOUR12: {
        let h = hour % 12;
        appendInt(out, h == 0 ? 12 : h, 2);
        break;
      }
      case STD_MINUTE: appendInt(out, minute, 0); break;
      case STD_ZERO_MINUTE: appendInt(out, minute, 2); break;
      case STD_SECOND: appendInt(out, second, 0); break;
      case STD_ZERO_SECOND: appendInt(out, second, 2); break;
      case STD_PM: appendAscii(out, hour >= 12 ? "PM" : "AM"); break;
      case STD_PM_LOWER: appendAscii(out, hour >= 12 ? "pm" : "am"); break;
      case STD_TZ:
        if (abbrev.length > 0) {
          out.text(abbrev);
        } else {
          let zone = offset / 60;
          if (zone < 0) {
            out.byte(0x2d);
            zone = -zone;
          } else {
            out.byte(0x2b);
          }
          appendInt(out, zone / 60, 2);
          appendInt(out, zone % 60, 2);
        }
        break;
      case STD_FRAC_SECOND0:
      case STD_FRAC_SECOND9:
        appendNano(out, nsec, chunkDigits, chunkSep, std == STD_FRAC_SECOND9);
        break;
      default:
        appendZoneOffset(out, std, offset);
    }
  }
}

function appendZoneOffset(out: ByteWriter, std: i32, offset: i32): void {
  let iso = std >= STD_ISO8601_TZ && std <= STD_ISO8601_COLON_SECONDS_TZ;
  if (offset == 0 && iso) {
    out.byte(0x5a);
    return;
  }
  let zone = offset / 60;
  let abs = offset;
  if (zone < 0) {
    out.byte(0x2d);
    zone = -zone;
    abs = -abs;
  } else {
    out.byte(0x2b);
  }
  appendInt(out, zone / 60, 2);
  let colon = std == STD_ISO8601_COLON_TZ || std == STD_NUM_COLON_TZ || std == STD_ISO8601_COLON_SECONDS_TZ || std == STD_NUM_COLON_SECONDS_TZ;
  if (colon) out.byte(0x3a);
  if (std != STD_NUM_SHORT_TZ && std != STD_ISO8601_SHORT_TZ) appendInt(out, zone % 60, 2);
  if (std == STD_ISO8601_SECONDS_TZ || std == STD_NUM_SECONDS_TZ || std == STD_NUM_COLON_SECONDS_TZ || std == STD_ISO8601_COLON_SECONDS_TZ) {
    if (std == STD_NUM_COLON_SECONDS_TZ || std == STD_ISO8601_COLON_SECONDS_TZ) out.byte(0x3a);
    appendInt(out, abs % 60, 2);
  }
}

function appendNano(out: ByteWriter, nsec: i32, digits: i32, sep: i32, trim: bool): void {
  if (digits > 9) digits = 9;
  if (trim && (digits == 0 || nsec == 0)) return;
  let start = out.len;
  out.byte(<u32>sep);
  appendInt(out, nsec, 9);
  if (digits < 9) out.len -= <usize>(9 - digits);
  if (trim) {
    while (out.len > start && lastByte(out) == 0x30) out.len--;
    if (out.len > start && lastByte(out) == <u32>sep) out.len--;
  }
}

// ---- parsing ---------------------------------------------------------------------------------------

/** Unix seconds of the last successful `parseTime`. */
export let parsedSec: i64 = 0;
/** Nanoseconds within the second of the last successful `parseTime`. */
export let parsedNsec: i32 = 0;
/** Go's ParseError text for the last failed `parseTime`. */
export let parseError: string = "";

// Cursor into the value being parsed, and the number the last getnum read.
let vp: usize = 0;
let vn: i32 = 0;
let vi: i32 = 0;
let num: i32 = 0;

function failParse(lp: usize, ln: i32, layoutElemStart: i32, layoutElemEnd: i32, valueElemStart: i32): bool {
  parseError =
    "parsing time " + timeQuote(vp, 0, vn) + " as " + timeQuote(lp, 0, ln) + ": cannot parse " +
    timeQuote(vp, valueElemStart, vn) + " as " + timeQuote(lp, layoutElemStart, layoutElemEnd);
  return false;
}

function failParseMessage(message: string): bool {
  parseError = "parsing time " + timeQuote(vp, 0, vn) + message;
  return false;
}

/** Reads one or two digits (exactly two when `fixed`) into `num`. */
function getnum(fixed: bool): bool {
  if (!isDigitAt(vp, vn, vi)) return false;
  if (!isDigitAt(vp, vn, vi + 1)) {
    if (fixed) return false;
    num = at(vp, vi) - 0x30;
    vi += 1;
    return true;
  }
  num = (at(vp, vi) - 0x30) * 10 + (at(vp, vi + 1) - 0x30);
  vi += 2;
  return true;
}

/** Reads one to three digits (exactly three when `fixed`) into `num`. */
function getnum3(fixed: bool): bool {
  let n = 0;
  let i = 0;
  while (i < 3 && isDigitAt(vp, vn, vi + i)) {
    n = n * 10 + at(vp, vi + i) - 0x30;
    i++;
  }
  if (i == 0 || (fixed && i != 3)) return false;
  num = n;
  vi += i;
  return true;
}

/** Go's atoi over value bytes [s, e): optional sign then only digits; sets `num`. */
function atoiRange(s: i32, e: i32): bool {
  let neg = false;
  if (s < e && (at(vp, s) == 0x2d || at(vp, s) == 0x2b)) {
    neg = at(vp, s) == 0x2d;
    s++;
  }
  let x: i64 = 0;
  for (let i = s; i < e; i++) {
    let c = at(vp, i);
    if (c < 0x30 || c > 0x39) return false;
    x = x * 10 + c - 0x30;
    if (x > 0x7fffffff) return false;
  }
  num = neg ? -<i32>x : <i32>x;
  return true;
}

/**
 * Case-insensitive match at the cursor of a month name (`months`) or day name, abbreviated to three letters
 * when `short`; advances past it and returns its index (0-based), or -1.
 */
function lookupName(months: bool, short: bool): i32 {
  let count = months ? 12 : 7;
  for (let idx = 0; idx < count; idx++) {
    let name = months ? monthName(idx + 1) : dayName(idx);
    let m = short ? 3 : name.length;
    if (vn - vi < m) continue;
    let ok = true;
    for (let j = 0; j < m; j++) {
      let a = at(vp, vi + j);
      let b = <i32>name.charCodeAt(j);
      if (a >= 0x41 && a <= 0x5a) a += 32;
      if (b >= 0x41 && b <= 0x5a) b += 32;
      if (a != b) {
        ok = false;
        break;
      }
    }
    if (ok) {
      vi += m;
      return idx;
    }
  }
  return -1;
}

/** Skips the literal layout bytes [s, e) in the value; spaces match runs of spaces. */
function skipLiteral(lp: usize, s: i32, e: i32): bool {
  while (s < e) {
    let c = at(lp, s);
    if (c == 0x20) {
      if (vi < vn && at(vp, vi) != 0x20) return false;
      while (s < e && at(lp, s) == 0x20) s++;
      while (vi < vn && at(vp, vi) == 0x20) vi++;
      continue;
    }
    if (vi >= vn || at(vp, vi) != c) return false;
    s++;
    vi++;
  }
  return true;
}

/** Parses fractional seconds at vi spanning `nbytes` bytes (separator included) into `num` nanoseconds. */
function parseNanos(nbytes: i32): i32 {
  // Returns 0 on success, 1 for a syntax error, 2 for a range error.
  let c = at(vp, vi);
  if (c != 0x2e && c != 0x2c) return 1;
  if (nbytes > 10) nbytes = 10;
  if (!atoiRange(vi + 1, vi + nbytes)) return 1;
  if (num < 0) return 2;
  for (let i = 0; i < 10 - nbytes; i++) num *= 10;
  return 0;
}

/** Length of a time zone abbreviation at vi as Go's parseTimeZone accepts it, or 0. */
function timeZoneLength(): i32 {
  let left = vn - vi;
  if (left < 3) return 0;
  if (left >= 4 && (startsWith(vp, vn, vi, "ChST") || startsWith(vp, vn, vi, "MeST"))) return 4;
  if (startsWith(vp, vn, vi, "GMT")) {
    if (left == 3) return 3;
    return 3 + signedOffsetLength(vi + 3);
  }
  let c = at(vp, vi);
  if (c == 0x2b || c == 0x2d) return signedOffsetLength(vi);
  let upper = 0;
  while (upper < 6 && vi + upper < vn) {
    let u = at(vp, vi + upper);
    if (u < 0x41 || u > 0x5a) break;
    upper++;
  }
  if (upper == 5 && at(vp, vi + 4) == 0x54) return 5;
  if (upper == 4 && (at(vp, vi + 3) == 0x54 || startsWith(vp, vn, vi, "WITA"))) return 4;
  if (upper == 3) return 3;
  return 0;
}

function signedOffsetLength(i: i32): i32 {
  if (i >= vn) return 0;
  let c = at(vp, i);
  if (c != 0x2b && c != 0x2d) return 0;
  let j = i + 1;
  let x: i64 = 0;
  while (j < vn && isDigitAt(vp, vn, j)) {
    x = x * 10 + at(vp, j) - 0x30;
    if (x > 1000) x = 1000;
    j++;
  }
  if (j == i + 1 || x > 23) return 0;
  return j - i;
}

/**
 * Parses the value (vp, vn) with the layout (lp, ln) like Go's time.Parse with UTC as the default and local
 * zone. On success sets parsedSec and parsedNsec and returns true; otherwise sets parseError.
 */
export function parseTime(lp: usize, ln: i32, valuePtr: usize, valueLen: i32): bool {
  vp = valuePtr;
  vn = valueLen;
  vi = 0;
  let year: i64 = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nsec = 0;
  let zoneOffset = -1;
  let utc = false;
  let amSet = false;
  let pmSet = false;
  let li = 0;
  while (true) {
    let std = nextChunk(lp, ln, li);
    let elemStart = chunkStart;
    let elemEnd = chunkEnd;
    let digits = chunkDigits;
    if (!skipLiteral(lp, li, elemStart)) return failParse(lp, ln, li, elemStart, vi);
    if (std == STD_NONE) {
      if (vi < vn) return failParseMessage(": extra text: " + timeQuote(vp, vi, vn));
      break;
    }
    li = elemEnd;
    let hold = vi;
    let bad = false;
    let rangeErr: string | null = null;
    switch (std) {
      case STD_YEAR:
        if (vn - vi < 2 || !atoiRange(vi, vi + 2)) { bad = true; break; }
        vi += 2;
        year = num >= 69 ? num + 1900 : num + 2000;
        break;
      case STD_LONG_YEAR:
        if (vn - vi < 4 || !isDigitAt(vp, vn, vi) || !atoiRange(vi, vi + 4)) { bad = true; break; }
        vi += 4;
        year = num;
        break;
      case STD_MONTH: {
        let m = lookupName(true, true);
        if (m < 0) bad = true;
        else month = m + 1;
        break;
      }
      case STD_LONG_MONTH: {
        let m = lookupName(true, false);
        if (m < 0) bad = true;
        else month = m + 1;
        break;
      }
      case STD_NUM_MONTH:
      case STD_ZERO_MONTH:
        if (!getnum(std == STD_ZERO_MONTH)) { bad = true; break; }
        month = num;
        if (month <= 0 || month > 12) rangeErr = "month";
        break;
      case STD_WEEKDAY:
        if (lookupName(false, true) < 0) bad = true;
        break;
      case STD_LONG_WEEKDAY:
        if (lookupName(false, false) < 0) bad = true;
        break;
      case STD_DAY:
      case STD_UNDER_DAY:
      case STD_ZERO_DAY:
        if (std == STD_UNDER_DAY && vi < vn && at(vp, vi) == 0x20) vi++;
        if (!getnum(std == STD_ZERO_DAY)) { bad = true; break; }
        day = num;
        break;
      case STD_UNDER_YEAR_DAY:
      case STD_ZERO_YEAR_DAY:
        for (let k = 0; k < 2; k++) if (std == STD_UNDER_YEAR_DAY && vi < vn && at(vp, vi) == 0x20) vi++;
        if (!getnum3(std == STD_ZERO_YEAR_DAY)) { bad = true; break; }
        yday = num;
        break;
      case STD_HOUR:
        if (!getnum(false)) { bad = true; break; }
        hour = num;
        if (hour < 0 || hour >= 24) rangeErr = "hour";
        break;
      case STD_HOUR12:
      case STD_ZERO_HOUR12:
        if (!getnum(std == STD_ZERO_HOUR12)) { bad = true; break; }
        hour = num;
        if (hour < 0 || hour > 12) rangeErr = "hour";
        break;
      case STD_MINUTE:
      case STD_ZERO_MINUTE:
        if (!getnum(std == STD_ZERO_MINUTE)) { bad = true; break; }
        minute = num;
        if (minute < 0 || minute >= 60) rangeErr = "minute";
        break;
      case STD_SECOND:
      case STD_ZERO_SECOND: {
        if (!getnum(std == STD_ZERO_SECOND)) { bad = true; break; }
        second = num;
        if (second < 0 || second >= 60) { rangeErr = "second"; break; }
        // A fractional second in the value that the layout does not spell out is accepted.
        if (vn - vi >= 2 && (at(vp, vi) == 0x2e || at(vp, vi) == 0x2c) && isDigitAt(vp, vn, vi + 1)) {
          let next = nextChunk(lp, ln, li);
          if (next == STD_FRAC_SECOND0 || next == STD_FRAC_SECOND9) break;
          let k = 2;
          while (vi + k < vn && isDigitAt(vp, vn, vi + k)) k++;
          let r = parseNanos(k);
          if (r == 1) bad = true;
          else if (r == 2) rangeErr = "fractional second";
          else nsec = num;
          vi += k;
        }
        break;
      }
      case STD_PM:
      case STD_PM_LOWER: {
        if (vn - vi < 2) { bad = true; break; }
        let a = at(vp, vi);
        let b = at(vp, vi + 1);
        vi += 2;
        let mChar = std == STD_PM ? 0x4d : 0x6d;
        let pChar = std == STD_PM ? 0x50 : 0x70;
        let aChar = std == STD_PM ? 0x41 : 0x61;
        if (b == mChar && a == pChar) pmSet = true;
        else if (b == mChar && a == aChar) amSet = true;
        else bad = true;
        break;
      }
      case STD_TZ: {
        if (startsWith(vp, vn, vi, "UTC")) {
          utc = true;
          vi += 3;
          break;
        }
        let len = timeZoneLength();
        if (len == 0) { bad = true; break; }
        // A zone name alone does not move the instant: Go assumes the offset is zero (or GMT+h's hours
        // only as a label), and the local zone here is UTC.
        vi += len;
        break;
      }
      case STD_FRAC_SECOND0: {
        let ndigit = 1 + digits;
        if (vn - vi < ndigit) { bad = true; break; }
        let r = parseNanos(ndigit);
        if (r == 1) bad = true;
        else if (r == 2) rangeErr = "fractional second";
        else nsec = num;
        vi += ndigit;
        break;
      }
      case STD_FRAC_SECOND9: {
        if (vn - vi < 2 || (at(vp, vi) != 0x2e && at(vp, vi) != 0x2c) || !isDigitAt(vp, vn, vi + 1)) break;
        let k = 0;
        while (vi + k + 1 < vn && isDigitAt(vp, vn, vi + k + 1)) k++;
        let r = parseNanos(1 + k);
        if (r == 1) bad = true;
        else if (r == 2) rangeErr = "fractional second";
        else nsec = num;
        vi += 1 + k;
        break;
      }
      default: {
        // Numeric zone offsets; the ISO 8601 forms also accept "Z".
        let iso = std >= STD_ISO8601_TZ && std <= STD_ISO8601_COLON_SECONDS_TZ;
        if (iso && vi < vn && at(vp, vi) == 0x5a) {
          vi++;
          utc = true;
          break;
        }
        let left = vn - vi;
        let s = vi;
        let hs = s + 1, ms = -1, ss = -1;
        if (std == STD_ISO8601_COLON_TZ || std == STD_NUM_COLON_TZ) {
          if (left < 6 || at(vp, s + 3) != 0x3a) { bad = true; break; }
          ms = s + 4;
          vi += 6;
        } else if (std == STD_NUM_SHORT_TZ || std == STD_ISO8601_SHORT_TZ) {
          if (left < 3) { bad = true; break; }
          vi += 3;
        } else if (std == STD_ISO8601_COLON_SECONDS_TZ || std == STD_NUM_COLON_SECONDS_TZ) {
          if (left < 9 || at(vp, s + 3) != 0x3a || at(vp, s + 6) != 0x3a) { bad = true; break; }
          ms = s + 4;
          ss = s + 7;
          vi += 9;
        } else if (std == STD_ISO8601_SECONDS_TZ || std == STD_NUM_SECONDS_TZ) {
          if (left < 7) { bad = true; break; }
          ms = s + 3;
          ss = s + 5;
          vi += 7;
        } else {
          if (left < 5) { bad = true; break; }
          ms = s + 3;
          vi += 5;
        }
        let hr = twoDigits(hs);
        let mm = ms < 0 ? 0 : twoDigits(ms);
        let sc = ss < 0 ? 0 : twoDigits(ss);
        if (hr < 0 || mm < 0 || sc < 0) { bad = true; break; }
        if (hr > 24) rangeErr = "time zone offset hour";
        if (mm > 60) rangeErr = "time zone offset minute";
        if (sc > 60) rangeErr = "time zone offset second";
        zoneOffset = (hr * 60 + mm) * 60 + sc;
        let sign = at(vp, s);
        if (sign == 0x2d) zoneOffset = -zoneOffset;
        else if (sign != 0x2b) bad = true;
      }
    }
    if (rangeErr != null) return failParseMessage(": " + rangeErr + " out of range");
    if (bad) return failParse(lp, ln, elemStart, elemEnd, hold);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour == 12) hour = 0;

  if (yday >= 0) {
    let d = 0;
    let m = 0;
    if (isLeapYear(year)) {
      if (yday == 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) {
        yday--;
      }
    }
    if (yday < 1 || yday > 365) return failParseMessage(": day-of-year out of range");
    if (m == 0) {
      m = (yday - 1) / 31 + 1;
      if (daysBefore(m) < yday) m++;
      d = yday - daysBefore(m - 1);
    }
    if (month >= 0 && month != m) return failParseMessage(": day-of-year does not match month");
    month = m;
    if (day >= 0 && day != d) return failParseMessage(": day-of-year does not match day");
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysInMonth(year, month)) return failParseMessage(": day out of range");

  let sec = daysFromCivil(year, month, day) * 86400 + <i64>(hour * 3600 + minute * 60 + second);
  if (!utc && zoneOffset != -1) sec -= <i64>zoneOffset;
  parsedSec = sec;
  parsedNsec = nsec;
  return true;
}

/** Days before month m (0-12) in a non-leap year, as Go's daysBefore table. */
function daysBefore(m: i32): i32 {
  let d = 0;
  for (let k = 1; k <= m; k++) d += daysInMonth(2001, k);
  return d;
}

function twoDigits(i: i32): i32 {
  if (!isDigitAt(vp, vn, i) || !isDigitAt(vp, vn, i + 1)) return -1;
  return (at(vp, i) - 0x30) * 10 + at(vp, i + 1) - 0x30;
}
