/**
 * Monotonic trend tests for regularly spaced series (pure, no I/O).
 *
 * Mann-Kendall (with tie and continuity correction), Sen's slope with
 * confidence interval, the seasonal (Hirsch-Slack) Mann-Kendall test and
 * seasonal Sen slope, and the autocorrelation-corrected variants
 * (Hamed-Rao 1998, Yue-Wang 2004, pre-whitening and trend-free
 * pre-whitening).
 *
 * Reference semantics (see test/fixtures/mann_kendall.json):
 * - pyMannKendall (mmhs013/pyMannKendall, test-suite expectations),
 * - R package `trend` (mk.test, sens.slope, smk.test, sea.sens.slope),
 * - R package `modifiedmk` (mmkh, mmkh3lag).
 *
 * Conventions shared by every function here:
 * - Input is an array-like of numbers in time order, one element per time
 *   step. Missing values (`null`, `undefined`, NaN, +-Infinity) are dropped;
 *   the time index `t` of an element is its 0-based position in the input, so
 *   gaps keep their position (relevant for slopes and seasons).
 * - p-values are two-sided, from the normal approximation, via
 *   {@link twoSidedNormalP} (no cancellation for large |z|).
 * - `direction` is decided at level `alpha` (default 0.05): |z| >
 *   qnorm(1 - alpha/2), exactly as pyMannKendall's `trend` field.
 * - Too few observations never throws: the result has `status`
 *   `'too few observations'`, numeric fields `null` and `direction` `null`.
 *   Invalid *arguments* (alpha outside (0,1), period < 2, lag < 1) throw a
 *   RangeError because they are programming errors, not data problems.
 * - A constant series gives s = 0, var_s = 0, z = 0, p = 1, 'no trend'.
 *
 * Complexity is O(n^2) per series (all pairs), with a handful of typed-array
 * allocations per call.
 *
 * @module
 */
import { normalQuantile, twoSidedNormalP } from './dist.ts';

/** A series in time order; missing values may be null, undefined or NaN. */
export type Series = ArrayLike<number | null | undefined>;

/** Trend direction at the chosen significance level (pyMannKendall wording). */
export type TrendDirection = 'increasing' | 'decreasing' | 'no trend';

/**
 * Outcome of a computation:
 * - `'ok'`: numbers are filled in;
 * - `'too few observations'`: not enough non-missing values (numbers null);
 * - `'invalid variance correction'`: an autocorrelation correction with
 *   `neverShrink: false` produced a non-positive variance (z and p null).
 */
export type TrendStatus = 'ok' | 'too few observations' | 'invalid variance correction';

/** Option common to the tests: significance level for `direction`. */
export interface AlphaOption {
  /** Two-sided significance level in (0, 1); default 0.05. */
  alpha?: number;
}

/** Minimum number of observations for the Mann-Kendall tests (as R trend::mk.test). */
export const MK_MIN_N = 3;
/** Minimum number of observations for Sen's slope (one pair). */
export const SEN_MIN_N = 2;

// ---------------------------------------------------------------------------
// Internal helpers
// ---------------------------------------------------------------------------

interface Observed {
  /** non-missing values in time order */
  values: Float64Array;
  /** their 0-based positions in the input */
  times: Float64Array;
}

function isObserved(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Drops missing values, keeping each value's original position. */
function observe(x: Series): Observed {
  let m = 0;
  for (let i = 0; i < x.length; i++) if (isObserved(x[i])) m++;
  const values = new Float64Array(m);
  const times = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (isObserved(v)) {
      values[k] = v;
      times[k] = i;
      k++;
    }
  }
  return { values, times };
}

function checkAlpha(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return alpha;
}

function checkPeriod(period: number): number {
  if (!Number.isInteger(period) || period < 2) {
    throw new RangeError(`period must be an integer >= 2, got ${period}`);
  }
  return period;
}

/** Mann-Kendall score S = sum_{i<j} sign(v_j - v_i). */
function mkScore(v: ArrayLike<number>): number {
  const n = v.length;
  let s = 0;
  for (let i = 0; i < n - 1; i++) {
    const vi = v[i];
    for (let j = i + 1; j < n; j++) {
      const d = v[j] - vi;
      if (d > 0) s++;
      else if (d < 0) s--;
    }
  }
  return s;
}

interface TieSums {
  /** sum over tie groups of t(t-1)(2t+5), for Var(S) */
  forVariance: number;
  /** sum over tie groups of t(t-1), for Kendall's tau-b denominator */
  forPairs: number;
}

