/**
 * Multiplicity over a run: Benjamini-Hochberg q-values and {@link finaliseRun}, which settles
 * every test's verdict with them.
 *
 * @module
 */
import type { FairnessResult } from "./types.ts";
import type { TestFamily } from "./rule.ts";
import { settle } from "./verdict.ts";

/**
 * Benjamini-Hochberg (1995) adjusted p-values (q-values), as R
 * `p.adjust(p, method = "BH")`: q_(i) = min_{j >= i} min(1, m p_(j) / j) over
 * the m non-missing p-values in ascending order. Null/NaN inputs stay null and
 * do not count towards m.
 *
 * @param pValues - p-values (null for tests without one)
 * @returns q-values in the input order
 */
export function bhAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  pValues.forEach((p, i) => {
    if (p !== null && !Number.isNaN(p)) idx.push(i);
  });
  const m = idx.length;
  idx.sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const out: (number | null)[] = pValues.map(() => null);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = idx[k];
    running = Math.min(running, ((pValues[i] as number) * m) / (k + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}

/**
 * Fills the q-values of all tests of a run (Benjamini-Hochberg over every
 * test with a p-value) and re-applies the verdict rule and sentence with them.
 *
 * @param results - every result of the run
 * @returns new result records, same order
 */
export function finaliseRun(results: readonly FairnessResult[], family?: TestFamily): FairnessResult[] {
  const q = bhAdjust(results.map((r) => r.p_value));
  return results.map((r, i) => settle({ ...r, q_value: q[i] }, family));
}
