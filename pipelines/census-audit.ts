/**
 * The census and Annex A part of `fairload audit` (docs/census-and-annex-a.md, "Analysis"): the
 * fairness audit's method (pipelines/stats/fairness.ts) on what the two returns give.
 *
 * - **Caseload per FTE at 30 September**, each census year: one observation per case holder,
 *   Cases30 over FTE30 (a ratio of sums), compared within role (the census has no team).
 * - **Working days lost per FTE**, each census year: the authority's own workers in post,
 *   WorkingDaysLost over FTE, within role.
 * - **Allocation complexity** from Annex A (this is allocation, the decision itself): one
 *   observation per allocation, its complexity score (int_annex_a_allocation) over one child,
 *   compared within list, team and role (a list's score is only compared with the same list's),
 *   by the allocated worker's group through the worker key map, for the whole authority and each
 *   team. Unmapped workers have no group and are left out.
 *
 * Each test is the audit's: the Mantel-Haenszel adjusted ratio, a worker-level bootstrap interval,
 * a studentised permutation p-value with labels shuffled among workers of the same team and role,
 * the detectable ratio, settled Monte Carlo (risk 1e-4 per test, interval ends against 0.80, 1 and
 * 1.25, p-values against every Benjamini-Hochberg threshold of a primary family) and the audit's
 * verdict rule. They are their own source, so they have their own declared family, "census and
 * Annex A", corrected on its own and apart from the monthly returns' audit:
 *
 * - primary: the Annex A allocation complexity of ethnic-minority workers against the reference
 *   group, for the whole authority (a family of one); when that differs (a settled adverse or
 *   favourable verdict), the same question in each team, Benjamini-Hochberg over the teams (the
 *   gatekeeping of the main audit's plan);
 * - secondary: everything else (caseload and sickness each census year, other groups, teams when
 *   the authority does not differ), Benjamini-Hochberg over them; at most "possible disparity: watch".
 *
 * Results go to `census_fairness_results` (internal; what may be published is
 * pub_census_fairness_results).
 */
import { ensureSchema, type ColumnTypes, inTransaction, openDb, queryRows } from "../core/db.ts";
import type { Workspace } from "../core/workspace.ts";
import { ensureModels } from "./build.ts";
import { registry } from "./project.ts";
import { downstreamOf, type ComputeStep } from "./registry.ts";
import { recordRuns, runModels } from "./run.ts";
import {
  type AdjustKey,
  auditComparison,
  bhAdjust,
  comparedWorkers,
  DEFAULT_RULE,
  type FairnessMeasure,
  type FairnessResult,
  familySettled,
  settle,
  type TestFamily,
  type WorkerMonthObs,
} from "./stats/fairness.ts";

/** As pipelines/audit.ts: the chance per test that a settled Monte Carlo decision differs from infinite resampling. */
export const CENSUS_MC_RISK = 1e-4;

/** The questions, and the audit measure whose statistics (ratio of sums, adverse when higher) each uses. */
export const CENSUS_QUESTIONS = {
  caseload_per_fte: { source: "census", measure: "caseload_per_fte" as FairnessMeasure, adjust: ["service", "role"] as AdjustKey[], adjustedFor: "role" },
  days_lost_per_fte: { source: "census", measure: "points_per_fte" as FairnessMeasure, adjust: ["service", "role"] as AdjustKey[], adjustedFor: "role" },
  allocation_complexity: { source: "annex_a", measure: "points_per_case" as FairnessMeasure, adjust: ["service", "team", "role"] as AdjustKey[], adjustedFor: "list, team, role" },
} as const;
export type CensusQuestion = keyof typeof CENSUS_QUESTIONS;

export const CENSUS_FAMILY = "census and Annex A";
export const FAMILY_PRIMARY_AUTHORITY = `${CENSUS_FAMILY}: primary (Annex A allocation complexity, whole authority)`;
export const FAMILY_PRIMARY_TEAMS = `${CENSUS_FAMILY}: primary (Annex A allocation complexity, teams)`;
export const FAMILY_SECONDARY = `${CENSUS_FAMILY}: secondary`;

export interface CensusAuditOptions {
  seed?: number;
  /** Most bootstrap resamples per test (10,000; permutations up to twice that). */
  resamples?: number;
}

type ComparisonKind = "primary" | "white_minorities" | "not_known" | "ons_group";

