/**
 * Tests for pipelines/stats/trend.ts and pipelines/stats/dist.ts against the
 * reference answer key test/fixtures/mann_kendall.json (pyMannKendall test
 * expectations; R trend and modifiedmk on AirPassengers), plus property
 * tests with fast-check.
 *
 * Tolerance: 1e-6 relative (both references printed full precision);
 * integer scores S exactly.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chisqCdf, normalCdf, normalQuantile, tQuantile, twoSidedNormalP } from '../../pipelines/stats/dist.ts';
import {
  hamedRaoMK,
  mannKendall,
  preWhiteningMK,
  seasonalMannKendall,
  seasonalSensSlope,
  sensSlope,
  trendFreePreWhiteningMK,
  yueWangMK,
} from '../../pipelines/stats/trend.ts';

// ---------------------------------------------------------------------------
// fixture

interface PyExpectation {
  trend?: string;
  p?: number;
  z?: number;
  Tau?: number;
  s?: number;
  var_s?: number;
  slope?: number;
  intercept?: number;
}

interface MannKendallKey {
  pymannkendall: {
    data_arbitrary_1d_with_nulls: (number | null)[];
    published_test_expectations: Record<string, PyExpectation>;
  };
  AirPassengers: {
    frequency: number;
    data: number[];
    'trend_mk.test': { S: number; varS: number; tau: number; z: number; p: number };
    'trend_sens.slope': { slope: number; ci95: [number, number] };
    modifiedmk_mmkh: { Zc: number; p: number; n_over_nstar: number; var_corrected: number };
    'trend_smk.test': { S: number; varS: number; z: number; p: number };
    'trend_sea.sens.slope_per_cycle': number;
  };
}

const key = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/mann_kendall.json', import.meta.url)), 'utf8'),
) as MannKendallKey;
const rain = key.pymannkendall.data_arbitrary_1d_with_nulls;
const py = key.pymannkendall.published_test_expectations;
const air = key.AirPassengers;

/** |actual - expected| <= rel * |expected| (or <= abs near zero). */
function expectClose(actual: number | null | undefined, expected: number, rel = 1e-6, abs = 1e-12): void {
  expect(actual).toBeTypeOf('number');
  const a = actual as number;
  const tol = Math.max(rel * Math.abs(expected), abs);
  if (!(Math.abs(a - expected) <= tol)) {
    throw new Error(`expected ${a} to be within ${tol} of ${expected}`);
  }
}

/** Expected fields of a pyMannKendall result, checked against ours. */
function expectPy(
  actual: { s: number | null; z: number | null; p: number | null; tau?: number | null; direction: string | null },
  varS: number | null,
  expected: PyExpectation,
): void {
  if (expected.s !== undefined) expect(actual.s).toBe(expected.s);
  if (expected.var_s !== undefined) expectClose(varS, expected.var_s);
  expectClose(actual.z, expected.z as number);
  expectClose(actual.p, expected.p as number);
  if (expected.Tau !== undefined) expectClose(actual.tau, expected.Tau);
  if (expected.trend !== undefined) expect(actual.direction).toBe(expected.trend);
}

// ---------------------------------------------------------------------------
// dist.ts

describe('dist', () => {
  it('normal cdf and quantile agree with R pnorm/qnorm', () => {
    expect(normalCdf(0)).toBe(0.5);
    expectClose(normalQuantile(0.975), 1.959963984540054, 1e-12);
    expectClose(normalCdf(normalQuantile(0.025)), 0.025, 1e-12);
  });

  it('two-sided normal p keeps precision far in the tail (R 2*pnorm(-|z|))', () => {
    const mk = air['trend_mk.test'];
    expectClose(twoSidedNormalP(mk.z), mk.p);
    expectClose(twoSidedNormalP(-mk.z), mk.p);
    // the naive 2 * (1 - Phi(|z|)) would give exactly 0 here
    expect(2 * (1 - normalCdf(mk.z))).toBe(0);
    expect(twoSidedNormalP(37)).toBeGreaterThan(0);
    expect(twoSidedNormalP(0)).toBe(1);
    expectClose(twoSidedNormalP(1.959963984540054), 0.05, 1e-12);
    expect(twoSidedNormalP(Number.NaN)).toBeNaN();
  });

  it('chi-squared cdf matches closed forms and R pchisq', () => {
    expectClose(chisqCdf(3.841458820694124, 1), 0.95, 1e-12);
    for (const x of [0.1, 1, 2.5, 7]) expectClose(chisqCdf(x, 2), 1 - Math.exp(-x / 2), 1e-12);
  });

  it('t quantile matches R qt and the Cauchy closed form for df = 1', () => {
    expectClose(tQuantile(0.975, 10), 2.228138851986274, 1e-12);
    for (const p of [0.1, 0.7, 0.95]) expectClose(tQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-10);
  });
});

