// Load against ceilings per team and month (mart_caseload_safety); counts of people are suppressed when small in a public build.
import { config, dropSmallTeams, emit, rowsOf, suppressCounts, teamHeadcounts } from "./mart.ts";

const rows = await rowsOf("mart_caseload_safety", `SELECT service, team, period, headcount, round(fte, 2) AS fte, cases, round(caseload_per_fte, 2) AS caseload_per_fte,
  round(points_per_fte, 1) AS points_per_fte, caseload_ceiling, points_ceiling, workers_above_caseload_ceiling, workers_above_points_ceiling, reviews_requested, unallocated_cases
  FROM mart_caseload_safety ORDER BY service, team, period`);
const hc = await teamHeadcounts();
const small = (r: Record<string, unknown>) => (hc.get(`${r.service}\u0000${r.team}\u0000${r.period}`) ?? 0) < config().min_group_size;
// suppress first, treating the teams about to be dropped as hidden cells, then drop them
emit(dropSmallTeams(suppressCounts(rows, ["headcount", "workers_above_caseload_ceiling", "workers_above_points_ceiling", "reviews_requested"], config().min_group_size, small), hc));
