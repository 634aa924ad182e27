/**
 * `fairload audit`: are ethnic-minority social workers given more complex work, or more of it,
 * with less support? The statistics are in pipelines/stats/fairness.ts (method:
 * docs/fairness-method.md); this module chooses the comparisons, runs them over every scope and
 * measure, places them in the declared analysis plan's families (Benjamini-Hochberg within each),
 * checks each primary verdict against the Not known workers, and adds representation by seniority (with the DfE national figures) and the
 * ethnicity data quality per team. Disclosure control is the public layer's (pipelines/disclosure.ts,
 * pipelines/models/public/). Results are stored in marts
 * (in one transaction):
 *
 * - fairness_results: one row per test (scope, service, team, comparison, measure, group); internal:
 *   what may be published is the public layer's pub_fairness_results;
 * - fairness_monthly: one row per test and month of the window (the persistence view), with the
 *   workers of each group compared that month;
 * - fairness_representation: one row per scope and group (relative likelihood of a senior role);
 * - fairness_data_quality: one row per scope (share of workers whose ethnicity is Not known).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { type ColumnTypes, ensureSchema, inTransaction, openDb, queryRows, quoteLit } from "../core/db.ts";
import { representationBySeniority } from "./national.ts";
import { UserError } from "../core/errors.ts";
import { latestCensusYear, monthIndex, periodOf } from "../core/calendar.ts";
import type { Workspace } from "../core/workspace.ts";
import type { Config } from "../core/config.ts";
import { DEFAULT_ANALYSIS_PLAN } from "../core/defaults.ts";
import { ensureModels } from "./build.ts";
import { registry } from "./project.ts";
import { publishStep } from "./public.ts";
import { downstreamOf, type ComputeStep } from "./registry.ts";
import { recordRuns, runModels } from "./run.ts";
import {
  type AdjustKey,
  type FairnessResult,
  FAIRNESS_MEASURES,
  FAIRNESS_MEASURE_DEFS,
  type FairnessMeasure,
  type WorkerMonthObs,
  DEFAULT_RULE,
  EncodedObs,
  auditComparison,
  comparedWorkers,
  drivingTeam,
  leaveOneTeamOut,
  placeInFamilies,
  qInFamily,
  qSettledInFamily,
  adjustmentSensitivity,
  type AdjustmentVariant,
  experienceFactors,
  settle,
  type TestFamily,
  measureValues,
  relativeLikelihood,
} from "./stats/fairness.ts";
import { AuditPool, auditThreads, type AuditTask } from "./audit-pool.ts";

export const MINORITY_ONS_GROUPS = ["Mixed or Multiple", "Asian or Asian British", "Black, Black British, Caribbean or African", "Other ethnic group"] as const;

/** DfE's names for the ONS broad groups, for the national comparison. */
const DFE_GROUP: Record<string, string> = {
  White: "White",
  "Mixed or Multiple": "Mixed / Multiple ethnic groups",
  "Asian or Asian British": "Asian / Asian British",
  "Black, Black British, Caribbean or African": "Black / African / Caribbean / Black British",
  "Other ethnic group": "Other ethnic group",
};

/**
 * The chance, per test, that a Monte Carlo interval (of its p-value, or of a CI end) misses the
 * value infinitely many resamples would give. A verdict rests on its own CI and on the p-values
 * of its family (q_settled), so the chance that a verdict differs from the infinite-resampling
 * one is at most (family size + 1) x MC_RISK: under 0.3% for a family of 25 tests.
 */
export const MC_RISK = 1e-4;

/**
 * Like with like (the declared plan's default, core/defaults.ts): the same service, team, role and
 * experience band in the same month. Employment type and working pattern are shown as
 * sensitivity variants (fairness_adjustment) rather than held fixed by default: every load
 * measure is already per FTE, and splitting small teams' strata by them leaves many workers with
 * nobody to compare with; the plan's `adjust` can add them.
 */
export const DEFAULT_ADJUST: AdjustKey[] = [...DEFAULT_ANALYSIS_PLAN.adjust];

export type ComparisonKind = "primary" | "white_minorities" | "not_known" | "ons_group" | "gender" | "role";
export type ScopeLevel = "employer" | "service" | "team";

export interface AuditOptions {
  /** Last month of the window (default: the latest month on record). */
  asOf?: string;
  /** Months in the window (default 12). */
  window?: number;
  /** Bootstrap resamples and permutations per test (default 10,000; early stopping applies). */
  resamples?: number;
  seed?: number;
  scopes?: ScopeLevel[];
  comparisons?: ComparisonKind[];
  measures?: FairnessMeasure[];
  /** Check each primary verdict against the Not known workers (default true). */
  sensitivity?: boolean;
  /** What the adjusted comparison holds fixed besides month (default: the declared plan's, service, team, role and experience). */
  adjust?: AdjustKey[];
  onProgress?: (done: number, total: number) => void;
}

/** One row of fairness_results. */
export interface AuditRecord extends Omit<FairnessResult, "scope" | "monthly_ratios" | "rule" | "adjusted_for"> {
  result_id: number;
  scope: ScopeLevel;
  scope_label: string;
  comparison: ComparisonKind;
  /** The subgroup an intersection is restricted to (e.g. "Female", "Social Worker"), else null. */
  subgroup: string | null;
  adjusted_for: string;
  /** Verdicts if every Not known worker were in the group / the reference (primary comparisons). */
  /** The declared family (docs/fairness-method.md): primary question, or secondary. */
  family: TestFamily;
  family_id: string;
  family_size: number;
  /** Workers of each group in scope with nobody of the other group in their stratum (team, role, month): not compared. */
  n_workers_group_without_comparator: number;
  n_workers_reference_without_comparator: number;
  /** A service- or employer-level primary difference: the team without which the ratio comes closest to 1, and that ratio. */
  driven_by_team: string | null;
  /** The driving team's service (for an employer-level row). */
  driven_by_service: string | null;
  ratio_without_driving_team: number | null;
  sensitivity_as_group: string | null;
  sensitivity_as_reference: string | null;
  verdict_changes_if_not_known: boolean | null;
  monthly_ratios: (number | null)[];
}

