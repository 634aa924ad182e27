/**
 * The calendar: months as `YYYY-MM` periods, their arithmetic and names, and the DfE's years.
 * The one place these are written; statistics, the generator, the health check, the benchmark,
 * the audit and the pages all use it. Pure functions, no I/O.
 */

export const MONTH_NAMES = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
] as const;

export const MONTH_ABBREVIATIONS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

const PERIOD = /^(\d{4})-(\d{2})$/;

/** Is `s` a month `YYYY-MM` (01 to 12)? */
export function isPeriod(s: string): boolean {
  const m = PERIOD.exec(s);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

/** Index of a `YYYY-MM` month (year * 12 + month - 1); throws on a malformed period. */
export function monthIndex(period: string): number {
  const m = PERIOD.exec(period);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`period must be YYYY-MM, got "${period}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** The `YYYY-MM` period of a {@link monthIndex}. */
export function periodOf(index: number): string {
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, "0")}-${String(index - y * 12 + 1).padStart(2, "0")}`;
}

/** `YYYY-MM` of `k` months after `period` (k may be negative). */
export function addMonths(period: string, k: number): string {
  return periodOf(monthIndex(period) + k);
}

/** The months from `first` to `last` inclusive (empty when `last` is before `first`). */
export function periodRange(first: string, last: string): string[] {
  const a = monthIndex(first);
  const b = monthIndex(last);
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => periodOf(a + i));
}

/** Calendar month 1-12 of a period. */
export function calendarMonth(period: string): number {
  return (monthIndex(period) % 12) + 1;
}

/** "2025-03" -> "March 2025"; anything that is not a month is returned as it is (an annual "2024"). */
export function monthName(period: string): string {
  if (!isPeriod(period)) return period;
  const i = monthIndex(period);
  return `${MONTH_NAMES[i % 12]} ${Math.floor(i / 12)}`;
}

/** 3 -> "March". */
export function calendarMonthName(month: number): string {
  return MONTH_NAMES[month - 1]!;
}

/** Days in the month with index `index`. */
export function daysInMonth(index: number): number {
  const y = Math.floor(index / 12);
  return new Date(Date.UTC(y, index - y * 12 + 1, 0)).getUTCDate();
}

/** `YYYY-MM-DD` of day `day` of the month with index `index`. */
export function dateOf(index: number, day: number): string {
  return `${periodOf(index)}-${String(day).padStart(2, "0")}`;
}

/** Last day of a month: "2024-02" -> "2024-02-29". */
export function monthEnd(period: string): string {
  const i = monthIndex(period);
  return dateOf(i, daysInMonth(i));
}

/**
 * The DfE reporting year a month belongs to: the workforce statistics' flows (starters, leavers,
 * absence) run October to September and are named after the September. "2024-10" -> 2025.
 */
export function dfeReportingYear(period: string): number {
  const i = monthIndex(period);
  return Math.floor(i / 12) + (i % 12 >= 9 ? 1 : 0);
}

/** The months of DfE reporting year `year`: October of the year before to September. */
export function dfeReportingMonths(year: number): string[] {
  return periodRange(`${year - 1}-10`, `${year}-09`);
}

/**
 * The DfE census year of the latest snapshot on or before the end of `period`: the census counts
 * the workforce on 30 September, so "2026-09" -> 2026 and "2026-08" -> 2025.
 */
export function latestCensusYear(period: string): number {
  const i = monthIndex(period);
  return Math.floor(i / 12) - (i % 12 < 8 ? 1 : 0);
}
