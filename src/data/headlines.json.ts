// Latest month per employer and service and measure, with its change and ceiling: mart_headlines, or pub_headlines in a public build.
// Teams' headlines are not in it (no page shows them; they are the Trends page's series, and on a large employer they made this file 0.7 MB).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_headlines" : "mart_headlines";
emit(await rowsOf(table, `SELECT * FROM ${table} WHERE level IN ('employer', 'service') ORDER BY level, service, team, measure`));
