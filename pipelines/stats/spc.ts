/**
 * XmR (individuals and moving range) control charts with the NHS England
 * "Making Data Count" special-cause rules, as R package NHSRplotthedots
 * (`ptd_spc`, internals `ptd_spc_standard`, `ptd_calculate_point_type`,
 * `ptd_calculate_assurance_type`, `ptd_add_short_group_warnings`; the
 * current nhs-r-community/NHSRplotthedots sources, whose
 * `ptd_special_cause_type` ranks the rules and orients trends).
 *
 * Per group of points (the whole series, or each part between rebase points):
 * - mean and average moving range `mrbar` over the baseline (the first
 *   `fixAfterNPoints` points of the group, default all of them);
 * - `screenOutliers` (R default TRUE): moving ranges `>= 3.267 * mrbar` are
 *   dropped and `mrbar` recomputed (Making Data Count's Excel tool does not
 *   screen: pass `false`);
 * - process limits `mean +/- 2.66 mrbar`; "close to a limit" means beyond
 *   `mean +/- (2/3) 2.66 mrbar` (two sigma) but not outside the limits.
 *
 * Rules (as NHSRplotthedots, all points of a qualifying run are flagged):
 * - `outside_limits`: value > upl or < lpl (strict);
 * - `trend`: `trendLength` (7) points each strictly higher (or lower) than the
 *   previous; a tie breaks the run;
 * - `two_in_three`: 2 (or 3) of 3 consecutive points close to a limit with all
 *   3 on the same side of the mean; the close points are flagged;
 * - `shift`: `shiftLength` (7) consecutive points on the same side of the mean
 *   (a point exactly on the mean breaks the run).
 * When several rules apply to a point the first in that list wins
 * (NHSRplotthedots' `ptd_special_cause_type` precedence).
 *
 * Direction of a special cause: above the mean / increasing trend = "high",
 * below / decreasing = "low" (for a trend point, the direction of the step to
 * the next point when that point is in the trend too, else of the step from
 * the previous point, as NHSRplotthedots). With `improvement` "increase",
 * high = improvement and low = concern; "decrease" the reverse; "neutral"
 * gives "neutral".
 *
 * {@link regressionChart} is the same chart about a straight-line trend (the
 * regression control chart, Mandel 1969): the centre line is the trend, the
 * moving ranges and the four rules are those of the residuals about it, and the
 * limits are the trend +/- 2.66 times their average moving range. A special
 * cause on it is unusual given the trend, not the trend itself.
 *
 * Autocorrelated data (option `autocorrelation`, both charts): a stock such as a caseload
 * persists from month to month, so its points wander about the centre line further than their
 * moving range suggests (for AR(1) noise the moving-range sigma is `sqrt(1 - phi)` times the true
 * SD), the limits are too narrow and the run rules fire on the persistence. The standard remedy
 * (Alwan and Roberts 1988; Montgomery, Introduction to Statistical Quality Control, "SPC with
 * autocorrelated process data") is to chart the residuals of a time-series model, the one-step-ahead
 * forecast errors. {@link ar1Test} decides: the lag-one autocorrelation `phi` of the residuals
 * about the centre line, by least squares within each group (refitted without points far outside,
 * and corrected for its small-sample bias), must be at least {@link AR1_MIN_PHI} (material) and
 * above `1.96 / sqrt(n)` (Bartlett's standard error of a white-noise autocorrelation, one-sided
 * at 2.5%), on at least {@link AR1_MIN_POINTS} points. When it is, each point is judged by its
 * forecast error `e_t = r_t - phi r_{t-1}` (`phi^k` across a gap of k steps; a point outside its
 * limits is not carried forward, see `forecastErrors`), the limits are
 * `centre_t + phi r_{t-1} +/- 2.66` times the average moving range of those errors, and the same
 * four rules are applied to the errors about 0. Otherwise the chart is exactly the plain one.
 *
 * Pure TypeScript, no I/O. Non-finite values are rejected with
 * {@link NonFiniteInputError}.
 */
import { assertFiniteSeries, NonFiniteInputError } from "./peaks.ts";

export { NonFiniteInputError };