/** Tie-group sums of a set of values (groups of exactly equal values). */
function tieSums(v: ArrayLike<number>): TieSums {
  const sorted = Float64Array.from(v).sort();
  let forVariance = 0;
  let forPairs = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    const t = j - i;
    if (t > 1) {
      forVariance += t * (t - 1) * (2 * t + 5);
      forPairs += t * (t - 1);
    }
    i = j;
  }
  return { forVariance, forPairs };
}

/** Var(S) under H0 with the tie correction (Kendall 1975). */
function mkVariance(n: number, ties: TieSums): number {
  return (n * (n - 1) * (2 * n + 5) - ties.forVariance) / 18;
}

/** Continuity-corrected z = sign(S)(|S| - 1)/sqrt(Var S); 0 when S = 0. */
function continuityZ(s: number, varS: number): number {
  if (s === 0) return 0;
  return (s > 0 ? s - 1 : s + 1) / Math.sqrt(varS);
}

function classify(z: number, alpha: number): TrendDirection {
  const crit = normalQuantile(1 - alpha / 2);
  if (Math.abs(z) > crit) return z > 0 ? 'increasing' : 'decreasing';
  return 'no trend';
}

/** R's round() for whole numbers: IEC 60559 round half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Median of an ascending-sorted array (length > 0). */
function medianSorted(a: ArrayLike<number>): number {
  const n = a.length;
  const h = n >> 1;
  return n % 2 === 1 ? a[h] : (a[h - 1] + a[h]) / 2;
}

/**
 * k-th smallest element (0-based) of `a`, by in-place quickselect restricted
 * to a[l..r] (median-of-three Hoare partition; expected O(r - l)). Requires
 * that a[l..r] hold exactly the elements of ranks l..r; reorders only a[l..r].
 */
function selectInPlace(a: Float64Array, k: number, l = 0, r = a.length - 1): number {
  let t = 0;
  for (;;) {
    if (r <= l + 1) {
      if (r === l + 1 && a[r] < a[l]) {
        t = a[l]; a[l] = a[r]; a[r] = t;
      }
      return a[k];
    }
    const m = (l + r) >> 1;
    t = a[m]; a[m] = a[l + 1]; a[l + 1] = t;
    if (a[l] > a[r]) {
      t = a[l]; a[l] = a[r]; a[r] = t;
    }
    if (a[l + 1] > a[r]) {
      t = a[l + 1]; a[l + 1] = a[r]; a[r] = t;
    }
    if (a[l] > a[l + 1]) {
      t = a[l]; a[l] = a[l + 1]; a[l + 1] = t;
    }
    const pivot = a[l + 1];
    let i = l + 1;
    let j = r;
    for (;;) {
      do i++; while (a[i] < pivot);
      do j--; while (a[j] > pivot);
      if (j < i) break;
      t = a[i]; a[i] = a[j]; a[j] = t;
    }
    a[l + 1] = a[j];
    a[j] = pivot;
    if (j >= k) r = j - 1;
    if (j <= k) l = i;
  }
}

/**
 * Median of `a` (length > 0) by selection. Leaves `a` partitioned around
 * index h = floor(n/2): a[0..h-1] <= a[h] <= a[h+1..n-1].
 */
