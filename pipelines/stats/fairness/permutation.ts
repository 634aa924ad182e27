/**
 * The permutation p-value: group labels shuffled within modal (team, role) cells, studentised
 * |log R|, and either Besag-Clifford sequential stopping or (with Monte Carlo error control)
 * batches until the decisions at the declared p thresholds are settled.
 *
 * @module
 */
import type { Rng } from "../rng.ts";
import type { PreparedComparison } from "./prepare.ts";
import { accumulate } from "./accumulate.ts";
import { keepStrata, strataAPermutationCanMix } from "./kernel.ts";
import { Xoshiro128ss } from "./stream.ts";
import { newScratch, studentisedStatistic } from "./linearise.ts";
import { checkpoints, clopperPearson, DEFAULT_MC_RISK, FIRST_PERMUTATION_BATCH, pSettled } from "./montecarlo.ts";

/** Result of {@link permutationTest}. */
export interface PermutationResult {
  /** The p-value: (1 + exceedances) / (1 + permutations), or h / L after a Besag-Clifford stop. */
  p: number;
  /** Permutations drawn. */
  used: number;
  /** Permuted statistics at least as extreme as the observed one. */
  exceed: number;
  /** Clopper-Pearson interval for the exact permutation p-value (confidence 1 - the risk of the last look). */
  low: number;
  high: number;
  /** With no exceedance: the upper end of that interval, so that p < p_below can be said; else null. */
  below: number | null;
  /** Every declared threshold settled (null without Monte Carlo control). */
  settled: boolean | null;
}

/** Monte Carlo control of the permutation test. */
export interface PermutationMc {
  /** Decisions "p <= t" to settle. */
  thresholds: readonly number[];
  /** Risk spent on the p-value, split evenly over the checkpoints. */
  risk: number;
}

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
 *
 * With `mc` (Gandy 2009), `stopAt` is ignored: permutations are drawn in
 * batches (checkpoints 99, 199, 399, ..., `max`); at each checkpoint the
 * Clopper-Pearson interval for the exact permutation p-value is computed at
 * confidence 1 - mc.risk / (number of checkpoints), and the test stops as soon
 * as no threshold lies inside it (every decision "p <= t" is then known, and
 * agrees with the reported estimate), or at `max` (then `settled` is false).
 *
 * Each permutation sums only the strata that some shuffle can give both groups (kernel.ts), in
 * the same order as over every stratum: the statistics are the same, bit for bit.
 *
 * No tail approximation is made when no permuted statistic is as extreme: the
 * permutation distribution of the studentised statistic is heavier-tailed
 * than Student's t, so a t refinement overstates significance. The p-value
 * is then 1 / (B + 1) and `below` is the Clopper-Pearson upper bound.
 */
export function permutationTest(whole: PreparedComparison, rng: Rng, max: number, stopAt: number, mc?: PermutationMc): PermutationResult | null {
  // only the strata a shuffle can give both groups (the same sums: kernel.ts)
  const p = keepStrata(whole, strataAPermutationCanMix(whole));
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  const t0 = studentisedStatistic(p, p.isGroup, acc, scr);
  if (Number.isNaN(t0)) return null;
  const thr = Number.isFinite(t0) ? t0 - 1e-9 * Math.max(1, t0) : t0;
  const labels = Uint8Array.from(p.isGroup);
  const { permCellStart, permCellWorkers } = p;
  const nCells = permCellStart.length - 1;
  const checks = mc ? checkpoints(FIRST_PERMUTATION_BATCH, max) : [max];
  const lookRisk = mc ? mc.risk / checks.length : DEFAULT_MC_RISK;
  let next = 0;
  let exceed = 0;
  // the kernel's own stream shuffles without a call per draw (the same numbers)
  let largest = 0;
  for (let k = 0; k < nCells; k++) largest = Math.max(largest, permCellStart[k + 1] - permCellStart[k]);
  const inline = rng instanceof Xoshiro128ss && largest <= 0x200000;
  for (let b = 1; b <= max; b++) {
    if (inline) (rng as Xoshiro128ss).shuffleCells(permCellStart, permCellWorkers, labels);
    else for (let k = 0; k < nCells; k++) {
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
    if (mc) {
      if (b === checks[next]) {
        next++;
        const est = (1 + exceed) / (1 + b);
        const [low, high] = clopperPearson(exceed, b, lookRisk);
        const settled = pSettled(est, low, high, mc.thresholds);
        if (settled || b === max) return { p: est, used: b, exceed, low, high, below: exceed === 0 ? high : null, settled };
      }
    } else if (exceed >= stopAt && b < max) {
      const [low, high] = clopperPearson(exceed, b, lookRisk);
      return { p: exceed / b, used: b, exceed, low, high, below: null, settled: null };
    }
  }
  const [low, high] = clopperPearson(exceed, max, lookRisk);
  return { p: (1 + exceed) / (1 + max), used: max, exceed, low, high, below: exceed === 0 ? high : null, settled: null };
}
