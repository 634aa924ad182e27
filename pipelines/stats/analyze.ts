/**
 * One call that applies the whole time-series engine to a monthly (or annual) series, as
 * `fairload series` and `fairload run` need it:
 *
 * - the series is laid on a complete calendar grid; missing months are listed, never filled
 *   with zero;
 * - seasonality (STL, robust) from 24 months; the deseasonalised series is what the trend test,
 *   change points and control chart run on, so that seasonality itself is not flagged;
 * - trend from 8 observed values: Mann-Kendall with the Hamed-Rao correction (never shrinking
 *   the variance) on the deseasonalised series, Sen's slope with its interval, and the seasonal
 *   (Hirsch-Slack) test and seasonal Sen slope beside them;
 * - peaks and troughs of the observed series (scipy find_peaks semantics) that stand out from
 *   month-to-month noise;
 * - level shifts: PELT in the mean (Normal cost, MBIC) on the deseasonalised series with its
 *   linear trend removed, scaled by a robust noise estimate;
 * - a control chart with the Making Data Count rules: about the trend (a regression control chart)
 *   when the trend test confirms one, else an XmR chart (optionally with a fixed baseline), its
 *   limits recalculated at each confirmed level shift; when the points about its centre line are
 *   autocorrelated (a stock such as a caseload), the chart judges each month against what was
 *   expected given the month before (AR(1) one-step-ahead forecast errors, Alwan and Roberts 1988).
 *
 * Pure: no I/O. Every part has an explicit status instead of a crash or an invented number.
 */
import { calendarMonth, calendarMonthName, monthIndex, monthName, periodOf } from "../../core/calendar.ts";
import { scaleForChangepoint, cptMean } from "./changepoint.ts";
import { findPeaks, findTroughs } from "./peaks.ts";
import { seasonalProfile } from "./seasonal.ts";
import { type StlParamsR, stlParamsForR } from "./stl.ts";
import { twoSidedNormalP } from "./dist.ts";
import { type Improvement, type SpcRule, type SpecialCause, type VariationIcon, type AssuranceIcon, type XmrResult, regressionChart, xmrChart } from "./spc.ts";
import { hamedRaoMK, mannKendall, seasonalMannKendall, seasonalSensSlope, sensSlope } from "./trend.ts";

export const MIN_TREND = 8;
export const MIN_SEASONAL = 24;
export const MIN_SPC = 12;
export const MIN_CHANGEPOINT = 12;
/** Shortest segment between level shifts in a monthly series: a shift must last half a year. */
export const MIN_SHIFT_MONTHS = 6;

export interface SeriesInput {
  /** `YYYY-MM` for monthly series (period 12) or `YYYY` for annual ones (period 1); any order, no duplicates. */
  dates: string[];
  values: (number | null)[];
  period?: 12 | 1;
  /** Which direction is good (for control-chart colours and the assurance icon). */
  higherIs?: "better" | "worse" | "neutral";
  target?: number;
  /**
   * Fix an XmR chart's mean and limits from the first N points (of each segment), Making Data
   * Count's baseline; at least {@link MIN_SPC}. Not used on a regression chart (a trending series).
   */
  baseline?: number;
  /**
   * Allow for autocorrelation in the control chart (default true): when the points about the
   * chart's centre line have a material and significant lag-one autocorrelation, judge each point
   * by its AR(1) one-step-ahead forecast error (the `-ar1` chart kinds). False keeps the plain
   * chart (for comparison).
   */
  autocorrelation?: boolean;
}

/**
 * Which control chart a series gets (docs/series.md):
 * - `regression`: the trend test confirms a trend, so the centre line is the trend (Sen's slope
 *   through the mean of the points) and the limits follow it;
 * - `regression-segmented`: the same with limits recalculated at each confirmed level shift, the
 *   trend within the segments confirmed on its own;
 * - `xmr`: no trend, Making Data Count's XmR chart over every point;
 * - `xmr-baseline`: the same with mean and limits fixed from the first N points;
 * - `xmr-segmented`: XmR with limits recalculated at each confirmed level shift;
 * - any of these with `-ar1`: the points about the centre line are autocorrelated (lag-one
 *   coefficient material and significant, spc.ts `ar1Test`), so each point is judged by its AR(1)
 *   one-step-ahead forecast error: its limits are about what was expected given the point before.
 */
export type BaseChartKind = "xmr" | "xmr-baseline" | "xmr-segmented" | "regression" | "regression-segmented";
export type ChartKind = BaseChartKind | `${BaseChartKind}-ar1`;

