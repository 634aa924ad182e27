/**
 * Control charts for autocorrelated data (issue 15; docs/series.md, step 7): when the points about
 * a chart's centre line have a material and significant lag-one autocorrelation (spc.ts `ar1Test`),
 * the chart judges each point by its AR(1) one-step-ahead forecast error (Alwan and Roberts 1988;
 * Montgomery, Introduction to Statistical Quality Control, SPC with autocorrelated process data).
 *
 * The statistical claims are checked by simulation on fixed seeds, and each prints its figures
 * (old chart: `autocorrelation: false`; new: the engine's default), which docs/series.md quotes.
 */
import { describe, expect, it } from "vitest";
import { analyseSeries, type SeriesAnalysis } from "../../pipelines/stats/analyze.ts";
import { createRng } from "../../pipelines/stats/rng.ts";
import { AR1_MAX_PHI, AR1_MIN_PHI, AR1_MIN_POINTS, ar1Test, averageMovingRange, regressionChart, xmrChart } from "../../pipelines/stats/spc.ts";

/** n months from 2023-10. */
function months(n = 36): string[] {
  return Array.from({ length: n }, (_, i) => {
    const k = 2023 * 12 + 9 + i;
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
  });
}

/** Stationary AR(1) noise: x_t = phi x_{t-1} + a_t, a_t ~ N(0, sd^2), started from its stationary distribution. */
function ar1(seed: string, n: number, phi: number, sd: number): number[] {
  const rng = createRng(seed);
  let x = (rng.nextNormal() * sd) / Math.sqrt(1 - phi * phi);
  const out = [x];
  for (let i = 1; i < n; i++) {
    x = phi * x + sd * rng.nextNormal();
    out.push(x);
  }
  return out;
}

const SEEDS = 300;
const DATES = months();
/** Innovation SD, and a rise of 0.09 a month from 12: about the sample employer's caseload per FTE. */
const SD = 0.15;
const rising = (noise: number[]) => noise.map((v, i) => 12 + 0.09 * i + v);
const pct = (k: number, n = SEEDS) => `${((100 * k) / n).toFixed(1)}%`;
const old = (y: number[]) => analyseSeries({ dates: DATES, values: y, higherIs: "worse", autocorrelation: false });
const now = (y: number[]) => analyseSeries({ dates: DATES, values: y, higherIs: "worse" });
/** A special cause on the high side (a concern when higher is worse) at point i. */
const high = (a: SeriesAnalysis, i: number) => a.spc.points[i].rule !== null && a.spc.points[i].special_cause === "concern";

describe("ar1Test", () => {
  it("is the least-squares lag-one coefficient, corrected for its bias, against max(0.3, 1.96 / sqrt(n)) on at least 20 points", () => {
    const r = [1, 0.8, 0.5, 0.6, -0.2, -0.5, -0.9, -0.4, 0.1, 0.3, 0.7, 0.9, 0.4, 0.2, -0.3, -0.6, -0.8, -0.1, 0.2, 0.5, 0.6, 0.1];
    let num = 0;
    let den = 0;
    for (let i = 1; i < r.length; i++) {
      num += r[i] * r[i - 1];
      den += r[i - 1] ** 2;
    }
    const phi = num / den;
    const n = r.length;
    const about = ar1Test([r]);
    expect(about.phi).toBeCloseTo(phi, 12);
    // about a mean: Kendall's (1 + 3 phi) / n; about a line one more (1 + phi) / n
    expect(about.phi_corrected).toBeCloseTo(phi + (1 + 3 * phi) / n, 12);
    expect(ar1Test([r], { trend: true }).phi_corrected).toBeCloseTo(phi + (2 + 4 * phi) / n, 12);
    expect(about.threshold).toBeCloseTo(Math.max(AR1_MIN_PHI, 1.96 / Math.sqrt(n)), 12);
    expect(about.used).toBe(true);
    expect(about.phi_used).toBe(Math.min(about.phi_corrected, AR1_MAX_PHI));
    // too few points, however persistent
    expect(ar1Test([r.slice(0, AR1_MIN_POINTS - 1)]).used).toBe(false);
    // negative autocorrelation is never acted on
    const alternating = r.map((v, i) => (i % 2 ? -Math.abs(v) : Math.abs(v)));
    expect(ar1Test([alternating]).used).toBe(false);
    // only pairs one step apart count; groups are pooled
    const split = ar1Test([r.slice(0, 11), r.slice(11)]);
    expect(split.n).toBe(n);
    expect(split.phi).toBeCloseTo((num - r[11] * r[10]) / (den - r[10] ** 2), 12);
    const gap = ar1Test([r], { t: [r.map((_, i) => (i < 11 ? i : i + 1))] });
    expect(gap.phi).toBeCloseTo(split.phi, 12);
  });
});

