/**
 * Making Data Count reference values (test/fixtures/spc_mdc_reference.json, provenance in
 * PROVENANCE-spc-mdc.md): the XmR chart, and the engine's chart of a series without a trend,
 * give the limits and flags NHSRplotthedots and nhspy-plotthedots publish in their own tests.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyseSeries } from "../../pipelines/stats/analyze.ts";
import { xmrChart, xmrLimits } from "../../pipelines/stats/spc.ts";

const key = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/spc_mdc_reference.json", import.meta.url)), "utf8"));

/** x printed to `sf` significant figures is `printed`. */
function expectSignificant(x: number, printed: number, sf: number): void {
  expect(Number(x.toPrecision(sf)), `${x} to ${sf} significant figures`).toBe(printed);
}

/** Python's assertAlmostEqual(a, b, places): round(a - b, places) == 0. */
function expectPlaces(x: number, expected: number, places: number): void {
  expect(Math.abs(x - expected)).toBeLessThan(0.5 * 10 ** -places);
}

describe("NHSRplotthedots: ptd_spc summary of rnorm(20) (set.seed(123))", () => {
  const k = key.NHSRplotthedots_ptd_spc_summary;

  it("whole series: mean 0.142, limits -3.01 and 3.29, all 20 points common cause", () => {
    const r = xmrChart(k.y, { improvement: "increase", minPoints: 12 });
    const p = r.points[0];
    expectSignificant(p.mean, k.whole_series.mean, k.significant_figures);
    expectSignificant(p.lpl, k.whole_series.lpl, k.significant_figures);
    expectSignificant(p.upl, k.whole_series.upl, k.significant_figures);
    expect(r.points.filter((q) => q.rule === null)).toHaveLength(k.whole_series.common_cause);
    expect(r.variation).toBe("common cause");
  });

  it("two facets of ten: each its own limits, as a rebased group", () => {
    const r = xmrChart(k.y, { improvement: "increase", rebase: [10], allowFewPoints: true });
    for (const [g, want] of [[0, k.facet_first_10], [1, k.facet_last_10]] as const) {
      const p = r.points.find((q) => q.group === g)!;
      expectSignificant(p.mean, want.mean, k.significant_figures);
      expectSignificant(p.lpl, want.lpl, k.significant_figures);
      expectSignificant(p.upl, want.upl, k.significant_figures);
      expect(r.points.filter((q) => q.group === g && q.rule === null)).toHaveLength(want.common_cause);
    }
  });

  it("the engine draws Making Data Count's XmR chart for the same series when it has no trend", () => {
    const a = analyseSeries({ dates: k.y.map((_: number, i: number) => String(2001 + i)), values: k.y, period: 1, higherIs: "better" });
    expect(a.trend.direction).toBe("no trend");
    expect(a.spc.kind).toBe("xmr");
    expectSignificant(a.spc.mean!, k.whole_series.mean, k.significant_figures);
    expectSignificant(a.spc.lcl!, k.whole_series.lpl, k.significant_figures);
    expectSignificant(a.spc.ucl!, k.whole_series.upl, k.significant_figures);
    expect(a.spc.signals).toHaveLength(0);
    expect(a.spc.caption).toMatch(/^XmR chart \(Making Data Count\)/);
  });
});

describe("nhspy-plotthedots: limits_calculations", () => {
  for (const c of key.nhspy_limits_calculations.cases) {
    it(`${c.name}: mean, limits and the two-sigma lines`, () => {
      const l = xmrLimits(c.values, true);
      for (const [got, want] of [[l.mean, c.mean], [l.lpl, c.lpl], [l.upl, c.upl], [l.nlpl, c.nlpl], [l.nupl, c.nupl]]) {
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12);
      }
    });
  }
});

describe("nhspy-plotthedots: pandas_spc_x_calc", () => {
  const k = key.nhspy_pandas_spc_x_calc;

  it("NHS England's demonstration: mean 76.67, limits 57 and 96, only the 12th point outside and flagged", () => {
    const d = k.demo_case;
    const r = xmrChart(d.values, { minPoints: 12 });
    const p = r.points.at(-1)!;
    expectPlaces(p.mean, d.mean, d.mean_places);
    expectPlaces(p.lpl, d.lpl, d.limit_places);
    expectPlaces(p.upl, d.upl, d.limit_places);
    expect(r.points.flatMap((q, i) => (q.value > q.upl || q.value < q.lpl ? [i] : []))).toEqual(d.outside_limits);
    expect(r.points.flatMap((q, i) => (q.rule ? [i] : []))).toEqual(d.special_cause_flag);
  });

  it("a baseline: the mean of 1..10 fixed after 5 points is 3", () => {
    const d = k.fix_point_mean;
    const r = xmrChart(d.values, { fixAfterNPoints: d.fix_after_n_points, allowFewPoints: true });
    expectPlaces(r.points.at(-1)!.mean, d.mean, d.mean_places);
    expect(r.groups[0].baseline).toBe(d.fix_after_n_points);
  });
});
