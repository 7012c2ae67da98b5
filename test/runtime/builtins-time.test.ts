/**
 * Time builtins, run directly on build/runtime.wasm; expected values are Go's (time package and tzdata).
 */

import { builtinError, row, runTable, typeError } from "./builtins-table";

const NS = "1670006453141828752"; // 2022-12-02T18:40:53.141828752Z, a Friday

runTable("time parsing", [
  row("conformance: minimum", "time.parse_rfc3339_ns", ['"1677-09-21T00:12:43.145224192-00:00"'], "-9223372036854775808"),
  row("conformance: epoch", "time.parse_rfc3339_ns", ['"1970-01-01T00:00:00-00:00"'], "0"),
  row("conformance: offset", "time.parse_rfc3339_ns", ['"2017-06-02T19:00:00-07:00"'], "1496455200000000000"),
  row("conformance: maximum", "time.parse_rfc3339_ns", ['"2262-04-11T23:47:16.854775807-00:00"'], "9223372036854775807"),
  row(
    "conformance: too small",
    "time.parse_rfc3339_ns",
    ['"1677-09-21T00:12:43.145224191-00:00"'],
    builtinError("time.parse_rfc3339_ns: time outside of valid range"),
  ),
  row(
    "conformance: too large",
    "time.parse_rfc3339_ns",
    ['"2262-04-11T23:47:16.854775808-00:00"'],
    builtinError("time.parse_rfc3339_ns: time outside of valid range"),
  ),
  row("Z", "time.parse_rfc3339_ns", ['"2022-12-02T18:40:53.141828752Z"'], NS),
  row(
    "bad text",
    "time.parse_rfc3339_ns",
    ['"2017-06-02 19:00:00"'],
    builtinError(
      'time.parse_rfc3339_ns: parsing time "2017-06-02 19:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse " 19:00:00" as "T"',
    ),
  ),
  row(
    "month out of range",
    "time.parse_rfc3339_ns",
    ['"2017-13-02T19:00:00Z"'],
    builtinError('time.parse_rfc3339_ns: parsing time "2017-13-02T19:00:00Z": month out of range'),
  ),
  row(
    "day out of range",
    "time.parse_rfc3339_ns",
    ['"2017-02-29T19:00:00Z"'],
    builtinError('time.parse_rfc3339_ns: parsing time "2017-02-29T19:00:00Z": day out of range'),
  ),
  row(
    "extra text",
    "time.parse_rfc3339_ns",
    ['"2017-02-01T19:00:00Zjunk"'],
    builtinError('time.parse_rfc3339_ns: parsing time "2017-02-01T19:00:00Zjunk": extra text: "junk"'),
  ),
  row("wrong type", "time.parse_rfc3339_ns", ["1"], typeError("time.parse_rfc3339_ns: operand 1 must be string but got number")),
  row("layout", "time.parse_ns", ['"2006-01-02"', '"2022-12-02"'], "1669939200000000000"),
  row("named layout", "time.parse_ns", ['"RFC822Z"', '"02 Dec 22 18:40 +0100"'], "1670002800000000000"),
  row(
    "names and 12-hour clock",
    "time.parse_ns",
    ['"Monday, January 2 2006 3:04pm"', '"Friday, December 2 2022 6:40pm"'],
    "1670006400000000000",
  ),
  row(
    "zone abbreviation is not an offset",
    "time.parse_ns",
    ['"Jan _2 15:04:05 MST 2006"', '"Dec  2 18:40:53 PST 2022"'],
    "1670006453000000000",
  ),
  row(
    "layout mismatch",
    "time.parse_ns",
    ['"2006-01-02"', '"02/12/2022"'],
    builtinError('time.parse_ns: parsing time "02/12/2022" as "2006-01-02": cannot parse "02/12/2022" as "2006"'),
  ),
  row("wrong layout type", "time.parse_ns", ["1", '"x"'], typeError("time.parse_ns: operand 1 must be string but got number")),
  row("duration", "time.parse_duration_ns", ['"1h30m"'], "5400000000000"),
  row("fractional negative duration", "time.parse_duration_ns", ['"-1.5s"'], "-1500000000"),
  row("micro sign", "time.parse_duration_ns", ['"300µs"'], "300000"),
  row("zero", "time.parse_duration_ns", ['"0"'], "0"),
  row("bad duration", "time.parse_duration_ns", ['"1x"'], builtinError('time.parse_duration_ns: time: unknown unit "x" in duration "1x"')),
  row("missing unit", "time.parse_duration_ns", ['"3"'], builtinError('time.parse_duration_ns: time: missing unit in duration "3"')),
  row("beyond int64", "time.parse_duration_ns", ['"2562048h"'], builtinError('time.parse_duration_ns: time: invalid duration "2562048h"')),
]);

