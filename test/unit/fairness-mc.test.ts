/**
 * Monte Carlo error control of the fairness audit (pipelines/stats/fairness/montecarlo.ts and the
 * `mc` option of auditComparison): the permutation test and the bootstrap resample until each
 * decision at a declared threshold is settled (Gandy 2009), so that settled decisions do not
 * depend on the seed; the t-tail refinement of the permutation p-value is gone.
 *
 * Reference values for the Clopper-Pearson interval and the order-statistic ranks come from
 * scipy 1.x (commands in comments). The simulator is test/support/fairness-sim.ts.
 */
import { describe, expect, it } from "vitest";
import { auditComparison, measureValues, type AuditOptions, type FairnessResult, type WorkerMonthObs } from "../../pipelines/stats/fairness.ts";
import {
  checkpoints,
  clopperPearson,
  DEFAULT_MC_RISK,
  FIRST_BOOTSTRAP_BATCH,
  FIRST_PERMUTATION_BATCH,
  quantileInterval,
  smallestSettleableP,
  type McOptions,
} from "../../pipelines/stats/fairness/montecarlo.ts";
import { betaQuantile, binomialQuantile } from "../../pipelines/stats/dist.ts";
import { monthIndex, periodOf } from "../../core/calendar.ts";
import { createRng } from "../../pipelines/stats/rng.ts";

import { audit, BASE, EM, simulate, team, WB } from "../support/fairness-sim.ts";
import { bootstrap } from "../../pipelines/stats/fairness/bootstrap.ts";
import { FEW_WORKERS_RESAMPLES } from "../../pipelines/stats/fairness/audit-comparison.ts";
import { prepareComparison, welchDf, expandedAlpha } from "../../pipelines/stats/fairness.ts";

const MC: McOptions = { pThresholds: [0.001, 0.01, 0.05], ciThresholds: [0.8, 1, 1.25], risk: 1e-3, maxPermutations: 20_000, maxResamples: 8_000 };

/** The decisions built on a result: p_value <= t for each p threshold, each CI endpoint > t for each CI threshold. */
function decisions(r: FairnessResult, mc: McOptions = MC): boolean[] {
  return [
    ...mc.pThresholds.map((t) => r.p_value! <= t),
    ...mc.ciThresholds.flatMap((t) => [r.ci_low! > t, r.ci_high! > t]),
  ];
}

// comparisons of two teams (18 group and 22 reference workers) with a planted ratio
const twoTeams = (planted: number, seed: number) => simulate({ teams: [team("A", 10, 12, planted), team("B", 8, 10, planted)], seed });
// no disparity (p ~ 0.6, CI ~ [0.88, 1.08]): far from every threshold
const FAR = () => twoTeams(1, 100);
// p ~ 0.05 and CI low ~ 1.00: on two thresholds at once
const NEAR = () => twoTeams(1.1, 510);

// ---------------------------------------------------------------------------

