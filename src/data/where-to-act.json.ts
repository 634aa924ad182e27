// "Where to act" on the overview: the workload problems (mart_where_to_act) and the fairness audit's adverse findings
// (mart_fairness_actions, once the audit has run) together, highest score first; pub_where_to_act and pub_fairness_actions
// in a public build. The score and its parts are the models' (docs/series.md); this only puts the two lists in one order.
// The overview shows the first five with their other reasons and the rest as one line each, so only the first five carry
// `reasons` (on a large employer every place's reasons made this file 0.56 MB).
import { PUBLIC, emit, hasTable, query } from "./mart.ts";

const SHOWN_WITH_REASONS = 5;
const [workload, fairness] = PUBLIC ? ["pub_where_to_act", "pub_fairness_actions"] : ["mart_where_to_act", "mart_fairness_actions"];
const columns = "level, service, team, scope_label, kind, measure, sentence, link, size_pct, size, sureness, recency, reach, score, n_reasons";
const tables: string[] = [];
for (const t of [workload, fairness]) if (await hasTable(t)) tables.push(t);
emit(tables.length
  ? await query(`SELECT * EXCLUDE (rn, all_reasons), CASE WHEN rn <= ${SHOWN_WITH_REASONS} THEN all_reasons END AS reasons FROM (
      SELECT ${columns}, reasons AS all_reasons, row_number() OVER (ORDER BY score DESC, CASE level WHEN 'employer' THEN 0 WHEN 'service' THEN 1 ELSE 2 END, service NULLS FIRST, team NULLS FIRST, kind) AS rn
      FROM (${tables.map((t) => `SELECT ${columns}, reasons FROM ${t}`).join(" UNION ALL ")})
    ) ORDER BY rn`)
  : []);
