/**
 * Control charts that separate trend from surprise (issue 15): the regression control chart
 * (pipelines/stats/spc.ts `regressionChart`), the engine's choice of chart (analyze.ts: regression
 * when the trend is confirmed, XmR otherwise, an optional baseline, segments at confirmed level
 * shifts), its caption, and the baseline option of the config and of `fairload series`.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.ts";
import { UserError } from "../../core/errors.ts";
import { baselinePoints } from "../../pipelines/series-marts.ts";
import { analyseSeries } from "../../pipelines/stats/analyze.ts";
import { createRng } from "../../pipelines/stats/rng.ts";
import { averageMovingRange, regressionChart, xmrChart, xmrLimits } from "../../pipelines/stats/spc.ts";

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const flagged = (r: { points: { rule: string | null }[] }) => r.points.filter((p) => p.rule !== null).length;

/** 36 months from 2023-10. */
function months(n = 36, from = "2023-10"): string[] {
  const [y, m] = from.split("-").map(Number);
  return Array.from({ length: n }, (_, i) => {
    const k = y * 12 + (m - 1) + i;
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
  });
}

/** A steady rise with independent noise: what the issue describes (the employer's caseload per FTE). */
function rising(seed: string, n = 36, slope = 0.12, sd = 0.15, level = 12): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => level + slope * i + sd * rng.nextNormal());
}

describe("regressionChart: XmR about the trend", () => {
  it("on a steady rise, XmR flags nearly every month and the regression chart few (what the rules flag by chance)", () => {
    // 200 series of 36 months: a rise of 0.12 a month and independent noise of sd 0.15
    const xmr: number[] = [];
    const reg: number[] = [];
    for (let s = 0; s < 200; s++) {
      const y = rising(`rise-${s}`);
      xmr.push(flagged(xmrChart(y)));
      reg.push(flagged(regressionChart(y, { slope: 0.12 })));
    }
    expect(Math.min(...xmr)).toBeGreaterThanOrEqual(30);
    // with no special cause, the four rules still flag a chance run of 7 in some series
    expect(reg.filter((n) => n === 0).length).toBeGreaterThanOrEqual(120);
    expect(mean(reg)).toBeLessThan(3);
  });

  it("the centre line is the trend through the mean point; the limits are it +/- 2.66 times the residuals' average moving range", () => {
    const y = [10, 10.4, 10.3, 11, 11.1, 11.6, 11.5, 12.2, 12.1, 12.8, 12.7, 13.4, 13.2, 13.9];
    const t = y.map((_, i) => i);
    const slope = 0.3;
    const r = regressionChart(y, { slope });
    const intercept = mean(y) - slope * mean(t);
    const residuals = y.map((v, i) => v - intercept - slope * i);
    // hand-computed moving ranges of the residuals (none is screened out here)
    const mr = residuals.slice(1).map((v, i) => Math.abs(v - residuals[i]));
    const mrbar = mean(mr);
    expect(Math.max(...mr)).toBeLessThan(3.267 * mrbar);
    expect(averageMovingRange(residuals)).toBeCloseTo(mrbar, 12);
    r.points.forEach((p, i) => {
      expect(p.mean).toBeCloseTo(intercept + slope * i, 12);
      expect(p.upl).toBeCloseTo(intercept + slope * i + 2.66 * mrbar, 12);
      expect(p.lpl).toBeCloseTo(intercept + slope * i - 2.66 * mrbar, 12);
    });
    expect(r.groups).toEqual([{ start: 0, end: 14, baseline: 14, centre: intercept, slope, mrbar: expect.closeTo(mrbar, 12) }]);
  });

  it("applies the Making Data Count rules to the residuals: a spike is outside the limits, a step of 8 a shift", () => {
    const base = rising("spike", 30, 0.1, 0.1);
    const spike = base.slice();
    spike[17] += 2;
    const r1 = regressionChart(spike, { slope: 0.1, improvement: "decrease" });
    expect(r1.points[17]).toMatchObject({ rule: "outside_limits", direction: "high", special_cause: "concern" });
    expect(r1.points.filter((p, i) => i !== 17 && p.rule === "outside_limits")).toHaveLength(0);

    // 8 points a little above the trend: inside the limits, but 7 or more on one side
    const below = base.map((v, i) => v - 0.08 + (i >= 22 ? 0.35 : 0));
    const r2 = regressionChart(below, { slope: 0.1 });
    expect(r2.points.slice(22).every((p) => p.rule !== null)).toBe(true);
    expect(r2.points.slice(22).some((p) => p.rule === "shift")).toBe(true);
  });

  it("with slope 0 it is exactly Making Data Count's XmR chart", () => {
    const y = rising("flat", 24, 0, 1);
    const a = regressionChart(y, { slope: 0, improvement: "increase" });
    const b = xmrChart(y, { improvement: "increase" });
    a.points.forEach((p, i) => {
      expect(p.rule).toBe(b.points[i].rule);
      expect(p.special_cause).toBe(b.points[i].special_cause);
      expect(p.mean).toBeCloseTo(b.points[i].mean, 12);
      expect(p.upl).toBeCloseTo(b.points[i].upl, 12);
    });
    expect(a.variation).toBe(b.variation);
  });

  it("keeps the calendar: a missing month keeps its place on the trend", () => {
    const y = rising("gap", 20, 0.2, 0.05);
    const t = y.map((_, i) => (i < 10 ? i : i + 1)); // month 10 is missing
    const shifted = y.map((v, i) => (i < 10 ? v : v + 0.2)); // the value one month later on the trend
    const r = regressionChart(shifted, { slope: 0.2, t });
    expect(r.points[10].mean - r.points[9].mean).toBeCloseTo(0.4, 12);
    expect(flagged(r)).toBeLessThanOrEqual(1);
  });

  it("each rebased group has its own line (the same slope) and limits", () => {
    const y = [...rising("g1", 15, 0.1, 0.1), ...rising("g2", 15, 0.1, 0.1, 20).map((v) => v + 1.5)];
    const r = regressionChart(y, { slope: 0.1, rebase: [15] });
    expect(r.groups).toHaveLength(2);
    expect(r.groups[1].centre - r.groups[0].centre).toBeGreaterThan(8);
    expect(r.groups.every((g) => g.slope === 0.1)).toBe(true);
    expect(flagged(r)).toBeLessThanOrEqual(3);
  });

  it("refuses a missing value, a missing slope and times of the wrong length", () => {
    expect(() => regressionChart([1, 2, Number.NaN], { slope: 1 })).toThrow(/missing or non-finite/);
    expect(() => regressionChart([1, 2, 3], { slope: Number.NaN })).toThrow(/non-finite/);
    expect(() => regressionChart([1, 2, 3], { slope: 1, t: [0, 1] })).toThrow(RangeError);
    expect(regressionChart([1, 2, 3], { slope: 1 }).status).toBe("too_few_points");
  });
});

