/**
 * Tests for pipelines/stats/{peaks,changepoint,spc}.ts against the reference
 * answer keys in test/fixtures (scipy find_peaks, R changepoint, R
 * NHSRplotthedots), plus property tests.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  findPeaks,
  findTroughs,
  localMaxima,
  NonFiniteInputError,
  peakProminences,
  selectByPeakDistance,
} from "../../pipelines/stats/peaks.ts";
import {
  binSegMean,
  cptMean,
  cropsMean,
  optimalPartitioningMean,
  peltMean,
  penaltyValue,
  scaleForChangepoint,
} from "../../pipelines/stats/changepoint.ts";
import {
  partOfTwoInThree,
  runOneSide,
  trendRun,
  twoInThree,
  xmrChart,
  xmrLimits,
} from "../../pipelines/stats/spc.ts";

function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), "utf8")) as T;
}

/** |a - b| <= half a unit in the last printed decimal. */
function expectPrinted(actual: number, printed: number, decimals: number): void {
  expect(Math.abs(actual - printed)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
}

const peaksKey = fixture("peaks.json");
const cpKey = fixture("changepoint.json");
const spcKey = fixture("spc_xmr.json");

describe("peaks: scipy find_peaks / peak_prominences", () => {
  it("peak_prominences test_basic: prominences to 1e-12 and bases exactly", () => {
    const k = peaksKey.scipy_test_basic;
    const r = peakProminences(k.x, k.peaks);
    expect(r.leftBases).toEqual(k.left_bases);
    expect(r.rightBases).toEqual(k.right_bases);
    r.prominences.forEach((p, i) => expect(Math.abs(p - k.prominences[i])).toBeLessThanOrEqual(1e-12));
  });

  it("find_peaks on test_basic: plateau 1..2 gives one peak at its middle (1); properties agree with the key", () => {
    const k = peaksKey.scipy_test_basic;
    const r = findPeaks(k.x, { prominence: 0 });
    expect(r.peaks).toEqual([1, 4, 6]);
    expect(r.properties.leftEdges).toEqual([1, 4, 6]);
    expect(r.properties.rightEdges).toEqual([2, 4, 6]);
    r.peaks.forEach((p, i) => {
      const j = k.peaks.indexOf(p);
      expect(Math.abs(r.properties.prominences![i] - k.prominences[j])).toBeLessThanOrEqual(1e-12);
      expect(r.properties.leftBases![i]).toBe(k.left_bases[j]);
      expect(r.properties.rightBases![i]).toBe(k.right_bases[j]);
    });
  });

  it("flat maxima: midpoints and plateau edges exactly", () => {
    const k = peaksKey.scipy_test_flat_maxima;
    const lm = localMaxima(k.x);
    expect(lm.midpoints).toEqual(k.peaks);
    expect(lm.leftEdges).toEqual(k.left_edges);
    expect(lm.rightEdges).toEqual(k.right_edges);
    const r = findPeaks(k.x);
    expect(r.peaks).toEqual(k.peaks);
    expect(r.properties.plateauSizes).toEqual(k.right_edges.map((e: number, i: number) => e - k.left_edges[i] + 1));
  });

  it("first and last samples are never peaks; plateaus at the ends are not peaks", () => {
    expect(findPeaks([5, 1, 5]).peaks).toEqual([]);
    expect(findPeaks([1, 3, 3]).peaks).toEqual([]);
    expect(findPeaks([3, 3, 1, 2, 1]).peaks).toEqual([3]);
    expect(findPeaks([]).peaks).toEqual([]);
    expect(findPeaks([1]).peaks).toEqual([]);
  });

  it("height, threshold and plateauSize filters as scipy", () => {
    const x = [0, 2, 0, 5, 0, 3, 3, 0, 1, 0];
    expect(findPeaks(x).peaks).toEqual([1, 3, 5, 8]);
    const h = findPeaks(x, { height: [2, 4] });
    expect(h.peaks).toEqual([1, 5]);
    expect(h.properties.peakHeights).toEqual([2, 3]);
    const t = findPeaks(x, { threshold: 2.5 });
    // the plateau 5..6 has its peak at 5, whose right neighbour is the plateau itself (threshold 0)
    expect(t.peaks).toEqual([3]);
    expect(t.properties.leftThresholds).toEqual([5]);
    expect(t.properties.rightThresholds).toEqual([5]);
    expect(findPeaks(x, { threshold: [null, 2] }).peaks).toEqual([1, 8]);
    expect(findPeaks(x, { plateauSize: 2 }).peaks).toEqual([5]);
  });

  it("distance keeps the higher peaks first (scipy example semantics)", () => {
    const x = [0, 3, 0, 4, 0, 2, 0, 5, 0, 1, 0];
    // peaks 1,3,5,7,9; distance 3: 7 (5) removes 5 and 9; 3 (4) removes 1
    expect(findPeaks(x, { distance: 3 }).peaks).toEqual([3, 7]);
    // distance is rounded up: 2.1 -> 3
    expect(findPeaks(x, { distance: 2.1 }).peaks).toEqual([3, 7]);
    expect(findPeaks(x, { distance: 2 }).peaks).toEqual([1, 3, 5, 7, 9]);
    // equal heights: the later peak has priority
    expect(selectByPeakDistance([1, 3], [2, 2], 3)).toEqual([false, true]);
    expect(() => findPeaks(x, { distance: 0.5 })).toThrow(RangeError);
  });

  it("prominence with wlen limits the search window", () => {
    const x = [0, 10, 8, 9, 1, 9.5, 0];
    const full = findPeaks(x, { prominence: 0 });
    expect(full.peaks).toEqual([1, 3, 5]);
    expect(full.properties.prominences).toEqual([10, 1, 8.5]);
    const win = findPeaks(x, { prominence: 0, wlen: 3 });
    // peak 1: window [0,2]: left min 0, right min 8 -> 2; peak 3: [2,4] -> 9 - 8 = 1; peak 5: [4,6] -> 8.5
    expect(win.properties.prominences).toEqual([2, 1, 8.5]);
    expect(findPeaks(x, { prominence: 5 }).peaks).toEqual([1, 5]);
    expect(() => findPeaks(x, { prominence: 0, wlen: 1 })).toThrow(RangeError);
  });

  it("width at half prominence with linear interpolation", () => {
    const x = [0, 1, 2, 3, 2, 1, 0];
    const r = findPeaks(x, { width: 0 });
    expect(r.peaks).toEqual([3]);
    expect(r.properties.widthHeights).toEqual([1.5]);
    expect(r.properties.leftIps).toEqual([1.5]);
    expect(r.properties.rightIps).toEqual([4.5]);
    expect(r.properties.widths).toEqual([3]);
    expect(findPeaks(x, { width: 3.5 }).peaks).toEqual([]);
  });

  it("rejects NaN / null / Infinity with NonFiniteInputError carrying the index", () => {
    expect(() => findPeaks([1, 2, Number.NaN, 1])).toThrow(NonFiniteInputError);
    let caught: unknown = null;
    try {
      findPeaks([1, 2, 3, null as unknown as number]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NonFiniteInputError);
    expect((caught as NonFiniteInputError).index).toBe(3);
    expect(() => findTroughs([1, Infinity, 1])).toThrow(NonFiniteInputError);
  });

  it("troughs: positive prominences, heights on the original scale", () => {
    const x = [5, 1, 4, -2, 3];
    const r = findTroughs(x, { prominence: 0, height: [null, null] });
    expect(r.peaks).toEqual([1, 3]);
    expect(r.properties.prominences).toEqual([3, 5]);
    expect(r.properties.peakHeights).toEqual([1, -2]);
  });

  it("property: negating a series swaps peaks and troughs (with equal prominences)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 0, maxLength: 40 }), (arr) => {
        const neg = arr.map((v) => -v);
        const p = findPeaks(arr, { prominence: 0 });
        const t = findTroughs(neg, { prominence: 0 });
        expect(t.peaks).toEqual(p.peaks);
        expect(t.properties.prominences).toEqual(p.properties.prominences);
        expect(findPeaks(neg).peaks).toEqual(findTroughs(arr).peaks);
      }),
      { numRuns: 100 },
    );
  });
});

