/**
 * `fairload series --json` reports `stl.params`: the stats::stl() arguments that
 * reproduce its seasonal decomposition in R. Checked against R 4.2.2 on the
 * `analysis_cases` of test/fixtures/stl-r/stl-r.json.gz (made by
 * make-fixture.R): complete monthly series of 37, 60, 84 and 96 months with
 * spikes, fitted in R as fairload's seasonal profile fits them (robust, and
 * s.window "periodic" below 84 months, else 13). For each case the R script
 * also evaluated the explicit call `r_call` (every parameter spelled out) and
 * checked that it gives exactly the same fit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { seriesCommand } from '../../bin/commands/series.ts';
import { analyseSeries } from '../../pipelines/stats/analyze.ts';
import { resolveStlParams, stlParamsForR } from '../../pipelines/stats/stl.ts';

interface AnalysisCase {
  dates: string[];
  values: number[];
  r_call: string;
  params: Record<string, number | boolean>;
  seasonal: number[];
  trend: number[];
  remainder: number[];
}
const fx: { analysis_cases: AnalysisCase[] } = JSON.parse(
  gunzipSync(readFileSync(fileURLToPath(new URL('../fixtures/stl-r/stl-r.json.gz', import.meta.url)))).toString('utf8'),
);

function expectClose(got: readonly (number | null)[], want: readonly number[], label: string): void {
  expect(got.length, label).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i];
    if (g === null || !(Math.abs(g - w) <= 1e-8 * Math.max(1, Math.abs(w)))) {
      throw new Error(`${label}[${i}]: got ${g}, R ${w}`);
    }
  });
}

describe('stl.params in the series analysis reproduce the fit in R', () => {
  it('the fixture has periodic and numeric s.window cases', () => {
    expect(fx.analysis_cases.map((c) => c.params.periodic)).toEqual(expect.arrayContaining([true, false]));
  });

  for (const c of fx.analysis_cases) {
    it(`${c.dates.length} months from ${c.dates[0]}: params and r_call are R's, and the fit is R's to 1e-8`, () => {
      const a = analyseSeries({ dates: c.dates, values: c.values });
      expect(a.stl).not.toBeNull();
      const { r_call, ...params } = a.stl!.params;
      expect(params).toEqual(c.params);
      expect(r_call).toBe(c.r_call);
      expectClose(a.stl!.seasonal, c.seasonal, 'seasonal');
      expectClose(a.stl!.trend, c.trend, 'trend');
      expectClose(a.stl!.remainder, c.remainder, 'remainder');
    });
  }

  it('resolveStlParams follows R defaults (documented examples)', () => {
    // monthly, periodic, n = 60: s.window 601, t.window nextodd(ceiling(18 / (1 - 1.5 / 601))) = 19
    expect(stlParamsForR(resolveStlParams(60, 12, { sWindow: 'periodic', robust: true }))).toMatchObject({
      's.window': 601, 's.degree': 0, 't.window': 19, 'l.window': 13, 't.degree': 1, 'l.degree': 1,
      's.jump': 61, 't.jump': 2, 'l.jump': 2, inner: 1, outer: 15, robust: true, periodic: true,
    });
    // s.window 13: t.window nextodd(ceiling(18 / (1 - 1.5 / 13))) = nextodd(21) = 21
    expect(stlParamsForR(resolveStlParams(96, 12, { sWindow: 13 }))).toMatchObject({
      's.window': 13, 't.window': 21, 'l.window': 13, 's.jump': 2, 't.jump': 3, 'l.jump': 2, inner: 2, outer: 0, robust: false, periodic: false,
    });
  });

  it('`fairload series --json` prints stl.params', async () => {
    const c = fx.analysis_cases.find((k) => k.params.periodic)!;
    const dir = mkdtempSync(join(tmpdir(), 'fairload-stl-params-'));
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      const csv = join(dir, 'series.csv');
      writeFileSync(csv, `month,v\n${c.dates.map((d, i) => `${d},${c.values[i]}`).join('\n')}\n`);
      const code = await seriesCommand.run({
        values: { date: 'month', value: 'v', period: '12', json: true },
        positionals: [csv],
      } as unknown as Parameters<typeof seriesCommand.run>[0]);
      spy.mockRestore();
      expect(code).toBe(0);
      const j = JSON.parse(chunks.join(''));
      expect(j.stl.params).toEqual({ ...c.params, r_call: c.r_call });
      expectClose(j.stl.seasonal, c.seasonal, 'cli seasonal');
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
