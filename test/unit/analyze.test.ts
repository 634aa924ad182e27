/** The engine applied to whole series: statuses, gaps, planted patterns, error rates of level shifts. */
import { describe, expect, it } from "vitest";
import { analyseSeries, describeSeries, toGrid } from "../../pipelines/stats/analyze.ts";
import { CLI, ROOT } from "../support/helpers.ts";
import { spawnSync } from "node:child_process";

function lcg(seed: number) {
  let s = seed;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
}

const FACTORS = [1, 1, 1.08, 1, 1, 1, 1, 0.85, 1.1, 1.12, 1.1, 0.88]; // Jan..Dec: peaks Sep-Nov, Mar; troughs Aug, Dec

/** 36 months from October 2023: 5% a year trend, seasonal factors, an optional shift at month 18. */
function planted(seed: number, opts: { shift?: number; noise?: number; phi?: number } = {}) {
  const norm = lcg(seed * 7919);
  const dates: string[] = [];
  const values: number[] = [];
  let ar = 0;
  for (let i = 0; i < 36; i++) {
    const y = 2023 + Math.floor((i + 9) / 12);
    const m = ((i + 9) % 12) + 1;
    dates.push(`${y}-${String(m).padStart(2, "0")}`);
    ar = (opts.phi ?? 0) * ar + norm();
    values.push(100 * (1 + (0.05 * i) / 12) * FACTORS[m - 1] * (1 + (opts.noise ?? 0.02) * ar) * (i >= 18 ? 1 + (opts.shift ?? 0) : 1));
  }
  return { dates, values };
}

