/**
 * Seasonality of monthly workload series, built on STL ({@link stl}, a port
 * of R's `stats::stl`). Pure computation: no I/O.
 *
 * Choices (documented here once, used by every function below):
 * - Robust STL by default (R `robust = TRUE`: inner = 1, outer = 15), because
 *   monthly workload returns often contain one-off spikes (data-entry errors,
 *   a team merging) that would otherwise leak into the seasonal component.
 * - Seasonal window: 'periodic' when the decomposed span is shorter than
 *   {@link PERIODIC_BELOW_CYCLES} cycles (7 years of months), otherwise
 *   {@link EVOLVING_S_WINDOW} = 13. With fewer than 7 values per calendar
 *   month a local seasonal smoother (Cleveland et al. recommend s.window >= 7)
 *   would span nearly all years anyway, so a fixed pattern is the honest
 *   estimate; with 7+ years an odd span of 13 lets the pattern drift slowly.
 * - At least two full cycles of observed values (24 months) are required.
 *   R's `stl()` itself asks for n > 2 * period; the Fortran algorithm is well
 *   defined at n = 2 * period, so that single extra length is accepted here
 *   (`allowTwoPeriods`).
 * - Missing values: leading and trailing ones are dropped; inside the span,
 *   runs of at most {@link DEFAULT_MAX_GAP} missing values are bridged by
 *   linear interpolation for the decomposition only (never zero-filled), as
 *   long as they are at most {@link DEFAULT_MAX_INTERPOLATED_SHARE} of the
 *   span; the status says so. Interpolated points are left out of the
 *   strength and never returned as data.
 * - Seasonal strength Fs = max(0, 1 - var(R) / var(S + R)) (Wang, Smith and
 *   Hyndman 2006; Hyndman and Athanasopoulos, FPP3, section 4.3), over the
 *   observed points.
 * - A series is called seasonal when Fs >= 0.3 AND a permutation test of
 *   stable seasonality rejects at alpha = 0.05 ({@link stableSeasonalityPValue}).
 *   The second condition is needed because Fs alone is biased upwards in
 *   short series: on white noise, robust periodic STL gives Fs >= 0.3 in about
 *   60% of 24-month series and 20% of 36-month series (simulated), so "peak
 *   months" would be reported for pure noise. With both conditions the
 *   simulated false-positive rate on white noise is about 7-10% (the test is
 *   a little liberal because the trend is estimated from the same data).
 *   Set `alpha: 1` to use the Fs rule alone.
 */

import { stl, StlInputError, type StlResult } from './stl.ts';

/** English three-letter month names, index 0 = January. */
export const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
/** Seasonal strength below which a series is treated as having no clear seasonal pattern. */
export const DEFAULT_STRENGTH_THRESHOLD = 0.3;
/** Longest run of consecutive missing values inside the span that may be interpolated. */
export const DEFAULT_MAX_GAP = 2;
/** Largest share of the span that may be interpolated. */
export const DEFAULT_MAX_INTERPOLATED_SHARE = 0.2;
/** Significance level of the stable-seasonality permutation test. */
export const DEFAULT_ALPHA = 0.05;
/** Number of permutations of the stable-seasonality test. */
export const PERMUTATIONS = 999;
/** Fixed PRNG seed of the permutation test, so results are reproducible. */
export const PERMUTATION_SEED = 20261122;
/** Spans shorter than this many cycles use s.window = 'periodic'. */
export const PERIODIC_BELOW_CYCLES = 7;
/** s.window used for spans of at least {@link PERIODIC_BELOW_CYCLES} cycles. */
export const EVOLVING_S_WINDOW = 13;
/** A peak (trough) month's index must be at least this fraction of the largest (most negative) index. */
export const PEAK_FRACTION = 0.6;
/** ...and its size at least this share of the peak-to-trough range of the twelve indices. */
export const PEAK_MIN_SHARE_OF_RANGE = 0.25;

/** Options shared by {@link seasonalProfile} and {@link deseasonalise}. */
export interface SeasonalOptions {
  /** Robust STL (default true). */
  robust?: boolean;
  /** STL seasonal window; default 'periodic' below 7 cycles, else 13. */
  sWindow?: number | 'periodic';
  /** Minimum seasonal strength to call the series seasonal (default 0.3). */
  strengthThreshold?: number;
  /** Significance level of the stable-seasonality permutation test (default 0.05; 1 disables it). */
  alpha?: number;
  /** Longest interpolated run of missing values (default 2). */
  maxGap?: number;
  /** Largest interpolated share of the span (default 0.2). */
  maxInterpolatedShare?: number;
}

