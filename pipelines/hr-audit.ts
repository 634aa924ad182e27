/**
 * The HR part of `fairload audit` (docs/hr-analysis.md; method in docs/fairness-method.md,
 * "The HR tables"): recognition, progression, development, leaving, caseload reviews and leave,
 * from the optional HR tables (appraisal, progression, training, review_request, leave) and the
 * monthly returns, each by ethnic group against the reference group within role and service.
 *
 * Every comparison whose unit is a worker's decision (a rating, an application, a request) is the
 * main audit's test (pipelines/stats/fairness.ts): one observation per decision, 1 if it went the
 * way asked about and 0 if not (or, for the days and shares, the days over their denominator), the
 * Mantel-Haenszel ratio within service and role, an interval from resampling workers (every
 * decision of a worker goes with them), a studentised permutation p-value with labels shuffled
 * among workers of the same service and role, the detectable ratio, settled Monte Carlo (risk
 * 1e-4 per test, the interval's ends against 0.80, 1 and 1.25, the p-value against every
 * Benjamini-Hochberg threshold of a primary family) and the audit's verdict rule, so that
 * "adverse", "watch", "no evidence" and "too few to tell" mean what they mean there. Beside each
 * binary comparison, the relative likelihood as the workforce race equality standards report it
 * (crude counts, Katz interval). The declared family, "HR", is corrected on its own:
 *
 * - primary: ethnic-minority workers against the reference group on the three declared
 *   questions (the top appraisal rating, appointment once shortlisted, and a caseload review
 *   request ending in cases being reallocated), for the whole employer and each service (as the
 *   main audit's stage 1); Benjamini-Hochberg at alpha over them; each checked against the
 *   workers whose ethnicity is Not known as the main audit checks its own (re-run with them
 *   counted with the group, then with the reference group, judged in the same family on the same
 *   rule: sensitivity_as_group, sensitivity_as_reference, verdict_changes_if_not_known);
 * - secondary: everything else (bottom rating, each cycle, moderation, shortlisting, panels,
 *   moving up, years to Senior Practitioner, development, leaving, leave, other groups); at most
 *   "possible disparity: watch".
 *
 * The caseload reviews' own figures (requests per month as a control chart, outcomes, days to an
 * outcome, caseload and points per FTE in the three months before and after a request) and the
 * appraisal ratings' distribution are marts of the same step; the public layer's cells
 * (pub_hr_cells) are protected here with pipelines/disclosure.ts.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { monthIndex, periodOf } from "../core/calendar.ts";
import { type ColumnTypes, ensureSchema, inTransaction, openDb, queryRows, quoteLit } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import { REPORTING_GROUPS } from "../core/ethnicity.ts";
import type { Workspace } from "../core/workspace.ts";
import { ensureModels } from "./build.ts";
import { cellKey, type FrameCell, protect, type Relation } from "./disclosure.ts";
import { registry } from "./project.ts";
import { downstreamOf, type ComputeStep, type Layer } from "./registry.ts";
import { recordRuns, runModels } from "./run.ts";
import { analyseSeries } from "./stats/analyze.ts";
import { tQuantile } from "./stats/dist.ts";
import {
  type AdjustKey,
  auditComparison,
  bhAdjust,
  comparedWorkers,
  DEFAULT_RULE,
  type FairnessMeasure,
  type FairnessResult,
  familySettled,
  qInFamily,
  qSettledInFamily,
  relativeLikelihood,
  sensitivity,
  settle,
  type TestFamily,
  type WorkerMonthObs,
} from "./stats/fairness.ts";

/** As pipelines/audit.ts: the chance per test that a settled Monte Carlo decision differs from infinite resampling. */
export const HR_MC_RISK = 1e-4;
/** Months of HR records the audit reads, to the latest month (three appraisal cycles). */
export const HR_DEFAULT_WINDOW = 36;

export const HR_FAMILY = "HR";
export const HR_FAMILY_PRIMARY = `${HR_FAMILY}: primary (employer and services)`;
export const HR_FAMILY_SECONDARY = `${HR_FAMILY}: secondary`;

export type HrTable = "appraisal" | "progression" | "training" | "review_request" | "leave" | "worker_month";

/** One question of the HR audit: where its decisions come from, which way is adverse and its words. */
export interface HrQuestion {
  id: string;
  table: HrTable;
  /** Declared primary question (the family "HR: primary"). */
  primary: boolean;
  /** A ratio below 1 is adverse for the group ("lower"), or above 1 ("higher"). */
  adverse: "higher" | "lower";
  /** One decision, 1 or 0 (a likelihood); else a ratio of sums (days, years, shares). */
  binary: boolean;
  /** Noun phrase for tables. */
  label: string;
  /** What the comparison held fixed, in words. */
  adjustedFor: string;
  /** Extra strata (besides service and role) in the unit's `extra`: workload band, kind of request. */
  extraStrata?: boolean;
  /** Tests in subgroups (cycles, moderated or not) at employer level. */
  subgroups?: boolean;
  /** Binary: "to ..." clause ("be rated top"); else the clauses for more, less and the same. */
  verb?: string;
  more?: string;
  less?: string;
  same?: string;
}

export const HR_QUESTIONS: readonly HrQuestion[] = [
  { id: "top_rating", table: "appraisal", primary: true, adverse: "lower", binary: true, label: "top appraisal rating", adjustedFor: "role, service", subgroups: true, verb: "be given the top appraisal rating" },
  { id: "top_rating_same_workload", table: "appraisal", primary: false, adverse: "lower", binary: true, label: "top appraisal rating at the same workload", adjustedFor: "role, service, workload band", extraStrata: true, verb: "be given the top appraisal rating at the same workload" },
  { id: "bottom_rating", table: "appraisal", primary: false, adverse: "higher", binary: true, label: "bottom appraisal rating", adjustedFor: "role, service", verb: "be given the bottom appraisal rating" },
  { id: "appointed_if_shortlisted", table: "progression", primary: true, adverse: "lower", binary: true, label: "appointed once shortlisted", adjustedFor: "role, service", verb: "be appointed once shortlisted" },
  { id: "shortlisted_if_applied", table: "progression", primary: false, adverse: "lower", binary: true, label: "shortlisted once applied", adjustedFor: "role, service", verb: "be shortlisted once they applied" },
  { id: "panel_success", table: "progression", primary: false, adverse: "lower", binary: true, label: "success at a progression panel", adjustedFor: "role, service", verb: "succeed at a progression panel" },
  { id: "years_to_senior", table: "progression", primary: false, adverse: "higher", binary: false, label: "years from qualifying to Senior Practitioner", adjustedFor: "role, service", more: "took {p} longer from qualifying to becoming a Senior Practitioner", less: "took {p} less time from qualifying to becoming a Senior Practitioner", same: "took as long from qualifying to becoming a Senior Practitioner" },
  { id: "moved_up", table: "worker_month", primary: false, adverse: "lower", binary: true, label: "moving up a role (monthly returns)", adjustedFor: "role, service", verb: "move up a role" },
  { id: "development_approved", table: "training", primary: false, adverse: "lower", binary: true, label: "non-mandatory CPD and post-qualifying requests approved", adjustedFor: "role, service, kind of request", extraStrata: true, verb: "have a request for non-mandatory CPD or post-qualifying study approved" },
  { id: "development_days_per_fte", table: "training", primary: false, adverse: "lower", binary: false, label: "development days approved per FTE", adjustedFor: "role, service", more: "were approved {p} more development days per full-time equivalent", less: "were approved {p} fewer development days per full-time equivalent", same: "were approved as many development days per full-time equivalent" },
  { id: "left_in_year", table: "worker_month", primary: false, adverse: "higher", binary: true, label: "leaving in the year", adjustedFor: "role, service", verb: "leave in the year" },
  { id: "review_reallocated", table: "review_request", primary: true, adverse: "lower", binary: true, label: "review request led to cases being reallocated", adjustedFor: "role, service", verb: "have a caseload review request end in cases being reallocated" },
  { id: "leave_taken_share", table: "leave", primary: false, adverse: "lower", binary: false, label: "share of leave entitlement taken", adjustedFor: "role, service", more: "took {p} more of their leave entitlement", less: "took {p} less of their leave entitlement", same: "took the same share of their leave entitlement" },
];
export const HR_PRIMARY_QUESTIONS = HR_QUESTIONS.filter((q) => q.primary).map((q) => q.id);

/**
 * Role order for "moving up a role" in the monthly returns (the default roles); a role not listed
 * here has no rank and a move from or to it is not counted. ASYE to Social Worker completes the
 * assessed year, so it is not a move up.
 */
export const ROLE_RANK: Readonly<Record<string, number>> = {
  "Social Work Assistant": 0,
  ASYE: 1,
  "Social Worker": 2,
  "Senior Practitioner": 3,
  "Advanced Practitioner": 4,
  "Team Manager": 5,
};

export interface HrAuditOptions {
  seed?: number;
  /** Most bootstrap resamples per test (10,000; permutations up to twice that). */
  resamples?: number;
  /** Months of HR records to the latest month (default 36). */
  window?: number;
  /** Last month (default: the latest month on record). */
  asOf?: string;
  /** Run the secondary tests too (default true; calibration runs only the primary family). */
  secondary?: boolean;
  /** Compute the figures beside the tests (rates, ratings, the caseload reviews' marts, the public cells; default true). */
  figures?: boolean;
  /**
   * Check each primary verdict against the Not known workers, as the main audit does (default
   * true): the test re-run with every Not known worker counted with the group, then with the
   * reference group, each judged in the same family on the same rule.
   */
  sensitivity?: boolean;
}

