/**
 * The measure catalogue of the fairness audit: the seven measures, their adverse directions and
 * the words used in sentences, and {@link measureValues}, which derives them from a worker's
 * monthly totals.
 *
 * @module
 */

/** The measures the audit compares. See {@link FAIRNESS_MEASURE_DEFS} and docs/fairness-method.md. */
export type FairnessMeasure =
  | "new_points_per_case"
  | "new_high_complexity_share"
  | "points_per_case"
  | "high_complexity_share"
  | "caseload_per_fte"
  | "points_per_fte"
  | "supervision_ratio"
  | "complexity_per_support"
  | "review_requested";

/** Which direction of the group/reference ratio is adverse for the group. */
export type AdverseDirection = "higher" | "lower";

/** Description of one measure: its meaning, its adverse direction and the words used in sentences. */
export interface MeasureInfo {
  name: FairnessMeasure;
  /** Short noun phrase, e.g. "weighted case complexity (points per case)". */
  noun: string;
  /** Ratio above 1 is adverse ("higher") or ratio below 1 is adverse ("lower"). */
  adverse: AdverseDirection;
  /** Clause for a ratio above 1, given the rounded percentage, e.g. "held cases weighted 24% more complex". */
  more: (pct: string) => string;
  /** Clause for a ratio below 1. */
  less: (pct: string) => string;
  /** Clause when the rounded difference is 0%. */
  same: string;
  /** Words for the two directions, used in confidence intervals ("5% less to 12% more"). */
  moreWord: string;
  lessWord: string;
  /**
   * "worker-month" (default): one observation per worker per month, strata by month;
   * "worker": one observation per worker over the window (did it happen at all), strata without
   * month, so that one worker's request counts once however many months it is flagged.
   */
  level?: "worker-month" | "worker";
  /**
   * What time the strata hold fixed: "month" (default: a load or a holding is compared with the
   * same month's) or "window" (new allocations: a worker gets a few a month, so like with like is
   * the same team, role and experience over the window, and the monthly ratios are descriptive).
   */
  strata?: "month" | "window";
}

/** The audit measures with their adverse directions (higher load/complexity is adverse; lower supervision is adverse). */
export const FAIRNESS_MEASURE_DEFS: Readonly<Record<FairnessMeasure, MeasureInfo>> = {
  new_points_per_case: {
    name: "new_points_per_case",
    noun: "weighted complexity of newly allocated cases (points per new case)",
    adverse: "higher",
    more: (p) => `were allocated new cases weighted ${p} more complex`,
    less: (p) => `were allocated new cases weighted ${p} less complex`,
    same: "were allocated new cases of the same weighted complexity",
    moreWord: "more",
    lessWord: "less",
    strata: "window",
  },
  new_high_complexity_share: {
    name: "new_high_complexity_share",
    noun: "the share of high-complexity cases (complexity 4 or 5) among new allocations",
    adverse: "higher",
    more: (p) => `were allocated a ${p} higher share of high-complexity new cases (complexity 4 or 5)`,
    less: (p) => `were allocated a ${p} lower share of high-complexity new cases (complexity 4 or 5)`,
    same: "were allocated the same share of high-complexity new cases (complexity 4 or 5)",
    moreWord: "higher",
    lessWord: "lower",
    strata: "window",
  },
  points_per_case: {
    name: "points_per_case",
    noun: "weighted case complexity (points per case)",
    adverse: "higher",
    more: (p) => `held cases weighted ${p} more complex`,
    less: (p) => `held cases weighted ${p} less complex`,
    same: "held cases of the same weighted complexity",
    moreWord: "more",
    lessWord: "less",
  },
  high_complexity_share: {
    name: "high_complexity_share",
    noun: "the share of high-complexity cases (complexity 4 or 5)",
    adverse: "higher",
    more: (p) => `held a ${p} higher share of high-complexity cases (complexity 4 or 5)`,
    less: (p) => `held a ${p} lower share of high-complexity cases (complexity 4 or 5)`,
    same: "held the same share of high-complexity cases (complexity 4 or 5)",
    moreWord: "higher",
    lessWord: "lower",
  },
  caseload_per_fte: {
    name: "caseload_per_fte",
    noun: "caseload per full-time equivalent",
    adverse: "higher",
    more: (p) => `held ${p} more cases per full-time equivalent`,
    less: (p) => `held ${p} fewer cases per full-time equivalent`,
    same: "held as many cases per full-time equivalent",
    moreWord: "more",
    lessWord: "fewer",
  },
  points_per_fte: {
    name: "points_per_fte",
    noun: "workload points per full-time equivalent",
    adverse: "higher",
    more: (p) => `carried ${p} more workload points per full-time equivalent`,
    less: (p) => `carried ${p} fewer workload points per full-time equivalent`,
    same: "carried as many workload points per full-time equivalent",
    moreWord: "more",
    lessWord: "fewer",
  },
  supervision_ratio: {
    name: "supervision_ratio",
    noun: "supervision received against plan",
    adverse: "lower",
    more: (p) => `received ${p} more of their planned supervision`,
    less: (p) => `received ${p} less of their planned supervision`,
    same: "received the same share of their planned supervision",
    moreWord: "more",
    lessWord: "less",
  },
  complexity_per_support: {
    name: "complexity_per_support",
    noun: "case complexity relative to supervision received",
    adverse: "higher",
    more: (p) => `carried ${p} more case complexity per unit of supervision received`,
    less: (p) => `carried ${p} less case complexity per unit of supervision received`,
    same: "carried the same case complexity per unit of supervision received",
    moreWord: "more",
    lessWord: "less",
  },
  review_requested: {
    name: "review_requested",
    noun: "the share of workers who asked for a caseload review in the window",
    adverse: "higher",
    more: (p) => `were ${p} more likely to have asked for a caseload review in the window`,
    less: (p) => `were ${p} less likely to have asked for a caseload review in the window`,
    same: "were as likely to have asked for a caseload review in the window",
    moreWord: "more likely",
    lessWord: "less likely",
    level: "worker",
  },
};