function medianInPlace(a: Float64Array): number {
  const n = a.length;
  const h = n >> 1;
  const upper = selectInPlace(a, h);
  if (n % 2 === 1) return upper;
  let lower = a[0];
  for (let i = 1; i < h; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** Median of a copy of `v` (length > 0). */
function median(v: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(v));
}

/**
 * Slopes (v_j - v_i)/((t_j - t_i)/unit) for all pairs i < j (unsorted).
 * `unit` converts time steps to the slope's time unit.
 */
function pairwiseSlopes(values: ArrayLike<number>, times: ArrayLike<number>, unit = 1): Float64Array {
  const n = values.length;
  const d = new Float64Array((n * (n - 1)) / 2);
  let k = 0;
  for (let i = 0; i < n - 1; i++) {
    for (let j = i + 1; j < n; j++) {
      d[k++] = (values[j] - values[i]) / ((times[j] - times[i]) / unit);
    }
  }
  return d;
}

/** Sen slope (median) and, when they exist, its confidence bounds. */
interface SenEstimate {
  slope: number;
  bounds: [number, number] | null;
}

/**
 * Median of the pairwise slopes and their confidence bounds as R
 * trend::sens.slope: C = qnorm(1 - alpha/2) sqrt(VarS), lower = d[round((N - C)/2)],
 * upper = d[round((N + C)/2 + 1)] with d sorted ascending, 1-based ranks and
 * R's rounding (half to even). Bounds are null when a rank falls outside
 * 1..N (too few pairs for this level). Reorders `slopes` (length > 0).
 */
function senEstimate(slopes: Float64Array, varS: number, alpha: number): SenEstimate {
  const k = slopes.length;
  const slope = medianInPlace(slopes);
  const c = normalQuantile(1 - alpha / 2) * Math.sqrt(varS);
  const lo = roundHalfEven((k - c) / 2) - 1;
  const up = roundHalfEven((k + c) / 2 + 1) - 1;
  if (lo < 0 || up > k - 1) return { slope, bounds: null };
  // slopes is partitioned around h, so each rank is selected within its half
  const h = k >> 1;
  const at = (rank: number): number =>
    rank <= h ? selectInPlace(slopes, rank, 0, h) : selectInPlace(slopes, rank, h, k - 1);
  return { slope, bounds: [at(lo), at(up)] };
}

/**
 * Average ranks (1-based, ties get their mean rank), as R rank() / scipy
 * rankdata(): rank_i = 1 + #{v_j < v_i} + (#{v_j = v_i} - 1)/2. O(n^2),
 * which is cheaper than sorting for the short series used here.
 */
function averageRanks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const vi = v[i];
    let below = 0;
    let equal = 0;
    for (let j = 0; j < n; j++) {
      if (v[j] < vi) below++;
      else if (v[j] === vi) equal++;
    }
    ranks[i] = 1 + below + (equal - 1) / 2;
  }
  return ranks;
}

/**
 * Sample autocorrelation at lags 0..maxLag, as R acf() and pyMannKendall's
 * __acf: mean-centred, autocovariances divided by n. A constant input gives
 * all-zero autocorrelations at lags >= 1.
 */
function autocorrelation(y: ArrayLike<number>, maxLag: number): Float64Array {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = y[i] - mean;
  const rho = new Float64Array(maxLag + 1);
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += c[i] * c[i];
  rho[0] = 1;
  if (c0 === 0) return rho;
  for (let lag = 1; lag <= maxLag; lag++) {
    let acc = 0;
    for (let i = 0; i + lag < n; i++) acc += c[i] * c[i + lag];
    rho[lag] = acc / c0;
  }
  return rho;
}

// ---------------------------------------------------------------------------
// Mann-Kendall
// ---------------------------------------------------------------------------

/** Result of {@link mannKendall}. */
export interface MannKendallResult {
  status: TrendStatus;
  /** number of non-missing observations used */
  n: number;
  /** Mann-Kendall score S */
  s: number | null;
  /** Var(S) with the tie correction */
  var_s: number | null;
  /** continuity-corrected z */
  z: number | null;
  /** two-sided p-value */
  p: number | null;
  /** pyMannKendall's Tau = S / (n(n-1)/2) (tau-a; ignores ties) */
  tau: number | null;
  /**
   * R trend::mk.test's tau = S / D with
   * D = sqrt(n(n-1)/2 - sum t(t-1)/2) * sqrt(n(n-1)/2) (tau-b against time).
   * Equals `tau` without ties; 0 for a constant series.
   */
  tau_b: number | null;
  direction: TrendDirection | null;
}

function emptyMK(n: number): MannKendallResult {
  return { status: 'too few observations', n, s: null, var_s: null, z: null, p: null, tau: null, tau_b: null, direction: null };
}

/** Mann-Kendall on values that are already free of missing values. */
function mkOnValues(v: ArrayLike<number>, alpha: number): MannKendallResult {
  const n = v.length;
  if (n < MK_MIN_N) return emptyMK(n);
  const s = mkScore(v);
  const ties = tieSums(v);
  const varS = mkVariance(n, ties);
  const z = continuityZ(s, varS);
  const pairs = (n * (n - 1)) / 2;
  const d = Math.sqrt(pairs - ties.forPairs / 2) * Math.sqrt(pairs);
  return {
    status: 'ok',
    n,
    s,
    var_s: varS,
    z,
    p: twoSidedNormalP(z),
    tau: s / pairs,
    tau_b: d > 0 ? s / d : 0,
    direction: classify(z, alpha),
  };
}

