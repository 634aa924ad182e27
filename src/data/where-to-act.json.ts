// "Where to act" on the overview: the workload problems (mart_where_to_act) and the fairness audit's adverse findings
// (mart_fairness_actions, once the audit has run) together, highest score first; pub_where_to_act and pub_fairness_actions
// in a public build. The score and its parts are the models' (docs/series.md); this only puts the two lists in one order.
import { PUBLIC, emit, hasTable, query } from "./mart.ts";

const [workload, fairness] = PUBLIC ? ["pub_where_to_act", "pub_fairness_actions"] : ["mart_where_to_act", "mart_fairness_actions"];
const columns = "level, service, team, scope_label, kind, measure, sentence, link, size_pct, size, sureness, recency, reach, score, n_reasons, reasons";
const tables: string[] = [];
for (const t of [workload, fairness]) if (await hasTable(t)) tables.push(t);
emit(tables.length
  ? await query(`SELECT ${columns} FROM (${tables.map((t) => `SELECT ${columns} FROM ${t}`).join(" UNION ALL ")})
      ORDER BY score DESC, CASE level WHEN 'employer' THEN 0 WHEN 'service' THEN 1 ELSE 2 END, service NULLS FIRST, team NULLS FIRST, kind`)
  : []);