/** XmR limit constant (3 / d2 with d2 = 1.128). */
export const XMR_LIMIT = 2.66;
/** Upper range limit constant D4 for moving ranges of 2 (outlier screen). */
export const MR_SCREEN = 3.267;

/** Which direction of change is good. */
export type Improvement = "increase" | "decrease" | "neutral";
/** Special-cause rule that flagged a point. */
export type SpcRule = "outside_limits" | "trend" | "two_in_three" | "shift";
/** Orientation of a special cause. */
export type SpecialCause = "improvement" | "concern" | "neutral";

/** Options of {@link xmrChart}. */
export interface XmrOptions {
  /** Good direction; default "neutral" (NHSRplotthedots' default is "increase"). */
  improvement?: Improvement;
  /** Drop moving ranges >= 3.267 mrbar before the final mrbar (default true, as NHSRplotthedots). */
  screenOutliers?: boolean;
  /** Compute mean and limits from the first k points of each group only (NHSRplotthedots `fix_after_n_points`). */
  fixAfterNPoints?: number;
  /** 0-based indices where a new group with its own limits starts (NHSRplotthedots `rebase`). */
  rebase?: readonly number[];
  /** Target for the assurance icon. */
  target?: number;
  /** Run length for the trend rule (default 7). */
  trendLength?: number;
  /** Run length for the shift rule (default 7). */
  shiftLength?: number;
  /** Minimum points per group (default 12, NHSRplotthedots' warning threshold). */
  minPoints?: number;
  /** Compute even when a group is shorter than `minPoints` (result then carries `warning`). */
  allowFewPoints?: boolean;
  /**
   * Test the residuals about the centre line for lag-one autocorrelation ({@link ar1Test}) and,
   * when it is material and significant, judge each point by its AR(1) one-step-ahead forecast
   * error (see the module comment). Default false: the plain chart.
   */
  autocorrelation?: boolean;
  /**
   * Time of each value (its place on the calendar, so that a gap keeps its length); default
   * 0, 1, 2, ... On an XmR chart it is used only by `autocorrelation`, to forecast across a gap.
   */
  t?: readonly number[];
}

/** One point of the chart. */
export interface XmrPoint {
  index: number;
  value: number;
  mean: number;
  upl: number;
  lpl: number;
  rule: SpcRule | null;
  special_cause: SpecialCause | null;
  /** "high" (above mean / increasing) or "low" for special causes, else null. */
  direction: "high" | "low" | null;
  /** Index of the rebase group the point belongs to (0 for the first). */
  group: number;
  /**
   * Only on a chart that allows for autocorrelation ({@link XmrResult.autocorrelation} `used`):
   * what was expected at this point given the one before, `mean + phi * (previous value - its
   * mean)` (the centre line at a group's first point); the limits are about it.
   */
  expected?: number;
}

/** Variation icon of Making Data Count, from the last point. */
export type VariationIcon =
  | "common cause"
  | "special cause improvement (high)"
  | "special cause improvement (low)"
  | "special cause concern (high)"
  | "special cause concern (low)"
  | "special cause neutral (high)"
  | "special cause neutral (low)";

/** Assurance icon of Making Data Count (needs a target and a direction). */
export type AssuranceIcon = "consistently pass" | "consistently fail" | "hit and miss";

/** Result of {@link xmrChart}. */
export interface XmrResult {
  status: "ok" | "too_few_points";
  /** Human-readable status message, e.g. "too few points for a control chart (need 12)". */
  message: string | null;
  /** True when some group has fewer than `minPoints` points but the chart was computed anyway. */
  warning: boolean;
  points: XmrPoint[];
  variation: VariationIcon | null;
  assurance: AssuranceIcon | null;
  /** Each group's centre line and width: `centre + slope * t` (slope 0 on an XmR chart) +/- 2.66 `mrbar`. */
  groups: ChartGroup[];
  /** The lag-one autocorrelation test when the `autocorrelation` option was set (else null). */
  autocorrelation: Ar1Test | null;
}

/** Smallest number of points on which the lag-one autocorrelation is tested. */
export const AR1_MIN_POINTS = 20;
/** Smallest lag-one autocorrelation that changes the chart (the moving-range sigma is then at least 16% short). */
export const AR1_MIN_PHI = 0.3;
/** The AR(1) coefficient used is capped here, so a near random walk still gets finite limits at a group's first point. */
export const AR1_MAX_PHI = 0.9;