/** Outcome codes: 'ok' and 'no_clear_pattern' come with a decomposition; the others with no numbers. */
export type SeasonalCode = 'ok' | 'no_clear_pattern' | 'too_short' | 'gaps_too_long';

/** Seasonal index of one calendar month. */
export interface MonthIndex {
  /** Calendar month 1..12. */
  month: number;
  /** Mean STL seasonal component for that month, in the series' units (additive). */
  index: number;
  /** index / mean level of the series * 100 (e.g. 12 = "12% above a typical month"); null if the level is not positive. */
  percent: number | null;
}

/** Result of {@link seasonalProfile}. */
export interface SeasonalProfile {
  /** Human-readable status: 'ok', or why numbers are missing, or notes on interpolation. */
  status: string;
  code: SeasonalCode;
  /** Twelve entries (January first) when decomposed, else empty. */
  indices: MonthIndex[];
  /** Seasonal strength Fs in [0, 1], null when not decomposed. */
  strength: number | null;
  /** Permutation p-value of the stable-seasonality test, null when not decomposed. */
  seasonality_p: number | null;
  /** Calendar months (1..12) that are clearly high, largest index first; empty unless code is 'ok'. */
  peak_months: number[];
  /** Calendar months (1..12) that are clearly low, lowest index first; empty unless code is 'ok'. */
  trough_months: number[];
  /** Mean of the observed values (the "typical month"), null when not decomposed. */
  level: number | null;
  /** Number of observed (non-missing, finite) values. */
  n_observed: number;
  /** Positions (0-based, in the input) filled by linear interpolation for the decomposition. */
  interpolated_positions: number[];
  /** Index in the input of the first value of the decomposed span. */
  span_start: number | null;
  /** The STL fit of the decomposed span (span_start onwards), when decomposed. */
  stl?: StlResult;
}

/** Result of {@link deseasonalise}. */
export interface DeseasonaliseResult {
  /** Seasonally adjusted values (x - seasonal) if adjusted, else a copy of the input; missing stays null. */
  values: (number | null)[];
  /** True when the seasonal component was removed. */
  adjusted: boolean;
  code: SeasonalCode;
  /** Why the series was or was not adjusted. */
  status: string;
  strength: number | null;
  seasonality_p: number | null;
  /** The subtracted seasonal component aligned to the input (null outside the span), when adjusted. */
  seasonal: (number | null)[] | null;
}

type Prepared =
  | { ok: false; code: 'too_short' | 'gaps_too_long'; status: string; nObserved: number }
  | {
      ok: true;
      first: number;
      series: number[];
      observed: boolean[];
      interpolated: number[];
      note: string | null;
      nObserved: number;
    };

const isObs = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

function checkStart(start: number, period: number): void {
  if (!Number.isInteger(period) || period < 2) throw new RangeError(`period must be an integer >= 2 (got ${period})`);
  if (!Number.isInteger(start) || start < 1 || start > period) {
    throw new RangeError(`start position must be an integer in 1..${period} (got ${start})`);
  }
}

/** Label of input position i for status messages: month name when period is 12. */
function positionLabel(i: number, start: number, period: number): string {
  const p = (start - 1 + i) % period;
  return period === 12 ? MONTH_NAMES[p] : `cycle position ${p + 1}`;
}

function unitWord(period: number): string {
  return period === 12 ? 'months' : 'observations';
}

/**
 * Trim leading/trailing missing values and bridge short internal gaps by
 * linear interpolation, or explain why the series cannot be decomposed.
 */
