/**
 * The audit's input and output records: one worker-month ({@link WorkerMonthObs}), the options
 * of one comparison ({@link AuditOptions}) and one test's result ({@link FairnessResult}).
 *
 * @module
 */
import type { FairnessMeasure } from "./measures.ts";
import type { Verdict, VerdictReason, VerdictRule } from "./rule.ts";

/** One worker in one month, as the caller builds it from the marts. */
export interface WorkerMonthObs {
  worker_id: string;
  /** Calendar month, YYYY-MM. */
  period: string;
  service: string;
  team: string;
  role: string;
  fte: number;
  fte_band: "full-time" | "part-time";
  /** Years since qualifying, in bands ("under 2 years", ..., "not recorded"); used when adjusting for experience. */
  experience_band?: string;
  /** "permanent", "agency" or "not recorded"; used when adjusting for employment. */
  employment?: string;
  /** The worker's group for this comparison (e.g. "Ethnic minorities", "White British", "Not known"). */
  group: string;
  /** Measure values; null = not applicable this month. */
  values: Partial<Record<FairnessMeasure, number | null>>;
  /** Numerators of the ratio-of-sums measures (see {@link measureValues}). */
  num?: Partial<Record<FairnessMeasure, number>>;
  /** Denominators of the ratio-of-sums measures. */
  den?: Partial<Record<FairnessMeasure, number>>;
}

/** Characteristics the adjusted comparison can hold fixed (month is always held fixed). */
export type AdjustKey = "service" | "team" | "role" | "experience" | "employment" | "fte_band";

/**
 * Monte Carlo error control of one test (Gandy 2009): resample until every decision built on the
 * p-value and the CI is the one infinitely many resamples would give, except with probability
 * at most `risk`. See pipelines/stats/fairness/montecarlo.ts.
 */
export interface McOptions {
  /** Decisions "p_value <= t" to settle (e.g. [0.001, 0.01, 0.05]); empty: none. */
  pThresholds: number[];
  /** Ratios each CI endpoint is compared with (e.g. [0.8, 1, 1.25]); empty: none. */
  ciThresholds: number[];
  /** Bound on the probability that any decision reported as settled differs from the infinite-resampling one (e.g. 0.001). Half is spent on the p-value, half on the CI. */
  risk: number;
  /** Most permutations to draw (checkpoints 99, 199, 399, ...). */
  maxPermutations: number;
  /** Most bootstrap resamples to draw (checkpoints 999, 1999, 3999, ...). */
  maxResamples: number;
}

/** Options of {@link auditComparison}. */
export interface AuditOptions {
  /** The group under audit, matched against {@link WorkerMonthObs.group}. */
  group: string;
  /** The reference group (e.g. "White British"). */
  reference: string;
  measure: FairnessMeasure;
  /** Months in the window ending at `asOf` (12 recommended; persistence needs >= 6). */
  windowMonths: number;
  /** Last month of the window, YYYY-MM. */
  asOf: string;
  /** Maximum bootstrap resamples and permutations (10,000). */
  resamples?: number;
  /** Run seed; streams are derived from it and the test's identity. */
  seed: number;
  /** Groups smaller than this are flagged for suppression in published output (10). */
  minGroupSize?: number;
  /** Significance level for q-values and the CI level 1 - alpha (0.05). */
  alpha?: number;
  /**
   * The level the test must reach to give a verdict, for the detectable ratio: alpha / m in a
   * primary family of m tests (Benjamini-Hochberg's threshold when this is the only difference
   * found), alpha for a single test. Default alpha.
   */
  mdeAlpha?: number;
  /** Characteristics held fixed besides service and month (default service, team, role, fte_band). */
  adjust?: AdjustKey[];
  /**
   * Experience by standardisation ({@link experienceFactors}): with "experience" in `adjust`, each
   * worker-month's numerator is divided by the factor of its service, role and experience band
   * (key `service|role|band|measure`) instead of splitting the strata by band. Without it,
   * experience bands become strata.
   */
  experienceFactors?: ReadonlyMap<string, number>;
  /** Label of the scope for the output and sentence, e.g. the employer's name. */
  scope?: string;
  /** Service of the scope (null for an employer-wide scope). */
  service?: string | null;
  /** Team of the scope (null above team level). */
  team?: string | null;
  /** Phrases for the sentence; default from {@link groupPhrase}. */
  labels?: { group?: string; reference?: string };
  /** Verdict thresholds (defaults {@link DEFAULT_RULE}). */
  rule?: Partial<VerdictRule>;
  /** Allow early stopping of the bootstrap and the permutation test (true). */
  earlyStopping?: boolean;
  /** Besag-Clifford: stop the permutation test after this many exceedances (50). */
  stopAfterExceedances?: number;
  /**
   * Monte Carlo error control: resample in batches until the decisions at the declared thresholds
   * are settled (replaces `resamples`, `earlyStopping` and `stopAfterExceedances`).
   */
  mc?: McOptions;
}

