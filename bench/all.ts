/**
 * Every benchmark, one table (issue 16): ingest (fairload against DuckDB's own load, interleaved,
 * best of 3), `fairload run` (best of 3), the fairness audit (measured once; the large employer),
 * the site (build time and the data each page loads, sample and large employer), and the scale
 * benchmark (the whole job on 1,500 and 5,000 workers, each step's time and peak memory). Each runs
 * in processes of its own (bench/ingest.ts, run.ts, audit.ts, site.ts, scale.ts with --json) on the
 * large synthetic employer, 1,500 workers x 60 months (bench/out/employer-1500x60/csv), and for the
 * scale benchmark also on 5,000 workers (bench/out/employer-5000x60/csv); each folder is generated
 * once and again whenever the generator's code changes (bench/employer.ts).
 *
 * Prints: what, figure, target, OK or OVER; then the machine, the date and the load average
 * before and after (other work on the machine moves wall times: CPU times are printed beside
 * them). The figures also go to bench/out/latest.json. docs/performance.md keeps the latest table.
 *
 *   npm run bench [-- --repeat 3] [--skip ingest,run,audit,site,scale]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../core/workspace.ts";

const { values } = parseArgs({ options: { repeat: { type: "string", default: "3" }, skip: { type: "string", default: "" } } });
const skip = new Set(values.skip.split(",").map((s) => s.trim()).filter(Boolean));
const repeat = values.repeat;

interface Row {
  what: string;
  figure: string;
  target: string;
  ok: boolean | null;
  note?: string;
}
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const started = new Date();
const loadBefore = loadavg();

/** Run one benchmark script with --json and return its last line, parsed. */
function bench<T>(script: string, args: string[]): T {
  const t0 = performance.now();
  process.stderr.write(`running bench/${script} ${args.join(" ")} ...`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "bench", script), ...args, "--json"], { encoding: "utf8", cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 });
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  if (r.status !== 0) throw new Error(`bench/${script} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (x: number) => `${x.toFixed(0)} MB`;

if (!skip.has("ingest")) {
  type Fig = { ms: number; duckdbMs: number; ratio: number; rows: number; maxRssMb: number };
  const r = bench<{ target: number; csv: Fig; parquet: Fig }>("ingest.ts", ["--repeat", repeat]);
  raw.ingest = r;
  for (const f of ["csv", "parquet"] as const) {
    rows.push({ what: `ingest ${f === "csv" ? "CSV" : "Parquet"}: fairload / DuckDB's own load`, figure: `${r[f].ratio.toFixed(2)}x (${s(r[f].ms)} / ${s(r[f].duckdbMs)})`, target: `<= ${r.target}x`, ok: r[f].ratio <= r.target, note: `peak ${mb(r[f].maxRssMb)}` });
  }
}

if (!skip.has("run")) {
  type M = { ms: number; cpuMs: number; maxRssMb: number; series: number };
  const r = bench<{ best: M; runs: M[] }>("run.ts", ["--repeat", repeat]);
  raw.run = r;
  rows.push({ what: `fairload run (${r.best.series.toLocaleString("en-GB")} series), best of ${r.runs.length}`, figure: s(r.best.ms), target: "<= 12 s", ok: r.best.ms <= 12_000, note: `CPU ${s(r.best.cpuMs)}; runs ${r.runs.map((x) => s(x.ms)).join(", ")}` });
  rows.push({ what: "fairload run, peak memory (worst run)", figure: mb(r.best.maxRssMb), target: "<= 1,000 MB", ok: r.best.maxRssMb <= 1000 });
}

if (!skip.has("audit")) {
  type M = { ms: number; cpuMs: number; tests: number; maxRssMb: number; targetS: number };
  const r = bench<{ large: M }>("audit.ts", ["--skip-sample"]);
  raw.audit = r;
  rows.push({ what: `fairload audit, large employer (${r.large.tests.toLocaleString("en-GB")} tests), once`, figure: s(r.large.ms), target: `<= ${r.large.targetS} s`, ok: r.large.ms <= r.large.targetS * 1000, note: `CPU ${s(r.large.cpuMs)}; peak ${mb(r.large.maxRssMb)}` });
}

