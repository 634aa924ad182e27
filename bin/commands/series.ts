import { UserError } from "../../core/errors.ts";
import { analyseSeriesFile, formatSeriesReport } from "../../pipelines/series-file.ts";
import { type Command, jsonOption, num, out, str } from "./common.ts";

const HIGHER_IS = ["better", "worse", "neutral"] as const;

export const seriesCommand: Command = {
  summary: "analyse any monthly or annual series in a CSV: trend, seasonality, peaks, level shifts, control chart",
  usage: "fairload series FILE.csv --date COL --value COL [--period 12|1] [--higher-is better|worse] [--filter COL=VALUE]... [--target N] [--baseline N] [--json]",
  options: {
    ...jsonOption,
    date: { type: "string" },
    value: { type: "string" },
    period: { type: "string", default: "12" },
    "higher-is": { type: "string" },
    filter: { type: "string", multiple: true },
    target: { type: "string" },
    baseline: { type: "string" },
  },
  async run({ values, positionals }) {
    const file = positionals[0];
    const date = str(values, "date");
    const value = str(values, "value");
    if (!file || !date || !value) throw new UserError("fairload series needs a file, --date COL and --value COL");
    const period = Number(values.period);
    if (period !== 12 && period !== 1) throw new UserError(`--period must be 12 (monthly) or 1 (annual), got ${values.period}`);
    const higher = str(values, "higher-is") as (typeof HIGHER_IS)[number] | undefined;
    if (higher && !HIGHER_IS.includes(higher)) throw new UserError(`--higher-is must be better, worse or neutral, got ${higher}`);
    const target = num(values, "target");
    if (target !== undefined && !Number.isFinite(target)) throw new UserError(`--target must be a number`);
    const baseline = num(values, "baseline");
    if (baseline !== undefined && !(Number.isInteger(baseline) && baseline >= 12)) {
      throw new UserError(`--baseline must be a whole number of points, at least 12 (the first N points fix the control chart's mean and limits), got ${values.baseline}`);
    }
    const { analysis, sentence } = await analyseSeriesFile(file, {
      date,
      value,
      period,
      higherIs: higher,
      filters: (values.filter as string[] | undefined) ?? [],
      target,
      baseline,
    });
    out(values.json ? JSON.stringify({ ...analysis, summary: sentence }, null, 2) : formatSeriesReport(analysis, sentence));
    return 0;
  },
};