/** Result of {@link ar1Test}. */
export interface Ar1Test {
  /** Least-squares lag-one coefficient of the residuals (within groups, consecutive points only). */
  phi: number;
  /** `phi` corrected for its small-sample bias (see {@link ar1Test}): what is tested and used. */
  phi_corrected: number;
  /** Points the residuals came from (the baselines of the groups), less those set aside. */
  n: number;
  /** Points set aside before the second fit: their one-step forecast error under the first fit was outside the limits. */
  set_aside: number;
  /** What `phi_corrected` had to reach: the larger of {@link AR1_MIN_PHI} and `1.96 / sqrt(n)`. */
  threshold: number;
  /** True when the chart judges forecast errors: `n >= AR1_MIN_POINTS` and `phi_corrected >= threshold`. */
  used: boolean;
  /** The coefficient the forecasts use: `min(phi_corrected, AR1_MAX_PHI)` when used, else 0. */
  phi_used: number;
}

/** One group (segment) of a chart: where it runs, its centre line and its average moving range. */
export interface ChartGroup {
  /** First and one-past-last index of the group's points. */
  start: number;
  end: number;
  /** Points the limits were computed from (the baseline: the first `fixAfterNPoints`, else all). */
  baseline: number;
  /** The centre line is `centre + slope * t`: the mean on an XmR chart, the trend's intercept on a regression chart. */
  centre: number;
  slope: number;
  /**
   * Average moving range after screening: of the values, of the residuals about the trend or,
   * on a chart that allows for autocorrelation, of the one-step-ahead forecast errors.
   */
  mrbar: number;
}

/** Limits of one group. */
export interface XmrLimits {
  mean: number;
  /** Average moving range after optional screening. */
  mrbar: number;
  upl: number;
  lpl: number;
  /** Two-sigma lines. */
  nupl: number;
  nlpl: number;
}

/** Arithmetic mean of a non-empty array. */
function mean(v: readonly number[]): number {
  let s = 0;
  for (const a of v) s += a;
  return s / v.length;
}

/**
 * Mean, average moving range and limits of a baseline, as
 * NHSRplotthedots `ptd_spc_standard`. With screening, moving ranges not below
 * `3.267 * mrbar` are dropped and mrbar recomputed; if that would drop every
 * moving range (mrbar = 0, a constant baseline; R returns NaN limits) the
 * unscreened mrbar is kept. A single-point baseline has mrbar NaN.
 */
export function xmrLimits(baseline: readonly number[], screenOutliers = true): XmrLimits {
  assertFiniteSeries(baseline, "baseline");
  if (baseline.length === 0) throw new RangeError("empty baseline");
  return limitsAbout(mean(baseline), averageMovingRange(baseline, screenOutliers));
}

/**
 * Average moving range of consecutive values, with NHSRplotthedots' screen: moving ranges not
 * below `3.267 * mrbar` are dropped and mrbar recomputed, unless that would drop them all. NaN
 * for fewer than 2 values.
 */
export function averageMovingRange(values: readonly number[], screenOutliers = true): number {
  const mr: number[] = [];
  for (let i = 1; i < values.length; i++) mr.push(Math.abs(values[i] - values[i - 1]));
  let amr = mr.length ? mean(mr) : NaN;
  if (screenOutliers && amr > 0) {
    const kept = mr.filter((r) => r < MR_SCREEN * amr);
    if (kept.length) amr = mean(kept);
  }
  return amr;
}

/** Process limits `centre +/- 2.66 mrbar` and the two-sigma lines. */
function limitsAbout(centre: number, amr: number): XmrLimits {
  const close = 2 * (XMR_LIMIT / 3);
  return {
    mean: centre,
    mrbar: amr,
    upl: centre + XMR_LIMIT * amr,
    lpl: centre - XMR_LIMIT * amr,
    nupl: centre + close * amr,
    nlpl: centre - close * amr,
  };
}

/**
 * Run rule: 1 where point i and the `len - 1` points before it share the same
 * non-zero sign (NHSRplotthedots `ptd_seven_point_one_side_mean`), else 0.
 */
