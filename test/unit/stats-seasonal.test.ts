import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stl, StlInputError, type StlOptions } from '../../pipelines/stats/stl.ts';
import { decompose, DecomposeInputError, convolutionFilter } from '../../pipelines/stats/decompose.ts';
import {
  deseasonalise,
  peakAndTroughMonths,
  PERMUTATION_SEED,
  PERMUTATIONS,
  seasonalProfile,
  seasonalStrength,
  stableSeasonalityPValue,
} from '../../pipelines/stats/seasonal.ts';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8'));

/**
 * 1e-6 relative to the reference value, with an absolute floor of 1e-9 for
 * reference values that are (nearly) zero, where a relative test is meaningless.
 */
function expectClose(actual: readonly (number | null)[], expected: readonly (number | null)[], label: string): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (e === null) {
      expect(a, `${label}[${i}]`).toBeNull();
      return;
    }
    expect(a, `${label}[${i}]`).not.toBeNull();
    const err = Math.abs((a as number) - e);
    if (err > 1e-6 * Math.abs(e) + 1e-9) {
      throw new Error(`${label}[${i}]: got ${a}, expected ${e} (|diff| ${err})`);
    }
  });
}

/** Deterministic uniform PRNG (mulberry32) and a Box-Muller normal on top of it. */
function rng(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed | 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = uniform() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

describe('stl: R stats::stl reference values (test/fixtures/stl.json)', () => {
  const key = fixture('stl.json');
  const cases: [string, StlOptions][] = [
    ['ankane30_period7_swindow7', { sWindow: 7 }],
    ['ankane30_period7_swindow7_robust', { sWindow: 7, robust: true }],
    ['logco2_swindow21', { sWindow: 21 }],
  ];
  for (const [name, opts] of cases) {
    it(name, () => {
      const c = key[name];
      const fit = stl(c.data, c.period, opts);
      for (const comp of ['seasonal', 'trend', 'remainder', 'weights'] as const) {
        expectClose(fit[comp], c.fit[comp], `${name}.${comp}`);
      }
      const p = c.fit.params;
      expect(fit.params).toMatchObject({
        sWindow: p.s_window,
        tWindow: p.t_window,
        lWindow: p.l_window,
        sDegree: p.s_degree,
        tDegree: p.t_degree,
        lDegree: p.l_degree,
        sJump: p.s_jump,
        tJump: p.t_jump,
        lJump: p.l_jump,
        inner: p.inner,
        outer: p.outer,
      });
    });
  }

  it('robust weights are not all 1 for the robust case (the test would catch a dropped outer loop)', () => {
    const c = key.ankane30_period7_swindow7_robust;
    expect(Math.min(...c.fit.weights)).toBeLessThan(0.5);
    expect(Math.min(...stl(c.data, 7, { sWindow: 7, robust: true }).weights)).toBeLessThan(0.5);
  });
});

describe('stl: R wrapper semantics', () => {
  const x = fixture('stl.json').ankane30_period7_swindow7.data as number[];

  it("s.window = 'periodic' uses 10n+1, degree 0 and an exactly periodic seasonal", () => {
    const fit = stl(x, 7, { sWindow: 'periodic' });
    expect(fit.params.periodic).toBe(true);
    expect(fit.params.sWindow).toBe(10 * x.length + 1);
    expect(fit.params.sJump).toBe(x.length + 1);
    expect(fit.params.sDegree).toBe(0);
    // nextodd(ceiling(1.5 * 7 / (1 - 1.5 / 301))) = nextodd(11) = 11
    expect(fit.params.tWindow).toBe(11);
    for (let i = 0; i + 7 < x.length; i++) expect(fit.seasonal[i + 7]).toBe(fit.seasonal[i]);
    // the periodic seasonal is the per-position mean of the raw Fortran seasonal, which a
    // huge (but finite) s.window with s.degree 0 reproduces before averaging
    const raw = stl(x, 7, { sWindow: 10 * x.length + 1, tWindow: 11 });
    for (let p = 0; p < 7; p++) {
      const grp = raw.seasonal.filter((_, i) => i % 7 === p);
      expect(fit.seasonal[p]).toBeCloseTo(grp.reduce((a, b) => a + b, 0) / grp.length, 12);
    }
  });

  it('refuses missing values, short series and bad options with typed errors', () => {
    const err = (f: () => unknown): StlInputError => {
      try {
        f();
      } catch (e) {
        if (e instanceof StlInputError) return e;
        throw e;
      }
      throw new Error('no error thrown');
    };
    expect(err(() => stl([...x.slice(0, 10), null, ...x.slice(11)], 7)).code).toBe('missing_values');
    expect(err(() => stl([...x.slice(0, 10), NaN, ...x.slice(11)], 7)).code).toBe('missing_values');
    expect(err(() => stl([...x.slice(0, 10), Infinity, ...x.slice(11)], 7)).code).toBe('non_finite');
    expect(err(() => stl(x.slice(0, 14), 7)).code).toBe('too_short');
    expect(() => stl(x.slice(0, 14), 7, { allowTwoPeriods: true })).not.toThrow();
    expect(err(() => stl(x.slice(0, 13), 7, { allowTwoPeriods: true })).code).toBe('too_short');
    expect(err(() => stl(x, 1)).code).toBe('bad_period');
    expect(err(() => stl(x, 7, { sWindow: 7, tDegree: 2 })).code).toBe('bad_option');
    expect(err(() => stl(x, 7, { sWindow: 7, sJump: 0 })).code).toBe('bad_option');
  });

  it('property: seasonal + trend + remainder reproduces x', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 25, maxLength: 60 }),
        fc.constantFrom(4, 7, 12),
        fc.constantFrom<number | 'periodic'>(7, 13, 'periodic'),
        fc.boolean(),
        (xs, period, sWindow, robust) => {
          fc.pre(xs.length > 2 * period);
          const f = stl(xs, period, { sWindow, robust });
          xs.forEach((v, i) => {
            expect(Math.abs(f.seasonal[i] + f.trend[i] + f.remainder[i] - v)).toBeLessThan(1e-9 * (1 + Math.abs(v)));
          });
        },
      ),
      { numRuns: 30, seed: 42 },
    );
  });

  it('property: adding a constant shifts the trend by it and leaves seasonal and remainder unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 25, maxLength: 60 }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.constantFrom(4, 7, 12),
        fc.constantFrom<number | 'periodic'>(7, 13, 'periodic'),
        fc.boolean(),
        (xs, c, period, sWindow, robust) => {
          fc.pre(xs.length > 2 * period);
          const a = stl(xs, period, { sWindow, robust });
          const b = stl(
            xs.map((v) => v + c),
            period,
            { sWindow, robust },
          );
          const tol = 1e-9 * (1 + Math.abs(c) + Math.max(...xs.map(Math.abs)));
          xs.forEach((_, i) => {
            expect(Math.abs(b.trend[i] - (a.trend[i] + c))).toBeLessThan(tol);
            expect(Math.abs(b.seasonal[i] - a.seasonal[i])).toBeLessThan(tol);
            expect(Math.abs(b.remainder[i] - a.remainder[i])).toBeLessThan(tol);
          });
        },
      ),
      { numRuns: 30, seed: 7 },
    );
  });
});

