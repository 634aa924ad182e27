/**
 * The verdict rule ({@link decideVerdict}) and {@link settle}, which applies it to a result and
 * writes the result's sentence.
 *
 * @module
 */
import type { TestFamily } from "./rule.ts";
import { FAIRNESS_MEASURE_DEFS } from "./measures.ts";
import { DEFAULT_RULE, type Verdict, type VerdictReason, type VerdictRule } from "./rule.ts";
import type { FairnessResult } from "./types.ts";
import { describeResult } from "./sentences.ts";

/** What {@link decideVerdict} needs from a result. */
export type VerdictInput = Pick<
  FairnessResult,
  | "measure" | "ratio_adjusted" | "ci_low" | "ci_high" | "q_value" | "p_value" | "mde_ratio"
  | "n_workers_group_compared" | "n_workers_reference_compared" | "months_observed" | "months_same_direction" | "persistent" | "alpha" | "df"
> & Partial<Pick<FairnessResult, "p_settled" | "ci_settled" | "ci_unsettled_at" | "q_settled">> & { rule?: VerdictRule; family?: TestFamily };

/**
 * The verdict rule (docs/fairness-method.md, "Verdicts"), in order:
 * 1. no stratum with both groups, or no interval -> too few to tell;
 * 2. fewer than 5 compared workers in either group -> too few to tell;
 * 3. in the declared primary family, q < alpha (Benjamini-Hochberg within the family) and the CI
 *    excludes 1 -> adverse or favourable disparity by the measure's adverse direction, unless the
 *    difference points that way in fewer than half the months compared (one month cannot carry
 *    a finding) -> possible disparity: watch;
 * 4. otherwise, the CI excludes 1 (not significant after the correction, or a secondary question)
 *    -> possible disparity: watch;
 * 5. otherwise, if the MDE is at most 1.25, the CI lies inside (1/1.25, 1.25) and the standard
 *    error rests on at least 10 Welch degrees of freedom -> no evidence of disparity;
 * (Before 3: a result whose interval, or in the primary family whose p-value, the settled Monte
 * Carlo could not place on one side of a threshold within its budget -> too few to tell.)
 * 6. otherwise -> too few to tell (low power, an interval too wide to rule out a 25% disparity,
 *    or too few workers to trust that it does).
 * Persistence (months on the same side) is descriptive, shown beside the verdict, not a 75%-of-
 * months test: month after month the same worker holds mostly the same cases, so such a test on
 * holdings would be close to automatic. Only the half-of-months guard in 3 applies. The q-value
 * is used (p-value
 * if q is null). A result without a family is treated as primary (a single comparison).
 *
 * @param r - the result's fields
 * @returns verdict and reason
 */
export function decideVerdict(r: VerdictInput): { verdict: Verdict; reason: VerdictReason } {
  const rule = r.rule ?? DEFAULT_RULE;
  const R = r.ratio_adjusted;
  if (R === null || !(R > 0) || !Number.isFinite(R) || r.ci_low === null || r.ci_high === null) {
    return { verdict: "too few to tell", reason: r.n_workers_group_compared === 0 || r.n_workers_reference_compared === 0 ? "no-comparable-workers" : "low-power" };
  }
  if (r.n_workers_group_compared < rule.min_workers || r.n_workers_reference_compared < rule.min_workers) {
    return { verdict: "too few to tell", reason: "few-workers" };
  }
  // Settled Monte Carlo: each decision the verdict uses must be one that infinitely many
  // resamples would give (montecarlo.ts); a decision the resampling could not settle claims no
  // side, so the verdict does not hang on the seed. Only the decisions on the path taken count:
  // an adverse verdict needs "CI excludes 1" and the p-value's place among the family's
  // thresholds; "no evidence" needs the ends against 0.80 and 1.25.
  const unsettledAt = (t: number) => r.ci_settled === false && (r.ci_unsettled_at ?? [t]).some((x) => Math.abs(x - t) < 1e-9);
  const unsettled = { verdict: "too few to tell" as const, reason: "monte-carlo-unsettled" as const };
  if (unsettledAt(1)) return unsettled;
  const q = r.q_value ?? r.p_value;
  const excludesOne = r.ci_low > 1 || r.ci_high < 1;
  const primary = (r.family ?? "primary") === "primary";
  // one month cannot carry a finding: the difference must point the same way in at least half of
  // the months compared (a guard, not a persistence test: months are shown either way); such a
  // difference is worth watching whatever its q-value, so the q-value need not be settled
  if (primary && excludesOne && r.months_observed >= 2 && r.months_same_direction < r.months_observed / 2) return { verdict: "possible disparity: watch", reason: "not-persistent" };
  // the family's decision for this test: settled over the Monte Carlo intervals of the whole
  // family when placed (q_settled), else this p-value against every threshold (p_settled)
  if (excludesOne && primary && (r.q_settled === false || ((r.q_settled ?? null) === null && r.p_settled === false))) return unsettled;
  if (primary && q !== null && q < r.alpha && excludesOne) {
    const higher = R > 1;
    const adverse = FAIRNESS_MEASURE_DEFS[r.measure].adverse === "higher" ? higher : !higher;
    return { verdict: adverse ? "adverse disparity" : "favourable disparity", reason: "significant-in-primary-family" };
  }
  // the interval itself detects a difference, but the declared family's correction does not
  // confirm it (or the question was secondary): worth watching, never "no evidence"
  if (excludesOne) return { verdict: "possible disparity: watch", reason: r.family === "secondary" ? "secondary-question" : "not-significant-after-correction" };
  if (r.mde_ratio === null || !(r.mde_ratio <= rule.max_mde)) return { verdict: "too few to tell", reason: "low-power" };
  // "no evidence" needs both ends inside the margin: an end settled outside decides it already
  const lowSettled = !unsettledAt(1 / rule.equivalence_margin);
  const highSettled = !unsettledAt(rule.equivalence_margin);
  const lowIn = r.ci_low > 1 / rule.equivalence_margin;
  const highIn = r.ci_high < rule.equivalence_margin;
  if ((lowSettled && !lowIn) || (highSettled && !highIn)) return { verdict: "too few to tell", reason: "inconclusive" };
  if (!lowSettled || !highSettled) return unsettled;
  if (lowIn && highIn) {
    if (r.df !== null && r.df < rule.min_df_no_evidence) return { verdict: "too few to tell", reason: "cannot-rule-out" };
    return { verdict: "no evidence of disparity", reason: "rules-out-disparity" };
  }
  return { verdict: "too few to tell", reason: "inconclusive" };
}

/** Applies the verdict rule and writes the sentence. */
export function settle(r: FairnessResult, family?: TestFamily): FairnessResult {
  const { verdict, reason } = decideVerdict({ ...r, family });
  const out = { ...r, verdict, verdict_reason: reason };
  out.sentence = describeResult(out);
  return out;
}