export function runOneSide(relativeToMean: readonly number[], len = 7): number[] {
  return relativeToMean.map((v, i) => {
    if (v === 0 || i < len - 1) return 0;
    for (let k = 1; k < len; k++) if (relativeToMean[i - k] !== v) return 0;
    return 1;
  });
}

/**
 * Trend rule: +1 (-1) where point i ends `len` points each strictly higher
 * (lower) than the one before, else 0 (NHSRplotthedots `ptd_seven_point_trend`).
 */
export function trendRun(y: readonly number[], len = 7): number[] {
  return y.map((_, i) => {
    if (i < len - 1) return 0;
    let up = true;
    let down = true;
    for (let k = i - len + 2; k <= i; k++) {
      const s = Math.sign(y[k] - y[k - 1]);
      if (s !== 1) up = false;
      if (s !== -1) down = false;
    }
    return up ? 1 : down ? -1 : 0;
  });
}

/**
 * Extends run markers backwards: 1 where this point or one of the next
 * `len - 1` points ends a run (NHSRplotthedots `ptd_part_of_seven_trend`).
 */
export function partOfRun(marks: readonly number[], len = 7): number[] {
  return marks.map((_, i) => {
    for (let k = i; k < Math.min(i + len, marks.length); k++) if (Math.abs(marks[k]) === 1) return 1;
    return 0;
  });
}

/**
 * 1 for each point inside a window of 3 consecutive points with at least 2
 * close to a limit and all 3 on the same side of the mean (NHSRplotthedots
 * `ptd_two_in_three`; windows run off the ends are padded with 0).
 */
export function twoInThree(close: readonly number[], relativeToMean: readonly number[]): number[] {
  const n = close.length;
  const c = (i: number) => (i >= 0 && i < n ? close[i] : 0);
  const r = (i: number) => (i >= 0 && i < n ? relativeToMean[i] : 0);
  const window = (s: number) => c(s) + c(s + 1) + c(s + 2) >= 2 && Math.abs(r(s) + r(s + 1) + r(s + 2)) === 3;
  return close.map((_, i) => (window(i - 2) || window(i - 1) || window(i) ? 1 : 0));
}

/** Keeps only the close-to-limit points of a two-in-three window (NHSRplotthedots `ptd_part_of_two_in_three`). */
export function partOfTwoInThree(twoInThreeMarks: readonly number[], close: readonly number[]): number[] {
  return twoInThreeMarks.map((v, i) => (v === 1 && Math.abs(close[i]) === 1 ? 1 : 0));
}

/** Rule and direction for each point of one group. */
interface GroupRules {
  rule: (SpcRule | null)[];
  dir: (1 | -1 | 0)[];
}

/** Applies the four rules with their precedence to one group (NHSRplotthedots `ptd_special_cause_type`). */
function groupRules(y: readonly number[], lim: XmrLimits, trendLength: number, shiftLength: number): GroupRules {
  const outside = y.map((v) => v > lim.upl || v < lim.lpl);
  const rtm = y.map((v) => Math.sign(v - lim.mean));
  const close = y.map((v, i) => (!outside[i] && (v < lim.nlpl || v > lim.nupl) ? 1 : 0));
  const trend = partOfRun(trendRun(y, trendLength), trendLength);
  const two = partOfTwoInThree(twoInThree(close, rtm), close);
  const shift = partOfRun(runOneSide(rtm, shiftLength), shiftLength);
  const rule: (SpcRule | null)[] = [];
  const dir: (1 | -1 | 0)[] = [];
  const side = (i: number): 1 | -1 => (rtm[i] > 0 ? 1 : -1);
  for (let i = 0; i < y.length; i++) {
    if (outside[i]) {
      rule.push("outside_limits");
      dir.push(side(i));
    } else if (trend[i]) {
      const useNext = i + 1 < y.length && trend[i + 1] === 1;
      const step = useNext ? y[i + 1] - y[i] : i > 0 ? y[i] - y[i - 1] : 0;
      rule.push("trend");
      dir.push(step > 0 ? 1 : -1);
    } else if (two[i]) {
      rule.push("two_in_three");
      dir.push(side(i));
    } else if (shift[i]) {
      rule.push("shift");
      dir.push(side(i));
    } else {
      rule.push(null);
      dir.push(0);
    }
  }
  return { rule, dir };
}