/** One row of census_fairness_results. */
export interface CensusAuditRecord {
  result_id: number;
  source: "census" | "annex_a";
  question: CensusQuestion;
  measure: CensusQuestion;
  census_year: number | null;
  period: string;
  scope: "employer" | "team";
  scope_label: string;
  service: null;
  team: string | null;
  comparison: ComparisonKind;
  subgroup: null;
  group: string;
  reference_group: string;
  group_label: string;
  reference_label: string;
  adjusted_for: string;
  n_workers_group: number;
  n_workers_reference: number;
  n_workers_group_compared: number;
  n_workers_reference_compared: number;
  n_observations_group: number;
  n_observations_reference: number;
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
  below_min_group_size: boolean;
  sentence: string;
  resamples_used: number;
  permutations_used: number;
  alpha: number;
  min_group_size: number;
}

export interface CensusAuditRun {
  tests: number;
  seconds: number;
  census_years: number[];
  annex_month: string | null;
  results: CensusAuditRecord[];
}

export const CENSUS_RESULT_COLUMNS: ColumnTypes = {
  result_id: "BIGINT", source: "VARCHAR", question: "VARCHAR", measure: "VARCHAR", census_year: "INTEGER", period: "VARCHAR", scope: "VARCHAR", scope_label: "VARCHAR",
  service: "VARCHAR", team: "VARCHAR", comparison: "VARCHAR", subgroup: "VARCHAR", group: "VARCHAR", reference_group: "VARCHAR", group_label: "VARCHAR", reference_label: "VARCHAR",
  adjusted_for: "VARCHAR", n_workers_group: "BIGINT", n_workers_reference: "BIGINT", n_workers_group_compared: "BIGINT", n_workers_reference_compared: "BIGINT",
  n_observations_group: "BIGINT", n_observations_reference: "BIGINT", ratio_unadjusted: "DOUBLE", ratio_adjusted: "DOUBLE", ci_low: "DOUBLE", ci_high: "DOUBLE",
  se_log_ratio: "DOUBLE", df: "DOUBLE", p_value: "DOUBLE", q_value: "DOUBLE", mde_ratio: "DOUBLE", p_mc_low: "DOUBLE", p_mc_high: "DOUBLE", p_below: "DOUBLE",
  p_settled: "BOOLEAN", ci_settled: "BOOLEAN", mc_settled: "BOOLEAN", verdict: "VARCHAR", verdict_reason: "VARCHAR", family: "VARCHAR", family_id: "VARCHAR",
  family_size: "BIGINT", below_min_group_size: "BOOLEAN", sentence: "VARCHAR", resamples_used: "BIGINT", permutations_used: "BIGINT", alpha: "DOUBLE", min_group_size: "BIGINT",
};

interface Person {
  reporting_group: string;
  ons_group: string;
}

interface Comparison {
  kind: ComparisonKind;
  group: string;
  teams: boolean;
  groupOf: (p: Person) => string | null;
}

const MINORITY_ONS_GROUPS = ["Mixed or Multiple", "Asian or Asian British", "Black, Black British, Caribbean or African", "Other ethnic group"];

function comparisons(reference: string): Comparison[] {
  const isRef = (p: Person) => p.reporting_group === reference || p.ons_group === reference;
  const byReporting = (g: string) => (p: Person) => (isRef(p) ? reference : p.reporting_group === g ? g : null);
  const list: Comparison[] = [
    { kind: "primary", group: "Ethnic minorities", teams: true, groupOf: byReporting("Ethnic minorities") },
    { kind: "white_minorities", group: "White minorities", teams: true, groupOf: byReporting("White minorities") },
    { kind: "not_known", group: "Not known", teams: true, groupOf: byReporting("Not known") },
    ...MINORITY_ONS_GROUPS.map((g) => ({ kind: "ons_group" as const, group: g, teams: false, groupOf: (p: Person) => (isRef(p) ? reference : p.ons_group === g ? g : null) })),
  ];
  return list.filter((c) => c.group !== reference);
}

interface CensusRow extends Person {
  census_year: number;
  reference_month: string;
  la_code: string;
  worker_id: string;
  role: string;
  in_post: boolean;
  agency: boolean;
  case_holder: boolean;
  cases30: number | null;
  fte: number | null;
  fte30: number | null;
  working_days_lost: number | null;
}

interface AnnexRow extends Person {
  list_label: string;
  team: string;
  worker_id: string;
  role: string;
  complexity_score: number;
  annex_month: string;
}

/** One planned test: its question, where, which comparison, and its observations (labelled later). */
interface Planned {
  question: CensusQuestion;
  census_year: number | null;
  period: string;
  scope: "employer" | "team";
  scopeLabel: string;
  team: string | null;
  comparison: Comparison;
  obs: WorkerMonthObs[];
}