interface Row {
  period: string;
  worker_id: string;
  service: string;
  team: string;
  role: string;
  fte: number;
  fte_band: "full-time" | "part-time";
  experience_band: string;
  employment: string | null;
  cases: number;
  case_points: number;
  non_case_points: number | null;
  high_complexity_cases: number;
  cases_with_complexity: number;
  new_cases: number;
  new_case_points: number;
  new_high_complexity_cases: number;
  new_cases_with_complexity: number;
  supervision_planned: number | null;
  supervision_held: number | null;
  review_requested: boolean | null;
  reporting_group: string;
  ons_group: string;
  gender: string | null;
  is_senior: boolean;
}

interface Comparison {
  kind: ComparisonKind;
  group: string;
  reference: string;
  subgroup: string | null;
  scopes: ScopeLevel[];
  /** The worker-month's group for this comparison, or null to leave it out. */
  groupOf: (r: Row) => string | null;
}

interface Scope {
  level: ScopeLevel;
  service: string | null;
  team: string | null;
  label: string;
}

export interface AuditRun {
  as_of: string;
  window_start: string;
  window_end: string;
  tests: number;
  seconds: number;
  results: AuditRecord[];
  representation: RepresentationRow[];
  data_quality: DataQualityRow[];
  /** The primary family's disparities, grouped: one finding per team (or service, or employer). */
  findings: Finding[];
}

/** One finding of the primary family: where, on which measures, and the rows behind it. */
export interface Finding {
  where: string;
  service: string | null;
  team: string | null;
  verdict: string;
  measures: string[];
  result_ids: number[];
  /** Service- and employer-level rows explained by this team (leave-one-team-out). */
  explains: number[];
}

/**
 * The primary family's adverse and favourable disparities as findings: the rows of one team (or
 * service, or the employer) are one finding, and a service-level row that one team drives is that
 * team's finding, not a second one.
 */
export function groupFindings(records: readonly AuditRecord[]): Finding[] {
  const found = records.filter((r) => r.family === "primary" && (r.verdict === "adverse disparity" || r.verdict === "favourable disparity"));
  const out = new Map<string, Finding>();
  const key = (r: { service: string | null; team: string | null; verdict: string }) => JSON.stringify([r.service, r.team, r.verdict]);
  for (const r of found.filter((x) => x.scope === "team")) {
    const k = key(r);
    const f = out.get(k) ?? { where: r.scope_label, service: r.service, team: r.team, verdict: r.verdict, measures: [], result_ids: [], explains: [] };
    f.measures.push(r.measure);
    f.result_ids.push(r.result_id);
    out.set(k, f);
  }
  for (const r of found.filter((x) => x.scope !== "team")) {
    const team = r.driven_by_team ? [...out.values()].find((f) => f.team === r.driven_by_team && f.verdict === r.verdict && f.service === (r.service ?? r.driven_by_service)) : undefined;
    if (team) {
      team.explains.push(r.result_id);
      continue;
    }
    const k = key(r);
    const f = out.get(k) ?? { where: r.scope_label, service: r.service, team: r.team, verdict: r.verdict, measures: [], result_ids: [], explains: [] };
    f.measures.push(r.measure);
    f.result_ids.push(r.result_id);
    out.set(k, f);
  }
  return [...out.values()];
}

export async function runAudit(ws: Workspace, opts: AuditOptions = {}): Promise<AuditRun> {
  const t0 = performance.now();
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    await ensureModels(db.conn, ws.config);
    // the audit's models and anything built on them (the public layer's), with the public
    // layer's frame they read, in one transaction
    const all = registry();
    const want = new Set([...downstreamOf(all, auditStep.outputs.map((o) => o.name)).map((m) => m.name), ...publishStep.outputs.map((o) => o.name)]);
    const models = all.filter((m) => want.has(m.name));
    const { extras } = await inTransaction(db.conn, async () => {
      const r = await runModels(db.conn, ws.config, models, { audit: opts });
      await recordRuns(db.conn, r.runs);
      return r;
    });
    return { ...(extras.audit as AuditRun), seconds: (performance.now() - t0) / 1000 };
  } finally {
    db.close();
  }
}


