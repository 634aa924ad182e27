/**
 * Tests for the statistics core of the fairness audit
 * (pipelines/stats/fairness.ts) and its seeded PRNG (pipelines/stats/rng.ts).
 *
 * There is no external answer key for this method: exact checks use
 * hand-computed examples (Mantel-Haenszel ratio, Benjamini-Hochberg, Katz
 * interval) and the xoshiro128** reference outputs; the statistical
 * behaviour (size, power, coverage, uniform p-values, "never no evidence"
 * in small teams) is checked on data simulated in this file: teams of given
 * sizes, workers with persistent lognormal effects (sd 0.15) and monthly
 * noise, roles with different complexity, and a planted ratio for the group's
 * workers in chosen teams. Tests use 999 (or fewer) resamples for speed.
 */
import { describe, expect, it } from "vitest";
import {
  auditComparison,
  bhAdjust,
  decideVerdict,
  expandedAlpha,
  finaliseRun,
  mantelHaenszelRatio,
  measureValues,
  FAIRNESS_MEASURES,
  FAIRNESS_MEASURE_DEFS,
  minimumDetectableRatio,
  relativeLikelihood,
  sensitivity,
  type AuditOptions,
  type FairnessResult,
  type WorkerMonthObs,
} from "../../pipelines/stats/fairness.ts";
import { monthIndex, monthName, periodOf } from "../../core/calendar.ts";
import { createRng, deriveSeed, splitmix32, xoshiro128ss } from "../../pipelines/stats/rng.ts";

import { audit, BASE, EM, NK, ROLES, simulate, team, type TeamSpec, WB } from "../support/fairness-sim.ts";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// ---------------------------------------------------------------------------

