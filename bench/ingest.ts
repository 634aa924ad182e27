/**
 * Ingest benchmark (issue 2): a large synthetic employer (1,500 workers x 60 months, about a
 * million case rows) loaded by `fairload ingest` (validation, history and archive included)
 * against DuckDB's own read_csv / read_parquet into tables of the same files, as CSV and as
 * Parquet. Runs are interleaved and repeated; the best of each is reported, with the ratio.
 * Target: fairload within 1.3x of the raw DuckDB load (issue 16; issue 2 had 2x).
 *
 *   npm run bench:ingest [-- --workers 1500 --months 60 --repeat 3 --json]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDb, quoteLit } from "../core/db.ts";
import { generateEmployerStream } from "../loaders/sample/generator.ts";
import { writeCsvFolder } from "../loaders/sample/write.ts";
import { PROJECT_ROOT } from "../core/workspace.ts";

const { values } = parseArgs({ options: { workers: { type: "string", default: "1500" }, months: { type: "string", default: "60" }, repeat: { type: "string", default: "3" }, json: { type: "boolean", default: false } } });
const TARGET_RATIO = 1.3;
const workers = Number(values.workers);
const months = Number(values.months);
const repeat = Number(values.repeat);
const out = join(PROJECT_ROOT, "bench", "out", `employer-${workers}x${months}`);
const csvDir = join(out, "csv");
const pqDir = join(out, "parquet");

if (!existsSync(join(csvDir, "case_month.csv"))) {
  mkdirSync(csvDir, { recursive: true });
  const t = performance.now();
  await writeCsvFolder(generateEmployerStream({ workers, months }), csvDir);
  console.log(`generated ${csvDir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
if (!existsSync(join(pqDir, "case_month.parquet"))) {
  mkdirSync(pqDir, { recursive: true });
  const db = await openDb(":memory:");
  for (const f of readdirSync(csvDir)) {
    await db.conn.run(`COPY (SELECT * FROM read_csv(${quoteLit(join(csvDir, f))}, all_varchar = true)) TO ${quoteLit(join(pqDir, f.replace(".csv", ".parquet")))} (FORMAT parquet)`);
  }
  db.close();
}

function measure(mode: "fairload" | "duckdb", format: "csv" | "parquet", i: number) {
  const target = join(out, `run-${mode}-${format}-${i}`);
  rmSync(target, { recursive: true, force: true });
  rmSync(`${target}.duckdb`, { force: true });
  const dest = mode === "fairload" ? target : `${target}.duckdb`;
  const r = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "bench", "ingest-child.ts"), mode, format === "csv" ? csvDir : pqDir, dest, format], { encoding: "utf8", cwd: PROJECT_ROOT });
  if (r.status !== 0) throw new Error(`${mode} ${format} failed: ${r.stderr}`);
  rmSync(target, { recursive: true, force: true });
  rmSync(`${target}.duckdb`, { force: true });
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { ms: number; rows: number; maxRssMb: number };
}

const best: Record<string, { ms: number; rows: number; maxRssMb: number }> = {};
for (let i = 0; i < repeat; i++) {
  for (const format of ["csv", "parquet"] as const) {
    for (const mode of ["duckdb", "fairload"] as const) {
      const m = measure(mode, format, i);
      const k = `${mode}-${format}`;
      if (!best[k] || m.ms < best[k].ms) best[k] = { ...m, maxRssMb: Math.max(m.maxRssMb, best[k]?.maxRssMb ?? 0) };
    }
  }
}
if (values.json) {
  const fig = (format: string) => ({ ...best[`fairload-${format}`], duckdbMs: best[`duckdb-${format}`].ms, ratio: best[`fairload-${format}`].ms / best[`duckdb-${format}`].ms });
  console.log(JSON.stringify({ repeat, target: TARGET_RATIO, csv: fig("csv"), parquet: fig("parquet") }));
  process.exit(0);
}
console.log(`\nIngest benchmark: ${workers} workers x ${months} months, best of ${repeat} interleaved runs (2-core machine)`);
console.log("format   loader     rows        seconds  rows/s      peak RSS MB");
for (const format of ["csv", "parquet"]) {
  for (const mode of ["duckdb", "fairload"]) {
    const m = best[`${mode}-${format}`];
    console.log(`${format.padEnd(8)} ${mode.padEnd(10)} ${String(m.rows).padEnd(11)} ${(m.ms / 1000).toFixed(2).padStart(7)}  ${Math.round(m.rows / (m.ms / 1000)).toLocaleString("en-GB").padStart(10)}  ${m.maxRssMb.toFixed(0).padStart(8)}`);
  }
  const ratio = best[`fairload-${format}`].ms / best[`duckdb-${format}`].ms;
  console.log(`${format.padEnd(8)} ratio fairload / DuckDB = ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x) ${ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"}\n`);
}