describe('decompose: R stats::decompose reference values (test/fixtures/decompose.json)', () => {
  const key = fixture('decompose.json').AirPassengers_multiplicative;

  it('AirPassengers multiplicative: figure, trend and random', () => {
    const d = decompose(key.data, 12, 'multiplicative');
    expectClose(d.figure, key.figure, 'figure');
    expectClose(d.trend, key.trend, 'trend');
    expectClose(d.random, key.random, 'random');
    expect(d.figure.reduce((a, b) => a + b, 0) / 12).toBeCloseTo(1, 12);
    d.seasonal.forEach((s, i) => expect(s).toBe(d.figure[i % 12]));
  });

  it('additive: figure sums to 0, NA at the ends, x = seasonal + trend + random', () => {
    const d = decompose(key.data, 12, 'additive');
    expect(d.figure.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 9);
    expect(d.trend.slice(0, 6).every((v) => v === null)).toBe(true);
    expect(d.trend.slice(-6).every((v) => v === null)).toBe(true);
    expect(d.trend[6]).not.toBeNull();
    key.data.forEach((v: number, i: number) => {
      const t = d.trend[i];
      const r = d.random[i];
      if (t !== null && r !== null) expect(d.seasonal[i] + t + r).toBeCloseTo(v, 9);
    });
  });

  it('odd period uses a simple centred moving average; missing values propagate as in stats::filter', () => {
    const ma = convolutionFilter([1, 2, 3, 4, 5], [1 / 3, 1 / 3, 1 / 3]);
    expect(ma[0]).toBeNull();
    expect(ma[4]).toBeNull();
    [2, 3, 4].forEach((v, k) => expect(ma[k + 1]).toBeCloseTo(v, 12));
    const withGap = convolutionFilter([1, 2, null, 4, 5, 6], [1 / 3, 1 / 3, 1 / 3]);
    expect(withGap.slice(0, 4)).toEqual([null, null, null, null]);
    expect(withGap[4]).toBeCloseTo(5, 12);
  });

  it('refuses fewer than two periods', () => {
    expect(() => decompose(key.data.slice(0, 23), 12)).toThrow(DecomposeInputError);
  });
});

