// Time builtins on nanoseconds since the Unix epoch: parsing, formatting, calendar fields and arithmetic.
//
// A time operand is ns or [ns, zone] or [ns, zone, layout] as in OPA. Zones come from the IANA table in
// tzdata.ts; "" and "UTC" mean UTC and "Local" is taken as UTC too (the runtime has no host zone).
// time.now_ns is not here: it needs the host's clock and is left to the host.

import { clearBuiltinError } from "../errors";
import { ByteWriter } from "../byte-writer";
import {
  TYPE_ARRAY, TYPE_NUMBER, TYPE_STRING, arrayAt, arrayLength, arrayPush, newArray, newStringRef, typeOf,
} from "../value";
import { newNumber } from "../number";
import { exactInt64, exactValue, failure, intOperand, newInt64, operandFailed, strLen, strPtr, typeError } from "./operands";
import { civilDay, civilFromDays, civilMonth, civilYear, daysFromCivil, daysInMonth, floorDiv, floorMod, weekdayFromDays } from "./calendar";
import { RFC3339, RFC3339_NANO, formatTime, namedLayout, parseError, parseTime, parsedNsec, parsedSec } from "./time-layout";
import { durationError, durationNanos, parseDuration } from "./duration";
import { ZONE_UTC, findZone, lookupZone, zoneAbbrev, zoneEnd, zoneOffset, zoneStart } from "./timezone";

// ---- the time operand -------------------------------------------------------------------------------------------

/** Seconds of the last timeOperand. */
let tSec: i64 = 0;
/** Nanoseconds within the second of the last timeOperand. */
let tNsec: i32 = 0;
/** Zone of the last timeOperand (a tzdata record, or ZONE_UTC). */
let tZone: i32 = ZONE_UTC;
/** Layout string value of the last timeOperand, or 0. */
let tLayout: usize = 0;

const TIME_OPERAND = "either number (ns) or [number (ns), string (tz)]";

// Encoded once at start-up, before the SDK records the heap pointer, so they outlive every evaluation.
const RFC3339_BYTES = String.UTF8.encode(RFC3339);
const RFC3339_NANO_BYTES = String.UTF8.encode(RFC3339_NANO);

// Day names for time.weekday, as static UTF-8: offsets and lengths by weekday number.
const DAY_NAMES = memory.data<u8>([
  0x53, 0x75, 0x6e, 0x64, 0x61, 0x79, // Sunday
  0x4d, 0x6f, 0x6e, 0x64, 0x61, 0x79, // Monday
  0x54, 0x75, 0x65, 0x73, 0x64, 0x61, 0x79, // Tuesday
  0x57, 0x65, 0x64, 0x6e, 0x65, 0x73, 0x64, 0x61, 0x79, // Wednesday
  0x54, 0x68, 0x75, 0x72, 0x73, 0x64, 0x61, 0x79, // Thursday
  0x46, 0x72, 0x69, 0x64, 0x61, 0x79, // Friday
  0x53, 0x61, 0x74, 0x75, 0x72, 0x64, 0x61, 0x79, // Saturday
]);
const DAY_OFFSETS: StaticArray<u8> = [0, 6, 12, 19, 28, 36, 42, 50];

/** Resolves a zone name as OPA does; -2 (with the error recorded) when it is unknown. */
function zoneNamed(name: string, v: usize): i32 {
  let p = strPtr(v);
  let n = strLen(v);
  if (n == 0 || (n == 3 && load<u8>(p) == 0x55 && load<u8>(p, 1) == 0x54 && load<u8>(p, 2) == 0x43)) return ZONE_UTC;
  let text = String.UTF8.decodeUnsafe(p, <usize>n);
  if (text == "Local") return ZONE_UTC;
  // Go's LoadLocation refuses path-like names before looking them up.
  if (text.includes("..") || text.startsWith("/") || text.startsWith("\\")) {
    failure(name, "time: invalid location name");
    return -2;
  }
  let zone = findZone(p, n);
  if (zone < 0) {
    failure(name, "unknown time zone " + text);
    return -2;
  }
  return zone;
}