type ComparisonKind = "primary" | "white_minorities" | "not_known";

/** One row of hr_fairness_results. */
export interface HrAuditRecord {
  result_id: number;
  table: HrTable;
  measure: string;
  measure_label: string;
  subgroup: string | null;
  scope: "employer" | "service";
  scope_label: string;
  service: string | null;
  team: null;
  comparison: ComparisonKind;
  group: string;
  reference_group: string;
  group_label: string;
  reference_label: string;
  window_start: string;
  window_end: string;
  window_months: number;
  adjusted_for: string;
  adverse_direction: "higher" | "lower";
  n_workers_group: number;
  n_workers_reference: number;
  n_workers_group_compared: number;
  n_workers_reference_compared: number;
  n_decisions_group: number;
  n_decisions_reference: number;
  events_group: number | null;
  events_reference: number | null;
  rate_group: number | null;
  rate_reference: number | null;
  relative_likelihood: number | null;
  rl_ci_low: number | null;
  rl_ci_high: number | null;
  rl_within_band: boolean | null;
  ratio_unadjusted: number | null;
  ratio_adjusted: number | null;
  ci_low: number | null;
  ci_high: number | null;
  se_log_ratio: number | null;
  df: number | null;
  p_value: number | null;
  q_value: number | null;
  mde_ratio: number | null;
  p_mc_low: number | null;
  p_mc_high: number | null;
  p_below: number | null;
  p_settled: boolean | null;
  ci_settled: boolean | null;
  mc_settled: boolean | null;
  verdict: string;
  verdict_reason: string;
  family: TestFamily;
  family_id: string;
  family_size: number;
  /**
   * Primary family only (else null): the verdict if every Not known worker in scope were counted
   * with the group, and with the reference group (the same verdict when nobody is Not known), and
   * whether either differs from `verdict`. As fairness_results.
   */
  sensitivity_as_group: string | null;
  sensitivity_as_reference: string | null;
  verdict_changes_if_not_known: boolean | null;
  below_min_group_size: boolean;
  sentence: string;
  resamples_used: number;
  permutations_used: number;
  alpha: number;
  min_group_size: number;
}

export const HR_RESULT_COLUMNS: ColumnTypes = {
  result_id: "BIGINT", table: "VARCHAR", measure: "VARCHAR", measure_label: "VARCHAR", subgroup: "VARCHAR", scope: "VARCHAR", scope_label: "VARCHAR", service: "VARCHAR", team: "VARCHAR",
  comparison: "VARCHAR", group: "VARCHAR", reference_group: "VARCHAR", group_label: "VARCHAR", reference_label: "VARCHAR", window_start: "VARCHAR", window_end: "VARCHAR", window_months: "BIGINT",
  adjusted_for: "VARCHAR", adverse_direction: "VARCHAR", n_workers_group: "BIGINT", n_workers_reference: "BIGINT", n_workers_group_compared: "BIGINT", n_workers_reference_compared: "BIGINT",
  n_decisions_group: "BIGINT", n_decisions_reference: "BIGINT", events_group: "DOUBLE", events_reference: "DOUBLE", rate_group: "DOUBLE", rate_reference: "DOUBLE",
  relative_likelihood: "DOUBLE", rl_ci_low: "DOUBLE", rl_ci_high: "DOUBLE", rl_within_band: "BOOLEAN", ratio_unadjusted: "DOUBLE", ratio_adjusted: "DOUBLE", ci_low: "DOUBLE", ci_high: "DOUBLE",
  se_log_ratio: "DOUBLE", df: "DOUBLE", p_value: "DOUBLE", q_value: "DOUBLE", mde_ratio: "DOUBLE", p_mc_low: "DOUBLE", p_mc_high: "DOUBLE", p_below: "DOUBLE", p_settled: "BOOLEAN",
  ci_settled: "BOOLEAN", mc_settled: "BOOLEAN", verdict: "VARCHAR", verdict_reason: "VARCHAR", family: "VARCHAR", family_id: "VARCHAR", family_size: "BIGINT",
  sensitivity_as_group: "VARCHAR", sensitivity_as_reference: "VARCHAR", verdict_changes_if_not_known: "BOOLEAN", below_min_group_size: "BOOLEAN",
  sentence: "VARCHAR", resamples_used: "BIGINT", permutations_used: "BIGINT", alpha: "DOUBLE", min_group_size: "BIGINT",
};

const RATES_COLUMNS: ColumnTypes = {
  measure: "VARCHAR", measure_label: "VARCHAR", subgroup: "VARCHAR", group: "VARCHAR", reference_group: "VARCHAR", binary: "BOOLEAN", workers: "BIGINT", decisions: "BIGINT", events: "DOUBLE", not_events: "DOUBLE",
  rate: "DOUBLE", reference_rate: "DOUBLE", relative_likelihood: "DOUBLE", rl_ci_low: "DOUBLE", rl_ci_high: "DOUBLE", rl_within_band: "BOOLEAN", reference_events: "DOUBLE", reference_not_events: "DOUBLE",
  reference_workers: "BIGINT", order: "INTEGER",
};
const RATING_COLUMNS: ColumnTypes = { cycle: "VARCHAR", rating: "VARCHAR", rating_rank: "INTEGER", group: "VARCHAR", appraisals: "BIGINT", share: "DOUBLE" };
const REVIEW_MONTHLY_COLUMNS: ColumnTypes = {
  period: "VARCHAR", requests: "BIGINT", requesters: "BIGINT", resolved: "BIGINT", reallocated: "BIGINT", support_added: "BIGINT", no_change: "BIGINT", pending: "BIGINT",
  chart_mean: "DOUBLE", chart_ucl: "DOUBLE", chart_lcl: "DOUBLE", chart_rule: "VARCHAR", special_cause: "VARCHAR",
};
const REVIEW_SUMMARY_COLUMNS: ColumnTypes = {
  window_start: "VARCHAR", window_end: "VARCHAR", months: "BIGINT", requests: "BIGINT", requesters: "BIGINT", requests_last_12: "BIGINT", requesters_last_12: "BIGINT", resolved: "BIGINT", reallocated: "BIGINT",
  share_reallocated: "DOUBLE", median_days_to_outcome: "DOUBLE", trend_direction: "VARCHAR", trend_pct_per_year: "DOUBLE", trend_pct_ci_low: "DOUBLE", trend_pct_ci_high: "DOUBLE", trend_p: "DOUBLE",
  chart_kind: "VARCHAR", chart_caption: "VARCHAR", special_causes: "BIGINT", latest_variation: "VARCHAR", series_status: "VARCHAR", sentence: "VARCHAR",
};
const REVIEW_OUTCOME_COLUMNS: ColumnTypes = { outcome: "VARCHAR", group: "VARCHAR", requests: "BIGINT", requesters: "BIGINT", share: "DOUBLE", median_days_to_outcome: "DOUBLE", mean_days_to_outcome: "DOUBLE", order: "INTEGER" };
const BEFORE_AFTER_COLUMNS: ColumnTypes = {
  measure: "VARCHAR", subset: "VARCHAR", requests: "BIGINT", workers: "BIGINT", before: "DOUBLE", after: "DOUBLE", change: "DOUBLE", ci_low: "DOUBLE", ci_high: "DOUBLE", change_pct: "DOUBLE",
  change_vs_colleagues: "DOUBLE", vs_colleagues_ci_low: "DOUBLE", vs_colleagues_ci_high: "DOUBLE", sentence: "VARCHAR",
};
const PROFILE_COLUMNS: ColumnTypes = { measure: "VARCHAR", subset: "VARCHAR", offset: "INTEGER", requests: "BIGINT", workers: "BIGINT", mean: "DOUBLE", colleagues_mean: "DOUBLE" };
const CELL_COLUMNS: ColumnTypes = { frame: "VARCHAR", table_id: "VARCHAR", row: "VARCHAR", group: "VARCHAR", count: "BIGINT", withheld: "BOOLEAN", min_group_size: "INTEGER" };

export interface HrAuditRun {
  as_of: string | null;
  window_start: string | null;
  window_end: string | null;
  tests: number;
  seconds: number;
  /** Rows of each HR table in the window. */
  records: Record<string, number>;
  results: HrAuditRecord[];
  review: Record<string, unknown> | null;
  before_after: Record<string, unknown>[];
}

// ---------------------------------------------------------------------------------------------
// reading

interface Context {
  worker_id: string;
  service: string;
  team: string;
  role: string;
  fte: number | null;
  employment: string | null;
  reporting_group: string;
  ons_group: string;
}
interface AppraisalRow extends Context { period: string; cycle: string; rating: string; moderated: boolean | null; workload_band: string }
interface ProgressionRow extends Context { period: string; route: string; to_role: string; shortlisted: boolean | null; outcome: string; decided: boolean; appointed: boolean; years_qualified: number | null }
interface TrainingRow extends Context { period: string; kind: string; days: number | null; outcome: string; decided: boolean; approved: boolean }
interface ReviewRow extends Context { period: string; requested_on: string; outcome: string; resolved: boolean; reallocated: boolean; days_to_outcome: number | null }
interface LeaveRow extends Context { leave_year: number; entitlement_days: number; taken_days: number }
interface MonthRow { period: string; worker_id: string; service: string; team: string; role: string; fte: number; employment: string | null; cases: number; total_points: number; reporting_group: string; ons_group: string; qualified_year: number | null }

