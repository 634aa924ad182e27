// Caseload review requests per month with their control chart: mart_hr_review_monthly, or pub_hr_review_monthly in a public build (small months withheld; the chart's lines only when no month is).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_review_monthly", `SELECT period, requests, chart_mean, chart_ucl, chart_lcl, chart_rule, special_cause, withheld FROM pub_hr_review_monthly ORDER BY period`)
  : await rowsOf("mart_hr_review_monthly", `SELECT period, requests, requesters, resolved, reallocated, support_added, no_change, pending, chart_mean, chart_ucl, chart_lcl, chart_rule, special_cause, false AS withheld FROM mart_hr_review_monthly ORDER BY period`));
