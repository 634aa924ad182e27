/**
 * The one helper every Framework data loader in src/data/ uses: open the workspace database
 * read-only, select from the marts, print JSON. Loaders select and rename; they compute nothing
 * that belongs in a model.
 *
 * `fairload build` sets FAIRLOAD_WORKSPACE (which database) and FAIRLOAD_PUBLIC=1 for a build
 * that may be published. A public build reads only the public layer's `pub_*` models
 * (pipelines/models/public/, pipelines/public.ts), which apply the disclosure rule; loaders hold
 * no suppression logic of their own, and worker-level tables give [] (`internalOnly`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, defaultConfig, parseConfig } from "../../core/config.ts";
import { openDb, queryRows } from "../../core/db.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const WORKSPACE = resolve(process.env.FAIRLOAD_WORKSPACE ?? join(ROOT, "data"));
export const PUBLIC = process.env.FAIRLOAD_PUBLIC === "1";

/** The workspace's config, validated as every command reads it (defaults from core/defaults.ts). */
export function config(): Config {
  const file = join(WORKSPACE, "fairload.json");
  return existsSync(file) ? parseConfig(JSON.parse(readFileSync(file, "utf8")), file) : defaultConfig();
}

export type Row = Record<string, unknown>;

/** Run queries against the workspace database (read-only); BigInts become numbers. */
export async function query(sql: string): Promise<Row[]> {
  const db = await openDb(join(WORKSPACE, "fairload.duckdb"), { readOnly: true, waitMs: 60_000 });
  try {
    const rows = await queryRows(db.conn, sql);
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v)));
  } finally {
    db.close();
  }
}

/** Does the table exist (a workspace that has not run the audit, say, has no fairness marts)? */
export async function hasTable(name: string): Promise<boolean> {
  const rows = await query(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${name.replace(/'/g, "''")}'`);
  return Number(rows[0].n) > 0;
}

/** Print a loader's output. */
export function emit(value: unknown): void {
  process.stdout.write(JSON.stringify(value));
}

/** Rows from a table only if it exists, else []. */
export async function rowsOf(table: string, sql: string): Promise<Row[]> {
  return (await hasTable(table)) ? query(sql) : [];
}

/** For tables that describe individual workers: never in a public build. */
export async function internalOnly(table: string, sql: string): Promise<Row[]> {
  return PUBLIC ? [] : rowsOf(table, sql);
}

/** Columns of rows as arrays (smaller JSON), numbers rounded to 4 significant figures. */
export function columnar(rows: Row[], columns: string[]): Record<string, unknown[]> {
  const round = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v);
  return Object.fromEntries(columns.map((c) => [c, rows.map((r) => round(r[c]))]));
}