/** All measure names, in report order. */
export const FAIRNESS_MEASURES: readonly FairnessMeasure[] = Object.keys(FAIRNESS_MEASURE_DEFS) as FairnessMeasure[];

/**
 * Floor and cap of the support factor in `complexity_per_support`: support =
 * min(1, max(0.5, held / planned)). The floor keeps the measure finite in a
 * month with no supervision and bounds its influence (such a month counts as
 * twice the complexity per unit of support of a fully supervised month); the
 * cap means extra sessions beyond plan do not offset complexity.
 */
export const SUPPORT_FLOOR = 0.5;
export const SUPPORT_CAP = 1;

/** A worker's raw monthly totals, from which {@link measureValues} derives the measures. */
export interface WorkerMonthTotals {
  /** Cases held this month (>= 0). */
  cases: number;
  /** Sum of the agreed points of those cases (>= 0). */
  case_points: number;
  /** Points for non-case work; null/undefined = not recorded (points_per_fte is then not applicable). */
  non_case_points?: number | null;
  /** Cases at complexity 4 or 5. */
  complex_cases?: number | null;
  /** Cases whose complexity is known (1-5). */
  known_complexity_cases?: number | null;
  /** Cases newly allocated to the worker this month, their points, and of those the high-complexity and known-complexity ones. */
  new_cases?: number | null;
  new_case_points?: number | null;
  new_complex_cases?: number | null;
  new_known_complexity_cases?: number | null;
  supervision_planned?: number | null;
  supervision_held?: number | null;
  /** The worker asked for a caseload review this month; null = not recorded. */
  review_requested?: boolean | null;
  /** Full-time equivalent, 0 < fte <= 1. */
  fte: number;
}

/** Measure values of one worker-month with the numerators and denominators of the ratio-of-sums measures. */
export interface MeasureValues {
  values: Record<FairnessMeasure, number | null>;
  num: Record<FairnessMeasure, number>;
  den: Record<FairnessMeasure, number>;
}

export const isNum = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * Derives the seven audit measures of one worker-month from its totals, as
 * defined in docs/fairness-method.md. A measure that does not apply is null
 * with num = den = 0:
 *
 * - new_points_per_case = new_case_points / new_cases (new_cases > 0): the allocation decisions;
 * - new_high_complexity_share = new_complex_cases / new_known_complexity_cases (> 0);
 * - points_per_case = case_points / cases (cases > 0);
 * - high_complexity_share = complex_cases / known_complexity_cases (> 0);
 * - caseload_per_fte = cases / fte;
 * - points_per_fte = (case_points + non_case_points) / fte (non-case points recorded);
 * - supervision_ratio = held / planned (planned > 0, held recorded);
 * - complexity_per_support = points_per_case / support, support =
 *   min(1, max(0.5, held / planned)) (cases > 0, planned > 0); num =
 *   points_per_case, den = support, so a group mean is mean complexity over
 *   mean support;
 * - review_requested = 1 if requested, 0 if not (recorded); den = 1 (the audit counts a worker
 *   once over the window: see {@link MeasureInfo.level}).
 *
 * @param t - the worker's totals for the month
 * @returns values, numerators and denominators keyed by measure
 */
export function measureValues(t: WorkerMonthTotals): MeasureValues {
  const values = {} as Record<FairnessMeasure, number | null>;
  const num = {} as Record<FairnessMeasure, number>;
  const den = {} as Record<FairnessMeasure, number>;
  const set = (m: FairnessMeasure, n: number | null, d: number) => {
    if (n === null || !(d > 0) || !Number.isFinite(n) || !Number.isFinite(d)) {
      values[m] = null;
      num[m] = 0;
      den[m] = 0;
    } else {
      values[m] = n / d;
      num[m] = n;
      den[m] = d;
    }
  };
  if (!(t.fte > 0)) throw new RangeError(`fte must be > 0, got ${t.fte}`);
  const cases = t.cases;
  const newCases = isNum(t.new_cases) ? t.new_cases : 0;
  set("new_points_per_case", newCases > 0 && isNum(t.new_case_points) ? t.new_case_points : null, newCases);
  set(
    "new_high_complexity_share",
    isNum(t.new_complex_cases) && isNum(t.new_known_complexity_cases) ? t.new_complex_cases : null,
    isNum(t.new_known_complexity_cases) ? t.new_known_complexity_cases : 0,
  );
  set("points_per_case", cases > 0 ? t.case_points : null, cases);
  set(
    "high_complexity_share",
    isNum(t.complex_cases) && isNum(t.known_complexity_cases) ? t.complex_cases : null,
    isNum(t.known_complexity_cases) ? t.known_complexity_cases : 0,
  );
  set("caseload_per_fte", cases, t.fte);
  set("points_per_fte", isNum(t.non_case_points) ? t.case_points + t.non_case_points : null, t.fte);
  const planned = isNum(t.supervision_planned) ? t.supervision_planned : 0;
  const held = isNum(t.supervision_held) ? t.supervision_held : null;
  set("supervision_ratio", planned > 0 ? held : null, planned);
  if (cases > 0 && planned > 0 && held !== null) {
    const support = Math.min(SUPPORT_CAP, Math.max(SUPPORT_FLOOR, held / planned));
    set("complexity_per_support", t.case_points / cases, support);
  } else set("complexity_per_support", null, 0);
  set("review_requested", t.review_requested === null || t.review_requested === undefined ? null : t.review_requested ? 1 : 0, 1);
  return { values, num, den };
}
