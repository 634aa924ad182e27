/**
 * pipelines/series-pool.ts: the engine on many series gives the same rows, points and profiles in
 * worker threads as in the calling thread (the marts must not depend on how many cores there are).
 */
import { describe, expect, it } from "vitest";
import { analyseAll, startAnalysis } from "../../pipelines/series-pool.ts";
import { rowsOf, type SeriesData } from "../../pipelines/series-rows.ts";

function series(n: number): SeriesData[] {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, (_, i) => {
    const months = 6 + (i % 55);
    const dates = Array.from({ length: months }, (_, k) => `${2021 + Math.floor((k + 3) / 12)}-${String(((k + 3) % 12) + 1).padStart(2, "0")}`);
    const values = dates.map((_, k) => (i % 9 === 0 && k % 7 === 3 ? null : 20 + 0.05 * k * (i % 3) + 3 * Math.sin((2 * Math.PI * k) / 12) + (k > months / 2 && i % 4 === 0 ? 4 : 0) + rand()));
    return { key: { level: "team", service: `S${i % 3}`, team: `T${i}`, worker_id: null, measure: ["caseload_per_fte", "referrals", "agency_share"][i % 3]! }, dates, values };
  });
}

describe("analyseAll", () => {
  it("gives the same results in two worker threads as in the calling thread, in series order", async () => {
    const input = series(60);
    const ctx = { employer: "Test", baselines: { referrals: 12 } };
    const here = await analyseAll(input, ctx, { threads: 0 });
    const threads = await analyseAll(input, ctx, { threads: 2 });
    expect(threads.length).toBeGreaterThan(1);
    expect(threads.flatMap((c) => c.series)).toEqual(here.flatMap((c) => c.series));
    expect(rowsOf(threads.map((c) => c.points))).toEqual(rowsOf(here.map((c) => c.points)));
    expect(rowsOf(threads.map((c) => c.profiles))).toEqual(rowsOf(here.map((c) => c.profiles)));
    expect(here.flatMap((c) => c.series).map((s) => s.series_id)).toEqual(input.map((_, i) => i + 1));
    // one worker thread with the calling thread taking chunks too (the default on two cores)
    const shared = await analyseAll(input, ctx, { threads: 1 });
    expect(shared.flatMap((c) => c.series)).toEqual(here.flatMap((c) => c.series));
    expect(rowsOf(shared.map((c) => c.points))).toEqual(rowsOf(here.map((c) => c.points)));
  }, 60_000);

  it("works in the threads before finish is called, and cancel ends them", async () => {
    const input = series(80);
    const ctx = { employer: "Test", baselines: {} };
    let done = 0;
    const a = startAnalysis(input, ctx, { threads: 1, onProgress: (d) => (done = d) });
    // the worker thread analyses on its own while this thread waits
    for (let i = 0; i < 200 && done === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(done).toBeGreaterThan(0);
    const chunks = await a.finish();
    expect(chunks.flatMap((c) => c.series).map((s) => s.series_id)).toEqual(input.map((_, i) => i + 1));
    expect(done).toBe(input.length);
    const b = startAnalysis(input, ctx, { threads: 1 });
    await b.cancel();
    await expect(b.finish()).rejects.toThrow(/stopped/);
  }, 60_000);
});
