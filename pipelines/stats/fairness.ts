/**
 * The statistics core of fairload's fairness audit: do workers of one group
 * (e.g. ethnic-minority social workers) carry more complex work, or get less
 * support, than comparable workers of a reference group (e.g. White British)
 * in the same team and role?
 *
 * Pure TypeScript, no I/O, no database. The caller builds one
 * {@link WorkerMonthObs} per worker and month from the SQL marts, filters them
 * to one scope (employer, service or team) and calls {@link auditComparison}
 * once per (scope, measure, group); {@link placeInFamilies} then applies the
 * Benjamini-Hochberg adjustment within each family of the declared analysis
 * plan and settles the verdicts ({@link finaliseRun} does the same for a
 * single family). The method, the measures and the verdict rule are described in
 * plain English in docs/fairness-method.md; in short:
 *
 * - Adjusted ratio: group mean / reference mean within strata of service x
 *   team x role x working pattern x month (means are ratios of sums),
 *   combined with Mantel-Haenszel-type weights n_g n_r / (n_g + n_r), i.e.
 *   direct standardisation to the harmonic "overlap" of the two groups
 *   (Mantel & Haenszel 1959; Rothman, Greenland & Lash, Modern Epidemiology,
 *   3rd ed., ch. 15). Points are never compared across services: service is
 *   always a stratum, even for the "unadjusted" ratio (service x month).
 * - 95% CI: cluster bootstrap over workers, stratified by group x modal team
 *   and role, with the Rao-Wu (1988) rescaling (n - 1 draws per cell,
 *   weights n / (n - 1)) so that small cells do not shrink the variance;
 *   percentile interval on the log scale, expanded for few workers
 *   (Hesterberg 2015) with Welch degrees of freedom.
 * - p-value: permutation of group labels among workers with the same modal
 *   team and role, two-sided on |log R| studentised by its linearised
 *   standard error (valid when the groups differ in spread: Janssen 1997,
 *   Chung & Romano 2013), with Besag & Clifford (1991) sequential stopping.
 * - Power: minimum detectable ratio exp((q_{1-alpha/2} + q_{0.80}) SE), SE the
 *   bootstrap standard deviation of log R, q normal (t with Welch df for few
 *   workers).
 * - Persistence: the adjusted ratio of each month on its own.
 * - Benjamini & Hochberg (1995) q-values over all tests of a run.
 * - WRES-style relative likelihood with a Katz log-method interval.
 *
 * Every resample costs O(worker-months in scope): per-worker, per-stratum
 * sufficient statistics (sum num, sum den, count) are precomputed into typed
 * arrays and the resampling loops allocate nothing; a resample visits only the
 * strata that can hold both groups (kernel.ts), with the same sums in the same
 * order, so the results are those of a pass over every stratum.
 *
 * This file only re-exports; the code is in pipelines/stats/fairness/, one idea a module:
 * measures (catalogue), rule (thresholds and verdicts), types (input, options, result), ratio
 * (Mantel-Haenszel), encode (observations as integer codes, encoded once per run), cells and
 * prepare (sufficient statistics), accumulate, interval, bootstrap, kernel, stream, linearise
 * and permutation (the resampling kernel), sentences, verdict, audit-comparison,
 * multiplicity (Benjamini-Hochberg), suppression, likelihood (WRES) and sensitivity (Not known).
 * Month helpers are in core/calendar.ts.
 *
 * @module
 */

export {
  FAIRNESS_MEASURE_DEFS,
  FAIRNESS_MEASURES,
  SUPPORT_CAP,
  SUPPORT_FLOOR,
  measureValues,
  type AdverseDirection,
  type MeasureInfo,
  type FairnessMeasure,
  type MeasureValues,
  type WorkerMonthTotals,
} from "./fairness/measures.ts";
export { DEFAULT_RULE, type TestFamily, type Verdict, type VerdictReason, type VerdictRule } from "./fairness/rule.ts";
export type { AdjustKey, AuditOptions, FairnessResult, McOptions, WorkerMonthObs } from "./fairness/types.ts";
export { mantelHaenszelRatio, type StratumSummary } from "./fairness/ratio.ts";
export { prepareComparison, type PreparedComparison } from "./fairness/prepare.ts";
export { EncodedObs, type ObsInput } from "./fairness/encode.ts";
export { expandedAlpha, minimumDetectableRatio, summariseBootstrap, type BootstrapSummary } from "./fairness/interval.ts";
export { welchDf } from "./fairness/linearise.ts";
export { describeResult, groupPhrase } from "./fairness/sentences.ts";
export { decideVerdict, settle, type VerdictInput } from "./fairness/verdict.ts";
export { auditComparison } from "./fairness/audit-comparison.ts";
export { bhAdjust, finaliseRun } from "./fairness/multiplicity.ts";
export { relativeLikelihood, type RelativeLikelihood } from "./fairness/likelihood.ts";
export { sensitivity, type SensitivityResult } from "./fairness/sensitivity.ts";
export { type AnalysisPlan, type Placed, type PlannedTest, familySettled, placeInFamilies, qInFamily, qSettledInFamily } from "./fairness/family.ts";
export { experienceFactors } from "./fairness/experience.ts";
export { adjustmentSensitivity, comparedWorkers, drivingTeam, leaveOneTeamOut, type AdjustmentVariant, type TeamInfluence } from "./fairness/influence.ts";
