/**
 * The one helper every Framework data loader in src/data/ uses: open the workspace database
 * read-only, select from the marts, print JSON. Loaders select and rename; they compute nothing
 * that belongs in a model.
 *
 * `fairload build` sets FAIRLOAD_WORKSPACE (which database) and FAIRLOAD_PUBLIC=1 for a build
 * that may be published. In a public build:
 * - no worker-level row and no worker identifier is ever emitted (`internalOnly` tables give []);
 * - a count of people under the minimum group size is withheld, with secondary suppression so it
 *   cannot be worked out from the service total (`suppressCounts`);
 * - a team's figures are withheld for months when the team has fewer workers than the minimum
 *   (its averages would describe a group that small).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, defaultConfig, parseConfig } from "../../core/config.ts";
import { openDb, queryRows } from "../../core/db.ts";
import { suppressCells } from "../../pipelines/disclosure.ts";

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
 * Withhold counts of people under the minimum in a public build, with secondary suppression
 * across the teams of each service (teams add up to their service) for each period and field.
 * Rows need `service`, `team`, `period`; `fields` are the count columns. Internal builds are
 * untouched.
 */
export function suppressCounts(rows: Row[], fields: string[], min = config().min_group_size, withheld: (r: Row) => boolean = () => false): Row[] {
  if (!PUBLIC) return rows;
  const out = rows.map((r) => ({ ...r }));
  for (const field of fields) {
    // a row withheld for another reason (a team too small to show) is a hidden cell too: count it
    // as one so that the rule protects it
    const cells = out.map((r, i) => ({ id: String(i), count: withheld(r) ? 1 : Number(r[field] ?? 0) }));
    const sets = new Map<string, string[]>();
    out.forEach((r, i) => {
      const key = `${r.period}\u0000${r.service}`;
      sets.set(key, [...(sets.get(key) ?? []), String(i)]);
    });
    // each service's teams plus an implicit, published service total
    const constraints = [...sets.values()];
    const { all } = suppressCells(cells, constraints, min);
    for (const id of all) out[Number(id)][field] = null;
  }
  return out;
}

/** In a public build, drop a team's rows for months when it had fewer workers than the minimum. */
export function dropSmallTeams(rows: Row[], headcount: Map<string, number>, min = config().min_group_size): Row[] {
  if (!PUBLIC) return rows;
  return rows.filter((r) => !r.team || (headcount.get(`${r.service}\u0000${r.team}\u0000${r.period}`) ?? 0) >= min);
}

/** Team headcounts by month, for dropSmallTeams. */
export async function teamHeadcounts(): Promise<Map<string, number>> {
  const rows = await rowsOf("int_team_month", `SELECT service, team, period, headcount FROM int_team_month`);
  return new Map(rows.map((r) => [`${r.service}\u0000${r.team}\u0000${r.period}`, Number(r.headcount)]));
}

/** Columns of rows as arrays (smaller JSON), numbers rounded to 4 significant figures. */
export function columnar(rows: Row[], columns: string[]): Record<string, unknown[]> {
  const round = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v);
  return Object.fromEntries(columns.map((c) => [c, rows.map((r) => round(r[c]))]));
}

/**
 * SQL condition leaving out, in a public build, measures that count people (unit "workers", e.g.
 * caseload reviews requested): their monthly values are small groups of people.
 */
export function publicMeasureFilter(column = "measure"): string {
  return PUBLIC ? `${column} NOT IN (SELECT measure FROM ref_measures WHERE unit = 'workers')` : "true";
}
