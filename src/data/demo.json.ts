/**
 * Placeholder Framework data loader (run by Framework with `tsx`): prints JSON to
 * stdout, which the site reads as `FileAttachment("data/demo.json")`. It exists to
 * prove that TypeScript loaders run during an offline build; the real loaders
 * will query DuckDB on the Node side and print their results the same way.
 *
 * Output: `{kind, months: [{month, referrals}]}` for a synthetic year of monthly
 * referrals with a winter peak, computed deterministically (no randomness) so
 * the build is reproducible.
 */

/** One month of synthetic referrals. */
export interface DemoMonth {
  /** First day of the month, ISO date (YYYY-MM-DD). */
  month: string;
  referrals: number;
}

/**
 * Synthetic monthly referrals for `year`: `base` plus a cosine seasonal term of
 * `amplitude` peaking in January, rounded to whole referrals.
 */
function demoMonths(year: number, base = 120, amplitude = 25): DemoMonth[] {
  return Array.from({ length: 12 }, (_, m) => ({
    month: `${year}-${String(m + 1).padStart(2, "0")}-01`,
    referrals: Math.round(base + amplitude * Math.cos((2 * Math.PI * m) / 12)),
  }));
}

process.stdout.write(JSON.stringify({ kind: "synthetic placeholder", months: demoMonths(2025) }));