describe("the engine picks the chart", () => {
  it("a confirmed trend gets a regression chart about Sen's slope, its caption says so, and few special causes", () => {
    const y = rising("engine", 36, 0.1, 0.12);
    const a = analyseSeries({ dates: months(), values: y, higherIs: "worse" });
    expect(a.trend.direction).toBe("increasing");
    expect(a.spc.kind).toBe("regression");
    expect(a.spc.slope).toBe(a.trend.sen!.slope);
    const last = a.spc.points.at(-1)!;
    const first = a.spc.points[0];
    expect((last.mean - first.mean) / 35).toBeCloseTo(a.trend.sen!.slope, 10);
    expect(a.spc.caption).toMatch(/^Regression control chart of the series: the series has a confirmed trend/);
    expect(a.spc.caption).toMatch(/rising [\d.]+ a year/);
    expect(a.spc.signals.length).toBeLessThan(6);
    // the XmR chart the engine drew before flags the rise itself
    expect(flagged(xmrChart(y))).toBeGreaterThan(20);
  });

  it("no trend: Making Data Count's XmR chart over every month", () => {
    const y = rising("level", 36, 0, 0.3);
    // the plain chart: this independent series is one of the few (about 1 in 20, spc-autocorrelation.test.ts)
    // whose lag-one autocorrelation clears the bar by chance (0.42 with one point set aside), so the
    // engine's default would chart it as `xmr-ar1`
    const a = analyseSeries({ dates: months(), values: y, autocorrelation: false });
    expect(a.trend.direction).toBe("no trend");
    expect(a.spc.kind).toBe("xmr");
    expect(a.spc.autocorrelation).toBeNull();
    const lim = xmrLimits(y);
    expect(a.spc.mean).toBeCloseTo(lim.mean, 12);
    expect(a.spc.ucl).toBeCloseTo(lim.upl, 12);
    expect(a.spc.caption).toMatch(/from all 36 months/);
  });

  it("a baseline fixes the XmR chart's mean and limits from the first N months", () => {
    const y = rising("level", 36, 0, 0.3);
    const a = analyseSeries({ dates: months(), values: y, baseline: 12 });
    expect(a.spc.kind).toBe("xmr-baseline");
    expect(a.spc.baseline).toBe(12);
    const lim = xmrLimits(y.slice(0, 12));
    expect(a.spc.points.every((p) => Math.abs(p.mean - lim.mean) < 1e-12 && Math.abs(p.ucl - lim.upl) < 1e-12)).toBe(true);
    expect(a.spc.caption).toMatch(/from the first 12 months \(the baseline\), extended beyond it/);
    expect(() => analyseSeries({ dates: months(), values: y, baseline: 6 })).toThrow(/at least 12/);
    expect(() => analyseSeries({ dates: months(), values: y, baseline: 12.5 })).toThrow(/whole number/);
  });

  it("a trending series keeps its regression chart when a baseline is set, and says the baseline is not used", () => {
    const a = analyseSeries({ dates: months(), values: rising("engine", 36, 0.1, 0.12), baseline: 12 });
    expect(a.spc.kind).toBe("regression");
    expect(a.spc.baseline).toBeNull();
    expect(a.spc.caption).toMatch(/baseline of 12 points applies to charts without a trend/);
  });

  it("a confirmed level shift with no trend within the segments: XmR recalculated at the shift, in segments", () => {
    const rng = createRng("step");
    const y = Array.from({ length: 36 }, (_, i) => 10 + (i >= 18 ? 3 : 0) + 0.3 * rng.nextNormal());
    const a = analyseSeries({ dates: months(), values: y });
    expect(a.changepoints.points.map((c) => c.date)).toEqual(["2025-04"]);
    expect(a.spc.kind).toBe("xmr-segmented");
    expect(a.spc.segments.map((s) => s.date)).toEqual(["2023-10", "2025-04"]);
    expect(new Set(a.spc.points.map((p) => p.segment))).toEqual(new Set([0, 1]));
    expect(a.spc.points[17].mean).toBeCloseTo(mean(y.slice(0, 18)), 12);
    expect(a.spc.points[18].mean).toBeCloseTo(mean(y.slice(18)), 12);
    expect(a.spc.caption).toMatch(/recalculated from each confirmed level shift \(April 2025\)/);
  });

  it("a trend and a level shift: a regression chart in segments, one slope through each segment's mean", () => {
    const rng = createRng("trend-step");
    const y = Array.from({ length: 36 }, (_, i) => 10 + 0.1 * i + (i >= 18 ? 3 : 0) + 0.15 * rng.nextNormal());
    const a = analyseSeries({ dates: months(), values: y });
    expect(a.changepoints.points.map((c) => c.date)).toEqual(["2025-04"]);
    expect(a.spc.kind).toBe("regression-segmented");
    expect(a.spc.slope!).toBeGreaterThan(0.05);
    expect(a.spc.slope!).toBeLessThan(0.15);
    expect(a.spc.signals.length).toBeLessThan(6);
  });

  it("special causes count a run once: a shift of nine months is one special cause of nine points", () => {
    const base = rising("runs", 36, 0, 0.2);
    const y = base.map((v, i) => (i >= 20 && i < 29 ? v + 0.45 : v));
    // the plain chart: a nine-month excursion makes the points about the mean autocorrelated, and
    // the engine's default then charts one-month-ahead surprises instead (test/unit/spc-autocorrelation.test.ts)
    const a = analyseSeries({ dates: months(), values: y, autocorrelation: false });
    const runRule = a.spc.points.slice(20, 29).map((p) => p.rule);
    expect(runRule.every((r) => r !== null)).toBe(true);
    expect(a.spc.special_causes).toBeLessThan(a.spc.signals.length);
  });
});

describe("the baseline option", () => {
  it("the config takes series.baseline_points per measure, at least 12, naming the key when wrong", () => {
    const ok = parseConfig({ series: { baseline_points: { caseload_per_fte: 12 } } }, "fairload.json");
    expect(baselinePoints(ok).get("caseload_per_fte")).toBe(12);
    expect(() => parseConfig({ series: { baseline_points: { caseload_per_fte: 6 } } }, "fairload.json")).toThrow(/series\.baseline_points\.caseload_per_fte: a baseline needs at least 12 points/);
    expect(() => parseConfig({ series: { baseline: 12 } }, "fairload.json")).toThrow(/series/);
    expect(baselinePoints(parseConfig({}, "fairload.json")).size).toBe(0);
    expect(() => baselinePoints(parseConfig({ series: { baseline_points: { caseloads: 12 } } }, "fairload.json"))).toThrow(UserError);
    expect(() => baselinePoints(parseConfig({ series: { baseline_points: { caseloads: 12 } } }, "fairload.json"))).toThrow(/"caseloads", which is not a measure/);
  });
});
