// INTERNAL ONLY: each worker's latest month against the ceilings (mart_worker_monthly), columnar (src/components/format.js
// `rows` reads it). [] in a public build.
import { columnar, emit, internalOnly } from "./mart.ts";

const fields = ["worker_id", "service", "team", "role", "fte", "cases", "caseload_per_fte", "points_per_fte", "caseload_ceiling", "above_caseload_ceiling", "above_points_ceiling", "review_requested", "period"];
const rows = await internalOnly("mart_worker_monthly", `SELECT worker_id, service, team, role, round(fte, 2) AS fte, cases, round(caseload_per_fte, 1) AS caseload_per_fte,
  round(points_per_fte, 1) AS points_per_fte, caseload_ceiling, above_caseload_ceiling, above_points_ceiling, review_requested, period
  FROM mart_worker_monthly WHERE period = (SELECT max(period) FROM mart_worker_monthly) ORDER BY service, team, caseload_per_fte DESC`);
emit(rows.length ? columnar(rows, fields, ["service", "team", "role", "caseload_ceiling", "period"]) : []);
