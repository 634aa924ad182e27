/**
 * Verdicts that do not hang on the random seed (issue 12: settled Monte Carlo). The shipped sample
 * and a simulated employer (generator -> CSV -> ingest -> run -> audit), each audited with five
 * seeds (`fairload audit --seed N`): the declared primary family's verdicts are identical, and
 * wherever two seeds disagree on any row, one of them reported it unsettled (a settled decision is
 * the one infinitely many resamples would give, with probability at least 1 - (m + 1) x 1e-4 for
 * a test in a family of m).
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runAll } from "../../app/workflow.ts";
import type { Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { type AuditRecord, groupFindings, runAudit } from "../../pipelines/audit.ts";
import { generateEmployerStream } from "../../loaders/sample/generator.ts";
import { writeCsvFolder } from "../../loaders/sample/write.ts";
import { ROOT, runCli, tempDir, tempWorkspace } from "../support/helpers.ts";

const SEEDS = [1, 2, 3, 4, 5];
let runs: AuditRecord[][] = [];
let simulated: string[][] = [];
const key = (r: AuditRecord) => JSON.stringify([r.scope, r.service, r.team, r.comparison, r.subgroup, r.group, r.measure]);

beforeAll(async () => {
  const ws: Workspace = tempWorkspace("Northshire (sample)");
  await ingest(ws, [join(ROOT, "data", "sample", "returns")]);
  await runAll(ws);
  runs = [];
  for (const seed of SEEDS) runs.push((await runAudit(ws, { seed })).results);
  // a simulated employer with two planted teams, through the CLI's --seed
  const dir = join(tempDir(), "returns");
  const SVC = "Safeguarding and Support";
  await writeCsvFolder(generateEmployerStream({ seed: 7, months: 24, ethnicMinorityShare: 0.5, teams: [
    { service: SVC, team: "Planted A", size: 22 }, { service: SVC, team: "Planted B", size: 20 }, { service: SVC, team: "Other", size: 16 },
    { service: "First Response", team: "First Response", size: 18 }, { service: "Children in Care", team: "Children in Care", size: 18 },
  ], bias: [{ service: SVC, team: "Planted A", measure: "complexity", ratio: 1.3 }, { service: SVC, team: "Planted B", measure: "complexity", ratio: 1.3 }] }), dir);
  const sim = tempWorkspace("Simulated");
  await ingest(sim, [dir]);
  await runAll(sim);
  simulated = [];
  for (const seed of SEEDS) {
    const out = await runCli(["audit", "-w", sim.dir, "--json", "--seed", String(seed)]);
    expect(out.status).toBe(0);
    simulated.push((JSON.parse(out.stdout) as AuditRecord[]).filter((r) => r.family === "primary").map((r) => `${key(r)} ${r.verdict}`).sort());
  }
}, 900_000);

describe("a simulated employer audited with five seeds (fairload audit --seed)", () => {
  it("gives identical verdicts in the declared primary family, and finds the planted bias", () => {
    expect(simulated[0]!.some((v) => v.includes("Safeguarding and Support") && v.endsWith("adverse disparity")), simulated[0]!.join("\n")).toBe(true);
    for (const s of simulated.slice(1)) expect(s).toEqual(simulated[0]);
  });
});

describe("the sample audited with five seeds", () => {
  it("gives identical verdicts in the declared primary family", () => {
    const primary = runs.map((rs) => rs.filter((r) => r.family === "primary").map((r) => `${key(r)} ${r.verdict}`).sort());
    expect(primary[0]!.length).toBeGreaterThan(10);
    expect(primary[0]!.some((v) => v.endsWith("adverse disparity"))).toBe(true);
    // one finding: the planted team, which drives the service- and employer-level rows
    const findings = runs.map((rs) => groupFindings(rs));
    for (const f of findings) {
      expect(f.map((x) => x.where)).toEqual(["Family Safeguarding North (Safeguarding and Support)"]);
      expect(f[0]!.explains.length).toBeGreaterThan(0);
    }
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
