// Load against ceilings per team and month (mart_caseload_safety); counts of people are suppressed when small in a public build.
import { dropSmallTeams, emit, rowsOf, suppressCounts, teamHeadcounts } from "./mart.ts";

const rows = await rowsOf("mart_caseload_safety", `SELECT service, team, period, headcount, round(fte, 2) AS fte, cases, round(caseload_per_fte, 2) AS caseload_per_fte,
  round(points_per_fte, 1) AS points_per_fte, caseload_ceiling, points_ceiling, workers_above_caseload_ceiling, workers_above_points_ceiling, reviews_requested, unallocated_cases
  FROM mart_caseload_safety ORDER BY service, team, period`);
emit(suppressCounts(dropSmallTeams(rows, await teamHeadcounts()), ["headcount", "workers_above_caseload_ceiling", "workers_above_points_ceiling", "reviews_requested"]));