/**
 * Original Mann-Kendall trend test (Mann 1945, Kendall 1975) with the tie
 * correction of Var(S) and the continuity correction
 * z = sign(S)(|S| - 1)/sqrt(Var S).
 *
 * Follows pyMannKendall `original_test` (missing values skipped; `tau` is
 * S/(n(n-1)/2)) and R `trend::mk.test(x, continuity = TRUE)` (`tau_b` is R's
 * tie-adjusted tau). Needs at least {@link MK_MIN_N} observations.
 *
 * @param x - series in time order; null/NaN are dropped
 * @param options - `alpha` for `direction` (default 0.05)
 */
export function mannKendall(x: Series, options: AlphaOption = {}): MannKendallResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  return mkOnValues(observe(x).values, alpha);
}

// ---------------------------------------------------------------------------
// Sen's slope
// ---------------------------------------------------------------------------

/** Result of {@link sensSlope}. Slopes are per time step (per input element). */
export interface SensSlopeResult {
  status: TrendStatus;
  /** number of non-missing observations used */
  n: number;
  /** Sen's slope: median of pairwise slopes, per time step */
  slope: number | null;
  /**
   * Conover intercept as pyMannKendall: median(x) - median(t) * slope, with t
   * the 0-based positions of the observed values; the fitted line is
   * intercept + slope * t.
   */
  intercept: number | null;
  /** lower confidence limit of the slope at level 1 - alpha (null if n too small for it) */
  ci_low: number | null;
  /** upper confidence limit of the slope at level 1 - alpha */
  ci_high: number | null;
}

/**
 * Theil-Sen slope (Sen 1968) with its rank-based confidence interval.
 *
 * - slope: median of (x_j - x_i)/(t_j - t_i) over all pairs of observed
 *   points, t being the true 0-based position (gaps keep their position), as
 *   pyMannKendall `sens_slope` (nanmedian over slopes that touch no NaN);
 * - intercept: pyMannKendall's median(x) - median(t) * slope;
 * - CI: as R `trend::sens.slope(x, conf.level = 1 - alpha)`, using the
 *   tie-corrected Var(S) of the observed values and the normal quantile;
 *   with missing values N is the number of slopes between observed points.
 *   The CI limits are null when the ranks fall outside the slopes (very short
 *   series).
 *
 * Needs at least {@link SEN_MIN_N} observations.
 *
 * @param x - series in time order; null/NaN are dropped
 * @param options - `alpha` for the (1 - alpha) confidence interval (default 0.05)
 */
export function sensSlope(x: Series, options: AlphaOption = {}): SensSlopeResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  const { values, times } = observe(x);
  const n = values.length;
  if (n < SEN_MIN_N) {
    return { status: 'too few observations', n, slope: null, intercept: null, ci_low: null, ci_high: null };
  }
  const { slope, bounds } = senEstimate(pairwiseSlopes(values, times), mkVariance(n, tieSums(values)), alpha);
  const intercept = median(values) - medianSorted(times) * slope;
  return { status: 'ok', n, slope, intercept, ci_low: bounds?.[0] ?? null, ci_high: bounds?.[1] ?? null };
}

// ---------------------------------------------------------------------------
// Seasonal Mann-Kendall and seasonal Sen slope
// ---------------------------------------------------------------------------

/** Per-season statistics of {@link seasonalMannKendall}. */
export interface SeasonStat {
  /** 0-based season: t mod period (t = 0-based position in the input) */
  season: number;
  /** non-missing observations in this season */
  n: number;
  s: number;
  var_s: number;
}

/** Result of {@link seasonalMannKendall}. */
export interface SeasonalMannKendallResult {
  status: TrendStatus;
  period: number;
  /** total non-missing observations */
  n: number;
  /** S = sum of the seasons' S */
  s: number | null;
  /** Var(S) = sum of the seasons' tie-corrected variances */
  var_s: number | null;
  /** continuity-corrected z of the total */
  z: number | null;
  p: number | null;
  /** pyMannKendall's Tau = S / sum over seasons of n_g(n_g-1)/2 */
  tau: number | null;
  direction: TrendDirection | null;
  seasons: SeasonStat[];
}

/** Observed values and positions of each season (t mod period). */
function splitSeasons(obs: Observed, period: number): Observed[] {
  const counts = new Array<number>(period).fill(0);
  for (let i = 0; i < obs.times.length; i++) counts[obs.times[i] % period]++;
  const out = counts.map((c) => ({ values: new Float64Array(c), times: new Float64Array(c) }));
  const fill = new Array<number>(period).fill(0);
  for (let i = 0; i < obs.times.length; i++) {
    const g = obs.times[i] % period;
    out[g].values[fill[g]] = obs.values[i];
    out[g].times[fill[g]] = obs.times[i];
    fill[g]++;
  }
  return out;
}

