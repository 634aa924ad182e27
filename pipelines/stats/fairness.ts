/**
 * The statistics core of fairload's fairness audit: do workers of one group
 * (e.g. ethnic-minority social workers) carry more complex work, or get less
 * support, than comparable workers of a reference group (e.g. White British)
 * in the same team and role?
 *
 * Pure TypeScript, no I/O, no database. The caller builds one
 * {@link WorkerMonthObs} per worker and month from the SQL marts, filters them
 * to one scope (employer, service or team) and calls {@link auditComparison}
 * once per (scope, measure, group); {@link finaliseRun} then applies the
 * Benjamini-Hochberg adjustment over all tests of the run and settles the
 * verdicts. The method, the measures and the verdict rule are described in
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
 * arrays and the resampling loops allocate nothing.
 *
 * @module
 */
import { normalCdf, normalQuantile, tQuantile, tCdf } from "./dist.ts";
import { createRng, deriveSeed, type Rng } from "./rng.ts";

// ---------------------------------------------------------------------------
// Measures
// ---------------------------------------------------------------------------

/** The measures the audit compares. See {@link MEASURES} and docs/fairness-method.md. */
export type MeasureName =
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
  name: MeasureName;
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
}

/** The seven audit measures with their adverse directions (higher load/complexity is adverse; lower supervision is adverse). */
export const MEASURES: Readonly<Record<MeasureName, MeasureInfo>> = {
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
    noun: "requests for a caseload review",
    adverse: "higher",
    more: (p) => `asked for a caseload review ${p} more often`,
    less: (p) => `asked for a caseload review ${p} less often`,
    same: "asked for a caseload review as often",
    moreWord: "more often",
    lessWord: "less often",
  },
};

/** All measure names, in report order. */
export const MEASURE_NAMES: readonly MeasureName[] = Object.keys(MEASURES) as MeasureName[];

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
  supervision_planned?: number | null;
  supervision_held?: number | null;
  /** The worker asked for a caseload review this month; null = not recorded. */
  review_requested?: boolean | null;
  /** Full-time equivalent, 0 < fte <= 1. */
  fte: number;
}

/** Measure values of one worker-month with the numerators and denominators of the ratio-of-sums measures. */
export interface MeasureValues {
  values: Record<MeasureName, number | null>;
  num: Record<MeasureName, number>;
  den: Record<MeasureName, number>;
}

const isNum = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * Derives the seven audit measures of one worker-month from its totals, as
 * defined in docs/fairness-method.md. A measure that does not apply is null
 * with num = den = 0:
 *
 * - points_per_case = case_points / cases (cases > 0);
 * - high_complexity_share = complex_cases / known_complexity_cases (> 0);
 * - caseload_per_fte = cases / fte;
 * - points_per_fte = (case_points + non_case_points) / fte (non-case points recorded);
 * - supervision_ratio = held / planned (planned > 0, held recorded);
 * - complexity_per_support = points_per_case / support, support =
 *   min(1, max(0.5, held / planned)) (cases > 0, planned > 0); num =
 *   points_per_case, den = support, so a group mean is mean complexity over
 *   mean support;
 * - review_requested = 1 if requested, 0 if not (recorded); den = 1.
 *
 * @param t - the worker's totals for the month
 * @returns values, numerators and denominators keyed by measure
 */
