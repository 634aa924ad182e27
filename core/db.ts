/**
 * The workspace database: opening it (with a clear message when another process holds it),
 * and the schema of the contract tables.
 *
 * Every contract table is stored with its full history as `hist_<table>`: one row per row
 * received, with the load that brought it (`_load_id`), where it came from (`_source`, `_row`)
 * and the load that replaced it (`_superseded_by`, NULL while current). The contract's own
 * table names (`staff`, `worker_month`, ...) are views of the current version.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { DuckDBConnection, DuckDBInstance, DuckDBListValue, LIST, VARCHAR, type DuckDBType } from "@duckdb/node-api";
import { CONTRACT, type ColumnType, sideSchemaSql, TABLE_NAMES, type TableName } from "./contract.ts";
import { ETHNICITY_CODES, ethnicityLookup } from "./ethnicity.ts";
import { UserError, plainMessage, toUserError } from "./errors.ts";

export const SQL_TYPE: Record<ColumnType, string> = {
  string: "VARCHAR",
  period: "VARCHAR",
  integer: "BIGINT",
  number: "DOUBLE",
  boolean: "BOOLEAN",
  date: "DATE",
};

/** Columns derived at ingest (beyond the contract's own), per table. */
export const DERIVED_COLUMNS: Partial<Record<TableName, { name: string; sql: string }[]>> = {
  staff: [
    { name: "ethnicity_code", sql: "VARCHAR" },
    { name: "ethnicity_label", sql: "VARCHAR" },
    { name: "ons_group", sql: "VARCHAR" },
    { name: "reporting_group", sql: "VARCHAR" },
  ],
};

export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
export const quoteLit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface Db {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  close(): void;
}

/** Options for {@link openDb}. */
export interface OpenDbOptions {
  readOnly?: boolean;
  /** How long to wait for a lock held by another process (default FAIRLOAD_LOCK_WAIT_MS or 30 s). */
  waitMs?: number;
  /** DuckDB's memory limit in MB (default FAIRLOAD_MEMORY_LIMIT_MB, else half the machine's memory). */
  memoryLimitMb?: number;
  /** Where DuckDB spills temp data (default `<folder of the database>/tmp/duckdb`, inside the workspace). */
  tempDirectory?: string;
}

/**
 * The memory limit DuckDB gets: the option, else FAIRLOAD_MEMORY_LIMIT_MB, else half the
 * machine's memory (DuckDB's own default is 80%, too much on a shared laptop), at least 64 MB.
 */
export function memoryLimitMb(option?: number): number {
  const env = Number(process.env.FAIRLOAD_MEMORY_LIMIT_MB);
  const mb = option ?? (Number.isFinite(env) && env > 0 ? env : Math.floor(totalmem() / 1048576 / 2));
  return Math.max(64, Math.floor(mb));
}

/**
 * Open a DuckDB database file. Extensions are never downloaded (a missing one fails fast).
 * When another process holds the file, wait up to `waitMs` and then say so plainly. Memory is
 * capped (see {@link memoryLimitMb}) and temp data spills to a folder inside the workspace,
 * so a large return streams through bounded memory and nothing is written outside it.
 * A workspace database that has gone missing while its ingest log records accepted loads is
 * not silently re-created empty: that would make the log and the archive disagree with it.
 */
