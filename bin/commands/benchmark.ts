import type { BenchmarkReport } from "../../pipelines/benchmark.ts";
import { benchmarkWorkspace } from "../../app/workflow.ts";
import { type Command, jsonOption, openFromOptions, out, printedJson, workspaceOption } from "./common.ts";

export const benchmarkCommand: Command = {
  summary: "the national benchmark: turnover, agency, vacancy, caseload and absence against England, the region and comparators (DfE)",
  usage: "fairload benchmark [--workspace DIR] [--json]",
  options: { ...workspaceOption, ...jsonOption },
  async run({ values }) {
    const report = await benchmarkWorkspace(openFromOptions(values));
    if (printedJson(values, report.records)) return 0;
    printBenchmark(report);
    return 0;
  },
};

/** One table per measure: a row per area, a column per year. */
function printBenchmark(report: BenchmarkReport): void {
  const years = [...new Set(report.records.map((r) => r.year))].sort();
  const areas = [...new Set(report.records.map((r) => r.area))];
  for (const m of [...new Set(report.records.map((r) => r.measure))]) {
    out(`\n${m}`);
    out(`  ${"area".padEnd(44)} ${years.map((y) => String(y).padStart(6)).join(" ")}`);
    for (const a of areas) {
      const row = years.map((y) => report.records.find((r) => r.area === a && r.year === y && r.measure === m)?.value);
      if (row.every((v) => v === undefined)) continue;
      out(`  ${a.slice(0, 44).padEnd(44)} ${row.map((v) => (v === undefined || v === null ? "-" : Number(v).toFixed(1)).padStart(6)).join(" ")}`);
    }
  }
  for (const n of report.notes) out(`note: ${n}`);
  out("Source: DfE Children's social work workforce statistics; contains public sector information licensed under the Open Government Licence v3.0.");
}
