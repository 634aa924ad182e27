/** What a workspace holds: the quick start prints this after loading the sample returns. */
import { TABLE_NAMES } from "../core/contract.ts";
import { ensureSchema, openDb, queryRows } from "../core/db.ts";
import type { Workspace } from "../core/workspace.ts";

export interface WorkspaceSummary {
  employer: string;
  workspace: string;
  tables: { table: string; current_rows: number; history_rows: number }[];
  first_period: string | null;
  last_period: string | null;
  months: number;
  services: number;
  teams: number;
  workers: number;
  /** Employer-wide figures for the latest month. Workload points are left out on purpose: each service has its own points scheme, so they are never added up across services. */
  latest_month: { period: string; workers: number; fte: number; cases: number; caseload_per_fte: number | null } | null;
  ethnicity: { reporting_group: string; workers: number }[];
  loads: { load_id: number; loaded_at: string; files: number; rows: number }[];
}

export async function summarise(ws: Workspace): Promise<WorkspaceSummary> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    const q = <T>(sql: string) => queryRows<T>(db.conn, sql);
    const tables = [];
    for (const t of TABLE_NAMES) {
      const [r] = await q<{ c: bigint; h: bigint }>(`SELECT (SELECT count(*) FROM ${t}) AS c, (SELECT count(*) FROM hist_${t}) AS h`);
      tables.push({ table: t, current_rows: Number(r.c), history_rows: Number(r.h) });
    }
    const [span] = await q<{ first: string | null; last: string | null; months: bigint; services: bigint; teams: bigint; workers: bigint }>(
      `SELECT min(period) AS first, max(period) AS last, count(DISTINCT period) AS months, count(DISTINCT service) AS services,
              count(DISTINCT (service, team)) AS teams, count(DISTINCT worker_id) AS workers FROM worker_month`,
    );
    let latest: WorkspaceSummary["latest_month"] = null;
    if (span.last) {
      // ratios of sums, never means of ratios
      const [m] = await q<{ workers: bigint; fte: number; cases: bigint }>(
        `SELECT count(*) AS workers, sum(fte) AS fte, (SELECT count(*) FROM case_month c WHERE c.period = '${span.last}') AS cases
         FROM worker_month WHERE period = '${span.last}'`,
      );
      const fte = Number(m.fte);
      latest = {
        period: span.last,
        workers: Number(m.workers),
        fte: round(fte, 1),
        cases: Number(m.cases),
        caseload_per_fte: fte > 0 ? round(Number(m.cases) / fte, 1) : null,
      };
    }
    const ethnicity = (await q<{ reporting_group: string; workers: bigint }>(
      `SELECT coalesce(s.reporting_group, 'Not known') AS reporting_group, count(DISTINCT w.worker_id) AS workers
       FROM worker_month w LEFT JOIN staff s USING (worker_id) GROUP BY ALL ORDER BY workers DESC`,
    )).map((r) => ({ reporting_group: r.reporting_group, workers: Number(r.workers) }));
    const loads = (await q<{ load_id: number; loaded_at: Date; files: bigint; rows: bigint }>(
      `SELECT l.load_id, l.loaded_at, count(f.file_name) AS files, coalesce(sum(f.rows), 0) AS rows
       FROM loads l LEFT JOIN load_files f USING (load_id) GROUP BY ALL ORDER BY l.load_id DESC LIMIT 10`,
    )).map((r) => ({ load_id: Number(r.load_id), loaded_at: new Date(r.loaded_at).toISOString(), files: Number(r.files), rows: Number(r.rows) }));
    return {
      employer: ws.config.employer,
      workspace: ws.dir,
      tables,
      first_period: span.first,
      last_period: span.last,
      months: Number(span.months),
      services: Number(span.services),
      teams: Number(span.teams),
      workers: Number(span.workers),
      latest_month: latest,
      ethnicity,
      loads,
    };
  } finally {
    db.close();
  }
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export function formatSummary(s: WorkspaceSummary): string {
  const lines = [`${s.employer} (workspace ${s.workspace})`];
  if (!s.last_period) return [...lines, "No returns loaded yet. Load some with: fairload ingest PATH"].join("\n");
  lines.push(`${s.months} months (${s.first_period} to ${s.last_period}), ${s.services} services, ${s.teams} teams, ${s.workers} workers`);
  if (s.latest_month) {
    const m = s.latest_month;
    lines.push(`Latest month ${m.period}: ${m.workers} workers (${m.fte} FTE), ${m.cases} cases, ${m.caseload_per_fte} cases per FTE`);
  }
  lines.push("Tables (current rows / rows in history):");
  for (const t of s.tables) lines.push(`  ${t.table.padEnd(14)} ${String(t.current_rows).padStart(9)} / ${t.history_rows}`);
  lines.push("Workers by ethnicity reporting group:");
  for (const e of s.ethnicity) lines.push(`  ${e.reporting_group.padEnd(20)} ${e.workers}`);
  return lines.join("\n");
}