// Column types of the audit's tables (counts as BIGINT, as they have always been stored).
const RESULT_COLUMNS: ColumnTypes = {scope: "VARCHAR", service: "VARCHAR", team: "VARCHAR", measure: "VARCHAR", "group": "VARCHAR", reference_group: "VARCHAR", window_start: "VARCHAR", window_end: "VARCHAR", window_months: "BIGINT", n_workers_group: "BIGINT", n_workers_reference: "BIGINT", n_workers_group_compared: "BIGINT", n_workers_reference_compared: "BIGINT", n_worker_months_group: "BIGINT", n_worker_months_reference: "BIGINT", ratio_unadjusted: "DOUBLE", ratio_adjusted: "DOUBLE", ci_low: "DOUBLE", ci_high: "DOUBLE", se_log_ratio: "DOUBLE", df: "DOUBLE", p_value: "DOUBLE", q_value: "DOUBLE", mde_ratio: "DOUBLE", months_same_direction: "BIGINT", months_observed: "BIGINT", persistent: "BOOLEAN", verdict: "VARCHAR", verdict_reason: "VARCHAR", below_min_group_size: "BOOLEAN", sentence: "VARCHAR", resamples_used: "BIGINT", permutations_used: "BIGINT", alpha: "DOUBLE", min_group_size: "BIGINT", group_label: "VARCHAR", reference_label: "VARCHAR", result_id: "BIGINT", scope_label: "VARCHAR", comparison: "VARCHAR", subgroup: "VARCHAR", adjusted_for: "VARCHAR", p_mc_low: "DOUBLE", p_mc_high: "DOUBLE", p_below: "DOUBLE", p_settled: "BOOLEAN", ci_settled: "BOOLEAN", mc_settled: "BOOLEAN", n_workers_group_without_comparator: "BIGINT", n_workers_reference_without_comparator: "BIGINT", family: "VARCHAR", family_id: "VARCHAR", family_size: "BIGINT", driven_by_team: "VARCHAR", driven_by_service: "VARCHAR", ratio_without_driving_team: "DOUBLE", sensitivity_as_group: "VARCHAR", sensitivity_as_reference: "VARCHAR", verdict_changes_if_not_known: "BOOLEAN", events_group: "BIGINT", events_reference: "BIGINT"};
const MONTHLY_COLUMNS: ColumnTypes = {result_id: "BIGINT", period: "VARCHAR", ratio: "DOUBLE", workers_group_compared: "BIGINT", workers_reference_compared: "BIGINT"};
const REPRESENTATION_COLUMNS: ColumnTypes = {scope: "VARCHAR", service: "VARCHAR", period: "VARCHAR", "group": "VARCHAR", reference_group: "VARCHAR", group_senior: "BIGINT", group_total: "BIGINT", reference_senior: "BIGINT", reference_total: "BIGINT", relative_likelihood: "DOUBLE", ci_low: "DOUBLE", ci_high: "DOUBLE", within_conventional_band: "BOOLEAN", national_year: "BIGINT", national_relative_likelihood: "DOUBLE", national_note: "VARCHAR"};
const ADJUSTMENT_COLUMNS: ColumnTypes = {result_id: "BIGINT", variant: "VARCHAR", adjusted_for: "VARCHAR", ratio: "DOUBLE", ci_low: "DOUBLE", ci_high: "DOUBLE", n_workers_group_compared: "BIGINT", n_workers_reference_compared: "BIGINT"};
const DATA_QUALITY_COLUMNS: ColumnTypes = {scope: "VARCHAR", service: "VARCHAR", team: "VARCHAR", workers: "BIGINT", not_known: "BIGINT", share_not_known: "DOUBLE", primary_verdicts: "BIGINT", verdicts_sensitive_to_not_known: "BIGINT"};

/**
 * The audit step: every scope, comparison and measure of the window, the declared families (BH
 * within each), the Not known sensitivity, the adjustment variants, representation and ethnicity
 * data quality. Its outputs are the fairness tables below.
 */
