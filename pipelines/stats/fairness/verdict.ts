/**
 * The verdict rule ({@link decideVerdict}) and {@link settle}, which applies it to a result and
 * writes the result's sentence.
 *
 * @module
 */
import { FAIRNESS_MEASURE_DEFS } from "./measures.ts";
import { DEFAULT_RULE, type Verdict, type VerdictReason, type VerdictRule } from "./rule.ts";
import type { FairnessResult } from "./types.ts";
import { describeResult } from "./sentences.ts";

/** What {@link decideVerdict} needs from a result. */
export type VerdictInput = Pick<
  FairnessResult,
  | "measure" | "ratio_adjusted" | "ci_low" | "ci_high" | "q_value" | "p_value" | "mde_ratio"
  | "n_workers_group_compared" | "n_workers_reference_compared" | "months_observed" | "persistent" | "alpha" | "df"
> & { rule?: VerdictRule };

/**
 * The verdict rule (docs/fairness-method.md, "Verdicts"), in order:
 * 1. no stratum with both groups, or no interval -> too few to tell;
 * 2. fewer than 5 compared workers in either group -> too few to tell;
 * 3. q < alpha and the CI excludes 1: with fewer than 6 months compared, or
 *    the months not persistent, -> too few to tell; otherwise adverse or
 *    favourable disparity by the measure's adverse direction;
 * 4. otherwise, if the MDE is at most 1.25, the CI lies inside
 *    (1/1.25, 1.25) and the standard error rests on at least 10 Welch degrees
 *    of freedom -> no evidence of disparity;
 * 5. otherwise -> too few to tell (low power, an interval too wide to rule
 *    out a 25% disparity, or too few workers to trust that it does).
 * The q-value is used (p-value if q is null).
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
  const q = r.q_value ?? r.p_value;
  const excludesOne = r.ci_low > 1 || r.ci_high < 1;
  if (q !== null && q < r.alpha && excludesOne) {
    if (r.months_observed < rule.persistence_min_months) return { verdict: "too few to tell", reason: "short-window" };
    if (!r.persistent) return { verdict: "too few to tell", reason: "not-persistent" };
    const higher = R > 1;
    const adverse = FAIRNESS_MEASURE_DEFS[r.measure].adverse === "higher" ? higher : !higher;
    return { verdict: adverse ? "adverse disparity" : "favourable disparity", reason: "significant-and-persistent" };
  }
  // A difference the interval itself detects, but that does not survive the correction for the
  // number of tests (or is not persistent), is never reported as "no evidence of disparity".
  if (excludesOne) return { verdict: "too few to tell", reason: "not-significant-after-correction" };
  if (r.mde_ratio === null || !(r.mde_ratio <= rule.max_mde)) return { verdict: "too few to tell", reason: "low-power" };
  if (r.ci_low > 1 / rule.equivalence_margin && r.ci_high < rule.equivalence_margin) {
    if (r.df !== null && r.df < rule.min_df_no_evidence) return { verdict: "too few to tell", reason: "cannot-rule-out" };
    return { verdict: "no evidence of disparity", reason: "rules-out-disparity" };
  }
  return { verdict: "too few to tell", reason: "inconclusive" };
}

/** Applies the verdict rule and writes the sentence. */
export function settle(r: FairnessResult): FairnessResult {
  const { verdict, reason } = decideVerdict(r);
  const out = { ...r, verdict, verdict_reason: reason };
  out.sentence = describeResult(out);
  return out;
}