export interface TrendResult {
  status: string;
  /** Hamed-Rao corrected Mann-Kendall on the deseasonalised series: the headline test. */
  mk: { s: number; var_s: number; var_s_corrected: number; z: number; p: number; tau: number; correction_factor: number } | null;
  /** Plain Mann-Kendall on the series as observed, for reference. */
  mk_uncorrected: { s: number; var_s: number; z: number; p: number; tau: number } | null;
  seasonal_mk: { s: number; var_s: number; z: number; p: number; tau: number } | null;
  /** Sen's slope on the deseasonalised series, per time step and per year. */
  sen: { slope: number; ci_low: number; ci_high: number; slope_per_year: number; ci_low_per_year: number; ci_high_per_year: number; intercept: number } | null;
  seasonal_sen: { slope_per_year: number; ci_low_per_year: number | null; ci_high_per_year: number | null } | null;
  /** Sen's slope per year as a percentage of the series' mean level. */
  pct_per_year: number | null;
  pct_ci_low: number | null;
  pct_ci_high: number | null;
  direction: "increasing" | "decreasing" | "no trend" | null;
  /** True when the test ran on the deseasonalised series. */
  deseasonalised: boolean;
}

export interface SeriesAnalysis {
  n: number;
  n_observed: number;
  first: string | null;
  last: string | null;
  dates: string[];
  values: (number | null)[];
  missing: string[];
  /** 'ok', or the limitations in plain words. */
  status: string;
  trend: TrendResult;
  seasonal: {
    status: string;
    code: string;
    indices: { month: number; index: number; percent: number | null }[];
    strength: number | null;
    seasonality_p: number | null;
    peak_months: number[];
    trough_months: number[];
  };
  /** `params`: the stats::stl() arguments that reproduce this fit in R (on the decomposed span, see stlParamsForR). */
  stl: { trend: (number | null)[]; seasonal: (number | null)[]; remainder: (number | null)[]; params: StlParamsR } | null;
  deseasonalised: (number | null)[];
  peaks: { index: number; date: string; value: number; prominence: number }[];
  troughs: { index: number; date: string; value: number; prominence: number }[];
  changepoints: { status: string; points: { index: number; date: string; direction: "up" | "down"; before: number; after: number }[] };
  spc: {
    status: string;
    on: "deseasonalised" | "observed";
    /** Which chart (null when there is none). */
    kind: ChartKind | null;
    /** One sentence: which kind of chart and what its centre line and limits come from. */
    caption: string | null;
    /** Slope of the centre line per time step on a regression chart (else null). */
    slope: number | null;
    /**
     * The lag-one autocorrelation of the points about the centre line (spc.ts `ar1Test`): `phi`,
     * the `n` points it rests on, the `threshold` it had to reach, whether the chart allows for it
     * (`used`, an `-ar1` kind) and the coefficient its forecasts use. Null without a chart or
     * when the test was not asked for.
     */
    autocorrelation: { phi: number; phi_corrected: number; n: number; set_aside: number; threshold: number; used: boolean; phi_used: number } | null;
    /** Points the limits of each segment come from on an `xmr-baseline` chart (else null). */
    baseline: number | null;
    /** Where each segment starts (the first is the first point; later ones are confirmed level shifts). */
    segments: { index: number; date: string }[];
    /** The centre line, upper and lower limit at the latest point. */
    mean: number | null;
    ucl: number | null;
    lcl: number | null;
    /**
     * `mean` is the centre line at the point: the mean, or the trend on a regression chart;
     * `expected` is what the point was judged against: the centre line, or on an `-ar1` chart
     * the centre line plus phi times the previous point's distance from it (the limits are
     * `expected` +/- their half-width); `segment` counts from 0.
     */
    points: { index: number; date: string; value: number; mean: number; expected: number; ucl: number; lcl: number; rule: SpcRule | null; special_cause: SpecialCause | null; segment: number }[];
    signals: { index: number; date: string; rule: SpcRule; special_cause: SpecialCause | null }[];
    /**
     * Distinct special causes: a run of consecutive flagged points under the same rule and on
     * the same side counts once (a shift of nine months is one special cause of nine points).
     */
    special_causes: number;
    variation: VariationIcon | null;
    assurance: AssuranceIcon | null;
  };
}


/** Lay the series on a complete grid from its first to its last date. */
export function toGrid(dates: string[], values: (number | null)[], period: 12 | 1): { dates: string[]; values: (number | null)[]; missing: string[] } {
  if (dates.length !== values.length) throw new RangeError("dates and values differ in length");
  const re = period === 12 ? /^\d{4}-(0[1-9]|1[0-2])$/ : /^\d{4}$/;
  const byDate = new Map<string, number | null>();
  for (let i = 0; i < dates.length; i++) {
    const d = dates[i];
    if (!re.test(d)) throw new RangeError(`"${d}" is not a ${period === 12 ? "month (YYYY-MM)" : "year (YYYY)"}`);
    if (byDate.has(d)) throw new RangeError(`${d} appears twice`);
    const v = values[i];
    byDate.set(d, v === null || v === undefined || !Number.isFinite(v) ? null : v);
  }
  if (byDate.size === 0) return { dates: [], values: [], missing: [] };
  const sorted = [...byDate.keys()].sort();
  const toIndex = (d: string) => (period === 12 ? monthIndex(d) : Number(d));
  const fromIndex = (k: number) => (period === 12 ? periodOf(k) : String(k));
  const start = toIndex(sorted[0]);
  const end = toIndex(sorted[sorted.length - 1]);
  const gridDates: string[] = [];
  const gridValues: (number | null)[] = [];
  const missing: string[] = [];
  for (let k = start; k <= end; k++) {
    const d = fromIndex(k);
    gridDates.push(d);
    const v = byDate.has(d) ? byDate.get(d)! : null;
    gridValues.push(v);
    if (v === null) missing.push(d);
  }
  return { dates: gridDates, values: gridValues, missing };
}