/** Improvement/concern/neutral for a direction (NHSRplotthedots `ptd_point_type`). */
function orient(dir: 1 | -1 | 0, improvement: Improvement): SpecialCause | null {
  if (dir === 0) return null;
  if (improvement === "neutral") return "neutral";
  const good = improvement === "increase" ? 1 : -1;
  return dir === good ? "improvement" : "concern";
}

/** Variation icon from the last point, as NHSRplotthedots `geom_ptd_icon`. */
export function variationIcon(last: XmrPoint | undefined, improvement: Improvement): VariationIcon | null {
  if (!last) return null;
  if (last.special_cause === null || last.direction === null) return "common cause";
  if (last.special_cause === "neutral") return `special cause neutral (${last.direction})`;
  // improvement icons: high when increase is good; concern icons the opposite side
  const up = improvement === "increase";
  if (last.special_cause === "improvement") return `special cause improvement (${up ? "high" : "low"})`;
  return `special cause concern (${up ? "low" : "high"})`;
}

/**
 * Assurance icon against a target from the last point's limits, as
 * NHSRplotthedots `ptd_calculate_assurance_type`: target above the upper limit
 * = consistently fail when increase is good (pass when decrease is good);
 * below the lower limit the reverse; otherwise hit and miss. Null without a
 * target or for a neutral direction.
 */
export function assuranceIcon(
  last: Pick<XmrPoint, "upl" | "lpl"> | undefined,
  target: number | undefined,
  improvement: Improvement,
): AssuranceIcon | null {
  if (!last || target === undefined || improvement === "neutral") return null;
  const inc = improvement === "increase";
  if (target > last.upl) return inc ? "consistently fail" : "consistently pass";
  if (target < last.lpl) return inc ? "consistently pass" : "consistently fail";
  return "hit and miss";
}

/** Splits 0..n-1 into groups starting at 0 and at each rebase index. */
function groupBounds(n: number, rebase: readonly number[]): number[] {
  const starts = new Set<number>([0]);
  for (const r of rebase) {
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new RangeError(`rebase index ${r} out of range`);
    starts.add(r);
  }
  return [...starts].sort((a, b) => a - b).concat(n);
}

/**
 * XmR chart with Making Data Count rules and icons (see the module comment).
 * Returns status "too_few_points" and no points when a group has fewer than
 * `minPoints` (default 12) points, unless `allowFewPoints` is set, in which case
 * the chart is computed and `warning` is true.
 *
 * @throws NonFiniteInputError for missing values; RangeError for bad options.
 */
export function xmrChart(values: readonly number[], opts: XmrOptions = {}): XmrResult {
  assertFiniteSeries(values);
  if (opts.fixAfterNPoints !== undefined && !(Number.isInteger(opts.fixAfterNPoints) && opts.fixAfterNPoints >= 1)) {
    throw new RangeError("fixAfterNPoints must be a positive integer");
  }
  return chart(values, opts, times(values, opts.t), (y) => {
    const base = y.slice(0, opts.fixAfterNPoints ?? y.length);
    const lim = xmrLimits(base, opts.screenOutliers ?? true);
    return { lim, judged: y, centre: () => lim.mean, aboutTrend: false, baseline: base.length, intercept: lim.mean, slope: 0 };
  });
}


