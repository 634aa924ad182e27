/**
 * The verdict rule's thresholds ({@link VerdictRule}, {@link DEFAULT_RULE}) and the verdicts and
 * reasons a test can end with. The rule itself is {@link decideVerdict} in verdict.ts.
 *
 * @module
 */

/** The thresholds of the verdict rule (see {@link decideVerdict}). */
export interface VerdictRule {
  /** Fewest compared workers in each group for any verdict other than "too few to tell" (5). */
  min_workers: number;
  /** Largest minimum detectable ratio for "no evidence of disparity" (1.25). */
  max_mde: number;
  /** "No evidence" also needs the CI inside (1/margin, margin) (1.25). */
  equivalence_margin: number;
  /** Share of observed months on the side of the overall estimate for "persistent" (0.75). */
  persistence_share: number;
  /** Fewest months with a comparison for "persistent" (6). */
  persistence_min_months: number;
  /** "No evidence" also needs the standard error estimated with at least this many (Welch) degrees of freedom (10). */
  min_df_no_evidence: number;
}

/** Default verdict thresholds. */
export const DEFAULT_RULE: Readonly<VerdictRule> = {
  min_workers: 5,
  max_mde: 1.25,
  equivalence_margin: 1.25,
  persistence_share: 0.75,
  persistence_min_months: 6,
  min_df_no_evidence: 10,
};

/** Verdicts of a test. */
export type Verdict =
  | "adverse disparity"
  | "favourable disparity"
  | "possible disparity: watch"
  | "no evidence of disparity"
  | "too few to tell"
  | "suppressed";

/** The declared family a test belongs to: the primary question, or everything else. */
export type TestFamily = "primary" | "secondary";

/** Why a verdict was reached. */
export type VerdictReason =
  | "significant-and-persistent"
  | "significant-in-primary-family"
  | "interval-excludes-parity"
  | "secondary-question"
  | "monte-carlo-unsettled"
  | "rules-out-disparity"
  | "no-comparable-workers"
  | "few-workers"
  | "low-power"
  | "short-window"
  | "not-persistent"
  | "inconclusive"
  | "not-significant-after-correction"
  | "cannot-rule-out"
  | "suppressed";
