// The workload health check as the overview and the board paper use it (their counts of ratings, disagreements and the
// employer's prompts): health-check.json's shape with only the columns they read, the employer's summary rows and the
// disagreements' dates and teams (mart_health_check*, or pub_health_check* in a public build). The Health check page
// loads health-check.json.
import { PUBLIC, columnar, emit, rowsOf } from "./mart.ts";

const t = (name: string) => (PUBLIC ? `pub_${name}` : `mart_${name}`);
const prompts = await rowsOf(t("health_check"), `SELECT prompt, any_value(heading) AS heading, any_value(prompt_text) AS prompt_text, any_value(computed) AS computed,
  any_value(measure) AS measure, any_value(unit) AS unit FROM ${t("health_check")} GROUP BY prompt ORDER BY prompt`);
const teamFields = ["service", "team", "period", "prompt", "suggested_rating", "recorded_rating", "differs"];
const teams = await rowsOf(t("health_check"), `SELECT ${teamFields.join(", ")} FROM ${t("health_check")} ORDER BY service, team, prompt`);
emit({
  prompts,
  teams: columnar(teams, teamFields, ["service", "team", "period"]),
  summary: await rowsOf(t("health_check_summary"), `SELECT level, service, team, period, prompt, heading, prompt_text, teams, recorded_green, recorded_amber, recorded_red,
    suggested_green, suggested_amber, suggested_red, differing FROM ${t("health_check_summary")} WHERE level = 'employer' ORDER BY prompt`),
  disagreements: await rowsOf(t("health_check_disagreements"), `SELECT check_date, service, team, prompt, is_latest_check FROM ${t("health_check_disagreements")} ORDER BY check_date DESC, service, team, prompt`),
});