export const auditStep: ComputeStep<AuditOptions, AuditRun> = {
  name: "audit",
  writtenBy: "audit",
  upstream: ["int_worker_month", "dfe_role_ethnicity"],
  outputs: [
    { name: "fairness_results", grain: "one row per test: scope, service, team, comparison, subgroup, measure and group (internal; pub_fairness_results is what may be published)", key: ["result_id"], columns: RESULT_COLUMNS },
    { name: "fairness_monthly", grain: "one row per test and month of the window", key: ["result_id", "period"], columns: MONTHLY_COLUMNS, relationships: [{ columns: ["result_id"], to: "fairness_results" }] },
    { name: "fairness_representation", grain: "one row per scope (employer, service) and group: relative likelihood of a senior role", key: ["scope", "service?", "group"], columns: REPRESENTATION_COLUMNS },
    { name: "fairness_data_quality", grain: "one row per scope (employer, service, team): share of workers whose ethnicity is Not known", key: ["scope", "service?", "team?"], columns: DATA_QUALITY_COLUMNS },
    { name: "fairness_adjustment", grain: "one row per primary-question test and variant of what it holds fixed (the reported one, and each characteristic released or added)", key: ["result_id", "variant"], columns: ADJUSTMENT_COLUMNS, relationships: [{ columns: ["result_id"], to: "fairness_results" }] },
  ],
  async compute({ conn, config }, opts = {}) {
    const t0 = performance.now();
    const window = opts.window ?? 12;
    if (!Number.isInteger(window) || window < 1 || window > 60) throw new UserError(`--window must be a whole number of months from 1 to 60, got ${window}`);
    const [{ last }] = await queryRows<{ last: string | null }>(conn, `SELECT max(period) AS last FROM int_worker_month`);
    if (!last) {
      // the workforce census or Annex A alone: nothing for the monthly audit, which is empty (the
      // census and Annex A part runs after it)
      const [{ c }] = await queryRows<{ c: bigint }>(conn, `SELECT (SELECT count(*) FROM census_worker) + (SELECT count(*) FROM annex_a_allocation) AS c`);
      if (Number(c) === 0) throw new UserError("Nothing to audit: the workspace has no returns yet. Load some with: fairload ingest PATH");
      const tables = { fairness_results: [], fairness_monthly: [], fairness_representation: [], fairness_data_quality: [], fairness_adjustment: [] };
      const none: AuditRun = { as_of: "", window_start: "", window_end: "", tests: 0, seconds: (performance.now() - t0) / 1000, results: [], representation: [], data_quality: [], findings: [] };
      return { tables, extra: none };
    }
    const asOf = opts.asOf ?? last;
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(asOf)) throw new UserError(`--as-of must be a month as YYYY-MM, got ${asOf}`);
    if (asOf > last) throw new UserError(`--as-of ${asOf} is after the latest month on record (${last})`);
    const start = periodOf(monthIndex(asOf) - window + 1);
    // the tests run on every core (pipelines/audit-pool.ts): the threads load while the rows are read
    const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM int_worker_month WHERE period BETWEEN ${quoteLit(start)} AND ${quoteLit(asOf)}`);
    const pool = new AuditPool(auditThreads(Number(n)));
    try {
      const rows = await readRows(conn, start, asOf);
      if (rows.length === 0) throw new UserError(`No worker returns between ${start} and ${asOf}.`);
      return await auditRun(conn, config, opts, { t0, window, asOf, start, rows, pool });
    } finally {
      await pool.close();
    }
  },
};

/** The audit of the window's worker-months (auditStep.compute, once they are read). */
async function auditRun(
  conn: DuckDBConnection,
  config: Config,
  opts: AuditOptions,
  { t0, window, asOf, start, rows, pool }: { t0: number; window: number; asOf: string; start: string; rows: Row[]; pool: AuditPool },
): Promise<{ tables: Record<string, readonly object[]>; extra: AuditRun }> {
  const reference = config.reference_group;
  const comparisons = comparisonsFor(reference, rows, config.roles).filter((c) => !opts.comparisons || opts.comparisons.includes(c.kind));
  const scopes = scopesFor(rows, config.employer).filter((s) => !opts.scopes || opts.scopes.includes(s.level));
  const measures = opts.measures ?? [...FAIRNESS_MEASURES];
  const seed = opts.seed ?? 20261122;
  const resamples = opts.resamples ?? 10_000;

  // the worker-month measures once; each comparison relabels the groups
  const base = rows.map((r) => ({ row: r, mv: measureValues({
    cases: r.cases, case_points: r.case_points, non_case_points: r.non_case_points, complex_cases: r.high_complexity_cases,
    known_complexity_cases: r.cases_with_complexity, new_cases: r.new_cases, new_case_points: r.new_case_points,
    new_complex_cases: r.new_high_complexity_cases, new_known_complexity_cases: r.new_cases_with_complexity, supervision_planned: r.supervision_planned, supervision_held: r.supervision_held,
    review_requested: r.review_requested, fte: r.fte,
  }) }));

  // every worker-month encoded once (stats/fairness/encode.ts); each scope and comparison is a
  // subset of its rows, in their order, with the comparison's groups
  const baseObs: WorkerMonthObs[] = base.map((b) => ({ ...obsOf(b.row), group: "", values: b.mv.values, num: b.mv.num, den: b.mv.den }));
  // experience, allowed for by standardisation within service and role (stats/fairness/experience.ts),
  // from every worker of the window whatever their group
  const all = EncodedObs.of(baseObs);
  const expFactors = experienceFactors(all, measures);
  pool.start({ obs: baseObs, experienceFactors: expFactors }, all);
  const scopeRows = new Map<Scope, Int32Array>();
  const rowsOf = (scope: Scope) => {
    let idx = scopeRows.get(scope);
    if (!idx) {
      const list: number[] = [];
      base.forEach((b, i) => {
        if ((scope.service === null || b.row.service === scope.service) && (scope.team === null || b.row.team === scope.team)) list.push(i);
      });
      scopeRows.set(scope, (idx = Int32Array.from(list)));
    }
    return idx;
  };
  const plan: { scope: Scope; comparison: Comparison; measure: FairnessMeasure; obs: EncodedObs; subset: number }[] = [];
  for (const scope of scopes) {
    const inScope = rowsOf(scope);
    for (const comparison of comparisons) {
      if (!comparison.scopes.includes(scope.level)) continue;
      const rowList: number[] = [];
      const groups: string[] = [];
      for (const i of inScope) {
        const group = comparison.groupOf(base[i]!.row);
        if (group === null) continue;
        rowList.push(i);
        groups.push(group);
      }
      if (!groups.includes(comparison.group)) continue; // nobody of the group here: nothing to test
      const subset = pool.subset(Int32Array.from(rowList), groups);
      const obs = pool.observations(subset);
      for (const measure of measures) plan.push({ scope, comparison, measure, obs, subset });
    }
  }
  const plan2 = analysisPlan(config);
  const eligibleOf = (r: FairnessResult) => r.p_value !== null && r.n_workers_group_compared >= DEFAULT_RULE.min_workers && r.n_workers_reference_compared >= DEFAULT_RULE.min_workers;
  const adjust = opts.adjust ?? plan2.adjust;
  const minWorkers = DEFAULT_RULE.min_workers;
  const optionsFor = (p: (typeof plan)[number]) => ({
    group: p.comparison.group,
    reference: p.comparison.reference,
    measure: p.measure,
    windowMonths: window,
    asOf,
    seed,
    resamples,
    alpha: plan2.alpha,
    minGroupSize: config.min_group_size,
    adjust,
    experienceFactors: expFactors,
    scope: p.scope.label,
    service: p.scope.service,
    team: p.scope.team,
    labels: p.comparison.subgroup ? { group: `${groupWord(p.comparison.group)} (${p.comparison.subgroup})`, reference: `${groupWord(p.comparison.reference)} (${p.comparison.subgroup})` } : undefined,
  });
  // Settled Monte Carlo (pipelines/stats/fairness/montecarlo.ts): each test resamples until its
  // p-value is on a known side of every Benjamini-Hochberg threshold of its family
  // (alpha k / m) and its interval's ends on a known side of 0.80, 1 and 1.25, or its budget
  // runs out, with a resampling risk of at most MC_RISK per interval; the verdict then uses the
  // decisions on its path (verdict.ts) and the family's q settled over every interval (family.ts). A secondary verdict does not depend on q (it is at
  // most "watch", decided by the interval), so its p needs no threshold. The families are run
  // in stages so that each one's size is known before it resamples.
  const mcFor = (familySize: number) => ({
    pThresholds: Array.from({ length: familySize }, (_, k) => (plan2.alpha * (k + 1)) / familySize),
    ciThresholds: [1 / DEFAULT_RULE.equivalence_margin, 1, DEFAULT_RULE.equivalence_margin],
    risk: MC_RISK,
    maxPermutations: Math.max(resamples, 20_000),
    maxResamples: resamples,
  });
  // (known before resampling: enough compared workers on each side. A test whose ratio then turns
  // out undefined has no p-value and leaves its family one smaller than the thresholds assumed;
  // rare, and it only loosens the settledness guarantee for that family.)
  const canSpeak = (p: (typeof plan)[number]) => {
    const n = comparedWorkers(p.obs, optionsFor(p));
    return n.group >= minWorkers && n.reference >= minWorkers;
  };
  const results: (FairnessResult | undefined)[] = plan.map(() => undefined);
  let done = 0;
  const progress = () => {
    if (++done % 25 === 0) opts.onProgress?.(done, plan.length);
  };
  // the tests of a stage, on every core; familySize null: secondary
  const runTests = async (idx: readonly number[], familySize: (i: number) => number | null) => {
    const tasks = idx.map((i) => {
      const p = plan[i]!;
      const m = familySize(i);
      // the detectable ratio at the level a verdict needs: alpha / m in a primary family of m
      // (Benjamini-Hochberg's threshold when this is the only difference), alpha for a secondary test
      const mdeAlpha = m ? plan2.alpha / m : plan2.alpha;
      const { experienceFactors: _f, ...options } = optionsFor(p);
      return { subset: p.subset, options: { ...options, mdeAlpha, mc: m === null ? { ...mcFor(0), pThresholds: [] } : mcFor(m) }, cost: p.obs.n };
    });
    const out = await pool.run(tasks, progress);
    idx.forEach((i, k) => (results[i] = out[k]));
  };
  const isPrimaryQuestion = (p: (typeof plan)[number]) => p.comparison.kind === "primary" && plan2.primaryMeasures.includes(p.measure);
  // stage 1: the employer and the services
  const stage1 = plan.map((p, i) => (isPrimaryQuestion(p) && p.scope.level !== "team" ? i : -1)).filter((i) => i >= 0);
  const m1 = stage1.filter((i) => canSpeak(plan[i]!)).length;
  await runTests(stage1, () => m1);
  const stage1Placed = placeInFamilies(stage1.map((i) => ({ scope: plan[i]!.scope.level, service: plan[i]!.scope.service, comparison: plan[i]!.comparison.kind, result: results[i]!, eligible: eligibleOf(results[i]!) })), plan2);
  const flagged = new Set(stage1Placed.flatMap((pl, k) => {
    const p = plan[stage1[k]!]!;
    const r = pl.result;
    // flagged: a settled significant difference (the verdict says adverse or favourable)
    return p.scope.level === "service" && (r.verdict === "adverse disparity" || r.verdict === "favourable disparity") ? [JSON.stringify([p.scope.service, p.measure])] : [];
  }));
  // stage 2: the teams of each service and measure found to differ; every other test is secondary
  const teamFamilies = new Map<string, number[]>();
  plan.forEach((p, i) => {
    if (!isPrimaryQuestion(p) || p.scope.level !== "team") return;
    const k = JSON.stringify([p.scope.service, p.measure]);
    if (flagged.has(k)) teamFamilies.set(k, [...(teamFamilies.get(k) ?? []), i]);
  });
  const stage2Size = new Map<number, number>();
  for (const idx of teamFamilies.values()) {
    const m2 = idx.filter((i) => canSpeak(plan[i]!)).length;
    for (const i of idx) stage2Size.set(i, m2);
  }
  await runTests([...stage2Size.keys()], (i) => stage2Size.get(i)!);
  await runTests(plan.map((_, i) => i).filter((i) => results[i] === undefined), () => null);
  const raw = plan.map((p, i) => ({ r: results[i]!, p }));

  // The declared analysis plan: each test's family, Benjamini-Hochberg within each family, and
  // the verdicts (pipelines/stats/fairness/family.ts). A test with fewer than the rule's
  // minimum compared workers on either side cannot reach a verdict whatever its p-value, so it
  // is left out of its family's correction (independent filtering) and keeps a null q-value.
  const placed = placeInFamilies(raw.map((x) => ({ scope: x.p.scope.level, service: x.p.scope.service, comparison: x.p.comparison.kind, result: x.r, eligible: eligibleOf(x.r) })), plan2);
  const records: AuditRecord[] = placed.map((pl, i) => {
    const p = raw[i]!.p;
    const { rule: _rule, adjusted_for, ...rest } = pl.result;
    return {
      ...rest,
      result_id: i + 1,
      scope: p.scope.level,
      scope_label: p.scope.label,
      comparison: p.comparison.kind,
      subgroup: p.comparison.subgroup,
      adjusted_for: adjusted_for.join(", "),
      n_workers_group_without_comparator: pl.result.n_workers_group - pl.result.n_workers_group_compared,
      n_workers_reference_without_comparator: pl.result.n_workers_reference - pl.result.n_workers_reference_compared,
      family: pl.family,
      family_id: pl.family_id,
      family_size: pl.family_size,
      driven_by_team: null,
      driven_by_service: null,
      ratio_without_driving_team: null,
      sensitivity_as_group: null,
      sensitivity_as_reference: null,
      verdict_changes_if_not_known: null,
    };
  });

  // separation: workers not compared, and a gap that lies between teams rather than within them
  // (no counts in the sentences: they are published wherever the row is)
  for (const rec of records) {
    if (rec.ratio_adjusted === null) continue;
    const share = (without: number, all: number) => (all > 0 ? without / all : 0);
    if (share(rec.n_workers_group_without_comparator, rec.n_workers_group) >= 0.2 || share(rec.n_workers_reference_without_comparator, rec.n_workers_reference) >= 0.2) {
      rec.sentence += ` A fifth or more of one group worked where nobody of the other did the same role in the same team${FAIRNESS_MEASURE_DEFS[rec.measure].strata === "window" ? "" : " and month"}, so they were not compared: the groups are partly separated.`;
    }
    const u = rec.ratio_unadjusted;
    if (rec.scope !== "team" && u !== null && u > 0 && Math.abs(Math.log(u)) > Math.abs(Math.log(rec.ratio_adjusted)) + Math.log(1.1)) {
      rec.sentence += ` Without comparing like with like the ratio is ${u.toFixed(2)}: much of that difference is where ${rec.group_label} work and who they are (the teams and roles they are in${adjust.includes("experience") ? ", and their experience" : ""}), not how work is shared within teams. That is a placement difference, not an allocation disparity, but it is worth a director's attention.`;
    }
  }

  // a service- or employer-level difference in the primary family: how much of it does one team drive?
  records.forEach((rec, i) => {
    if (rec.family !== "primary" || rec.scope === "team" || rec.ratio_adjusted === null || !["adverse disparity", "favourable disparity", "possible disparity: watch"].includes(rec.verdict)) return;
    const p = raw[i]!.p;
    const driver = drivingTeam(rec.ratio_adjusted, leaveOneTeamOut(p.obs, { group: p.comparison.group, reference: p.comparison.reference, measure: p.measure, windowMonths: window, asOf, adjust, experienceFactors: expFactors }));
    if (driver) {
      rec.driven_by_team = driver.team;
      rec.driven_by_service = driver.service;
      rec.ratio_without_driving_team = driver.ratio_without;
      // (pub_fairness_results removes this sentence where the team's own row is withheld)
      rec.sentence += ` Without ${driver.team} the ratio is ${driver.ratio_without!.toFixed(2)}: that team drives most of it.`;
    }
  });

  // like with like, and how much each characteristic matters: every primary-question row again
  // with each characteristic released or added (deterministic ratios, fairness_adjustment)
  const adjustment: (AdjustmentVariant & { result_id: number })[] = [];
  records.forEach((rec, i) => {
    const p = raw[i]!.p;
    if (!isPrimaryQuestion(p)) return;
    const variants: { variant: string; adjust: AdjustKey[] }[] = [{ variant: "as reported", adjust }];
    const named: [AdjustKey, string][] = [["experience", "experience band"], ["employment", "employment type"], ["fte_band", "working pattern"]];
    for (const [key, words] of named) {
      if (adjust.includes(key)) variants.push({ variant: `without ${words}`, adjust: adjust.filter((k) => k !== key) });
      else variants.push({ variant: `also ${words}`, adjust: [...adjust, key] });
    }
    const all = [...new Set<AdjustKey>([...adjust, "experience", "employment", "fte_band"])];
    if (all.length > adjust.length + 1) variants.push({ variant: "also every one of these", adjust: all });
    for (const v of adjustmentSensitivity(p.obs, { group: p.comparison.group, reference: p.comparison.reference, measure: p.measure, windowMonths: window, asOf, alpha: plan2.alpha, experienceFactors: expFactors }, variants)) {
      adjustment.push({ ...v, result_id: rec.result_id });
    }
  });

  // Not known: for every row of the primary family, the two re-runs (every Not known worker in
  // the group, then in the reference) judged in the same family on the same rule
  if (opts.sensitivity !== false) {
    const familyIdx = new Map<string, number[]>();
    records.forEach((r, i) => {
      if (r.family === "primary" && eligibleOf(placed[i]!.result)) familyIdx.set(r.family_id, [...(familyIdx.get(r.family_id) ?? []), i]);
    });
    // the re-runs, as tests on every core: the scope's worker-months with every Not known worker
    // in the group, then in the reference (stats/fairness/sensitivity.ts, with the same settled
    // Monte Carlo and detectable-ratio level as the base test of this family)
    const reruns: { i: number; asGroup: number; asReference: number }[] = [];
    const tasks: (AuditTask & { cost: number })[] = [];
    records.forEach((rec, i) => {
      const p = raw[i]!.p;
      if (rec.family !== "primary") return;
      const inScope = rowsOf(p.scope);
      const groups = Array.from(inScope, (k) => (base[k]!.row.reporting_group === "Not known" ? "Not known" : (p.comparison.groupOf(base[k]!.row) ?? "other")));
      if (!groups.includes("Not known")) {
        rec.sensitivity_as_group = rec.verdict;
        rec.sensitivity_as_reference = rec.verdict;
        rec.verdict_changes_if_not_known = false;
        return;
      }
      const options = { group: p.comparison.group, reference: p.comparison.reference, measure: rec.measure, windowMonths: window, asOf, seed, resamples, minGroupSize: config.min_group_size, service: p.scope.service, team: p.scope.team, scope: p.scope.label, adjust, alpha: plan2.alpha, mdeAlpha: plan2.alpha / Math.max(1, rec.family_size), mc: mcFor(Math.max(1, rec.family_size)) };
      const as = (to: string) => {
        // (a worker-month of neither group is left out of any comparison, so the subset omits it)
        const keep = groups.flatMap((g, k) => (g === "other" ? [] : [k]));
        const subset = pool.subset(Int32Array.from(keep, (k) => inScope[k]!), keep.map((k) => (groups[k] === "Not known" ? to : groups[k]!)));
        tasks.push({ subset, options, cost: keep.length });
        return tasks.length - 1;
      };
      reruns.push({ i, asGroup: as(p.comparison.group), asReference: as(p.comparison.reference) });
    });
    const rerun = await pool.run(tasks);
    for (const { i, asGroup, asReference } of reruns) {
      const rec = records[i]!;
      const members = familyIdx.get(rec.family_id) ?? [];
      const pos = members.indexOf(i);
      const verdictOf = (r: FairnessResult) => {
        const eligible = eligibleOf(r);
        const q = eligible && pos >= 0 ? qInFamily(members.map((j) => records[j]!.p_value), pos, r.p_value) : eligible ? r.p_value : null;
        const mcOf = (x: { p_settled: boolean | null; p_mc_low: number | null; p_mc_high: number | null }, end: "p_mc_low" | "p_mc_high") => (x.p_settled === null ? null : x[end]);
        const qSettled = eligible && pos >= 0
          ? qSettledInFamily(members.map((j) => mcOf(records[j]!, "p_mc_low")), members.map((j) => mcOf(records[j]!, "p_mc_high")), pos, mcOf(r, "p_mc_low"), mcOf(r, "p_mc_high"), plan2.alpha)
          : null;
        return settle({ ...r, q_value: q, q_settled: qSettled }, "primary").verdict;
      };
      rec.sensitivity_as_group = verdictOf(rerun[asGroup]!);
      rec.sensitivity_as_reference = verdictOf(rerun[asReference]!);
      rec.verdict_changes_if_not_known = rec.sensitivity_as_group !== rec.verdict || rec.sensitivity_as_reference !== rec.verdict;
    }
  }

  const representation = await representationRows(conn, rows, asOf, scopes, reference, config.min_group_size);
  const dataQuality = dataQualityRows(rows, scopes, records, config.min_group_size);
  const tables = {
    fairness_results: records.map(recordRow),
    fairness_monthly: records.flatMap((r) => r.monthly_ratios.map((ratio, k) => ({ result_id: r.result_id, period: periodOf(monthIndex(r.window_start) + k), ratio, workers_group_compared: r.monthly_workers_group[k], workers_reference_compared: r.monthly_workers_reference[k] }))),
    fairness_representation: representation,
    fairness_data_quality: dataQuality,
    fairness_adjustment: adjustment.map((a) => ({ ...a, adjusted_for: a.adjusted_for.join(", ") })),
  };
  const run: AuditRun = { as_of: asOf, window_start: start, window_end: asOf, tests: records.length, seconds: (performance.now() - t0) / 1000, results: records, representation, data_quality: dataQuality, findings: groupFindings(records) };
  return { tables, extra: run };
}