/** Reads a time operand (OPA's tzTime) into tSec, tNsec, tZone and tLayout; false with the error recorded. */
function timeOperand(name: string, a: usize): bool {
  tZone = ZONE_UTC;
  tLayout = 0;
  let ns: usize;
  let kind = typeOf(a);
  if (kind == TYPE_ARRAY) {
    let n = arrayLength(a);
    if (n == 0) {
      typeError(name, 1, a, TIME_OPERAND);
      return false;
    }
    ns = arrayAt(a, 0);
    if (typeOf(ns) != TYPE_NUMBER) {
      typeError(name, 1, ns, "number");
      return false;
    }
    if (n > 1) {
      let tz = arrayAt(a, 1);
      if (typeOf(tz) != TYPE_STRING) {
        typeError(name, 1, tz, "string");
        return false;
      }
      let zone = zoneNamed(name, tz);
      if (zone == -2) return false;
      tZone = zone;
    }
    if (n > 2) {
      let layout = arrayAt(a, 2);
      if (typeOf(layout) != TYPE_STRING) {
        typeError(name, 1, layout, "string");
        return false;
      }
      tLayout = layout;
    }
  } else if (kind == TYPE_NUMBER) {
    ns = a;
  } else {
    typeError(name, 1, a, TIME_OPERAND);
    return false;
  }
  if (!exactInt64(ns)) {
    failure(name, "timestamp too big");
    return false;
  }
  tSec = floorDiv(exactValue, 1_000_000_000);
  tNsec = <i32>floorMod(exactValue, 1_000_000_000);
  return true;
}

/** Sets the calendar globals (civil*) and returns the seconds of day, for the time in its zone. */
function localFields(sec: i64, zone: i32): i32 {
  lookupZone(zone, sec);
  let local = sec + <i64>zoneOffset;
  civilFromDays(floorDiv(local, 86400));
  return <i32>floorMod(local, 86400);
}

/** The nanoseconds of (sec, nsec) when within the int64 range OPA allows; 0 with the error recorded. */
function safeUnixNano(name: string, sec: i64, nsec: i32): usize {
  // time.Unix(0, MinInt64) is 1677-09-21T00:12:43.145224192Z; time.Unix(0, MaxInt64) is
  // 2262-04-11T23:47:16.854775807Z.
  if (sec < -9223372037 || (sec == -9223372037 && nsec < 145224192) ||
    sec > 9223372036 || (sec == 9223372036 && nsec > 854775807)) {
    return failure(name, "time outside of valid range");
  }
  return newInt64(sec * 1_000_000_000 + <i64>nsec);
}

// ---- parsing ----------------------------------------------------------------------------------------------------

/** time.parse_rfc3339_ns(s): the nanoseconds of an RFC 3339 timestamp. */
export function cs_bi_time__parse_rfc3339_ns(s: usize): usize {
  clearBuiltinError();
  let name = "time.parse_rfc3339_ns";
  if (typeOf(s) != TYPE_STRING) return typeError(name, 1, s, "string");
  if (!parseTime(changetype<usize>(RFC3339_BYTES), RFC3339_BYTES.byteLength, strPtr(s), strLen(s))) {
    return failure(name, parseError);
  }
  return safeUnixNano(name, parsedSec, parsedNsec);
}

/** time.parse_ns(layout, s): the nanoseconds of s read with a Go layout (or a named one like "RFC822"). */
export function cs_bi_time__parse_ns(layout: usize, s: usize): usize {
  clearBuiltinError();
  let name = "time.parse_ns";
  if (typeOf(layout) != TYPE_STRING) return typeError(name, 1, layout, "string");
  if (typeOf(s) != TYPE_STRING) return typeError(name, 2, s, "string");
  let lp = strPtr(layout);
  let ln = strLen(layout);
  let named = namedLayout(lp, ln);
  if (named != null) {
    let bytes = String.UTF8.encode(named);
    lp = changetype<usize>(bytes);
    ln = bytes.byteLength;
  }
  if (!parseTime(lp, ln, strPtr(s), strLen(s))) return failure(name, parseError);
  return safeUnixNano(name, parsedSec, parsedNsec);
}

/** time.parse_duration_ns(s): the nanoseconds of a Go duration such as "1h30m". */
export function cs_bi_time__parse_duration_ns(s: usize): usize {
  clearBuiltinError();
  let name = "time.parse_duration_ns";
  if (typeOf(s) != TYPE_STRING) return typeError(name, 1, s, "string");
  if (!parseDuration(strPtr(s), strLen(s))) return failure(name, durationError);
  return newInt64(durationNanos);
}

// ---- formatting and fields --------------------------------------------------------------------------------------

/** time.format(x): x formatted with its layout (RFC 3339 with nanoseconds by default) in its zone. */
export function cs_bi_time__format(x: usize): usize {
  clearBuiltinError();
  if (!timeOperand("time.format", x)) return 0;
  let lp = changetype<usize>(RFC3339_NANO_BYTES);
  let ln = RFC3339_NANO_BYTES.byteLength;
  if (tLayout && strLen(tLayout) > 0) {
    let named = namedLayout(strPtr(tLayout), strLen(tLayout));
    if (named != null) {
      let bytes = String.UTF8.encode(named);
      lp = changetype<usize>(bytes);
      ln = bytes.byteLength;
    } else {
      lp = strPtr(tLayout);
      ln = strLen(tLayout);
    }
  }
  lookupZone(tZone, tSec);
  let out = new ByteWriter(<usize>ln + 16);
  formatTime(out, lp, ln, tSec, tNsec, zoneOffset, zoneAbbrev);
  return out.finishString();
}