/**
 * Lag-one autocorrelation test of residuals about a chart's centre line. `groups` are the
 * residuals of each group (segment), with their times `t` (default consecutive); only pairs one
 * step apart count.
 *
 * - `phi` is the least-squares coefficient of `r_t` on `r_{t-1}` with no intercept (the residuals
 *   average zero about the centre line), `sum r_t r_{t-1} / sum r_{t-1}^2`, fitted twice, as a
 *   Phase I chart is: the points whose one-step forecast error under the first fit is outside
 *   `+/- 2.66` average moving ranges of those errors are set aside (`set_aside`), with the pairs
 *   they are in, and `phi` is fitted again without them. One spike would otherwise pull `phi`
 *   towards 0 and hand a persistent series back to the plain chart.
 * - It is biased towards 0 in short series, the more so the more the centre line was fitted: by
 *   about `(1 + 3 phi) / n` about a mean (Marriott and Pope 1954, Kendall 1954) and `(2 + 4 phi) / n`
 *   about a fitted line (Shaman and Stine 1988). `phi_corrected` adds `(g (1 + 3 phi) + (1 + phi)) / n`,
 *   g the number of groups (each with its own mean), the second term only about a trend (`trend`).
 * - Under independence an autocorrelation has standard error about `1 / sqrt(n)` (Bartlett 1946),
 *   so `phi_corrected > 1.96 / sqrt(n)` is significant at 2.5% one-sided; only positive
 *   autocorrelation (the persistence that makes moving-range limits too narrow) is acted on. It must
 *   also be material, at least {@link AR1_MIN_PHI}, and rest on at least {@link AR1_MIN_POINTS}
 *   points. `n` counts the points less those set aside.
 */
export function ar1Test(groups: readonly (readonly number[])[], opts: { t?: readonly (readonly number[])[]; trend?: boolean } = {}): Ar1Test {
  // pairs (group, i): r_i and r_{i-1} one step apart
  const pairs: [number, number][] = [];
  groups.forEach((r, g) => {
    for (let i = 1; i < r.length; i++) if (!opts.t || opts.t[g][i] - opts.t[g][i - 1] === 1) pairs.push([g, i]);
  });
  const fitPhi = (keep: (g: number, i: number) => boolean) => {
    let num = 0;
    let den = 0;
    for (const [g, i] of pairs) {
      if (!keep(g, i)) continue;
      num += groups[g][i] * groups[g][i - 1];
      den += groups[g][i - 1] ** 2;
    }
    return den > 0 ? num / den : null;
  };
  const first = fitPhi(() => true);
  // Phase I: set aside the points whose forecast error under the first fit is outside the limits
  const aside = new Set<string>();
  if (first !== null) {
    const p = Math.min(Math.max(first, 0), AR1_MAX_PHI);
    const e = pairs.map(([g, i]) => groups[g][i] - p * groups[g][i - 1]);
    const limit = XMR_LIMIT * averageMovingRange(e);
    if (limit > 0) pairs.forEach(([g, i], j) => (Math.abs(e[j]) > limit ? aside.add(`${g}:${i}`) : 0));
  }
  const phi = (aside.size ? fitPhi((g, i) => !aside.has(`${g}:${i}`) && !aside.has(`${g}:${i - 1}`)) : first) ?? 0;
  const n = groups.reduce((s, r) => s + r.length, 0) - aside.size;
  const corrected = n > 0 && first !== null ? phi + (groups.length * (1 + 3 * phi) + (opts.trend ? 1 + phi : 0)) / n : 0;
  const threshold = n > 0 ? Math.max(AR1_MIN_PHI, 1.96 / Math.sqrt(n)) : Infinity;
  const used = n >= AR1_MIN_POINTS && corrected >= threshold;
  return { phi, phi_corrected: corrected, n, set_aside: aside.size, threshold, used, phi_used: used ? Math.min(corrected, AR1_MAX_PHI) : 0 };
}

/** Options of {@link regressionChart}: those of {@link xmrChart} but the baseline, and the trend. */
export interface RegressionOptions extends Omit<XmrOptions, "fixAfterNPoints"> {
  /** Slope of the trend per unit of `t` (for example Sen's slope). */
  slope: number;
}

/**
 * Regression control chart: an XmR chart of the residuals about a straight-line trend of the
 * given slope, drawn about the trend. In each group (the whole series, or each part between
 * rebase points) the line is `intercept + slope * t` through the group's mean point,
 * `intercept = mean(y) - slope * mean(t)`, so the residuals average zero as an XmR chart's
 * values average its mean (the slope is the caller's: the engine passes Sen's slope, the trend
 * it reports); the residuals' average moving range `mrbar`
 * (screened as {@link xmrChart}) gives the limits `line +/- 2.66 mrbar`, and the four Making
 * Data Count rules, with their precedence and orientation, are applied to the residuals with
 * the line as the centre. Each point's `mean`, `upl` and `lpl` are the line and the limits at
 * that point.
 *
 * @throws NonFiniteInputError for missing values or a non-finite slope; RangeError for bad options.
 */