describe("Clopper-Pearson interval and quantile ranks", () => {
  it("match scipy", () => {
    // python3 -c "from scipy.stats import beta; x,n,r=3,199,0.001; print(beta.ppf(r/2,x,n-x+1), beta.ppf(1-r/2,x+1,n-x))"
    // and likewise for the other rows (low = 0 when x = 0, high = 1 when x = n)
    const ref: [number, number, number, number, number][] = [
      [0, 99, 0.01, 0, 0.05211145977130819],
      [3, 199, 0.001, 0.000755800957886162, 0.06812472403626775],
      [50, 99, 0.05, 0.40269791659005744, 0.6070929613934597],
      [12799, 12799, 1e-4, 0.9992265288672755, 1],
      [7, 1599, 2.5e-5, 0.0004626174697488023, 0.01605417582172546],
    ];
    for (const [x, n, r, lo, hi] of ref) {
      const [l, h] = clopperPearson(x, n, r);
      expect(Math.abs(l - lo)).toBeLessThanOrEqual(1e-12 + 1e-9 * lo);
      expect(Math.abs(h - hi)).toBeLessThanOrEqual(1e-12 + 1e-9 * hi);
    }
    // python3 -c "from scipy.stats import beta; print(beta.ppf(0.975, 3, 98))"
    expect(betaQuantile(0.975, 3, 98)).toBeCloseTo(0.07038393247107011, 12);
    // python3 -c "from scipy.stats import binom; print([binom.ppf(p, 999, q) for q in (0.025, 0.975) for p in (0.0005, 0.9995)])"
    expect([0.025, 0.975].flatMap((q) => [binomialQuantile(0.0005, 999, q), binomialQuantile(0.9995, 999, q)])).toEqual([10, 43, 956, 989]);
    // order statistics 1..999: the interval for the 2.5% quantile is [X_(10), X_(44)]
    const ranks = Float64Array.from({ length: 999 }, (_, i) => i + 1);
    expect(quantileInterval(ranks, 999, 0.025, 0.001)).toEqual([10, 44]);
    expect(quantileInterval(ranks, 999, 0.975, 0.001)).toEqual([956, 990]);
    // too few draws to bound the quantile from below: binom.ppf(0.0005, 20, 0.025) = 0, binom.ppf(0.9995, 20, 0.025) = 4
    expect(quantileInterval(ranks, 20, 0.025, 0.001)).toEqual([-Infinity, 5]);
  });

  it("quantile intervals cover at the stated rate (uniform draws, known quantile)", () => {
    const rng = createRng(7);
    const n = 999;
    const x = new Float64Array(n);
    let miss = 0;
    const reps = 2000;
    for (let k = 0; k < reps; k++) {
      for (let i = 0; i < n; i++) x[i] = rng.nextFloat();
      x.sort();
      const [lo, hi] = quantileInterval(x, n, 0.025, 0.05);
      if (!(lo <= 0.025 && 0.025 <= hi)) miss++;
    }
    // at most 5% by construction (binomial sd of the count ~10 at 5%)
    expect(miss / reps).toBeLessThan(0.065);
  });

  it("checkpoints double from the first batch and end at the budget", () => {
    expect(checkpoints(99, 1000)).toEqual([99, 199, 399, 799, 1000]);
    expect(checkpoints(999, 8000)).toEqual([999, 1999, 3999, 7999, 8000]);
    expect(checkpoints(99, 99)).toEqual([99]);
  });
});

