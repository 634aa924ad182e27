/**
 * pipelines/audit-pool.ts: the audit's tests give the same results, bit for bit and in the order of
 * the tests, in worker threads as in the calling thread alone (the audit must not depend on how
 * many cores there are), and a test's result is what auditComparison gives on its observations.
 */
import { describe, expect, it } from "vitest";
import { AuditPool, type AuditTask } from "../../pipelines/audit-pool.ts";
import { auditComparison, experienceFactors, FAIRNESS_MEASURES, type WorkerMonthObs } from "../../pipelines/stats/fairness.ts";
import { BASE, EM, NK, simulate, team, WB } from "../support/fairness-sim.ts";

function observations(): WorkerMonthObs[] {
  const obs = simulate({ seed: 11, teams: [team("North", 7, 9, 1.3), team("South", 6, 8), team("East", 5, 5, 1, "Adults"), { service: "Adults", team: "West", members: [{ group: EM, count: 4 }, { group: WB, count: 6 }, { group: NK, count: 3 }] }] });
  return obs.map((o) => ({ ...o, experience_band: o.worker_id.endsWith("1") ? "under 2 years" : "5 to 9 years" }));
}

async function runWith(threads: number, obs: WorkerMonthObs[], callerTakesTests = true) {
  const factors = experienceFactors(obs, FAIRNESS_MEASURES);
  const pool = new AuditPool(threads, { callerTakesTests });
  try {
    pool.start({ obs: obs.map((o) => ({ ...o, group: "" })), experienceFactors: factors });
    const tasks: (AuditTask & { cost: number })[] = [];
    const direct: (() => ReturnType<typeof auditComparison>)[] = [];
    for (const service of [null, "Safeguarding and Support", "Adults"]) {
      const rows = obs.flatMap((o, i) => (service === null || o.service === service ? [i] : []));
      for (const [from, to] of [[null, null], [NK, EM], [NK, WB]] as const) {
        const groups = rows.map((i) => (obs[i]!.group === from ? to! : obs[i]!.group));
        const subset = pool.subset(Int32Array.from(rows), groups);
        for (const measure of FAIRNESS_MEASURES) {
          const options = { ...BASE, seed: 3, measure, resamples: 999, service, scope: service ?? "employer", adjust: ["service", "team", "role", "experience"] as const, mc: { pThresholds: [0.025, 0.05], ciThresholds: [0.8, 1, 1.25], risk: 1e-4, maxPermutations: 999, maxResamples: 999 } };
          tasks.push({ subset, options: { ...options, adjust: [...options.adjust] }, cost: rows.length });
          const mine = rows.map((i) => ({ ...obs[i]!, group: groups[rows.indexOf(i)]! }));
          direct.push(() => auditComparison(mine, { ...options, adjust: [...options.adjust], experienceFactors: factors }));
        }
      }
    }
    let done = 0;
    const results = await pool.run(tasks, () => done++);
    expect(done).toBe(tasks.length);
    return { results, direct, counts: [...pool.counts] };
  } finally {
    await pool.close();
  }
}

describe("AuditPool", () => {
  it("gives the same results in two worker threads as in the calling thread, in the order of the tests", async () => {
    const obs = observations();
    const here = await runWith(0, obs);
    // every test in the threads, then the threads and the calling thread together
    const threads = await runWith(2, obs, false);
    expect(threads.counts[0]).toBe(0);
    expect(threads.counts[1]! + threads.counts[2]!).toBe(here.results.length);
    expect(threads.results).toEqual(here.results);
    const both = await runWith(2, obs);
    expect(both.results).toEqual(here.results);
    // and each is auditComparison on the test's own observations
    for (const k of [0, 5, 13, 40, here.results.length - 1]) expect(here.results[k]).toEqual(here.direct[k]!());
  }, 120_000);
});