function seasonStats(seasons: Observed[]): SeasonStat[] {
  return seasons.map((g, season) => {
    const n = g.values.length;
    return { season, n, s: mkScore(g.values), var_s: n < 2 ? 0 : mkVariance(n, tieSums(g.values)) };
  });
}

/**
 * Seasonal Mann-Kendall test (Hirsch, Slack & Smith 1982; Hirsch-Slack):
 * a Mann-Kendall test within each season (t mod period), summing S and
 * Var(S) over seasons, continuity correction on the total.
 *
 * Follows pyMannKendall `seasonal_test(x, period)` (each season's missing
 * values dropped separately) and R `trend::smk.test` (S, varS, z, p).
 * `'too few observations'` when no season has two observations.
 *
 * @param x - series in time order, x[0] being season 0; null/NaN dropped
 * @param period - number of seasons per cycle (12 for monthly data), integer >= 2
 * @param options - `alpha` for `direction` (default 0.05)
 */
export function seasonalMannKendall(x: Series, period: number, options: AlphaOption = {}): SeasonalMannKendallResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  checkPeriod(period);
  const obs = observe(x);
  const seasons = seasonStats(splitSeasons(obs, period));
  let s = 0;
  let varS = 0;
  let pairs = 0;
  for (const g of seasons) {
    s += g.s;
    varS += g.var_s;
    pairs += (g.n * (g.n - 1)) / 2;
  }
  const n = obs.values.length;
  if (pairs === 0) {
    return { status: 'too few observations', period, n, s: null, var_s: null, z: null, p: null, tau: null, direction: null, seasons };
  }
  const z = continuityZ(s, varS);
  return { status: 'ok', period, n, s, var_s: varS, z, p: twoSidedNormalP(z), tau: s / pairs, direction: classify(z, alpha), seasons };
}

/** Result of {@link seasonalSensSlope}. */
export interface SeasonalSensSlopeResult {
  status: TrendStatus;
  period: number;
  /** total non-missing observations */
  n: number;
  /**
   * Seasonal Sen slope per cycle (e.g. per year for monthly data, period 12):
   * median of within-season slopes. This is the unit of both pyMannKendall
   * `seasonal_sens_slope().slope` and R `trend::sea.sens.slope`.
   */
  slope_per_cycle: number | null;
  /** the same slope per time step (per input element) = slope_per_cycle / period */
  slope_per_period: number | null;
  /**
   * pyMannKendall's intercept median(x) - median(t)/period * slope_per_cycle
   * (t = 0-based positions of observed values); the fitted line is
   * intercept + slope_per_period * t = intercept + slope_per_cycle * t/period.
   */
  intercept: number | null;
  /** confidence limits of slope_per_cycle at level 1 - alpha (null if too few pairs) */
  ci_low_per_cycle: number | null;
  ci_high_per_cycle: number | null;
  /** the same limits per time step (divided by period) */
  ci_low_per_period: number | null;
  ci_high_per_period: number | null;
}

/**
 * Seasonal Sen slope (Hirsch, Slack & Smith 1982): the median of the slopes
 * (x_j - x_i)/((t_j - t_i)/period) over all pairs of observed points in the
 * same season, i.e. a slope per cycle. Both pyMannKendall
 * `seasonal_sens_slope` (-0.0870 on its test data; 12 on the series
 * 0, 1, 2, ...) and R `trend::sea.sens.slope` (30.236 for AirPassengers)
 * report this per-cycle value; `slope_per_period` divides it by `period`.
 *
 * Confidence interval (not provided by either reference): the Sen rank
 * interval of {@link sensSlope} applied to the pooled within-season slopes
 * with the seasonal Var(S) = sum of the seasons' tie-corrected variances,
 * as described by Gilbert (1987, section 17.6) and Hirsch et al. (1982):
 * C = qnorm(1 - alpha/2) sqrt(Var S), limits at ranks round((N - C)/2) and
 * round((N + C)/2 + 1) of the N sorted slopes.
 *
 * @param x - series in time order, x[0] being season 0; null/NaN dropped
 * @param period - number of seasons per cycle, integer >= 2
 * @param options - `alpha` for the (1 - alpha) interval (default 0.05)
 */
