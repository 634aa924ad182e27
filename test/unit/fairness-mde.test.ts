/**
 * The detectable ratio means what the audit says: a true difference of that size gives a verdict
 * (a significant difference in the declared family, its interval excluding 1) four times in five.
 * Simulated: a team whose design gives a reported MDE at the family's level (alpha / m), then the
 * same team with that ratio planted, over 60 seeds; the verdict taken as the family's rule would
 * take it for a lone difference among m tests (q = p x m).
 */
import { describe, expect, it } from "vitest";
import { auditComparison } from "../../pipelines/stats/fairness.ts";
import { BASE, simulate, team } from "../support/fairness-sim.ts";

const M = 8; // tests in the family (the employer and three services, two measures)
const ALPHA = 0.05;
const mc = { pThresholds: [ALPHA / M], ciThresholds: [1], risk: 1e-4, maxPermutations: 20_000, maxResamples: 4_000 };

describe("the detectable ratio under the actual rule", () => {
  it("a true ratio equal to the reported MDE gives a verdict in about 80% of seeds (60-95%); half of it far less often", () => {
    const design = (planted: number, seed: number) => simulate({ teams: [team("A", 12, 14, planted), team("B", 10, 12, planted)], seed, workerSd: 0.15 });
    // the MDE the audit reports for this design when nothing is planted (its average over seeds)
    const mdes: number[] = [];
    for (let seed = 1; seed <= 10; seed++) mdes.push(auditComparison(design(1, seed), { ...BASE, seed, mc, mdeAlpha: ALPHA / M }).mde_ratio!);
    const mde = mdes.reduce((a, b) => a + b, 0) / mdes.length;
    expect(mde).toBeGreaterThan(1.02);
    const rate = (ratio: number) => {
      let hits = 0;
      const seeds = 60;
      for (let seed = 101; seed <= 100 + seeds; seed++) {
        const r = auditComparison(design(ratio, seed), { ...BASE, seed, mc, mdeAlpha: ALPHA / M });
        const q = r.p_value === null ? 1 : Math.min(1, r.p_value * M);
        if (q < ALPHA && r.ci_low !== null && r.ci_low > 1) hits++;
      }
      return hits / seeds;
    };
    const atMde = rate(mde);
    const atHalf = rate(Math.sqrt(mde)); // half the difference on the log scale
    console.log(`MDE ${mde.toFixed(3)} at alpha/${M}: verdict in ${(atMde * 100).toFixed(0)}% of seeds at the MDE, ${(atHalf * 100).toFixed(0)}% at half of it`);
    expect(atMde).toBeGreaterThanOrEqual(0.6);
    expect(atMde).toBeLessThanOrEqual(0.95);
    expect(atHalf).toBeLessThan(0.5);
  }, 300_000);
});