function prepareSeries(
  values: readonly (number | null)[],
  start: number,
  period: number,
  maxGap: number,
  maxShare: number,
): Prepared {
  const nObserved = values.filter(isObs).length;
  const need = 2 * period;
  if (nObserved < need) {
    return {
      ok: false,
      code: 'too_short',
      status: `not enough ${unitWord(period)} for a seasonal test (need ${need}, have ${nObserved})`,
      nObserved,
    };
  }
  let first = 0;
  while (!isObs(values[first])) first++;
  let last = values.length - 1;
  while (!isObs(values[last])) last--;

  const series: number[] = [];
  const observed: boolean[] = [];
  const interpolated: number[] = [];
  const runs: string[] = [];
  for (let i = first; i <= last; i++) {
    const v = values[i];
    if (isObs(v)) {
      series.push(v);
      observed.push(true);
      continue;
    }
    let j = i;
    while (!isObs(values[j])) j++;
    const len = j - i;
    const where = `${len > 1 ? `positions ${i}-${j - 1}` : `position ${i}`} (${Array.from({ length: len }, (_, k) => positionLabel(i + k, start, period)).join(', ')})`;
    if (len > maxGap) {
      return {
        ok: false,
        code: 'gaps_too_long',
        status: `cannot decompose: ${len} consecutive missing ${unitWord(period)} at ${where}; at most ${maxGap} can be bridged`,
        nObserved,
      };
    }
    const a = values[i - 1] as number;
    const b = values[j] as number;
    for (let k = 1; k <= len; k++) {
      series.push(a + ((b - a) * k) / (len + 1));
      observed.push(false);
      interpolated.push(i + k - 1);
    }
    runs.push(where);
    i = j - 1;
  }
  if (interpolated.length > maxShare * series.length) {
    return {
      ok: false,
      code: 'gaps_too_long',
      status: `cannot decompose: ${interpolated.length} of ${series.length} ${unitWord(period)} in the span are missing (more than ${Math.round(maxShare * 100)}%)`,
      nObserved,
    };
  }
  const note =
    interpolated.length > 0
      ? `${interpolated.length} missing ${interpolated.length === 1 ? unitWord(period).slice(0, -1) : unitWord(period)} linearly interpolated for the decomposition only: ${runs.join('; ')}`
      : null;
  return { ok: true, first, series, observed, interpolated, note, nObserved };
}

/** Sample variance (two-pass); 0 for fewer than two values. */
function variance(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  let m = 0;
  for (const v of xs) m += v;
  m /= n;
  let s = 0;
  for (const v of xs) s += (v - m) * (v - m);
  return s / (n - 1);
}

/**
 * Seasonal strength Fs = max(0, 1 - var(remainder) / var(seasonal + remainder))
 * (Wang, Smith & Hyndman 2006; Hyndman & Athanasopoulos, FPP3 section 4.3).
 * Returns 0 when seasonal + remainder has no variance.
 */
export function seasonalStrength(seasonal: readonly number[], remainder: readonly number[]): number {
  const vr = variance(remainder);
  const vsr = variance(seasonal.map((s, i) => s + remainder[i]));
  if (!(vsr > 0)) return 0;
  return Math.max(0, 1 - vr / vsr);
}

/** The default STL seasonal window for a span of `n` values: 'periodic' below 7 cycles, else 13. */
export function defaultSeasonalWindow(n: number, period: number): number | 'periodic' {
  return n < PERIODIC_BELOW_CYCLES * period ? 'periodic' : EVOLVING_S_WINDOW;
}

/**
 * Peak and trough months from twelve seasonal indices. Rule: a month is a
 * peak when its index is positive, at least {@link PEAK_FRACTION} (60%) of the
 * largest index, and at least {@link PEAK_MIN_SHARE_OF_RANGE} (a quarter) of the
 * peak-to-trough range; troughs mirror this for negative indices. The first
 * condition keeps only months near the top (a block of equally high months is
 * reported whole, unlike a local-maximum rule); the second stops small wiggles
 * opposite a single dominant month from counting. Peaks are returned largest
 * first, troughs lowest first. No seasonal-strength gate is applied here.
 */
export function peakAndTroughMonths(indices: readonly { month: number; index: number }[]): {
  peaks: number[];
  troughs: number[];
} {
  if (indices.length === 0) return { peaks: [], troughs: [] };
  const hi = Math.max(...indices.map((d) => d.index));
  const lo = Math.min(...indices.map((d) => d.index));
  const range = hi - lo;
  if (!(range > 0)) return { peaks: [], troughs: [] };
  const peaks = indices
    .filter((d) => d.index > 0 && d.index >= PEAK_FRACTION * hi && d.index >= PEAK_MIN_SHARE_OF_RANGE * range)
    .sort((a, b) => b.index - a.index || a.month - b.month)
    .map((d) => d.month);
  const troughs = indices
    .filter((d) => d.index < 0 && d.index <= PEAK_FRACTION * lo && -d.index >= PEAK_MIN_SHARE_OF_RANGE * range)
    .sort((a, b) => a.index - b.index || a.month - b.month)
    .map((d) => d.month);
  return { peaks, troughs };
}

