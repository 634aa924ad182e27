// What the pages show of the fairness audit, selected once for the loaders that split it by page: fairness-summary.json
// (the overview, the board paper, the notebooks and the top of the Fairness page), fairness-detail/<measure>.json (the
// Fairness page, one measure at a time) and fairness-team/<n>.json (the team notebook, a few teams a file). The rows are
// fairness_results with the public layer's marks, or pub_fairness_results in a public build (fairness-sql.ts); the
// month-by-month ratios and the adjustment variants are fairness_monthly and fairness_adjustment, or their pub_ versions.
// Loaders select and encode; every figure is the marts'. fairness.json keeps every result with every column (the
// Fairness page's download).
import { PUBLIC, type Row, columnar, hasTable, rowsOf } from "./mart.ts";
import { fairnessSql } from "./fairness-sql.ts";

const RESULTS = PUBLIC ? "pub_fairness_results" : "fairness_results";
const MONTHLY = PUBLIC ? "pub_fairness_monthly" : "fairness_monthly";
const ADJUSTMENT = PUBLIC ? "pub_fairness_adjustment" : "fairness_adjustment";

/**
 * The columns any page shows. The worker counts are internal: a public build has `workers_compared` ("at least N") in
 * their place and no counts of events (fairnessSql rewrites this list).
 */
const PAGE_COLUMNS = `result_id, scope, scope_label, service, team, comparison, subgroup, measure, "group", window_end,
  n_workers_group, n_workers_reference, n_workers_group_without_comparator, n_workers_reference_without_comparator,
  round(ratio_unadjusted, 3) AS ratio_unadjusted, round(ratio_adjusted, 3) AS ratio_adjusted, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high,
  q_value, round(mde_ratio, 3) AS mde_ratio, months_same_direction, months_observed, verdict, suppressed, sentence, adjusted_for, family, driven_by_team, events_group, events_reference`;

/** Every result, with the columns pages show (internal: by result_id; public: by scope, then comparison and measure). */
export async function pageResults(): Promise<Row[]> {
  return rowsOf(RESULTS, fairnessSql(PUBLIC, PAGE_COLUMNS, "true", await hasTable("pub_fairness_results")));
}

/** Each month's adjusted ratio of the primary comparisons (a public build: only the published tests and months). */
export async function primaryMonthly(): Promise<Row[]> {
  return rowsOf(MONTHLY, `SELECT m.result_id, m.period, m.ratio FROM ${MONTHLY} m JOIN ${RESULTS} r USING (result_id) WHERE r.comparison = 'primary' ORDER BY m.result_id, m.period`);
}

/** Each primary comparison with one characteristic released or added, variant by variant (so its labels come in runs). */
export async function adjustmentVariants(): Promise<Row[]> {
  return rowsOf(ADJUSTMENT, `SELECT result_id, variant, adjusted_for, round(ratio, 3) AS ratio, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high FROM ${ADJUSTMENT} ORDER BY variant, result_id`);
}

export const isPrimary = (r: Row) => r.comparison === "primary";
/** The findings every summary states: a disparity, adverse or favourable (the pages decide what a withheld one shows). */
export const isDisparity = (r: Row) => r.verdict === "adverse disparity" || r.verdict === "favourable disparity";

/** Counts of people: never run-length encoded, so that every count in a file is a number of its own. */
const isCount = (c: string) => /^(n_)?workers|^events_/.test(c);

/**
 * `columnar` (src/data/mart.ts), each column run-length encoded where that is smaller and plain where not (a team's name
 * changes every row, a verdict or a family mostly does not); read with src/components/format.js `rows`.
 */
export function compact(rows: Row[], columns: string[], months: string[] = []): Record<string, unknown> {
  const runs = columns.filter((c) => !isCount(c) && !months.includes(c) && JSON.stringify(columnar(rows, [c], [c])).length < JSON.stringify(columnar(rows, [c])).length);
  return columnar(rows, columns, runs, months);
}

/** The teams' primary comparisons go in this many files (fairness-team/0.json ... 15.json): a team's file holds a few teams. */
export const TEAM_FILES = 16;
