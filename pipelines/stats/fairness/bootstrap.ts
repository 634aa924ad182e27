/**
 * The stratified cluster bootstrap of the adjusted ratio (Rao-Wu rescaling) with early stopping,
 * or (with Monte Carlo error control) batches until the CI endpoints are settled relative to
 * declared thresholds.
 *
 * @module
 */
import type { Rng } from "../rng.ts";
import type { PreparedComparison } from "./prepare.ts";
import { resampleKernel, weightedRatio } from "./kernel.ts";
import { Xoshiro128ss } from "./stream.ts";
import { minimumDetectableRatio, summariseBootstrap, type BootstrapSummary } from "./interval.ts";
import { binomialQuantile } from "../dist.ts";
import { checkpoints, ciSettled, clopperPearson, FIRST_BOOTSTRAP_BATCH, MAX_UNDEFINED_SHARE, quantileInterval } from "./montecarlo.ts";

/** Monte Carlo control of the bootstrap. */
export interface BootstrapMc {
  /** Ratios each CI endpoint is compared with (e.g. [0.8, 1, 1.25]). */
  thresholds: readonly number[];
  /** Risk spent on the CI, split evenly over the checkpoints and, at each, over the two endpoints and the undefined share. */
  risk: number;
}

/** Bootstrap settings. */
export interface BootSettings {
  max: number;
  early: boolean;
  /** Level of the test (for the MDE). */
  alpha: number;
  /** Level of the (expanded) percentile interval. */
  ciAlpha: number;
  /** Degrees of freedom for the MDE. */
  df: number;
  /** Stop at the first checkpoint (after this many) when the verdict cannot leave "too few to tell". */
  fewWorkers: boolean;
  /** Monte Carlo error control: replaces the early stopping above (`early` and `fewWorkers` are then ignored). */
  mc?: BootstrapMc;
}

const CHECK_EVERY = 1000;
const MIN_STABLE = 2000;
const STABLE_TOL = 0.005;
const CLEARLY_TOO_FEW_MDE = 1.4;

/**
 * Stratified cluster bootstrap of the adjusted ratio with Rao-Wu rescaling:
 * in a cell of n workers, n - 1 workers are drawn with replacement and each
 * draw carries weight n / (n - 1). Early stopping (checked every 1,000):
 * after 1,000 if the verdict is already fixed by group size or the MDE
 * exceeds 1.4; from 2,000 on when both CI endpoints and the MDE moved by less
 * than 0.005 since the previous checkpoint.
 *
 * With `set.mc` (Gandy 2009 applied to quantiles): resamples are drawn in
 * batches (checkpoints 999, 1999, 3999, ..., `max`); at each checkpoint,
 * for each percentile endpoint (the ciAlpha/2 and 1 - ciAlpha/2 quantiles of
 * log R*), the distribution-free interval for the ideal (infinite-resample)
 * quantile from the order statistics ({@link quantileInterval}), at
 * confidence 1 - mc.risk / (3 x number of checkpoints); the bootstrap stops
 * as soon as no threshold lies inside either endpoint's interval (every
 * comparison "endpoint > t" is then known), or at `max` (`settled` false).
 * When some replicates are undefined, the share's Clopper-Pearson interval
 * must also lie on one side of the 1% above which no CI is reported (with no
 * undefined replicate this check is skipped: at the 999 replicates of the
 * first checkpoint a true share of 1% would show none with probability
 * 4e-5). It also stops, unsettled, when an unsettled threshold could only be
 * settled by an order statistic of rank 0 or above `max` (the extreme
 * quantiles of the expanded interval for very few workers: no resampling
 * within the budget can settle it). The resampling itself is unchanged, so
 * the same stream gives the same replicates with or without `mc`.
 *
 * Each resample sums only the strata that hold both groups (kernel.ts: the others cannot hold
 * both in any resample), in the same order as over every stratum, so the replicates are the
 * same, bit for bit; with the kernel's own stream (stream.ts) a resample's weights are drawn
 * without a call per draw.
 *
 * @returns the summary, the resamples drawn and (with `mc`) whether every threshold is settled
 */