/** The declared analysis plan of the config, its measures checked against the audit's. */
export function analysisPlan(config: Config): { primaryMeasures: FairnessMeasure[]; alpha: number; adjust: AdjustKey[] } {
  const known = new Set<string>(FAIRNESS_MEASURES);
  const bad = config.analysis_plan.primary_measures.filter((m) => !known.has(m));
  if (bad.length) throw new UserError(`fairload.json analysis_plan.primary_measures: ${bad.join(", ")} is not an audit measure; expected some of ${[...known].join(", ")}`);
  const adjust = [...(config.analysis_plan.adjust ?? DEFAULT_ANALYSIS_PLAN.adjust)] as AdjustKey[];
  if (!adjust.includes("service")) adjust.unshift("service");
  return { primaryMeasures: config.analysis_plan.primary_measures as FairnessMeasure[], alpha: config.analysis_plan.alpha, adjust };
}

/** The characteristics of a worker-month a comparison can hold fixed. */
function obsOf(r: Row): Omit<WorkerMonthObs, "group" | "values" | "num" | "den"> {
  return { worker_id: r.worker_id, period: r.period, service: r.service, team: r.team, role: r.role, fte: r.fte, fte_band: r.fte_band, experience_band: r.experience_band, employment: r.employment ?? "not recorded" };
}

