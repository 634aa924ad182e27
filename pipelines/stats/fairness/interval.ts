/**
 * From bootstrap replicates of log R to the reported uncertainty: the percentile interval and
 * standard deviation, the expanded level for few workers, and the minimum detectable ratio.
 *
 * @module
 */
import { normalCdf, normalQuantile, tQuantile } from "../dist.ts";
import { MAX_UNDEFINED_SHARE } from "./montecarlo.ts";

/** Type-7 (R default) quantile of an ascending array of length n, safe with infinities. */
function quantileSorted(x: Float64Array, n: number, q: number): number {
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const j = Math.floor(h);
  const lo = x[j];
  if (j + 1 >= n) return lo;
  const hi = x[j + 1];
  if (lo === hi) return lo;
  return lo + (h - j) * (hi - lo);
}

/** Summary of bootstrap replicates of log R. */
export interface BootstrapSummary {
  /** CI endpoints on the ratio scale (null when too many replicates were undefined). */
  low: number | null;
  high: number | null;
  /** SD of log R* (Infinity when a replicate was infinite or more than 1% were undefined). */
  se: number;
  valid: number;
  undefinedShare: number;
}

/**
 * Percentile interval (on the log scale, back-transformed) and standard
 * deviation of bootstrap replicates of log R. Undefined replicates (NaN: a
 * resample with no stratum holding both groups, or 0/0) are dropped when they
 * are at most 1% of the replicates; above that the interval is not reported.
 * An infinite replicate (a resample whose reference mean is 0) makes the SE
 * infinite: such a measure is too sparse for a ratio.
 *
 * @param logs - replicates of log R (first `count` used)
 * @param count - number of replicates
 * @param alpha - 1 - confidence level
 * @returns the summary
 */
export function summariseBootstrap(logs: Float64Array, count: number, alpha: number): BootstrapSummary {
  const sorted = new Float64Array(count);
  let n = 0;
  let finite = true;
  for (let i = 0; i < count; i++) {
    const v = logs[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) finite = false;
    sorted[n++] = v;
  }
  const undefinedShare = count === 0 ? 1 : (count - n) / count;
  if (n < 2 || undefinedShare > MAX_UNDEFINED_SHARE) return { low: null, high: null, se: Infinity, valid: n, undefinedShare };
  const view = sorted.subarray(0, n).sort();
  const low = Math.exp(quantileSorted(view, n, alpha / 2));
  const high = Math.exp(quantileSorted(view, n, 1 - alpha / 2));
  let se = Infinity;
  if (finite) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += view[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (view[i] - mean) * (view[i] - mean);
    se = Math.sqrt(ss / (n - 1));
  }
  return { low, high, se, valid: n, undefinedShare };
}

/**
 * Minimum detectable ratio at the given power, two-sided level alpha:
 * exp((q_{1-alpha/2} + q_{power}) SE), with q the standard normal quantile
 * (df = Infinity, the textbook formula) or, for few workers, Student's t
 * quantile with the Welch degrees of freedom (see {@link welchDf}).
 *
 * @param seLog - standard error of log R (from the bootstrap)
 * @param alpha - two-sided level (0.05)
 * @param power - power (0.80)
 * @param df - degrees of freedom (Infinity for the normal)
 * @returns the ratio (>= 1); Infinity when the SE is not finite
 */
export function minimumDetectableRatio(seLog: number, alpha = 0.05, power = 0.8, df = Infinity): number {
  if (!Number.isFinite(seLog)) return Infinity;
  const q = (x: number) => (Number.isFinite(df) ? tQuantile(x, df) : normalQuantile(x));
  return Math.exp((q(1 - alpha / 2) + q(power)) * seLog);
}

/**
 * Nominal level of the expanded percentile interval (Hesterberg 2015,
 * "What teachers should know about the bootstrap", section 4): the
 * percentile interval is too narrow with few workers, so its tails are taken
 * at alpha' with z_{1-alpha'/2} = t_{1-alpha/2, df}. (The Rao-Wu rescaling
 * already supplies Hesterberg's sqrt(n/(n-1)) factor.)
 *
 * @param alpha - nominal two-sided level
 * @param df - degrees of freedom (Infinity gives alpha back)
 * @returns alpha' <= alpha
 */
export function expandedAlpha(alpha: number, df: number): number {
  if (!Number.isFinite(df)) return alpha;
  return 2 * normalCdf(-tQuantile(1 - alpha / 2, df));
}
