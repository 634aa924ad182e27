// The workload health check: each team's 39 prompts for the latest month, the service and employer summary and every recorded disagreement
// (mart_health_check*, or pub_health_check* in a public build: no free text, figures withheld where the teams' workers are).
// What is the same for every team (a prompt's heading, text, unit, measure, whether it is computed) is in `prompts`, once;
// the teams' rows are columnar (service, team and the dates as runs). src/components/health-check.js puts them back together.
// Prompt 31 (annual leave, computed only when the HR table leave is loaded) has a second figure rated beside its headline
// (days carried over per FTE: second_value, its unit in `prompts`); `leave_thresholds` are the rules it was rated on (the
// workspace's fairload.json health_check_thresholds, else the defaults of pipelines/healthcheck.ts).
import { resolveThresholds } from "../../pipelines/healthcheck.ts";
import { PUBLIC, columnar, config, emit, rowsOf } from "./mart.ts";

const t = (name: string) => (PUBLIC ? `pub_${name}` : `mart_${name}`);
const prompts = await rowsOf(t("health_check"), `SELECT prompt, any_value(heading) AS heading, any_value(prompt_text) AS prompt_text, any_value(computed) AS computed,
  any_value(measure) AS measure, any_value(unit) AS unit, any_value(second_unit) AS second_unit FROM ${t("health_check")} GROUP BY prompt ORDER BY prompt`);
const teamFields = ["service", "team", "period", "prompt", "value", "second_value", "suggested_rating", "recorded_rating", "differs", "check_date", "previous_rating", "change", "detail"];
const teams = await rowsOf(t("health_check"), `SELECT service, team, period, prompt, round(value, 3) AS value, round(second_value, 3) AS second_value, suggested_rating, recorded_rating, differs,
  check_date, previous_rating, change, detail FROM ${t("health_check")} ORDER BY service, team, prompt`);
const fields = `level, service, team, period, prompt, heading, prompt_text, computed, measure, unit, round(value, 3) AS value, round(second_value, 3) AS second_value, second_unit, suggested_rating, recorded_rating, differs,
  check_date, previous_rating, change, teams, recorded_green, recorded_amber, recorded_red, suggested_green, suggested_amber, suggested_red, differing, detail`;
const thresholds = resolveThresholds(config().health_check_thresholds);
emit({
  prompts,
  leave_thresholds: prompts.some((p) => p.prompt === 31 && p.computed) ? { share_taken: thresholds.prompts[31], carried_over_per_fte: thresholds.leaveCarriedOver } : null,
  teams: columnar(teams, teamFields, ["service", "team", "period", "check_date", "second_value"]),
  summary: await rowsOf(t("health_check_summary"), `SELECT ${fields} FROM ${t("health_check_summary")} WHERE level <> 'team' ORDER BY level, service, prompt`),
  disagreements: await rowsOf(t("health_check_disagreements"), `SELECT * FROM ${t("health_check_disagreements")} ORDER BY check_date DESC, service, team, prompt`),
});