export function measureValues(t: WorkerMonthTotals): MeasureValues {
  const values = {} as Record<MeasureName, number | null>;
  const num = {} as Record<MeasureName, number>;
  const den = {} as Record<MeasureName, number>;
  const set = (m: MeasureName, n: number | null, d: number) => {
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

// ---------------------------------------------------------------------------
// Input and options
// ---------------------------------------------------------------------------

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
  /** The worker's group for this comparison (e.g. "Ethnic minorities", "White British", "Not known"). */
  group: string;
  /** Measure values; null = not applicable this month. */
  values: Partial<Record<MeasureName, number | null>>;
  /** Numerators of the ratio-of-sums measures (see {@link measureValues}). */
  num?: Partial<Record<MeasureName, number>>;
  /** Denominators of the ratio-of-sums measures. */
  den?: Partial<Record<MeasureName, number>>;
}

/** Characteristics the adjusted comparison can hold fixed (month is always held fixed). */
export type AdjustKey = "service" | "team" | "role" | "fte_band";

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

/** Options of {@link auditComparison}. */
export interface AuditOptions {
  /** The group under audit, matched against {@link WorkerMonthObs.group}. */
  group: string;
  /** The reference group (e.g. "White British"). */
  reference: string;
  measure: MeasureName;
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
  /** Characteristics held fixed besides service and month (default service, team, role, fte_band). */
  adjust?: AdjustKey[];
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
}

/** Verdicts of a test. */
export type Verdict =
  | "adverse disparity"
  | "favourable disparity"
  | "no evidence of disparity"
  | "too few to tell"
  | "suppressed";

/** Why a verdict was reached. */
export type VerdictReason =
  | "significant-and-persistent"
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

/** One test's result. Ratios are group / reference. */
export interface FairnessResult {
  scope: string;
  service: string | null;
  team: string | null;
  measure: MeasureName;
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
  p_value: number | null;
  /** Benjamini-Hochberg q-value; equals p_value until {@link finaliseRun} fills it. */
  q_value: number | null;
  /** Minimum detectable ratio at 80% power (null when it cannot be estimated). */
  mde_ratio: number | null;
  months_same_direction: number;
  months_observed: number;
  persistent: boolean;
  /** Adjusted ratio of each month of the window (null where no stratum had both groups). */
  monthly_ratios: (number | null)[];
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

// ---------------------------------------------------------------------------
// Months
// ---------------------------------------------------------------------------

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** Index of a YYYY-MM month (year * 12 + month - 1); throws on a malformed period. */
export function monthIndex(period: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`period must be YYYY-MM, got "${period}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** The YYYY-MM period of a {@link monthIndex}. */
export function periodOf(index: number): string {
  const y = Math.floor(index / 12);
  return `${String(y).padStart(4, "0")}-${String(index - y * 12 + 1).padStart(2, "0")}`;
}

/** "2025-03" -> "March 2025". */
export function monthName(period: string): string {
  const i = monthIndex(period);
  return `${MONTHS[i % 12]} ${Math.floor(i / 12)}`;
}

// ---------------------------------------------------------------------------
// Preparation: sufficient statistics in typed arrays
// ---------------------------------------------------------------------------

/** Workers, strata and per-worker per-stratum sums of one comparison, ready for resampling. */
export interface PreparedComparison {
  /** Number of workers and of strata. */
  W: number;
  S: number;
  workerIds: string[];
  /** 1 = group, 0 = reference. */
  isGroup: Uint8Array;
  /** Entries of worker w are wStart[w] .. wStart[w + 1] - 1. */
  wStart: Int32Array;
  eStratum: Int32Array;
  eNum: Float64Array;
  eDen: Float64Array;
  eCnt: Float64Array;
  /** Month (0 = first month of the window) of each stratum. */
  stratumMonth: Int32Array;
  nMonths: number;
  /** Bootstrap cells (group x modal team and role, small cells pooled): cellWorkers[cellStart[k] .. cellStart[k+1]-1]. */
  bootCellStart: Int32Array;
  bootCellWorkers: Int32Array;
  /** Permutation cells (modal team and role) that hold both groups. */
  permCellStart: Int32Array;
  permCellWorkers: Int32Array;
  ratioUnadjusted: number | null;
  nWorkersGroup: number;
  nWorkersRef: number;
  nWmGroup: number;
  nWmRef: number;
}

interface WindowSpec {
  start: number;
  end: number;
}

function windowOf(asOf: string, windowMonths: number): WindowSpec {
  if (!Number.isInteger(windowMonths) || windowMonths < 1) throw new RangeError(`windowMonths must be a positive integer, got ${windowMonths}`);
  const end = monthIndex(asOf);
  return { start: end - windowMonths + 1, end };
}

/** Numerator and denominator of one observation for a measure, or null when not applicable. */
function numDen(o: WorkerMonthObs, measure: MeasureName): [number, number, boolean] | null {
  const v = o.values[measure];
  if (!isNum(v)) return null;
  const n = o.num?.[measure];
  const d = o.den?.[measure];
  if (n !== undefined && d !== undefined) {
    if (!isNum(n) || !isNum(d) || !(d > 0)) return null;
    return [n, d, true];
  }
  return [v, 1, false];
}

/** Mantel-Haenszel-weighted ratio from per-stratum group and reference sums (see module notes). */
function mhFromSums(
  gNum: ArrayLike<number>, gDen: ArrayLike<number>, gCnt: ArrayLike<number>,
  rNum: ArrayLike<number>, rDen: ArrayLike<number>, rCnt: ArrayLike<number>,
  n: number,
): number {
  let a = 0;
  let b = 0;
  let any = false;
  for (let s = 0; s < n; s++) {
    const gc = gCnt[s];
    const rc = rCnt[s];
    if (gc > 0 && rc > 0) {
      const gd = gDen[s];
      const rd = rDen[s];
      if (gd > 0 && rd > 0) {
        const w = (gc * rc) / (gc + rc);
        a += (w * gNum[s]) / gd;
        b += (w * rNum[s]) / rd;
        any = true;
      }
    }
  }
  return any ? a / b : NaN;
}

/** One stratum's group and reference summaries for {@link mantelHaenszelRatio}. */
export interface StratumSummary {
  /** Worker-months of the group and of the reference in the stratum. */
  n_group: number;
  n_reference: number;
  /** Group and reference means (ratios of sums) in the stratum. */
  mean_group: number;
  mean_reference: number;
}

/**
 * Mantel-Haenszel-type combined ratio of means:
 * R = sum_s w_s m_g,s / sum_s w_s m_r,s with w_s = n_g,s n_r,s / (n_g,s + n_r,s);
 * strata lacking either group are skipped. NaN when no stratum has both.
 * (Mantel & Haenszel 1959; the weights are those of the MH rate ratio with
 * worker-months as person-time.)
 *
 * @param strata - per-stratum counts and means
 * @returns the combined ratio
 */
export function mantelHaenszelRatio(strata: StratumSummary[]): number {
  const k = strata.length;
  const gNum = new Float64Array(k);
  const gDen = new Float64Array(k);
  const gCnt = new Float64Array(k);
  const rNum = new Float64Array(k);
  const rDen = new Float64Array(k);
  const rCnt = new Float64Array(k);
  strata.forEach((s, i) => {
    gNum[i] = s.mean_group;
    gDen[i] = 1;
    gCnt[i] = s.n_group;
    rNum[i] = s.mean_reference;
    rDen[i] = 1;
    rCnt[i] = s.n_reference;
  });
  return mhFromSums(gNum, gDen, gCnt, rNum, rDen, rCnt, k);
}

function modeKey(counts: Map<string, { n: number; last: number }>): string {
  let best = "";
  let bn = -1;
  let bl = -1;
  for (const [k, v] of counts) {
    if (v.n > bn || (v.n === bn && (v.last > bl || (v.last === bl && k < best)))) {
      best = k;
      bn = v.n;
      bl = v.last;
    }
  }
  return best;
}

/** Flattens a list of worker-index lists into CSR arrays. */
function toCsr(cells: number[][]): { start: Int32Array; workers: Int32Array } {
  const start = new Int32Array(cells.length + 1);
  let total = 0;
  cells.forEach((c, i) => {
    start[i] = total;
    total += c.length;
  });
  start[cells.length] = total;
  const workers = new Int32Array(total);
  let p = 0;
  for (const c of cells) for (const w of c) workers[p++] = w;
  return { start, workers };
}

/**
 * Bootstrap cells: workers of one group with the same modal (service, team,
 * role). Cells of one worker cannot vary under resampling and would make the
 * interval too narrow, so singletons are pooled: first within group x team,
 * then within the group; a single worker left over joins the group's largest
 * cell.
 */
function bootstrapCells(labelOf: Uint8Array, teamOf: string[], cellOf: string[]): number[][] {
  const out: number[][] = [];
  for (const lab of [1, 0]) {
    const byCell = new Map<string, number[]>();
    for (let w = 0; w < labelOf.length; w++) {
      if (labelOf[w] !== lab) continue;
      const k = cellOf[w];
      const list = byCell.get(k);
      if (list) list.push(w);
      else byCell.set(k, [w]);
    }
    const mine: number[][] = [];
    const singles: number[] = [];
    for (const c of byCell.values()) {
      if (c.length >= 2) mine.push(c);
      else singles.push(c[0]);
    }
    const byTeam = new Map<string, number[]>();
    for (const w of singles) {
      const list = byTeam.get(teamOf[w]);
      if (list) list.push(w);
      else byTeam.set(teamOf[w], [w]);
    }
    const left: number[] = [];
    for (const c of byTeam.values()) {
      if (c.length >= 2) mine.push(c);
      else left.push(c[0]);
    }
    if (left.length >= 2) mine.push(left);
    else if (left.length === 1) {
      if (mine.length > 0) {
        let big = 0;
        for (let i = 1; i < mine.length; i++) if (mine[i].length > mine[big].length) big = i;
        mine[big].push(left[0]);
      } else mine.push(left);
    }
    out.push(...mine);
  }
  return out;
}

/**
 * Filters the observations to the window and the two groups, checks them, and
 * builds the typed-array sufficient statistics used by every resample.
 *
 * @param obs - worker-months of one scope
 * @param opts - the comparison (group, reference, measure, window, adjust)
 * @returns the prepared comparison
 */
export function prepareComparison(
  obs: readonly WorkerMonthObs[],
  opts: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "adjust">,
): PreparedComparison {
  if (opts.group === opts.reference) throw new RangeError("group and reference must differ");
  if (!(opts.measure in MEASURES)) throw new RangeError(`unknown measure "${opts.measure}"`);
  const win = windowOf(opts.asOf, opts.windowMonths);
  const adjust = opts.adjust ?? ["service", "team", "role", "fte_band"];
  const useTeam = adjust.includes("team");
  const useRole = adjust.includes("role");
  const useBand = adjust.includes("fte_band");

  interface Row { w: number; month: number; s: string; u: string; n: number; d: number }
  const rows: Row[] = [];
  const workerIndex = new Map<string, number>();
  const workerIds: string[] = [];
  const lastLabel: { month: number; lab: number }[] = [];
  const cellCounts: Map<string, { n: number; last: number }>[] = [];
  let withNumDen = 0;
  let withoutNumDen = 0;
  for (const o of obs) {
    const lab = o.group === opts.group ? 1 : o.group === opts.reference ? 0 : -1;
    if (lab < 0) continue;
    const mi = monthIndex(o.period);
    if (mi < win.start || mi > win.end) continue;
    const nd = numDen(o, opts.measure);
    if (!nd) continue;
    if (nd[2]) withNumDen++;
    else withoutNumDen++;
    let w = workerIndex.get(o.worker_id);
    if (w === undefined) {
      w = workerIds.length;
      workerIndex.set(o.worker_id, w);
      workerIds.push(o.worker_id);
      lastLabel.push({ month: -Infinity, lab });
      cellCounts.push(new Map());
    }
    if (mi >= lastLabel[w].month) lastLabel[w] = { month: mi, lab };
    const cellKey = `${o.service}\u0001${o.team}\u0001${o.role}`;
    const cc = cellCounts[w].get(cellKey);
    if (cc) {
      cc.n++;
      cc.last = Math.max(cc.last, mi);
    } else cellCounts[w].set(cellKey, { n: 1, last: mi });
    const month = mi - win.start;
    const s = [o.service, useTeam ? o.team : "", useRole ? o.role : "", useBand ? o.fte_band : "", month].join("\u0001");
    const u = `${o.service}\u0001${month}`;
    rows.push({ w, month, s, u, n: nd[0], d: nd[1] });
  }
  if (withNumDen > 0 && withoutNumDen > 0) {
    throw new RangeError(`measure ${opts.measure}: some worker-months give num/den and others only a value; give num/den for all or none`);
  }

  const W = workerIds.length;
  const isGroup = new Uint8Array(W);
  for (let w = 0; w < W; w++) isGroup[w] = lastLabel[w].lab;

  // strata ids
  const stratumIndex = new Map<string, number>();
  const stratumMonthList: number[] = [];
  const rowStratum = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let s = stratumIndex.get(r.s);
    if (s === undefined) {
      s = stratumMonthList.length;
      stratumIndex.set(r.s, s);
      stratumMonthList.push(r.month);
    }
    rowStratum[i] = s;
  });
  const S = stratumMonthList.length;

  // entries: (worker, stratum) sums, grouped by worker
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].w - rows[b].w || rowStratum[a] - rowStratum[b]);
  const eS: number[] = [];
  const eN: number[] = [];
  const eD: number[] = [];
  const eC: number[] = [];
  const wStart = new Int32Array(W + 1);
  let prevW = -1;
  let prevS = -1;
  for (const i of order) {
    const w = rows[i].w;
    const s = rowStratum[i];
    if (w !== prevW) {
      for (let k = prevW + 1; k <= w; k++) wStart[k] = eS.length;
      prevW = w;
      prevS = -1;
    }
    if (s !== prevS) {
      eS.push(s);
      eN.push(0);
      eD.push(0);
      eC.push(0);
      prevS = s;
    }
    const last = eS.length - 1;
    eN[last] += rows[i].n;
    eD[last] += rows[i].d;
    eC[last] += 1;
  }
  for (let k = prevW + 1; k <= W; k++) wStart[k] = eS.length;

  // unadjusted ratio: strata service x month
  const uIndex = new Map<string, number>();
  const uSums: number[][] = [];
  for (const r of rows) {
    let u = uIndex.get(r.u);
    if (u === undefined) {
      u = uSums.length;
      uIndex.set(r.u, u);
      uSums.push([0, 0, 0, 0, 0, 0]);
    }
    const base = isGroup[r.w] ? 0 : 3;
    uSums[u][base] += r.n;
    uSums[u][base + 1] += r.d;
    uSums[u][base + 2] += 1;
  }
  const col = (j: number) => uSums.map((x) => x[j]);
  const ru = mhFromSums(col(0), col(1), col(2), col(3), col(4), col(5), uSums.length);

  // modal cells
  const cellOf: string[] = [];
  const teamOf: string[] = [];
  for (let w = 0; w < W; w++) {
    const k = modeKey(cellCounts[w]);
    cellOf.push(k);
    teamOf.push(k.slice(0, k.lastIndexOf("\u0001")));
  }
  const boot = toCsr(bootstrapCells(isGroup, teamOf, cellOf));
  const permMap = new Map<string, number[]>();
  for (let w = 0; w < W; w++) {
    const list = permMap.get(cellOf[w]);
    if (list) list.push(w);
    else permMap.set(cellOf[w], [w]);
  }
  const permCells = [...permMap.values()].filter((c) => c.some((w) => isGroup[w] === 1) && c.some((w) => isGroup[w] === 0));
  const perm = toCsr(permCells);

  let nWmGroup = 0;
  let nWmRef = 0;
  for (const r of rows) {
    if (isGroup[r.w]) nWmGroup++;
    else nWmRef++;
  }
  let nWorkersGroup = 0;
  for (let w = 0; w < W; w++) nWorkersGroup += isGroup[w];

  return {
    W,
    S,
    workerIds,
    isGroup,
    wStart,
    eStratum: Int32Array.from(eS),
    eNum: Float64Array.from(eN),
    eDen: Float64Array.from(eD),
    eCnt: Float64Array.from(eC),
    stratumMonth: Int32Array.from(stratumMonthList),
    nMonths: win.end - win.start + 1,
    bootCellStart: boot.start,
    bootCellWorkers: boot.workers,
    permCellStart: perm.start,
    permCellWorkers: perm.workers,
    ratioUnadjusted: Number.isFinite(ru) || ru === Infinity ? ru : null,
    nWorkersGroup,
    nWorkersRef: W - nWorkersGroup,
    nWmGroup,
    nWmRef,
  };
}

// ---------------------------------------------------------------------------
// The resampling kernel
// ---------------------------------------------------------------------------

/**
 * Accumulates per-stratum sums into `acc` (layout: group num, den, count,
 * reference num, den, count; S each) for the given labels and worker weights
 * (null = every worker once). No allocation.
 */
function accumulate(p: PreparedComparison, labels: Uint8Array, weights: Float64Array | null, acc: Float64Array): void {
  acc.fill(0);
  const S = p.S;
  const { wStart, eStratum, eNum, eDen, eCnt } = p;
  for (let w = 0; w < p.W; w++) {
    const wt = weights === null ? 1 : weights[w];
    if (wt === 0) continue;
    const base = labels[w] === 1 ? 0 : 3 * S;
    const e1 = wStart[w + 1];
    for (let e = wStart[w]; e < e1; e++) {
      const s = base + eStratum[e];
      acc[s] += wt * eNum[e];
      acc[s + S] += wt * eDen[e];
      acc[s + 2 * S] += wt * eCnt[e];
    }
  }
}

/** Mantel-Haenszel ratio from an accumulator (see {@link accumulate}). */
function ratioFromAcc(acc: Float64Array, S: number): number {
  let a = 0;
  let b = 0;
  let any = false;
  const S2 = 2 * S;
  const S3 = 3 * S;
  for (let s = 0; s < S; s++) {
    const gc = acc[S2 + s];
    const rc = acc[S3 + S2 + s];
    if (gc > 0 && rc > 0) {
      const gd = acc[S + s];
      const rd = acc[S3 + S + s];
      if (gd > 0 && rd > 0) {
        const w = (gc * rc) / (gc + rc);
        a += (w * acc[s]) / gd;
        b += (w * acc[S3 + s]) / rd;
        any = true;
      }
    }
  }
  return any ? a / b : NaN;
}

/** Per-month adjusted ratios from an accumulator. */
function monthlyFromAcc(acc: Float64Array, p: PreparedComparison): (number | null)[] {
  const S = p.S;
  const a = new Float64Array(p.nMonths);
  const b = new Float64Array(p.nMonths);
  const any = new Uint8Array(p.nMonths);
  for (let s = 0; s < S; s++) {
    const gc = acc[2 * S + s];
    const rc = acc[5 * S + s];
    const gd = acc[S + s];
    const rd = acc[4 * S + s];
    if (gc > 0 && rc > 0 && gd > 0 && rd > 0) {
      const m = p.stratumMonth[s];
      const w = (gc * rc) / (gc + rc);
      a[m] += (w * acc[s]) / gd;
      b[m] += (w * acc[3 * S + s]) / rd;
      any[m] = 1;
    }
  }
  return Array.from(a, (x, m) => {
    if (!any[m]) return null;
    const r = x / b[m];
    return Number.isNaN(r) ? null : r;
  });
}

/** Type-7 (R default) quantile of an ascending array of length n, safe with infinities. */
function quantileSorted(x: Float64Array, n: number, q: number): number {
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const j = Math.floor(h);
  const lo = x[j];
  if (j + 1 >= n) return lo;
  const hi = x[j + 1];
  if (lo === hi) return lo;
  return lo + (h - j) * (hi - lo);
}

/** Summary of bootstrap replicates of log R. */
export interface BootstrapSummary {
  /** CI endpoints on the ratio scale (null when too many replicates were undefined). */
  low: number | null;
  high: number | null;
  /** SD of log R* (Infinity when a replicate was infinite or more than 1% were undefined). */
  se: number;
  valid: number;
  undefinedShare: number;
}

/**
 * Percentile interval (on the log scale, back-transformed) and standard
 * deviation of bootstrap replicates of log R. Undefined replicates (NaN: a
 * resample with no stratum holding both groups, or 0/0) are dropped when they
 * are at most 1% of the replicates; above that the interval is not reported.
 * An infinite replicate (a resample whose reference mean is 0) makes the SE
 * infinite: such a measure is too sparse for a ratio.
 *
 * @param logs - replicates of log R (first `count` used)
 * @param count - number of replicates
 * @param alpha - 1 - confidence level
 * @returns the summary
 */
export function summariseBootstrap(logs: Float64Array, count: number, alpha: number): BootstrapSummary {
  const sorted = new Float64Array(count);
  let n = 0;
  let finite = true;
  for (let i = 0; i < count; i++) {
    const v = logs[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) finite = false;
    sorted[n++] = v;
  }
  const undefinedShare = count === 0 ? 1 : (count - n) / count;
  if (n < 2 || undefinedShare > 0.01) return { low: null, high: null, se: Infinity, valid: n, undefinedShare };
  const view = sorted.subarray(0, n).sort();
  const low = Math.exp(quantileSorted(view, n, alpha / 2));
  const high = Math.exp(quantileSorted(view, n, 1 - alpha / 2));
  let se = Infinity;
  if (finite) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += view[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (view[i] - mean) * (view[i] - mean);
    se = Math.sqrt(ss / (n - 1));
  }
  return { low, high, se, valid: n, undefinedShare };
}

/**
 * Minimum detectable ratio at the given power, two-sided level alpha:
 * exp((q_{1-alpha/2} + q_{power}) SE), with q the standard normal quantile
 * (df = Infinity, the textbook formula) or, for few workers, Student's t
 * quantile with the Welch degrees of freedom (see {@link welchDf}).
 *
 * @param seLog - standard error of log R (from the bootstrap)
 * @param alpha - two-sided level (0.05)
 * @param power - power (0.80)
 * @param df - degrees of freedom (Infinity for the normal)
 * @returns the ratio (>= 1); Infinity when the SE is not finite
 */
export function minimumDetectableRatio(seLog: number, alpha = 0.05, power = 0.8, df = Infinity): number {
  if (!Number.isFinite(seLog)) return Infinity;
  const q = (x: number) => (Number.isFinite(df) ? tQuantile(x, df) : normalQuantile(x));
  return Math.exp((q(1 - alpha / 2) + q(power)) * seLog);
}

/**
 * Nominal level of the expanded percentile interval (Hesterberg 2015,
 * "What teachers should know about the bootstrap", section 4): the
 * percentile interval is too narrow with few workers, so its tails are taken
 * at alpha' with z_{1-alpha'/2} = t_{1-alpha/2, df}. (The Rao-Wu rescaling
 * already supplies Hesterberg's sqrt(n/(n-1)) factor.)
 *
 * @param alpha - nominal two-sided level
 * @param df - degrees of freedom (Infinity gives alpha back)
 * @returns alpha' <= alpha
 */
export function expandedAlpha(alpha: number, df: number): number {
  if (!Number.isFinite(df)) return alpha;
  return 2 * normalCdf(-tQuantile(1 - alpha / 2, df));
}

/** Bootstrap settings. */
interface BootSettings {
  max: number;
  early: boolean;
  /** Level of the test (for the MDE). */
  alpha: number;
  /** Level of the (expanded) percentile interval. */
  ciAlpha: number;
  /** Degrees of freedom for the MDE. */
  df: number;
  /** Stop at the first checkpoint (after this many) when the verdict cannot leave "too few to tell". */
  fewWorkers: boolean;
}

const CHECK_EVERY = 1000;
const MIN_STABLE = 2000;
const STABLE_TOL = 0.005;
const CLEARLY_TOO_FEW_MDE = 1.4;

/**
 * Stratified cluster bootstrap of the adjusted ratio with Rao-Wu rescaling:
 * in a cell of n workers, n - 1 workers are drawn with replacement and each
 * draw carries weight n / (n - 1). Early stopping (checked every 1,000):
 * after 1,000 if the verdict is already fixed by group size or the MDE
 * exceeds 1.4; from 2,000 on when both CI endpoints and the MDE moved by less
 * than 0.005 since the previous checkpoint.
 */
function bootstrap(p: PreparedComparison, rng: Rng, set: BootSettings): { summary: BootstrapSummary; used: number } {
  const logs = new Float64Array(set.max);
  const weights = new Float64Array(p.W);
  const acc = new Float64Array(6 * p.S);
  const { bootCellStart, bootCellWorkers } = p;
  const nCells = bootCellStart.length - 1;
  let prev: BootstrapSummary | null = null;
  let used = 0;
  for (let b = 0; b < set.max; b++) {
    weights.fill(0);
    for (let k = 0; k < nCells; k++) {
      const c0 = bootCellStart[k];
      const n = bootCellStart[k + 1] - c0;
      if (n === 1) {
        weights[bootCellWorkers[c0]] = 1;
        continue;
      }
      const f = n / (n - 1);
      for (let d = 0; d < n - 1; d++) weights[bootCellWorkers[c0 + rng.nextInt(n)]] += f;
    }
    accumulate(p, p.isGroup, weights, acc);
    logs[b] = Math.log(ratioFromAcc(acc, p.S));
    used = b + 1;
    if (set.early && used % CHECK_EVERY === 0 && used < set.max) {
      const cur = summariseBootstrap(logs, used, set.ciAlpha);
      const mde = minimumDetectableRatio(cur.se, set.alpha, 0.8, set.df);
      if (used === CHECK_EVERY && (set.fewWorkers || mde > CLEARLY_TOO_FEW_MDE || cur.low === null)) return { summary: cur, used };
      if (used >= MIN_STABLE && prev && cur.low !== null && prev.low !== null && cur.high !== null && prev.high !== null) {
        const pm = minimumDetectableRatio(prev.se, set.alpha, 0.8, set.df);
        if (
          Math.abs(cur.low - prev.low) < STABLE_TOL &&
          Math.abs(cur.high - prev.high) < STABLE_TOL &&
          Math.abs(mde - pm) < STABLE_TOL
        ) return { summary: cur, used };
      }
      prev = cur;
    }
  }
  return { summary: summariseBootstrap(logs, used, set.ciAlpha), used };
}

/** Scratch buffers of {@link linearise}, allocated once per test. */
interface StudentScratch {
  /** Per stratum: count-weight coefficient, mean-deviation coefficient and mean; group then reference (6S). */
  coef: Float64Array;
  /** Output of {@link linearise}: log R, variance part of the group, of the reference, workers of each. */
  out: Float64Array;
}

function newScratch(S: number): StudentScratch {
  return { coef: new Float64Array(6 * S), out: new Float64Array(5) };
}

/**
 * Linearised (delta-method) cluster variance of log R for the labels whose
 * sums are in `acc`. Each worker's influence on log R is
 * z_i = sum over their entries of k_s c_ie + a_s (n_ie - m_s d_ie), where for
 * a group worker k_s = (C_r/(C_g+C_r))^2 (m_g/A - m_r/B) and a_s = w_s/(D_g A),
 * and for a reference worker k_s = (C_g/(C_g+C_r))^2 (m_g/A - m_r/B) and
 * a_s = -w_s/(D_r B) (A and B the weighted sums of group and reference means,
 * C counts, D denominators, m means, w the Mantel-Haenszel weight). The
 * variance part of each group is n/(n-1) sum (z_i - mean z)^2 over its
 * workers in at least one stratum with both groups. Writes log R, the group
 * part, the reference part and both worker counts into `scr.out`; returns
 * false when R is undefined. No allocation.
 */
function linearise(p: PreparedComparison, labels: Uint8Array, acc: Float64Array, scr: StudentScratch): boolean {
  const S = p.S;
  const S2 = 2 * S;
  const S3 = 3 * S;
  let A = 0;
  let B = 0;
  let any = false;
  for (let s = 0; s < S; s++) {
    const gc = acc[S2 + s];
    const rc = acc[S3 + S2 + s];
    if (gc > 0 && rc > 0 && acc[S + s] > 0 && acc[S3 + S + s] > 0) {
      const w = (gc * rc) / (gc + rc);
      A += (w * acc[s]) / acc[S + s];
      B += (w * acc[S3 + s]) / acc[S3 + S + s];
      any = true;
    }
  }
  if (!any || !(A > 0) || !(B > 0)) return false;
  const coef = scr.coef;
  coef.fill(0);
  for (let s = 0; s < S; s++) {
    const gc = acc[S2 + s];
    const rc = acc[S3 + S2 + s];
    const gd = acc[S + s];
    const rd = acc[S3 + S + s];
    if (gc > 0 && rc > 0 && gd > 0 && rd > 0) {
      const tot = gc + rc;
      const w = (gc * rc) / tot;
      const mg = acc[s] / gd;
      const mr = acc[S3 + s] / rd;
      const diff = mg / A - mr / B;
      coef[s] = (rc / tot) * (rc / tot) * diff;
      coef[S + s] = w / (gd * A);
      coef[S2 + s] = mg;
      coef[S3 + s] = (gc / tot) * (gc / tot) * diff;
      coef[S3 + S + s] = -w / (rd * B);
      coef[S3 + S2 + s] = mr;
    }
  }
  let n1 = 0, s1 = 0, q1 = 0, n0 = 0, s0 = 0, q0 = 0;
  const { wStart, eStratum, eNum, eDen, eCnt } = p;
  for (let w = 0; w < p.W; w++) {
    const g = labels[w] === 1;
    const base = g ? 0 : S3;
    let z = 0;
    let touched = false;
    const e1 = wStart[w + 1];
    for (let e = wStart[w]; e < e1; e++) {
      const s = base + eStratum[e];
      const a = coef[s + S];
      if (a !== 0) {
        touched = true;
        z += coef[s] * eCnt[e] + a * (eNum[e] - coef[s + S2] * eDen[e]);
      }
    }
    if (!touched) continue;
    if (g) {
      n1++;
      s1 += z;
      q1 += z * z;
    } else {
      n0++;
      s0 += z;
      q0 += z * z;
    }
  }
  const out = scr.out;
  out[0] = Math.log(A / B);
  out[1] = n1 > 1 ? (n1 / (n1 - 1)) * Math.max(0, q1 - (s1 * s1) / n1) : 0;
  out[2] = n0 > 1 ? (n0 / (n0 - 1)) * Math.max(0, q0 - (s0 * s0) / n0) : 0;
  out[3] = n1;
  out[4] = n0;
  return true;
}

/** |log R| / linearised SE (NaN when R is undefined; Infinity when the SE is 0 and log R is not). */
function studentisedStatistic(p: PreparedComparison, labels: Uint8Array, acc: Float64Array, scr: StudentScratch): number {
  if (!linearise(p, labels, acc, scr)) return NaN;
  const t = Math.abs(scr.out[0]);
  const v = scr.out[1] + scr.out[2];
  if (v === 0) return t === 0 ? 0 : Infinity;
  return t / Math.sqrt(v);
}

/**
 * Welch-Satterthwaite degrees of freedom of the linearised variance of log R
 * (group and reference parts with n - 1 degrees of freedom each): the
 * small-sample correction of the interval and the MDE. Infinity when the
 * variance is 0 or undefined; at least 1.
 *
 * @param p - the prepared comparison
 * @returns degrees of freedom
 */
export function welchDf(p: PreparedComparison): number {
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  if (!linearise(p, p.isGroup, acc, scr)) return Infinity;
  const [, vg, vr, ng, nr] = scr.out;
  const den = (ng > 1 ? (vg * vg) / (ng - 1) : 0) + (nr > 1 ? (vr * vr) / (nr - 1) : 0);
  if (!(den > 0)) return Infinity;
  return Math.max(1, ((vg + vr) * (vg + vr)) / den);
}

/**
 * Permutation p-value: group labels are shuffled among the workers of each
 * modal (team, role) cell; a worker keeps all their months. The statistic is
 * |log R| studentised by its linearised standard error (see
 * {@link studentisedStatistic}; Janssen 1997, Chung & Romano 2013: this keeps
 * the test valid when the two groups differ in spread and size, and recovers
 * the power the raw |log R| loses because permuting labels of groups that do
 * differ inflates the null spread). p = (1 + #{T* >= T_obs}) / (1 + B); with
 * early stopping, Besag & Clifford (1991): stop at the h-th exceedance after
 * L permutations with p = h / L. Undefined permuted statistics count as
 * exceedances (conservative); a relative tolerance of 1e-9 absorbs rounding
 * so that the identity permutation counts as an exceedance.
 */
function permutationTest(p: PreparedComparison, rng: Rng, max: number, stopAt: number): { p: number; used: number } | null {
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  const t0 = studentisedStatistic(p, p.isGroup, acc, scr);
  if (Number.isNaN(t0)) return null;
  const thr = Number.isFinite(t0) ? t0 - 1e-9 * Math.max(1, t0) : t0;
  const labels = Uint8Array.from(p.isGroup);
  const { permCellStart, permCellWorkers } = p;
  const nCells = permCellStart.length - 1;
  let exceed = 0;
  for (let b = 1; b <= max; b++) {
    for (let k = 0; k < nCells; k++) {
      const c0 = permCellStart[k];
      for (let i = permCellStart[k + 1] - c0 - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const wi = permCellWorkers[c0 + i];
        const wj = permCellWorkers[c0 + j];
        const t = labels[wi];
        labels[wi] = labels[wj];
        labels[wj] = t;
      }
    }
    accumulate(p, labels, null, acc);
    const t = studentisedStatistic(p, labels, acc, scr);
    if (!(t < thr)) exceed++; // NaN counts as an exceedance
    if (exceed >= stopAt && b < max) return { p: exceed / b, used: b };
  }
  const pPerm = (1 + exceed) / (1 + max);
  if (exceed > 0 || !Number.isFinite(t0)) return { p: pPerm, used: max };
  // No permuted statistic was as extreme: the permutation p-value is only an upper bound set by
  // the number of permutations (1 / (B + 1)), which Benjamini-Hochberg over hundreds of tests
  // would turn into q >= 0.05 for any lone effect however strong. Refine it in the tail with the
  // t approximation of the same studentised statistic (Welch df), never above the permutation
  // bound (tail approximation, as in Knijnenburg et al. 2009).
  const pT = 2 * tCdf(-t0, welchDf(p));
  return { p: Math.min(pPerm, pT), used: max };
}

// ---------------------------------------------------------------------------
// Verdicts and sentences
// ---------------------------------------------------------------------------

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
    const adverse = MEASURES[r.measure].adverse === "higher" ? higher : !higher;
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

const PHRASES: Record<string, string> = {
  "Ethnic minorities": "ethnic-minority social workers",
  "White British": "White British social workers",
  "White minorities": "White-minority social workers",
  "Not known": "social workers whose ethnicity is not known",
  White: "White social workers",
  "Mixed or Multiple": "social workers of Mixed or Multiple ethnicity",
  "Asian or Asian British": "Asian or Asian British social workers",
  "Black, Black British, Caribbean or African": "Black, Black British, Caribbean or African social workers",
  "Other ethnic group": "social workers of another ethnic group",
};

/**
 * Plain-English phrase for a group in a sentence: the group under audit as
 * "... social workers", the reference as "... colleagues".
 *
 * @param label - the group label (a fairness reporting group or an ONS broad group)
 * @param as - "group" or "reference"
 * @returns the phrase
 */
export function groupPhrase(label: string, as: "group" | "reference"): string {
  const base = PHRASES[label] ?? `${label} social workers`;
  return as === "reference" ? base.replace("social workers", "colleagues") : base;
}

function pct(r: number): number {
  return Math.round(Math.abs(r - 1) * 100);
}

function ciText(info: MeasureInfo, lo: number | null, hi: number | null): string {
  if (lo === null || hi === null || !Number.isFinite(hi) || !(lo > 0)) return "95% CI could not be estimated";
  if (lo >= 1) return `95% CI ${pct(lo)}% to ${pct(hi)}%`;
  if (hi <= 1) return `95% CI ${pct(hi)}% to ${pct(lo)}%`;
  return `95% CI from ${pct(lo)}% ${info.lessWord} to ${pct(hi)}% ${info.moreWord}`;
}

function clause(info: MeasureInfo, r: number): { text: string; prep: string } {
  const p = pct(r);
  if (p === 0) return { text: info.same, prep: "as" };
  return { text: r > 1 ? info.more(`${p}%`) : info.less(`${p}%`), prep: "than" };
}

function likeFor(adjusted: AdjustKey[]): string {
  const parts: string[] = [];
  parts.push(adjusted.includes("team") ? "team" : "service");
  if (adjusted.includes("role")) parts.push("role");
  if (adjusted.includes("fte_band")) parts.push("working pattern");
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  return `in the same ${list}`;
}

function scopePhrase(r: Pick<FairnessResult, "scope" | "service" | "team">): string {
  if (r.team) return `In ${r.team}${r.service ? ` (${r.service})` : ""}`;
  if (r.service) return `In ${r.service}`;
  return `Across ${r.scope || "the employer"}`;
}

/**
 * The plain-English sentence for a result, as an equality lead could paste
 * it into a report (one template per verdict and reason; month names, not
 * YYYY-MM). Group sizes are never printed.
 *
 * @param r - the result (verdict already decided)
 * @returns the sentence
 */
export function describeResult(r: FairnessResult): string {
  const info = MEASURES[r.measure];
  const scope = scopePhrase(r);
  if (r.verdict === "suppressed") {
    return `${scope}: the comparison of ${info.noun} between ${r.group_label} and ${r.reference_label} is not published because a group has fewer than ${r.min_group_size} workers.`;
  }
  const pre = `${scope}, over the ${r.window_months} months to ${monthName(r.window_end)}, `;
  const G = r.group_label;
  const Rf = r.reference_label;
  const like = likeFor(r.adjusted_for);
  const R = r.ratio_adjusted;
  const ci = ciText(info, r.ci_low, r.ci_high);
  const cl = R !== null && R > 0 && Number.isFinite(R) ? clause(info, R) : null;
  const mdePct = r.mde_ratio !== null && Number.isFinite(r.mde_ratio) ? `${Math.ceil((r.mde_ratio - 1) * 100 - 1e-9)}%` : null;
  switch (r.verdict_reason) {
    case "significant-and-persistent":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci}); this was so in ${r.months_same_direction} of ${r.months_observed} months.`;
    case "rules-out-disparity":
      return `${pre}there was no evidence of a disparity in ${info.noun} between ${G} and ${Rf} ${like}: they ${cl!.text} (${ci}), which rules out a difference of ${Math.round((r.rule.equivalence_margin - 1) * 100)}% or more.`;
    case "no-comparable-workers":
      return `${pre}no ${G} worked ${like} as ${Rf} in the same month, so ${info.noun} could not be compared.`;
    case "few-workers": {
      const groupShort = r.n_workers_group_compared < r.rule.min_workers;
      return `${pre}there were too few ${groupShort ? G : Rf} (fewer than ${r.rule.min_workers}) ${like} as ${groupShort ? Rf : G} to tell whether ${info.noun} differed.`;
    }
    case "low-power":
      return mdePct
        ? `${pre}there were too few workers to tell whether ${G} and ${Rf} ${like} differed in ${info.noun}: a difference smaller than ${mdePct} could not be detected.`
        : `${pre}the data were too sparse to tell whether ${G} and ${Rf} ${like} differed in ${info.noun}.`;
    case "short-window":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci}), but only ${r.months_observed} months could be compared, too few to tell whether this is a persistent disparity (at least ${r.rule.persistence_min_months} are needed).`;
    case "not-persistent":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} overall (${ci}), but this was so in only ${r.months_same_direction} of ${r.months_observed} months, so the audit cannot tell whether it is a persistent disparity.`;
    case "cannot-rule-out":
      return `${pre}there was no clear difference in ${info.noun} between ${G} and ${Rf} ${like}: they ${cl!.text} (${ci}), but there were too few workers to rule out a disparity of ${Math.round((r.rule.equivalence_margin - 1) * 100)}% or more.`;
    case "not-significant-after-correction":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci}), but this difference did not stand up once the audit allowed for the number of comparisons it made (q = ${(r.q_value ?? r.p_value ?? 1).toPrecision(2)}), so it cannot yet be called a disparity; it is worth watching.`;
    case "inconclusive":
    default:
      return `${pre}the audit cannot tell whether ${G} and ${Rf} ${like} differed in ${info.noun}: ${G} ${cl ? `${cl.text} ${cl.prep} ${Rf}` : "could not be compared"} (${ci}), a range that includes both no difference and a difference of ${Math.round((r.rule.equivalence_margin - 1) * 100)}% or more.`;
  }
}

// ---------------------------------------------------------------------------
// The audit of one comparison
// ---------------------------------------------------------------------------

/**
 * Audits one comparison (scope x measure x group vs reference) over a window:
 * adjusted and unadjusted ratios, bootstrap CI, permutation p-value, MDE,
 * persistence, verdict and sentence. The q-value is set to the p-value (a
 * family of one); call {@link finaliseRun} over all tests of a run to apply
 * Benjamini-Hochberg and settle the verdicts.
 *
 * Random streams are derived from `seed` and the test's identity (scope,
 * service, team, measure, group, reference), so one run seed can be passed to
 * every test and results do not depend on the order of the tests.
 *
 * @param obs - worker-months of the scope (other groups and months are ignored)
 * @param options - see {@link AuditOptions}
 * @returns the result record
 */
export function auditComparison(obs: readonly WorkerMonthObs[], options: AuditOptions): FairnessResult {
  const alpha = options.alpha ?? 0.05;
  const resamples = options.resamples ?? 10_000;
  const minGroupSize = options.minGroupSize ?? 10;
  const adjust = [...(options.adjust ?? ["service", "team", "role", "fte_band"])] as AdjustKey[];
  if (!adjust.includes("service")) adjust.unshift("service");
  const rule: VerdictRule = { ...DEFAULT_RULE, ...(options.rule ?? {}) };
  const early = options.earlyStopping ?? true;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);

  const p = prepareComparison(obs, { ...options, adjust });
  const win = windowOf(options.asOf, options.windowMonths);
  const acc = new Float64Array(6 * p.S);
  accumulate(p, p.isGroup, null, acc);
  const rawR = ratioFromAcc(acc, p.S);
  const R = rawR > 0 && Number.isFinite(rawR) ? rawR : rawR === 0 || rawR === Infinity ? rawR : NaN;

  // compared workers: in at least one stratum with both groups
  let nGc = 0;
  let nRc = 0;
  const S = p.S;
  for (let w = 0; w < p.W; w++) {
    for (let e = p.wStart[w]; e < p.wStart[w + 1]; e++) {
      const s = p.eStratum[e];
      if (acc[2 * S + s] > 0 && acc[5 * S + s] > 0) {
        if (p.isGroup[w]) nGc++;
        else nRc++;
        break;
      }
    }
  }

  const monthly = monthlyFromAcc(acc, p);
  const observedMonths = monthly.filter((m): m is number => m !== null);
  const sameDir = Number.isNaN(R) || R === 1 ? 0 : observedMonths.filter((m) => (R > 1 ? m > 1 : m < 1)).length;
  const persistent = observedMonths.length >= rule.persistence_min_months && sameDir >= rule.persistence_share * observedMonths.length;

  const id = [options.scope ?? "", options.service ?? "", options.team ?? "", options.measure, options.group, options.reference];
  const fewWorkers = nGc < rule.min_workers || nRc < rule.min_workers;
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  let se = Infinity;
  let used = 0;
  let pValue: number | null = null;
  let permUsed = 0;
  const df = welchDf(p);
  if (Number.isFinite(Math.log(R)) || R === 0 || R === Infinity) {
    const boot = bootstrap(p, createRng(deriveSeed(options.seed, ...id, "bootstrap")), {
      max: resamples,
      early,
      alpha,
      ciAlpha: expandedAlpha(alpha, df),
      df,
      fewWorkers,
    });
    ciLow = boot.summary.low;
    ciHigh = boot.summary.high;
    se = boot.summary.se;
    used = boot.used;
    const permMax = early && fewWorkers ? Math.min(resamples, 999) : resamples;
    const perm = permutationTest(
      p,
      createRng(deriveSeed(options.seed, ...id, "permutation")),
      permMax,
      early ? (options.stopAfterExceedances ?? 50) : Infinity,
    );
    pValue = perm ? perm.p : null;
    permUsed = perm ? perm.used : 0;
  }
  const mde = minimumDetectableRatio(se, alpha, 0.8, df);
  const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

  const result: FairnessResult = {
    scope: options.scope ?? "",
    service: options.service ?? null,
    team: options.team ?? null,
    measure: options.measure,
    group: options.group,
    reference_group: options.reference,
    window_start: periodOf(win.start),
    window_end: periodOf(win.end),
    window_months: options.windowMonths,
    n_workers_group: p.nWorkersGroup,
    n_workers_reference: p.nWorkersRef,
    n_workers_group_compared: nGc,
    n_workers_reference_compared: nRc,
    n_worker_months_group: p.nWmGroup,
    n_worker_months_reference: p.nWmRef,
    ratio_unadjusted: p.ratioUnadjusted !== null ? finiteOrNull(p.ratioUnadjusted) : null,
    ratio_adjusted: finiteOrNull(R),
    ci_low: ciLow,
    ci_high: ciHigh !== null ? finiteOrNull(ciHigh) : null,
    se_log_ratio: finiteOrNull(se),
    df: Number.isFinite(df) ? df : null,
    p_value: pValue,
    q_value: pValue,
    mde_ratio: finiteOrNull(mde),
    months_same_direction: sameDir,
    months_observed: observedMonths.length,
    persistent,
    monthly_ratios: monthly,
    verdict: "too few to tell",
    verdict_reason: "inconclusive",
    suppressed: false,
    below_min_group_size: p.nWorkersGroup < minGroupSize || p.nWorkersRef < minGroupSize,
    sentence: "",
    resamples_used: used,
    permutations_used: permUsed,
    adjusted_for: adjust,
    alpha,
    min_group_size: minGroupSize,
    rule,
    group_label: options.labels?.group ?? groupPhrase(options.group, "group"),
    reference_label: options.labels?.reference ?? groupPhrase(options.reference, "reference"),
  };
  return settle(result);
}

/** Applies the verdict rule and writes the sentence. */
function settle(r: FairnessResult): FairnessResult {
  const { verdict, reason } = decideVerdict(r);
  const out = { ...r, verdict, verdict_reason: reason };
  out.sentence = describeResult(out);
  return out;
}

// ---------------------------------------------------------------------------
// Run-level: multiplicity, suppression
// ---------------------------------------------------------------------------

/**
 * Benjamini-Hochberg (1995) adjusted p-values (q-values), as R
 * `p.adjust(p, method = "BH")`: q_(i) = min_{j >= i} min(1, m p_(j) / j) over
 * the m non-missing p-values in ascending order. Null/NaN inputs stay null and
 * do not count towards m.
 *
 * @param pValues - p-values (null for tests without one)
 * @returns q-values in the input order
 */
export function bhAdjust(pValues: readonly (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  pValues.forEach((p, i) => {
    if (p !== null && !Number.isNaN(p)) idx.push(i);
  });
  const m = idx.length;
  idx.sort((a, b) => (pValues[a] as number) - (pValues[b] as number));
  const out: (number | null)[] = pValues.map(() => null);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = idx[k];
    running = Math.min(running, ((pValues[i] as number) * m) / (k + 1));
    out[i] = Math.min(1, running);
  }
  return out;
}

/**
 * Fills the q-values of all tests of a run (Benjamini-Hochberg over every
 * test with a p-value) and re-applies the verdict rule and sentence with them.
 *
 * @param results - every result of the run
 * @returns new result records, same order
 */
export function finaliseRun(results: readonly FairnessResult[]): FairnessResult[] {
  const q = bhAdjust(results.map((r) => r.p_value));
  return results.map((r, i) => settle({ ...r, q_value: q[i] }));
}

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

// ---------------------------------------------------------------------------
// Representation (WRES style)
// ---------------------------------------------------------------------------

/** Result of {@link relativeLikelihood}. */
export interface RelativeLikelihood {
  /** (a / A) / (b / B), after the continuity correction when it applied. */
  ratio: number;
  ci_low: number;
  ci_high: number;
  /** SE of log ratio (Katz). */
  se_log: number;
  /** 0.5 was added to each cell because a cell was 0. */
  continuity_corrected: boolean;
  /** The ratio lies in the conventional non-adverse band 0.80-1.25. */
  within_band: boolean;
}

/**
 * Relative likelihood of group A being in senior roles compared with group
 * B, as in the NHS Workforce Race Equality Standard (WRES): (a/A) / (b/B),
 * with a Katz log-method interval: SE(log) = sqrt(1/a - 1/A + 1/b - 1/B)
 * (Katz et al. 1978). When any of the four cells (a, A - a, b, B - b) is 0,
 * 0.5 is added to each cell (so A and B grow by 1) for both the estimate and
 * the interval. `within_band` flags the conventional non-adverse range 0.80
 * to 1.25 (inclusive).
 *
 * @param aSenior - seniors in group A
 * @param aTotal - all of group A
 * @param bSenior - seniors in group B
 * @param bTotal - all of group B
 * @param alpha - 1 - confidence level (0.05)
 * @returns ratio, interval and flags (NaN ratio if a total is 0)
 */
export function relativeLikelihood(aSenior: number, aTotal: number, bSenior: number, bTotal: number, alpha = 0.05): RelativeLikelihood {
  for (const [name, v] of [["aSenior", aSenior], ["aTotal", aTotal], ["bSenior", bSenior], ["bTotal", bTotal]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a non-negative number, got ${v}`);
  }
  if (aSenior > aTotal || bSenior > bTotal) throw new RangeError("seniors cannot exceed the total");
  if (aTotal === 0 || bTotal === 0) {
    return { ratio: NaN, ci_low: NaN, ci_high: NaN, se_log: NaN, continuity_corrected: false, within_band: false };
  }
  const corrected = aSenior === 0 || bSenior === 0 || aSenior === aTotal || bSenior === bTotal;
  const a = corrected ? aSenior + 0.5 : aSenior;
  const A = corrected ? aTotal + 1 : aTotal;
  const b = corrected ? bSenior + 0.5 : bSenior;
  const B = corrected ? bTotal + 1 : bTotal;
  const ratio = a / A / (b / B);
  const se = Math.sqrt(1 / a - 1 / A + 1 / b - 1 / B);
  const z = normalQuantile(1 - alpha / 2);
  return {
    ratio,
    ci_low: Math.exp(Math.log(ratio) - z * se),
    ci_high: Math.exp(Math.log(ratio) + z * se),
    se_log: se,
    continuity_corrected: corrected,
    within_band: ratio >= 0.8 && ratio <= 1.25,
  };
}

