/**
 * Use cases: what a command asks of fairload, written once and shared by the CLI's commands,
 * the quick start and the tests. This layer is the only one that calls both ingest (loaders/)
 * and analysis (pipelines/): neither of those knows about the other.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureSchema, openDb, queryRows } from "../core/db.ts";
import type { Progress } from "../core/progress.ts";
import { PROJECT_ROOT, type Workspace } from "../core/workspace.ts";
import { ensureDfe } from "../loaders/dfe.ts";
import { ingest, type IngestOptions, type IngestSummary } from "../loaders/ingest.ts";
import { type AuditOptions, type AuditRun, runAudit } from "../pipelines/audit.ts";
import { type BenchmarkOptions, type BenchmarkReport, benchmarkReport } from "../pipelines/benchmark.ts";
import { type CensusAuditRun, runCensusAudit } from "../pipelines/census-audit.ts";
import { type HrAuditRun, runHrAudit } from "../pipelines/hr-audit.ts";
import { listModels, type ModelListing, type RunSummary, runPipelines } from "../pipelines/run.ts";

/** Make sure the DfE national tables are in the workspace (loaded once, in their own transaction). */
export async function prepareSources(ws: Workspace): Promise<void> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    await ensureDfe(db.conn);
  } finally {
    db.close();
  }
}

/**
 * `fairload run`, all or nothing: every model of the registry that "run" writes, in one
 * transaction (the DfE tables, loaded once in their own transaction, come first).
 */
export async function runAll(ws: Workspace, progress?: Progress, opts: { workers?: boolean } = {}): Promise<RunSummary> {
  await prepareSources(ws);
  let total = 0;
  const r = await runPipelines(ws, { workers: opts.workers, onProgress: (d, t) => progress?.step("analysing series", d, (total = t)) });
  if (total) progress?.step("analysing series", total, total);
  progress?.done();
  return r;
}

/**
 * `fairload audit`: the fairness audit over the workspace's returns, then its census and Annex A
 * part (pipelines/census-audit.ts: its own tests and family, empty without those returns), then
 * its HR part (pipelines/hr-audit.ts).
 */
export async function auditWorkspace(ws: Workspace, opts: AuditOptions = {}, progress?: Progress): Promise<AuditRun & { census: CensusAuditRun; hr: HrAuditRun }> {
  await prepareSources(ws);
  let total = 0;
  const run = await runAudit(ws, { ...opts, onProgress: (d, t) => progress?.step("testing comparisons", d, (total = t)) });
  if (total) progress?.step("testing comparisons", total, total);
  const census = await runCensusAudit(ws, { seed: opts.seed, resamples: opts.resamples });
  // the HR tables' part (pipelines/hr-audit.ts: its own family "HR", its own 36-month window; empty without HR returns)
  const hr = await runHrAudit(ws, { seed: opts.seed, resamples: opts.resamples, asOf: opts.asOf });
  progress?.done();
  return { ...run, census, hr };
}

/** The shipped sample (synthetic): its monthly returns and HR tables, workforce census returns and Annex A workbook. */
export const SAMPLE_DIR = join(PROJECT_ROOT, "data", "sample");

/**
 * The sample's loads, in the order the quick start makes them: a workforce census or an Annex A
 * workbook is loaded on its own, not with monthly returns, so there are three.
 */
export function sampleLoads(dir = SAMPLE_DIR): { what: string; paths: string[]; workerMap?: string }[] {
  const census = join(dir, "census");
  const annex = join(dir, "annex-a");
  const loads: { what: string; paths: string[]; workerMap?: string }[] = [{ what: "the monthly returns and HR tables", paths: [join(dir, "returns")] }];
  if (existsSync(census)) loads.push({ what: "the workforce census returns (CSWW XML)", paths: readdirSync(census).filter((f) => f.endsWith(".xml")).sort().map((f) => join(census, f)) });
  if (existsSync(join(annex, "annex-a.xlsx"))) loads.push({ what: "the Annex A workbook and its worker key map", paths: [join(annex, "annex-a.xlsx")], workerMap: existsSync(join(annex, "worker-map.csv")) ? join(annex, "worker-map.csv") : undefined });
  return loads;
}

/** Load the whole sample (sampleLoads), stopping at the first refusal; `each` sees every load's summary. */
export async function ingestSample(ws: Workspace, opts: IngestOptions = {}, each?: (what: string, s: IngestSummary) => void): Promise<IngestSummary[]> {
  const done: IngestSummary[] = [];
  for (const load of sampleLoads()) {
    const s = await ingest(ws, load.paths, { ...opts, workerMap: load.workerMap });
    each?.(load.what, s);
    done.push(s);
    if (s.status === "refused") break;
  }
  return done;
}

/** `fairload benchmark`: the national benchmark from the workspace. */
export async function benchmarkWorkspace(ws: Workspace, opts: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  await prepareSources(ws);
  return benchmarkReport(ws, opts);
}

/** `fairload models`: every registered model, with its rows and last build in this workspace. */
export async function modelsOfWorkspace(ws: Workspace): Promise<ModelListing[]> {
  const db = await openDb(ws.dbPath, { readOnly: existsSync(ws.dbPath) });
  try {
    return await listModels(db.conn);
  } finally {
    db.close();
  }
}

/** The audit's rows as the public layer publishes them (pub_fairness_results), for `fairload audit --public`. */
export async function publishedAudit(ws: Workspace): Promise<Record<string, unknown>[]> {
  const db = await openDb(ws.dbPath, { readOnly: true });
  try {
    const rows = await queryRows<Record<string, unknown>>(db.conn, `SELECT * FROM pub_fairness_results ORDER BY scope, service NULLS FIRST, team NULLS FIRST, comparison, subgroup NULLS FIRST, measure, "group"`);
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
  } finally {
    db.close();
  }
}

/** The census and Annex A tests as the public layer publishes them (pub_census_fairness_results). */
export async function publishedCensusAudit(ws: Workspace): Promise<Record<string, unknown>[]> {
  const db = await openDb(ws.dbPath, { readOnly: true });
  try {
    const rows = await queryRows<Record<string, unknown>>(db.conn, `SELECT * FROM pub_census_fairness_results ORDER BY source, census_year NULLS LAST, scope, team NULLS FIRST, measure, comparison, "group"`);
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
  } finally {
    db.close();
  }
}

/** The HR tests as the public layer publishes them (pub_hr_fairness_results). */
export async function publishedHrAudit(ws: Workspace): Promise<Record<string, unknown>[]> {
  const db = await openDb(ws.dbPath, { readOnly: true });
  try {
    const [{ n }] = await queryRows<{ n: bigint }>(db.conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'pub_hr_fairness_results'`);
    if (Number(n) === 0) return [];
    const rows = await queryRows<Record<string, unknown>>(db.conn, `SELECT * FROM pub_hr_fairness_results ORDER BY measure, subgroup NULLS FIRST, scope, service NULLS FIRST, comparison, "group"`);
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
  } finally {
    db.close();
  }
}
