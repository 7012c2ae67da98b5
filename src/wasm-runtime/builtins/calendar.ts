// Proleptic Gregorian calendar arithmetic on day numbers counted from 1970-01-01, as Go's time package does it.
//
// Results that are several numbers at once are left in the exported `civil*` globals rather than in an
// allocated object, because the time builtins call these on every evaluation.

/** Year set by `civilFromDays`. */
export let civilYear: i64 = 1970;
/** Month (1-12) set by `civilFromDays`. */
export let civilMonth: i32 = 1;
/** Day of month (1-31) set by `civilFromDays`. */
export let civilDay: i32 = 1;

/** Floor division for i64 (rounds toward negative infinity). */
// @ts-ignore: decorator
@inline export function floorDiv(a: i64, b: i64): i64 {
  let q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

/** Modulo with the sign of the divisor. */
// @ts-ignore: decorator
@inline export function floorMod(a: i64, b: i64): i64 {
  let m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

/** True when y is a leap year. */
export function isLeapYear(y: i64): bool {
  return (y % 4 == 0) && ((y % 100 != 0) || (y % 400 == 0));
}

/** Days in month m (1-12) of year y. */
export function daysInMonth(y: i64, m: i32): i32 {
  if (m == 2) return isLeapYear(y) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** Number of days from 1970-01-01 to y-m-d; month and day may be out of range and are normalised. */
export function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  // Fold the month into [1, 12] first, carrying whole years, like Go's time.Date.
  let m0 = m - 1;
  y += floorDiv(m0, 12);
  m = floorMod(m0, 12) + 1;
  // Howard Hinnant's days_from_civil, with March as the first month of the computational year.
  let yy = m <= 2 ? y - 1 : y;
  let era = floorDiv(yy, 400);
  let yoe = yy - era * 400;
  let mp = m > 2 ? m - 3 : m + 9;
  let doy = (153 * mp + 2) / 5;
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468 + (d - 1);
}

/** Sets `civilYear`, `civilMonth` and `civilDay` to the date of day number z (days since 1970-01-01). */
export function civilFromDays(z: i64): void {
  z += 719468;
  let era = floorDiv(z, 146097);
  let doe = z - era * 146097;
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  let mp = (5 * doy + 2) / 153;
  let d = doy - (153 * mp + 2) / 5 + 1;
  let m = mp < 10 ? mp + 3 : mp - 9;
  civilYear = yoe + era * 400 + (m <= 2 ? 1 : 0);
  civilMonth = <i32>m;
  civilDay = <i32>d;
}

/** Day of the week of day number z: 0 for Sunday through 6 for Saturday. */
export function weekdayFromDays(z: i64): i32 {
  return <i32>floorMod(z + 4, 7);
}

/** Day of the year (1-366) of y-m-d. */
export function yearDay(y: i64, m: i32, d: i32): i32 {
  return <i32>(daysFromCivil(y, m, d) - daysFromCivil(y, 1, 1)) + 1;
}

const MONTH_NAMES: StaticArray<string> = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

const DAY_NAMES: StaticArray<string> = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** English name of month m (1-12). */
export function monthName(m: i32): string {
  return MONTH_NAMES[m - 1];
}

/** English name of weekday w (0 = Sunday). */
export function dayName(w: i32): string {
  return DAY_NAMES[w];
}