function groupWord(g: string): string {
  return g === "Ethnic minorities" ? "ethnic-minority workers" : g === "White British" ? "White British workers" : g;
}

async function readRows(conn: DuckDBConnection, start: string, end: string): Promise<Row[]> {
  const rows = await queryRows<Row>(
    conn,
    `SELECT period, worker_id, service, team, role, fte, fte_band, experience_band, employment, cases, case_points, non_case_points, high_complexity_cases, cases_with_complexity,
            new_cases, new_case_points, new_high_complexity_cases, new_cases_with_complexity,
            supervision_planned, supervision_held, review_requested, reporting_group, ons_group, gender, is_senior
     FROM int_worker_month WHERE period BETWEEN ${quoteLit(start)} AND ${quoteLit(end)} ORDER BY period, worker_id`,
  );
  return rows.map((r) => ({
    ...r,
    fte: Number(r.fte),
    cases: Number(r.cases),
    case_points: Number(r.case_points),
    non_case_points: r.non_case_points === null ? null : Number(r.non_case_points),
    high_complexity_cases: Number(r.high_complexity_cases),
    cases_with_complexity: Number(r.cases_with_complexity),
    new_cases: Number(r.new_cases),
    new_case_points: Number(r.new_case_points),
    new_high_complexity_cases: Number(r.new_high_complexity_cases),
    new_cases_with_complexity: Number(r.new_cases_with_complexity),
    supervision_planned: r.supervision_planned === null ? null : Number(r.supervision_planned),
    supervision_held: r.supervision_held === null ? null : Number(r.supervision_held),
  }));
}

