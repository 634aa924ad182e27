/**
 * Suppression of results for publication when a group is too small (ethnicity is
 * special-category data).
 *
 * @module
 */
import type { FairnessResult } from "./types.ts";
import { describeResult } from "./sentences.ts";

/**
 * Marks a result as suppressed for publication when a group has fewer than
 * `minGroupSize` workers (ethnicity is special-category data): verdict
 * "suppressed", estimates, counts and monthly ratios removed, a sentence
 * saying why. Results above the threshold are returned unchanged.
 *
 * @param r - the result
 * @param minGroupSize - threshold (default the result's min_group_size)
 * @returns the (possibly) suppressed record
 */
export function applySuppression(r: FairnessResult, minGroupSize = r.min_group_size): FairnessResult {
  if (r.n_workers_group >= minGroupSize && r.n_workers_reference >= minGroupSize) return r;
  const out: FairnessResult = {
    ...r,
    min_group_size: minGroupSize,
    n_workers_group: 0,
    n_workers_reference: 0,
    n_workers_group_compared: 0,
    n_workers_reference_compared: 0,
    n_worker_months_group: 0,
    n_worker_months_reference: 0,
    ratio_unadjusted: null,
    ratio_adjusted: null,
    ci_low: null,
    ci_high: null,
    se_log_ratio: null,
    p_value: null,
    q_value: null,
    mde_ratio: null,
    months_same_direction: 0,
    months_observed: 0,
    persistent: false,
    monthly_ratios: r.monthly_ratios.map(() => null),
    verdict: "suppressed",
    verdict_reason: "suppressed",
    suppressed: true,
    below_min_group_size: true,
  };
  out.sentence = describeResult(out);
  return out;
}