runTable("time formatting and fields", [
  row("conformance: format no timezone", "time.format", [NS], '"2022-12-02T18:40:53.141828752Z"'),
  row("conformance: format with timezone", "time.format", [`[${NS},"Asia/Kolkata"]`], '"2022-12-03T00:10:53.141828752+05:30"'),
  row(
    "conformance: format with layout",
    "time.format",
    [`[${NS},"Asia/Kolkata","Mon Jan 02 15:04:05 -0700 2006"]`],
    '"Sat Dec 03 00:10:53 +0530 2022"',
  ),
  row("conformance: format with constant", "time.format", [`[${NS},"Asia/Kolkata","RFC1123Z"]`], '"Sat, 03 Dec 2022 00:10:53 +0530"'),
  row("conformance: format too big", "time.format", ["15829776000000000000000"], builtinError("time.format: timestamp too big")),
  row("zone abbreviation", "time.format", [`[${NS},"America/New_York","Jan _2 15:04:05 MST"]`], '"Dec  2 13:40:53 EST"'),
  row("summer time", "time.format", ['[1656784853000000000,"Europe/Berlin","2006-01-02 15:04 MST"]'], '"2022-07-02 20:00 CEST"'),
  row("unknown zone", "time.format", [`[${NS},"Mars/Olympus"]`], builtinError("time.format: unknown time zone Mars/Olympus")),
  row("fraction is too big", "time.format", ["1.5"], builtinError("time.format: timestamp too big")),
  row(
    "empty array",
    "time.format",
    ["[]"],
    typeError("time.format: operand 1 must be either number (ns) or [number (ns), string (tz)] but got array"),
  ),
  row(
    "string",
    "time.format",
    ['"x"'],
    typeError("time.format: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string"),
  ),
  row("zone not a string", "time.format", [`[${NS},1]`], typeError("time.format: operand 1 must be string but got number")),
  row("date", "time.date", [NS], "[2022,12,2]"),
  row("date in a zone", "time.date", [`[${NS},"Asia/Kolkata"]`], "[2022,12,3]"),
  row("date before the epoch", "time.date", ["-1"], "[1969,12,31]"),
  row("conformance: clock with NY tz", "time.clock", ['[1517832000000000000,"America/New_York"]'], "[7,0,0]"),
  row("conformance: clock leap day", "time.clock", ["1582977600000000000"], "[12,0,0]"),
  row("weekday", "time.weekday", [NS], '"Friday"'),
  row("weekday in a zone", "time.weekday", [`[${NS},"Asia/Tokyo"]`], '"Saturday"'),
  row("weekday of the epoch", "time.weekday", ["0"], '"Thursday"'),
]);

runTable("time arithmetic", [
  row("one day", "time.add_date", ["0", "0", "0", "1"], "86400000000000"),
  row(
    "month end overflows (Jan 31 + 1 month is Mar 2, 2024)",
    "time.add_date",
    ["1706659200000000000", "0", "1", "0"],
    "1709337600000000000",
  ),
  row("years back", "time.add_date", ["1709251200000000000", "-1", "0", "0"], "1677628800000000000"),
  row("keeps wall clock across DST", "time.add_date", ['[1710000000000000000,"America/New_York"]', "0", "0", "7"], "1710601200000000000"),
  row("out of range", "time.add_date", ["0", "300", "0", "0"], builtinError("time.add_date: time outside of valid range")),
  row(
    "float years",
    "time.add_date",
    ["0", "1.5", "0", "0"],
    typeError("time.add_date: operand 2 must be integer number but got floating-point number"),
  ),
  row("diff", "time.diff", ["1703444325734390000", "1257894000000000000"], "[14,1,13,19,58,45]"),
  row("diff with zones", "time.diff", ['[1703444325734390000,"UTC"]', '[1257894000000000000,""]'], "[14,1,13,19,58,45]"),
  row("diff is symmetric", "time.diff", ["1257894000000000000", "1703444325734390000"], "[14,1,13,19,58,45]"),
  row("diff of equal times", "time.diff", ["5", "5"], "[0,0,0,0,0,0]"),
  row("diff borrows days of the earlier month", "time.diff", ["1706659200000000000", "1709251200000000000"], "[0,1,1,0,0,0]"),
]);
