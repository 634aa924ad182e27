/** The machine-readable outputs the issues specify: fairload audit, healthcheck and benchmark with --json. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../../loaders/ingest.ts";
import { generateEmployer } from "../../loaders/sample/generator.ts";
import { type Workspace, openWorkspace } from "../../core/workspace.ts";
import { ROOT, runCli, tempWorkspace } from "../support/helpers.ts";

let ws: Workspace;
beforeAll(async () => {
  ws = tempWorkspace("Northshire");
  // the sample's own configuration (region, comparators, ceilings), under a short name
  const config = { ...JSON.parse(readFileSync(join(ROOT, "data", "fairload.json"), "utf8")), employer: "Northshire" };
  writeFileSync(ws.configPath, JSON.stringify(config));
  ws = openWorkspace(ws.dir);
  await ingest(ws, [join(ROOT, "data", "sample", "returns")]);
  expect((await runCli(["run", "-w", ws.dir])).status).toBe(0);
}, 180_000);

describe("fairload audit --json", () => {
  it("prints one record per test with every documented field, and finds the demo's planted team", async () => {
    const out = await runCli(["audit", "-w", ws.dir, "--json"]);
    expect(out.status).toBe(0);
    const records = JSON.parse(out.stdout);
    expect(records.length).toBeGreaterThan(100);
    for (const k of ["scope", "service", "team", "measure", "group", "reference_group", "window_start", "window_end", "n_workers_group", "n_workers_reference", "ratio_unadjusted", "ratio_adjusted", "ci_low", "ci_high", "p_value", "q_value", "mde_ratio", "months_same_direction", "months_observed", "persistent", "verdict", "suppressed", "sentence", "family", "family_id", "family_size", "driven_by_team", "p_settled", "ci_settled", "mc_settled"]) {
      expect(records[0], k).toHaveProperty(k);
    }
    expect(new Set(records.map((r: { scope: string }) => r.scope))).toEqual(new Set(["employer", "service", "team"]));
    expect(records.every((r: { verdict: string }) => ["adverse disparity", "favourable disparity", "possible disparity: watch", "no evidence of disparity", "too few to tell"].includes(r.verdict))).toBe(true);
    const bias = generateEmployer({}).truth.bias[0];
    for (const k of ["adjusted_for", "events_group", "events_reference", "n_workers_group_without_comparator", "n_workers_reference_without_comparator", "ratio_without_driving_team", "sensitivity_as_group", "sensitivity_as_reference"]) {
      expect(records[0], k).toHaveProperty(k);
    }
    // the primary question: the complexity of new allocations, in the declared primary family
    const planted = records.find((r: { team: string; measure: string; comparison: string }) => r.team === bias.team && r.measure === "new_points_per_case" && r.comparison === "primary");
    expect(planted.family).toBe("primary");
    expect(planted.verdict).toBe("adverse disparity");
    expect(planted.ci_low).toBeGreaterThan(1);
    expect(planted.adjusted_for).toBe("service, team, role, experience");
    expect(planted.sentence).toMatch(/ethnic-minority social workers were allocated new cases weighted \d+% more complex than White British colleagues in the same team, role and experience band \(95% CI \d+% to \d+%\); the difference pointed this way in \d+ of \d+ months\./);
    // and no other team is called adverse on the primary question
    const others = records.filter((r: { team: string | null; measure: string; verdict: string; scope: string }) => r.scope === "team" && r.team !== bias.team && r.measure.startsWith("new_") && r.verdict === "adverse disparity");
    expect(others).toEqual([]);
    // review requests are counted per worker, with the events shown
    const review = records.find((r: { scope: string; measure: string; comparison: string }) => r.scope === "employer" && r.measure === "review_requested" && r.comparison === "primary");
    expect(review.events_group).not.toBeNull();
    expect(review.n_worker_months_group).toBe(review.n_workers_group);
  }, 180_000);

  it("--public prints the public layer's rows (withheld ones empty, no worker counts); bad options are plain errors", async () => {
    const out = await runCli(["audit", "-w", ws.dir, "--json", "--public", "--resamples", "199"]);
    const records = JSON.parse(out.stdout);
    expect(records.some((x: { suppressed: boolean }) => x.suppressed)).toBe(true);
    for (const r of records.filter((x: { suppressed: boolean }) => x.suppressed)) {
      expect(r.verdict).toBe("[c]");
      expect(r.ratio_adjusted).toBeNull();
      expect(r.workers_compared).toBeNull();
    }
    for (const r of records) expect(r).not.toHaveProperty("n_workers_group");
    const bad = await runCli(["audit", "-w", ws.dir, "--as-of", "2031-01"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--as-of 2031-01 is after the latest month on record/);
    const badSeed = await runCli(["audit", "-w", ws.dir, "--seed", "x"]);
    expect(badSeed.status).toBe(1);
    expect(badSeed.stderr).toMatch(/--seed must be a whole number/);
  }, 180_000);
});

describe("fairload healthcheck --json and benchmark --json", () => {
  it("health check records carry the documented fields", async () => {
    const out = await runCli(["healthcheck", "-w", ws.dir, "--json"]);
    expect(out.status).toBe(0);
    const records = JSON.parse(out.stdout);
    for (const k of ["service", "team", "period", "prompt", "heading", "value", "suggested_rating", "recorded_rating", "differs", "disagreement", "next_step"]) expect(records[0], k).toHaveProperty(k);
    expect(new Set(records.map((r: { prompt: number }) => r.prompt)).size).toBe(39);
  }, 120_000);

  it("benchmark records carry year, area, measure and value for England, the region, comparators and the employer", async () => {
    const out = await runCli(["benchmark", "-w", ws.dir, "--json"]);
    expect(out.status).toBe(0);
    const records = JSON.parse(out.stdout);
    const areas = new Set(records.map((r: { area: string }) => r.area));
    expect(areas.has("England")).toBe(true);
    expect(areas.has("Comparators")).toBe(true);
    expect(areas.has("Northshire")).toBe(true);
    expect(new Set(records.map((r: { measure: string }) => r.measure))).toEqual(new Set(["caseload_per_fte", "turnover_rate", "agency_rate", "vacancy_rate", "absence_rate"]));
    expect(records.find((r: { area: string; year: number; measure: string }) => r.area === "England" && r.year === 2025 && r.measure === "caseload_per_fte").value).toBeCloseTo(15.2, 1);
  }, 120_000);
});