export function seasonalSensSlope(x: Series, period: number, options: AlphaOption = {}): SeasonalSensSlopeResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  checkPeriod(period);
  const obs = observe(x);
  const seasons = splitSeasons(obs, period);
  const parts = seasons.map((g) => pairwiseSlopes(g.values, g.times, period));
  const total = parts.reduce((acc, d) => acc + d.length, 0);
  const n = obs.values.length;
  if (total === 0) {
    return {
      status: 'too few observations', period, n, slope_per_cycle: null, slope_per_period: null, intercept: null,
      ci_low_per_cycle: null, ci_high_per_cycle: null, ci_low_per_period: null, ci_high_per_period: null,
    };
  }
  const pooled = new Float64Array(total);
  let offset = 0;
  for (const d of parts) {
    pooled.set(d, offset);
    offset += d.length;
  }
  let varS = 0;
  for (const g of seasonStats(seasons)) varS += g.var_s;
  const { slope: slopePerCycle, bounds } = senEstimate(pooled, varS, alpha);
  const intercept = median(obs.values) - (medianSorted(obs.times) / period) * slopePerCycle;
  return {
    status: 'ok',
    period,
    n,
    slope_per_cycle: slopePerCycle,
    slope_per_period: slopePerCycle / period,
    intercept,
    ci_low_per_cycle: bounds?.[0] ?? null,
    ci_high_per_cycle: bounds?.[1] ?? null,
    ci_low_per_period: bounds ? bounds[0] / period : null,
    ci_high_per_period: bounds ? bounds[1] / period : null,
  };
}

// ---------------------------------------------------------------------------
// Autocorrelation-corrected Mann-Kendall: Hamed-Rao and Yue-Wang
// ---------------------------------------------------------------------------

/**
 * Which reference the Hamed-Rao correction reproduces. The two differ only
 * in the Sen slope used to detrend a series *with missing values*:
 * - `'modifiedmk'` (R modifiedmk::mmkh / mmkh3lag): missing values removed,
 *   the rest treated as consecutive for both the slope and the detrending;
 * - `'pymannkendall-pre2024'` (pyMannKendall test-suite expectations): the
 *   slope uses the true positions (gaps kept), the detrending the compacted
 *   series with positions 1..n.
 * Without missing values they are identical.
 */
export type HamedRaoFlavour = 'modifiedmk' | 'pymannkendall-pre2024';

/** Options of {@link hamedRaoMK}. */
export interface HamedRaoOptions extends AlphaOption {
  /** use autocorrelations at lags 1..lag only (default: all, n - 1); 3 reproduces modifiedmk::mmkh3lag */
  lag?: number;
  /** floor the correction factor n/n* at 1 so the variance is never reduced (default true) */
  neverShrink?: boolean;
  /** reference behaviour to follow (default 'modifiedmk') */
  flavour?: HamedRaoFlavour;
}

/** Options of {@link yueWangMK}. */
export interface YueWangOptions extends AlphaOption {
  /** use autocorrelations at lags 1..lag only (default: all, n - 1) */
  lag?: number;
  /** floor the correction factor n/n* at 1 so the variance is never reduced (default true) */
  neverShrink?: boolean;
}

/** Result of {@link hamedRaoMK} and {@link yueWangMK}. */
export interface CorrectedMannKendallResult {
  status: TrendStatus;
  n: number;
  s: number | null;
  /** uncorrected, tie-corrected Var(S) (as {@link mannKendall}) */
  var_s: number | null;
  /** Var(S) * correction_factor: the variance used for z and p */
  var_s_corrected: number | null;
  /** the variance inflation factor n/n* as computed by the method (may be < 1) */
  n_over_nstar: number | null;
  /** factor actually applied: max(1, n/n*) if neverShrink, else n/n* */
  correction_factor: number | null;
  /** z with the corrected variance (continuity corrected) */
  z: number | null;
  /** two-sided p with the corrected variance */
  p: number | null;
  /** z and p of the plain Mann-Kendall test, for comparison */
  z_uncorrected: number | null;
  p_uncorrected: number | null;
  /** pyMannKendall / modifiedmk Tau = S / (n(n-1)/2) */
  tau: number | null;
  /** Sen slope (per time step) used to detrend the series */
  slope: number | null;
  direction: TrendDirection | null;
}

function emptyCorrected(n: number): CorrectedMannKendallResult {
  return {
    status: 'too few observations', n, s: null, var_s: null, var_s_corrected: null, n_over_nstar: null,
    correction_factor: null, z: null, p: null, z_uncorrected: null, p_uncorrected: null, tau: null, slope: null, direction: null,
  };
}