const num = (x: unknown): number | null => (x === null || x === undefined ? null : Number(x));

async function readAll(conn: DuckDBConnection, start: string, end: string) {
  const ctx = `worker_id, service, team, role, fte, employment, reporting_group, ons_group`;
  const between = (col: string) => `${col} BETWEEN ${quoteLit(start)} AND ${quoteLit(end)}`;
  const fix = <T extends Context>(r: T): T => ({ ...r, fte: num(r.fte) });
  const appraisal = (await queryRows<AppraisalRow>(conn, `SELECT ${ctx}, period, cycle, rating, moderated, workload_band FROM int_hr_appraisal WHERE ${between("period")} ORDER BY period, worker_id`)).map(fix);
  const progression = (await queryRows<ProgressionRow>(conn, `SELECT ${ctx}, period, route, to_role, shortlisted, outcome, decided, appointed, years_qualified FROM int_hr_progression WHERE ${between("period")} ORDER BY period, worker_id, route, to_role`)).map((r) => ({ ...fix(r), years_qualified: num(r.years_qualified) }));
  const training = (await queryRows<TrainingRow>(conn, `SELECT ${ctx}, period, kind, days, outcome, decided, approved FROM int_hr_training WHERE ${between("period")} ORDER BY period, worker_id, kind`)).map((r) => ({ ...fix(r), days: num(r.days) }));
  const review = (await queryRows<ReviewRow>(conn, `SELECT ${ctx}, period, strftime(requested_on, '%Y-%m-%d') AS requested_on, outcome, resolved, reallocated, days_to_outcome FROM int_hr_review_request WHERE ${between("period")} ORDER BY requested_on, worker_id`)).map((r) => ({ ...fix(r), days_to_outcome: num(r.days_to_outcome) }));
  const leave = (await queryRows<LeaveRow>(conn, `SELECT ${ctx}, leave_year, entitlement_days, taken_days FROM int_hr_leave WHERE ${between(`CAST(leave_year AS VARCHAR) || '-03'`)} ORDER BY leave_year, worker_id`)).map((r) => ({ ...fix(r), leave_year: Number(r.leave_year), entitlement_days: Number(r.entitlement_days), taken_days: Number(r.taken_days) }));
  const from = periodOf(monthIndex(start) - 3);
  const months = (await queryRows<MonthRow>(conn, `SELECT period, worker_id, service, team, role, fte, employment, cases, total_points, reporting_group, ons_group, qualified_year FROM int_worker_month WHERE period BETWEEN ${quoteLit(from)} AND ${quoteLit(end)} ORDER BY period, worker_id`)).map((r) => ({ ...r, fte: Number(r.fte), cases: Number(r.cases), total_points: Number(r.total_points), qualified_year: num(r.qualified_year) }));
  return { appraisal, progression, training, review, leave, months };
}

// ---------------------------------------------------------------------------------------------
// the units of each question

/** One decision (or worker, or worker-month) of a question: num / den, in its service, role and extra stratum. */
interface Unit {
  worker_id: string;
  service: string;
  role: string;
  reporting_group: string;
  ons_group: string;
  num: number;
  den: number;
  extra: string;
  /** Subgroups the unit belongs to (appraisal cycles, moderated or not). */
  tags: string[];
}

const unitOf = (c: Context, n: number, d: number, extra = "", tags: string[] = []): Unit => ({ worker_id: c.worker_id, service: c.service, role: c.role, reporting_group: c.reporting_group, ons_group: c.ons_group, num: n, den: d, extra, tags });

/** Units of every question from the rows of the window. */
function unitsOf(data: Awaited<ReturnType<typeof readAll>>, ratings: readonly string[], start: string, end: string): Map<string, Unit[]> {
  const out = new Map<string, Unit[]>(HR_QUESTIONS.map((q) => [q.id, []]));
  const push = (q: string, u: Unit) => out.get(q)!.push(u);
  const norm = (s: string) => s.trim().toLowerCase();
  const top = norm(ratings[0]!);
  const bottom = norm(ratings[ratings.length - 1]!);
  for (const a of data.appraisal) {
    const r = norm(a.rating);
    const tags = [`cycle ${a.cycle}`, ...(a.moderated === null ? [] : [a.moderated ? "moderated" : "not moderated"])];
    push("top_rating", unitOf(a, r === top ? 1 : 0, 1, "", tags));
    push("top_rating_same_workload", unitOf(a, r === top ? 1 : 0, 1, a.workload_band));
    push("bottom_rating", unitOf(a, r === bottom ? 1 : 0, 1));
  }
  for (const p of data.progression) {
    if (p.route === "vacancy" && p.shortlisted === true && p.decided) push("appointed_if_shortlisted", unitOf(p, p.appointed ? 1 : 0, 1));
    // shortlisting is decided even while the appointment is pending; a withdrawn application may
    // have been withdrawn before it, so it is left out
    if (p.route === "vacancy" && p.shortlisted !== null && p.outcome !== "withdrawn") push("shortlisted_if_applied", unitOf(p, p.shortlisted ? 1 : 0, 1));
    if (p.route === "panel" && p.decided) push("panel_success", unitOf(p, p.appointed ? 1 : 0, 1));
  }
  // years from qualifying to Senior Practitioner: appointments to it in the progression table, and
  // moves into it seen in the monthly returns (the first month in the role)
  const toSenior = new Map<string, Unit>();
  for (const p of data.progression) if (p.appointed && p.to_role === "Senior Practitioner" && p.years_qualified !== null && p.years_qualified >= 0) toSenior.set(p.worker_id, unitOf(p, p.years_qualified, 1));
  const byWorker = new Map<string, MonthRow[]>();
  for (const m of data.months) if (m.period >= start) byWorker.set(m.worker_id, [...(byWorker.get(m.worker_id) ?? []), m]);
  // moving up a role, leaving: one unit per worker from the monthly returns
  const lastYearFrom = periodOf(monthIndex(end) - 12);
  for (const [, ms] of byWorker) {
    ms.sort((a, b) => a.period.localeCompare(b.period));
    const ctx = (m: MonthRow): Context => ({ worker_id: m.worker_id, service: m.service, team: m.team, role: m.role, fte: m.fte, employment: m.employment, reporting_group: m.reporting_group, ons_group: m.ons_group });
    const firstEligible = ms.findIndex((m) => m.role in ROLE_RANK && m.role !== "ASYE" && m.role !== "Team Manager" && m.role !== "Social Work Assistant");
    if (firstEligible >= 0 && firstEligible < ms.length - 1) {
      let moved = false;
      for (let i = firstEligible + 1; i < ms.length; i++) {
        const from = ms[i - 1]!.role;
        const to = ms[i]!.role;
        if (from in ROLE_RANK && to in ROLE_RANK && ROLE_RANK[to]! > ROLE_RANK[from]! && from !== "ASYE" && from !== "Social Work Assistant") {
          moved = true;
          if (to === "Senior Practitioner" && !toSenior.has(ms[i]!.worker_id)) {
            const q = ms[i]!.qualified_year;
            if (q !== null && Number(ms[i]!.period.slice(0, 4)) - q >= 0) toSenior.set(ms[i]!.worker_id, unitOf(ctx(ms[i]!), Number(ms[i]!.period.slice(0, 4)) - q, 1));
          }
        }
      }
      push("moved_up", unitOf(ctx(ms[firstEligible]!), moved ? 1 : 0, 1));
    }
    // leaving in the year: employed (not agency) in the 12 months before the latest month; left
    // when their last month is before it
    const inYear = ms.filter((m) => m.period >= lastYearFrom && m.period < end && m.employment !== "agency");
    if (inYear.length) {
      const last = ms[ms.length - 1]!;
      const at = inYear[inYear.length - 1]!;
      push("left_in_year", unitOf(ctx(at), last.period < end ? 1 : 0, 1));
    }
  }
  for (const u of toSenior.values()) push("years_to_senior", u);
  // development: approvals of non-mandatory CPD and post-qualifying requests (kind held fixed);
  // days approved per FTE-year over every permanent worker-month of the window
  const approvedDays = new Map<string, number>();
  for (const t of data.training) {
    if (t.decided && (t.kind === "non-mandatory CPD" || t.kind === "post-qualifying")) push("development_approved", unitOf(t, t.approved ? 1 : 0, 1, t.kind));
    if (t.approved && t.days !== null) approvedDays.set(`${t.period}|${t.worker_id}`, (approvedDays.get(`${t.period}|${t.worker_id}`) ?? 0) + t.days);
  }
  if (data.training.length) {
    for (const m of data.months) {
      if (m.period < start || m.employment === "agency" || !(m.fte > 0)) continue;
      push("development_days_per_fte", { worker_id: m.worker_id, service: m.service, role: m.role, reporting_group: m.reporting_group, ons_group: m.ons_group, num: approvedDays.get(`${m.period}|${m.worker_id}`) ?? 0, den: m.fte / 12, extra: "", tags: [] });
    }
  }
  for (const r of data.review) if (r.resolved && r.outcome !== "not recorded") push("review_reallocated", unitOf(r, r.reallocated ? 1 : 0, 1));
  for (const l of data.leave) if (l.entitlement_days > 0) push("leave_taken_share", unitOf(l, l.taken_days, l.entitlement_days));
  return out;
}

