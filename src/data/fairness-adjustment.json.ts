// Each primary comparison with one characteristic released or added (fairness_adjustment), or pub_fairness_adjustment in a public build.
import { PUBLIC, emit, hasTable, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_fairness_adjustment" : "fairness_adjustment";
emit((await hasTable(table)) ? await rowsOf(table, `SELECT result_id, variant, adjusted_for, round(ratio, 3) AS ratio, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high FROM ${table} ORDER BY result_id, variant`) : []);
