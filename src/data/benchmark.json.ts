// The employer beside England, its region and comparators, by year and measure (mart_benchmark, or pub_benchmark in a public build).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_benchmark" : "mart_benchmark";
emit(await rowsOf(table, `SELECT * FROM ${table} ORDER BY measure, area, year`));