// ---------------------------------------------------------------------------
// reference values

describe('mannKendall', () => {
  it('matches pyMannKendall original_test on data with missing values', () => {
    const r = mannKendall(rain);
    expect(r.status).toBe('ok');
    expect(r.n).toBe(rain.filter((v) => v !== null).length);
    expectPy(r, r.var_s, py.original_test);
  });

  it('matches R trend::mk.test on AirPassengers (S, varS, tau, z, p)', () => {
    const r = mannKendall(air.data);
    const ref = air['trend_mk.test'];
    expect(r.s).toBe(ref.S);
    expectClose(r.var_s, ref.varS);
    expectClose(r.tau_b, ref.tau);
    expectClose(r.z, ref.z);
    expectClose(r.p, ref.p);
    expect(r.direction).toBe('increasing');
    // pyMannKendall's tau ignores ties, R's does not: they differ here
    expectClose(r.tau, ref.S / ((144 * 143) / 2));
    expect(Math.abs((r.tau as number) - ref.tau)).toBeGreaterThan(1e-4);
  });
});

describe('sensSlope', () => {
  it('matches pyMannKendall sens_slope (true time index across gaps)', () => {
    const r = sensSlope(rain);
    expectClose(r.slope, py.sens_slope.slope as number);
    expectClose(r.intercept, py.sens_slope.intercept as number);
  });

  it('matches R trend::sens.slope on AirPassengers, including the 95% CI', () => {
    const r = sensSlope(air.data);
    const ref = air['trend_sens.slope'];
    expectClose(r.slope, ref.slope);
    expectClose(r.ci_low, ref.ci95[0]);
    expectClose(r.ci_high, ref.ci95[1]);
  });

  it('gives a narrower interval at a lower confidence level', () => {
    const r95 = sensSlope(air.data);
    const r80 = sensSlope(air.data, { alpha: 0.2 });
    expect(r80.slope).toBe(r95.slope);
    expect(r80.ci_low as number).toBeGreaterThanOrEqual(r95.ci_low as number);
    expect(r80.ci_high as number).toBeLessThanOrEqual(r95.ci_high as number);
    expect((r80.ci_high as number) - (r80.ci_low as number)).toBeLessThan((r95.ci_high as number) - (r95.ci_low as number));
  });
});

describe('seasonalMannKendall', () => {
  it('matches pyMannKendall seasonal_test(period = 12) on data with missing values', () => {
    const r = seasonalMannKendall(rain, 12);
    expectPy(r, r.var_s, py.seasonal_test_period12);
    expect(r.seasons).toHaveLength(12);
    expect(r.seasons.reduce((a, g) => a + g.s, 0)).toBe(r.s);
    expect(r.seasons.reduce((a, g) => a + g.n, 0)).toBe(r.n);
  });

  it('matches R trend::smk.test on AirPassengers', () => {
    const r = seasonalMannKendall(air.data, air.frequency);
    const ref = air['trend_smk.test'];
    expect(r.s).toBe(ref.S);
    expectClose(r.var_s, ref.varS);
    expectClose(r.z, ref.z);
    expectClose(r.p, ref.p);
    expect(r.direction).toBe('increasing');
  });
});

describe('seasonalSensSlope', () => {
  it('matches pyMannKendall seasonal_sens_slope (slope per cycle, intercept)', () => {
    const r = seasonalSensSlope(rain, 12);
    const ref = py.seasonal_sens_slope_period12;
    expectClose(r.slope_per_cycle, ref.slope as number);
    expectClose(r.slope_per_period, (ref.slope as number) / 12);
    expectClose(r.intercept, ref.intercept as number);
  });

  it('matches R trend::sea.sens.slope on AirPassengers (per cycle = per year)', () => {
    const r = seasonalSensSlope(air.data, air.frequency);
    expectClose(r.slope_per_cycle, air['trend_sea.sens.slope_per_cycle']);
    expectClose(r.slope_per_period, air['trend_sea.sens.slope_per_cycle'] / 12);
  });

  it('gives a confidence interval around the slope in both units', () => {
    for (const x of [air.data, rain]) {
      const r = seasonalSensSlope(x, 12);
      const lo = r.ci_low_per_cycle as number;
      const hi = r.ci_high_per_cycle as number;
      expect(lo).toBeLessThanOrEqual(r.slope_per_cycle as number);
      expect(hi).toBeGreaterThanOrEqual(r.slope_per_cycle as number);
      expectClose(r.ci_low_per_period, lo / 12, 1e-12);
      expectClose(r.ci_high_per_period, hi / 12, 1e-12);
    }
    // a strong seasonal trend: the interval excludes zero
    expect(seasonalSensSlope(air.data, 12).ci_low_per_cycle as number).toBeGreaterThan(0);
  });
});

