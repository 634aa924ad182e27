import { runAll } from "../../app/workflow.ts";
import { type Command, jsonOption, openFromOptions, out, printedJson, progressFor, workspaceOption } from "./common.ts";

export const runCommand: Command = {
  summary: "build the SQL models and run the time-series engine on every series (trends, peaks, shifts, control charts)",
  usage: "fairload run [--workspace DIR] [--json]",
  options: { ...workspaceOption, ...jsonOption },
  async run({ values }) {
    const r = await runAll(openFromOptions(values), progressFor(values));
    if (printedJson(values, r)) return 0;
    out(`Built ${r.models} models and analysed ${r.series.toLocaleString("en-GB")} series in ${r.seconds.toFixed(1)} s (${r.bySeriesStatus.ok ?? 0} with every method, ${r.bySeriesStatus.limited ?? 0} with stated limitations). Results: mart_series, mart_series_points, mart_seasonal_profile, mart_health_check, mart_benchmark.`);
    for (const n of r.benchmarkNotes) out(`  note: ${n}`);
    return 0;
  },
};
