/**
 * The permutation p-value: group labels shuffled within modal (team, role) cells, studentised
 * |log R|, Besag-Clifford sequential stopping and a t refinement in the far tail.
 *
 * @module
 */
import { tCdf } from "../dist.ts";
import type { Rng } from "../rng.ts";
import type { PreparedComparison } from "./prepare.ts";
import { accumulate } from "./accumulate.ts";
import { newScratch, studentisedStatistic, welchDf } from "./linearise.ts";

/**
 * Permutation p-value: group labels are shuffled among the workers of each
 * modal (team, role) cell; a worker keeps all their months. The statistic is
 * |log R| studentised by its linearised standard error (see
 * {@link studentisedStatistic}; Janssen 1997, Chung & Romano 2013: this keeps
 * the test valid when the two groups differ in spread and size, and recovers
 * the power the raw |log R| loses because permuting labels of groups that do
 * differ inflates the null spread). p = (1 + #{T* >= T_obs}) / (1 + B); with
 * early stopping, Besag & Clifford (1991): stop at the h-th exceedance after
 * L permutations with p = h / L. Undefined permuted statistics count as
 * exceedances (conservative); a relative tolerance of 1e-9 absorbs rounding
 * so that the identity permutation counts as an exceedance.
 */
export function permutationTest(p: PreparedComparison, rng: Rng, max: number, stopAt: number): { p: number; used: number } | null {
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  const t0 = studentisedStatistic(p, p.isGroup, acc, scr);
  if (Number.isNaN(t0)) return null;
  const thr = Number.isFinite(t0) ? t0 - 1e-9 * Math.max(1, t0) : t0;
  const labels = Uint8Array.from(p.isGroup);
  const { permCellStart, permCellWorkers } = p;
  const nCells = permCellStart.length - 1;
  let exceed = 0;
  for (let b = 1; b <= max; b++) {
    for (let k = 0; k < nCells; k++) {
      const c0 = permCellStart[k];
      for (let i = permCellStart[k + 1] - c0 - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const wi = permCellWorkers[c0 + i];
        const wj = permCellWorkers[c0 + j];
        const t = labels[wi];
        labels[wi] = labels[wj];
        labels[wj] = t;
      }
    }
    accumulate(p, labels, null, acc);
    const t = studentisedStatistic(p, labels, acc, scr);
    if (!(t < thr)) exceed++; // NaN counts as an exceedance
    if (exceed >= stopAt && b < max) return { p: exceed / b, used: b };
  }
  const pPerm = (1 + exceed) / (1 + max);
  if (exceed > 0 || !Number.isFinite(t0)) return { p: pPerm, used: max };
  // No permuted statistic was as extreme: the permutation p-value is only an upper bound set by
  // the number of permutations (1 / (B + 1)), which Benjamini-Hochberg over hundreds of tests
  // would turn into q >= 0.05 for any lone effect however strong. Refine it in the tail with the
  // t approximation of the same studentised statistic (Welch df), never above the permutation
  // bound (tail approximation, as in Knijnenburg et al. 2009).
  const pT = 2 * tCdf(-t0, welchDf(p));
  return { p: Math.min(pPerm, pT), used: max };
}