export async function openDb(path: string, opts: OpenDbOptions = {}): Promise<Db> {
  const waitMs = opts.waitMs ?? Number(process.env.FAIRLOAD_LOCK_WAIT_MS ?? 30_000);
  const inMemory = path === ":memory:" || path === "";
  if (!inMemory && !opts.readOnly) assertNotLost(path);
  const settings: Record<string, string> = {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "true",
    memory_limit: `${memoryLimitMb(opts.memoryLimitMb)}MB`,
    ...(opts.readOnly ? { access_mode: "READ_ONLY" } : {}),
  };
  if (!inMemory) settings.temp_directory = opts.tempDirectory ?? join(dirname(resolve(path)), "tmp", "duckdb");
  const started = Date.now();
  for (;;) {
    try {
      const instance = await DuckDBInstance.create(path, settings);
      const conn = await instance.connect();
      return {
        instance,
        conn,
        close() {
          conn.closeSync();
          instance.closeSync();
        },
      };
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (/Could not set lock/i.test(msg)) {
        if (Date.now() - started < waitMs) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const pid = /PID (\d+)/.exec(msg)?.[1];
        throw new UserError(
          `The workspace database ${path} is in use by another fairload process${pid ? ` (PID ${pid})` : ""}. ` +
            `Nothing was changed; try again when it has finished.`,
        );
      }
      if (/not a valid DuckDB database|Corrupt|checksum|invalid/i.test(msg)) {
        throw new UserError(`The workspace database ${path} cannot be opened (${plainMessage(e)}). Rebuild it from the archive with: fairload rebuild`);
      }
      throw toUserError(e, "Opening the workspace database") ?? e;
    }
  }
}

/**
 * Refuse to start an empty database in place of a workspace database that has disappeared:
 * when `fairload.duckdb` is missing but the ingest log beside it records accepted loads.
 */
function assertNotLost(path: string): void {
  if (basename(path) !== "fairload.duckdb" || existsSync(path)) return;
  const log = join(dirname(resolve(path)), "ingest-log.jsonl");
  if (!existsSync(log)) return;
  if (!/"status":"accepted"/.test(readFileSync(log, "utf8"))) return;
  throw new UserError(
    `The workspace database ${path} is missing, but the ingest log ${log} records accepted loads. ` +
      `Nothing was changed; rebuild the database from the archive with: fairload rebuild`,
  );
}

/**
 * Create the history tables, current-version views and reference tables if missing, and
 * refresh the reference tables, all in one transaction (all or nothing under a kill).
 */
export async function ensureSchema(conn: DuckDBConnection): Promise<void> {
  const stmts: string[] = [
    `CREATE TABLE IF NOT EXISTS loads (
      load_id INTEGER PRIMARY KEY, loaded_at TIMESTAMP NOT NULL, paths VARCHAR[] NOT NULL,
      column_map JSON, row_counts JSON, superseded_counts JSON)`,
    `CREATE TABLE IF NOT EXISTS load_files (
      load_id INTEGER NOT NULL, source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sheet VARCHAR,
      table_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, archived_as VARCHAR NOT NULL, rows BIGINT NOT NULL)`,
  ];
  for (const t of TABLE_NAMES) {
    const spec = CONTRACT[t];
    const cols = [
      ...spec.columns.map((c) => `${quoteIdent(c.name)} ${SQL_TYPE[c.type]}`),
      ...(DERIVED_COLUMNS[t] ?? []).map((c) => `${quoteIdent(c.name)} ${c.sql}`),
    ];
    stmts.push(
      `CREATE TABLE IF NOT EXISTS hist_${t} (_load_id INTEGER NOT NULL, _source VARCHAR NOT NULL, _row BIGINT NOT NULL, ${cols.join(", ")}, extra JSON, _superseded_by INTEGER)`,
    );
    const visible = [...spec.columns.map((c) => c.name), ...(DERIVED_COLUMNS[t] ?? []).map((c) => c.name)].map(quoteIdent);
    stmts.push(`CREATE OR REPLACE VIEW ${t} AS SELECT ${visible.join(", ")}, extra, _load_id FROM hist_${t} WHERE _superseded_by IS NULL`);
  }
  // the workforce census and Annex A tables (empty until loaded), so that every workspace has them
  stmts.push(...sideSchemaSql());
  stmts.push(
    `CREATE OR REPLACE TABLE ref_ethnicity (code VARCHAR PRIMARY KEY, label VARCHAR, ons_group VARCHAR, reporting_group VARCHAR)`,
    `INSERT INTO ref_ethnicity VALUES ${ETHNICITY_CODES.map((c) => `(${[c.code, c.label, c.ons_group, c.reporting_group].map(quoteLit).join(", ")})`).join(", ")}`,
    `CREATE OR REPLACE TABLE ref_ethnicity_spelling (spelling_key VARCHAR PRIMARY KEY, code VARCHAR)`,
    `INSERT INTO ref_ethnicity_spelling VALUES ${ethnicityLookup().map((e) => `(${quoteLit(e.key)}, ${quoteLit(e.code.code)})`).join(", ")}`,
  );
  // one transaction: a kill between `CREATE OR REPLACE TABLE ref_ethnicity` and its INSERT
  // must not leave the reference tables empty (inside a caller's transaction, that one serves)
  const own = !inTransactionNow.has(conn);
  if (own) await conn.run("BEGIN TRANSACTION");
  try {
    for (const s of stmts) await conn.run(s);
    if (own) await conn.run("COMMIT");
  } catch (e) {
    if (own) await conn.run("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/** Connections inside {@link inTransaction} right now (so that ensureSchema joins, not nests). */
const inTransactionNow = new WeakSet<DuckDBConnection>();

/** Run `fn` in a transaction: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  // already inside one: join it, so that the caller's transaction stays all or nothing
  if (inTransactionNow.has(conn)) return fn();
  await conn.run("BEGIN TRANSACTION");
  inTransactionNow.add(conn);
  try {
    const out = await fn();
    await conn.run("COMMIT");
    return out;
  } catch (e) {
    try {
      await conn.run("ROLLBACK");
    } catch {
      /* the transaction may already be aborted */
    }
    throw e;
  } finally {
    inTransactionNow.delete(conn);
  }
}

