// The workload health check: each team's 39 prompts for the latest month (mart_health_check), the
// service and employer summary (mart_health_check_summary) and every recorded disagreement.
import { emit, rowsOf } from "./mart.ts";

const fields = `level, service, team, period, prompt, heading, prompt_text, computed, measure, unit, round(value, 3) AS value, suggested_rating, recorded_rating, differs,
  check_date, previous_rating, change, teams, recorded_green, recorded_amber, recorded_red, suggested_green, suggested_amber, suggested_red, differing, detail`;
emit({
  teams: await rowsOf("mart_health_check", `SELECT ${fields} FROM mart_health_check ORDER BY service, team, prompt`),
  summary: await rowsOf("mart_health_check_summary", `SELECT ${fields} FROM mart_health_check_summary WHERE level <> 'team' ORDER BY level, service, prompt`),
  disagreements: await rowsOf("mart_health_check_disagreements", `SELECT * FROM mart_health_check_disagreements ORDER BY check_date DESC, service, team, prompt`),
});
