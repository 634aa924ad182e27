// The employer beside England, its region and comparators, by year and measure (mart_benchmark).
import { emit, rowsOf } from "./mart.ts";

emit(await rowsOf("mart_benchmark", `SELECT * FROM mart_benchmark ORDER BY measure, area, year`));
