/**
 * The fairness audit on generated employers, in the scenarios the audit must get right. The
 * calibration loops feed the generated rows straight to the store and run the same models and
 * audit step (test/support/fairness-scenarios.ts); the first tests prove that path gives exactly
 * what the full generator -> CSV -> ingest -> models -> audit path gives. Resamples are 2,000
 * here for time (the default is 10,000); early stopping is on as in production.
 */
import { describe, expect, it } from "vitest";
import { auditGenerated, auditGeneratedThroughIngest, teamsWith } from "../support/fairness-scenarios.ts";

const PLANTED = { service: "Safeguarding and Support", team: "Planted Team", measure: "complexity" as const, ratio: 1.25 };

describe("the scenarios' fast path", () => {
  it("gives exactly the results of generator -> CSV -> ingest -> audit (no bias, and a planted team)", async () => {
    for (const sample of [{ seed: 3, bias: [] }, { seed: 4, teams: teamsWith(24), ethnicMinorityShare: 0.5, bias: [PLANTED] }]) {
      const opts = { comparisons: ["primary" as const], scopes: ["team" as const, "service" as const] };
      const direct = await auditGenerated(sample, opts);
      const full = await auditGeneratedThroughIngest(sample, opts);
      expect(direct.length).toBeGreaterThan(5);
      expect(JSON.stringify(direct)).toBe(JSON.stringify(full));
    }
  }, 300_000);
});

describe("no bias planted", () => {
  it("over 50 seeds, at most 5% of team-level tests say 'adverse disparity'", async () => {
    let tests = 0;
    let adverse = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const res = await auditGenerated({ seed, bias: [] }, { comparisons: ["primary"], scopes: ["team"] });
      tests += res.length;
      adverse += res.filter((r) => r.verdict === "adverse disparity").length;
    }
    expect(tests).toBeGreaterThan(50 * 12 * 5);
    expect(adverse / tests).toBeLessThanOrEqual(0.05);
  }, 600_000);
});

describe("complexity shifted 25% upwards for ethnic-minority workers in one team", () => {
  it("a team of 30 (about half ethnic-minority): found in at least 90% of seeds, and its CI covers 1.25 in at least 90%", async () => {
    const seeds = 20;
    let found = 0;
    let covered = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const res = await auditGenerated({ seed, teams: teamsWith(30), ethnicMinorityShare: 0.5, bias: [PLANTED] }, { comparisons: ["primary"], scopes: ["team", "service"] });
      const r = res.find((x) => x.team === "Planted Team" && x.measure === "points_per_case")!;
      if (r.verdict === "adverse disparity") found++;
      if (r.ci_low !== null && r.ci_high !== null && r.ci_low <= 1.25 && r.ci_high >= 1.25) covered++;
      // and nowhere else in the run is called adverse on complexity
      for (const other of res.filter((x) => x.team !== "Planted Team" && x.scope === "team" && x.measure === "points_per_case")) expect(other.verdict).not.toBe("adverse disparity");
    }
    expect(found / seeds).toBeGreaterThanOrEqual(0.9);
    expect(covered / seeds).toBeGreaterThanOrEqual(0.9);
  }, 600_000);

  it("a team of 8-12: 'adverse disparity' or 'too few to tell', never 'no evidence', and above parity in most seeds", async () => {
    const seeds = 20;
    let above = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const res = await auditGenerated({ seed, teams: teamsWith(8 + (seed % 5)), bias: [PLANTED] }, { comparisons: ["primary"], scopes: ["team"], measures: ["points_per_case"] });
      const r = res.find((x) => x.team === "Planted Team");
      if (!r) continue; // no ethnic-minority worker in the team this seed: nothing to test
      expect(["adverse disparity", "too few to tell"]).toContain(r.verdict);
      if ((r.ratio_adjusted ?? 0) > 1) above++;
    }
    expect(above / seeds).toBeGreaterThan(0.5);
  }, 600_000);
});

describe("a smaller shift (about 10%) across every team of one service", () => {
  it("is found at service level", async () => {
    const seeds = 12;
    let found = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const teams = Array.from({ length: 6 }, (_, i) => ({ service: "Safeguarding and Support", team: `Team ${i + 1}`, size: 16 }));
      const res = await auditGenerated(
        { seed, teams, ethnicMinorityShare: 0.45, bias: [{ service: "Safeguarding and Support", measure: "complexity", ratio: 1.1 }] },
        { comparisons: ["primary"], scopes: ["service", "team"], measures: ["points_per_case"] },
      );
      const svc = res.find((x) => x.scope === "service" && x.service === "Safeguarding and Support")!;
      if (svc.verdict === "adverse disparity") found++;
      expect(svc.verdict).not.toBe("no evidence of disparity");
    }
    expect(found / seeds).toBeGreaterThanOrEqual(0.75);
  }, 600_000);
});

describe("ethnic-minority workers three times as likely to be senior, with no bias within role", () => {
  it("the unadjusted ratio shows the gap; the adjusted verdict is not adverse in at least 90% of seeds", async () => {
    const seeds = 20;
    let notAdverse = 0;
    let gap = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const res = await auditGenerated({ seed, bias: [], seniorLikelihoodRatio: 3, ethnicMinorityShare: 0.35 }, { comparisons: ["primary"], scopes: ["employer"], measures: ["points_per_case"] });
      const r = res.find((x) => x.scope === "employer")!;
      if (r.verdict !== "adverse disparity") notAdverse++;
      if (r.ratio_unadjusted! > r.ratio_adjusted!) gap++;
    }
    expect(notAdverse / seeds).toBeGreaterThanOrEqual(0.9);
    expect(gap / seeds).toBeGreaterThanOrEqual(0.8);
  }, 600_000);
});