// ---------------------------------------------------------------------------------------------
// the tests

interface Comparison {
  kind: ComparisonKind;
  group: string;
  groupOf: (u: Unit) => string | null;
}

function comparisons(reference: string): Comparison[] {
  const isRef = (u: Unit) => u.reporting_group === reference || u.ons_group === reference;
  const by = (g: string) => (u: Unit) => (isRef(u) ? reference : u.reporting_group === g ? g : null);
  return ([
    { kind: "primary", group: "Ethnic minorities", groupOf: by("Ethnic minorities") },
    { kind: "white_minorities", group: "White minorities", groupOf: by("White minorities") },
    { kind: "not_known", group: "Not known", groupOf: by("Not known") },
  ] as Comparison[]).filter((c) => c.group !== reference);
}

interface Planned {
  q: HrQuestion;
  subgroup: string | null;
  scope: "employer" | "service";
  service: string | null;
  comparison: Comparison;
  units: (Unit & { group: string })[];
}

/** The audit engine's measure that carries a question's adverse direction (its statistics are the same ratio of sums). */
const carrier = (q: HrQuestion): FairnessMeasure => (q.adverse === "lower" ? "supervision_ratio" : "caseload_per_fte");

function obsOf(p: Planned, period: string): WorkerMonthObs[] {
  return obsOfUnits(p.q, p.units, period);
}

/** The audit engine's observations of labelled units (one per decision). */
function obsOfUnits(q: HrQuestion, units: readonly (Unit & { group: string })[], period: string): WorkerMonthObs[] {
  const m = carrier(q);
  // team = service: the permutation shuffles labels among workers of the same service and role
  return units.map((u) => ({ worker_id: u.worker_id, period, service: u.service, team: u.service, role: u.role, fte: 1, fte_band: "full-time", experience_band: u.extra || "none", group: u.group, values: { [m]: u.num / u.den }, num: { [m]: u.num }, den: { [m]: u.den } }));
}

/** The label of the Not known workers in the sensitivity re-runs (core/ethnicity.ts's reporting group). */
const NOT_KNOWN = "Not known";

/** Crude counts of a binary question's units: events and decisions of each group (for the WRES relative likelihood). */
function counts(units: readonly (Unit & { group: string })[], group: string, reference: string) {
  const c = { a: 0, A: 0, b: 0, B: 0, wg: new Set<string>(), wr: new Set<string>() };
  for (const u of units) {
    if (u.group === group) {
      c.a += u.num;
      c.A += u.den;
      c.wg.add(u.worker_id);
    } else if (u.group === reference) {
      c.b += u.num;
      c.B += u.den;
      c.wr.add(u.worker_id);
    }
  }
  return c;
}