describe("changepoint: R changepoint cpt.mean (Normal cost)", () => {
  const x: number[] = cpKey.mean4.data;
  const exp = cpKey.expected;
  const n = x.length;

  it("fixture holds the 200 points of the mean4 example", () => {
    expect(n).toBe(200);
  });

  it("penalties as R penalty_decision for a change in mean", () => {
    expect(penaltyValue("MBIC", n)).toBeCloseTo(3 * Math.log(n), 12);
    expect(penaltyValue("SIC", n)).toBeCloseTo(2 * Math.log(n), 12);
    expect(penaltyValue("BIC", n)).toBeCloseTo(2 * Math.log(n), 12);
    expect(penaltyValue("SIC0", n)).toBeCloseTo(Math.log(n), 12);
    expect(penaltyValue("AIC", n)).toBe(4);
    expect(penaltyValue("Manual", n, 7.5)).toBe(7.5);
    expect(() => penaltyValue("Asymptotic", n, 0)).toThrow(RangeError);
    expect(() => penaltyValue("Manual", n)).toThrow(RangeError);
  });

  it("PELT with the default MBIC penalty gives the key's change points", () => {
    const r = cptMean(x);
    expect(r.penaltyType).toBe("MBIC");
    expect(r.cpts).toEqual(exp["mean4_PELT_MBIC (default) - verified here by exact optimal partitioning"]);
    expect(r.indices).toEqual(r.cpts);
    expect(r.segments.map((s) => [s.start, s.end])).toEqual([
      [0, 50],
      [50, 100],
      [100, 150],
      [150, 200],
    ]);
  });

  it("MBIC PELT agrees with exact optimal partitioning", () => {
    const pen = penaltyValue("MBIC", n);
    const op = optimalPartitioningMean(x, pen, { mbic: true });
    expect(peltMean(x, pen, { mbic: true }).cpts.slice(0, -1)).toEqual(op.cpts);
    expect(op.cpts).toEqual(exp["mean4_PELT_MBIC (default) - verified here by exact optimal partitioning"]);
  });

  it("PELT with Asymptotic penalty 0.01 (R test mean7)", () => {
    expect(cptMean(x, { penalty: "Asymptotic", penValue: 0.01 }).cpts).toEqual(exp["mean4_PELT_Asymptotic_0.01 (mean7)"]);
  });

  it("BinSeg with Manual 2 log n and Q = 5 (R test mean5)", () => {
    const r = cptMean(x, { method: "BinSeg", penalty: "Manual", penValue: 2 * Math.log(n), Q: 5 });
    expect(r.cpts).toEqual(exp["mean4_BinSeg_Manual_2logn_Q5 (mean5)"]);
  });

  it("BinSeg gains are non-increasing; the first splits are 50, 150, 100", () => {
    const b = binSegMean(x, 0, { Q: 5 });
    for (let i = 1; i < b.gains.length; i++) expect(b.gains[i]).toBeLessThanOrEqual(b.gains[i - 1]);
    expect(b.order.slice(0, 3)).toEqual([50, 150, 100]);
  });

  it("CROPS 4..1500: segmentations and pen.value.full as the key (6 decimals)", () => {
    const key = exp["mean4_CROPS_PELT_pen_4_to_1500 (test-examples.R crops1/crops2)"];
    const r = cropsMean(x, [4, 1500]);
    const expectedSegs: number[][] = Object.values(key.segmentations_by_penalty_interval) as number[][];
    expect(r.segmentations.map((s) => s.cpts)).toEqual(expectedSegs);
    expect(r.penalties.length).toBe(key["pen.value.full"].length);
    r.penalties.forEach((p, i) => expectPrinted(p, key["pen.value.full"][i], 6));
    // each segmentation is what PELT gives at a penalty strictly inside its interval
    for (const s of r.segmentations) {
      const mid = (s.penFrom + s.penTo) / 2;
      expect(cptMean(x, { penalty: "Manual", penValue: mid }).cpts).toEqual(s.cpts);
    }
  });

  it("minseglen is respected and checked", () => {
    const r = cptMean(x, { penalty: "Manual", penValue: 4, minseglen: 10 });
    const b = [0, ...r.cpts, n];
    for (let i = 1; i < b.length; i++) expect(b[i] - b[i - 1]).toBeGreaterThanOrEqual(10);
    const op = optimalPartitioningMean(x, 4, { minseglen: 10 });
    expect(r.cpts).toEqual(op.cpts);
    expect(() => cptMean([1, 2, 3], { minseglen: 2 })).toThrow(RangeError);
  });

  it("rejects missing values", () => {
    expect(() => cptMean([1, 2, Number.NaN, 4])).toThrow(NonFiniteInputError);
  });

  it("scaleForChangepoint: robust sigma from first differences", () => {
    const s = scaleForChangepoint([0, 1, 2, 3, 4, 5, 6, 20]);
    // diffs 1,1,1,1,1,1,14 -> MAD 0 -> falls back to sd(diff) / sqrt(2)
    expect(s.method).toBe("sd_diff");
    const d = [1, 1, 1, 1, 1, 1, 14];
    const md = 20 / 7;
    const sd = Math.sqrt(d.reduce((a, v) => a + (v - md) ** 2, 0) / 6);
    expect(s.sigma).toBeCloseTo(sd / Math.SQRT2, 12);
    expect(s.scaled[7]).toBeCloseTo((20 - 3.5) / s.sigma, 12);
    const t = scaleForChangepoint([0, 2, 1, 3, 1, 2, 0]);
    expect(t.method).toBe("mad_diff");
    // diffs 2,-1,2,-2,1,-2 -> median 0; |d| median 2 -> 1.4826*2/sqrt2
    expect(t.sigma).toBeCloseTo((1.4826 * 2) / Math.SQRT2, 12);
    expect(scaleForChangepoint([3, 3, 3]).method).toBe("degenerate");
  });

  it("property: a constant series has no change points", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 2, max: 80 }),
        fc.constantFrom<"MBIC" | "SIC" | "AIC">("MBIC", "SIC", "AIC"),
        (c, len, penalty) => {
          const series = new Array<number>(len).fill(c);
          const scaled = scaleForChangepoint(series).scaled;
          expect(cptMean(scaled, { penalty: penalty as "MBIC" }).cpts).toEqual([]);
          expect(cptMean(series.map(() => 0.25), { penalty: penalty as "MBIC" }).cpts).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("property: a big planted step in the mean is found within +/-2", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 80 }),
        fc.double({ min: 0.2, max: 0.8, noNaN: true }),
        fc.double({ min: 6, max: 20, noNaN: true }),
        fc.constantFrom(1, -1),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (len, frac, size, sign, seed) => {
          // deterministic uniform noise in [-1, 1] from a small LCG
          let s = seed;
          const rnd = () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return (s / 2 ** 32) * 2 - 1;
          };
          const at = Math.max(5, Math.min(len - 5, Math.round(len * frac)));
          const series = Array.from({ length: len }, (_, i) => rnd() + (i >= at ? sign * size : 0));
          const { scaled } = scaleForChangepoint(series);
          const r = cptMean(scaled);
          expect(r.indices.some((c) => Math.abs(c - at) <= 2)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("spc: NHSRplotthedots XmR rules", () => {
  const unit = spcKey.NHSRplotthedots_unit_tests;

  it("deviations vignette with outlier screening (R default): limits to 2 dp, only index 4 flagged", () => {
    const k = spcKey.NHSRplotthedots_deviations_vignette;
    const t = k["screen_outliers_TRUE (R package default)"];
    const r = xmrChart(k.data, { improvement: "increase" });
    expect(r.status).toBe("ok");
    expectPrinted(r.points[0].upl, t.upl, 2);
    expectPrinted(r.points[0].mean, t.mean, 2);
    expectPrinted(r.points[0].lpl, t.lpl, 2);
    const flagged = r.points.filter((p) => p.rule !== null);
    expect(flagged.map((p) => [p.index, p.rule, p.special_cause])).toEqual([[4, "outside_limits", "improvement"]]);
  });

  it("deviations vignette without screening (Making Data Count Excel): limits to 2 dp", () => {
    const k = spcKey.NHSRplotthedots_deviations_vignette;
    const t = k["screen_outliers_FALSE (Making Data Count Excel)"];
    const lim = xmrLimits(k.data, false);
    expectPrinted(lim.upl, t.upl, 2);
    expectPrinted(lim.mean, t.mean, 2);
    expectPrinted(lim.lpl, t.lpl, 2);
    const r = xmrChart(k.data, { screenOutliers: false });
    expectPrinted(r.points[17].upl, t.upl, 2);
    expect(r.points[4].rule).toBe("outside_limits");
  });

  type RunCase = { in: number[]; out: number[] };
  type CloseCase = { close: number[]; rtm?: number[]; out: number[] };
  const oneSide: RunCase[] = unit.seven_point_one_side_mean;
  const trends: RunCase[] = unit.seven_point_trend;
  const twoThree: CloseCase[] = unit["two_in_three(close_to_limits, relative_to_mean)"];
  const partTwoThree: CloseCase[] = unit.part_of_two_in_three;

  it.each(oneSide.map((c, i) => ({ i, c })))("seven points one side of the mean, case $i", ({ c }) => {
    expect(runOneSide(c.in, 7)).toEqual(c.out);
  });

  it.each(trends.map((c, i) => ({ i, c })))("seven point trend, case $i", ({ c }) => {
    expect(trendRun(c.in, 7)).toEqual(c.out);
  });

  it.each(twoThree.map((c, i) => ({ i, c })))("two in three, case $i", ({ c }) => {
    expect(twoInThree(c.close, c.rtm!)).toEqual(c.out);
  });

  it.each(partTwoThree.map((c, i) => ({ i, c })))(
    "part of two in three (all points on the same side), case $i",
    ({ c }) => {
      const rtm = c.close.map(() => 1);
      expect(partOfTwoInThree(twoInThree(c.close, rtm), c.close)).toEqual(c.out);
    },
  );

  // Baseline: 12 alternating points 12, 8, ... -> mean 10, mrbar 4, limits 10 +/- 10.64,
  // two-sigma lines 10 +/- 7.0933 (fixAfterNPoints keeps these fixed for later points).
  const baseline = [12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 12, 8];
  const flagsOf = (y: number[], improvement: "increase" | "decrease" | "neutral") =>
    xmrChart(y, { fixAfterNPoints: 12, improvement }).points.map((p) => [p.rule, p.direction, p.special_cause]);

  it("baseline limits are as computed by hand", () => {
    const r = xmrChart(baseline, { improvement: "increase" });
    expect(r.points[0].mean).toBe(10);
    expect(r.points[0].upl).toBeCloseTo(20.64, 12);
    expect(r.points[0].lpl).toBeCloseTo(-0.64, 12);
    expect(r.points.every((p) => p.rule === null)).toBe(true);
    expect(r.variation).toBe("common cause");
  });

  it("shift: 7 points above the mean are all flagged; a point on the mean breaks the run", () => {
    const y = [...baseline, 10.5, 10.6, 10.5, 10.6, 10.5, 10.6, 10.5, 9.5];
    const f = flagsOf(y, "decrease");
    expect(f.slice(0, 12).every((v) => v[0] === null)).toBe(true);
    for (let i = 12; i <= 18; i++) expect(f[i]).toEqual(["shift", "high", "concern"]);
    expect(f[19]).toEqual([null, null, null]);
    const onMean = [...y];
    onMean[15] = 10;
    expect(flagsOf(onMean, "decrease").every((v) => v[0] === null)).toBe(true);
    // six points only: no shift
    expect(flagsOf([...baseline, 10.5, 10.6, 10.5, 10.6, 10.5, 10.6, 9.5], "decrease").every((v) => v[0] === null)).toBe(true);
  });

  it("trend: a rising run of 8 (from the last baseline point) is flagged entirely", () => {
    const y = [...baseline, 9, 9.5, 10.2, 10.5, 11, 11.5, 12, 11];
    const f = flagsOf(y, "decrease");
    for (let i = 0; i <= 10; i++) expect(f[i][0]).toBeNull();
    for (let i = 11; i <= 18; i++) expect(f[i]).toEqual(["trend", "high", "concern"]);
    expect(f[19][0]).toBeNull();
    const tie = [...y];
    tie[15] = tie[14]; // a tie breaks the run into 5 + 4 points
    expect(flagsOf(tie, "decrease").every((v) => v[0] === null)).toBe(true);
  });

  it("precedence trend > shift, and the variation icon follows the last point", () => {
    const y = [...baseline, 7.5, 7, 6.5, 6, 5.5, 5, 4.5];
    const r = xmrChart(y, { fixAfterNPoints: 12, improvement: "decrease" });
    // 11..18 fall every step and all lie below the mean: trend wins over shift
    for (let i = 11; i <= 18; i++) {
      expect(r.points[i].rule).toBe("trend");
      expect(r.points[i].direction).toBe("low");
      expect(r.points[i].special_cause).toBe("improvement");
    }
    expect(r.variation).toBe("special cause improvement (low)");
    expect(xmrChart(y, { fixAfterNPoints: 12, improvement: "increase" }).variation).toBe("special cause concern (low)");
    expect(xmrChart(y, { fixAfterNPoints: 12, improvement: "neutral" }).variation).toBe("special cause neutral (low)");
  });

  it("two in three flags only the close points; outside limits wins over everything", () => {
    const y = [...baseline, 18, 11, 18, 9, 25];
    const f = flagsOf(y, "increase");
    expect(f[12]).toEqual(["two_in_three", "high", "improvement"]);
    expect(f[13]).toEqual([null, null, null]);
    expect(f[14]).toEqual(["two_in_three", "high", "improvement"]);
    expect(f[15]).toEqual([null, null, null]);
    expect(f[16]).toEqual(["outside_limits", "high", "improvement"]);
    // the middle point below the mean: not all three on the same side -> nothing
    const split = [...baseline, 18, 9, 18, 9];
    expect(flagsOf(split, "increase").every((v) => v[0] === null)).toBe(true);
    // an outside point that also ends a rising run is reported as outside_limits
    const both = [...baseline, 9, 10.5, 11, 12, 13, 14, 30];
    const g = flagsOf(both, "increase");
    expect(g[18][0]).toBe("outside_limits");
    expect(g[17][0]).toBe("trend");
  });

  it("variation and assurance icons", () => {
    const y = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1.5];
    const r = xmrChart(y, { improvement: "increase", target: 10 });
    expect(r.variation).toBe("common cause");
    expect(r.assurance).toBe("consistently fail");
    expect(xmrChart(y, { improvement: "decrease", target: 10 }).assurance).toBe("consistently pass");
    expect(xmrChart(y, { improvement: "increase", target: -10 }).assurance).toBe("consistently pass");
    expect(xmrChart(y, { improvement: "increase", target: 1.5 }).assurance).toBe("hit and miss");
    expect(xmrChart(y, { improvement: "neutral", target: 1.5 }).assurance).toBeNull();
    const low = xmrChart([...y, -20], { improvement: "increase" });
    expect(low.variation).toBe("special cause concern (low)");
    const neutral = xmrChart([...y, -20], { improvement: "neutral" });
    expect(neutral.variation).toBe("special cause neutral (low)");
    expect(xmrChart([...y, -20], { improvement: "decrease" }).variation).toBe("special cause improvement (low)");
  });

  it("too few points: status below 12 unless allowed, then a warning flag", () => {
    const y = [1, 2, 3, 2, 1];
    const r = xmrChart(y);
    expect(r.status).toBe("too_few_points");
    expect(r.message).toBe("too few points for a control chart (need 12)");
    expect(r.points).toEqual([]);
    const forced = xmrChart(y, { allowFewPoints: true });
    expect(forced.status).toBe("ok");
    expect(forced.warning).toBe(true);
    expect(forced.points).toHaveLength(5);
    expect(xmrChart(y, { minPoints: 5 }).warning).toBe(false);
    expect(xmrChart([], { allowFewPoints: true }).status).toBe("too_few_points");
  });

  it("a constant series has zero-width limits and no special causes (R would give NaN limits)", () => {
    const r = xmrChart(new Array(15).fill(3), { improvement: "increase" });
    expect(r.points.every((p) => p.upl === 3 && p.lpl === 3 && p.rule === null)).toBe(true);
    expect(r.variation).toBe("common cause");
  });

  it("baseline (fixAfterNPoints) and rebase fix the limits per group", () => {
    const y = [...Array.from({ length: 12 }, (_, i) => (i % 2 ? 11 : 9)), ...Array.from({ length: 12 }, (_, i) => (i % 2 ? 21 : 19))];
    const fixed = xmrChart(y, { fixAfterNPoints: 12 });
    expect(fixed.points[23].mean).toBe(10);
    expect(fixed.points[23].upl).toBeCloseTo(10 + 2.66 * 2, 12);
    expect(fixed.points[23].rule).toBe("outside_limits");
    const rebased = xmrChart(y, { rebase: [12] });
    expect(rebased.points[23].mean).toBe(20);
    expect(rebased.points[23].group).toBe(1);
    expect(rebased.points.every((p) => p.rule === null)).toBe(true);
    expect(() => xmrChart(y, { rebase: [30] })).toThrow(RangeError);
  });

  it("rejects missing values", () => {
    expect(() => xmrChart([1, 2, Number.NaN])).toThrow(NonFiniteInputError);
  });

  it("property: adding a constant shifts mean/limits by it and changes no rule flags", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.integer({ min: -100_000, max: 100_000 }).map((v) => v / 1000 + Math.SQRT2 / 1e4),
          { minLength: 12, maxLength: 40 },
        ),
        fc.integer({ min: -1_000_000, max: 1_000_000 }).map((v) => v / 1000),
        fc.boolean(),
        fc.constantFrom<"increase" | "decrease" | "neutral">("increase", "decrease", "neutral"),
        (ys, c, screen, improvement) => {
          const a = xmrChart(ys, { screenOutliers: screen, improvement });
          const lim = xmrLimits(ys, screen);
          // skip series with a point within rounding distance of a threshold (ties flip either way)
          const eps = 1e-9 * (1 + Math.abs(c) + Math.max(...ys.map(Math.abs)));
          const lines = [lim.mean, lim.upl, lim.lpl, lim.nupl, lim.nlpl];
          fc.pre(ys.every((v) => lines.every((l) => Math.abs(v - l) > eps)));
          fc.pre(ys.every((v, i) => i === 0 || Math.abs(v - ys[i - 1]) > eps));
          const b = xmrChart(
            ys.map((v) => v + c),
            { screenOutliers: screen, improvement },
          );
          const tol = 1e-9 * (1 + Math.abs(c));
          a.points.forEach((p, i) => {
            const q = b.points[i];
            expect(Math.abs(q.mean - (p.mean + c))).toBeLessThanOrEqual(tol);
            expect(Math.abs(q.upl - (p.upl + c))).toBeLessThanOrEqual(tol);
            expect(Math.abs(q.lpl - (p.lpl + c))).toBeLessThanOrEqual(tol);
            expect(q.rule).toBe(p.rule);
            expect(q.special_cause).toBe(p.special_cause);
          });
          expect(b.variation).toBe(a.variation);
        },
      ),
      { numRuns: 100 },
    );
  });
});