export async function queryRows<T = Record<string, unknown>>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowObjectsJS() as T[];
}

/** A bound parameter of {@link queryParams}. */
export type QueryParam = string | number | null | DuckDBListValue;

/**
 * Run `sql` and return its rows as plain JS objects. Only the `$name` parameters the SQL
 * mentions are bound (DuckDB refuses unused ones); strings bind as VARCHAR, lists as
 * VARCHAR[], numbers and NULL are typed by the SQL (write `CAST($year AS INTEGER)`).
 */
export async function queryParams<T>(conn: DuckDBConnection, sql: string, params: Record<string, QueryParam> = {}): Promise<T[]> {
  const used = Object.entries(params).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql));
  if (!used.length) return (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
  const types: Record<string, DuckDBType> = {};
  for (const [k, v] of used) {
    if (typeof v === "string") types[k] = VARCHAR;
    else if (v instanceof DuckDBListValue) types[k] = LIST(VARCHAR);
  }
  return (await conn.runAndReadAll(sql, Object.fromEntries(used), types)).getRowObjectsJS() as T[];
}

/** Column name -> DuckDB type, in output order. */
export type ColumnTypes = Record<string, string>;

/**
 * Replace `table` with `rows` (objects keyed by column name; a missing key is NULL), typed by
 * `columns`, in the caller's transaction if there is one. The one writer for every table that
 * TypeScript computes: an empty result is an empty table with its typed columns, never a
 * placeholder. Rows go through newline-delimited JSON so that lists and JSON keep their types.
 */
export async function writeTable(conn: DuckDBConnection, table: string, columns: ColumnTypes, rows: readonly object[]): Promise<void> {
  const names = Object.keys(columns);
  if (rows.length === 0) {
    await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT ${names.map((c) => `CAST(NULL AS ${columns[c]}) AS ${quoteIdent(c)}`).join(", ")} WHERE false`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "fairload-table-"));
  try {
    const file = join(dir, "rows.ndjson");
    writeFileSync(file, rows.map((row) => JSON.stringify(Object.fromEntries(names.map((c) => [c, (row as Record<string, unknown>)[c] ?? null])))).join("\n") + "\n");
    const spec = `{${names.map((c) => `${quoteLit(c)}: ${quoteLit(columns[c]!)}`).join(", ")}}`;
    await conn.run(
      `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT ${names.map(quoteIdent).join(", ")} FROM read_json(${quoteLit(file)}, format = 'newline_delimited', columns = ${spec})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
