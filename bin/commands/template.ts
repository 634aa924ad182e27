import { writeHealthCheckTemplate } from "../../loaders/healthcheck-template.ts";
import { writeTemplate } from "../../loaders/template.ts";
import { type Command, openFromOptions, out, str, workspaceOption } from "./common.ts";

export const templateCommand: Command = {
  summary: "write an Excel workbook for team managers to fill in (drop-downs, hints)",
  usage: "fairload template --out returns.xlsx [--workspace DIR] [--health-check [--check-date YYYY-MM-DD]]",
  options: { ...workspaceOption, out: { type: "string", short: "o" }, "health-check": { type: "boolean" }, "check-date": { type: "string" } },
  async run({ values }) {
    const ws = openFromOptions(values);
    if (values["health-check"]) {
      const outFile = str(values, "out") ?? "health-check.xlsx";
      const r = await writeHealthCheckTemplate(ws, outFile, { checkDate: str(values, "check-date") });
      out(`Wrote ${outFile}: the 39 prompts for ${r.teams} team${r.teams === 1 ? "" : "s"} (${r.rows} rows), with rating drop-downs`);
      return 0;
    }
    const outFile = str(values, "out") ?? "returns-template.xlsx";
    await writeTemplate(ws, outFile);
    out(`Wrote ${outFile}`);
    return 0;
  },
};
