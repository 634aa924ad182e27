// The workload health check per team and prompt (mart_health_check), its summary and disagreements.
import { emit, rowsOf } from "./mart.ts";

emit({
  rows: await rowsOf("mart_health_check", `SELECT * FROM mart_health_check`),
  summary: await rowsOf("mart_health_check_summary", `SELECT * FROM mart_health_check_summary`),
  disagreements: await rowsOf("mart_health_check_disagreements", `SELECT * FROM mart_health_check_disagreements`),
});