/** Observed positions and values (missing dropped), keeping the grid index of each. */
function observed(values: (number | null)[]): { idx: number[]; x: number[] } {
  const idx: number[] = [];
  const x: number[] = [];
  values.forEach((v, i) => {
    if (v !== null) {
      idx.push(i);
      x.push(v);
    }
  });
  return { idx, x };
}

function mean(x: number[]): number {
  return x.reduce((s, v) => s + v, 0) / x.length;
}

export function analyseSeries(input: SeriesInput): SeriesAnalysis {
  const period = input.period ?? 12;
  const { dates, values, missing } = toGrid(input.dates, input.values, period);
  const obs = observed(values);
  const n = values.length;
  const limitations: string[] = [];
  if (missing.length) limitations.push(`${missing.length} missing ${period === 12 ? "month" : "year"}${missing.length === 1 ? "" : "s"} (${missing.slice(0, 6).join(", ")}${missing.length > 6 ? ", ..." : ""}), left out, not filled`);

  // seasonality
  const startMonth = period === 12 && dates.length ? calendarMonth(dates[0]) : 1;
  let seasonal: SeriesAnalysis["seasonal"] = { status: "not a monthly series", code: "too_short", indices: [], strength: null, seasonality_p: null, peak_months: [], trough_months: [] };
  let stlOut: SeriesAnalysis["stl"] = null;
  let deseason: (number | null)[] = values.slice();
  let adjusted = false;
  if (period === 12) {
    if (obs.x.length < MIN_SEASONAL) {
      seasonal = { ...seasonal, status: `not enough months for a seasonal test (need ${MIN_SEASONAL}, have ${obs.x.length})` };
    } else {
      const prof = seasonalProfile(values, startMonth);
      seasonal = {
        status: prof.status,
        code: prof.code,
        indices: prof.indices.map((m) => ({ month: m.month, index: m.index, percent: m.percent })),
        strength: prof.strength,
        seasonality_p: prof.seasonality_p,
        peak_months: prof.peak_months,
        trough_months: prof.trough_months,
      };
      if (prof.stl && prof.span_start !== null) {
        const align = (arr: readonly number[]) => values.map((v, i) => (v === null || i < prof.span_start! || i - prof.span_start! >= arr.length ? null : arr[i - prof.span_start!]));
        stlOut = { trend: align(prof.stl.trend), seasonal: align(prof.stl.seasonal), remainder: align(prof.stl.remainder), params: stlParamsForR(prof.stl.params) };
      }
      // the deseasonalised series is the observed values less this same fit's seasonal
      // component (what deseasonalise() computes; reused here rather than fitted twice)
      if (prof.code === "ok" && prof.stl && prof.span_start !== null) {
        const first = prof.span_start;
        const seasonalPart = prof.stl.seasonal;
        deseason = values.map((v, i) => (v === null || i < first || i - first >= seasonalPart.length ? null : v - seasonalPart[i - first]));
        adjusted = true;
      }
    }
    if (seasonal.code !== "ok") limitations.push(seasonal.status);
  }

  const trend = trendPart(values, deseason, adjusted, period, obs.x);
  if (trend.status !== "ok") limitations.push(trend.status);

  const peaks = peaksPart(values, dates);
  const changepoints = changepointPart(deseason, dates, period);
  if (changepoints.status !== "ok") limitations.push(changepoints.status);
  const spc = spcPart(deseason, dates, adjusted, input, changepoints.points.map((c) => c.index), trend, period);
  if (spc.status !== "ok") limitations.push(spc.status);

  return {
    n,
    n_observed: obs.x.length,
    first: dates[0] ?? null,
    last: dates[dates.length - 1] ?? null,
    dates,
    values,
    missing,
    status: limitations.length ? limitations.join("; ") : "ok",
    trend,
    seasonal,
    stl: stlOut,
    deseasonalised: deseason,
    peaks: peaks.peaks,
    troughs: peaks.troughs,
    changepoints,
    spc,
  };
}

