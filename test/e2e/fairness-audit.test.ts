/**
 * The fairness audit's calibration on generated employers: the scenarios of the declared
 * analysis plan (issue 12), 40 seeds each, on the primary question (the complexity of new
 * allocations: points per new case and the share of high-complexity new cases, ethnic-minority
 * workers against White British, like with like in service, team, role and experience). The
 * loops feed the generated rows straight to the store and run the same models and audit step as
 * `fairload audit`, with its production settings (settled Monte Carlo, 10,000 resamples at most);
 * the first test proves that path gives exactly what generator -> CSV -> ingest -> audit gives.
 *
 * "Found" means the primary family reports an adverse disparity where the bias was planted: at a
 * planted team, or at the service that holds it (whose finding names the team that drives it).
 * Each scenario logs its figures, which go in the issue's note.
 */
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../../pipelines/audit.ts";
import type { SampleOptions } from "../../loaders/sample/generator.ts";
import { auditGenerated, auditGeneratedThroughIngest, teamsWith } from "../support/fairness-scenarios.ts";

const SEEDS = 40;
const SVC = "Safeguarding and Support";
const PRIMARY = { comparisons: ["primary" as const], measures: ["new_points_per_case" as const, "new_high_complexity_share" as const] };
const PLANTED = { service: SVC, team: "Planted Team", measure: "complexity" as const, ratio: 1.25 };

const adverse = (res: AuditRecord[]) => res.filter((r) => r.family === "primary" && r.verdict === "adverse disparity");

/** Runs a scenario over SEEDS seeds and returns, per seed, the audit's rows. */
async function overSeeds(sample: (seed: number) => SampleOptions): Promise<AuditRecord[][]> {
  const out: AuditRecord[][] = [];
  for (let seed = 1; seed <= SEEDS; seed++) out.push(await auditGenerated(sample(seed), PRIMARY));
  return out;
}

