// Load against ceilings per team and month: mart_caseload_safety, or pub_caseload in a public build (figures withheld where
// the team-month is, no counts of subsets of workers). Columnar, ordered by team and month, so that service, team and the
// ceilings are runs and the periods runs of months (src/data/mart.ts `columnar`; read with src/components/format.js `rows`).
import { PUBLIC, columnar, emit, rowsOf } from "./mart.ts";

const rows = PUBLIC
  ? await rowsOf("pub_caseload", `SELECT service, team, period, headcount, round(fte, 2) AS fte, cases, round(caseload_per_fte, 2) AS caseload_per_fte,
      round(points_per_fte, 1) AS points_per_fte, caseload_ceiling, points_ceiling, unallocated_cases, withheld FROM pub_caseload ORDER BY service, team, period`)
  : await rowsOf("mart_caseload_safety", `SELECT service, team, period, headcount, round(fte, 2) AS fte, cases, round(caseload_per_fte, 2) AS caseload_per_fte,
      round(points_per_fte, 1) AS points_per_fte, caseload_ceiling, points_ceiling, workers_above_caseload_ceiling, workers_above_points_ceiling, reviews_requested, unallocated_cases
      FROM mart_caseload_safety ORDER BY service, team, period`);
const fields = PUBLIC
  ? ["service", "team", "period", "headcount", "fte", "cases", "caseload_per_fte", "points_per_fte", "caseload_ceiling", "points_ceiling", "unallocated_cases", "withheld"]
  : ["service", "team", "period", "headcount", "fte", "cases", "caseload_per_fte", "points_per_fte", "caseload_ceiling", "points_ceiling", "workers_above_caseload_ceiling", "workers_above_points_ceiling", "reviews_requested", "unallocated_cases"];
emit(columnar(rows, fields, ["service", "team", "caseload_ceiling", "points_ceiling", "withheld"], ["period"]));