export function regressionChart(values: readonly number[], opts: RegressionOptions): XmrResult {
  assertFiniteSeries(values);
  assertFiniteSeries([opts.slope], "slope");
  const t = times(values, opts.t);
  const screen = opts.screenOutliers ?? true;
  return chart(values, opts, t, (y, start) => {
    const tg = t.slice(start, start + y.length);
    const intercept = mean(y) - opts.slope * mean(tg);
    const fitted = tg.map((ti) => intercept + opts.slope * ti);
    const residuals = y.map((v, i) => v - fitted[i]);
    const lim = limitsAbout(0, averageMovingRange(residuals, screen));
    return { lim, judged: residuals, centre: (i) => fitted[i], aboutTrend: true, baseline: y.length, intercept, slope: opts.slope };
  });
}

/** The times of the values (default 0, 1, 2, ...), checked. */
function times(values: readonly number[], t: readonly number[] | undefined): readonly number[] {
  if (t === undefined) return values.map((_, i) => i);
  if (t.length !== values.length) throw new RangeError("t and values differ in length");
  assertFiniteSeries(t, "t");
  return t;
}

/** What a chart's group needs: limits about its centre, the values the rules judge, the centre at each point. */
interface GroupFit {
  /** Limits of the judged values. */
  lim: XmrLimits;
  /** The values the rules judge against `lim` (the values themselves, or residuals about the trend). */
  judged: readonly number[];
  /** The centre line at the group's i-th point, in the values' units. */
  centre: (i: number) => number;
  /** True when `lim` is about 0 (residuals about the trend), false when it is the values' own limits. */
  aboutTrend: boolean;
  baseline: number;
  intercept: number;
  slope: number;
}

/** The part xmrChart and regressionChart share: groups, the short-group rule, rules, points and icons. */
function chart(values: readonly number[], opts: Omit<XmrOptions, "fixAfterNPoints">, t: readonly number[], fit: (y: number[], start: number) => GroupFit): XmrResult {
  const improvement = opts.improvement ?? "neutral";
  const trendLength = opts.trendLength ?? 7;
  const shiftLength = opts.shiftLength ?? 7;
  const minPoints = opts.minPoints ?? 12;
  if (!(trendLength >= 2 && shiftLength >= 1)) throw new RangeError("run lengths must be >= 2 (trend) and >= 1 (shift)");
  const bounds = groupBounds(values.length, opts.rebase ?? []);
  const shortest = values.length === 0 ? 0 : Math.min(...bounds.slice(1).map((e, g) => e - bounds[g]));
  const short = values.length === 0 || shortest < minPoints;
  if (values.length === 0 || (short && !opts.allowFewPoints)) {
    return {
      status: "too_few_points",
      message: `too few points for a control chart (need ${minPoints})`,
      warning: true,
      points: [],
      variation: null,
      assurance: null,
      groups: [],
      autocorrelation: null,
    };
  }
  const fits: GroupFit[] = [];
  for (let g = 0; g + 1 < bounds.length; g++) fits.push(fit(values.slice(bounds[g], bounds[g + 1]), bounds[g]));
  // residuals about the centre line (the judged values less their centre: the values less the
  // mean, or the residuals about the trend), and their times, per group
  const residuals = fits.map((f) => f.judged.map((v) => v - f.lim.mean));
  const tg = fits.map((_, g) => t.slice(bounds[g], bounds[g + 1]));
  const ar = opts.autocorrelation
    ? ar1Test(residuals.map((r, g) => r.slice(0, fits[g].baseline)), { t: tg.map((v, g) => v.slice(0, fits[g].baseline)), trend: fits[0].aboutTrend })
    : null;
  const points: XmrPoint[] = [];
  const groups: ChartGroup[] = [];
  fits.forEach((f, g) => {
    const y = values.slice(bounds[g], bounds[g + 1]);
    const fc = ar?.used ? forecastErrors(residuals[g], tg[g], ar.phi_used, f.baseline, opts.screenOutliers ?? true) : null;
    const lim = fc ? fc.lim : f.lim;
    groups.push({ start: bounds[g], end: bounds[g + 1], baseline: f.baseline, centre: f.intercept, slope: f.slope, mrbar: lim.mrbar });
    const { rule, dir } = groupRules(fc ? fc.judged : f.judged, lim, trendLength, shiftLength);
    const half = lim.upl - lim.mean;
    y.forEach((value, i) => {
      const c = f.centre(i);
      const point: XmrPoint = {
        index: bounds[g] + i,
        value,
        mean: c,
        // an XmR chart's limits are exactly xmrLimits'; a regression chart's are the line +/- the half-width;
        // allowing for autocorrelation, the forecast +/- the half-width (wider where the forecast reaches further)
        upl: fc ? c + fc.ahead[i] + half * fc.widen[i] : f.aboutTrend ? c + half : f.lim.upl,
        lpl: fc ? c + fc.ahead[i] - half * fc.widen[i] : f.aboutTrend ? c - half : f.lim.lpl,
        rule: rule[i],
        special_cause: orient(dir[i], improvement),
        direction: dir[i] === 1 ? "high" : dir[i] === -1 ? "low" : null,
        group: g,
      };
      if (fc) point.expected = c + fc.ahead[i];
      points.push(point);
    });
  });
  const last = points[points.length - 1];
  return {
    status: "ok",
    message: short ? `fewer than ${minPoints} points in a group: limits are unreliable` : null,
    warning: short,
    points,
    variation: variationIcon(last, improvement),
    assurance: assuranceIcon(last, opts.target, improvement),
    groups,
    autocorrelation: ar,
  };
}

