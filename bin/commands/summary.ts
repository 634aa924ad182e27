import { formatSummary, summarise } from "../../loaders/summary.ts";
import { type Command, jsonOption, openFromOptions, out, printedJson, workspaceOption } from "./common.ts";

export const summaryCommand: Command = {
  summary: "print what the workspace holds: tables, months, services, teams, loads",
  usage: "fairload summary [--workspace DIR] [--json]",
  options: { ...workspaceOption, ...jsonOption },
  async run({ values }) {
    const s = await summarise(openFromOptions(values));
    if (!printedJson(values, s)) out(formatSummary(s));
    return 0;
  },
};