/** Between-group sum of squares sum_g n_g (mean_g - grand mean)^2. */
function betweenGroupSS(values: readonly number[], groups: readonly number[], nGroups: number): number {
  const sums = new Array<number>(nGroups).fill(0);
  const counts = new Array<number>(nGroups).fill(0);
  let grand = 0;
  values.forEach((v, i) => {
    sums[groups[i]] += v;
    counts[groups[i]] += 1;
    grand += v;
  });
  grand /= values.length;
  let ss = 0;
  for (let g = 0; g < nGroups; g++) {
    if (counts[g] > 0) ss += counts[g] * (sums[g] / counts[g] - grand) ** 2;
  }
  return ss;
}

/** Orders of the permutation test by (length, permutations, seed); a few lengths at most in a run. */
const ORDERS = new Map<string, Int32Array>();
const MAX_CACHED_ORDERS = 128;

/**
 * The permutation test's shuffles of `n` values: row b (n entries from b * n) holds, for each
 * position, which of the original values is there after b + 1 Fisher-Yates shuffles of one
 * array by a mulberry32 PRNG seeded with `seed` (the shuffles reshuffle the same array, so
 * shuffle b starts from shuffle b - 1's order).
 */
function permutationOrders(n: number, permutations: number, seed: number): Int32Array {
  const key = `${n}:${permutations}:${seed}`;
  const hit = ORDERS.get(key);
  if (hit) return hit;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const out = new Int32Array(permutations * n);
  let state = seed | 0;
  for (let b = 0; b < permutations; b++) {
    for (let i = n - 1; i > 0; i--) {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      const j = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (i + 1));
      const x = idx[i];
      idx[i] = idx[j];
      idx[j] = x;
    }
    out.set(idx, b * n);
  }
  if (out.length <= 1 << 20) {
    if (ORDERS.size >= MAX_CACHED_ORDERS) ORDERS.clear();
    ORDERS.set(key, out);
  }
  return out;
}

/**
 * Permutation test of stable seasonality: the between-cycle-position sum of
 * squares of the detrended values (the one-way ANOVA statistic used by the
 * X-11 "F-test for stable seasonality", which for fixed total variance is
 * equivalent to the seasonal strength of a periodic decomposition) compared
 * with its distribution when the values are randomly reassigned to
 * positions. p = (1 + #{permuted >= observed}) / (permutations + 1), with a
 * fixed seed so the result is reproducible.
 *
 * With `stopAt` (h), the test stops as soon as h permuted statistics reach the
 * observed one, after l permutations, and returns p = h / l: Besag and
 * Clifford's (1991) sequential Monte Carlo p-value, valid in its own right.
 * {@link fitSeasonal} sets h = ceil(alpha * (permutations + 1)), so a stop
 * happens only when the fixed test would also give p > alpha (at least h + 1
 * exceedances in all), and h / l >= h / permutations > alpha: the decision is
 * the fixed test's, series by series, and a series that does not stop gets
 * the fixed test's p to the last bit. Most series are noise (worker
 * caseloads), whose p-values are large: they stop after a few dozen
 * permutations instead of 999.
 *
 * @param detrended - detrended values (x - trend), observed points only
 * @param positions - cycle position (0..period-1) of each value
 * @param stopAt - stop at this many exceedances (default: never stop early)
 */
