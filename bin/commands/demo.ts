import { createProgress } from "../../core/progress.ts";
import { formatSummary, summarise } from "../../loaders/summary.ts";
import { auditWorkspace, ingestSample, runAll, SAMPLE_DIR } from "../../app/workflow.ts";
import { buildSite } from "../site.ts";
import { type Command, openFromOptions, out, portOption, serveUntilStopped, workspaceOption } from "./common.ts";
import { printIngest } from "./print.ts";

/** The quick start: the same use cases as ingest, run, audit and build, one after the other. */
export const demoCommand: Command = {
  summary: "the quick start: load the sample (monthly returns, HR tables, census, Annex A), run the pipelines and the audit, build the dashboard and serve it",
  usage: "fairload demo [--workspace DIR] [--port 3000] [--no-serve]",
  options: { ...workspaceOption, ...portOption, "no-serve": { type: "boolean" } },
  async run({ values }) {
    const ws = openFromOptions(values, { create: true });
    const progress = createProgress();
    out(`1/5 Loading the sample (synthetic) from ${SAMPLE_DIR} into ${ws.dir}`);
    const loads = await ingestSample(ws, { progress }, (what, s) => {
      out(`    ${what}`);
      printIngest(s);
    });
    if (loads.some((s) => s.status === "refused")) return 2;
    out("2/5 Building the models, analysing every series, the health check and the national benchmark");
    const r = await runAll(ws, progress);
    out(`    ${r.series.toLocaleString("en-GB")} series in ${r.seconds.toFixed(1)} s`);
    out("3/5 Auditing the fairness of allocation");
    const a = await auditWorkspace(ws, {}, progress);
    out(`    ${a.tests} tests in ${a.seconds.toFixed(1)} s`);
    out("4/5 Building the dashboard (offline)");
    const b = await buildSite(ws, {});
    out(`    ${b.pages} pages in ${b.seconds.toFixed(1)} s into ${b.out}`);
    out("");
    out(formatSummary(await summarise(ws)));
    if (values["no-serve"]) return 0;
    return serveUntilStopped(b.out, values, (url) => {
      out("");
      out(`5/5 The dashboard is at ${url} (Ctrl+C to stop)`);
    });
  },
};