describe("resampling until settled", () => {
  it("a test far from every threshold stops after the first batch; one on a threshold resamples more", () => {
    const far = audit(FAR(), 1, { mc: MC });
    expect(far.mc_settled).toBe(true);
    expect(far.permutations_used).toBe(FIRST_PERMUTATION_BATCH);
    expect(far.resamples_used).toBe(FIRST_BOOTSTRAP_BATCH);
    // the same comparison with thresholds placed on its own (large-sample) p-value and CI low
    const big = audit(FAR(), 1, { resamples: 20_000, earlyStopping: false });
    const onIt = audit(FAR(), 1, { mc: { ...MC, pThresholds: [big.p_value!], ciThresholds: [big.ci_low!] } });
    expect(onIt.permutations_used).toBeGreaterThan(10 * FIRST_PERMUTATION_BATCH);
    expect(onIt.resamples_used).toBeGreaterThan(FIRST_BOOTSTRAP_BATCH);
    // a comparison whose p is near 0.05 and CI low near 1
    const near = audit(NEAR(), 1, { mc: MC });
    expect(near.permutations_used).toBeGreaterThan(1000);
    expect(near.resamples_used).toBeGreaterThan(FIRST_BOOTSTRAP_BATCH);
    // at the budget: reported as not settled, and the threshold is inside the interval
    const capped = audit(NEAR(), 1, { mc: { ...MC, maxPermutations: 500, maxResamples: 1500 } });
    expect(capped.permutations_used).toBe(500);
    expect(capped.p_settled).toBe(false);
    expect(capped.mc_settled).toBe(false);
    expect(capped.p_mc_low!).toBeLessThanOrEqual(0.05);
    expect(capped.p_mc_high!).toBeGreaterThan(0.05);
  });

  it("stops, unsettled, when no budget could settle an endpoint (extreme expanded level for 2 workers)", () => {
    const obs = simulate({ teams: [team("T", 2, 6, 1.1)], seed: 72 });
    const p = prepareComparison(obs, { ...BASE, adjust: ["service", "team", "role"] });
    const df = welchDf(p);
    expect(df).toBeLessThan(2);
    const boot = bootstrap(p, createRng(72), { max: MC.maxResamples, early: true, alpha: 0.05, ciAlpha: expandedAlpha(0.05, df), df, fewWorkers: false, mc: { thresholds: MC.ciThresholds, risk: MC.risk / 2 } });
    expect(boot.settled).toBe(false);
    expect(boot.used).toBe(FIRST_BOOTSTRAP_BATCH);
    expect(boot.unsettled.length).toBeGreaterThan(0);
  });

  it("resamples nothing to settle when too few workers are compared for any verdict", () => {
    const r = audit(simulate({ teams: [team("T", 2, 6, 1.1)], seed: 72 }), 2, { mc: MC });
    expect(r.verdict_reason).toBe("few-workers");
    expect(r.ci_settled).toBe(true);
    expect(r.resamples_used).toBe(FEW_WORKERS_RESAMPLES);
    expect(r.permutations_used).toBeLessThanOrEqual(99);
  });

  it("a p threshold below smallestSettleableP cannot be passed; above it a clear effect settles", () => {
    const obs = simulate({ teams: [team("A", 15, 15, 1.4), team("B", 15, 15, 1.4)], seed: 51 });
    const mc = { ...MC, maxPermutations: 5000 };
    const floor = smallestSettleableP(mc);
    expect(floor).toBeGreaterThan(0.001);
    expect(audit(obs, 1, { mc: { ...mc, pThresholds: [0.001] } }).p_settled).toBe(false);
    expect(audit(obs, 1, { mc: { ...mc, pThresholds: [floor] } }).p_settled).toBe(true);
  });

  it("a settled p: every threshold outside [p_mc_low, p_mc_high], on the same side as p_value", () => {
    for (const [planted, seed] of [[1, 100], [1.15, 115], [1.25, 51]] as const) {
      const r = audit(twoTeams(planted, seed), 2, { mc: MC });
      if (!r.p_settled) continue;
      for (const t of MC.pThresholds) {
        if (r.p_value! <= t) expect(r.p_mc_high!).toBeLessThanOrEqual(t);
        else expect(r.p_mc_low!).toBeGreaterThan(t);
      }
    }
  });

  it("settled decisions are the same for 5 seeds", () => {
    const comparisons: [string, WorkerMonthObs[]][] = [
      ["no disparity", FAR()],
      ["on 0.05 and 1", NEAR()],
      ["p ~ 0.03", twoTeams(1.15, 115)],
      ["strong", simulate({ teams: [team("A", 15, 15, 1.25), team("B", 15, 15, 1.25)], seed: 51 })],
      ["team of 10", simulate({ teams: [team("T", 5, 5, 1.25)], seed: 3000, partTimeShare: 0.15 })],
    ];
    let settled = 0;
    for (const [name, obs] of comparisons) {
      const seen = new Map<string, number>();
      for (let s = 1; s <= 5; s++) {
        const r = audit(obs, 1000 * s + 7, { mc: MC });
        expect(r.mc_settled, name).toBe(r.p_settled! && r.ci_settled!);
        if (!r.mc_settled) continue;
        settled++;
        const d = decisions(r).join();
        seen.set(d, (seen.get(d) ?? 0) + 1);
      }
      expect([...seen.keys()].length, `${name}: ${JSON.stringify([...seen])}`).toBeLessThanOrEqual(1);
    }
    expect(settled).toBeGreaterThanOrEqual(15);
  });

  it("without mc, 999 resamples: the comparison on a threshold flips between seeds (what mc prevents)", () => {
    const obs = NEAR();
    const seen = new Set<string>();
    for (let s = 1; s <= 5; s++) seen.add(decisions(audit(obs, 1000 * s + 7)).join());
    expect(seen.size).toBeGreaterThan(1);
  });

  it("is deterministic: the same seed gives the same result; the streams are those without mc", () => {
    const a = audit(NEAR(), 3, { mc: MC });
    const b = audit(NEAR(), 3, { mc: MC });
    expect(b).toEqual(a);
    // the first 999 resamples and 999 permutations are the same draws as without mc
    const capped = audit(NEAR(), 3, { mc: { ...MC, pThresholds: [], ciThresholds: [], maxPermutations: 999 } });
    const plain = audit(NEAR(), 3, { earlyStopping: false });
    expect(capped.resamples_used).toBe(999);
    expect(capped.permutations_used).toBe(99); // no threshold: settled at once
    expect(capped.ci_low).toBe(plain.ci_low);
    expect(capped.ci_high).toBe(plain.ci_high);
    const perm999 = audit(NEAR(), 3, { mc: { ...MC, pThresholds: [0.5], ciThresholds: [], risk: 1e-300, maxPermutations: 999 } });
    expect(perm999.permutations_used).toBe(999);
    expect(perm999.p_value).toBe(plain.p_value);
  });

  it("without mc the settled flags are null and nothing else changes shape", () => {
    const r = audit(FAR(), 1);
    expect(r.p_settled).toBeNull();
    expect(r.ci_settled).toBeNull();
    expect(r.mc_settled).toBeNull();
    expect(r.p_mc_low!).toBeLessThanOrEqual(r.p_value!);
    expect(r.p_mc_high!).toBeGreaterThanOrEqual(r.p_value!);
    expect(r.p_below).toBeNull();
  });

  it("rejects bad mc options", () => {
    expect(() => audit(FAR(), 1, { mc: { ...MC, risk: 0 } })).toThrow(RangeError);
    expect(() => audit(FAR(), 1, { mc: { ...MC, maxPermutations: 0 } })).toThrow(RangeError);
    expect(() => audit(FAR(), 1, { mc: { ...MC, pThresholds: [1.5] } })).toThrow(RangeError);
  });
});