/** Monthly series starting in calendar month `start` with per-month effects, a linear trend and N(0, sd) noise. */
function monthly(
  n: number,
  start: number,
  effect: (month: number) => number,
  opts: { level?: number; slope?: number; sd?: number; seed?: number } = {},
): number[] {
  const r = rng(opts.seed ?? 1);
  return Array.from({ length: n }, (_, i) => {
    const month = ((start - 1 + i) % 12) + 1;
    return (opts.level ?? 200) + (opts.slope ?? 0) * i + effect(month) + (opts.sd ?? 0) * r.normal();
  });
}

describe('seasonalProfile', () => {
  const planted = (m: number): number => ({ 9: 30, 10: 30, 11: 30, 3: 30, 8: -30, 12: -30 })[m] ?? 0;

  it('finds planted peaks (Sep-Nov, Mar) and troughs (Aug, Dec) despite noise, trend and an outlier', () => {
    for (const [years, start, seed] of [
      [3, 4, 11],
      [6, 1, 12],
      [9, 10, 13],
    ]) {
      const x: (number | null)[] = monthly(12 * years, start, planted, { slope: 0.5, sd: 4, seed });
      x[17] = (x[17] as number) + 200; // one data-entry spike
      const p = seasonalProfile(x, start);
      expect(p.code, p.status).toBe('ok');
      expect([...p.peak_months].sort((a, b) => a - b)).toEqual([3, 9, 10, 11]);
      expect([...p.trough_months].sort((a, b) => a - b)).toEqual([8, 12]);
      const idx = (m: number): number => p.indices[m - 1].index;
      for (let k = 1; k < p.peak_months.length; k++) expect(idx(p.peak_months[k - 1])).toBeGreaterThanOrEqual(idx(p.peak_months[k]));
      for (let k = 1; k < p.trough_months.length; k++) expect(idx(p.trough_months[k - 1])).toBeLessThanOrEqual(idx(p.trough_months[k]));
      expect(p.strength).toBeGreaterThan(0.3);
      expect(p.seasonality_p).toBeLessThan(0.05);
      expect(p.stl?.params.sWindow).toBe(years >= 7 ? 13 : 10 * x.length + 1);
      expect(p.stl?.params.outer).toBe(15); // robust by default
    }
  });

  it('reports indices per calendar month, in units and as % of the mean level', () => {
    const x = monthly(48, 7, (m) => 20 * Math.cos((2 * Math.PI * (m - 10)) / 12), { level: 100, sd: 1, seed: 3 });
    const p = seasonalProfile(x, 7);
    expect(p.indices.map((d) => d.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const level = x.reduce((a, b) => a + b, 0) / x.length;
    expect(p.level).toBeCloseTo(level, 10);
    for (const d of p.indices) expect(d.percent).toBeCloseTo((d.index / level) * 100, 10);
    expect(p.indices[9].index).toBeGreaterThan(17); // October, true effect +20
    expect(p.indices[3].index).toBeLessThan(-17); // April, true effect -20
    expect(p.peak_months[0]).toBe(10);
    expect(p.trough_months[0]).toBe(4);
  });

  it('a pure period-12 sinusoid plus a constant has strength near 1', () => {
    const x = monthly(60, 1, (m) => 10 * Math.sin((2 * Math.PI * m) / 12), { level: 50 });
    const p = seasonalProfile(x, 1);
    expect(p.strength).toBeGreaterThan(0.99);
    expect(p.code).toBe('ok');
  });

  it('a flat series with tiny noise has low strength and no peak or trough months', () => {
    const x = monthly(60, 1, () => 0, { level: 50, sd: 0.01, seed: 5 });
    const p = seasonalProfile(x, 1);
    expect(p.strength).toBeLessThan(0.3);
    expect(p.code).toBe('no_clear_pattern');
    expect(p.status).toMatch(/no clear seasonal pattern/);
    expect(p.peak_months).toEqual([]);
    expect(p.trough_months).toEqual([]);
  });

  it('short series return a status and no invented numbers, never a crash', () => {
    for (const n of [0, 1, 5, 23]) {
      const p = seasonalProfile(monthly(n, 1, () => 0, { sd: 1 }), 1);
      expect(p.code).toBe('too_short');
      expect(p.status).toBe(`not enough months for a seasonal test (need 24, have ${n})`);
      expect(p.indices).toEqual([]);
      expect(p.strength).toBeNull();
      expect(p.stl).toBeUndefined();
    }
    // 30 slots but only 22 observed (leading/trailing gaps) is still too short
    const x: (number | null)[] = monthly(30, 1, planted, { sd: 1 });
    for (const i of [0, 1, 2, 3, 26, 27, 28, 29]) x[i] = null;
    expect(seasonalProfile(x, 1).status).toBe('not enough months for a seasonal test (need 24, have 22)');
    // exactly 24 months is accepted
    expect(seasonalProfile(monthly(24, 1, planted, { sd: 1 }), 1).code).toBe('ok');
  });

  it('bridges gaps of up to 2 months by interpolation for the decomposition only, and says so', () => {
    const full = monthly(48, 1, planted, { sd: 2, seed: 9 });
    const x: (number | null)[] = [...full];
    x[20] = null;
    x[21] = null;
    const p = seasonalProfile(x, 1);
    expect(p.code).toBe('ok');
    expect(p.interpolated_positions).toEqual([20, 21]);
    expect(p.status).toMatch(/2 missing months linearly interpolated for the decomposition only: positions 20-21 \(Sep, Oct\)/);
    expect(p.n_observed).toBe(46);
    // filled linearly between the neighbours, not with zero: the STL input reconstructs the line
    const fit = p.stl!;
    const filled = (i: number): number => fit.seasonal[i] + fit.trend[i] + fit.remainder[i];
    expect(filled(20)).toBeCloseTo(full[19] + (full[22] - full[19]) / 3, 9);
    expect(filled(21)).toBeCloseTo(full[19] + (2 * (full[22] - full[19])) / 3, 9);
  });

  it('refuses gaps longer than 2 months inside the span', () => {
    const x: (number | null)[] = monthly(48, 1, planted, { sd: 2 });
    x[10] = x[11] = x[12] = null;
    const p = seasonalProfile(x, 1);
    expect(p.code).toBe('gaps_too_long');
    expect(p.status).toMatch(/3 consecutive missing months at positions 10-12 \(Nov, Dec, Jan\)/);
    expect(p.indices).toEqual([]);
  });

  it('drops leading and trailing missing months and labels months by the true calendar', () => {
    const start = 5;
    const body = monthly(36, 8, planted, { sd: 2, seed: 4 }); // first observed value is August
    const x = [null, null, null, ...body, null];
    const p = seasonalProfile(x, start);
    expect(p.span_start).toBe(3);
    expect([...p.peak_months].sort((a, b) => a - b)).toEqual([3, 9, 10, 11]);
    expect([...p.trough_months].sort((a, b) => a - b)).toEqual([8, 12]);
  });
});

describe('seasonal helpers', () => {
  it('seasonalStrength follows max(0, 1 - var(R) / var(S + R))', () => {
    const s = [1, -1, 1, -1, 1, -1];
    const r = [0.1, 0.2, -0.1, 0, -0.2, 0];
    const v = (a: number[]): number => {
      const m = a.reduce((p, q) => p + q, 0) / a.length;
      return a.reduce((p, q) => p + (q - m) ** 2, 0) / (a.length - 1);
    };
    expect(seasonalStrength(s, r)).toBeCloseTo(1 - v(r) / v(s.map((x, i) => x + r[i])), 12);
    expect(seasonalStrength([0, 0, 0], [1, -1, 0])).toBe(0);
    expect(seasonalStrength([5, 5, 5], [0, 0, 0])).toBe(0);
  });

  it('peak rule: a sinusoid gives the top three and bottom three months; one deep trough gives no peaks', () => {
    const sin = Array.from({ length: 12 }, (_, k) => ({ month: k + 1, index: 10 * Math.cos((2 * Math.PI * (k + 1 - 7)) / 12) }));
    const a = peakAndTroughMonths(sin);
    expect(a.peaks).toEqual([7, 6, 8]);
    expect(a.troughs[0]).toBe(1);
    expect([...a.troughs.slice(1)].sort((p, q) => p - q)).toEqual([2, 12]); // a tie up to rounding
    const dip = Array.from({ length: 12 }, (_, k) => ({ month: k + 1, index: k === 4 ? -27.5 : 2.5 }));
    expect(peakAndTroughMonths(dip)).toEqual({ peaks: [], troughs: [5] });
    expect(peakAndTroughMonths(Array.from({ length: 12 }, (_, k) => ({ month: k + 1, index: 0 })))).toEqual({ peaks: [], troughs: [] });
  });

  it('stable-seasonality permutation test separates a seasonal pattern from shuffled noise', () => {
    const pos = Array.from({ length: 36 }, (_, i) => i % 12);
    const seasonal = pos.map((p) => (p < 6 ? 5 : -5) + 0.1 * Math.sin(p * 7.1));
    expect(stableSeasonalityPValue(seasonal, pos, 12)).toBeLessThan(0.01);
    const r = rng(99);
    const noise = pos.map(() => r.normal());
    expect(stableSeasonalityPValue(noise, pos, 12)).toBeGreaterThan(0.05);
    expect(stableSeasonalityPValue(noise, pos, 12)).toBe(stableSeasonalityPValue(noise, pos, 12)); // reproducible
  });

  it('the sequential test (stopped at h = ceil(alpha * 1000) exceedances) decides as the fixed one, series by series', () => {
    const alpha = 0.05;
    const h = Math.ceil(alpha * (PERMUTATIONS + 1));
    const r = rng(20261203);
    let stopped = 0;
    let same = 0;
    for (let k = 0; k < 400; k++) {
      const n = 24 + (k % 37);
      const pos = Array.from({ length: n }, (_, i) => i % 12);
      // from pure noise to a clear pattern, so that both decisions occur
      const amp = (k % 8) * 0.12;
      const x = pos.map((p) => amp * Math.sin((2 * Math.PI * p) / 12) + r.normal());
      const fixed = stableSeasonalityPValue(x, pos, 12);
      const seq = stableSeasonalityPValue(x, pos, 12, PERMUTATIONS, PERMUTATION_SEED, h);
      expect(seq < alpha, `series ${k}`).toBe(fixed < alpha);
      if (seq === fixed) same++;
      else {
        stopped++;
        // Besag and Clifford: h / l after l permutations, above alpha; the fixed test had more than h exceedances
        const l = h / seq;
        expect(Math.abs(l - Math.round(l)), `series ${k}`).toBeLessThan(1e-9);
        expect(Math.round(l)).toBeLessThanOrEqual(PERMUTATIONS);
        expect(seq).toBeGreaterThan(alpha);
        expect(fixed).toBeGreaterThan(alpha);
      }
    }
    // both kinds occur: every significant series runs in full, and most noise stops early
    expect(stopped).toBeGreaterThan(100);
    expect(same).toBeGreaterThan(50);
    // and through seasonalProfile (alpha: 1 runs the test in full): a seasonal series keeps the
    // fixed test's p to the last bit; noise stops early, with a p still above alpha
    const clear = monthly(48, 1, (m) => (m >= 9 ? 3 : -1), { sd: 0.5, seed: 5 });
    const clearP = seasonalProfile(clear, 1);
    expect(clearP.code).toBe('ok');
    expect(clearP.seasonality_p).toBe(seasonalProfile(clear, 1, { alpha: 1 }).seasonality_p);
    const noise = monthly(48, 1, () => 0, { sd: 5, seed: 6 });
    const seqP = seasonalProfile(noise, 1).seasonality_p!;
    const fullP = seasonalProfile(noise, 1, { alpha: 1 }).seasonality_p!;
    expect(seqP).not.toBe(fullP);
    expect(seqP).toBeGreaterThan(alpha);
    expect(fullP).toBeGreaterThan(alpha);
  });
});

describe('deseasonalise', () => {
  const planted = (m: number): number => ({ 9: 30, 10: 30, 11: 30, 3: 30, 8: -30, 12: -30 })[m] ?? 0;

  it('removes the STL seasonal component from a seasonal series', () => {
    const x: (number | null)[] = monthly(60, 2, planted, { slope: 1, sd: 2, seed: 21 });
    x[30] = null;
    const d = deseasonalise(x, 2);
    expect(d.adjusted).toBe(true);
    expect(d.code).toBe('ok');
    expect(d.values[30]).toBeNull(); // the interpolated month is not returned as data
    x.forEach((v, i) => {
      if (v !== null) expect(d.values[i]).toBeCloseTo(v - (d.seasonal![i] as number), 12);
    });
    // after adjustment the per-month means of (value - trend line) are nearly equal
    const resid = d.values.map((v, i) => (v === null ? null : v - 200 - i));
    const monthMeans = Array.from({ length: 12 }, (_, m) => {
      const g = resid.filter((v, i): v is number => v !== null && (1 + i) % 12 === m);
      return g.reduce((a, b) => a + b, 0) / g.length;
    });
    expect(Math.max(...monthMeans) - Math.min(...monthMeans)).toBeLessThan(6); // was 60 before
  });

  it('leaves non-seasonal and short series unchanged, with a flag and the reason', () => {
    // 7 years of white noise: Fs >= 0.3 with p < 0.05 happened in 0 of 100 simulated seeds
    const flat = monthly(84, 1, () => 0, { sd: 1, seed: 8 });
    const a = deseasonalise(flat, 1);
    expect(a.adjusted).toBe(false);
    expect(a.code).toBe('no_clear_pattern');
    expect(a.values).toEqual(flat);
    const short = [1, 2, null, 4];
    const b = deseasonalise(short, 1);
    expect(b.adjusted).toBe(false);
    expect(b.code).toBe('too_short');
    expect(b.values).toEqual(short);
    expect(b.status).toBe('not adjusted: not enough months for a seasonal test (need 24, have 3)');
  });

  it('works for other periods (quarterly)', () => {
    const x = Array.from({ length: 24 }, (_, i) => 50 + [10, -5, 0, -5][i % 4] + 0.3 * Math.sin(i * 3.7));
    const d = deseasonalise(x, 1, 4);
    expect(d.adjusted).toBe(true);
    expect(d.seasonal![0]).toBeGreaterThan(8);
  });
});
