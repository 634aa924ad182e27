/**
 * Scale benchmark (issue 16): the whole job, end to end, on 1,500 and on 5,000 workers x 60
 * months (the synthetic employer of loaders/sample/generator.ts, about 1.1 and 3.7 million case
 * rows), step by step as a user runs it: `fairload ingest` of the CSV folder, `fairload run`,
 * `fairload audit` (the default 10,000 resamples, early stopping on) and `fairload build` (the
 * internal dashboard). Each step is its own process, as from the command line, timed with its peak
 * memory (GNU time's maximum resident set size of the step's largest process; the site build's
 * Framework process included); without /usr/bin/time only the times are printed.
 *
 * Prints, per step, the time and peak memory at each size and how each grows from 1,500 to 5,000
 * workers (3.3 times the workers: a growth near 3.3 is linear, far above it is worse). Targets, on
 * 5,000 workers: the whole job under 4 minutes, every step's peak under 4 GB. The CSV folders
 * are generated once into bench/out/employer-<workers>x60/csv. `--json` prints the figures as one
 * JSON line at the end.
 *
 *   npm run bench:scale [-- --sizes 1500,5000] [--json]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../core/workspace.ts";
import { employerCsv } from "./employer.ts";

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1500,5000" }, months: { type: "string", default: "60" }, json: { type: "boolean", default: false } } });
const sizes = values.sizes.split(",").map((s) => Number(s.trim()));
const months = Number(values.months);
const TOTAL_TARGET_S = 240;
const PEAK_TARGET_MB = 4096;
const TIME = "/usr/bin/time";
const haveTime = existsSync(TIME);
const cli = join(PROJECT_ROOT, "bin", "fairload.js");

interface Step {
  step: string;
  seconds: number;
  peakMb: number | null;
}

/** One CLI step in its own process: wall seconds and (with GNU time) the peak resident memory. */
function step(name: string, args: string[]): Step {
  const stats = join(PROJECT_ROOT, "bench", "out", "scale-time.txt");
  const t0 = performance.now();
  const r = haveTime
    ? spawnSync(TIME, ["-f", "%M", "-o", stats, process.execPath, cli, ...args], { encoding: "utf8", cwd: PROJECT_ROOT, maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", cwd: PROJECT_ROOT, maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`fairload ${args.join(" ")} failed:\n${r.stderr || r.stdout}`);
  const peakMb = haveTime ? Number(readFileSync(stats, "utf8").trim().split("\n").pop()) / 1024 : null;
  return { step: name, seconds, peakMb };
}

const employer = (workers: number) => employerCsv(workers, months);

const results: Record<number, Step[]> = {};
const loadBefore = loadavg();
for (const workers of sizes) {
  const csv = await employer(workers);
  const ws = join(PROJECT_ROOT, "bench", "out", `workspace-scale-${workers}`);
  rmSync(ws, { recursive: true, force: true });
  const init = spawnSync(process.execPath, [cli, "init", ws], { encoding: "utf8", cwd: PROJECT_ROOT });
  if (init.status !== 0) throw new Error(init.stderr);
  const steps: Step[] = [];
  for (const [name, args] of [
    ["ingest", ["ingest", csv, "-w", ws]],
    ["run", ["run", "-w", ws]],
    ["audit", ["audit", "-w", ws]],
    ["build", ["build", "-w", ws]],
  ] as const) {
    process.stderr.write(`${workers} workers: ${name} ...`);
    const s = step(name, [...args]);
    process.stderr.write(` ${s.seconds.toFixed(1)} s${s.peakMb === null ? "" : `, peak ${s.peakMb.toFixed(0)} MB`}\n`);
    steps.push(s);
  }
  results[workers] = steps;
  rmSync(ws, { recursive: true, force: true });
}
const loadAfter = loadavg();

const largest = Math.max(...sizes);
const smallest = Math.min(...sizes);
const total = (w: number) => results[w]!.reduce((s, x) => s + x.seconds, 0);
const peak = (w: number) => (haveTime ? Math.max(...results[w]!.map((x) => x.peakMb!)) : null);
const fmtS = (s: number) => `${s.toFixed(1)} s`;
const fmtMb = (m: number | null) => (m === null ? "-" : `${m.toFixed(0)} MB`);

console.log(`\nScale: the whole job on ${sizes.map((w) => `${w.toLocaleString("en-GB")} workers`).join(" and ")} x ${months} months (each step its own process)`);
console.log(`load average before ${loadBefore.map((x) => x.toFixed(1)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(1)).join(" ")}\n`);
const head = ["step", ...sizes.flatMap((w) => [`${w} time`, `${w} peak`]), ...(sizes.length > 1 ? ["time growth", "memory growth"] : [])];
console.log(head.map((h, i) => (i === 0 ? h.padEnd(8) : h.padStart(13))).join(" "));
const growth = (a: number | null, b: number | null) => (a && b ? `${(b / a).toFixed(2)}x` : "-");
for (let i = 0; i < results[smallest]!.length; i++) {
  const name = results[smallest]![i]!.step;
  const cells = sizes.flatMap((w) => [fmtS(results[w]![i]!.seconds), fmtMb(results[w]![i]!.peakMb)]);
  const g = sizes.length > 1 ? [growth(results[smallest]![i]!.seconds, results[largest]![i]!.seconds), growth(results[smallest]![i]!.peakMb, results[largest]![i]!.peakMb)] : [];
  console.log([name.padEnd(8), ...[...cells, ...g].map((c) => c.padStart(13))].join(" "));
}
const totals = sizes.flatMap((w) => [fmtS(total(w)), fmtMb(peak(w))]);
console.log(["total".padEnd(8), ...[...totals, ...(sizes.length > 1 ? [growth(total(smallest), total(largest)), growth(peak(smallest), peak(largest))] : [])].map((c) => c.padStart(13))].join(" "));
if (sizes.length > 1) console.log(`\n(${(largest / smallest).toFixed(2)} times the workers: growth near ${(largest / smallest).toFixed(1)}x is linear)`);
const okTime = total(largest) < TOTAL_TARGET_S;
const pk = peak(largest);
const okMem = pk === null ? null : pk < PEAK_TARGET_MB;
console.log(`\n${largest.toLocaleString("en-GB")} workers, end to end: ${fmtS(total(largest))} (target < ${TOTAL_TARGET_S / 60} min) ${okTime ? "OK" : "OVER TARGET"}; peak ${fmtMb(pk)} (target < 4 GB) ${okMem === null ? "not measured (no /usr/bin/time)" : okMem ? "OK" : "OVER TARGET"}`);
if (values.json) console.log(JSON.stringify({ months, sizes, results, totalTargetS: TOTAL_TARGET_S, peakTargetMb: PEAK_TARGET_MB, loadBefore, loadAfter }));
// with --json the figures are for bench/all.ts, which judges them itself (a non-zero exit would read as a failed benchmark)
if (!values.json) process.exitCode = okTime && okMem !== false ? 0 : 1;
