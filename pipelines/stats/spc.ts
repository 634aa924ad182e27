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
  /** Average moving range (of the values, or of the residuals about the trend) after screening. */
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
  return chart(values, opts, (y) => {
    const base = y.slice(0, opts.fixAfterNPoints ?? y.length);
    const lim = xmrLimits(base, opts.screenOutliers ?? true);
    return { lim, judged: y, centre: () => lim.mean, aboutTrend: false, baseline: base.length, intercept: lim.mean, slope: 0 };
  });
}

/** Options of {@link regressionChart}: those of {@link xmrChart} but the baseline, and the trend. */
export interface RegressionOptions extends Omit<XmrOptions, "fixAfterNPoints"> {
  /** Slope of the trend per unit of `t` (for example Sen's slope). */
  slope: number;
  /** Time of each value (its position on the calendar, so gaps keep their place); default 0, 1, 2, ... */
  t?: readonly number[];
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
  const t = opts.t ?? values.map((_, i) => i);
  if (t.length !== values.length) throw new RangeError("t and values differ in length");
  assertFiniteSeries(t, "t");
  const screen = opts.screenOutliers ?? true;
  return chart(values, opts, (y, start) => {
    const tg = t.slice(start, start + y.length);
    const intercept = mean(y) - opts.slope * mean(tg);
    const fitted = tg.map((ti) => intercept + opts.slope * ti);
    const residuals = y.map((v, i) => v - fitted[i]);
    const lim = limitsAbout(0, averageMovingRange(residuals, screen));
    return { lim, judged: residuals, centre: (i) => fitted[i], aboutTrend: true, baseline: y.length, intercept, slope: opts.slope };
  });
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
function chart(values: readonly number[], opts: Omit<XmrOptions, "fixAfterNPoints">, fit: (y: number[], start: number) => GroupFit): XmrResult {
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
    };
  }
  const points: XmrPoint[] = [];
  const groups: ChartGroup[] = [];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const y = values.slice(bounds[g], bounds[g + 1]);
    const f = fit(y, bounds[g]);
    groups.push({ start: bounds[g], end: bounds[g + 1], baseline: f.baseline, centre: f.intercept, slope: f.slope, mrbar: f.lim.mrbar });
    const { rule, dir } = groupRules(f.judged, f.lim, trendLength, shiftLength);
    const half = f.lim.upl - f.lim.mean;
    y.forEach((value, i) => {
      const c = f.centre(i);
      points.push({
        index: bounds[g] + i,
        value,
        mean: c,
        // an XmR chart's limits are exactly xmrLimits'; a regression chart's are the line +/- the half-width
        upl: f.aboutTrend ? c + half : f.lim.upl,
        lpl: f.aboutTrend ? c - half : f.lim.lpl,
        rule: rule[i],
        special_cause: orient(dir[i], improvement),
        direction: dir[i] === 1 ? "high" : dir[i] === -1 ? "low" : null,
        group: g,
      });
    });
  }
  const last = points[points.length - 1];
  return {
    status: "ok",
    message: short ? `fewer than ${minPoints} points in a group: limits are unreliable` : null,
    warning: short,
    points,
    variation: variationIcon(last, improvement),
    assurance: assuranceIcon(last, opts.target, improvement),
    groups,
  };
}