/** One test's result. Ratios are group / reference. */
export interface FairnessResult {
  scope: string;
  service: string | null;
  team: string | null;
  measure: FairnessMeasure;
  group: string;
  reference_group: string;
  window_start: string;
  window_end: string;
  window_months: number;
  /** Workers of each group with at least one applicable worker-month in the window. */
  n_workers_group: number;
  n_workers_reference: number;
  /** Of those, workers in at least one stratum that has both groups. */
  n_workers_group_compared: number;
  n_workers_reference_compared: number;
  n_worker_months_group: number;
  n_worker_months_reference: number;
  /** Ratio with strata service x month only. */
  ratio_unadjusted: number | null;
  /** Mantel-Haenszel-weighted ratio with the full strata. */
  ratio_adjusted: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** Bootstrap standard deviation of log R. */
  se_log_ratio: number | null;
  /** Welch degrees of freedom of the small-sample correction (null = none needed). */
  df: number | null;
  /** Permutation p-value: (1 + exceedances) / (1 + permutations) (h / L after a Besag-Clifford stop); no tail approximation. */
  p_value: number | null;
  /** Clopper-Pearson interval for the exact permutation p-value from (exceedances, permutations), at confidence 1 - mc.risk / (2 x number of checkpoints) with `mc`, 0.999 without. */
  p_mc_low: number | null;
  p_mc_high: number | null;
  /** With no exceedance: p_mc_high, so that "p < p_below" can be said (p_value is then 1 / (permutations + 1)); else null. */
  p_below: number | null;
  /** With `mc`: no p threshold lies inside [p_mc_low, p_mc_high] (true when no p-value is defined); null without `mc`. */
  p_settled: boolean | null;
  /** With `mc`: no CI threshold lies inside the interval of either CI endpoint (true when no CI is computed); null without `mc`. */
  ci_settled: boolean | null;
  /** With `mc`: the CI thresholds (ratios) that an endpoint is not settled against; empty when ci_settled. */
  ci_unsettled_at: number[];
  /** p_settled && ci_settled (null without `mc`). */
  mc_settled: boolean | null;
  /**
   * With `mc`, once placed in its family: whether "q < alpha" is the same for every p-value of
   * the family inside its Monte Carlo interval (q from the lower ends and from the upper ends
   * agree; BH q-values are monotone in every p), so the family's decision for this test does not
   * depend on the seed. Null before placement or without `mc`.
   */
  q_settled?: boolean | null;
  /** Benjamini-Hochberg q-value within the test's family; equals p_value until the family is corrected (placeInFamilies, finaliseRun). */
  q_value: number | null;
  /**
   * The ratio that would give a verdict ("adverse disparity" in the primary family) with 80%
   * probability: detected at `mdeAlpha` (alpha / family size) with 80% power (null when it cannot
   * be estimated).
   */
  mde_ratio: number | null;
  /** Worker-level event measures (review_requested): workers of each group with the event in the window; else null. */
  events_group: number | null;
  events_reference: number | null;
  months_same_direction: number;
  months_observed: number;
  persistent: boolean;
  /** Adjusted ratio of each month of the window (null where no stratum had both groups). */
  monthly_ratios: (number | null)[];
  /** Workers of each group compared in each month of the window (those in a stratum with both groups that month). */
  monthly_workers_group: number[];
  monthly_workers_reference: number[];
  verdict: Verdict;
  verdict_reason: VerdictReason;
  suppressed: boolean;
  /** A group has fewer workers than minGroupSize: the caller should suppress this for publication. */
  below_min_group_size: boolean;
  sentence: string;
  /** Bootstrap resamples actually drawn. */
  resamples_used: number;
  /** Permutations actually drawn. */
  permutations_used: number;
  adjusted_for: AdjustKey[];
  alpha: number;
  min_group_size: number;
  rule: VerdictRule;
  group_label: string;
  reference_label: string;
}