function trendPart(values: (number | null)[], deseason: (number | null)[], adjusted: boolean, period: number, observedValues: number[]): TrendResult {
  const empty: TrendResult = { status: "", mk: null, mk_uncorrected: null, seasonal_mk: null, sen: null, seasonal_sen: null, pct_per_year: null, pct_ci_low: null, pct_ci_high: null, direction: null, deseasonalised: adjusted };
  if (observedValues.length < MIN_TREND) return { ...empty, status: `not enough ${period === 12 ? "months" : "years"} for a trend test (need ${MIN_TREND}, have ${observedValues.length})` };
  const hr = hamedRaoMK(deseason, { neverShrink: true });
  const plain = mannKendall(values);
  const sen = sensSlope(deseason);
  const perYear = period; // steps per year
  const level = mean(observedValues);
  const out: TrendResult = { ...empty, status: "ok" };
  if (hr.status === "ok" && hr.s !== null) {
    out.mk = { s: hr.s, var_s: hr.var_s!, var_s_corrected: hr.var_s_corrected!, z: hr.z!, p: hr.p!, tau: hr.tau!, correction_factor: hr.correction_factor! };
    out.direction = hr.direction;
  }
  if (plain.status === "ok" && plain.s !== null) out.mk_uncorrected = { s: plain.s, var_s: plain.var_s!, z: plain.z!, p: plain.p!, tau: plain.tau! };
  if (sen.status === "ok" && sen.slope !== null) {
    const lo = sen.ci_low ?? sen.slope;
    const hi = sen.ci_high ?? sen.slope;
    out.sen = { slope: sen.slope, ci_low: lo, ci_high: hi, slope_per_year: sen.slope * perYear, ci_low_per_year: lo * perYear, ci_high_per_year: hi * perYear, intercept: sen.intercept! };
    if (level > 0) {
      out.pct_per_year = (100 * sen.slope * perYear) / level;
      out.pct_ci_low = (100 * lo * perYear) / level;
      out.pct_ci_high = (100 * hi * perYear) / level;
    }
  }
  if (period === 12 && observedValues.length >= MIN_SEASONAL) {
    const smk = seasonalMannKendall(values, 12);
    if (smk.status === "ok" && smk.s !== null) out.seasonal_mk = { s: smk.s, var_s: smk.var_s!, z: smk.z!, p: smk.p!, tau: smk.tau! };
    const ss = seasonalSensSlope(values, 12);
    if (ss.status === "ok" && ss.slope_per_cycle !== null) out.seasonal_sen = { slope_per_year: ss.slope_per_cycle, ci_low_per_year: ss.ci_low_per_cycle ?? null, ci_high_per_year: ss.ci_high_per_cycle ?? null };
  }
  return out;
}

/** Contiguous runs of observed values, as [start, end) on the grid. */
function runs(values: (number | null)[]): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  values.forEach((v, i) => {
    if (v !== null && start < 0) start = i;
    if (v === null && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  });
  if (start >= 0) out.push([start, values.length]);
  return out;
}

/**
 * Peaks and troughs that stand out: prominence of at least twice the month-to-month noise
 * (robust sigma of first differences), at least 3 steps apart. Found within each run of
 * observed values (a gap is never bridged).
 */
function peaksPart(values: (number | null)[], dates: string[]) {
  const peaks: SeriesAnalysis["peaks"] = [];
  const troughs: SeriesAnalysis["troughs"] = [];
  const obs = observed(values).x;
  if (obs.length < 5) return { peaks, troughs };
  const sigma = scaleForChangepoint(obs).sigma;
  const prominence = Math.max(2 * sigma, 1e-9 * Math.max(1, Math.abs(mean(obs))));
  for (const [a, b] of runs(values)) {
    if (b - a < 3) continue;
    const x = values.slice(a, b) as number[];
    const p = findPeaks(x, { prominence, distance: 3 });
    p.peaks.forEach((k, j) => peaks.push({ index: a + k, date: dates[a + k], value: x[k], prominence: p.properties.prominences![j] }));
    const t = findTroughs(x, { prominence, distance: 3 });
    t.peaks.forEach((k, j) => troughs.push({ index: a + k, date: dates[a + k], value: x[k], prominence: t.properties.prominences![j] }));
  }
  return { peaks, troughs };
}

/**
 * Level shifts in a series that may also trend, in two stages.
 * 1. Candidates: PELT (Normal mean cost, MBIC penalty 3 log n, segments of at least
 *    MIN_SHIFT_MONTHS) on the deseasonalised values with their trend removed and scaled by a
 *    robust noise estimate; once with the whole-series Sen slope and once with the slope
 *    re-estimated within the segments found (a real shift inflates a whole-series slope).
 * 2. Confirmation in one model, level = a + b t + sum of steps, fitted by least squares: the
 *    weakest step is dropped while its t^2 is below the same penalty. The variance is the
 *    model's residual mean square, inflated for the lag-one autocorrelation of its residuals
 *    (long-run variance of AR(1) noise, (1 + phi) / (1 - phi)), because monthly workload
 *    figures are autocorrelated and a test that ignores it finds shifts in noise.
 * So a steady trend is not reported as a staircase of shifts, and a shift is not explained away
 * by a trend. Robust scale estimates are kept out of stage 2 on purpose: robust STL on a few
 * cycles concentrates the noise in a few large remainders, and a MAD then understates it.
 */