export function stableSeasonalityPValue(
  detrended: readonly number[],
  positions: readonly number[],
  period: number,
  permutations = PERMUTATIONS,
  seed = PERMUTATION_SEED,
  stopAt = Number.POSITIVE_INFINITY,
): number {
  const observed = betweenGroupSS(detrended, positions, period);
  // betweenGroupSS inlined over typed arrays, every floating-point operation in the same order
  // as betweenGroupSS, so the p-value is the same to the last bit: it runs 999 times for every
  // series of two years or more and was the engine's largest cost. The shuffles (a mulberry32
  // PRNG seeded with `seed`, reshuffling the same array each time) depend only on the number of
  // values, so each permutation's order of the values is worked out once per length
  // ({@link permutationOrders}) and shared by every series of that length.
  const n = detrended.length;
  const a = Float64Array.from(detrended);
  const groups = Int32Array.from(positions);
  const counts = new Float64Array(period);
  for (let i = 0; i < n; i++) counts[groups[i]] += 1;
  const sums = new Float64Array(period);
  const tol = observed * 1e-12;
  const orders = permutationOrders(n, permutations, seed);
  let atLeast = 0;
  for (let b = 0, base = 0; b < permutations; b++, base += n) {
    sums.fill(0);
    let grand = 0;
    for (let i = 0; i < n; i++) {
      const v = a[orders[base + i]];
      sums[groups[i]] += v;
      grand += v;
    }
    grand /= n;
    let ss = 0;
    for (let g = 0; g < period; g++) {
      if (counts[g] > 0) ss += counts[g] * (sums[g] / counts[g] - grand) ** 2;
    }
    if (ss >= observed - tol && ++atLeast >= stopAt) return atLeast / (b + 1);
  }
  return (atLeast + 1) / (permutations + 1);
}

type Fitted =
  | { ok: false; code: 'too_short' | 'gaps_too_long'; status: string; nObserved: number }
  | {
      ok: true;
      prep: Extract<Prepared, { ok: true }>;
      fit: StlResult;
      strength: number;
      p: number;
      seasonal: boolean;
      verdict: string;
    };

/** Prepare the series, run STL on the span and compute the seasonal strength over observed points. */
function fitSeasonal(
  values: readonly (number | null)[],
  start: number,
  period: number,
  opts: SeasonalOptions,
): Fitted {
  checkStart(start, period);
  const prep = prepareSeries(
    values,
    start,
    period,
    opts.maxGap ?? DEFAULT_MAX_GAP,
    opts.maxInterpolatedShare ?? DEFAULT_MAX_INTERPOLATED_SHARE,
  );
  if (!prep.ok) return prep;
  let fit: StlResult;
  try {
    fit = stl(prep.series, period, {
      sWindow: opts.sWindow ?? defaultSeasonalWindow(prep.series.length, period),
      robust: opts.robust ?? true,
      allowTwoPeriods: true,
    });
  } catch (e) {
    // prepareSeries guarantees a complete series of >= 2 periods, so only a length problem can remain.
    if (e instanceof StlInputError && e.code === 'too_short') {
      return { ok: false, code: 'too_short', status: e.message, nObserved: prep.nObserved };
    }
    throw e;
  }
  const s: number[] = [];
  const r: number[] = [];
  const pos: number[] = [];
  prep.observed.forEach((o, i) => {
    if (o) {
      s.push(fit.seasonal[i]);
      r.push(fit.remainder[i]);
      pos.push((start - 1 + prep.first + i) % period);
    }
  });
  const strength = seasonalStrength(s, r);
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  // sequential: stopped once the answer at alpha is known to be "not significant" (with alpha = 1, never)
  const p = stableSeasonalityPValue(
    s.map((v, i) => v + r[i]),
    pos,
    period,
    PERMUTATIONS,
    PERMUTATION_SEED,
    alpha < 1 ? Math.ceil(alpha * (PERMUTATIONS + 1)) : Number.POSITIVE_INFINITY,
  );
  const threshold = opts.strengthThreshold ?? DEFAULT_STRENGTH_THRESHOLD;
  const strong = strength >= threshold;
  const significant = alpha >= 1 || p < alpha;
  const fs = `seasonal strength ${strength.toFixed(2)}`;
  const verdict =
    strong && significant
      ? `${fs}, stable-seasonality permutation p = ${p.toFixed(3)}`
      : !strong
        ? `no clear seasonal pattern (${fs} < ${threshold})`
        : `no clear seasonal pattern (${fs}, but not distinguishable from noise: permutation p = ${p.toFixed(3)} >= ${alpha})`;
  return { ok: true, prep, fit, strength, p, seasonal: strong && significant, verdict };
}

function joinStatus(main: string, note: string | null): string {
  return note ? `${main}; ${note}` : main;
}

