/**
 * Monte Carlo error control for the audit's resampling (Gandy 2009, "Sequential implementation
 * of Monte Carlo tests with uniformly bounded resampling risk", JASA 104: 1504-1511; the MMCTest
 * idea of Gandy & Hahn 2014): resample in batches until every decision built on the result
 * ("p <= t" for each declared p threshold, "CI endpoint > t" for each declared CI threshold) is
 * the one that infinitely many resamples would give, except with a stated probability `risk`.
 *
 * - The p-value: after n permutations with x exceedances, the Clopper-Pearson interval for the
 *   exact permutation p-value; a threshold outside it is settled.
 * - A percentile CI endpoint (the q-quantile of the bootstrap distribution): the
 *   distribution-free interval between two order statistics of the replicates, the ranks set by
 *   binomial quantiles (e.g. Hahn & Meeker 1991, section 5.2); a threshold outside it is settled.
 *
 * The risk is spent by Bonferroni over every interval that can be looked at: half on the
 * p-value, half on the CI (split over its two endpoints and the undefined-replicate share), each
 * half split evenly over the checkpoints of its batch schedule. So, whatever the data, the
 * probability that some decision reported as settled differs from the infinite-resampling one
 * is at most `risk` per test.
 *
 * Pure functions; no I/O.
 *
 * @module
 */
import { betaQuantile, binomialQuantile } from "../dist.ts";
import type { McOptions } from "./types.ts";

export type { McOptions };

/** Size of the first permutation batch; the following checkpoints double the count plus one (99, 199, 399, ...). */
export const FIRST_PERMUTATION_BATCH = 99;
/** Size of the first bootstrap batch (999, 1999, 3999, ...): fewer cannot place a 2.5% quantile at a small risk. */
export const FIRST_BOOTSTRAP_BATCH = 999;
/** Risk used for the reported Clopper-Pearson interval (p_mc_low, p_mc_high, p_below) when no `mc` is given. */
export const DEFAULT_MC_RISK = 0.001;
/** Share of undefined bootstrap replicates above which no CI is reported (see {@link summariseBootstrap}). */
export const MAX_UNDEFINED_SHARE = 0.01;

/**
 * Checks the options and throws a RangeError naming the first bad field.
 *
 * @param mc - the options
 */
export function validateMc(mc: McOptions): void {
  if (!(mc.risk > 0 && mc.risk < 1)) throw new RangeError(`mc.risk must be in (0, 1), got ${mc.risk}`);
  if (!Number.isInteger(mc.maxPermutations) || mc.maxPermutations < 1) throw new RangeError(`mc.maxPermutations must be a positive integer, got ${mc.maxPermutations}`);
  if (!Number.isInteger(mc.maxResamples) || mc.maxResamples < 1) throw new RangeError(`mc.maxResamples must be a positive integer, got ${mc.maxResamples}`);
  for (const t of mc.pThresholds) if (!(t > 0 && t < 1)) throw new RangeError(`mc.pThresholds must be in (0, 1), got ${t}`);
  for (const t of mc.ciThresholds) if (!(t > 0 && Number.isFinite(t))) throw new RangeError(`mc.ciThresholds must be positive ratios, got ${t}`);
}

/**
 * Checkpoints of a doubling batch schedule: first, 2 (first + 1) - 1, 4 (first + 1) - 1, ...,
 * and `max` last (each below `max` kept).
 *
 * @param first - size of the first batch
 * @param max - the budget
 * @returns ascending counts at which the stopping rule is checked, ending with `max`
 */
export function checkpoints(first: number, max: number): number[] {
  const out: number[] = [];
  for (let n = first; n < max; n = 2 * (n + 1) - 1) out.push(n);
  out.push(max);
  return out;
}

/**
 * The smallest p threshold that `mc` can settle as "p <= t": the Clopper-Pearson upper bound
 * with no exceedance in `maxPermutations` permutations at the per-look risk. Thresholds below it
 * can never be settled as passed, however strong the effect (choose maxPermutations so that
 * the smallest threshold is above it: roughly ln(4 K / risk) / t permutations, K checkpoints).
 *
 * @param mc - the options
 * @returns the bound
 */
export function smallestSettleableP(mc: Pick<McOptions, "risk" | "maxPermutations">): number {
  const looks = checkpoints(FIRST_PERMUTATION_BATCH, mc.maxPermutations).length;
  return clopperPearson(0, mc.maxPermutations, mc.risk / 2 / looks)[1];
}

/**
 * Two-sided Clopper-Pearson interval for a binomial proportion at confidence 1 - risk:
 * [B(risk/2; x, n - x + 1), B(1 - risk/2; x + 1, n - x)] with B the beta quantile (0 and 1 at
 * the edges). Equivalent to scipy `beta.ppf(risk / 2, x, n - x + 1)` and
 * `beta.ppf(1 - risk / 2, x + 1, n - x)`.
 *
 * @param x - successes (exceedances)
 * @param n - trials (permutations), n >= 1
 * @param risk - 1 - confidence
 * @returns [low, high]
 */
export function clopperPearson(x: number, n: number, risk: number): [number, number] {
  const low = x <= 0 ? 0 : betaQuantile(risk / 2, x, n - x + 1);
  const high = x >= n ? 1 : betaQuantile(1 - risk / 2, x + 1, n - x);
  return [low, high];
}

/**
 * Whether every decision "p <= t" is settled by the interval [low, high] for the true p and
 * agrees with the estimate: t >= high (then p <= t) or t < low (then p > t).
 *
 * @param est - the reported estimate
 * @param low - lower end of the interval for the true p
 * @param high - upper end
 * @param thresholds - the declared thresholds
 */
export function pSettled(est: number, low: number, high: number, thresholds: readonly number[]): boolean {
  return thresholds.every((t) => (high <= t && est <= t) || (low > t && est > t));
}

/**
 * Distribution-free interval for the q-quantile of a distribution from n sorted draws:
 * [X_(l), X_(u)] with l the `binomialQuantile(risk/2, n, q)`-th and u the
 * `(binomialQuantile(1 - risk/2, n, q) + 1)`-th order statistic (1-based; -Infinity and
 * +Infinity where the rank falls outside 1..n). P(X_(l) > xi_q) = P(Bin(n, q) < l) < risk/2 and
 * P(X_(u) < xi_q) <= P(Bin(n, q) >= u) <= risk/2, so the interval covers xi_q with probability
 * at least 1 - risk (also with ties).
 *
 * @param sorted - ascending draws (first n used)
 * @param n - number of draws
 * @param q - quantile level in (0, 1)
 * @param risk - 1 - confidence
 * @returns [low, high]
 */
export function quantileInterval(sorted: ArrayLike<number>, n: number, q: number, risk: number): [number, number] {
  if (n === 0) return [-Infinity, Infinity];
  const l = binomialQuantile(risk / 2, n, q);
  const u = binomialQuantile(1 - risk / 2, n, q) + 1;
  return [l >= 1 ? sorted[l - 1] : -Infinity, u <= n ? sorted[u - 1] : Infinity];
}

/**
 * Whether every comparison "endpoint > t" is settled by the interval [low, high] for the ideal
 * endpoint (all on the same scale) and agrees with the reported endpoint.
 *
 * @param est - the reported endpoint
 * @param low - lower end of the interval for the ideal endpoint
 * @param high - upper end
 * @param thresholds - the declared thresholds
 */
export function ciSettled(est: number, low: number, high: number, thresholds: readonly number[]): boolean {
  return thresholds.every((t) => (high < t && est < t) || (low > t && est > t));
}
