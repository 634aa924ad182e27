/**
 * Fairness audit benchmark (issue 4): time and peak memory of `fairload audit` with the default
 * 10,000 resamples per test (early stopping as in production), on the sample employer and on
 * the 1,500-worker employer of the ingest benchmark. Targets: under 10 s, and 30 s for the large
 * employer (issue 16; issue 4 had 60 s). `--json` prints the figures as one JSON line; `--skip-sample`
 * measures the large employer only; `--threads N` runs the audit's tests in N worker threads
 * besides the calling one (FAIRLOAD_AUDIT_THREADS; 0 = the calling thread alone; default one per
 * further core for an employer of 5,000 worker-months or more in the window, pipelines/audit-pool.ts).
 *
 *   npm run bench:audit [-- --json --skip-sample --threads N]
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../core/workspace.ts";
import { employerCsv } from "./employer.ts";

const { values } = parseArgs({ options: { child: { type: "string" }, json: { type: "boolean", default: false }, "skip-sample": { type: "boolean", default: false }, threads: { type: "string" } } });
if (values.threads !== undefined) process.env.FAIRLOAD_AUDIT_THREADS = values.threads;
if (values.child) {
  const { openWorkspace } = await import("../core/workspace.ts");
  const { auditWorkspace } = await import("../app/workflow.ts");
  const ws = openWorkspace(values.child);
  // models first (not timed: fairload run builds them), then the audit as `fairload audit` runs it:
  // the monthly returns' tests, the census and Annex A tests, and the HR tables' step
  const { openDb } = await import("../core/db.ts");
  const { ensureModels } = await import("../pipelines/build.ts");
  const db = await openDb(ws.dbPath);
  await ensureModels(db.conn, ws.config);
  db.close();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await auditWorkspace(ws);
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, tests: r.tests + r.census.results.length + r.hr.tests, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

type Measured = { ms: number; cpuMs: number; tests: number; maxRssMb: number };
const cli = join(PROJECT_ROOT, "bin", "fairload.js");
function prepare(name: string, returns: string): string {
  const ws = join(PROJECT_ROOT, "bench", "out", `workspace-audit-${name}`);
  rmSync(ws, { recursive: true, force: true });
  for (const args of [["init", ws], ["ingest", returns, "-w", ws, "--json"]]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  }
  return ws;
}
function measure(ws: string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "bench", "audit.ts"), "--child", ws], { encoding: "utf8", cwd: PROJECT_ROOT });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Measured;
}

const large = await employerCsv(1500, 60);
const rows: [string, string, Measured, number][] = [
  ...(values["skip-sample"] ? [] : [["sample", "sample employer (~140 workers)", measure(prepare("sample", join(PROJECT_ROOT, "data", "sample", "returns"))), 10] as [string, string, Measured, number]]),
  ["large", "large employer (1,500 workers x 60 months)", measure(prepare("large", large)), 30],
];
if (values.json) {
  console.log(JSON.stringify(Object.fromEntries(rows.map(([key, , m, target]) => [key, { ...m, targetS: target }]))));
} else {
  const threads = process.env.FAIRLOAD_AUDIT_THREADS?.trim() ? `${process.env.FAIRLOAD_AUDIT_THREADS} audit threads besides the calling one` : "audit threads: default";
  console.log(`\nFairness audit, 10,000 resamples per test (early stopping on), 2-core machine, ${threads}`);
  for (const [, name, m, target] of rows) {
    console.log(`  ${name.padEnd(44)} ${m.tests.toLocaleString("en-GB").padStart(6)} tests  ${(m.ms / 1000).toFixed(1).padStart(6)} s, ${(m.cpuMs / 1000).toFixed(1)} s CPU (target <= ${target} s) ${m.ms / 1000 <= target ? "OK" : "OVER TARGET"}  peak ${m.maxRssMb.toFixed(0)} MB`);
  }
}
for (const n of ["sample", "large"]) rmSync(join(PROJECT_ROOT, "bench", "out", `workspace-audit-${n}`), { recursive: true, force: true });
