// The Standard 3 evidence of the board paper (Employer standards for social workers: safe workload and case allocation):
// average caseload (cases per case-holding FTE) and complexity-weighted caseload (workload points per FTE) by team and by
// service in the latest month. Always from the public layer (pub_caseload, pub_headlines), internal build or not: a board paper
// circulates, so a team's figures are withheld where its headcount is (fewer than min_group_size workers, or recoverable from
// totals; pipelines/public.ts). Nothing is suppressed here: the public models already did it.
import { emit, rowsOf } from "./mart.ts";

const teams = await rowsOf(
  "pub_caseload",
  `SELECT service, team, period, headcount, round(fte, 1) AS fte, cases, round(caseload_per_fte, 1) AS caseload_per_fte,
     round(points_per_fte, 1) AS points_per_fte, caseload_ceiling, points_ceiling, withheld
   FROM pub_caseload WHERE period = (SELECT max(period) FROM pub_caseload) ORDER BY service, team`,
);
const levels = await rowsOf(
  "pub_headlines",
  `SELECT level, service, measure, label, unit, period, round(value, 1) AS value, ceiling FROM pub_headlines
   WHERE level IN ('employer', 'service') AND measure IN ('caseload_per_fte', 'points_per_fte') ORDER BY level, service, measure`,
);
emit({ teams, levels });