const fteBand = (fte: number): "full-time" | "part-time" => (fte >= 0.9 ? "full-time" : "part-time");

export const censusAuditStep: ComputeStep<CensusAuditOptions, CensusAuditRun> = {
  name: "census_audit",
  writtenBy: "audit",
  upstream: ["int_census_worker", "int_annex_a_allocation"],
  outputs: [
    {
      name: "census_fairness_results",
      grain: "one row per census and Annex A test: source, census year, scope (the authority, or an Annex A team), comparison, group and question (internal; pub_census_fairness_results is what may be published)",
      key: ["result_id"],
      columns: CENSUS_RESULT_COLUMNS,
    },
  ],
  async compute({ conn, config }, opts = {}) {
    const t0 = performance.now();
    const reference = config.reference_group;
    const alpha = config.analysis_plan.alpha;
    const seed = opts.seed ?? 20261122;
    const resamples = opts.resamples ?? 10_000;
    const census = (await queryRows<CensusRow>(conn, `SELECT census_year, reference_month, la_code, worker_id, role, reporting_group, ons_group, in_post, agency, case_holder, cases30, fte, fte30, working_days_lost FROM int_census_worker ORDER BY census_year, la_code, worker_id`)).map((r) => ({
      ...r, census_year: Number(r.census_year), cases30: r.cases30 === null ? null : Number(r.cases30), fte: r.fte === null ? null : Number(r.fte), fte30: r.fte30 === null ? null : Number(r.fte30), working_days_lost: r.working_days_lost === null ? null : Number(r.working_days_lost),
    }));
    const annex = (await queryRows<AnnexRow>(conn, `SELECT list_label, team, worker_id, role, reporting_group, ons_group, complexity_score, annex_month FROM int_annex_a_allocation WHERE worker_id IS NOT NULL ORDER BY list, sheet_row`)).map((r) => ({ ...r, complexity_score: Number(r.complexity_score) }));
    const cmps = comparisons(reference);
    const plan: Planned[] = [];

    // the census: each year, caseload per FTE of case holders and days lost per FTE of employees in post
    const years = [...new Set(census.map((r) => r.census_year))].sort((a, b) => a - b);
    for (const year of years) {
      const rows = census.filter((r) => r.census_year === year);
      const period = rows[0]!.reference_month;
      const label = `${config.employer}, census ${year}`;
      const caseload = rows.filter((r) => r.case_holder && (r.fte30 ?? 0) > 0);
      const absence = rows.filter((r) => r.in_post && !r.agency && r.working_days_lost !== null && ((r.fte30 ?? 0) > 0 || (r.fte ?? 0) > 0));
      for (const comparison of cmps) {
        const obsOf = (list: CensusRow[], measure: FairnessMeasure, num: (r: CensusRow) => number, den: (r: CensusRow) => number) =>
          list.flatMap((r) => {
            const group = comparison.groupOf(r);
            if (group === null) return [];
            const d = den(r);
            return [{ worker_id: r.worker_id, period, service: r.la_code, team: "census", role: r.role, fte: d, fte_band: fteBand(d), group, values: { [measure]: num(r) / d }, num: { [measure]: num(r) }, den: { [measure]: d } } satisfies WorkerMonthObs];
          });
        plan.push({ question: "caseload_per_fte", census_year: year, period, scope: "employer", scopeLabel: label, team: null, comparison, obs: obsOf(caseload, CENSUS_QUESTIONS.caseload_per_fte.measure, (r) => r.cases30 ?? 0, (r) => r.fte30!) });
        plan.push({ question: "days_lost_per_fte", census_year: year, period, scope: "employer", scopeLabel: label, team: null, comparison, obs: obsOf(absence, CENSUS_QUESTIONS.days_lost_per_fte.measure, (r) => r.working_days_lost!, (r) => ((r.fte30 ?? 0) > 0 ? r.fte30! : r.fte!)) });
      }
    }

    // Annex A: the complexity of each allocation, by the allocated worker's group, within list, team and role
    const annexMonth = annex[0]?.annex_month ?? null;
    if (annexMonth !== null) {
      const teams = [...new Set(annex.map((r) => r.team))].sort();
      const measure = CENSUS_QUESTIONS.allocation_complexity.measure;
      for (const scope of [null, ...teams]) {
        const rows = scope === null ? annex : annex.filter((r) => r.team === scope);
        for (const comparison of cmps) {
          if (scope !== null && !comparison.teams) continue;
          const obs = rows.flatMap((r) => {
            const group = comparison.groupOf(r);
            if (group === null) return [];
            return [{ worker_id: r.worker_id, period: annexMonth, service: r.list_label, team: r.team, role: r.role, fte: 1, fte_band: "full-time" as const, group, values: { [measure]: r.complexity_score }, num: { [measure]: r.complexity_score }, den: { [measure]: 1 } } satisfies WorkerMonthObs];
          });
          plan.push({ question: "allocation_complexity", census_year: null, period: annexMonth, scope: scope === null ? "employer" : "team", scopeLabel: scope ?? config.employer, team: scope, comparison, obs });
        }
      }
    }

    const optionsFor = (p: Planned) => {
      const q = CENSUS_QUESTIONS[p.question];
      return {
        group: p.comparison.group, reference, measure: q.measure, windowMonths: 1, asOf: p.period, seed, resamples, alpha,
        minGroupSize: config.min_group_size, adjust: [...q.adjust], scope: p.scopeLabel, service: null, team: p.team,
      };
    };
    const mcFor = (familySize: number) => ({
      pThresholds: Array.from({ length: familySize }, (_, k) => (alpha * (k + 1)) / familySize),
      ciThresholds: [1 / DEFAULT_RULE.equivalence_margin, 1, DEFAULT_RULE.equivalence_margin],
      risk: CENSUS_MC_RISK,
      maxPermutations: Math.max(resamples, 20_000),
      maxResamples: resamples,
    });
    const canSpeak = (p: Planned) => {
      const n = comparedWorkers(p.obs, optionsFor(p));
      return n.group >= DEFAULT_RULE.min_workers && n.reference >= DEFAULT_RULE.min_workers;
    };
    const eligible = (r: FairnessResult) => r.p_value !== null && r.n_workers_group_compared >= DEFAULT_RULE.min_workers && r.n_workers_reference_compared >= DEFAULT_RULE.min_workers;
    const results: (FairnessResult | undefined)[] = plan.map(() => undefined);
    const run = (i: number, familySize: number | null) => {
      const p = plan[i]!;
      results[i] = auditComparison(p.obs, { ...optionsFor(p), mdeAlpha: familySize ? alpha / familySize : alpha, mc: familySize === null ? { ...mcFor(0), pThresholds: [] } : mcFor(familySize) });
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
    const primaryQuestion = (p: Planned) => p.question === "allocation_complexity" && p.comparison.kind === "primary";

    // primary, stage 1: the whole authority's allocation complexity (a family of one)
    const stage1 = plan.map((p, i) => (primaryQuestion(p) && p.scope === "employer" ? i : -1)).filter((i) => i >= 0);
    const m1 = stage1.filter((i) => canSpeak(plan[i]!)).length;
    for (const i of stage1) run(i, Math.max(1, m1));
    settleFamily(stage1, "primary", FAMILY_PRIMARY_AUTHORITY);
    const opened = stage1.some((i) => ["adverse disparity", "favourable disparity"].includes(placed[i]!.result.verdict));
    // stage 2: its teams, when the authority differs
    const stage2 = opened ? plan.map((p, i) => (primaryQuestion(p) && p.scope === "team" ? i : -1)).filter((i) => i >= 0) : [];
    const m2 = stage2.filter((i) => canSpeak(plan[i]!)).length;
    for (const i of stage2) run(i, Math.max(1, m2));
    settleFamily(stage2, "primary", FAMILY_PRIMARY_TEAMS);
    // secondary: everything else
    const secondary = plan.map((_, i) => i).filter((i) => placed[i] === undefined);
    for (const i of secondary) run(i, null);
    settleFamily(secondary, "secondary", FAMILY_SECONDARY);

    const records: CensusAuditRecord[] = plan.map((p, i) => {
      const pl = placed[i]!;
      const r = pl.result;
      const q = CENSUS_QUESTIONS[p.question];
      const rec: CensusAuditRecord = {
        result_id: i + 1, source: q.source as "census" | "annex_a", question: p.question, measure: p.question, census_year: p.census_year, period: p.period,
        scope: p.scope, scope_label: p.scopeLabel, service: null, team: p.team, comparison: p.comparison.kind, subgroup: null, group: p.comparison.group,
        reference_group: reference, group_label: r.group_label, reference_label: r.reference_label, adjusted_for: q.adjustedFor,
        n_workers_group: r.n_workers_group, n_workers_reference: r.n_workers_reference, n_workers_group_compared: r.n_workers_group_compared, n_workers_reference_compared: r.n_workers_reference_compared,
        n_observations_group: r.n_worker_months_group, n_observations_reference: r.n_worker_months_reference,
        ratio_unadjusted: r.ratio_unadjusted, ratio_adjusted: r.ratio_adjusted, ci_low: r.ci_low, ci_high: r.ci_high, se_log_ratio: r.se_log_ratio, df: r.df,
        p_value: r.p_value, q_value: r.q_value, mde_ratio: r.mde_ratio, p_mc_low: r.p_mc_low, p_mc_high: r.p_mc_high, p_below: r.p_below,
        p_settled: r.p_settled, ci_settled: r.ci_settled, mc_settled: r.mc_settled, verdict: r.verdict, verdict_reason: r.verdict_reason,
        family: pl.family, family_id: pl.family_id, family_size: pl.family_size, below_min_group_size: r.below_min_group_size, sentence: "",
        resamples_used: r.resamples_used, permutations_used: r.permutations_used, alpha, min_group_size: config.min_group_size,
      };
      rec.sentence = censusSentence(rec);
      return rec;
    });
    const out: CensusAuditRun = { tests: records.length, seconds: (performance.now() - t0) / 1000, census_years: years, annex_month: annexMonth, results: records };
    return { tables: { census_fairness_results: records }, extra: out };
  },
};

const WORDS: Record<CensusQuestion, { more: string; less: string; same: string; moreWord: string; lessWord: string; context: (r: CensusAuditRecord) => string }> = {
  caseload_per_fte: {
    more: "held {p} more cases per FTE", less: "held {p} fewer cases per FTE", same: "held as many cases per FTE", moreWord: "more", lessWord: "fewer",
    context: (r) => `in the same role at 30 September ${r.census_year}`,
  },
  days_lost_per_fte: {
    more: "lost {p} more working days to sickness per FTE", less: "lost {p} fewer working days to sickness per FTE", same: "lost as many working days to sickness per FTE", moreWord: "more", lessWord: "fewer",
    context: (r) => `in the same role, in the year to 30 September ${r.census_year}`,
  },
  allocation_complexity: {
    more: "were allocated children with a {p} higher Annex A complexity score", less: "were allocated children with a {p} lower Annex A complexity score",
    same: "were allocated children with the same Annex A complexity score", moreWord: "higher", lessWord: "lower",
    context: () => "on the same list, in the same team and role",
  },
};

/** The finding in plain English (no group sizes): the difference, its interval and what the verdict means. */
export function censusSentence(r: CensusAuditRecord): string {
  const w = WORDS[r.question];
  const pct = (x: number) => `${Math.round(Math.abs(x - 1) * 100)}%`;
  const where = r.source === "census" ? `In the ${r.census_year} census` : r.scope === "team" ? `In ${r.team} (Annex A)` : `Across ${r.scope_label} (Annex A)`;
  const R = r.ratio_adjusted;
  if (R === null || !(R > 0)) {
    return `${where}, ${r.group_label} could not be compared with ${r.reference_label} ${w.context(r)}: too few to tell.`;
  }
  const p = Math.round(Math.abs(R - 1) * 100);
  const clause = p === 0 ? `${w.same} as` : `${(R > 1 ? w.more : w.less).replace("{p}", `${p}%`)} than`;
  let ci = "95% CI could not be estimated";
  if (r.ci_low !== null && r.ci_high !== null && r.ci_low > 0 && Number.isFinite(r.ci_high)) {
    ci = r.ci_low >= 1 ? `95% CI ${pct(r.ci_low)} to ${pct(r.ci_high)} ${w.moreWord}` : r.ci_high <= 1 ? `95% CI ${pct(r.ci_high)} to ${pct(r.ci_low)} ${w.lessWord}` : `95% CI from ${pct(r.ci_low)} ${w.lessWord} to ${pct(r.ci_high)} ${w.moreWord}`;
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
  };
  const tail = verdict[r.verdict] ?? tooFew[r.verdict_reason] ?? "Too few to tell: the data cannot rule a 25% difference in or out.";
  return `${where}, ${r.group_label} ${clause} ${r.reference_label} ${w.context(r)} (${ci}). ${tail}`;
}

/** `fairload audit`'s census and Annex A part: the census audit step and the public model on it, in one transaction. */
export async function runCensusAudit(ws: Workspace, opts: CensusAuditOptions = {}): Promise<CensusAuditRun> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    await ensureModels(db.conn, ws.config);
    const models = downstreamOf(registry(), censusAuditStep.outputs.map((o) => o.name));
    const { extras } = await inTransaction(db.conn, async () => {
      const r = await runModels(db.conn, ws.config, models, { census_audit: opts });
      await recordRuns(db.conn, r.runs);
      return r;
    });
    return extras.census_audit as CensusAuditRun;
  } finally {
    db.close();
  }
}

