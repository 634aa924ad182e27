// Latest month per level, service, team and measure, with its change and ceiling: mart_headlines, or pub_headlines in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_headlines" : "mart_headlines";
emit(await rowsOf(table, `SELECT * FROM ${table} ORDER BY level, service, team, measure`));