/**
 * AR(1) one-step-ahead forecasts and their errors for one group's residuals `r` (about the centre
 * line) at times `t`.
 *
 * - The forecast of `r_i` is `phi^k r_j`, j the previous point carried forward and k the steps
 *   since it (k = 1 without gaps); its error has variance `sigma^2 (1 - phi^2k) / (1 - phi^2)`. The
 *   group's first point has no previous point, so its forecast is the centre line and its error
 *   has the stationary variance `sigma^2 / (1 - phi^2)`.
 * - A point outside its limits is not carried forward, unless the point before it was not carried
 *   either: the next point is forecast from the one before it, as across a gap (robust filtering of
 *   an additive outlier). So one wild month does not make the next look unusual in the other
 *   direction, and after a real step the forecast catches up one month later.
 * - `judged` are the errors scaled to the one-step variance (so one set of limits judges them
 *   all); `widen` is the inverse scale, for the limits drawn.
 * - The limits are about 0 from the average moving range of the plain one-step errors
 *   `r_i - phi r_{i-1}` of the baseline (screened as {@link averageMovingRange}): these errors are
 *   close to independent, so their moving range estimates their SD (2.66 mrbar = 3 sigma), it is
 *   little moved by drift the model leaves (an unconfirmed step, a slope a little off), and it keeps
 *   Making Data Count's constant and screen.
 */
function forecastErrors(r: readonly number[], t: readonly number[], phi: number, baseline: number, screen: boolean) {
  const oneStep: number[] = [];
  for (let i = 1; i < Math.min(r.length, baseline); i++) if (t[i] - t[i - 1] === 1) oneStep.push(r[i] - phi * r[i - 1]);
  const stationary = 1 / Math.sqrt(1 - phi * phi);
  const lim = limitsAbout(0, averageMovingRange(oneStep.length >= 2 ? oneStep : r.slice(0, baseline).map((v) => v / stationary), screen));
  const ahead: number[] = [];
  const widen: number[] = [];
  const judged: number[] = [];
  let from = -1; // the point carried forward
  let skipped = false; // whether the point before was set aside
  for (let i = 0; i < r.length; i++) {
    const pk = from < 0 ? 0 : phi ** (t[i] - t[from]);
    const f = from < 0 ? 0 : pk * r[from];
    const w = Math.sqrt(1 - pk * pk) * stationary;
    ahead.push(f);
    widen.push(w);
    judged.push((r[i] - f) / w);
    const outside = judged[i] > lim.upl || judged[i] < lim.lpl;
    if (outside && !skipped) skipped = true;
    else {
      from = i;
      skipped = false;
    }
  }
  return { ahead, widen, judged, lim };
}
