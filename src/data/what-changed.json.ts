// "What changed" on the overview: employer and service series of the director's measures that changed, ranked by the model
// (mart_what_changed, or pub_what_changed in a public build; docs/series.md).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_what_changed" : "mart_what_changed";
emit(await rowsOf(table, `SELECT rank, series_id, level, service, measure, label, scope_label, sentence, link, kind, kinds, size_pct, size, sureness, recency, reach, score
  FROM ${table} ORDER BY rank`));
