/**
 * Pipeline benchmark (issue 3): `fairload run` on the large employer of the ingest benchmark
 * (1,500 workers x 60 months): every model built and every series analysed (employer, services,
 * teams and, for internal views, each worker's caseload and points per FTE).
 * Prints series analysed per second, total time and peak memory. Target: under 20 s.
 *
 *   npm run bench:run [-- --workers 1500 --months 60]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateEmployerStream } from "../loaders/sample/generator.ts";
import { writeCsvFolder } from "../loaders/sample/write.ts";
import { PROJECT_ROOT } from "../core/workspace.ts";

const { values } = parseArgs({ options: { workers: { type: "string", default: "1500" }, months: { type: "string", default: "60" }, child: { type: "string" } } });

if (values.child) {
  // the measured process: run the pipelines on an already-loaded workspace
  const { openWorkspace } = await import("../core/workspace.ts");
  const { runAll } = await import("../app/workflow.ts");
  const t0 = performance.now();
  const r = await runAll(openWorkspace(values.child));
  console.log(JSON.stringify({ ...r, ms: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const workers = Number(values.workers);
const months = Number(values.months);
const out = join(PROJECT_ROOT, "bench", "out", `employer-${workers}x${months}`);
const csvDir = join(out, "csv");
if (!existsSync(join(csvDir, "case_month.csv"))) {
  mkdirSync(csvDir, { recursive: true });
  await writeCsvFolder(generateEmployerStream({ workers, months }), csvDir);
}
const ws = join(out, "workspace-run");
rmSync(ws, { recursive: true, force: true });
const cli = join(PROJECT_ROOT, "bin", "fairload.js");
const init = spawnSync(process.execPath, [cli, "init", ws], { encoding: "utf8" });
if (init.status !== 0) throw new Error(init.stderr);
const load = spawnSync(process.execPath, [cli, "ingest", csvDir, "-w", ws, "--json"], { encoding: "utf8" });
if (load.status !== 0) throw new Error(load.stdout + load.stderr);
const r = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "bench", "run.ts"), "--child", ws], { encoding: "utf8", cwd: PROJECT_ROOT });
if (r.status !== 0) throw new Error(r.stderr);
const m = JSON.parse(r.stdout.trim().split("\n").pop()!);
console.log(`\nfairload run: ${workers} workers x ${months} months (2-core machine)`);
console.log(`  models built      ${m.models}`);
console.log(`  series analysed   ${m.series.toLocaleString("en-GB")} (${m.bySeriesStatus.ok ?? 0} with every method, ${m.bySeriesStatus.limited ?? 0} with stated limitations)`);
console.log(`  total time        ${(m.ms / 1000).toFixed(1)} s (target < 20 s) ${m.ms < 20_000 ? "OK" : "OVER TARGET"}`);
console.log(`  series per second ${Math.round(m.series / (m.ms / 1000)).toLocaleString("en-GB")}`);
console.log(`  peak memory       ${m.maxRssMb.toFixed(0)} MB`);
rmSync(ws, { recursive: true, force: true });