describe("no t-tail refinement", () => {
  // a clear disparity: no permuted statistic reaches the observed one
  const clear = () => simulate({ teams: [team("A", 15, 15, 1.4), team("B", 15, 15, 1.4)], seed: 51 });

  it("without mc: zero exceedances in n give p = 1/(n + 1) and p_below = the Clopper-Pearson upper bound", () => {
    const r = audit(clear(), 1);
    expect(r.permutations_used).toBe(999);
    // the old refinement returned min(1/(n + 1), t tail), far below 1/1000 for this comparison
    expect(r.p_value).toBe(1 / 1000);
    // python3 -c "from scipy.stats import beta; print(beta.ppf(1 - 0.0005, 1, 999))"
    expect(DEFAULT_MC_RISK).toBe(0.001);
    expect(r.p_below!).toBeCloseTo(0.007579639520236767, 12);
    expect(r.p_mc_low).toBe(0);
    expect(r.p_mc_high).toBe(r.p_below);
  });

  it("with mc: p = 1/(n + 1), p_below the upper bound at the per-look risk", () => {
    const mc = { ...MC, pThresholds: [0.01, 0.05] };
    const r = audit(clear(), 1, { mc });
    const n = r.permutations_used;
    expect(r.p_value).toBe(1 / (n + 1));
    const looks = checkpoints(FIRST_PERMUTATION_BATCH, mc.maxPermutations).length;
    expect(r.p_below).toBe(clopperPearson(0, n, mc.risk / 2 / looks)[1]);
    expect(r.p_below!).toBeLessThanOrEqual(0.01);
    expect(r.p_settled).toBe(true);
    // it stops at the first checkpoint whose upper bound is below 0.01: 1 - (risk / 2 / looks)^(1/n) <= 0.01
    const first = checkpoints(FIRST_PERMUTATION_BATCH, mc.maxPermutations).find((k) => clopperPearson(0, k, mc.risk / 2 / looks)[1] <= 0.01);
    expect(n).toBe(first);
  });
});