function changepointPart(deseason: (number | null)[], dates: string[], period: number): SeriesAnalysis["changepoints"] {
  const { idx, x } = observed(deseason);
  if (x.length < MIN_CHANGEPOINT) return { status: `not enough ${period === 12 ? "months" : "years"} for change-point detection (need ${MIN_CHANGEPOINT}, have ${x.length})`, points: [] };
  const minseg = period === 12 ? MIN_SHIFT_MONTHS : 3;
  const penalty = 3 * Math.log(x.length);
  const pelt = (slope: number) => {
    const scaled = scaleForChangepoint(x.map((v, k) => v - slope * idx[k]));
    if (scaled.method === "degenerate") return null;
    return cptMean(scaled.scaled, { penalty: "Manual", penValue: penalty, minseglen: minseg });
  };
  const first = pelt(sensSlope(deseason).slope ?? 0);
  if (!first) return { status: "ok", points: [] };
  const candidates = new Set(first.indices);
  const slope1 = withinSegmentSlope(x, idx, first.segments);
  if (slope1 !== null) for (const k of pelt(slope1)?.indices ?? []) candidates.add(k);
  let steps = [...candidates].sort((p, q) => p - q);
  // lag-one correlation from first differences, which a shift barely touches (see phiFromDifferences)
  const phiD = phiFromDifferences(x);
  const diffInflation = (1 + phiD) / (1 - phiD);
  while (steps.length > 0) {
    const fit = fitTrendWithSteps(x, idx, steps);
    const sigma2 = fit.rss / Math.max(1, x.length - 2 - steps.length);
    const inflation = Math.max(ar1Inflation(fit.residuals), diffInflation);
    const t2 = fit.steps.map((d, j) => (d * d) / (sigma2 * inflation * fit.varFactor[j]));
    let weakest = 0;
    t2.forEach((v, j) => (v < t2[weakest] ? (weakest = j) : 0));
    const tooClose = steps.some((k, j) => k - (j ? steps[j - 1] : 0) < minseg) || x.length - steps[steps.length - 1] < minseg;
    if (t2[weakest] >= penalty && !tooClose) break;
    steps = steps.filter((_, j) => j !== weakest);
  }
  if (steps.length === 0) return { status: "ok", points: [] };
  const fit = fitTrendWithSteps(x, idx, steps);
  const points = steps.map((k, j) => {
    const gridIndex = idx[k];
    const before = fit.a + fit.b * gridIndex + fit.steps.slice(0, j).reduce((s, d) => s + d, 0);
    const after = before + fit.steps[j];
    return { index: gridIndex, date: dates[gridIndex], direction: (after >= before ? "up" : "down") as "up" | "down", before, after };
  });
  return { status: "ok", points };
}

/**
 * (1 + phi) / (1 - phi) for the lag-one autocorrelation phi of residuals, with Kendall's
 * small-sample bias correction phi + (1 + 4 phi) / n (the plain estimate is biased towards 0 in
 * short series), clamped to [0, 0.8].
 */
export function ar1Inflation(residuals: number[]): number {
  const n = residuals.length;
  if (n < 8) return 1;
  const m = mean(residuals);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (residuals[i] - m) ** 2;
    if (i) num += (residuals[i] - m) * (residuals[i - 1] - m);
  }
  const raw = den > 0 ? num / den : 0;
  const phi = Math.min(0.8, Math.max(0, raw + (1 + 4 * raw) / n));
  return (1 + phi) / (1 - phi);
}

/**
 * For AR(1) noise the first differences have lag-one correlation -(1 - phi) / 2, so
 * phi = 1 + 2 rho_d. rho_d is estimated robustly (Gnanadesikan-Kettenring with MADs), so the one
 * large difference a level shift makes hardly moves it, unlike residuals from a model whose
 * fitted steps soak up slow wander. Clamped to [0, 0.8].
 */
export function phiFromDifferences(x: number[]): number {
  if (x.length < 8) return 0;
  const d = x.slice(1).map((v, i) => v - x[i]);
  const plus = d.slice(1).map((v, i) => v + d[i]);
  const minus = d.slice(1).map((v, i) => v - d[i]);
  const a = mad(plus) ** 2;
  const b = mad(minus) ** 2;
  if (a + b === 0) return 0;
  return Math.min(0.8, Math.max(0, 1 + (2 * (a - b)) / (a + b)));
}

function mad(x: number[]): number {
  const sorted = [...x].sort((p, q) => p - q);
  const med = sorted[sorted.length >> 1];
  const dev = x.map((v) => Math.abs(v - med)).sort((p, q) => p - q);
  return 1.4826 * dev[dev.length >> 1];
}

/** Median of the pairwise slopes within each segment (a pooled Sen slope), or null if none. */
function withinSegmentSlope(x: number[], idx: number[], segments: { start: number; end: number }[]): number | null {
  let n = 0;
  for (const s of segments) n += ((s.end - s.start) * (s.end - s.start - 1)) / 2;
  // a typed array sorted numerically: the same order as sorting numbers with (a, b) => a - b, faster
  const slopes = new Float64Array(n);
  let k = 0;
  for (const s of segments) {
    for (let i = s.start; i < s.end; i++) for (let j = i + 1; j < s.end; j++) slopes[k++] = (x[j] - x[i]) / (idx[j] - idx[i]);
  }
  if (slopes.length === 0) return null;
  slopes.sort();
  const m = slopes.length >> 1;
  return slopes.length % 2 ? slopes[m] : (slopes[m - 1] + slopes[m]) / 2;
}