export const hrAuditStep: ComputeStep<HrAuditOptions, HrAuditRun> = {
  name: "hr_audit",
  writtenBy: "audit",
  upstream: ["int_hr_appraisal", "int_hr_progression", "int_hr_training", "int_hr_review_request", "int_hr_leave", "int_worker_month", "mart_hr_leave"],
  outputs: [
    { name: "hr_fairness_results", grain: "one row per HR test: question (measure), subgroup, scope (employer or service), comparison and group (internal; pub_hr_fairness_results is what may be published)", key: ["result_id"], columns: HR_RESULT_COLUMNS },
    { name: "mart_hr_rates", grain: "one row per HR question, subgroup ('all', an appraisal cycle, moderated or not) and group ('All' and each reporting group), whole employer: decisions, events, the rate and the relative likelihood against the reference group (Katz interval, as WRES reports it); internal", key: ["measure", "subgroup", "group"], columns: RATES_COLUMNS },
    { name: "mart_hr_rating_distribution", grain: "one row per appraisal cycle ('All cycles' too), rating and group ('All' and each reporting group): appraisals and their share of the group's (internal; pub_hr_rating_distribution)", key: ["cycle", "rating", "group"], columns: RATING_COLUMNS },
    { name: "mart_hr_review_monthly", grain: "one row per month of the window: caseload review requests, the workers who asked, their outcomes, and the control chart of requests per month (internal; pub_hr_review_monthly)", key: ["period"], columns: REVIEW_MONTHLY_COLUMNS },
    { name: "mart_hr_review_summary", grain: "one row: the window's caseload review requests, whether they are rising (trend and control chart) and how quickly and how they were resolved (internal; pub_hr_review_summary)", key: ["window_end"], columns: REVIEW_SUMMARY_COLUMNS },
    { name: "mart_hr_review_outcomes", grain: "one row per outcome of a caseload review request ('All outcomes' too) and group ('All' and each reporting group): requests, workers, share and days to the outcome (internal; pub_hr_review_outcomes)", key: ["outcome", "group"], columns: REVIEW_OUTCOME_COLUMNS },
    { name: "mart_hr_review_before_after", grain: "one row per measure (caseload and points per FTE) and subset of requests (all, or by outcome): the mean over workers of the change from the three months before a request to the three after, with a 95% interval (internal; pub_hr_review_before_after)", key: ["measure", "subset"], columns: BEFORE_AFTER_COLUMNS },
    { name: "mart_hr_review_profile", grain: "one row per measure, subset of requests and month relative to the request (-3 to 3): the requesters' mean, and their colleagues' in the same service and role (internal)", key: ["measure", "subset", "offset"], columns: PROFILE_COLUMNS },
    { name: "pub_hr_cells", layer: "public" as Layer, grain: "one row per HR count table (frame: ratings of a cycle, leave of a year, review outcomes, review requests by month), row and group: the count where a public build may show it, NULL where withheld (pipelines/disclosure.ts)", key: ["frame", "table_id", "row", "group"], columns: CELL_COLUMNS },
  ],
  async compute({ conn, config }, opts = {}) {
    const t0 = performance.now();
    const reference = config.reference_group;
    const alpha = config.analysis_plan.alpha;
    const seed = opts.seed ?? 20261122;
    const resamples = opts.resamples ?? 10_000;
    const window = opts.window ?? HR_DEFAULT_WINDOW;
    if (!Number.isInteger(window) || window < 1 || window > 120) throw new UserError(`the HR window must be a whole number of months from 1 to 120, got ${window}`);
    const min = config.min_group_size;
    const [{ last }] = await queryRows<{ last: string | null }>(
      conn,
      `SELECT coalesce((SELECT max(period) FROM int_worker_month), greatest((SELECT max(period) FROM int_hr_appraisal), (SELECT max(period) FROM int_hr_progression), (SELECT max(period) FROM int_hr_training), (SELECT max(period) FROM int_hr_review_request))) AS last`,
    );
    const empty: HrAuditRun = { as_of: null, window_start: null, window_end: null, tests: 0, seconds: 0, records: {}, results: [], review: null, before_after: [] };
    const emptyTables = { hr_fairness_results: [], mart_hr_rates: [], mart_hr_rating_distribution: [], mart_hr_review_monthly: [], mart_hr_review_summary: [], mart_hr_review_outcomes: [], mart_hr_review_before_after: [], mart_hr_review_profile: [], pub_hr_cells: [] };
    if (!last) return { tables: emptyTables, extra: empty };
    const asOf = opts.asOf ?? last;
    const start = periodOf(monthIndex(asOf) - window + 1);
    const data = await readAll(conn, start, asOf);
    const units = unitsOf(data, config.appraisal_ratings, start, asOf);
    const cmps = comparisons(reference);

    // the plan: every question for the employer and each service (ethnic minorities), the other
    // groups for the employer, and each subgroup (cycle, moderation) for the employer
    const plan: Planned[] = [];
    for (const q of HR_QUESTIONS) {
      const us = units.get(q.id)!;
      if (!us.length) continue;
      // moving up a role: only where the monthly returns show somebody moving up
      if (q.id === "moved_up" && !us.some((u) => u.num > 0)) continue;
      const services = [...new Set(us.map((u) => u.service))].filter((s) => s !== "not recorded").sort();
      const subgroups = q.subgroups ? [...new Set(us.flatMap((u) => u.tags))].sort() : [];
      for (const c of cmps) {
        const labelled = us.flatMap((u) => {
          const g = c.groupOf(u);
          return g === null ? [] : [{ ...u, group: g }];
        });
        if (!labelled.some((u) => u.group === c.group)) continue;
        plan.push({ q, subgroup: null, scope: "employer", service: null, comparison: c, units: labelled });
        if (c.kind !== "primary") continue;
        if (services.length > 1) {
          for (const s of services) {
            const inService = labelled.filter((u) => u.service === s);
            if (inService.some((u) => u.group === c.group)) plan.push({ q, subgroup: null, scope: "service", service: s, comparison: c, units: inService });
          }
        }
        for (const sg of subgroups) {
          const inSub = labelled.filter((u) => u.tags.includes(sg));
          if (inSub.some((u) => u.group === c.group)) plan.push({ q, subgroup: sg, scope: "employer", service: null, comparison: c, units: inSub });
        }
      }
    }
    const optionsFor = (p: Planned) => ({
      group: p.comparison.group, reference, measure: carrier(p.q), windowMonths: 1, asOf, seed, resamples, alpha, minGroupSize: min,
      adjust: (p.q.extraStrata ? ["service", "role", "experience"] : ["service", "role"]) as AdjustKey[],
      scope: [config.employer, p.q.id, p.subgroup ?? "", p.comparison.kind].join("|"), service: p.service, team: null,
    });
    const mcFor = (familySize: number) => ({
      pThresholds: Array.from({ length: familySize }, (_, k) => (alpha * (k + 1)) / familySize),
      ciThresholds: [1 / DEFAULT_RULE.equivalence_margin, 1, DEFAULT_RULE.equivalence_margin],
      risk: HR_MC_RISK,
      maxPermutations: Math.max(resamples, 20_000),
      maxResamples: resamples,
    });
    const obsCache = new Map<Planned, WorkerMonthObs[]>();
    const obs = (p: Planned) => {
      let o = obsCache.get(p);
      if (!o) obsCache.set(p, (o = obsOf(p, asOf)));
      return o;
    };
    const canSpeak = (p: Planned) => {
      const n = comparedWorkers(obs(p), optionsFor(p));
      return n.group >= DEFAULT_RULE.min_workers && n.reference >= DEFAULT_RULE.min_workers;
    };
    const eligible = (r: FairnessResult) => r.p_value !== null && r.n_workers_group_compared >= DEFAULT_RULE.min_workers && r.n_workers_reference_compared >= DEFAULT_RULE.min_workers;
    const results: (FairnessResult | undefined)[] = plan.map(() => undefined);
    const run = (i: number, familySize: number | null) => {
      const p = plan[i]!;
      results[i] = auditComparison(obs(p), { ...optionsFor(p), mdeAlpha: familySize ? alpha / familySize : alpha, mc: familySize === null ? { ...mcFor(0), pThresholds: [] } : mcFor(familySize) });
    };
    const placed: ({ result: FairnessResult; family: TestFamily; family_id: string; family_size: number } | undefined)[] = plan.map(() => undefined);
    const settleFamily = (idx: number[], family: TestFamily, id: string) => {
      const el = idx.filter((i) => eligible(results[i]!));
      const rs = el.map((i) => results[i]!);
      const q = bhAdjust(rs.map((r) => r.p_value));
      const settled = familySettled(rs.map((r) => (r.p_settled === null ? null : r.p_mc_low)), rs.map((r) => (r.p_settled === null ? null : r.p_mc_high)), alpha);
      el.forEach((i, k) => (placed[i] = { result: settle({ ...results[i]!, q_value: q[k]!, q_settled: settled[k]! }, family), family, family_id: id, family_size: el.length }));
      for (const i of idx) if (!eligible(results[i]!)) placed[i] = { result: settle({ ...results[i]!, q_value: null, q_settled: null }, family), family, family_id: id, family_size: el.length };
    };
    const isPrimaryQuestion = (p: Planned) => p.q.primary && p.comparison.kind === "primary" && p.subgroup === null;

    // primary: the declared questions for the whole employer and each service (as the main
    // audit's stage 1; HR decisions are not tested team by team)
    const primary = plan.map((p, i) => (isPrimaryQuestion(p) ? i : -1)).filter((i) => i >= 0);
    const m1 = primary.filter((i) => canSpeak(plan[i]!)).length;
    for (const i of primary) run(i, Math.max(1, m1));
    settleFamily(primary, "primary", HR_FAMILY_PRIMARY);
    // secondary: everything else
    const secondary = opts.secondary === false ? [] : plan.map((_, i) => i).filter((i) => placed[i] === undefined);
    for (const i of secondary) run(i, null);
    settleFamily(secondary, "secondary", HR_FAMILY_SECONDARY);

    // Not known, as the main audit (pipelines/audit.ts; docs/fairness-method.md, "Sensitivity to
    // Not known"): every test of the primary family whose scope has a Not known worker with a
    // decision is re-run with every Not known worker counted (a) with the group and (b) with the
    // reference group; each re-run is judged in the same family on the same rule (Benjamini-Hochberg
    // over the family's p-values with the re-run's in place of the original's, and the family's
    // decision settled over the Monte Carlo intervals the same way), with the same settled Monte
    // Carlo and detectable-ratio level as the family's tests. A test whose own comparison could not
    // reach a verdict but whose re-run can is judged as a family of one (q = p). Nobody Not known in
    // scope: the verdict stands either way.
    const notKnown = new Map<number, { as_group: string; as_reference: string; changes: boolean; ran: boolean }>();
    if (opts.sensitivity !== false) {
      const members = primary.filter((i) => eligible(placed[i]!.result));
      const mcEnd = (x: FairnessResult, end: "p_mc_low" | "p_mc_high") => (x.p_settled === null ? null : x[end]);
      for (const i of primary) {
        const p = plan[i]!;
        const pl = placed[i]!;
        const base = pl.result.verdict;
        const labelled = units.get(p.q.id)!
          .filter((u) => p.service === null || u.service === p.service)
          .map((u) => ({ ...u, group: u.reporting_group === NOT_KNOWN ? NOT_KNOWN : (p.comparison.groupOf(u) ?? "other") }));
        if (!labelled.some((u) => u.group === NOT_KNOWN)) {
          notKnown.set(i, { as_group: base, as_reference: base, changes: false, ran: false });
          continue;
        }
        const size = Math.max(1, pl.family_size);
        const s = sensitivity(obsOfUnits(p.q, labelled, asOf), { ...optionsFor(p), notKnown: NOT_KNOWN, baseVerdict: base, mdeAlpha: alpha / size, mc: mcFor(size) });
        const pos = members.indexOf(i);
        const verdictOf = (r: FairnessResult) => {
          const ok = eligible(r);
          const q = ok && pos >= 0 ? qInFamily(members.map((j) => placed[j]!.result.p_value), pos, r.p_value) : ok ? r.p_value : null;
          const qSettled = ok && pos >= 0
            ? qSettledInFamily(members.map((j) => mcEnd(placed[j]!.result, "p_mc_low")), members.map((j) => mcEnd(placed[j]!.result, "p_mc_high")), pos, mcEnd(r, "p_mc_low"), mcEnd(r, "p_mc_high"), alpha)
            : null;
          return settle({ ...r, q_value: q, q_settled: qSettled }, "primary").verdict;
        };
        const asGroup = verdictOf(s.as_group);
        const asReference = verdictOf(s.as_reference);
        notKnown.set(i, { as_group: asGroup, as_reference: asReference, changes: asGroup !== base || asReference !== base, ran: true });
      }
    }

    const records: HrAuditRecord[] = [];
    plan.forEach((p, i) => {
      const pl = placed[i];
      if (!pl) return;
      const r = pl.result;
      const c = counts(p.units, p.comparison.group, reference);
      const nk = notKnown.get(i);
      const rl = p.q.binary && c.A > 0 && c.B > 0 && c.a + c.b > 0 ? relativeLikelihood(c.a, c.A, c.b, c.B, alpha) : null;
      const fin = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? null : x);
      const rec: HrAuditRecord = {
        result_id: records.length + 1, table: p.q.table, measure: p.q.id, measure_label: p.q.label, subgroup: p.subgroup, scope: p.scope,
        scope_label: p.scope === "employer" ? config.employer : p.service!, service: p.service, team: null, comparison: p.comparison.kind, group: p.comparison.group,
        reference_group: reference, group_label: r.group_label, reference_label: r.reference_label, window_start: start, window_end: asOf, window_months: window,
        adjusted_for: p.q.adjustedFor, adverse_direction: p.q.adverse,
        n_workers_group: r.n_workers_group, n_workers_reference: r.n_workers_reference, n_workers_group_compared: r.n_workers_group_compared, n_workers_reference_compared: r.n_workers_reference_compared,
        n_decisions_group: r.n_worker_months_group, n_decisions_reference: r.n_worker_months_reference,
        events_group: c.a, events_reference: c.b, rate_group: c.A > 0 ? c.a / c.A : null, rate_reference: c.B > 0 ? c.b / c.B : null,
        relative_likelihood: fin(rl?.ratio), rl_ci_low: fin(rl?.ci_low), rl_ci_high: fin(rl?.ci_high), rl_within_band: rl && Number.isFinite(rl.ratio) ? rl.within_band : null,
        ratio_unadjusted: r.ratio_unadjusted, ratio_adjusted: r.ratio_adjusted, ci_low: r.ci_low, ci_high: r.ci_high, se_log_ratio: r.se_log_ratio, df: r.df,
        p_value: r.p_value, q_value: r.q_value, mde_ratio: r.mde_ratio, p_mc_low: r.p_mc_low, p_mc_high: r.p_mc_high, p_below: r.p_below,
        p_settled: r.p_settled, ci_settled: r.ci_settled, mc_settled: r.mc_settled, verdict: r.verdict, verdict_reason: r.verdict_reason,
        family: pl.family, family_id: pl.family_id, family_size: pl.family_size,
        sensitivity_as_group: nk?.as_group ?? null, sensitivity_as_reference: nk?.as_reference ?? null, verdict_changes_if_not_known: nk ? nk.changes : null,
        below_min_group_size: r.below_min_group_size, sentence: "",
        resamples_used: r.resamples_used, permutations_used: r.permutations_used, alpha, min_group_size: min,
      };
      rec.sentence = hrSentence(rec, config.appraisal_ratings) + (nk?.ran ? notKnownSentence(rec) : "");
      records.push(rec);
    });

    // the figures beside the tests
    const figures = opts.figures !== false;
    const rates = figures ? ratesRows(units, reference, alpha) : [];
    const ratingDist = figures ? ratingRows(data.appraisal, config.appraisal_ratings) : [];
    const review = reviewFigures(figures ? data : { ...data, review: [] }, start, asOf, alpha);
    const cells = figures ? await protectedCells(ratingDist, review, conn, min) : [];
    const out: HrAuditRun = {
      as_of: asOf, window_start: start, window_end: asOf, tests: records.length, seconds: (performance.now() - t0) / 1000,
      records: { appraisal: data.appraisal.length, progression: data.progression.length, training: data.training.length, review_request: data.review.length, leave: data.leave.length },
      results: records, review: review.summary[0] ?? null, before_after: review.beforeAfter,
    };
    return {
      tables: {
        hr_fairness_results: records, mart_hr_rates: rates, mart_hr_rating_distribution: ratingDist, mart_hr_review_monthly: review.monthly, mart_hr_review_summary: review.summary,
        mart_hr_review_outcomes: review.outcomes, mart_hr_review_before_after: review.beforeAfter, mart_hr_review_profile: review.profile, pub_hr_cells: cells,
      },
      extra: out,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// sentences

const pct = (x: number) => `${Math.round(Math.abs(x - 1) * 100)}%`;

/** The finding in plain English (no group sizes): the difference, its interval and what the verdict means. */
export function hrSentence(r: HrAuditRecord, ratings: readonly string[]): string {
  const q = HR_QUESTIONS.find((x) => x.id === r.measure)!;
  const sub = r.subgroup === null ? "" : r.subgroup.startsWith("cycle ") ? ` in the appraisal ${r.subgroup}` : ` among ${r.subgroup} appraisals`;
  const where = r.scope === "employer" ? `Across ${r.scope_label}` : `In ${r.scope_label}`;
  const held = `in the same ${r.adjusted_for.replace(/, ([^,]+)$/, " and $1")}`;
  const words = (s: string) => s.replace("the top appraisal rating", `the top appraisal rating ("${ratings[0]}")`).replace("the bottom appraisal rating", `the bottom appraisal rating ("${ratings[ratings.length - 1]}")`);
  const R = r.ratio_adjusted;
  if (R === null || !(R > 0) || !Number.isFinite(R)) return `${where}${sub}, ${r.group_label} could not be compared with ${r.reference_label} ${held}: too few to tell.`;
  const p = Math.round(Math.abs(R - 1) * 100);
  let clause: string;
  if (q.binary) clause = p === 0 ? `were as likely as ${r.reference_label} to ${words(q.verb!)}` : `were ${p}% ${R > 1 ? "more" : "less"} likely than ${r.reference_label} to ${words(q.verb!)}`;
  else clause = p === 0 ? `${q.same!} as ${r.reference_label}` : `${(R > 1 ? q.more! : q.less!).replace("{p}", `${p}%`)} than ${r.reference_label}`;
  const [mw, lw] = q.binary ? ["more likely", "less likely"] : ["more", "less"];
  let ci = "95% CI could not be estimated";
  if (r.ci_low !== null && r.ci_low >= 0 && r.ci_high !== null && Number.isFinite(r.ci_high)) {
    ci = r.ci_low >= 1 ? `95% CI ${pct(r.ci_low)} to ${pct(r.ci_high)} ${mw}` : r.ci_high <= 1 ? `95% CI ${pct(r.ci_high)} to ${pct(r.ci_low)} ${lw}` : `95% CI from ${pct(r.ci_low)} ${lw} to ${pct(r.ci_high)} ${mw}`;
  } else if (r.ci_low !== null && r.ci_low >= 0) {
    // no upper end: too few events in the reference group in some resamples
    ci = r.ci_low >= 1 ? `95% CI from ${pct(r.ci_low)} ${mw}, with no upper end` : `95% CI from ${pct(r.ci_low)} ${lw}, with no upper end`;
  }
  const verdict: Record<string, string> = {
    "adverse disparity": "An adverse disparity, confirmed after allowing for the other tests of its family.",
    "favourable disparity": "A favourable disparity, confirmed after allowing for the other tests of its family.",
    "possible disparity: watch": r.family === "secondary" ? "The interval excludes parity, but this is a secondary question: possible disparity, watch." : "The interval excludes parity, but the difference is not confirmed after allowing for the other tests of its family: possible disparity, watch.",
    "no evidence of disparity": "No evidence of disparity: the interval rules out a 25% difference either way.",
  };
  const tooFew: Record<string, string> = {
    "few-workers": "Too few to tell: fewer than 5 workers of one group could be compared.",
    "no-comparable-workers": "Too few to tell: nobody of one group could be compared.",
    "monte-carlo-unsettled": "Too few to tell: the resampling could not settle the result within its budget.",
    "low-power": "Too few to tell: the data could not have found a 25% difference reliably.",
  };
  const tail = verdict[r.verdict] ?? tooFew[r.verdict_reason] ?? "Too few to tell: the data cannot rule a 25% difference in or out.";
  return `${where}${sub}, ${r.group_label} ${clause} ${held} (${ci}). ${tail}`;
}

/**
 * What the Not known re-runs found, for a test they were made for (a Not known worker in scope):
 * the verdicts either way when one differs, else that the verdict holds (said only of a verdict
 * that is not "too few to tell"). No counts.
 */
export function notKnownSentence(r: Pick<HrAuditRecord, "verdict" | "verdict_changes_if_not_known" | "sensitivity_as_group" | "sensitivity_as_reference" | "group_label" | "reference_label">): string {
  if (r.verdict_changes_if_not_known === null) return "";
  if (r.verdict_changes_if_not_known) {
    return ` This verdict depends on where the workers whose ethnicity is not known are counted: counted with ${r.group_label} it would be "${r.sensitivity_as_group}", counted with ${r.reference_label} "${r.sensitivity_as_reference}".`;
  }
  return r.verdict === "too few to tell" ? "" : ` It holds whether the workers whose ethnicity is not known are counted with ${r.group_label} or with ${r.reference_label}.`;
}

// ---------------------------------------------------------------------------------------------
// the figures: rates (WRES), the ratings' distribution, the caseload reviews

const GROUPS = REPORTING_GROUPS as readonly string[];

function ratesRows(units: Map<string, Unit[]>, reference: string, alpha: number): object[] {
  const out: object[] = [];
  HR_QUESTIONS.forEach((q, order) => {
    const us = units.get(q.id)!;
    if (!us.length || (q.id === "moved_up" && !us.some((u) => u.num > 0))) return;
    const subgroups = ["all", ...(q.subgroups ? [...new Set(us.flatMap((u) => u.tags))].sort() : [])];
    for (const sg of subgroups) {
      const inSub = sg === "all" ? us : us.filter((u) => u.tags.includes(sg));
      const agg = (pred: (u: Unit) => boolean) => {
        const xs = inSub.filter(pred);
        const n = xs.reduce((s, u) => s + u.num, 0);
        const d = xs.reduce((s, u) => s + u.den, 0);
        return { workers: new Set(xs.map((u) => u.worker_id)).size, decisions: xs.length, events: n, den: d, rate: d > 0 ? n / d : null };
      };
      const ref = agg((u) => u.reporting_group === reference || u.ons_group === reference);
      for (const g of ["All", ...GROUPS]) {
        const a = agg((u) => g === "All" || u.reporting_group === g);
        if (a.decisions === 0 && g !== "All") continue;
        const rl = q.binary && g !== "All" && g !== reference && a.den > 0 && ref.den > 0 && a.events + ref.events > 0 ? relativeLikelihood(a.events, a.den, ref.events, ref.den, alpha) : null;
        const fin = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : x);
        out.push({
          measure: q.id, measure_label: q.label, subgroup: sg, group: g, reference_group: reference, binary: q.binary, workers: a.workers, decisions: a.decisions, events: a.events,
          not_events: q.binary ? a.den - a.events : null, rate: a.rate, reference_rate: ref.rate, relative_likelihood: fin(rl?.ratio), rl_ci_low: fin(rl?.ci_low), rl_ci_high: fin(rl?.ci_high),
          rl_within_band: rl && Number.isFinite(rl.ratio) ? rl.within_band : null, reference_events: ref.events, reference_not_events: q.binary ? ref.den - ref.events : null, reference_workers: ref.workers, order,
        });
      }
    }
  });
  return out;
}

interface RatingRow { cycle: string; rating: string; rating_rank: number; group: string; appraisals: number; share: number | null }

function ratingRows(appraisal: AppraisalRow[], ratings: readonly string[]): RatingRow[] {
  if (!appraisal.length) return [];
  const rank = new Map(ratings.map((r, i) => [r.trim().toLowerCase(), i + 1]));
  const canonical = new Map(ratings.map((r) => [r.trim().toLowerCase(), r]));
  const cycles = [...new Set(appraisal.map((a) => a.cycle))].sort();
  const out: RatingRow[] = [];
  for (const cycle of ["All cycles", ...cycles]) {
    const inCycle = appraisal.filter((a) => cycle === "All cycles" || a.cycle === cycle);
    for (const g of ["All", ...GROUPS]) {
      const xs = inCycle.filter((a) => g === "All" || a.reporting_group === g);
      if (!xs.length && g !== "All") continue;
      for (const r of ["All ratings", ...ratings]) {
        const n = r === "All ratings" ? xs.length : xs.filter((a) => a.rating.trim().toLowerCase() === r.trim().toLowerCase()).length;
        out.push({ cycle, rating: canonical.get(r.trim().toLowerCase()) ?? r, rating_rank: rank.get(r.trim().toLowerCase()) ?? 0, group: g, appraisals: n, share: xs.length ? n / xs.length : null });
      }
    }
  }
  return out;
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const meanOf = (xs: number[]): number | null => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);

/** Mean and 95% t interval over workers (each worker's mean first: one worker, one weight). */
function meanInterval(byWorker: Map<string, number[]>, alpha: number): { n: number; mean: number | null; low: number | null; high: number | null } {
  const xs = [...byWorker.values()].map((v) => v.reduce((s, x) => s + x, 0) / v.length);
  const n = xs.length;
  const m = meanOf(xs);
  if (n < 2 || m === null) return { n, mean: m, low: null, high: null };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  const h = tQuantile(1 - alpha / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean: m, low: m - h, high: m + h };
}

const OUTCOMES = ["cases reallocated", "support added", "no change", "pending", "not recorded"];

function reviewFigures(data: Awaited<ReturnType<typeof readAll>>, start: string, end: string, alpha: number) {
  const reqs = data.review;
  const monthly: object[] = [];
  const summary: Record<string, unknown>[] = [];
  const outcomes: object[] = [];
  const beforeAfter: Record<string, unknown>[] = [];
  const profile: object[] = [];
  if (!reqs.length) return { monthly, summary, outcomes, beforeAfter, profile };

  // requests per month over the window, as a control chart (the series engine's: a trend gets a
  // regression chart, else Making Data Count's XmR)
  const months: string[] = [];
  for (let m = monthIndex(start); m <= monthIndex(end); m++) months.push(periodOf(m));
  const firstData = [data.months[0]?.period, reqs[0]!.period].filter((x): x is string => !!x && x >= start).sort()[0] ?? start;
  const span = months.filter((m) => m >= firstData);
  const per = span.map((m) => reqs.filter((r) => r.period === m));
  const values = per.map((rs) => rs.length);
  const series = analyseSeries({ dates: span, values, period: 12, higherIs: "worse" });
  const chart = new Map(series.spc.points.map((p) => [p.date, p]));
  span.forEach((m, i) => {
    const rs = per[i]!;
    const c = chart.get(m);
    monthly.push({
      period: m, requests: rs.length, requesters: new Set(rs.map((r) => r.worker_id)).size, resolved: rs.filter((r) => r.resolved).length, reallocated: rs.filter((r) => r.outcome === "cases reallocated").length,
      support_added: rs.filter((r) => r.outcome === "support added").length, no_change: rs.filter((r) => r.outcome === "no change").length, pending: rs.filter((r) => r.outcome === "pending").length,
      chart_mean: c?.mean ?? null, chart_ucl: c?.ucl ?? null, chart_lcl: c?.lcl ?? null, chart_rule: c?.rule ?? null, special_cause: c?.special_cause ?? null,
    });
  });
  const last12 = reqs.filter((r) => r.period > periodOf(monthIndex(end) - 12));
  const resolved = reqs.filter((r) => r.resolved && r.outcome !== "not recorded");
  const days = reqs.map((r) => r.days_to_outcome).filter((d): d is number => d !== null);
  const t = series.trend;
  const dir = t.direction;
  const trendWords = dir === "increasing" ? `rising (about ${Math.round(Math.abs(t.pct_per_year ?? 0))}% a year)` : dir === "decreasing" ? `falling (about ${Math.round(Math.abs(t.pct_per_year ?? 0))}% a year)` : dir === "no trend" ? "neither rising nor falling (no trend the test can confirm)" : "too short a series to say whether they are rising";
  summary.push({
    window_start: span[0], window_end: end, months: span.length, requests: reqs.length, requesters: new Set(reqs.map((r) => r.worker_id)).size, requests_last_12: last12.length,
    requesters_last_12: new Set(last12.map((r) => r.worker_id)).size, resolved: resolved.length, reallocated: resolved.filter((r) => r.reallocated).length,
    share_reallocated: resolved.length ? resolved.filter((r) => r.reallocated).length / resolved.length : null, median_days_to_outcome: median(days),
    trend_direction: dir, trend_pct_per_year: t.pct_per_year, trend_pct_ci_low: t.pct_ci_low, trend_pct_ci_high: t.pct_ci_high, trend_p: t.mk?.p ?? null,
    chart_kind: series.spc.kind, chart_caption: series.spc.caption, special_causes: series.spc.special_causes, latest_variation: series.spc.variation, series_status: series.status,
    sentence: `Caseload review requests are ${trendWords}; ${series.spc.special_causes ? `the control chart shows ${series.spc.special_causes} special cause${series.spc.special_causes === 1 ? "" : "s"}` : "the control chart shows only common-cause variation"}.`,
  });

  // outcomes and the days to them, for everyone and by group
  OUTCOMES.forEach((o, order) => {
    for (const g of ["All", ...GROUPS]) {
      const mine = reqs.filter((r) => g === "All" || r.reporting_group === g);
      if (!mine.length && g !== "All") continue;
      const xs = o === "All outcomes" ? mine : mine.filter((r) => r.outcome === o);
      if (!xs.length && o === "not recorded") continue;
      const d = xs.map((r) => r.days_to_outcome).filter((x): x is number => x !== null);
      outcomes.push({ outcome: o, group: g, requests: xs.length, requesters: new Set(xs.map((r) => r.worker_id)).size, share: mine.length ? xs.length / mine.length : null, median_days_to_outcome: median(d), mean_days_to_outcome: meanOf(d), order });
    }
  });
  for (const g of ["All", ...GROUPS]) {
    const mine = reqs.filter((r) => g === "All" || r.reporting_group === g);
    if (!mine.length && g !== "All") continue;
    const d = mine.map((r) => r.days_to_outcome).filter((x): x is number => x !== null);
    outcomes.push({ outcome: "All outcomes", group: g, requests: mine.length, requesters: new Set(mine.map((r) => r.worker_id)).size, share: 1, median_days_to_outcome: median(d), mean_days_to_outcome: meanOf(d), order: -1 });
  }

  // before and after: caseload and points per FTE in the three months before the request's month
  // and the three after, each worker's mean change over their requests, then the mean over
  // workers with a t interval; and the same less the change of colleagues in the same service and
  // role over the same months (what happened anyway)
  const wm = new Map(data.months.map((m) => [`${m.period}|${m.worker_id}`, m]));
  const colleagues = new Map<string, { c: number; p: number; n: number }>();
  for (const m of data.months) {
    const k = `${m.period}|${m.service}|${m.role}`;
    const a = colleagues.get(k) ?? { c: 0, p: 0, n: 0 };
    a.c += m.cases / m.fte;
    a.p += m.total_points / m.fte;
    a.n++;
    colleagues.set(k, a);
  }
  const measures = [{ id: "caseload_per_fte", value: (m: MonthRow) => m.cases / m.fte, col: (a: { c: number; n: number }) => a.c / a.n, words: "cases per FTE" }, { id: "points_per_fte", value: (m: MonthRow) => m.total_points / m.fte, col: (a: { p: number; n: number }) => a.p / a.n, words: "workload points per FTE" }];
  const subsets = ["all requests", "cases reallocated", "support added", "no change"];
  for (const ms of measures) {
    for (const subset of subsets) {
      const chosen = reqs.filter((r) => subset === "all requests" || r.outcome === subset);
      const change = new Map<string, number[]>();
      const relative = new Map<string, number[]>();
      const before: number[] = [];
      const after: number[] = [];
      const prof = new Map<number, { v: number[]; c: number[]; w: Set<string> }>();
      let used = 0;
      for (const r of chosen) {
        const m0 = monthIndex(r.period);
        const side = (offsets: number[]) => {
          const own: number[] = [];
          const col: number[] = [];
          for (const o of offsets) {
            const row = wm.get(`${periodOf(m0 + o)}|${r.worker_id}`);
            if (!row || !(row.fte > 0)) continue;
            own.push(ms.value(row));
            const c = colleagues.get(`${row.period}|${row.service}|${row.role}`);
            if (c) col.push(ms.col(c));
          }
          return { own: meanOf(own), col: col.length === own.length ? meanOf(col) : null };
        };
        for (let o = -3; o <= 3; o++) {
          const row = wm.get(`${periodOf(m0 + o)}|${r.worker_id}`);
          if (!row || !(row.fte > 0)) continue;
          const e = prof.get(o) ?? { v: [], c: [], w: new Set<string>() };
          e.v.push(ms.value(row));
          const c = colleagues.get(`${row.period}|${row.service}|${row.role}`);
          if (c) e.c.push(ms.col(c));
          e.w.add(r.worker_id);
          prof.set(o, e);
        }
        const b = side([-3, -2, -1]);
        const a = side([1, 2, 3]);
        if (b.own === null || a.own === null) continue;
        used++;
        before.push(b.own);
        after.push(a.own);
        change.set(r.worker_id, [...(change.get(r.worker_id) ?? []), a.own - b.own]);
        if (b.col !== null && a.col !== null) relative.set(r.worker_id, [...(relative.get(r.worker_id) ?? []), a.own - b.own - (a.col - b.col)]);
      }
      const ci = meanInterval(change, alpha);
      const rel = meanInterval(relative, alpha);
      const bm = meanOf(before);
      const am = meanOf(after);
      const f = (x: number | null) => (x === null ? "?" : Math.abs(x).toFixed(1));
      const sentence = ci.mean === null ? `No ${subset === "all requests" ? "request" : `request ending in "${subset}"`} had returns both before and after it.`
        : `After ${subset === "all requests" ? "a caseload review request" : `a request ending in "${subset}"`}, ${ms.words} ${ci.mean < 0 ? "fell" : "rose"} by ${f(ci.mean)} on average from the three months before to the three after${ci.low !== null ? ` (95% CI ${ci.low.toFixed(1)} to ${ci.high!.toFixed(1)})` : ""}${rel.mean !== null ? `; against colleagues in the same service and role over the same months, ${rel.mean < 0 ? "a fall" : "a rise"} of ${f(rel.mean)}${rel.low !== null ? ` (${rel.low.toFixed(1)} to ${rel.high!.toFixed(1)})` : ""}` : ""}.`;
      beforeAfter.push({
        measure: ms.id, subset, requests: used, workers: ci.n, before: bm, after: am, change: ci.mean, ci_low: ci.low, ci_high: ci.high, change_pct: bm && am !== null ? am / bm - 1 : null,
        change_vs_colleagues: rel.mean, vs_colleagues_ci_low: rel.low, vs_colleagues_ci_high: rel.high, sentence,
      });
      for (let o = -3; o <= 3; o++) {
        const e = prof.get(o);
        profile.push({ measure: ms.id, subset, offset: o, requests: e?.v.length ?? 0, workers: e?.w.size ?? 0, mean: e ? meanOf(e.v) : null, colleagues_mean: e ? meanOf(e.c) : null });
      }
    }
  }
  return { monthly, summary, outcomes, beforeAfter, profile };
}

// ---------------------------------------------------------------------------------------------
// the public layer's cells

/**
 * The counts a public build may show, protected: each table's cells under the minimum (zero
 * included) are withheld, then more until nothing withheld can be worked out or narrowed to fewer
 * than the minimum from what is published (pipelines/disclosure.ts `protect`, linear
 * programming). Tables: the window's ratings by group (every cycle together; ratings add up to all
 * ratings, groups to All); each leave year's workers by team, and the employer's by group (each adds up to the employer); the
 * review requests by outcome and by month (parts add up to the total; primary suppression also
 * where fewer than the minimum workers asked).
 */
async function protectedCells(ratings: RatingRow[], review: ReturnType<typeof reviewFigures>, conn: DuckDBConnection, min: number): Promise<object[]> {
  const out: object[] = [];
  /** A table of counts by row and group ('All' and the reporting groups), with the relations a reader knows, protected in one piece. */
  const table = async (frame: string, tid: string, counts: Map<string, number>, rows: string[], extraRelations: (key: (row: string, g: string) => string) => Relation[]) => {
    const groups = ["All", ...GROUPS];
    const fc = (row: string, g: string): FrameCell => ({ period: tid, level: "service", service: row, team: null, group: g, count: counts.get(JSON.stringify([row, g])) ?? 0 });
    const key = (row: string, g: string) => cellKey(fc(row, g));
    const grid = rows.flatMap((r) => groups.map((g) => fc(r, g)));
    const rel: Relation[] = [...rows.map((r) => ({ period: tid, parent: key(r, "All"), parts: GROUPS.map((g) => key(r, g)) })), ...extraRelations(key)];
    const { withheld } = await protect(grid, rel, min);
    for (const c of grid) out.push({ frame, table_id: tid, row: c.service, group: c.group, count: withheld.has(cellKey(c)) ? null : c.count, withheld: withheld.has(cellKey(c)), min_group_size: min });
  };
  // ratings over the whole window (every cycle together: published cycle by cycle as well, the
  // cycles adding up to the window would force most cells to be withheld; each cycle's comparison
  // is published as its test): rows "All cycles | rating", ratings add up to "All ratings"
  const window = ratings.filter((r) => r.cycle === "All cycles");
  if (window.length) {
    const counts = new Map(window.map((r) => [JSON.stringify([`${r.cycle} | ${r.rating}`, r.group]), r.appraisals]));
    const names = [...new Set(window.map((r) => r.rating))];
    const rows = names.map((n) => `All cycles | ${n}`);
    await table("ratings", "appraisal", counts, rows, (key) => ["All", ...GROUPS].map((g) => ({ period: "appraisal", parent: key("All cycles | All ratings", g), parts: names.filter((n) => n !== "All ratings").map((n) => key(`All cycles | ${n}`, g)) })));
  }
  // leave: each leave year's workers by team (all groups together) and the employer's workers by
  // group; teams add up to the employer, and so do the groups. A team's workers by ethnic group are
  // not published: teams are small, so almost every such cell is under the minimum (on the
  // 1,500-worker benchmark employer all 2,724 were withheld), and protecting that two-way table
  // was one linear system over every team, most of the audit's time on large employers.
  const leave = await queryRows<{ leave_year: number; level: string; service: string | null; team: string | null; group: string; workers: bigint }>(conn, `SELECT leave_year, level, service, team, "group", workers FROM mart_hr_leave WHERE level = 'employer' OR (level = 'team' AND "group" = 'All') ORDER BY 1, 2, 3, 4, 5`);
  for (const year of [...new Set(leave.map((l) => Number(l.leave_year)))].sort()) {
    const tid = String(year);
    const mine = leave.filter((l) => Number(l.leave_year) === year);
    const fc = (l: (typeof mine)[number]): FrameCell => ({ period: tid, level: "service", service: l.level === "employer" ? "All teams" : `${l.service} / ${l.team}`, team: null, group: l.group, count: Number(l.workers) });
    const cells = mine.map(fc);
    const total = cellKey({ period: tid, level: "service", service: "All teams", team: null, group: "All" });
    const teams = cells.filter((c) => c.service !== "All teams").map(cellKey);
    // the groups with somebody in them (the mart has no row for an empty one)
    const groups = cells.filter((c) => c.service === "All teams" && c.group !== "All").map(cellKey);
    const { withheld } = await protect(cells, [{ period: tid, parent: total, parts: teams }, { period: tid, parent: total, parts: groups }], min);
    for (const c of cells) out.push({ frame: "leave", table_id: tid, row: c.service, group: c.group, count: withheld.has(cellKey(c)) ? null : c.count, withheld: withheld.has(cellKey(c)), min_group_size: min });
  }
  /** One relation (parts add up to the total): under the minimum, or flagged, withheld; then while one part alone, or parts adding up to fewer than the minimum, are withheld under a published total, the smallest published part too. */
  const oneWay = (frame: string, tid: string, total: { row: string; count: number; flag: boolean }, parts: { row: string; count: number; flag: boolean }[]) => {
    const hidden = new Set([total, ...parts].filter((c) => c.count < min || c.flag).map((c) => c.row));
    for (;;) {
      const hp = parts.filter((c) => hidden.has(c.row));
      const sum = hp.reduce((s, c) => s + c.count, 0);
      if (hp.length === 0 || hidden.has(total.row)) break;
      if (!((hp.length === 1 && sum > 0) || (sum > 0 && sum < min))) break;
      const next = parts.filter((c) => !hidden.has(c.row)).sort((a, b) => a.count - b.count || a.row.localeCompare(b.row))[0];
      hidden.add(next ? next.row : total.row);
    }
    for (const c of [total, ...parts]) out.push({ frame, table_id: tid, row: c.row, group: "All", count: hidden.has(c.row) ? null : c.count, withheld: hidden.has(c.row), min_group_size: min });
  };
  const oc = review.outcomes as { outcome: string; group: string; requests: number; requesters: number }[];
  const tot = oc.find((o) => o.outcome === "All outcomes" && o.group === "All");
  if (tot) {
    oneWay("review outcomes", "all", { row: "All outcomes", count: tot.requests, flag: tot.requesters < min },
      oc.filter((o) => o.group === "All" && o.outcome !== "All outcomes").map((o) => ({ row: o.outcome, count: o.requests, flag: o.requesters < min })));
  }
  const mo = review.monthly as { period: string; requests: number; requesters: number }[];
  if (mo.length) {
    const total = mo.reduce((s, m) => s + m.requests, 0);
    const requesters = (review.summary[0] as { requesters: number } | undefined)?.requesters ?? 0;
    oneWay("review requests", "by month", { row: "All months", count: total, flag: requesters < min }, mo.map((m) => ({ row: m.period, count: m.requests, flag: m.requesters < min })));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** `fairload audit`'s HR part: the HR audit step and the public models on it, in one transaction. */
export async function runHrAudit(ws: Workspace, opts: HrAuditOptions = {}): Promise<HrAuditRun> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    await ensureModels(db.conn, ws.config);
    const models = downstreamOf(registry(), hrAuditStep.outputs.map((o) => o.name));
    const { extras } = await inTransaction(db.conn, async () => {
      const r = await runModels(db.conn, ws.config, models, { hr_audit: opts });
      await recordRuns(db.conn, r.runs);
      return r;
    });
    return extras.hr_audit as HrAuditRun;
  } finally {
    db.close();
  }
}
