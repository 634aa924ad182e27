/**
 * One measured run, in its own process so that peak memory (maxRSS) is its own:
 *   tsx bench/ingest-child.ts fairload|duckdb DIR WORKSPACE_OR_DB csv|parquet
 * Prints one JSON line: { ms, rows, maxRssMb }.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { openDb, queryRows, quoteLit } from "../core/db.ts";
import { ingest } from "../loaders/ingest.ts";
import { initWorkspace } from "../core/workspace.ts";

const [mode, dir, target, format] = process.argv.slice(2);
const t0 = performance.now();
let rows = 0;
if (mode === "fairload") {
  const ws = initWorkspace(target);
  const s = await ingest(ws, [dir]);
  if (s.status !== "accepted") throw new Error(`ingest ${s.status}: ${JSON.stringify(s.problems.slice(0, 3))}`);
  rows = s.tables.reduce((a, t) => a + t.rows, 0);
} else {
  // DuckDB's own reader into a table of the same files: the floor fairload is measured against
  const db = await openDb(target);
  for (const f of readdirSync(dir).filter((f) => f.endsWith(`.${format}`))) {
    const table = f.replace(/\.\w+$/, "");
    const reader = format === "csv" ? `read_csv(${quoteLit(join(dir, f))})` : `read_parquet(${quoteLit(join(dir, f))})`;
    await db.conn.run(`CREATE TABLE ${table} AS SELECT * FROM ${reader}`);
    rows += Number((await queryRows<{ n: bigint }>(db.conn, `SELECT count(*) AS n FROM ${table}`))[0].n);
  }
  await db.conn.run("CHECKPOINT");
  db.close();
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, rows, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
