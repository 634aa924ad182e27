// What was done about caseload review requests, and how long it took: mart_hr_review_outcomes (every group), or pub_hr_review_outcomes in a public build (all groups together, small outcomes withheld).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_review_outcomes", `SELECT outcome, 'All' AS "group", "order", requests, share, median_days_to_outcome, mean_days_to_outcome, withheld FROM pub_hr_review_outcomes ORDER BY "order"`)
  : await rowsOf("mart_hr_review_outcomes", `SELECT outcome, "group", "order", requests, requesters, share, median_days_to_outcome, mean_days_to_outcome, false AS withheld FROM mart_hr_review_outcomes ORDER BY "order", "group"`));