/**
 * Least squares of y on [1, t, step_1, ..., step_m] (step_j = 1 from observation steps[j] on).
 * Returns the coefficients and, per step, the diagonal of (X'X)^-1 (its variance factor).
 */
export function fitTrendWithSteps(y: number[], t: number[], steps: number[]): { a: number; b: number; steps: number[]; varFactor: number[]; residuals: number[]; rss: number } {
  const p = 2 + steps.length;
  const row = (i: number) => [1, t[i], ...steps.map((k) => (i >= k ? 1 : 0))];
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  for (let i = 0; i < y.length; i++) {
    const r = row(i);
    for (let a = 0; a < p; a++) {
      xty[a] += r[a] * y[i];
      for (let b = 0; b < p; b++) xtx[a][b] += r[a] * r[b];
    }
  }
  const inv = invert(xtx);
  const beta = inv.map((r) => r.reduce((s, v, j) => s + v * xty[j], 0));
  const residuals = y.map((v, i) => v - row(i).reduce((s, x, j) => s + x * beta[j], 0));
  const rss = residuals.reduce((s, r) => s + r * r, 0);
  return { a: beta[0], b: beta[1], steps: beta.slice(2), varFactor: steps.map((_, j) => inv[2 + j][2 + j]), residuals, rss };
}

/** Gauss-Jordan inverse of a small symmetric positive-definite matrix. */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    const d = a[c][c] || 1e-300;
    for (let j = 0; j < 2 * n; j++) a[c][j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r][c];
      if (f) for (let j = 0; j < 2 * n; j++) a[r][j] -= f * a[c][j];
    }
  }
  return a.map((r) => r.slice(n));
}

/**
 * The control chart, on the deseasonalised series when the series is seasonal (docs/series.md):
 * - when the trend test confirms a trend, a regression control chart about the trend: Sen's slope
 *   (the trend reported) through the mean of the points, so that a special cause means unusual
 *   given the trend and the season; the trend itself is reported as the trend;
 * - otherwise Making Data Count's XmR chart, with its mean and limits from the first
 *   `input.baseline` points when a baseline is set.
 * Limits are recalculated from each confirmed level shift on (Making Data Count: rebase after a
 * sustained change), provided each segment keeps enough points; otherwise one set of limits. A
 * trending series with such shifts keeps a regression chart only if the trend holds within the
 * segments (Mann-Kendall S and its Hamed-Rao variance summed over the segments, as the seasonal
 * test sums over months); its slope is then the median of the pairwise slopes within segments.
 * Whichever chart it is, when the points about its centre line have a material and significant
 * lag-one autocorrelation (spc.ts `ar1Test`; unless `input.autocorrelation` is false) each point is
 * judged by its AR(1) one-step-ahead forecast error and the kind gets `-ar1`; the centre line (each
 * point's `mean`) is unchanged, and the limits are about each point's `expected` value.
 */