describe("the chart of one-step-ahead forecast errors", () => {
  const y = rising(ar1("unit", 36, 0.7, SD));
  const slope = 0.09;

  it("centres each month's limits on the trend plus phi times last month's residual, +/- 2.66 average moving ranges of the errors", () => {
    const r = regressionChart(y, { slope, autocorrelation: true });
    const ar = r.autocorrelation!;
    expect(ar.used).toBe(true);
    const phi = ar.phi_used;
    const t = y.map((_, i) => i);
    const intercept = y.reduce((s, v) => s + v, 0) / y.length - slope * (t.reduce((s, v) => s + v, 0) / t.length);
    const res = y.map((v, i) => v - intercept - slope * i);
    const e = res.slice(1).map((v, i) => v - phi * res[i]);
    const half = 2.66 * averageMovingRange(e);
    expect(r.groups[0].mrbar).toBeCloseTo(averageMovingRange(e), 12);
    r.points.forEach((p, i) => {
      expect(p.mean).toBeCloseTo(intercept + slope * i, 10);
      const expected = i === 0 ? p.mean : p.mean + phi * res[i - 1];
      const h = i === 0 ? half / Math.sqrt(1 - phi * phi) : half;
      expect(p.expected!).toBeCloseTo(expected, 10);
      expect(p.upl).toBeCloseTo(expected + h, 10);
      expect(p.lpl).toBeCloseTo(expected - h, 10);
      // outside the limits drawn <=> the forecast error is outside +/- 3 sigma
      expect(p.rule === "outside_limits").toBe(p.value > p.upl || p.value < p.lpl);
    });
  });

  it("judges the errors with the Making Data Count rules: a spike is outside its month's limits", () => {
    const spiked = y.slice();
    spiked[20] += 1;
    const r = regressionChart(spiked, { slope, autocorrelation: true, improvement: "decrease" });
    expect(r.points[20]).toMatchObject({ rule: "outside_limits", direction: "high", special_cause: "concern" });
    // the spike is not carried forward: the next month is expected from the month before it, two steps on
    const phi = r.autocorrelation!.phi_used;
    const p = r.points;
    expect(p[21].expected! - p[21].mean).toBeCloseTo(phi * phi * (p[19].value - p[19].mean), 10);
    expect((p[21].upl - p[21].lpl) / (p[22].upl - p[22].lpl)).toBeCloseTo(Math.sqrt(1 + phi * phi), 10);
    expect(p[21].rule).toBeNull();
  });

  it("forecasts across a missing month with phi^2 and wider limits", () => {
    const t = y.map((_, i) => (i < 15 ? i : i + 1));
    const r = regressionChart(y, { slope, t, autocorrelation: true });
    const phi = r.autocorrelation!.phi_used;
    const p = r.points;
    const step = (k: number) => (p[k].upl - p[k].lpl) / 2;
    const resPrev = p[14].value - p[14].mean;
    expect(p[15].expected! - p[15].mean).toBeCloseTo(phi * phi * resPrev, 10);
    expect(step(15) / step(16)).toBeCloseTo(Math.sqrt(1 + phi * phi), 10);
  });

  it("an XmR chart (no trend) does the same about its mean, and a baseline fixes phi and the limits from the first N points", () => {
    const flat = ar1("flat", 36, 0.7, SD).map((v) => 10 + v);
    const r = xmrChart(flat, { autocorrelation: true });
    expect(r.autocorrelation!.used).toBe(true);
    const m = flat.reduce((s, v) => s + v, 0) / flat.length;
    const phi = r.autocorrelation!.phi_used;
    expect(r.points[5].expected!).toBeCloseTo(m + phi * (flat[4] - m), 10);
    const b = xmrChart(flat, { autocorrelation: true, fixAfterNPoints: 24 });
    expect(b.autocorrelation!.n).toBe(24);
    const bm = flat.slice(0, 24).reduce((s, v) => s + v, 0) / 24;
    expect(b.points[30].mean).toBeCloseTo(bm, 12);
  });

  it("without a material and significant autocorrelation the chart is exactly the plain one", () => {
    const white = rising(ar1("white", 36, 0, SD));
    const a = regressionChart(white, { slope, autocorrelation: true });
    expect(a.autocorrelation!.used).toBe(false);
    const { autocorrelation: _, ...plain } = regressionChart(white, { slope });
    const { autocorrelation: __, ...same } = a;
    expect(same).toEqual(plain);
  });
});