function triple(a: i64, b: i64, c: i64): usize {
  let out = newArray(3);
  arrayPush(out, newNumber(<f64>a));
  arrayPush(out, newNumber(<f64>b));
  arrayPush(out, newNumber(<f64>c));
  return out;
}

/** time.date(x): [year, month, day]. */
export function cs_bi_time__date(x: usize): usize {
  clearBuiltinError();
  if (!timeOperand("time.date", x)) return 0;
  localFields(tSec, tZone);
  return triple(civilYear, civilMonth, civilDay);
}

/** time.clock(x): [hour, minute, second]. */
export function cs_bi_time__clock(x: usize): usize {
  clearBuiltinError();
  if (!timeOperand("time.clock", x)) return 0;
  let s = localFields(tSec, tZone);
  return triple(s / 3600, (s / 60) % 60, s % 60);
}

/** time.weekday(x): the English name of the day of the week. */
export function cs_bi_time__weekday(x: usize): usize {
  clearBuiltinError();
  if (!timeOperand("time.weekday", x)) return 0;
  lookupZone(tZone, tSec);
  let day = weekdayFromDays(floorDiv(tSec + <i64>zoneOffset, 86400));
  let start = <usize>DAY_OFFSETS[day];
  return newStringRef(DAY_NAMES + start, <usize>DAY_OFFSETS[day + 1] - start);
}

// ---- arithmetic -------------------------------------------------------------------------------------------------

/** time.add_date(x, years, months, days): Go's Time.AddDate in x's zone. */
export function cs_bi_time__add_date(x: usize, years: usize, months: usize, days: usize): usize {
  clearBuiltinError();
  let name = "time.add_date";
  if (!timeOperand(name, x)) return 0;
  let y = intOperand(name, 2, years);
  if (operandFailed) return 0;
  let m = intOperand(name, 3, months);
  if (operandFailed) return 0;
  let d = intOperand(name, 4, days);
  if (operandFailed) return 0;
  let secOfDay = localFields(tSec, tZone);
  // Go's Date: normalise the wall clock, then find the offset in force there.
  let wall = daysFromCivil(civilYear + y, <i64>civilMonth + m, <i64>civilDay + d) * 86400 + <i64>secOfDay;
  lookupZone(tZone, wall);
  let offset = zoneOffset;
  if (offset != 0) {
    let utc = wall - <i64>offset;
    if (utc < zoneStart || utc >= zoneEnd) {
      lookupZone(tZone, utc);
      offset = zoneOffset;
    }
  }
  return safeUnixNano(name, wall - <i64>offset, tNsec);
}

/** time.diff(a, b): [years, months, days, hours, minutes, seconds] between two times, seen in a's zone. */
export function cs_bi_time__diff(a: usize, b: usize): usize {
  clearBuiltinError();
  let name = "time.diff";
  if (!timeOperand(name, a)) return 0;
  let sec1 = tSec, nsec1 = tNsec, zone = tZone;
  if (!timeOperand(name, b)) return 0;
  let sec2 = tSec, nsec2 = tNsec;
  if (sec1 > sec2 || (sec1 == sec2 && nsec1 > nsec2)) {
    let s = sec1;
    sec1 = sec2;
    sec2 = s;
  }
  let s1 = localFields(sec1, zone);
  let y1 = civilYear, mo1 = civilMonth, d1 = civilDay;
  let s2 = localFields(sec2, zone);
  let y2 = civilYear, mo2 = civilMonth, d2 = civilDay;
  let year = y2 - y1;
  let month = <i64>(mo2 - mo1);
  let day = <i64>(d2 - d1);
  let hour = <i64>(s2 / 3600 - s1 / 3600);
  let min = <i64>((s2 / 60) % 60 - (s1 / 60) % 60);
  let sec = <i64>(s2 % 60 - s1 % 60);
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysInMonth(y1, mo1);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  let out = newArray(6);
  arrayPush(out, newNumber(<f64>year));
  arrayPush(out, newNumber(<f64>month));
  arrayPush(out, newNumber(<f64>day));
  arrayPush(out, newNumber(<f64>hour));
  arrayPush(out, newNumber(<f64>min));
  arrayPush(out, newNumber(<f64>sec));
  return out;
}
