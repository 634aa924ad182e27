/**
 * A digest of every table `fairload run` and `fairload audit` leave in a workspace database:
 * per table its row count, its columns (sorted) and an md5 over its rows rendered as text in a
 * fixed column and row order. Used to prove that a refactor leaves the sample's marts as they were
 * (test/registry.test.ts) and, with --dump, to see which rows differ when they do not.
 *
 *   node --import tsx test/support/mart-snapshot.ts WORKSPACE_DB [--dump DIR]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

export interface TableDigest {
  rows: number;
  columns: string[];
  md5: string;
}

/** Tables that are bookkeeping rather than results (load history, build stamps). */
const SKIP = /^(hist_|loads$|load_files$|model_state$|model_runs$|ref_|cfg_|dfe_)/;

export async function martDigests(dbPath: string, opts: { dump?: string } = {}): Promise<Record<string, TableDigest>> {
  const instance = await DuckDBInstance.create(dbPath, { access_mode: "READ_ONLY" });
  const conn = await instance.connect();
  try {
    const tables = (await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name`)).getRowObjectsJS() as { table_name: string }[];
    const out: Record<string, TableDigest> = {};
    for (const { table_name: t } of tables) {
      if (SKIP.test(t)) continue;
      const cols = ((await conn.runAndReadAll(`SELECT column_name FROM duckdb_columns() WHERE table_name = '${t}' AND schema_name = 'main'`)).getRowObjectsJS() as { column_name: string }[])
        .map((c) => c.column_name)
        .sort();
      const rowText = `concat_ws('|', ${cols.map((c) => `coalesce(CAST("${c}" AS VARCHAR), '∅')`).join(", ")})`;
      const [r] = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n, md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) AS h FROM (SELECT ${rowText} AS r FROM "${t}")`)).getRowObjectsJS() as { n: number; h: string }[];
      out[t] = { rows: Number(r.n), columns: cols, md5: r.h };
      if (opts.dump) {
        mkdirSync(opts.dump, { recursive: true });
        const lines = (await conn.runAndReadAll(`SELECT ${rowText} AS r FROM "${t}" ORDER BY r`)).getRowObjectsJS() as { r: string }[];
        writeFileSync(join(opts.dump, `${t}.txt`), `${cols.join("|")}\n${lines.map((l) => l.r).join("\n")}\n`);
      }
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [db, flag, dir] = process.argv.slice(2);
  const d = await martDigests(db!, { dump: flag === "--dump" ? dir : undefined });
  process.stdout.write(`${JSON.stringify(d, null, 1)}\n`);
}