export function bootstrap(p: PreparedComparison, rng: Rng, set: BootSettings): { summary: BootstrapSummary; used: number; settled: boolean | null; unsettled: number[] } {
  const mc = set.mc;
  const checks = mc ? checkpoints(FIRST_BOOTSTRAP_BATCH, set.max) : [];
  const lookRisk = mc ? mc.risk / (3 * checks.length) : 0;
  const logThresholds = mc ? mc.thresholds.map(Math.log) : [];
  let next = 0;
  const logs = new Float64Array(set.max);
  const weights = new Float64Array(p.W);
  const k = resampleKernel(p);
  const acc = new Float64Array(6 * k.S);
  const { bootCellStart, bootCellWorkers } = p;
  const nCells = bootCellStart.length - 1;
  // the kernel's own stream draws a resample's weights without a call per draw (the same numbers)
  const inline = rng instanceof Xoshiro128ss && maxCell(bootCellStart) <= 0x200000;
  let prev: BootstrapSummary | null = null;
  let used = 0;
  for (let b = 0; b < set.max; b++) {
    if (inline) (rng as Xoshiro128ss).drawWeights(bootCellStart, bootCellWorkers, weights);
    else {
      weights.fill(0);
      for (let c = 0; c < nCells; c++) {
        const c0 = bootCellStart[c];
        const n = bootCellStart[c + 1] - c0;
        if (n === 1) {
          weights[bootCellWorkers[c0]] = 1;
          continue;
        }
        const f = n / (n - 1);
        for (let d = 0; d < n - 1; d++) weights[bootCellWorkers[c0 + rng.nextInt(n)]] += f;
      }
    }
    logs[b] = Math.log(weightedRatio(k, weights, acc));
    used = b + 1;
    if (mc) {
      if (used === checks[next]) {
        next++;
        const summary = summariseBootstrap(logs, used, set.ciAlpha);
        const { state, unsettled } = bootstrapState(logs, used, summary, set.ciAlpha, logThresholds, lookRisk, set.max);
        if (state !== "open" || used === set.max) return { summary, used, settled: state === "settled", unsettled: unsettled.map(Math.exp) };
      }
      continue;
    }
    if (set.early && used % CHECK_EVERY === 0 && used < set.max) {
      const cur = summariseBootstrap(logs, used, set.ciAlpha);
      const mde = minimumDetectableRatio(cur.se, set.alpha, 0.8, set.df);
      if (used === CHECK_EVERY && (set.fewWorkers || mde > CLEARLY_TOO_FEW_MDE || cur.low === null)) return { summary: cur, used, settled: null, unsettled: [] };
      if (used >= MIN_STABLE && prev && cur.low !== null && prev.low !== null && cur.high !== null && prev.high !== null) {
        const pm = minimumDetectableRatio(prev.se, set.alpha, 0.8, set.df);
        if (
          Math.abs(cur.low - prev.low) < STABLE_TOL &&
          Math.abs(cur.high - prev.high) < STABLE_TOL &&
          Math.abs(mde - pm) < STABLE_TOL
        ) return { summary: cur, used, settled: null, unsettled: [] };
      }
      prev = cur;
    }
  }
  return { summary: summariseBootstrap(logs, used, set.ciAlpha), used, settled: null, unsettled: [] };
}

function maxCell(start: Int32Array): number {
  let m = 0;
  for (let k = 0; k + 1 < start.length; k++) m = Math.max(m, start[k + 1]! - start[k]!);
  return m;
}

/**
 * State of the stopping rule (thresholds on the log scale), see {@link bootstrap}: "settled"
 * when every threshold is settled for both endpoints; "futile" when some threshold is unsettled
 * and the bound that would settle it is an order statistic of rank outside 1..max even at the
 * budget (an extreme expanded level, q < ~ln(1/risk)/max: no number of resamples within the budget
 * can settle it, so the bootstrap stops and reports it unsettled); else "open". `unsettled`: the
 * thresholds some endpoint is not yet settled against (all of them while the undefined share is),
 * so that a verdict can use the decisions that are settled.
 */
function bootstrapState(
  logs: Float64Array,
  count: number,
  summary: BootstrapSummary,
  ciAlpha: number,
  logThresholds: readonly number[],
  risk: number,
  max: number,
): { state: "settled" | "open" | "futile"; unsettled: number[] } {
  const nUndefined = count - summary.valid;
  const all = [...logThresholds];
  if (summary.low === null || summary.high === null) {
    // no CI reported: settled when the undefined share is surely above the limit
    if (nUndefined === 0) return { state: "open", unsettled: all };
    return clopperPearson(nUndefined, count, risk)[0] > MAX_UNDEFINED_SHARE ? { state: "settled", unsettled: [] } : { state: "open", unsettled: all };
  }
  if (nUndefined > 0 && !(clopperPearson(nUndefined, count, risk)[1] <= MAX_UNDEFINED_SHARE)) return { state: "open", unsettled: all };
  if (logThresholds.length === 0) return { state: "settled", unsettled: [] };
  const sorted = new Float64Array(summary.valid);
  let n = 0;
  for (let i = 0; i < count; i++) if (!Number.isNaN(logs[i])) sorted[n++] = logs[i];
  sorted.sort();
  const ends: [number, number][] = [
    [ciAlpha / 2, Math.log(summary.low)],
    [1 - ciAlpha / 2, Math.log(summary.high)],
  ];
  let state: "settled" | "open" | "futile" = "settled";
  const unsettled = new Set<number>();
  for (const [q, est] of ends) {
    const [lo, hi] = quantileInterval(sorted, n, q, risk);
    for (const t of logThresholds) if (!ciSettled(est, lo, hi, [t])) unsettled.add(t);
    if (ciSettled(est, lo, hi, logThresholds)) continue;
    if (state === "settled") state = "open";
    const noLowAtBudget = binomialQuantile(risk / 2, max, q) < 1;
    const noHighAtBudget = binomialQuantile(1 - risk / 2, max, q) + 1 > max;
    if (logThresholds.some((t) => (est > t && !(lo > t) && noLowAtBudget) || (est < t && !(hi < t) && noHighAtBudget))) state = "futile";
  }
  return { state, unsettled: [...unsettled].sort((a, b) => a - b) };
}