function report(name: string, counts: Record<string, number>): void {
  console.log(`calibration ${name}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}/${SEEDS}`).join(", ")}`);
}

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

describe(`calibration over ${SEEDS} seeds (primary family)`, () => {
  it("no bias planted: an adverse disparity in at most 5% of employers", async () => {
    const runs = await overSeeds((seed) => ({ seed, bias: [] }));
    const withAdverse = runs.filter((res) => adverse(res).length > 0).length;
    report("null", { "employers with an adverse primary finding": withAdverse });
    expect(runs.every((res) => res.some((r) => r.family === "primary" && r.scope === "employer"))).toBe(true);
    expect(withAdverse / SEEDS).toBeLessThanOrEqual(0.05);
  }, 900_000);

  it("bias (1.25) in new allocations of two teams of 18-26 workers: found in at least 95% of employers", async () => {
    const runs = await overSeeds((seed) => ({
      seed,
      teams: [
        { service: SVC, team: "Planted A", size: 18 + (seed % 9) },
        { service: SVC, team: "Planted B", size: 18 + ((seed * 7) % 9) },
        { service: SVC, team: "Other", size: 16 },
        { service: "First Response", team: "First Response 1", size: 16 },
        { service: "First Response", team: "First Response 2", size: 16 },
        { service: "Children in Care", team: "Children in Care", size: 20 },
      ],
      bias: [{ ...PLANTED, team: "Planted A" }, { ...PLANTED, team: "Planted B" }],
    }));
    const found = runs.filter((res) => adverse(res).some((r) => r.service === SVC && (r.scope === "service" || /^Planted/.test(r.team ?? "")))).length;
    const teamLevel = runs.filter((res) => adverse(res).some((r) => r.scope === "team" && /^Planted/.test(r.team ?? ""))).length;
    const elsewhere = runs.filter((res) => adverse(res).some((r) => (r.scope === "team" && !/^Planted/.test(r.team ?? "")) || (r.scope === "service" && r.service !== SVC))).length;
    report("two teams", { found, "found at team level": teamLevel, "an adverse finding elsewhere": elsewhere });
    expect(found / SEEDS).toBeGreaterThanOrEqual(0.95);
    expect(elsewhere / SEEDS).toBeLessThanOrEqual(0.05);
  }, 900_000);

  it("the same bias in a team of 8-12: never 'no evidence of disparity'", async () => {
    const runs = await overSeeds((seed) => ({ seed, teams: teamsWith(8 + (seed % 5)), bias: [PLANTED] }));
    let noEvidence = 0;
    let tested = 0;
    for (const res of runs) {
      const rows = res.filter((r) => r.team === "Planted Team");
      if (rows.length) tested++;
      noEvidence += rows.filter((r) => r.verdict === "no evidence of disparity").length;
    }
    report("small team", { "seeds with the team tested": tested, "'no evidence' rows": noEvidence });
    expect(tested).toBeGreaterThan(SEEDS / 2);
    expect(noEvidence).toBe(0);
  }, 900_000);

  it("a shift of about 10% across one service: adverse at service level in at least 80%", async () => {
    const runs = await overSeeds((seed) => ({
      seed,
      teams: [...Array.from({ length: 6 }, (_, i) => ({ service: SVC, team: `Team ${i + 1}`, size: 16 })), { service: "First Response", team: "First Response", size: 16 }],
      ethnicMinorityShare: 0.45,
      bias: [{ service: SVC, measure: "complexity", ratio: 1.1 }],
    }));
    const found = runs.filter((res) => adverse(res).some((r) => r.scope === "service" && r.service === SVC)).length;
    const noEvidence = runs.filter((res) => res.some((r) => r.scope === "service" && r.service === SVC && r.verdict === "no evidence of disparity")).length;
    // (a 10% shift is inside the rule's 25% equivalence margin, so "no evidence of a disparity of
    // 25% or more" is a true statement when the interval says so; it is counted, not forbidden)
    report("service shift", { "adverse at service level": found, "'no evidence' at service level": noEvidence });
    expect(found / SEEDS).toBeGreaterThanOrEqual(0.8);
  }, 900_000);

  it("ethnic-minority workers three times as likely to be senior, no bias within role: adverse in at most 5%", async () => {
    const runs = await overSeeds((seed) => ({ seed, bias: [], seniorLikelihoodRatio: 3, ethnicMinorityShare: 0.35 }));
    const withAdverse = runs.filter((res) => adverse(res).length > 0).length;
    // the gap is real before like is compared with like
    const gap = runs.filter((res) => res.some((r) => r.scope === "employer" && r.measure === "new_points_per_case" && (r.ratio_unadjusted ?? 0) > (r.ratio_adjusted ?? Infinity))).length;
    report("seniority", { "employers with an adverse primary finding": withAdverse, "unadjusted ratio above adjusted": gap });
    expect(withAdverse / SEEDS).toBeLessThanOrEqual(0.05);
    expect(gap / SEEDS).toBeGreaterThanOrEqual(0.8);
  }, 900_000);

  it("ethnic-minority workers more experienced, complexity following experience, no bias given experience: adverse in at most 5%", async () => {
    const sample = (seed: number): SampleOptions => ({ seed, bias: [], experience: { perYear: 1.04, cap: 15, ethnicMinorityExtraYears: 4 } });
    const runs = await overSeeds(sample);
    const withAdverse = runs.filter((res) => adverse(res).length > 0).length;
    report("experience", { "employers with an adverse primary finding": withAdverse });
    expect(withAdverse / SEEDS).toBeLessThanOrEqual(0.05);
    // and the confounder is real: without allowing for experience, the same employers show a gap
    let without = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const res = await auditGenerated(sample(seed), { ...PRIMARY, scopes: ["employer"], adjust: ["service", "team", "role"] });
      if (res.some((r) => r.verdict === "adverse disparity")) without++;
    }
    console.log(`calibration experience, not allowed for: ${without}/10 employers adverse`);
    expect(without).toBeGreaterThanOrEqual(3);
  }, 900_000);

  it("bias only in new allocations from the 13th month of 24: found in at least 90%", async () => {
    const runs = await overSeeds((seed) => ({
      seed,
      teams: [
        { service: SVC, team: "Planted A", size: 22 },
        { service: SVC, team: "Planted B", size: 22 },
        { service: SVC, team: "Other", size: 16 },
        { service: "First Response", team: "First Response", size: 16 },
        { service: "Children in Care", team: "Children in Care", size: 20 },
      ],
      bias: [{ ...PLANTED, team: "Planted A", fromMonth: 12 }, { ...PLANTED, team: "Planted B", fromMonth: 12 }],
    }));
    const found = runs.filter((res) => adverse(res).some((r) => r.service === SVC && (r.scope === "service" || /^Planted/.test(r.team ?? "")))).length;
    report("allocations from month 13", { found });
    expect(found / SEEDS).toBeGreaterThanOrEqual(0.9);
  }, 900_000);
});