describe('hamedRaoMK', () => {
  it('matches R modifiedmk::mmkh on AirPassengers (default flavour)', () => {
    const ref = air.modifiedmk_mmkh;
    for (const neverShrink of [true, false]) {
      const r = hamedRaoMK(air.data, { neverShrink });
      expectClose(r.z, ref.Zc);
      expectClose(r.p, ref.p);
      expectClose(r.n_over_nstar, ref.n_over_nstar);
      expectClose(r.var_s_corrected, ref.var_corrected);
      expectClose(r.var_s, air['trend_mk.test'].varS);
    }
  });

  it('matches the pre-2024 pyMannKendall expectation (signed sum, variance may shrink)', () => {
    const r = hamedRaoMK(rain, { flavour: 'pymannkendall-pre2024', neverShrink: false });
    expectPy(r, r.var_s_corrected, py.hamed_rao_modification_test_default);
    expect(r.n_over_nstar as number).toBeLessThan(1);
  });

  it('matches pyMannKendall with lag = 3', () => {
    const r = hamedRaoMK(rain, { flavour: 'pymannkendall-pre2024', lag: 3, neverShrink: false });
    expectPy(r, r.var_s_corrected, py.hamed_rao_modification_test_lag3);
  });

  it('neverShrink (default) floors the factor at 1 and reports the raw factor', () => {
    const raw = hamedRaoMK(rain, { neverShrink: false });
    const floored = hamedRaoMK(rain);
    expect(floored.n_over_nstar).toBe(raw.n_over_nstar);
    expect(floored.correction_factor).toBe(1);
    expect(floored.var_s_corrected).toBe(floored.var_s);
    expect(floored.z).toBe(mannKendall(rain).z);
    expect(floored.z_uncorrected).toBe(floored.z);
    expect(floored.direction).toBe('no trend');
  });

  it('flavours agree without gaps; with gaps modifiedmk detrends with the compacted Sen slope', () => {
    const a = hamedRaoMK(air.data, { flavour: 'modifiedmk' });
    const b = hamedRaoMK(air.data, { flavour: 'pymannkendall-pre2024' });
    expect(a).toEqual(b);
    const compacted = rain.filter((v): v is number => v !== null);
    expect(hamedRaoMK(rain).slope).toBe(sensSlope(compacted).slope);
    expect(hamedRaoMK(rain, { flavour: 'pymannkendall-pre2024' }).slope).toBe(sensSlope(rain).slope);
  });
});

describe('other autocorrelation corrections (pyMannKendall)', () => {
  it('yueWangMK matches yue_wang_modification_test (all lags and lag = 1)', () => {
    const all = yueWangMK(rain, { neverShrink: false });
    expectPy(all, all.var_s_corrected, py.yue_wang_modification_test_default);
    const lag1 = yueWangMK(rain, { lag: 1, neverShrink: false });
    expectPy(lag1, lag1.var_s_corrected, py.yue_wang_modification_test_lag1);
  });

  it('preWhiteningMK matches pre_whitening_modification_test', () => {
    const r = preWhiteningMK(rain);
    expectPy(r, r.var_s, py.pre_whitening_modification_test);
  });

  it('trendFreePreWhiteningMK matches trend_free_pre_whitening_modification_test', () => {
    const r = trendFreePreWhiteningMK(rain);
    expectPy(r, r.var_s, py.trend_free_pre_whitening_modification_test);
  });
});

// ---------------------------------------------------------------------------
// short, missing and constant series; argument checks

