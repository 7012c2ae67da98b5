// IANA time zones for the time builtins: name lookup in tzdata.ts and the offset in force at an instant,
// computed the way Go's time.Location does (transitions, then the zone's POSIX TZ rule after the last one).

import { TZDATA } from "./tzdata";
import { civilFromDays, civilYear, daysFromCivil, daysInMonth, floorDiv, isLeapYear } from "./calendar";

/** UTC offset (seconds east) found by the last `lookupZone`. */
export let zoneOffset: i32 = 0;
/** Abbreviation found by the last `lookupZone` ("CET", "+0530", ...). */
export let zoneAbbrev: string = "UTC";
/** Start of the period (unix seconds) in which the last lookup's offset holds. */
export let zoneStart: i64 = i64.MIN_VALUE;
/** End (exclusive) of that period. */
export let zoneEnd: i64 = i64.MAX_VALUE;

/** The zone id meaning UTC (no table record). */
export const ZONE_UTC: i32 = -1;

// @ts-ignore: decorator
@inline function u8At(o: usize): i32 {
  return <i32>load<u8>(TZDATA + o);
}

// @ts-ignore: decorator
@inline function u16At(o: usize): i32 {
  return <i32>load<u16>(TZDATA + o);
}

/** The record offset of the zone named (p, n), or -1 when the table has no such zone. */
export function findZone(p: usize, n: i32): i32 {
  let names = u16At(2);
  let lo = 0;
  let hi = names - 1;
  while (lo <= hi) {
    let mid = (lo + hi) >> 1;
    let entry = <usize>(4 + mid * 6);
    let nameAt = TZDATA + <usize>load<u32>(TZDATA + entry);
    // compare (p, n) with the NUL-terminated name
    let order = 0;
    let k = 0;
    while (true) {
      let a = k < n ? <i32>load<u8>(p + <usize>k) : -1;
      let b = <i32>load<u8>(nameAt + <usize>k);
      if (b == 0) b = -1;
      if (a != b) {
        order = a < b ? -1 : 1;
        break;
      }
      if (a == -1) break;
      k++;
    }
    if (order == 0) {
      let zone = u16At(entry + 4);
      return <i32>load<u32>(TZDATA + <usize>(4 + names * 6 + zone * 4));
    }
    if (order < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return -1;
}

// A decoded zone record.
let typesAt: usize = 0;
let abbrevAt: usize = 0;

function setType(type: i32): void {
  let t = typesAt + <usize>(type * 6);
  zoneOffset = <i32>load<u32>(TZDATA + t);
  let a = abbrevAt + <usize>u8At(t + 5);
  let len = 0;
  while (load<u8>(TZDATA + a + <usize>len) != 0) len++;
  zoneAbbrev = String.UTF8.decodeUnsafe(TZDATA + a, <usize>len);
}

/** Sets zoneOffset, zoneAbbrev, zoneStart and zoneEnd for the zone record `zone` at unix second `sec`. */
export function lookupZone(zone: i32, sec: i64): void {
  if (zone == ZONE_UTC) {
    zoneOffset = 0;
    zoneAbbrev = "UTC";
    zoneStart = i64.MIN_VALUE;
    zoneEnd = i64.MAX_VALUE;
    return;
  }
  let o = <usize>zone;
  let types = u8At(o);
  typesAt = o + 1;
  o += 1 + <usize>types * 6;
  let abbrevLen = u8At(o);
  abbrevAt = o + 1;
  o += 1 + <usize>abbrevLen;
  let first = u8At(o);
  o += 1;
  let count = u16At(o);
  o += 2;
  // Walk the transitions to the last one at or before sec.
  let time: i64 = 0;
  let type = -1;
  let start: i64 = i64.MIN_VALUE;
  let end: i64 = i64.MAX_VALUE;
  let passedAll = true;
  for (let k = 0; k < count; k++) {
    let v: u64 = 0;
    let shift: u64 = 0;
    while (true) {
      let b = <u64>u8At(o++);
      v |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    let unit = <i32>(v & 3);
    let t = <i32>((v >> 2) & 31);
    let zig = v >> 7;
    let scaled = (zig & 1) != 0 ? -<i64>((zig + 1) >> 1) : <i64>(zig >> 1);
    time += scaled * (unit == 2 ? 3600 : unit == 1 ? 60 : 1);
    if (time > sec) {
      end = time;
      passedAll = false;
      break; // the footer is not needed before the last transition
    }
    type = t;
    start = time;
  }
  if (count == 0) type = 0;
  else if (type < 0) type = first;
  if (passedAll) {
    // After the last transition (or with none), the footer's rule decides, when there is one; o now
    // points past the transitions, at the footer.
    let footerLen = u8At(o);
    if (footerLen > 0 && tzset(TZDATA + o + 1, footerLen, sec, start)) return;
  }
  setType(type);
  zoneStart = start;
  zoneEnd = end;
}

// ---- POSIX TZ rules ("CET-1CEST,M3.5.0,M10.5.0/3") ----------------------------------------------------------

let rp: usize = 0;
let rn: i32 = 0;
let ri: i32 = 0;

// @ts-ignore: decorator
@inline function rc(): i32 {
  return ri < rn ? <i32>load<u8>(rp + <usize>ri) : -1;
}

/** A zone name: letters, or anything in <...>. Returns its text, or null. */
function ruleName(): string | null {
  let start = ri;
  if (rc() == 0x3c) {
    let k = ri + 1;
    while (k < rn && load<u8>(rp + <usize>k) != 0x3e) k++;
    if (k >= rn) return null;
    ri = k + 1;
    return String.UTF8.decodeUnsafe(rp + <usize>(start + 1), <usize>(k - start - 1));
  }
  while (ri < rn) {
    let c = rc();
    if (c == 0x2c || c == 0x2d || c == 0x2b || (c >= 0x30 && c <= 0x39)) break;
    ri++;
  }
  if (ri - start < 3) return null;
  return String.UTF8.decodeUnsafe(rp + <usize>start, <usize>(ri - start));
}

function ruleNum(lo: i32, hi: i32): i32 {
  let start = ri;
  let v = 0;
  while (ri < rn && rc() >= 0x30 && rc() <= 0x39) {
    v = v * 10 + rc() - 0x30;
    ri++;
    if (v > 100000) return -1;
  }
  if (ri == start || v < lo || v > hi) return -1;
  return v;
}

/** [+-]hh[:mm[:ss]] as seconds; i32.MIN_VALUE on error. */
function ruleOffset(): i32 {
  let neg = false;
  if (rc() == 0x2b || rc() == 0x2d) {
    neg = rc() == 0x2d;
    ri++;
  }
  let h = ruleNum(0, 24 * 7);
  if (h < 0) return i32.MIN_VALUE;
  let s = h * 3600;
  if (rc() == 0x3a) {
    ri++;
    let m = ruleNum(0, 59);
    if (m < 0) return i32.MIN_VALUE;
    s += m * 60;
    if (rc() == 0x3a) {
      ri++;
      let x = ruleNum(0, 59);
      if (x < 0) return i32.MIN_VALUE;
      s += x;
    }
  }
  return neg ? -s : s;
}

// A transition rule: kind 0 = Jn (1-365, no Feb 29), 1 = n (0-365), 2 = Mm.w.d.
class Rule {
  kind: i32 = 2;
  day: i32 = 0;
  week: i32 = 0;
  mon: i32 = 0;
  time: i32 = 7200;
}

function parseRule(r: Rule): bool {
  let c = rc();
  if (c == 0x4a) {
    ri++;
    r.kind = 0;
    r.day = ruleNum(1, 365);
    if (r.day < 0) return false;
  } else if (c == 0x4d) {
    ri++;
    r.kind = 2;
    r.mon = ruleNum(1, 12);
    if (r.mon < 0 || rc() != 0x2e) return false;
    ri++;
    r.week = ruleNum(1, 5);
    if (r.week < 0 || rc() != 0x2e) return false;
    ri++;
    r.day = ruleNum(0, 6);
    if (r.day < 0) return false;
  } else {
    r.kind = 1;
    r.day = ruleNum(0, 365);
    if (r.day < 0) return false;
  }
  r.time = 7200;
  if (rc() == 0x2f) {
    ri++;
    let t = ruleOffset();
    if (t == i32.MIN_VALUE) return false;
    r.time = t;
  }
  return true;
}

/** Seconds from the start of the year to the rule's moment, for a local offset `off` (Go's tzruleTime). */
function ruleTime(year: i64, r: Rule, off: i32): i64 {
  let s: i64 = 0;
  if (r.kind == 0) {
    s = <i64>(r.day - 1) * 86400;
    if (isLeapYear(year) && r.day >= 60) s += 86400;
  } else if (r.kind == 1) {
    s = <i64>r.day * 86400;
  } else {
    // Zeller's congruence for the weekday of the first of the month.
    let m1 = (r.mon + 9) % 12 + 1;
    let yy0 = year;
    if (r.mon <= 2) yy0--;
    let yy1 = yy0 / 100;
    let yy2 = yy0 % 100;
    let dow = <i32>(((26 * <i64>m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7);
    if (dow < 0) dow += 7;
    let d = r.day - dow;
    if (d < 0) d += 7;
    for (let i = 1; i < r.week; i++) {
      if (d + 7 >= daysInMonth(year, r.mon)) break;
      d += 7;
    }
    for (let m = 1; m < r.mon; m++) d += daysInMonth(2001, m);
    if (isLeapYear(year) && r.mon > 2) d++;
    s = <i64>d * 86400;
  }
  return s + <i64>r.time - <i64>off;
}

/**
 * Applies a POSIX TZ rule at unix second sec (after the zone's last transition, at lastTransition),
 * setting the zone globals; false when the rule does not parse.
 */
function tzset(p: usize, n: i32, sec: i64, lastTransition: i64): bool {
  rp = p;
  rn = n;
  ri = 0;
  let stdName = ruleName();
  if (stdName == null) return false;
  let stdOffset = ruleOffset();
  if (stdOffset == i32.MIN_VALUE) return false;
  stdOffset = -stdOffset; // POSIX offsets count west of UTC
  if (ri >= rn || rc() == 0x2c) {
    if (ri < rn) return false;
    zoneOffset = stdOffset;
    zoneAbbrev = stdName as string;
    zoneStart = lastTransition;
    zoneEnd = i64.MAX_VALUE;
    return true;
  }
  let dstName = ruleName();
  if (dstName == null) return false;
  let dstOffset = stdOffset + 3600;
  if (ri < rn && rc() != 0x2c) {
    let o = ruleOffset();
    if (o == i32.MIN_VALUE) return false;
    dstOffset = -o;
  }
  let start = new Rule();
  let end = new Rule();
  if (ri >= rn) {
    // the default rules: ",M3.2.0,M11.1.0"
    start.mon = 3;
    start.week = 2;
    start.day = 0;
    end.mon = 11;
    end.week = 1;
    end.day = 0;
  } else {
    if (rc() != 0x2c) return false;
    ri++;
    if (!parseRule(start) || rc() != 0x2c) return false;
    ri++;
    if (!parseRule(end) || ri != rn) return false;
  }
  let days = floorDiv(sec, 86400);
  civilFromDays(days);
  let year = civilYear;
  let yearStart: i64 = daysFromCivil(year, 1, 1) * 86400;
  let ysec = sec - yearStart;
  let startSec = ruleTime(year, start, stdOffset);
  let endSec = ruleTime(year, end, dstOffset);
  let stdN = stdName as string;
  let dstN = dstName as string;
  let stdO = stdOffset;
  let dstO = dstOffset;
  if (endSec < startSec) {
    let t = startSec;
    startSec = endSec;
    endSec = t;
    let tn = stdN;
    stdN = dstN;
    dstN = tn;
    let to = stdO;
    stdO = dstO;
    dstO = to;
  }
  if (ysec < startSec) {
    zoneOffset = stdO;
    zoneAbbrev = stdN;
    zoneStart = yearStart;
    zoneEnd = startSec + yearStart;
  } else if (ysec >= endSec) {
    zoneOffset = stdO;
    zoneAbbrev = stdN;
    zoneStart = endSec + yearStart;
    zoneEnd = yearStart + 365 * 86400;
  } else {
    zoneOffset = dstO;
    zoneAbbrev = dstN;
    zoneStart = startSec + yearStart;
    zoneEnd = endSec + yearStart;
  }
  return true;
}