function checkLag(lag: number | undefined, n: number): number {
  if (lag === undefined) return n - 1;
  if (!Number.isInteger(lag) || lag < 1) throw new RangeError(`lag must be an integer >= 1, got ${lag}`);
  return Math.min(lag, n - 1);
}

/** Detrended compacted series v_i - slope * (i + 1), i = 0..n-1 (positions 1..n as the references). */
function detrend(values: Float64Array, slope: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] - slope * (i + 1);
  return out;
}

/** Assembles a corrected result from the plain MK and the factor n/n*. */
function corrected(
  mk: MannKendallResult,
  slope: number,
  nOverNstar: number,
  neverShrink: boolean,
  alpha: number,
): CorrectedMannKendallResult {
  const s = mk.s as number;
  const varS = mk.var_s as number;
  const factor = neverShrink ? Math.max(1, nOverNstar) : nOverNstar;
  const varC = varS * factor;
  const base = {
    n: mk.n, s, var_s: varS, var_s_corrected: varC, n_over_nstar: nOverNstar, correction_factor: factor,
    z_uncorrected: mk.z, p_uncorrected: mk.p, tau: mk.tau, slope,
  };
  if (s === 0) return { ...base, status: 'ok', z: 0, p: 1, direction: 'no trend' };
  if (!(varC > 0)) return { ...base, status: 'invalid variance correction', z: null, p: null, direction: null };
  const z = continuityZ(s, varC);
  return { ...base, status: 'ok', z, p: twoSidedNormalP(z), direction: classify(z, alpha) };
}

/**
 * Modified Mann-Kendall test of Hamed & Rao (1998) for autocorrelated data.
 *
 * The series is detrended with its Sen slope, ranked (average ranks), and
 * the autocorrelations rho_i of the ranks at lags 1..lag are computed; only
 * those outside +-qnorm(1 - alpha/2)/sqrt(n) are kept. Then
 * n/n* = 1 + 2/(n(n-1)(n-2)) * sum_i (n-i)(n-i-1)(n-i-2) rho_i and
 * Var*(S) = Var(S) * n/n*; z uses Var*(S) with the continuity correction.
 *
 * Reference behaviours:
 * - Default `flavour: 'modifiedmk'` reproduces R `modifiedmk::mmkh(x, ci = 1 - alpha)`
 *   (and `mmkh3lag` with `lag: 3`): Zc, new P-value, N/N* and new.variance.
 *   It is the project default because modifiedmk is the published (CRAN) R
 *   reference for this test, it implements the 1998 formula as written (a
 *   signed sum, so negative autocorrelation can reduce the variance), and
 *   treating the observed values as consecutive is what its ACF of ranks
 *   assumes anyway.
 * - `flavour: 'pymannkendall-pre2024'` reproduces the expectations in
 *   pyMannKendall's test suite, recorded before the 2024 code change (same
 *   signed formula; differs from modifiedmk only in the detrending slope when
 *   values are missing, see {@link HamedRaoFlavour}).
 * - pyMannKendall's code since 2024 uses |sum| instead of the signed sum,
 *   which departs from the paper; it is deliberately not reproduced. The
 *   project's `neverShrink` floor serves the same purpose (no variance
 *   reduction) in a documented way.
 *
 * `neverShrink` (default true) applies max(1, n/n*), so the corrected variance
 * is never below the uncorrected one: the project requires that an
 * autocorrelation correction never makes a trend look *more* significant.
 * `n_over_nstar` always reports the raw factor. Use `neverShrink: false` to
 * reproduce the references exactly. If the raw factor is <= 0 and
 * `neverShrink` is false, status is 'invalid variance correction'.
 *
 * @param x - series in time order; null/NaN are dropped
 * @param options - lag, alpha (0.05), neverShrink (true), flavour ('modifiedmk')
 */
export function hamedRaoMK(x: Series, options: HamedRaoOptions = {}): CorrectedMannKendallResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  const { values, times } = observe(x);
  const n = values.length;
  if (n < MK_MIN_N) return emptyCorrected(n);
  const maxLag = checkLag(options.lag, n);
  const flavour = options.flavour ?? 'modifiedmk';
  const slopeTimes = flavour === 'modifiedmk' ? times.map((_, i) => i) : times;
  const slope = medianInPlace(pairwiseSlopes(values, slopeTimes));
  const rho = autocorrelation(averageRanks(detrend(values, slope)), maxLag);
  const bound = normalQuantile(1 - alpha / 2) / Math.sqrt(n);
  let sum = 0;
  for (let i = 1; i <= maxLag; i++) {
    if (rho[i] > bound || rho[i] < -bound) sum += (n - i) * (n - i - 1) * (n - i - 2) * rho[i];
  }
  const nOverNstar = 1 + (2 / (n * (n - 1) * (n - 2))) * sum;
  return corrected(mkOnValues(values, alpha), slope, nOverNstar, options.neverShrink ?? true, alpha);
}