describe('degenerate input', () => {
  const tooShort: (number | null)[][] = [[], [1], [1, 2], [null, null, null], [Number.NaN, 4, null, 5]];

  it('reports too few observations instead of throwing', () => {
    for (const x of tooShort) {
      for (const r of [mannKendall(x), hamedRaoMK(x), yueWangMK(x), preWhiteningMK(x), trendFreePreWhiteningMK(x)]) {
        expect(r.status).toBe('too few observations');
        expect(r.s).toBeNull();
        expect(r.z).toBeNull();
        expect(r.p).toBeNull();
        expect(r.direction).toBeNull();
      }
    }
    expect(mannKendall([Number.NaN, 4, null, 5]).n).toBe(2);
    expect(sensSlope([null, 3, null]).status).toBe('too few observations');
    expect(sensSlope([null, 3, null]).slope).toBeNull();
    // one full cycle: no within-season pair
    expect(seasonalMannKendall([1, 2, 3, 4], 4).status).toBe('too few observations');
    expect(seasonalSensSlope([1, 2, 3, 4, null], 4).slope_per_cycle).toBeNull();
    expect(seasonalMannKendall([], 12).s).toBeNull();
  });

  it('handles the smallest usable series', () => {
    const r = mannKendall([1, null, 2, 3]);
    expect(r).toMatchObject({ status: 'ok', n: 3, s: 3, tau: 1 });
    const sen = sensSlope([1, 3]);
    expect(sen).toMatchObject({ status: 'ok', slope: 2, intercept: 1, ci_low: null, ci_high: null });
    // gaps keep their position: slope between t = 0 and t = 2
    expect(sensSlope([1, null, 3]).slope).toBe(1);
    expect(seasonalSensSlope([1, 2, 3, 5], 2).slope_per_cycle).toBe(2.5);
  });

  it('a constant series has s = 0, var_s = 0, z = 0, p = 1 and no trend', () => {
    const x = [7, 7, null, 7, 7, 7, 7, 7];
    expect(mannKendall(x)).toMatchObject({ status: 'ok', s: 0, var_s: 0, z: 0, p: 1, tau: 0, tau_b: 0, direction: 'no trend' });
    expect(sensSlope(x)).toMatchObject({ slope: 0, intercept: 7, ci_low: 0, ci_high: 0 });
    expect(hamedRaoMK(x, { neverShrink: false })).toMatchObject({ status: 'ok', z: 0, p: 1, n_over_nstar: 1, direction: 'no trend' });
    expect(seasonalMannKendall(x, 2)).toMatchObject({ s: 0, var_s: 0, z: 0, p: 1, direction: 'no trend' });
  });

  it('rejects invalid arguments', () => {
    expect(() => mannKendall([1, 2, 3], { alpha: 0 })).toThrow(RangeError);
    expect(() => sensSlope([1, 2, 3], { alpha: 1.5 })).toThrow(RangeError);
    expect(() => seasonalMannKendall([1, 2, 3], 1)).toThrow(RangeError);
    expect(() => seasonalSensSlope([1, 2, 3], 2.5)).toThrow(RangeError);
    expect(() => hamedRaoMK([1, 2, 3, 4], { lag: 0 })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------
// properties

/** Integer series with ties and missing values. */
const seriesArb = fc.array(fc.option(fc.integer({ min: -40, max: 40 }), { nil: null, freq: 6 }), {
  minLength: 0,
  maxLength: 72,
});

function same(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function neg(v: number | null): number | null {
  return v === null ? null : -v;
}

describe('properties', () => {
  it('a constant series has s = 0 and no trend', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 3, max: 60 }), (c, n) => {
        const x = Array.from({ length: n }, () => c);
        const mk = mannKendall(x);
        const sen = sensSlope(x);
        const seasonal = seasonalMannKendall(x, 3);
        return mk.s === 0 && mk.z === 0 && mk.p === 1 && mk.direction === 'no trend' && sen.slope === 0 &&
          hamedRaoMK(x).direction === 'no trend' &&
          (n <= 3 ? seasonal.status === 'too few observations' : seasonal.s === 0 && seasonal.direction === 'no trend');
      }),
    );
  });

  it('reversing a series flips the sign of s, z, tau and the slopes', () => {
    fc.assert(
      fc.property(seriesArb, (x) => {
        const r = [...x].reverse();
        const a = mannKendall(x);
        const b = mannKendall(r);
        const sa = sensSlope(x);
        const sb = sensSlope(r);
        const qa = seasonalMannKendall(x, 4);
        const qb = seasonalMannKendall(r, 4);
        const ssa = seasonalSensSlope(x, 4);
        const ssb = seasonalSensSlope(r, 4);
        return (
          same(b.s, neg(a.s)) && same(b.z, neg(a.z)) && same(b.tau, neg(a.tau)) && same(b.tau_b, neg(a.tau_b)) &&
          same(b.p, a.p) && same(b.var_s, a.var_s) &&
          same(sb.slope, neg(sa.slope)) && same(sb.ci_low, neg(sa.ci_high)) && same(sb.ci_high, neg(sa.ci_low)) &&
          same(qb.s, neg(qa.s)) && same(qb.var_s, qa.var_s) && same(ssb.slope_per_cycle, neg(ssa.slope_per_cycle))
        );
      }),
    );
  });

  it('adding a constant changes nothing but the intercept', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: -1000, max: 1000 }), (x, c) => {
        const y = x.map((v) => (v === null ? null : v + c));
        const sx = sensSlope(x);
        const sy = sensSlope(y);
        expect(mannKendall(y)).toEqual(mannKendall(x));
        expect(seasonalMannKendall(y, 3)).toEqual(seasonalMannKendall(x, 3));
        return same(sy.slope, sx.slope) && same(sy.ci_low, sx.ci_low) && same(sy.ci_high, sx.ci_high) &&
          same(sy.intercept, sx.intercept === null ? null : sx.intercept + c);
      }),
    );
  });

  it('multiplying by a positive constant scales the slope and leaves s, z, p unchanged', () => {
    fc.assert(
      fc.property(seriesArb, fc.double({ min: 0.001, max: 1000, noNaN: true }), (x, k) => {
        const y = x.map((v) => (v === null ? null : v * k));
        const a = mannKendall(x);
        const b = mannKendall(y);
        const sx = sensSlope(x);
        const sy = sensSlope(y);
        const scaled = (v: number | null): number | null => (v === null ? null : v * k);
        return b.s === a.s && b.z === a.z && b.p === a.p && b.var_s === a.var_s &&
          same(sy.slope, scaled(sx.slope)) && same(sy.ci_low, scaled(sx.ci_low)) && same(sy.ci_high, scaled(sx.ci_high)) &&
          same(seasonalSensSlope(y, 4).slope_per_cycle, scaled(seasonalSensSlope(x, 4).slope_per_cycle));
      }),
    );
  });

  it('with neverShrink the corrected variance is never below the uncorrected one', () => {
    // random walks (strong positive autocorrelation) and alternating noise (negative)
    const walk = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 3, maxLength: 80 }).map((steps) => {
      let level = 0;
      return steps.map((s) => (level += s));
    });
    const alternating = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 80 }).map((v) =>
      v.map((e, i) => (i % 2 === 0 ? 20 + e : -e)),
    );
    fc.assert(
      fc.property(fc.oneof(seriesArb, walk, alternating), fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }), (x, lag) => {
        for (const r of [hamedRaoMK(x, { lag }), yueWangMK(x, { lag })]) {
          if (r.status !== 'ok') continue;
          if (!((r.var_s_corrected as number) >= (r.var_s as number))) return false;
          if (!((r.correction_factor as number) >= 1)) return false;
          if (!(Math.abs(r.z as number) <= Math.abs(r.z_uncorrected as number))) return false;
        }
        return true;
      }),
    );
  });

  it('Sen slope and CI equal the order statistics of the fully sorted slopes', () => {
    // oracle: sort every pairwise slope and read off the median and the R ranks
    fc.assert(
      fc.property(seriesArb, fc.constantFrom(0.05, 0.1, 0.2), (x, alpha) => {
        const pts = x.flatMap((v, t) => (v === null ? [] : [[t, v] as const]));
        const r = sensSlope(x, { alpha });
        if (pts.length < 2) return r.status === 'too few observations';
        const d: number[] = [];
        for (let i = 0; i < pts.length; i++) {
          for (let j = i + 1; j < pts.length; j++) d.push((pts[j][1] - pts[i][1]) / (pts[j][0] - pts[i][0]));
        }
        d.sort((a, b) => a - b);
        const h = d.length >> 1;
        const med = d.length % 2 ? d[h] : (d[h - 1] + d[h]) / 2;
        const n = pts.length;
        const groups = new Map<number, number>();
        for (const [, v] of pts) groups.set(v, (groups.get(v) ?? 0) + 1);
        let varS = n * (n - 1) * (2 * n + 5);
        for (const t of groups.values()) varS -= t * (t - 1) * (2 * t + 5);
        const c = normalQuantile(1 - alpha / 2) * Math.sqrt(varS / 18);
        const rRound = (v: number): number => {
          const f = Math.floor(v);
          return v - f > 0.5 || (v - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
        };
        const lo = rRound((d.length - c) / 2);
        const up = rRound((d.length + c) / 2 + 1);
        const inRange = lo >= 1 && up <= d.length;
        return r.slope === med && r.ci_low === (inRange ? d[lo - 1] : null) && r.ci_high === (inRange ? d[up - 1] : null);
      }),
    );
  });

  it('tau equals tau_b when there are no ties, and the Sen CI brackets the slope', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 60 }), (x) => {
        const r = mannKendall(x);
        const s = sensSlope(x);
        const ciOk = s.ci_low === null || ((s.ci_low as number) <= (s.slope as number) && (s.slope as number) <= (s.ci_high as number));
        return same(r.tau, r.tau_b) && ciOk;
      }),
    );
  });
});