describe("the engine", () => {
  it("on a persistent rising series: a regression chart allowing for it, the trend still its centre line and reported", () => {
    const y = rising(ar1("engine", 36, 0.7, SD));
    const a = now(y);
    expect(a.trend.direction).toBe("increasing");
    expect(a.spc.kind).toBe("regression-ar1");
    expect(a.spc.slope).toBe(a.trend.sen!.slope);
    expect(a.spc.autocorrelation).toMatchObject({ used: true, n: 36 });
    const p = a.spc.points;
    p.slice(1).forEach((q, i) => expect(q.mean - p[i].mean).toBeCloseTo(a.trend.sen!.slope, 10));
    p.forEach((q) => expect((q.ucl + q.lcl) / 2).toBeCloseTo(q.expected, 10));
    expect(a.spc.caption).toMatch(/^Regression control chart of the (seasonally adjusted )?series: the series has a confirmed trend, so the centre line is the trend \(Sen's slope, rising [\d.]+ a year, through the mean of the points\)\. Its months persist \(lag-one autocorrelation 0\.\d\d about the trend\), so each month is judged against what was expected given the month before/);
    const b = old(y);
    expect(b.spc.kind).toBe("regression");
    console.log(`[engine example] phi ${a.spc.autocorrelation!.phi.toFixed(2)} (corrected ${a.spc.autocorrelation!.phi_corrected.toFixed(2)}): special-cause months old ${b.spc.signals.length}, new ${a.spc.signals.length}`);
    expect(a.spc.signals.length).toBeLessThan(b.spc.signals.length);
  });
});

describe("by simulation (300 seeds each, 36 months)", () => {
  it("(1) AR(1) noise about a linear trend: far fewer series with any special cause; no more than white noise gets from the plain chart", () => {
    const lines: string[] = [];
    const share = (phi: number, f: (y: number[]) => SeriesAnalysis, trend = true) => {
      let any = 0;
      let used = 0;
      let causes = 0;
      for (let s = 0; s < SEEDS; s++) {
        const noise = ar1(`ar-${phi}-${s}`, 36, phi, SD);
        const a = f(trend ? rising(noise) : noise.map((v) => 12 + v));
        if (a.spc.signals.length) any++;
        if (a.spc.autocorrelation?.used) used++;
        causes += a.spc.special_causes;
      }
      return { any, used, causes: causes / SEEDS };
    };
    const floor = share(0, old);
    lines.push(`white noise about the trend, plain chart (the rules' own false-alarm rate): any special cause ${pct(floor.any)}, mean ${floor.causes.toFixed(2)} special causes`);
    for (const phi of [0.6, 0.65, 0.7]) {
      const o = share(phi, old);
      const n = share(phi, now);
      lines.push(`phi ${phi} about the trend: any special cause old ${pct(o.any)}, new ${pct(n.any)} (AR(1) chart used in ${pct(n.used)}); mean special causes old ${o.causes.toFixed(2)}, new ${n.causes.toFixed(2)}`);
      expect(o.any / SEEDS).toBeGreaterThan(0.85);
      expect(n.any / SEEDS).toBeLessThan(0.4);
      expect(n.any).toBeLessThanOrEqual(floor.any + 0.08 * SEEDS);
      expect(n.causes).toBeLessThan(1);
      expect(n.used / SEEDS).toBeGreaterThan(0.8);
    }
    const o = share(0.65, old, false);
    const n = share(0.65, now, false);
    lines.push(`phi 0.65, no trend (XmR): any special cause old ${pct(o.any)}, new ${pct(n.any)} (AR(1) chart used in ${pct(n.used)})`);
    expect(n.any).toBeLessThan(o.any / 2);
    console.log(`[simulation 1]\n  ${lines.join("\n  ")}`);
  });

  it("(2) white noise: the autocorrelation test rarely fires, and when it does not the chart is unchanged", () => {
    const lines: string[] = [];
    for (const trend of [true, false]) {
      let used = 0;
      let anyOld = 0;
      let anyNew = 0;
      for (let s = 0; s < SEEDS; s++) {
        const noise = ar1(`white-${trend}-${s}`, 36, 0, SD);
        const y = trend ? rising(noise) : noise.map((v) => 12 + v);
        const a = now(y);
        const b = old(y);
        if (b.spc.signals.length) anyOld++;
        if (a.spc.signals.length) anyNew++;
        if (a.spc.autocorrelation?.used) used++;
        else {
          expect(a.spc.kind).toBe(b.spc.kind);
          expect(a.spc.points).toEqual(b.spc.points);
        }
      }
      lines.push(`${trend ? "about a trend" : "flat"}: AR(1) chart used in ${pct(used)}; any special cause old ${pct(anyOld)}, new ${pct(anyNew)}`);
      // nominally 2.5% (one-sided test at 1.96 standard errors); about 4-5% over 2,000 seeds, the
      // excess from series that STL wrongly calls seasonal and from the points set aside
      expect(used / SEEDS).toBeLessThan(0.07);
    }
    console.log(`[simulation 2]\n  ${lines.join("\n  ")}`);
  });

  it("(3) a spike of 4 SD of the AR(1) noise is still flagged in at least 80% of series", () => {
    const phi = 0.65;
    const sdNoise = SD / Math.sqrt(1 - phi * phi);
    const lines: string[] = [];
    for (const [what, size] of [["4 SD of the noise", 4 * sdNoise], ["4 SD of the innovations", 4 * SD]] as const) {
      const hit = { old: 0, new: 0 };
      const echo = { old: 0, new: 0 };
      const elsewhere = { old: 0, new: 0 };
      for (let s = 0; s < SEEDS; s++) {
        const k = 8 + (s % 20);
        const y = rising(ar1(`spike-${s}`, 36, phi, SD)).map((v, i) => (i === k ? v + size : v));
        for (const [key, a] of [["old", old(y)], ["new", now(y)]] as const) {
          if (high(a, k)) hit[key]++;
          // the month after a spike is below what the spike led the model to expect
          if (a.spc.points[k + 1].rule !== null && a.spc.points[k + 1].special_cause === "improvement") echo[key]++;
          if (a.spc.points.some((p, i) => p.rule !== null && Math.abs(i - k) > 1)) elsewhere[key]++;
        }
      }
      lines.push(`spike of ${what}: flagged old ${pct(hit.old)}, new ${pct(hit.new)}; the month after flagged low old ${pct(echo.old)}, new ${pct(echo.new)}; some other month flagged old ${pct(elsewhere.old)}, new ${pct(elsewhere.new)}`);
      if (what === "4 SD of the noise") expect(hit.new / SEEDS).toBeGreaterThanOrEqual(0.8);
    }
    console.log(`[simulation 3] phi ${phi}\n  ${lines.join("\n  ")}`);
  });

  it("(4) a large step is signalled at or soon after it in most series: on the chart within 3 months, or as a confirmed level shift", () => {
    const phi = 0.65;
    const k = 18;
    const sdNoise = SD / Math.sqrt(1 - phi * phi);
    const lines: string[] = [];
    for (const [what, size] of [["3 SD of the innovations", 3 * SD], ["3 SD of the noise (4.0 of the innovations)", 3 * sdNoise], ["5 SD of the innovations", 5 * SD]] as const) {
      const at = { old: 0, new: 0 };
      const signalled = { old: 0, new: 0 };
      const before = { old: 0, new: 0 };
      for (let s = 0; s < SEEDS; s++) {
        const y = rising(ar1(`step-${s}`, 36, phi, SD)).map((v, i) => (i >= k ? v + size : v));
        for (const [key, a] of [["old", old(y)], ["new", now(y)]] as const) {
          if (high(a, k)) at[key]++;
          const chart = [k, k + 1, k + 2, k + 3].some((i) => high(a, i));
          const shift = a.changepoints.points.some((c) => Math.abs(c.index - k) <= 2 && c.direction === "up");
          if (chart || shift) signalled[key]++;
          if (a.spc.points.slice(0, k - 1).some((p) => p.rule !== null)) before[key]++;
        }
      }
      lines.push(`step of ${what} at month ${k + 1}: flagged at the step old ${pct(at.old)}, new ${pct(at.new)}; signalled (chart within 3 months or level shift) old ${pct(signalled.old)}, new ${pct(signalled.new)}; some special cause before the step old ${pct(before.old)}, new ${pct(before.new)}`);
      if (what.startsWith("3 SD of the noise")) expect(signalled.new / SEEDS).toBeGreaterThan(0.5);
      if (what.startsWith("5 SD")) expect(signalled.new / SEEDS).toBeGreaterThanOrEqual(0.75);
      // what the plain chart flags before the step is the persistence, not the step
      expect(before.new).toBeLessThan(before.old / 2);
    }
    console.log(`[simulation 4] phi ${phi}\n  ${lines.join("\n  ")}`);
  });

  it("(5) the price: a sustained excursion the level-shift test does not confirm reads as persistence", () => {
    // nine months 2.25 SD above the mean in otherwise independent noise: the residuals are then
    // autocorrelated, the one-step-ahead chart is used and it sees mainly the excursion's first month
    let used = 0;
    const flagged = { old: 0, new: 0 };
    for (let s = 0; s < SEEDS; s++) {
      const y = ar1(`excursion-${s}`, 36, 0, 0.2).map((v, i) => 10 + v + (i >= 20 && i < 29 ? 0.45 : 0));
      const b = old(y);
      const a = now(y);
      if (a.spc.autocorrelation?.used) used++;
      if (b.spc.points.slice(20, 29).some((p) => p.rule !== null)) flagged.old++;
      if (a.spc.points.slice(20, 29).some((p) => p.rule !== null)) flagged.new++;
    }
    console.log(`[simulation 5] nine-month excursion of 2.25 SD in white noise: AR(1) chart used in ${pct(used)}; excursion flagged old ${pct(flagged.old)}, new ${pct(flagged.new)}`);
    expect(flagged.old / SEEDS).toBeGreaterThan(0.85);
    expect(flagged.new).toBeLessThan(flagged.old);
  });
});
