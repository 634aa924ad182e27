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

/**
 * Columns of rows as arrays (smaller JSON), numbers rounded to 4 significant figures. Two encodings keep large files
 * small, and src/components/format.js `rows` reads both:
 * - a column named in `runs` is run-length encoded, `{"runs": [[value, count], ...]}` (a series id repeated for each of
 *   its months, a control chart's width repeated through each segment, codes that are mostly empty);
 * - a column named in `months` holds YYYY-MM periods as runs of consecutive months, `{"months": [["2021-10", 60], ...]}`.
 */
export function columnar(rows: Row[], columns: string[], runs: string[] = [], months: string[] = []): Record<string, unknown> {
  const round = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v);
  const encodeRuns = (values: unknown[]) => {
    const out: [unknown, number][] = [];
    for (const v of values) {
      const last = out[out.length - 1];
      if (last && last[0] === v) last[1]++;
      else out.push([v, 1]);
    }
    return { runs: out };
  };
  const next = (p: string) => {
    const [y, m] = p.split("-").map(Number) as [number, number];
    return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  };
  const encodeMonths = (values: unknown[]) => {
    const out: [string, number][] = [];
    let expect = "";
    for (const v of values) {
      const p = String(v);
      if (!/^\d{4}-\d{2}$/.test(p)) return values; // not periods after all: plain
      const last = out[out.length - 1];
      if (last && p === expect) last[1]++;
      else out.push([p, 1]);
      expect = next(p);
    }
    return { months: out };
  };
  return Object.fromEntries(columns.map((c) => {
    const values = rows.map((r) => round(r[c]));
    return [c, months.includes(c) ? encodeMonths(values) : runs.includes(c) ? encodeRuns(values) : values];
  }));
}