/**
 * Modified Mann-Kendall test of Yue & Wang (2004) for autocorrelated data,
 * as pyMannKendall `yue_wang_modification_test`: the series (missing values
 * removed) is detrended with the Sen slope of the true positions, the
 * autocorrelations rho_i of the detrended *values* at lags 1..lag are all
 * used (no significance screening), and
 * n/n* = 1 + 2 * sum_i (1 - i/n) rho_i; Var*(S) = Var(S) * n/n*.
 *
 * `neverShrink` (default true) floors n/n* at 1 as in {@link hamedRaoMK};
 * pass `neverShrink: false` to reproduce pyMannKendall.
 *
 * @param x - series in time order; null/NaN are dropped
 * @param options - lag, alpha (0.05), neverShrink (true)
 */
export function yueWangMK(x: Series, options: YueWangOptions = {}): CorrectedMannKendallResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  const { values, times } = observe(x);
  const n = values.length;
  if (n < MK_MIN_N) return emptyCorrected(n);
  const maxLag = checkLag(options.lag, n);
  const slope = medianInPlace(pairwiseSlopes(values, times));
  const rho = autocorrelation(detrend(values, slope), maxLag);
  let sum = 0;
  for (let i = 1; i <= maxLag; i++) sum += (1 - i / n) * rho[i];
  return corrected(mkOnValues(values, alpha), slope, 1 + 2 * sum, options.neverShrink ?? true, alpha);
}

// ---------------------------------------------------------------------------
// Pre-whitening variants
// ---------------------------------------------------------------------------

/** Result of the pre-whitening tests: a Mann-Kendall result on the whitened series. */
export interface PreWhitenedMannKendallResult extends MannKendallResult {
  /** lag-1 autocorrelation used for whitening */
  r1: number | null;
}

/**
 * Mann-Kendall test after pre-whitening (von Storch 1995; Yue & Wang 2002),
 * as pyMannKendall `pre_whitening_modification_test`: with missing values
 * removed and r1 the lag-1 autocorrelation, the test runs on
 * y_i = x_{i+1} - r1 * x_i (n - 1 values, so `n` is n - 1).
 *
 * @param x - series in time order; null/NaN are dropped
 * @param options - `alpha` for `direction` (default 0.05)
 */
export function preWhiteningMK(x: Series, options: AlphaOption = {}): PreWhitenedMannKendallResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  const { values } = observe(x);
  const n = values.length;
  if (n < MK_MIN_N + 1) return { ...emptyMK(Math.max(0, n - 1)), r1: null };
  const r1 = autocorrelation(values, 1)[1];
  const y = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) y[i] = values[i + 1] - values[i] * r1;
  return { ...mkOnValues(y, alpha), r1 };
}

/**
 * Mann-Kendall test after trend-free pre-whitening (Yue et al. 2002), as
 * pyMannKendall `trend_free_pre_whitening_modification_test`: the series
 * (missing values removed) is detrended with the Sen slope b of the true
 * positions, whitened with the lag-1 autocorrelation r1 of the detrended
 * series, the trend b * (1..n-1) is added back, and the Mann-Kendall test
 * runs on those n - 1 values.
 *
 * @param x - series in time order; null/NaN are dropped
 * @param options - `alpha` for `direction` (default 0.05)
 */
export function trendFreePreWhiteningMK(x: Series, options: AlphaOption = {}): PreWhitenedMannKendallResult {
  const alpha = checkAlpha(options.alpha ?? 0.05);
  const { values, times } = observe(x);
  const n = values.length;
  if (n < MK_MIN_N + 1) return { ...emptyMK(Math.max(0, n - 1)), r1: null };
  const slope = medianInPlace(pairwiseSlopes(values, times));
  const xd = detrend(values, slope);
  const r1 = autocorrelation(xd, 1)[1];
  const y = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) y[i] = xd[i + 1] - xd[i] * r1 + slope * (i + 1);
  return { ...mkOnValues(y, alpha), r1 };
}