// ---------------------------------------------------------------------------
// Sensitivity to Not known ethnicity
// ---------------------------------------------------------------------------

/** Result of {@link sensitivity}. */
export interface SensitivityResult {
  /** Verdict with Not known workers left out (as given, or re-run). */
  base_verdict: Verdict;
  /** Every Not known worker put in the group. */
  as_group: FairnessResult;
  /** Every Not known worker put in the reference group. */
  as_reference: FairnessResult;
  /** Either re-run's verdict differs from the base verdict. */
  verdict_changes: boolean;
  /** Number of Not known workers moved. */
  n_not_known: number;
}

/**
 * Sensitivity of a verdict to Not known ethnicity: re-runs the comparison
 * with every Not known worker put (a) in the group and (b) in the reference
 * group, and says whether either verdict differs from the base verdict. Uses
 * 2,000 resamples unless told otherwise (a sensitivity check needs the
 * verdict, not a precise interval); verdicts treat each re-run as a family of
 * one (q = p).
 *
 * @param obs - worker-months of the scope
 * @param options - the comparison; `notKnown` is the Not known label ("Not known"); `baseVerdict` skips the base re-run
 * @returns both re-runs and whether the verdict changes
 */
export function sensitivity(
  obs: readonly WorkerMonthObs[],
  options: AuditOptions & { notKnown?: string; baseVerdict?: Verdict },
): SensitivityResult {
  const nk = options.notKnown ?? "Not known";
  if (nk === options.group || nk === options.reference) throw new RangeError("the Not known label must differ from the group and the reference");
  const opts: AuditOptions = { ...options, resamples: options.resamples ?? 2000 };
  const relabel = (to: string) => obs.map((o) => (o.group === nk ? { ...o, group: to } : o));
  const base = options.baseVerdict ?? auditComparison(obs, opts).verdict;
  const asGroup = auditComparison(relabel(options.group), opts);
  const asRef = auditComparison(relabel(options.reference), opts);
  const nNotKnown = new Set(obs.filter((o) => o.group === nk).map((o) => o.worker_id)).size;
  return {
    base_verdict: base,
    as_group: asGroup,
    as_reference: asRef,
    verdict_changes: asGroup.verdict !== base || asRef.verdict !== base,
    n_not_known: nNotKnown,
  };
}
