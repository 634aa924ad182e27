/**
 * Verdicts that do not hang on the random seed (issue: settled Monte Carlo). The shipped sample
 * audited with five seeds: the declared primary family's verdicts are identical, and wherever two
 * seeds disagree on any row, one of them reported it unsettled (a settled decision is the one
 * infinitely many resamples would give, with probability at least 1 - 1e-3 per test).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runAll } from "../../app/workflow.ts";
import type { Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { type AuditRecord, runAudit } from "../../pipelines/audit.ts";
import { ROOT, tempWorkspace } from "../support/helpers.ts";

const SEEDS = [1, 2, 3, 4, 5];
let runs: AuditRecord[][] = [];
const key = (r: AuditRecord) => JSON.stringify([r.scope, r.service, r.team, r.comparison, r.subgroup, r.group, r.measure]);

beforeAll(async () => {
  const ws: Workspace = tempWorkspace("Northshire (sample)");
  await ingest(ws, [join(ROOT, "data", "sample", "returns")]);
  await runAll(ws);
  runs = [];
  for (const seed of SEEDS) runs.push((await runAudit(ws, { seed })).results);
}, 600_000);

describe("the sample audited with five seeds", () => {
  it("gives identical verdicts in the declared primary family", () => {
    const primary = runs.map((rs) => rs.filter((r) => r.family === "primary").map((r) => `${key(r)} ${r.verdict}`).sort());
    expect(primary[0]!.length).toBeGreaterThan(10);
    expect(primary[0]!.some((v) => v.endsWith("adverse disparity"))).toBe(true);
    for (const p of primary.slice(1)) expect(p).toEqual(primary[0]);
  });

  it("never has two settled results disagree: every difference involves a result its seed could not settle", () => {
    const base = new Map(runs[0]!.map((r) => [key(r), r]));
    let differences = 0;
    for (const rs of runs.slice(1)) {
      for (const r of rs) {
        const b = base.get(key(r))!;
        if (r.verdict === b.verdict) continue;
        differences++;
        expect(r.mc_settled === false || b.mc_settled === false, `${key(r)}: ${b.verdict} / ${r.verdict}`).toBe(true);
      }
    }
    // measured on the sample: a handful of secondary rows whose interval ends sit within about
    // 0.005 of 0.80 or 1.25 (reported in the issue note); bounded so a regression shows
    expect(differences).toBeLessThan(30);
  });
});