/** The reference is a reporting group (default White British) or an ONS broad group. */
function inReference(r: Row, reference: string): boolean {
  return r.reporting_group === reference || r.ons_group === reference;
}

export function comparisonsFor(reference: string, rows: Row[], roles: readonly string[]): Comparison[] {
  const ref = (r: Row) => inReference(r, reference);
  const byReporting = (group: string) => (r: Row) => (ref(r) ? reference : r.reporting_group === group ? group : null);
  const list: Comparison[] = [
    { kind: "primary", group: "Ethnic minorities", reference, subgroup: null, scopes: ["employer", "service", "team"], groupOf: byReporting("Ethnic minorities") },
    { kind: "white_minorities", group: "White minorities", reference, subgroup: null, scopes: ["employer", "service", "team"], groupOf: byReporting("White minorities") },
    { kind: "not_known", group: "Not known", reference, subgroup: null, scopes: ["employer", "service", "team"], groupOf: byReporting("Not known") },
  ];
  for (const g of MINORITY_ONS_GROUPS) {
    list.push({ kind: "ons_group", group: g, reference, subgroup: null, scopes: ["employer", "service"], groupOf: (r) => (ref(r) ? reference : r.ons_group === g ? g : null) });
  }
  const genders = [...new Set(rows.map((r) => r.gender).filter((g): g is string => g === "Female" || g === "Male"))].sort();
  for (const gender of genders) {
    list.push({ kind: "gender", group: "Ethnic minorities", reference, subgroup: gender, scopes: ["employer", "service"], groupOf: (r) => (r.gender !== gender ? null : byReporting("Ethnic minorities")(r)) });
  }
  for (const role of roles) {
    if (!rows.some((r) => r.role === role)) continue;
    list.push({ kind: "role", group: "Ethnic minorities", reference, subgroup: role, scopes: ["employer", "service"], groupOf: (r) => (r.role !== role ? null : byReporting("Ethnic minorities")(r)) });
  }
  return list;
}

function scopesFor(rows: Row[], employer: string): Scope[] {
  const services = [...new Set(rows.map((r) => r.service))].sort();
  const teams = [...new Map(rows.map((r) => [`${r.service}\u0000${r.team}`, { service: r.service, team: r.team }])).values()].sort((a, b) => a.service.localeCompare(b.service) || a.team.localeCompare(b.team));
  return [
    { level: "employer", service: null, team: null, label: employer },
    ...services.map((s) => ({ level: "service" as const, service: s, team: null, label: s })),
    ...teams.map((t) => ({ level: "team" as const, service: t.service, team: t.team, label: `${t.team} (${t.service})` })),
  ];
}