describe("analyseSeries", () => {
  it("finds the planted trend, seasonal peaks and troughs, and level shift", () => {
    const { dates, values } = planted(3, { shift: 0.15 });
    const a = analyseSeries({ dates, values, higherIs: "worse" });
    expect(a.trend.direction).toBe("increasing");
    expect(a.seasonal.code).toBe("ok");
    expect(a.seasonal.peak_months).toContain(10);
    for (const m of a.seasonal.peak_months) expect([3, 9, 10, 11]).toContain(m);
    expect([...a.seasonal.trough_months].sort((p, q) => p - q)).toEqual([8, 12]);
    expect(a.changepoints.points.map((c) => c.date)).toEqual(["2025-04"]);
    expect(a.changepoints.points[0].direction).toBe("up");
    expect(describeSeries(a, "Referrals")).toMatch(/^Referrals rose \d+(\.\d)?% a year \(95% CI .*\); peaks in .*; a level shift up in April 2025/);
  });

  it("short series get explicit statuses, never invented numbers", () => {
    const { dates, values } = planted(1);
    const six = analyseSeries({ dates: dates.slice(0, 6), values: values.slice(0, 6) });
    expect(six.trend.status).toBe("not enough months for a trend test (need 8, have 6)");
    expect(six.trend.mk).toBeNull();
    expect(six.seasonal.status).toBe("not enough months for a seasonal test (need 24, have 6)");
    expect(six.spc.status).toMatch(/too few points for a control chart/);
    const twenty = analyseSeries({ dates: dates.slice(0, 20), values: values.slice(0, 20) });
    expect(twenty.trend.status).toBe("ok");
    expect(twenty.seasonal.indices).toEqual([]);
    expect(twenty.seasonal.status).toBe("not enough months for a seasonal test (need 24, have 20)");
  });

  it("missing months are reported, never filled with zero", () => {
    const { dates, values } = planted(2);
    const keep = dates.map((_, i) => i !== 5 && i !== 6);
    const g = toGrid(dates.filter((_, i) => keep[i]), values.filter((_, i) => keep[i]), 12);
    expect(g.missing).toEqual([dates[5], dates[6]]);
    expect(g.values[5]).toBeNull();
    const a = analyseSeries({ dates: dates.filter((_, i) => keep[i]), values: values.filter((_, i) => keep[i]) });
    expect(a.missing).toEqual([dates[5], dates[6]]);
    expect(a.status).toMatch(/2 missing months .* left out, not filled/);
    expect(a.values.filter((v) => v === 0)).toEqual([]);
    expect(a.spc.points.map((p) => p.date)).not.toContain(dates[5]);
  });

  it("a constant series has no trend, no shift and no special causes", () => {
    const dates = planted(1).dates;
    const a = analyseSeries({ dates, values: dates.map(() => 14) });
    expect(a.trend.direction).toBe("no trend");
    expect(a.changepoints.points).toEqual([]);
    expect(a.spc.signals).toEqual([]);
  });

  it("adding a constant changes no rule, reversing flips the trend", () => {
    const { dates, values } = planted(5, { shift: 0.1 });
    const a = analyseSeries({ dates, values });
    const b = analyseSeries({ dates, values: values.map((v) => v + 50) });
    expect(b.spc.signals).toEqual(a.spc.signals);
    expect(b.changepoints.points.map((c) => c.date)).toEqual(a.changepoints.points.map((c) => c.date));
    expect(b.trend.direction).toBe(a.trend.direction);
    const r = analyseSeries({ dates, values: [...values].reverse() });
    expect(r.trend.mk_uncorrected!.s).toBe(-a.trend.mk_uncorrected!.s);
    expect(Math.sign(r.trend.sen!.slope)).toBe(-Math.sign(a.trend.sen!.slope));
  });

  it("level shifts: a 15% shift is found and noise rarely passes for one (60 seeds each)", () => {
    let found = 0;
    let spurious = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const withShift = analyseSeries(planted(seed, { shift: 0.15 }));
      if (withShift.changepoints.points.some((c) => Math.abs(c.index - 18) <= 2)) found++;
      if (analyseSeries(planted(seed)).changepoints.points.length) spurious++;
    }
    expect(found).toBeGreaterThanOrEqual(51); // >= 85%
    expect(spurious).toBeLessThanOrEqual(6); // <= 10% with independent noise
  });

  it("seasonality is not flagged as special cause: the chart runs on the deseasonalised series", () => {
    const norm = lcg(99);
    const dates = planted(1).dates;
    const values = dates.map((d) => 100 * FACTORS[Number(d.slice(5)) - 1] + 0.5 * norm());
    const a = analyseSeries({ dates, values });
    expect(a.spc.on).toBe("deseasonalised");
    expect(a.spc.signals.filter((s) => s.rule === "outside_limits")).toEqual([]);
  });
});

describe("fairload series", () => {
  it("analyses the DfE national caseload per FTE 2017-2025 with --json", () => {
    const r = spawnSync(process.execPath, [CLI, "series", "data/benchmarks/csww_indicators_2017_to_2025.csv", "--date", "time_period", "--value", "caseload_fte", "--period", "1", "--filter", "geographic_level=National", "--json"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.n).toBe(9);
    expect(j.first).toBe("2017");
    expect(j.values[8]).toBe(15.2); // England 2025, as published
    for (const k of ["s", "var_s", "z", "p", "tau"]) expect(typeof j.trend.mk[k]).toBe("number");
    expect(j.trend.sen).toMatchObject({ slope: expect.any(Number), ci_low: expect.any(Number), ci_high: expect.any(Number) });
    expect(j.trend.direction).toBe("decreasing");
    expect(j.spc.status).toMatch(/too few points/);
    expect(Array.isArray(j.peaks)).toBe(true);
    expect(j.summary).toMatch(/^caseload_fte fell/);
  });

  it("a bad value names the row and column", () => {
    const r = spawnSync(process.execPath, [CLI, "series", "data/benchmarks/csww_indicators_2017_to_2025.csv", "--date", "time_period", "--value", "la_name", "--period", "1", "--filter", "geographic_level=Local authority"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/row \d+, column la_name: got ".*"; expected a number/);
  });
});