function spcPart(deseason: (number | null)[], dates: string[], adjusted: boolean, input: SeriesInput, shiftsAt: number[], trend: TrendResult, period: number): SeriesAnalysis["spc"] {
  const { idx, x } = observed(deseason);
  const bounds = shiftsAt.map((g) => idx.indexOf(g)).filter((k) => k > 0);
  const parts = [0, ...bounds, x.length];
  const rebase = parts.slice(1).every((end, i) => end - parts[i] >= MIN_SPC) ? bounds : [];
  const on = adjusted ? "deseasonalised" : "observed";
  const improvement: Improvement = input.higherIs === "better" ? "increase" : input.higherIs === "worse" ? "decrease" : "neutral";
  if (input.baseline !== undefined && !(Number.isInteger(input.baseline) && input.baseline >= MIN_SPC)) {
    throw new RangeError(`a control chart's baseline must be a whole number of points, at least ${MIN_SPC}; got ${input.baseline}`);
  }
  const common = { improvement, target: input.target, minPoints: MIN_SPC, rebase, autocorrelation: input.autocorrelation ?? true, t: idx };
  const trending = (trend.direction === "increasing" || trend.direction === "decreasing") && trend.sen !== null;
  let kind: BaseChartKind;
  let slope: number | null = null;
  let chart: XmrResult;
  const segments = [0, ...rebase, x.length];
  const segmentSlope = trending && rebase.length ? trendWithinSegments(x, idx, segments) : null;
  if (trending && rebase.length === 0) {
    kind = "regression";
    slope = trend.sen!.slope;
  } else if (segmentSlope !== null) {
    kind = "regression-segmented";
    slope = segmentSlope;
  } else kind = rebase.length ? "xmr-segmented" : input.baseline !== undefined ? "xmr-baseline" : "xmr";
  if (slope !== null) chart = regressionChart(x, { ...common, slope });
  else chart = xmrChart(x, { ...common, fixAfterNPoints: input.baseline });
  const ar = chart.autocorrelation;
  const fullKind: ChartKind = ar?.used ? `${kind}-ar1` : kind;
  const starts = segments.slice(0, -1).map((k) => ({ index: idx[k], date: dates[idx[k]] }));
  if (chart.status !== "ok" || chart.points.length === 0) {
    return { status: chart.message ?? `too few points for a control chart (need ${MIN_SPC})`, on, kind: null, caption: null, slope: null, autocorrelation: null, baseline: null, segments: [], mean: null, ucl: null, lcl: null, points: [], signals: [], special_causes: 0, variation: null, assurance: null };
  }
  const last = chart.points[chart.points.length - 1];
  const points = chart.points.map((p, k) => ({ index: idx[k], date: dates[idx[k]], value: p.value, mean: p.mean, expected: p.expected ?? p.mean, ucl: p.upl, lcl: p.lpl, rule: p.rule, special_cause: p.special_cause, segment: p.group }));
  const baseline = slope === null && input.baseline !== undefined ? input.baseline : null;
  return {
    status: "ok",
    on,
    kind: fullKind,
    caption: chartCaption({ kind: fullKind, on, slope, baseline, starts, period, trend, ignoredBaseline: slope !== null && input.baseline !== undefined ? input.baseline : null, n: x.length, phi: ar?.used ? ar.phi_used : null }),
    slope,
    autocorrelation: ar ? { phi: ar.phi, phi_corrected: ar.phi_corrected, n: ar.n, set_aside: ar.set_aside, threshold: ar.threshold, used: ar.used, phi_used: ar.phi_used } : null,
    baseline,
    segments: starts,
    mean: last.mean,
    ucl: last.upl,
    lcl: last.lpl,
    points,
    signals: points.filter((p) => p.rule !== null).map((p) => ({ index: p.index, date: p.date, rule: p.rule!, special_cause: p.special_cause })),
    special_causes: chart.points.filter((p, k) => p.rule !== null && !(k > 0 && chart.points[k - 1].rule === p.rule && chart.points[k - 1].direction === p.direction && chart.points[k - 1].group === p.group)).length,
    variation: chart.variation,
    assurance: chart.assurance,
  };
}

/**
 * The slope within segments (the median of the pairwise slopes inside each segment) when the
 * Mann-Kendall test summed over the segments finds a trend at the 5% level, else null. Each
 * segment's variance is Hamed-Rao corrected (never shrunk), as the headline trend test's.
 */
function trendWithinSegments(x: number[], idx: number[], segments: number[]): number | null {
  let s = 0;
  let v = 0;
  for (let g = 0; g + 1 < segments.length; g++) {
    const mk = hamedRaoMK(x.slice(segments[g], segments[g + 1]), { neverShrink: true });
    if (mk.status !== "ok" || mk.s === null) return null;
    s += mk.s;
    v += mk.var_s_corrected!;
  }
  if (!(v > 0)) return null;
  const z = (s - Math.sign(s)) / Math.sqrt(v);
  if (twoSidedNormalP(z) >= 0.05) return null;
  return withinSegmentSlope(x, idx, segments.slice(0, -1).map((start, g) => ({ start, end: segments[g + 1] })));
}

/** A number to about three significant figures, for a caption. */
function fmtNum(v: number): string {
  const a = Math.abs(v);
  return a === 0 ? "0" : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2);
}

