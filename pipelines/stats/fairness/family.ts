/**
 * The declared analysis plan's families (docs/fairness-method.md, "The analysis plan"), fixed
 * before any result is seen:
 *
 * - **Primary, stage 1**: the primary comparison (ethnic-minority against the reference group) on
 *   the primary measures, for the whole employer and every service. Benjamini-Hochberg at `alpha`
 *   over these tests.
 * - **Primary, stage 2**: for a service and measure significant in stage 1, the same test in each
 *   of that service's teams, Benjamini-Hochberg at `alpha` within those teams (a gatekeeping
 *   design, as in Yekutieli's hierarchical false discovery rate: a team is only asked about once
 *   its service shows a difference, so one strong team is not drowned by many quiet ones, and many
 *   quiet teams do not dilute the services).
 * - **Secondary**: every other test (other measures, other groups and intersections, teams of a
 *   service not found to differ), Benjamini-Hochberg at `alpha` over them; a secondary result can
 *   at most be "possible disparity: watch".
 *
 * A test that cannot reach a verdict (too few compared workers) is left out of its family's
 * correction (independent filtering) and keeps a null q-value.
 *
 * @module
 */
import { bhAdjust } from "./multiplicity.ts";
import type { TestFamily } from "./rule.ts";
import type { FairnessResult } from "./types.ts";
import { settle } from "./verdict.ts";

/** One test of a run, with what the plan needs to place it. */
export interface PlannedTest {
  scope: "employer" | "service" | "team";
  service: string | null;
  comparison: string;
  result: FairnessResult;
  /** Could it reach a verdict (a p-value, and enough compared workers on both sides)? */
  eligible: boolean;
}

export interface AnalysisPlan {
  primaryMeasures: readonly string[];
  alpha: number;
}

/** Where a test landed and its settled result. */
export interface Placed {
  result: FairnessResult;
  family: TestFamily;
  /** e.g. "primary: employer and services", "primary: teams of First Response (points_per_case)", "secondary". */
  family_id: string;
  /** Eligible tests in the family (the m of its Benjamini-Hochberg correction). */
  family_size: number;
}

/** A service's difference opens its teams to the primary family when its verdict is a settled finding. */
const significant = (r: FairnessResult, _alpha: number) => r.verdict === "adverse disparity" || r.verdict === "favourable disparity";

/** Place every test in its declared family, correct within each family and settle the verdicts. */
export function placeInFamilies(tests: readonly PlannedTest[], plan: AnalysisPlan): Placed[] {
  const out: (Placed | undefined)[] = tests.map(() => undefined);
  const isPrimaryQuestion = (t: PlannedTest) => t.comparison === "primary" && plan.primaryMeasures.includes(t.result.measure);
  const settleFamily = (idx: number[], family: TestFamily, id: string) => {
    const eligible = idx.filter((i) => tests[i]!.eligible);
    const rs = eligible.map((i) => tests[i]!.result);
    const q = bhAdjust(rs.map((r) => r.p_value));
    // (only with Monte Carlo control: without it the verdicts use the estimates as they are)
    const settled = familySettled(rs.map((r) => (r.p_settled === null ? null : r.p_mc_low)), rs.map((r) => (r.p_settled === null ? null : r.p_mc_high)), plan.alpha);
    eligible.forEach((i, k) => (out[i] = { result: settle({ ...tests[i]!.result, q_value: q[k]!, q_settled: settled[k]! }, family), family, family_id: id, family_size: eligible.length }));
    for (const i of idx) if (!tests[i]!.eligible) out[i] = { result: settle({ ...tests[i]!.result, q_value: null, q_settled: null }, family), family, family_id: id, family_size: eligible.length };
  };
  // stage 1: the employer and every service
  const stage1 = tests.map((t, i) => (isPrimaryQuestion(t) && t.scope !== "team" ? i : -1)).filter((i) => i >= 0);
  settleFamily(stage1, "primary", "primary: employer and services");
  // stage 2: the teams of each service and measure found to differ
  const secondary: number[] = [];
  const teamsOf = new Map<string, number[]>();
  tests.forEach((t, i) => {
    if (!isPrimaryQuestion(t) || t.scope !== "team") return;
    const k = JSON.stringify([t.service, t.result.measure]);
    teamsOf.set(k, [...(teamsOf.get(k) ?? []), i]);
  });
  for (const [k, idx] of teamsOf) {
    const [service, measure] = JSON.parse(k) as [string, string];
    const gate = stage1.find((i) => tests[i]!.scope === "service" && tests[i]!.service === service && tests[i]!.result.measure === measure);
    if (gate !== undefined && significant(out[gate]!.result, plan.alpha)) settleFamily(idx, "primary", `primary: teams of ${service} (${measure})`);
    else secondary.push(...idx);
  }
  tests.forEach((t, i) => {
    if (!isPrimaryQuestion(t)) secondary.push(i);
  });
  settleFamily(secondary.sort((a, b) => a - b), "secondary", "secondary");
  return out.map((p) => p!);
}

/**
 * Whether each test's "q < alpha" is settled over the Monte Carlo intervals of its family:
 * Benjamini-Hochberg q-values are non-decreasing in every p-value, so the q from every lower end
 * and the q from every upper end bound the q of any p-values inside the intervals; the decision
 * is settled when both bounds fall on the same side of alpha. Null for a test without an
 * interval (no Monte Carlo control). If each interval covers its exact p-value with probability
 * 1 - risk, a settled decision is the exact one with probability at least 1 - m x risk.
 */
export function familySettled(low: readonly (number | null)[], high: readonly (number | null)[], alpha: number): (boolean | null)[] {
  if (low.some((x) => x === null) || high.some((x) => x === null)) return low.map(() => null);
  const qLo = bhAdjust(low);
  const qHi = bhAdjust(high);
  return qLo.map((lo, k) => (lo === null || qHi[k] === null ? null : (lo < alpha) === (qHi[k]! < alpha)));
}

/** {@link familySettled} for a re-run: the family's intervals with the re-run's in place of the original's. */
export function qSettledInFamily(low: readonly (number | null)[], high: readonly (number | null)[], index: number, pLow: number | null, pHigh: number | null, alpha: number): boolean | null {
  return familySettled(low.map((x, i) => (i === index ? pLow : x)), high.map((x, i) => (i === index ? pHigh : x)), alpha)[index] ?? null;
}

/**
 * The q-value a re-run would have in the same family: Benjamini-Hochberg over the family's
 * p-values with the re-run's p in place of the original's (so a sensitivity re-run is judged on
 * exactly the same rule as the base verdict).
 */
export function qInFamily(familyP: readonly (number | null)[], index: number, p: number | null): number | null {
  if (p === null) return null;
  const ps = familyP.map((x, i) => (i === index ? p : x));
  return bhAdjust(ps)[index] ?? null;
}
