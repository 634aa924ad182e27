// The caseload review requests in one row (how many, rising or not, how they were resolved): mart_hr_review_summary, or pub_hr_review_summary in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_review_summary", `SELECT * FROM pub_hr_review_summary`)
  : await rowsOf("mart_hr_review_summary", `SELECT *, false AS withheld FROM mart_hr_review_summary`));
