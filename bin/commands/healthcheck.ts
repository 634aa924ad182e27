import { UserError } from "../../core/errors.ts";
import { healthCheck } from "../../pipelines/healthcheck.ts";
import { type Command, jsonOption, openFromOptions, out, printedJson, str, workspaceOption } from "./common.ts";

const LEVELS = ["team", "service", "employer"] as const;

export const healthcheckCommand: Command = {
  summary: "the 39-prompt workload health check: prompts computed from the returns beside the teams' own ratings",
  usage: "fairload healthcheck [--workspace DIR] [--period YYYY-MM] [--level team|service|employer] [--service S] [--team T] [--json]",
  options: { ...workspaceOption, ...jsonOption, period: { type: "string" }, level: { type: "string" }, service: { type: "string" }, team: { type: "string" } },
  async run({ values }) {
    const ws = openFromOptions(values);
    const level = str(values, "level") as (typeof LEVELS)[number] | undefined;
    if (level && !LEVELS.includes(level)) throw new UserError(`--level must be team, service or employer, got ${level}`);
    const period = str(values, "period");
    const records = await healthCheck(ws, { period, latest: !period, level, service: str(values, "service"), team: str(values, "team"), thresholds: ws.config.health_check_thresholds });
    if (printedJson(values, records)) return 0;
    out(`Workload health check, ${records[0]?.period ?? "no data"}: ${records.length} prompt ratings`);
    for (const r of records.filter((x) => x.computed || x.recorded_rating)) {
      const where = r.level === "employer" ? ws.config.employer : r.level === "service" ? r.service : `${r.team} (${r.service})`;
      out(`  ${String(where).slice(0, 40).padEnd(40)} ${String(r.prompt).padStart(2)} ${String(r.heading).slice(0, 28).padEnd(28)} ${r.value === null || r.value === undefined ? "-".padStart(8) : Number(r.value).toFixed(2).padStart(8)} suggested ${String(r.suggested_rating ?? "-").padEnd(5)} recorded ${String(r.recorded_rating ?? "-").padEnd(5)}${r.differs ? "  differs" : ""}`);
    }
    return 0;
  },
};
