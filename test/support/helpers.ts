/** Shared test helpers: temp workspaces, writing small returns, running the CLI, snapshots of the database. */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { TABLE_NAMES } from "../../core/contract.ts";
import { openDb, queryRows } from "../../core/db.ts";
import { initWorkspace, type Workspace } from "../../core/workspace.ts";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "bin", "fairload.js");

/** Every temp folder this test process made; removed when it exits (a test file runs in its own process). */
const made = new Set<string>();
process.once("exit", () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/**
 * The one temp-folder helper: a new folder under the system's temp dir, removed when the test
 * file's process ends (sample workspaces are tens of MB), whether its tests pass or fail.
 */
export function tempDir(prefix = "fairload-test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.add(d);
  return d;
}

/** A fresh workspace in a temp folder. */
export function tempWorkspace(employer = "Test employer"): Workspace {
  return initWorkspace(join(tempDir(), "ws"), { employer });
}

export type Rows = Record<string, string | number | boolean | null | undefined>[];

/** RFC 4180 CSV text from row objects (columns from the first row unless given). */
export function toCsv(rows: Rows, columns?: string[], opts: { delimiter?: string; newline?: string } = {}): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const d = opts.delimiter ?? ",";
  const nl = opts.newline ?? "\n";
  const field = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = String(v);
    return s.includes(d) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(d), ...rows.map((r) => cols.map((c) => field(r[c])).join(d))].join(nl) + nl;
}

/** Write a folder return: { worker_month: rows, ... } -> dir/worker_month.csv ... */
export function writeReturn(tables: Record<string, Rows | string>, dir = join(tempDir(), "return")): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, rows] of Object.entries(tables)) {
    writeFileSync(join(dir, name.includes(".") ? name : `${name}.csv`), typeof rows === "string" ? rows : toCsv(rows));
  }
  return dir;
}

/** A small valid return: one team, three workers, one month. */
export function smallReturn(period = "2025-01"): Record<string, Rows> {
  return {
    points_scheme: [
      { service: "Safeguarding and Support", case_type: "Child in Need", points: 3, complexity: 2 },
      { service: "Safeguarding and Support", case_type: "Child Protection", points: 5, complexity: 4 },
    ],
    staff: [
      { worker_id: "W1", ethnicity: "WBRI", gender: "Female", qualified_year: 2010 },
      { worker_id: "W2", ethnicity: "BAFR", gender: "Male", qualified_year: 2016 },
      { worker_id: "W3", ethnicity: "", gender: "Female", qualified_year: 2022 },
    ],
    worker_month: [
      { period, worker_id: "W1", service: "Safeguarding and Support", team: "Team A", role: "Social Worker", fte: 1, employment: "permanent" },
      { period, worker_id: "W2", service: "Safeguarding and Support", team: "Team A", role: "Senior Practitioner", fte: 0.8, employment: "agency" },
      { period, worker_id: "W3", service: "Safeguarding and Support", team: "Team A", role: "ASYE", fte: 1, employment: "permanent" },
    ],
    case_month: [
      { period, worker_id: "W1", case_ref: "C1", case_type: "Child in Need", points: 3, complexity: 2 },
      { period, worker_id: "W1", case_ref: "C2", case_type: "Child Protection", points: 5, complexity: 4 },
      { period, worker_id: "W2", case_ref: "C3", case_type: "Child Protection", points: 6, complexity: 5 },
    ],
  };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in a process of its own and waits for it without blocking the test's event loop
 * (a synchronous spawn of a minute or more, on a busy machine, made vitest's own messages between
 * the test process and the runner time out: "Timeout calling onTaskUpdate"). Killed after 5
 * minutes (status null, as spawnSync's timeout gave).
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill("SIGTERM"), 300_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

/** Every table's content, for "nothing changed" assertions. */
export async function snapshot(ws: Workspace): Promise<Record<string, string>> {
  const db = await openDb(ws.dbPath);
  try {
    const out: Record<string, string> = {};
    const tables = await queryRows<{ table_name: string }>(db.conn, `SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name`);
    for (const { table_name } of tables) {
      const rows = await queryRows(db.conn, `SELECT * FROM "${table_name}" ORDER BY ALL`);
      out[table_name] = JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    }
    return out;
  } finally {
    db.close();
  }
}

export async function query<T = Record<string, unknown>>(ws: Workspace, sql: string): Promise<T[]> {
  const db = await openDb(ws.dbPath);
  try {
    const rows = await queryRows<T>(db.conn, sql);
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
  } finally {
    db.close();
  }
}

export async function currentCounts(ws: Workspace): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLE_NAMES) out[t] = (await query<{ n: number }>(ws, `SELECT count(*) AS n FROM ${t}`))[0].n;
  return out;
}
