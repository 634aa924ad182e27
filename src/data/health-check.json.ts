// The workload health check: each team's 39 prompts for the latest month, the service and employer summary and every recorded disagreement
// (mart_health_check*, or pub_health_check* in a public build: no free text, figures withheld where the teams' workers are).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const fields = `level, service, team, period, prompt, heading, prompt_text, computed, measure, unit, round(value, 3) AS value, suggested_rating, recorded_rating, differs,
  check_date, previous_rating, change, teams, recorded_green, recorded_amber, recorded_red, suggested_green, suggested_amber, suggested_red, differing, detail`;
const t = (name: string) => (PUBLIC ? `pub_${name}` : `mart_${name}`);
emit({
  teams: await rowsOf(t("health_check"), `SELECT ${fields} FROM ${t("health_check")} ORDER BY service, team, prompt`),
  summary: await rowsOf(t("health_check_summary"), `SELECT ${fields} FROM ${t("health_check_summary")} WHERE level <> 'team' ORDER BY level, service, prompt`),
  disagreements: await rowsOf(t("health_check_disagreements"), `SELECT * FROM ${t("health_check_disagreements")} ORDER BY check_date DESC, service, team, prompt`),
});
