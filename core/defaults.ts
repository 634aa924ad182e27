/**
 * Defaults of the workspace config (`fairload.json`), defined once: core/config.ts builds its
 * schema from them, and anything that needs a default without a workspace (a statistic's own
 * default, a site loader) takes it from here. Constants only, so pure code may import them.
 */

/** The employer's name when the config gives none. */
export const DEFAULT_EMPLOYER = "Unnamed employer";

/** The group every other is compared with. */
export const DEFAULT_REFERENCE_GROUP = "White British";

/**
 * The fewest people a published figure may rest on: no group, cell or figure from which one can
 * be worked out describes fewer than this many workers.
 */
export const DEFAULT_MIN_GROUP_SIZE = 10;

/** Roles counted as senior (representation by seniority, progression). */
export const DEFAULT_SENIOR_ROLES: readonly string[] = ["Senior Practitioner", "Advanced Practitioner", "Team Manager"];

/** Largest return file accepted, in MB. */
export const DEFAULT_MAX_FILE_MB = 512;

/** A workbook (a zip) whose entries would unpack to more than this many MB is refused before it is opened. */
export const DEFAULT_MAX_UNPACKED_MB = 1024;

/**
 * The audit's declared analysis plan (docs/fairness-method.md, "The analysis plan"): fixed before
 * any result is seen. The primary question is the complexity of the work ethnic-minority workers
 * are allocated (new cases) against the reference group, within service, team, role and experience: these measures, tested
 * hierarchically (the employer and every service; then the teams of a service found to differ),
 * with the false discovery rate controlled at `alpha` over that family. Everything else is
 * secondary, in its own family, and can at most say "possible disparity: watch".
 */
export const DEFAULT_ANALYSIS_PLAN = {
  primary_measures: ["new_points_per_case", "new_high_complexity_share"],
  alpha: 0.05,
  /**
   * What every comparison holds fixed besides month: the same service, team and role, and the
   * same band of years since qualifying (where recorded). Employment type (agency or permanent)
   * and working pattern (FTE band) are shown as sensitivity variants of every primary row; add
   * "employment" or "fte_band" here to hold them fixed too.
   */
  adjust: ["service", "team", "role", "experience"],
} as const;

/** Characteristics a comparison can hold fixed (besides month). */
export const ADJUST_KEYS = ["service", "team", "role", "experience", "employment", "fte_band"] as const;

/**
 * The appraisal rating scale of the optional HR table `appraisal` (docs/returns.md, "Optional HR
 * tables"), in order, best first: the shared specification's example scale. An employer with its
 * own scale lists it as `appraisal_ratings` in fairload.json.
 */
export const DEFAULT_APPRAISAL_RATINGS: readonly string[] = ["Exceeds", "Fully meets", "Partly meets", "Does not meet"];