describe("rng: xoshiro128** seeded by splitmix32", () => {
  it("matches the reference C implementation (Blackman & Vigna, xoshiro128starstar.c)", () => {
    // state {1, 2, 3, 4}: the published test vector (also rand_xoshiro's)
    const r = xoshiro128ss(1, 2, 3, 4);
    expect(Array.from({ length: 10 }, () => r.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("splitmix32 and createRng(42) match the C reference compiled for this test set", () => {
    const s = splitmix32(0);
    expect([s(), s(), s(), s()]).toEqual([2462723854, 1020716019, 454327756, 1275600319]);
    const g = createRng(42);
    expect(Array.from({ length: 6 }, () => g.nextUint32())).toEqual([
      2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290,
    ]);
  });

  it("nextInt is in range and close to uniform; nextFloat in [0, 1); streams are reproducible", () => {
    const g = createRng(7);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) {
      const k = g.nextInt(7);
      expect(k >= 0 && k < 7 && Number.isInteger(k)).toBe(true);
      counts[k]++;
    }
    // chi-square with 6 df: 99.9th percentile 22.46
    const chi = counts.reduce((a, c) => a + (c - 10_000) ** 2 / 10_000, 0);
    expect(chi).toBeLessThan(22.46);
    for (let i = 0; i < 1000; i++) {
      const u = g.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
    }
    const big = createRng(1);
    for (let i = 0; i < 100; i++) expect(big.nextInt(3_000_000_000)).toBeLessThan(3_000_000_000);
    const a = createRng("x");
    const b = createRng("x");
    expect(Array.from({ length: 5 }, () => a.nextUint32())).toEqual(Array.from({ length: 5 }, () => b.nextUint32()));
    expect(deriveSeed(1, "a", "b")).toBe(deriveSeed(1, "a", "b"));
    expect(deriveSeed(1, "a", "b")).not.toBe(deriveSeed(1, "b", "a"));
  });
});

describe("measures", () => {
  it("derives each measure as defined in docs/fairness-method.md", () => {
    const m = measureValues({
      cases: 10,
      case_points: 120,
      non_case_points: 30,
      complex_cases: 3,
      known_complexity_cases: 8,
      supervision_planned: 2,
      supervision_held: 0,
      review_requested: true,
      fte: 0.8,
    });
    expect(m.values.points_per_case).toBe(12);
    expect([m.num.points_per_case, m.den.points_per_case]).toEqual([120, 10]);
    expect(m.values.high_complexity_share).toBe(3 / 8);
    expect(m.values.caseload_per_fte).toBe(10 / 0.8);
    expect(m.values.points_per_fte).toBe(150 / 0.8);
    expect(m.values.supervision_ratio).toBe(0);
    // support floored at 0.5 when nothing was held
    expect(m.values.complexity_per_support).toBe(12 / 0.5);
    expect(m.values.review_requested).toBe(1);
    const none = measureValues({ cases: 0, case_points: 0, fte: 1, supervision_planned: 0 });
    expect(none.values.points_per_case).toBeNull();
    expect(none.values.supervision_ratio).toBeNull();
    expect(none.values.complexity_per_support).toBeNull();
    expect(none.values.points_per_fte).toBeNull(); // non-case points not recorded
    expect(none.values.review_requested).toBeNull();
    expect(none.values.caseload_per_fte).toBe(0);
    // support capped at 1: extra sessions do not offset complexity
    expect(measureValues({ cases: 4, case_points: 40, fte: 1, supervision_planned: 1, supervision_held: 3 }).values.complexity_per_support).toBe(10);
  });

  it("lower supervision is adverse, everything else higher", () => {
    for (const m of FAIRNESS_MEASURES) expect(FAIRNESS_MEASURE_DEFS[m].adverse).toBe(m === "supervision_ratio" ? "lower" : "higher");
  });
});

describe("adjusted and unadjusted ratios", () => {
  /** One month, two roles; each worker-month is its own worker. */
  function handData(): WorkerMonthObs[] {
    const row = (id: string, group: string, role: string, points: number, cases: number): WorkerMonthObs => ({
      worker_id: id, period: "2025-03", service: "S", team: "T", role, fte: 1, fte_band: "full-time", group,
      values: { points_per_case: points / cases }, num: { points_per_case: points }, den: { points_per_case: cases },
    });
    return [
      row("g1", EM, "SW", 30, 3), row("g2", EM, "SW", 20, 2), row("r1", WB, "SW", 16, 2),
      row("g3", EM, "SP", 60, 4), row("r2", WB, "SP", 36, 3), row("r3", WB, "SP", 26, 2), row("r4", WB, "SP", 12, 1),
    ];
  }

  it("matches a hand-computed Mantel-Haenszel ratio of ratio-of-sums means", () => {
    // SW: group 50/5 = 10, ref 16/2 = 8, w = 2*1/3; SP: group 15, ref 74/6, w = 1*3/4
    // R_adj = (2/3*10 + 3/4*15) / (2/3*8 + 3/4*74/6) = (215/12) / (175/12) = 43/35
    // R_unadj (service x month) = (110/9) / (90/8) = 88/81
    const r = audit(handData(), 1, { windowMonths: 1, resamples: 50 });
    expect(rel(r.ratio_adjusted!, 43 / 35)).toBeLessThan(1e-12);
    expect(rel(r.ratio_unadjusted!, 88 / 81)).toBeLessThan(1e-12);
    expect(rel(mantelHaenszelRatio([
      { n_group: 2, n_reference: 1, mean_group: 10, mean_reference: 8 },
      { n_group: 1, n_reference: 3, mean_group: 15, mean_reference: 74 / 6 },
      { n_group: 4, n_reference: 0, mean_group: 99, mean_reference: 0 }, // not comparable: skipped
    ]), 43 / 35)).toBeLessThan(1e-12);
    expect(r.n_workers_group).toBe(3);
    expect(r.n_workers_reference).toBe(4);
  });

  it("recovers a constant planted ratio exactly when there is no noise", () => {
    const obs = simulate({ teams: [team("A", 12, 12, 1.25)], seed: 3, workerSd: 0, monthSd: 0, partTimeShare: 0.2 });
    const r = audit(obs, 1);
    expect(rel(r.ratio_adjusted!, 1.25)).toBeLessThan(1e-12);
    expect(rel(r.ci_low!, 1.25)).toBeLessThan(1e-9);
    expect(rel(r.ci_high!, 1.25)).toBeLessThan(1e-9);
    expect(r.monthly_ratios.every((m) => m !== null && rel(m, 1.25) < 1e-12)).toBe(true);
    expect(r.months_same_direction).toBe(12);
    expect(r.verdict).toBe("adverse disparity");
  });

  it("the unadjusted ratio reflects role mix while the adjusted ratio is ~1", () => {
    // the group works mostly as Senior Practitioners, whose cases are more complex
    const mix = (name: string): TeamSpec => ({
      service: "Children in Care",
      team: name,
      members: [
        { group: EM, count: 12, roles: [ROLES[1], ROLES[1], ROLES[1], ROLES[0]] },
        { group: WB, count: 12, roles: [ROLES[0], ROLES[0], ROLES[2], ROLES[1]] },
      ],
    });
    const exact = audit(simulate({ teams: [mix("A"), mix("B")], seed: 5, workerSd: 0, monthSd: 0 }), 2);
    expect(Math.abs(exact.ratio_adjusted! - 1)).toBeLessThan(1e-12);
    expect(exact.ratio_unadjusted!).toBeGreaterThan(1.2);
    expect(exact.verdict).not.toBe("adverse disparity");
    const noisy = audit(simulate({ teams: [mix("A"), mix("B")], seed: 6 }), 2);
    expect(Math.abs(Math.log(noisy.ratio_adjusted!))).toBeLessThan(0.1);
    expect(noisy.ratio_unadjusted!).toBeGreaterThan(1.1);
    expect(noisy.ci_low!).toBeLessThan(1);
    expect(noisy.ci_high!).toBeGreaterThan(1);
  });

  it("never compares points across services, even unadjusted", () => {
    // service X's scheme gives twice the points; the group works only in X, the
    // reference in both: pooling services would show a spurious ratio of ~1.33
    const obs = simulate({
      teams: [
        { service: "X", team: "X1", members: [{ group: EM, count: 10, roles: [ROLES[0]] }, { group: WB, count: 10, roles: [ROLES[0]] }] },
        { service: "Y", team: "Y1", members: [{ group: WB, count: 10, roles: [ROLES[0]] }] },
      ],
      seed: 8, workerSd: 0, monthSd: 0,
    }).map((o) => (o.service === "X" ? { ...o, num: { ...o.num, points_per_case: o.num!.points_per_case! * 2 }, values: { ...o.values, points_per_case: o.values.points_per_case! * 2 } } : o));
    const r = audit(obs, 1, { resamples: 200 });
    expect(Math.abs(r.ratio_unadjusted! - 1)).toBeLessThan(1e-12);
    expect(Math.abs(r.ratio_adjusted! - 1)).toBeLessThan(1e-12);
  });
});

describe("behaviour on simulated teams", () => {
  it("no bias, 100 simulated teams: 'adverse disparity' in at most 7", () => {
    let adverse = 0;
    for (let s = 0; s < 100; s++) {
      const obs = simulate({ teams: [team("T", 12, 12)], seed: 1000 + s, partTimeShare: 0.15 });
      if (audit(obs, s).verdict === "adverse disparity") adverse++;
    }
    expect(adverse).toBeLessThanOrEqual(7);
  });

  it("planted 1.25 in a team of 24 (half minority) over 12 months: found in >= 85% of 40 seeds, CI covers 1.25 in >= 85%", () => {
    let found = 0;
    let covered = 0;
    for (let s = 0; s < 40; s++) {
      const r = audit(simulate({ teams: [team("T", 12, 12, 1.25)], seed: 2000 + s }), s);
      if (r.verdict === "adverse disparity") found++;
      if (r.ci_low! <= 1.25 && r.ci_high! >= 1.25) covered++;
    }
    expect(found).toBeGreaterThanOrEqual(34);
    expect(covered).toBeGreaterThanOrEqual(34);
  });

  it("team of 10 with planted 1.25: adverse, watch or too few to tell, never 'no evidence'", () => {
    const seen = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const r = audit(simulate({ teams: [team("T", 5, 5, 1.25)], seed: 3000 + s, partTimeShare: 0.15 }), s);
      seen.add(r.verdict);
      expect(["adverse disparity", "possible disparity: watch", "too few to tell"]).toContain(r.verdict);
    }
    expect(seen.has("too few to tell")).toBe(true);
  });

  it("a group of 4 workers is 'too few to tell'", () => {
    const r = audit(simulate({ teams: [team("T", 4, 20, 1.5)], seed: 11 }), 1);
    expect(r.n_workers_group).toBe(4);
    expect(r.verdict).toBe("too few to tell");
    expect(r.verdict_reason).toBe("few-workers");
    expect(r.resamples_used).toBeLessThanOrEqual(999);
  });

  it("an MDE above 1.25 is 'too few to tell' with the MDE in the sentence", () => {
    const r = audit(simulate({ teams: [team("T", 8, 8)], seed: 12, workerSd: 0.6 }), 1);
    expect(r.mde_ratio!).toBeGreaterThan(1.25);
    expect(r.verdict).toBe("too few to tell");
    expect(r.verdict_reason).toBe("low-power");
    expect(r.sentence).toMatch(/too few workers to tell.*even a difference of \d+% would be found only four times in five\.$/);
    expect(r.sentence).toContain(`${Math.ceil((r.mde_ratio! - 1) * 100 - 1e-9)}%`);
  });

  it("a well-powered comparison with no bias can say 'no evidence of disparity'", () => {
    const obs = simulate({ teams: [team("A", 15, 15), team("B", 15, 15), team("C", 15, 15)], seed: 21, workerSd: 0.1 });
    const r = audit(obs, 4, { service: "Safeguarding and Support" });
    expect(r.mde_ratio!).toBeLessThanOrEqual(1.25);
    expect(r.verdict).toBe("no evidence of disparity");
    expect(r.sentence).toMatch(/^In Safeguarding and Support, over the 12 months to March 2025, there was no evidence of a disparity/);
  });

  it("a single high month is not a persistent disparity", () => {
    // the group's cases are 2.5 times as complex in one month only
    const obs = simulate({ teams: [team("A", 15, 15, 2.5), team("B", 15, 15, 2.5)], seed: 31, workerSd: 0.05, monthSd: 0.05, plantedMonths: [11] });
    const r = audit(obs, 1);
    expect(r.months_observed).toBe(12);
    expect(r.months_same_direction).toBeLessThan(9);
    expect(r.persistent).toBe(false);
    expect(r.verdict).not.toBe("adverse disparity");
  });

  it("lower supervision is reported as adverse, higher as favourable", () => {
    const base = simulate({ teams: [team("A", 15, 15), team("B", 15, 15)], seed: 41 });
    // group workers' planned sessions take place 55% of the time, the reference's 85%
    const draw = createRng(9);
    const withHalf = base.map((o) => {
      if (o.group !== EM) return o;
      const held = draw.nextFloat() < 0.55 ? 1 : 0;
      return { ...o, num: { ...o.num, supervision_ratio: held }, values: { ...o.values, supervision_ratio: held } };
    });
    const r = audit(withHalf, 1, { measure: "supervision_ratio" });
    expect(r.ratio_adjusted!).toBeLessThan(0.7);
    expect(r.verdict).toBe("adverse disparity");
    expect(r.sentence).toContain("less of their planned supervision");
    const fav = audit(simulate({ teams: [team("A", 15, 15, 0.75), team("B", 15, 15, 0.75)], seed: 42 }), 1);
    expect(fav.verdict).toBe("favourable disparity");
  });
});

describe("permutation p-values", () => {
  it("are ~uniform for identical groups (not systematically small)", () => {
    const ps: number[] = [];
    for (let s = 0; s < 200; s++) {
      const obs = simulate({ teams: [team("T", 10, 10)], seed: 5000 + s, partTimeShare: 0.15 });
      ps.push(audit(obs, s, { resamples: 199, earlyStopping: false }).p_value!);
    }
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    expect(mean).toBeGreaterThan(0.42);
    expect(mean).toBeLessThan(0.58);
    const small = ps.filter((p) => p <= 0.05).length / ps.length;
    expect(small).toBeLessThan(0.1);
    // Kolmogorov-Smirnov distance to U(0, 1); the 1% critical value for n = 200 is 0.115
    const sorted = [...ps].sort((a, b) => a - b);
    const ks = Math.max(...sorted.map((p, i) => Math.max(Math.abs((i + 1) / sorted.length - p), Math.abs(p - i / sorted.length))));
    expect(ks).toBeLessThan(0.115);
  });

  it("are small for a clear disparity and use the full budget; Besag-Clifford stops early for a null", () => {
    const clear = audit(simulate({ teams: [team("A", 15, 15, 1.4), team("B", 15, 15, 1.4)], seed: 51 }), 1);
    expect(clear.p_value!).toBeLessThan(0.01);
    expect(clear.permutations_used).toBe(999);
    const nul = audit(simulate({ teams: [team("A", 15, 15), team("B", 15, 15)], seed: 52 }), 1, { resamples: 10_000 });
    if (nul.p_value! > 0.05) expect(nul.permutations_used).toBeLessThan(10_000);
    expect(nul.resamples_used).toBeLessThan(10_000);
  });
});

describe("multiplicity, verdict rule, suppression", () => {
  it("bhAdjust matches a hand-computed example", () => {
    // sorted 0.005, 0.01, 0.03, 0.04, 0.5 (m = 5): m p / rank = 0.025, 0.025, 0.05, 0.05, 0.5; running min from the top
    const hand = [0.025, 0.05, 0.05, 0.025, 0.5];
    bhAdjust([0.01, 0.04, 0.03, 0.005, 0.5]).forEach((q, i) => expect(rel(q!, hand[i])).toBeLessThan(1e-12));
    // missing p-values stay missing and do not count in m
    const q = bhAdjust([0.02, null, 0.04, Number.NaN]);
    expect(q[1]).toBeNull();
    expect(q[3]).toBeNull();
    expect(q[0]).toBeCloseTo(0.04, 15);
    expect(q[2]).toBeCloseTo(0.04, 15);
    expect(bhAdjust([0.9, 0.8])).toEqual([0.9, 0.9]);
  });

  it("finaliseRun fills q-values and re-decides verdicts with them", () => {
    const results: FairnessResult[] = [];
    const obs = simulate({ teams: [team("A", 12, 12, 1.25)], seed: 2003 });
    results.push(audit(obs, 1));
    for (let s = 0; s < 9; s++) results.push(audit(simulate({ teams: [team("A", 12, 12)], seed: 600 + s }), s));
    const fin = finaliseRun(results);
    const q = bhAdjust(results.map((r) => r.p_value));
    fin.forEach((r, i) => {
      expect(r.q_value).toBe(q[i]);
      expect(r.verdict).toBe(decideVerdict(r).verdict);
    });
    expect(fin[0].q_value!).toBeGreaterThanOrEqual(results[0].p_value!);
  });

  it("decideVerdict follows the documented order", () => {
    const base = {
      measure: "points_per_case" as const, ratio_adjusted: 1.3, ci_low: 1.1, ci_high: 1.5, q_value: 0.001, p_value: 0.001,
      mde_ratio: 1.2, n_workers_group_compared: 12, n_workers_reference_compared: 12, months_observed: 12, months_same_direction: 12, persistent: true, alpha: 0.05, df: 20,
    };
    expect(decideVerdict(base).verdict).toBe("adverse disparity");
    expect(decideVerdict({ ...base, measure: "supervision_ratio" }).verdict).toBe("favourable disparity");
    expect(decideVerdict({ ...base, n_workers_group_compared: 4 }).reason).toBe("few-workers");
    // persistence is descriptive, but one month cannot carry a finding
    expect(decideVerdict({ ...base, months_same_direction: 8, persistent: false }).verdict).toBe("adverse disparity");
    expect(decideVerdict({ ...base, months_same_direction: 5, persistent: false })).toEqual({ verdict: "possible disparity: watch", reason: "not-persistent" });
    // a secondary question is at most worth watching; so is a difference the correction does not confirm
    expect(decideVerdict({ ...base, family: "secondary" })).toEqual({ verdict: "possible disparity: watch", reason: "secondary-question" });
    expect(decideVerdict({ ...base, q_value: 0.2 })).toEqual({ verdict: "possible disparity: watch", reason: "not-significant-after-correction" });
    // a significant persistent disparity is reported even when a 25% one might have been missed
    expect(decideVerdict({ ...base, mde_ratio: 1.4 }).verdict).toBe("adverse disparity");
    const nul = { ...base, ratio_adjusted: 1.02, ci_low: 0.9, ci_high: 1.15, q_value: 0.6, p_value: 0.6 };
    expect(decideVerdict(nul).verdict).toBe("no evidence of disparity");
    expect(decideVerdict({ ...nul, mde_ratio: 1.3 }).reason).toBe("low-power");
    expect(decideVerdict({ ...nul, ci_high: 1.3 }).reason).toBe("inconclusive");
    expect(decideVerdict({ ...nul, df: 6 }).reason).toBe("cannot-rule-out");
    expect(decideVerdict({ ...nul, ratio_adjusted: null }).verdict).toBe("too few to tell");
  });

  it("counts the workers of each group compared in every month (what the public layer's monthly rule reads)", () => {
    const r = audit(simulate({ teams: [team("T", 12, 12)], seed: 14 }), 1);
    expect(r.monthly_workers_group).toHaveLength(r.monthly_ratios.length);
    expect(r.monthly_workers_reference).toHaveLength(r.monthly_ratios.length);
    for (let m = 0; m < r.monthly_ratios.length; m++) {
      expect(r.monthly_workers_group[m]).toBeLessThanOrEqual(r.n_workers_group_compared);
      expect(r.monthly_workers_reference[m]).toBeLessThanOrEqual(r.n_workers_reference_compared);
      // a month with a ratio compared somebody on both sides; one without compared nobody on one side
      if (r.monthly_ratios[m] !== null) expect(Math.min(r.monthly_workers_group[m]!, r.monthly_workers_reference[m]!)).toBeGreaterThan(0);
      else expect(Math.min(r.monthly_workers_group[m]!, r.monthly_workers_reference[m]!)).toBe(0);
    }
    expect(Math.max(...r.monthly_workers_group)).toBeGreaterThan(5);
  });
});

describe("relativeLikelihood (WRES style)", () => {
  it("matches a hand-computed example with its Katz interval", () => {
    // (20/100)/(10/100) = 2; SE = sqrt(1/20 - 1/100 + 1/10 - 1/100) = sqrt(0.13) = 0.3605551
    // CI = 2 exp(-/+ 1.959964 * 0.3605551) = 0.9865632, 4.0544792
    const r = relativeLikelihood(20, 100, 10, 100);
    expect(r.ratio).toBe(2);
    expect(rel(r.se_log, Math.sqrt(0.13))).toBeLessThan(1e-12);
    expect(rel(r.ci_low, 0.9865632)).toBeLessThan(1e-6);
    expect(rel(r.ci_high, 4.0544792)).toBeLessThan(1e-6);
    expect(r.within_band).toBe(false);
    expect(r.continuity_corrected).toBe(false);
    // (30/120)/(45/300) = 1.6667, CI 1.105414 to 2.512886
    const s = relativeLikelihood(30, 120, 45, 300);
    expect(rel(s.ci_low, 1.105414)).toBeLessThan(1e-6);
    expect(rel(s.ci_high, 2.512886)).toBeLessThan(1e-6);
    expect(relativeLikelihood(25, 100, 22, 100).within_band).toBe(true);
  });

  it("adds 0.5 to every cell when one is zero", () => {
    // (0.5/51)/(5.5/51) = 1/11; SE = sqrt(2 - 1/51 + 1/5.5 - 1/51) = 1.463763; CI 0.005160002 to 1.601639
    const r = relativeLikelihood(0, 50, 5, 50);
    expect(r.continuity_corrected).toBe(true);
    expect(rel(r.ratio, 1 / 11)).toBeLessThan(1e-12);
    expect(rel(r.se_log, 1.463763128)).toBeLessThan(1e-8);
    expect(rel(r.ci_low, 0.005160002)).toBeLessThan(1e-6);
    expect(rel(r.ci_high, 1.601639)).toBeLessThan(1e-6);
    expect(Number.isNaN(relativeLikelihood(0, 0, 1, 2).ratio)).toBe(true);
    expect(() => relativeLikelihood(3, 2, 1, 2)).toThrow();
  });
});

describe("sentences", () => {
  it("reads as the report sentence, with month names and no group sizes", () => {
    const obs = simulate({ teams: [team("T", 12, 12, 1.25)], seed: 2001 });
    const r = audit(obs, 1, { service: "Safeguarding and Support", scope: "Northshire" });
    expect(r.verdict).toBe("adverse disparity");
    expect(r.sentence).toMatch(
      /^In Safeguarding and Support, over the 12 months to March 2025, ethnic-minority social workers held cases weighted \d+% more complex than White British colleagues in the same team, role and working pattern \(95% CI \d+% to \d+%\); the difference pointed this way in \d+ of 12 months\.$/,
    );
    expect(r.sentence).not.toMatch(/\d{4}-\d{2}/);
    const t = audit(obs, 1, { service: "Safeguarding and Support", team: "Team 3", adjust: ["team", "role"] });
    expect(t.sentence.startsWith("In Team 3 (Safeguarding and Support), over the 12 months to March 2025,")).toBe(true);
    expect(t.sentence).toContain("in the same team and role");
    const few = audit(simulate({ teams: [team("T", 3, 12)], seed: 9 }), 1);
    expect(few.sentence).toContain("too few ethnic-minority social workers (fewer than 5)");
    expect(few.sentence).not.toMatch(/\(3\)/);
  });

  it("monthName and the window", () => {
    expect(monthName("2025-03")).toBe("March 2025");
    expect(monthName("2024-12")).toBe("December 2024");
    const r = audit(simulate({ teams: [team("T", 6, 6)], seed: 1 }), 1, { windowMonths: 6 });
    expect([r.window_start, r.window_end]).toEqual(["2024-10", "2025-03"]);
    expect(r.monthly_ratios).toHaveLength(6);
    expect(() => monthIndex("2025-13")).toThrow();
  });
});

describe("sensitivity to Not known ethnicity", () => {
  it("re-runs with Not known workers in each group and reports a changed verdict", () => {
    // the Not known workers carry much more complex cases
    const obs = simulate({
      teams: ["A", "B"].map((name) => ({
        service: "S", team: name,
        members: [{ group: EM, count: 9 }, { group: WB, count: 12 }, { group: NK, count: 9, planted: 1.6 }],
      })),
      seed: 71,
    });
    const s = sensitivity(obs, { ...BASE, resamples: 999, seed: 1 });
    expect(s.n_not_known).toBe(18);
    expect(s.as_group.n_workers_group).toBe(36);
    expect(s.as_reference.n_workers_reference).toBe(42);
    expect(s.as_group.verdict).toBe("adverse disparity");
    expect(s.as_reference.verdict).toBe("favourable disparity");
    expect(s.verdict_changes).toBe(true);
  });
});

describe("determinism and internals", () => {
  it("same seed gives identical output; another seed another interval", () => {
    const obs = simulate({ teams: [team("A", 10, 10, 1.1), team("B", 8, 12, 1.1)], seed: 81, partTimeShare: 0.2 });
    const a = audit(obs, 123, { resamples: 2500 });
    const b = audit(obs, 123, { resamples: 2500 });
    expect(b).toEqual(a);
    const c = audit(obs, 124, { resamples: 2500 });
    expect(c.ratio_adjusted).toBe(a.ratio_adjusted);
    expect(c.ci_low).not.toBe(a.ci_low);
    // order of the observations does not matter for the estimate
    const d = audit([...obs].reverse(), 123, { resamples: 2500 });
    expect(rel(d.ratio_adjusted!, a.ratio_adjusted!)).toBeLessThan(1e-12);
  });

  it("minimumDetectableRatio and expandedAlpha", () => {
    // exp((1.959964 + 0.841621) * 0.1) = 1.323
    expect(rel(minimumDetectableRatio(0.1), Math.exp((1.959963984540054 + 0.8416212335729143) * 0.1))).toBeLessThan(1e-12);
    expect(minimumDetectableRatio(Infinity)).toBe(Infinity);
    expect(minimumDetectableRatio(0.1, 0.05, 0.8, 8)).toBeGreaterThan(minimumDetectableRatio(0.1));
    expect(expandedAlpha(0.05, Infinity)).toBe(0.05);
    // t_{0.975, 8} = 2.306004; 2 (1 - Phi(2.306004)) = 0.02111
    expect(expandedAlpha(0.05, 8)).toBeCloseTo(0.02111, 4);
  });

  it("rejects bad input", () => {
    const obs = simulate({ teams: [team("T", 6, 6)], seed: 1 });
    expect(() => audit(obs, 1, { reference: EM })).toThrow();
    expect(() => audit(obs, 1, { asOf: "March 2025" })).toThrow();
    expect(() => audit(obs, 1, { windowMonths: 0 })).toThrow();
    const mixed = obs.map((o, i) => (i === 0 ? { ...o, num: undefined, den: undefined } : o));
    expect(() => audit(mixed, 1)).toThrow(/num\/den/);
  });
});