function recordRow(r: AuditRecord): Record<string, unknown> {
  const { monthly_ratios: _m, monthly_workers_group: _g, monthly_workers_reference: _r, ...rest } = r;
  return rest;
}

export interface RepresentationRow {
  scope: ScopeLevel;
  service: string | null;
  period: string;
  group: string;
  reference_group: string;
  group_senior: number | null;
  group_total: number | null;
  reference_senior: number | null;
  reference_total: number | null;
  relative_likelihood: number | null;
  ci_low: number | null;
  ci_high: number | null;
  within_conventional_band: boolean | null;
  national_year: number | null;
  national_relative_likelihood: number | null;
  national_note: string | null;
}

/**
 * Relative likelihood of holding a senior role (the configured senior roles) in the latest
 * month, as the workforce race equality standards compute it: (group senior / group) /
 * (reference senior / reference), with a Katz 95% interval; 0.80 to 1.25 is the conventional
 * non-adverse band. ONS broad groups are also set against all White workers, which is how the
 * DfE national figures are defined, with England's figure for the nearest September.
 */
async function representationRows(conn: DuckDBConnection, rows: Row[], asOf: string, scopes: Scope[], reference: string, min: number): Promise<RepresentationRow[]> {
  const latest = rows.filter((r) => r.period === asOf);
  const year = latestCensusYear(asOf);
  let national = new Map<string, { rl: number | null; year: number }>();
  let nationalNote: string | null = null;
  const [{ loaded }] = await queryRows<{ loaded: bigint }>(conn, `SELECT count(*) AS loaded FROM duckdb_tables() WHERE table_name = 'dfe_role_ethnicity'`);
  if (Number(loaded) === 0) nationalNote = "national figures unavailable: the DfE tables are not loaded (fairload run loads them)";
  else try {
    const years = await queryRows<{ y: number }>(conn, `SELECT max(time_period) AS y FROM dfe_role_ethnicity WHERE time_period <= ${year}`);
    const useYear = years[0]?.y ?? null;
    if (useYear !== null) {
      const recs = await representationBySeniority(conn, { area: "England", year: Number(useYear) });
      national = new Map(recs.map((r) => [r.group, { rl: r.relativeLikelihoodSenior, year: r.year }]));
      if (Number(useYear) !== year) nationalNote = `national figures for ${useYear}, the latest before ${asOf}`;
    }
  } catch (e) {
    nationalNote = `national figures unavailable: ${(e as Error).message.split("\n")[0]}`;
  }
  const out: RepresentationRow[] = [];
  for (const scope of scopes.filter((s) => s.level !== "team")) {
    const inScope = latest.filter((r) => scope.service === null || r.service === scope.service);
    const count = (pred: (r: Row) => boolean) => {
      const ws = inScope.filter(pred);
      return { total: ws.length, senior: ws.filter((r) => r.is_senior).length };
    };
    const pairs: { group: string; ref: string; g: (r: Row) => boolean; rf: (r: Row) => boolean; national?: string }[] = [
      { group: "Ethnic minorities", ref: reference, g: (r) => r.reporting_group === "Ethnic minorities", rf: (r) => inReference(r, reference) },
      { group: "White minorities", ref: reference, g: (r) => r.reporting_group === "White minorities", rf: (r) => inReference(r, reference) },
      { group: "Not known", ref: reference, g: (r) => r.reporting_group === "Not known", rf: (r) => inReference(r, reference) },
      ...MINORITY_ONS_GROUPS.map((og) => ({ group: og, ref: "White", g: (r: Row) => r.ons_group === og, rf: (r: Row) => r.ons_group === "White", national: DFE_GROUP[og] })),
    ];
    for (const p of pairs) {
      const a = count(p.g);
      const b = count(p.rf);
      let rl: ReturnType<typeof relativeLikelihood> | null = null;
      if (a.total > 0 && b.total > 0 && b.senior > 0) rl = relativeLikelihood(a.senior, a.total, b.senior, b.total);
      const nat = p.national ? national.get(p.national) : undefined;
      out.push({
        scope: scope.level, service: scope.service, period: asOf, group: p.group, reference_group: p.ref,
        group_senior: a.senior, group_total: a.total, reference_senior: b.senior, reference_total: b.total,
        relative_likelihood: rl?.ratio ?? null, ci_low: rl?.ci_low ?? null, ci_high: rl?.ci_high ?? null, within_conventional_band: rl ? rl.within_band : null,
        national_year: nat?.year ?? null, national_relative_likelihood: nat?.rl ?? null, national_note: p.national ? nationalNote : null,
      });
    }
  }
  return out;
}

export interface DataQualityRow {
  scope: ScopeLevel;
  service: string | null;
  team: string | null;
  workers: number;
  not_known: number;
  share_not_known: number | null;
  primary_verdicts: number;
  verdicts_sensitive_to_not_known: number;
}

/** Ethnicity data quality per scope: how many workers in the window have no known ethnicity. */
function dataQualityRows(rows: Row[], scopes: Scope[], records: AuditRecord[], min: number): DataQualityRow[] {
  return scopes.map((s) => {
    const workers = new Map<string, string>();
    for (const r of rows) if ((s.service === null || r.service === s.service) && (s.team === null || r.team === s.team)) workers.set(r.worker_id, r.reporting_group);
    const nk = [...workers.values()].filter((g) => g === "Not known").length;
    const mine = records.filter((r) => r.comparison === "primary" && r.scope === s.level && r.service === s.service && r.team === s.team && r.verdict_changes_if_not_known !== null);
    return {
      scope: s.level, service: s.service, team: s.team, workers: workers.size, not_known: nk,
      share_not_known: workers.size ? nk / workers.size : null,
      primary_verdicts: mine.length, verdicts_sensitive_to_not_known: mine.filter((r) => r.verdict_changes_if_not_known).length,
    };
  });
}

