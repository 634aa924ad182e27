// The one query behind fairness.json and fairness-summary.json: internal rows are marked
// `suppressed` where the public layer (pub_fairness_results) withholds them; a public build reads
// pub_fairness_results as it is (no worker counts, withheld rows empty).
export const FAIRNESS_COLUMNS = {
  summary: `result_id, scope, scope_label, service, team, comparison, subgroup, measure, "group", reference_group, window_end, n_workers_group, n_workers_reference, n_workers_group_without_comparator, n_workers_reference_without_comparator,
    round(ratio_unadjusted, 3) AS ratio_unadjusted, round(ratio_adjusted, 3) AS ratio_adjusted, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high, verdict, suppressed, sentence`,
  all: `result_id, scope, scope_label, service, team, comparison, subgroup, measure, "group", reference_group, window_start, window_end, n_workers_group, n_workers_reference, n_workers_group_without_comparator, n_workers_reference_without_comparator,
    round(ratio_unadjusted, 3) AS ratio_unadjusted, round(ratio_adjusted, 3) AS ratio_adjusted, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high, p_value, q_value,
    round(mde_ratio, 3) AS mde_ratio, months_same_direction, months_observed, persistent, verdict, verdict_reason, suppressed, sentence, verdict_changes_if_not_known,
    sensitivity_as_group, sensitivity_as_reference, adjusted_for, family, family_id, driven_by_team, round(ratio_without_driving_team, 3) AS ratio_without_driving_team, events_group, events_reference`,
};

export function fairnessSql(published: boolean, columns: string, where = "true", publicLayerBuilt = true): string {
  if (published) {
    // no counts of workers in a public build: only that enough were compared
    const cols = columns.replace("n_workers_group, n_workers_reference, n_workers_group_without_comparator, n_workers_reference_without_comparator", "workers_compared").replace(", events_group, events_reference", "");
    return `SELECT ${cols} FROM pub_fairness_results WHERE ${where} ORDER BY scope, service NULLS FIRST, team NULLS FIRST, comparison, subgroup NULLS FIRST, measure, "group"`;
  }
  // a workspace audited before the public layer existed has no pub_fairness_results until the
  // next fairload audit: every row is then marked as not (yet) publishable
  const marks = publicLayerBuilt ? `coalesce(p.suppressed, true)` : `true`;
  const join = publicLayerBuilt ? `LEFT JOIN pub_fairness_results p USING (result_id)` : "";
  return `SELECT ${columns} FROM (
      SELECT r.*, ${marks} AS suppressed FROM fairness_results r ${join}
    ) WHERE ${where} ORDER BY result_id`;
}