if (!skip.has("site")) {
  type Page = { path: string; dataBytes: number };
  type Fig = { buildS: number; pages: Page[] };
  const r = bench<{ pageTargetBytes: number; buildTargetS: number; browser: boolean; sample: Fig; large: Fig | null }>("site.ts", ["--runs", "1", "--resamples", "999"]);
  raw.site = r;
  for (const [name, f] of [["sample", r.sample], ["large", r.large]] as const) {
    if (!f) continue;
    if (name === "large") rows.push({ what: "site build, large employer", figure: `${f.buildS.toFixed(1)} s`, target: `< ${r.buildTargetS} s`, ok: f.buildS < r.buildTargetS });
    if (!r.browser) {
      rows.push({ what: `page data, ${name} employer`, figure: "not measured (no Chromium)", target: "<= 1 MB every page", ok: null });
      continue;
    }
    const heaviest = f.pages.reduce((a, b) => (b.dataBytes > a.dataBytes ? b : a));
    const over = f.pages.filter((p) => p.dataBytes > r.pageTargetBytes);
    rows.push({
      what: `page data, ${name} employer, heaviest page (${heaviest.path})`, figure: `${(heaviest.dataBytes / 1e6).toFixed(2)} MB`, target: "<= 1 MB every page", ok: over.length === 0,
      note: over.length ? `over: ${over.map((p) => `${p.path} ${(p.dataBytes / 1e6).toFixed(2)} MB`).join(", ")}` : `${f.pages.length} pages`,
    });
  }
}

if (!skip.has("scale")) {
  type St = { step: string; seconds: number; peakMb: number | null };
  const r = bench<{ sizes: number[]; results: Record<string, St[]>; totalTargetS: number; peakTargetMb: number }>("scale.ts", []);
  raw.scale = r;
  const [small, large] = [Math.min(...r.sizes), Math.max(...r.sizes)];
  const total = (w: number) => r.results[w]!.reduce((a, x) => a + x.seconds, 0);
  const peaks = r.results[large]!.map((x) => x.peakMb).filter((x): x is number => x !== null);
  const growth = r.results[large]!.map((x, i) => `${x.step} ${(x.seconds / r.results[small]![i]!.seconds).toFixed(1)}x`).join(", ");
  rows.push({ what: `scale: ${large.toLocaleString("en-GB")} workers x 60 months, ingest + run + audit + build`, figure: s(total(large) * 1000), target: `< ${r.totalTargetS / 60} min`, ok: total(large) < r.totalTargetS, note: `time growth from ${small.toLocaleString("en-GB")} workers (${(large / small).toFixed(1)}x): ${growth}` });
  rows.push({ what: `scale: ${large.toLocaleString("en-GB")} workers, peak memory of any step`, figure: peaks.length ? mb(Math.max(...peaks)) : "not measured", target: "< 4,096 MB", ok: peaks.length ? Math.max(...peaks) < r.peakTargetMb : null, note: r.results[large]!.map((x) => `${x.step} ${x.peakMb === null ? "-" : mb(x.peakMb)}`).join(", ") });
}

const loadAfter = loadavg();
const widths = [Math.max(4, ...rows.map((r) => r.what.length)), Math.max(6, ...rows.map((r) => r.figure.length)), Math.max(6, ...rows.map((r) => r.target.length))];
const line = (cells: string[]) => `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]!.padStart(widths[1]!)}  ${cells[2]!.padEnd(widths[2]!)}  ${cells[3]}${cells[4] ? `  ${cells[4]}` : ""}`;
console.log(`\nfairload benchmarks, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} free), Node ${process.version}`);
console.log(`load average before ${loadBefore.map((x) => x.toFixed(1)).join(" ")}, after ${loadAfter.map((x) => x.toFixed(1)).join(" ")} (above 2 on 2 cores: something else was running, and wall times are longer)\n`);
console.log(line(["what", "figure", "target", "", ""]));
for (const r of rows) console.log(line([r.what, r.figure, r.target, r.ok === null ? "-" : r.ok ? "OK" : "OVER", r.note ?? ""]));
mkdirSync(join(PROJECT_ROOT, "bench", "out"), { recursive: true });
writeFileSync(join(PROJECT_ROOT, "bench", "out", "latest.json"), JSON.stringify({ at: started.toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, memGiB: totalmem() / 2 ** 30, node: process.version }, loadBefore, loadAfter, rows, raw }, null, 1));
process.exitCode = rows.every((r) => r.ok !== false) ? 0 : 1;