/** The caption: which kind of chart, what it is of, and what its centre line and limits come from. */
export function chartCaption(c: { kind: ChartKind; on: "deseasonalised" | "observed"; slope: number | null; baseline: number | null; starts: { date: string }[]; period: number; trend: TrendResult; ignoredBaseline: number | null; n: number; phi?: number | null }): string {
  const of = c.on === "deseasonalised" ? "the seasonally adjusted series" : "the series";
  const step = c.period === 12 ? "month" : "year";
  const shifts = c.starts.slice(1).map((s) => (c.period === 12 ? monthName(s.date) : s.date));
  const recalc = shifts.length ? `, recalculated from each confirmed level shift (${shifts.join(", ")})` : "";
  const ar1 = c.kind.endsWith("-ar1") && c.phi !== null && c.phi !== undefined;
  const base = c.kind.replace(/-ar1$/, "");
  const sentences: string[] = [];
  // on a chart that allows for autocorrelation: what each point is judged against
  const persist = (centre: string) =>
    `Its ${step}s persist (lag-one autocorrelation ${c.phi!.toFixed(2)} about the ${centre}), so each ${step} is judged against what was expected given the ${step} before: the ${centre} plus ${c.phi!.toFixed(2)} of the previous ${step}'s distance from it, with limits ± 2.66 average moving ranges of those one-${step}-ahead surprises${recalc}.`;
  if (base === "regression" || base === "regression-segmented") {
    const perYear = c.slope! * c.period;
    const dir = perYear >= 0 ? "rising" : "falling";
    const line = base === "regression"
      ? `Sen's slope, ${dir} ${fmtNum(Math.abs(perYear))} a year, through the mean of the points`
      : `the slope within the segments, ${dir} ${fmtNum(Math.abs(perYear))} a year, through the mean of each segment`;
    if (ar1) {
      sentences.push(`Regression control chart of ${of}: the series has a confirmed trend, so the centre line is the trend (${line}).`);
      sentences.push(persist("trend"));
      sentences.push(`A special cause is a point that is unusual given the trend${c.on === "deseasonalised" ? ", the season" : ""} and the ${step} before; the trend itself is reported as the trend.`);
    } else {
      sentences.push(`Regression control chart of ${of}: the series has a confirmed trend, so the centre line is the trend (${line}) and the limits are the trend ± 2.66 average moving ranges of the points about it${recalc}.`);
      sentences.push(`A special cause is a point that is unusual given the trend${c.on === "deseasonalised" ? " and the season" : ""}; the trend itself is reported as the trend.`);
    }
    if (c.ignoredBaseline !== null) sentences.push(`The configured baseline of ${c.ignoredBaseline} points applies to charts without a trend, so it is not used here.`);
  } else {
    const from = c.baseline !== null ? `the first ${Math.min(c.baseline, c.n)} ${step}s (the baseline${shifts.length ? " of each segment" : ""}), extended beyond it` : shifts.length ? `each segment's own ${step}s` : `all ${c.n} ${step}s`;
    const moved = c.trend.direction === "increasing" || c.trend.direction === "decreasing";
    const why = c.trend.status !== "ok" ? "there is no trend test" : moved ? `the ${c.trend.direction === "increasing" ? "rise" : "fall"} is in its level shifts, with no confirmed trend within the segments` : "there is no confirmed trend";
    if (ar1) {
      sentences.push(`XmR chart (Making Data Count) of ${of}: ${why}, so the centre line is the mean, from ${from}${recalc}.`);
      sentences.push(persist("mean"));
      sentences.push(`A special cause is a point that is unusual given the ${step} before.`);
    } else sentences.push(`XmR chart (Making Data Count) of ${of}: ${why}, so the centre line is the mean and the limits are the mean ± 2.66 average moving ranges, from ${from}${recalc}.`);
  }
  return sentences.join(" ");
}

function fmtPct(x: number): string {
  const r = Math.abs(x) >= 10 ? x.toFixed(0) : x.toFixed(1);
  return `${r}%`;
}

function listMonths(months: number[]): string {
  const names = months.map(calendarMonthName);
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * The plain-English line for a series, e.g. "Workload points per FTE in Safeguarding and Support
 * rose 6.1% a year (95% CI 3.2% to 9.0%); peaks in October and March; a level shift up in
 * September 2024."
 */
export function describeSeries(a: SeriesAnalysis, what: string): string {
  const parts: string[] = [];
  const t = a.trend;
  if (t.status !== "ok") parts.push(`${what}: ${t.status}`);
  else if (t.direction === "increasing" || t.direction === "decreasing") {
    const verb = t.direction === "increasing" ? "rose" : "fell";
    if (t.pct_per_year !== null && t.pct_ci_low !== null && t.pct_ci_high !== null) {
      const sign = t.direction === "increasing" ? 1 : -1;
      const [lo, hi] = [sign * t.pct_ci_low, sign * t.pct_ci_high].sort((p, q) => p - q);
      parts.push(`${what} ${verb} ${fmtPct(Math.abs(t.pct_per_year))} a year (95% CI ${fmtPct(lo)} to ${fmtPct(hi)})`);
    } else parts.push(`${what} ${verb} (Mann-Kendall p = ${t.mk!.p.toPrecision(2)})`);
  } else {
    parts.push(`${what} showed no clear trend${t.pct_ci_low !== null && t.pct_ci_high !== null ? ` (95% CI ${fmtPct(t.pct_ci_low)} to ${fmtPct(t.pct_ci_high)} a year)` : ""}`);
  }
  if (a.seasonal.code === "ok" && a.seasonal.peak_months.length) {
    parts.push(`peaks in ${listMonths(a.seasonal.peak_months)}${a.seasonal.trough_months.length ? `, troughs in ${listMonths(a.seasonal.trough_months)}` : ""}`);
  }
  for (const c of a.changepoints.points) parts.push(`a level shift ${c.direction} in ${monthName(c.date)}`);
  const last = a.spc.points[a.spc.points.length - 1];
  const given = a.spc.kind?.endsWith("-ar1") ? `, given the ${a.dates.length && /^\d{4}$/.test(a.dates[0]) ? "year" : "month"} before` : "";
  if (last?.rule) parts.push(`the latest month (${monthName(last.date)}) is a special cause${a.spc.slope !== null ? " beyond the trend" : ""}${given} (${last.rule.replace(/_/g, " ")})`);
  return `${parts.join("; ")}.`;
}