/**
 * Seasonal profile of a monthly series (values[0] is calendar month
 * `startMonth`, 1 = January): robust STL, seasonal index per calendar month
 * (mean of the STL seasonal component over that month's positions in the
 * span, in the series' units and as % of the mean observed level), seasonal
 * strength Fs, and peak/trough months by {@link peakAndTroughMonths} when
 * the series is seasonal (Fs >= 0.3 and the stable-seasonality permutation
 * test significant at 0.05). Too few months or long gaps give a status and
 * no numbers; see the module comment for all choices.
 *
 * @throws {RangeError} only for a startMonth outside 1..12 (a caller bug, not a data problem).
 */
export function seasonalProfile(
  values: readonly (number | null)[],
  startMonth: number,
  opts: SeasonalOptions = {},
): SeasonalProfile {
  const period = 12;
  const f = fitSeasonal(values, startMonth, period, opts);
  if (!f.ok) {
    return {
      status: f.status,
      code: f.code,
      indices: [],
      strength: null,
      seasonality_p: null,
      peak_months: [],
      trough_months: [],
      level: null,
      n_observed: f.nObserved,
      interpolated_positions: [],
      span_start: null,
    };
  }
  const { prep, fit, strength, seasonal } = f;
  const obs = prep.series.filter((_, i) => prep.observed[i]);
  const level = obs.reduce((a, b) => a + b, 0) / obs.length;
  const sums = new Array<number>(12).fill(0);
  const counts = new Array<number>(12).fill(0);
  fit.seasonal.forEach((s, i) => {
    const m = (startMonth - 1 + prep.first + i) % 12;
    sums[m] += s;
    counts[m] += 1;
  });
  const indices: MonthIndex[] = sums.map((s, m) => {
    const index = s / counts[m];
    return { month: m + 1, index, percent: level > 0 ? (index / level) * 100 : null };
  });
  const { peaks, troughs } = seasonal ? peakAndTroughMonths(indices) : { peaks: [], troughs: [] };
  return {
    status: joinStatus(seasonal ? 'ok' : f.verdict, prep.note),
    code: seasonal ? 'ok' : 'no_clear_pattern',
    indices,
    strength,
    seasonality_p: f.p,
    peak_months: peaks,
    trough_months: troughs,
    level,
    n_observed: prep.nObserved,
    interpolated_positions: prep.interpolated,
    span_start: prep.first,
    stl: fit,
  };
}

/**
 * Seasonally adjusted series for the trend test, change-point detection and
 * control charts: values minus the robust-STL seasonal component when the
 * series has at least two full cycles of observations and is seasonal
 * (Fs >= 0.3 and permutation p < 0.05, see the module comment); otherwise the input unchanged with `adjusted: false`
 * and the reason. `start` is the cycle position (1..period; the calendar
 * month when period = 12) of values[0]. Missing values stay missing.
 *
 * @throws {RangeError} only for a period < 2 or start outside 1..period (caller bugs).
 */
export function deseasonalise(
  values: readonly (number | null)[],
  start: number,
  period = 12,
  opts: SeasonalOptions = {},
): DeseasonaliseResult {
  const unchanged = values.map((v) => (isObs(v) ? v : null));
  const f = fitSeasonal(values, start, period, opts);
  if (!f.ok) {
    return {
      values: unchanged,
      adjusted: false,
      code: f.code,
      status: `not adjusted: ${f.status}`,
      strength: null,
      seasonality_p: null,
      seasonal: null,
    };
  }
  if (!f.seasonal) {
    return {
      values: unchanged,
      adjusted: false,
      code: 'no_clear_pattern',
      status: `not adjusted: ${f.verdict}`,
      strength: f.strength,
      seasonality_p: f.p,
      seasonal: null,
    };
  }
  const seasonal: (number | null)[] = values.map(() => null);
  f.fit.seasonal.forEach((s, i) => {
    seasonal[f.prep.first + i] = s;
  });
  const adjustedValues = unchanged.map((v, i) => {
    const s = seasonal[i];
    return v === null || s === null ? null : v - s;
  });
  return {
    values: adjustedValues,
    adjusted: true,
    code: 'ok',
    status: joinStatus(`seasonally adjusted (${f.verdict})`, f.prep.note),
    strength: f.strength,
    seasonality_p: f.p,
    seasonal,
  };
}
