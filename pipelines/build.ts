/**
 * The SQL part of the graph on its own: the seeds and every SQL model that reads only seeds,
 * sources and other such models. `ensureModels` rebuilds them when the data, the config or the
 * SQL have changed, so that a command that reads them (the audit, the health check, the
 * benchmark) never reads stale ones; `fairload run` builds them as part of the whole graph.
 */
import { createHash } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import { inTransaction, queryRows, writeTable } from "../core/db.ts";
import { registry } from "./project.ts";
import type { Model } from "./registry.ts";
import { runModels } from "./run.ts";

/** The seeds and the SQL models that depend on nothing computed, in order. */
export function sqlModels(models: Model[] = registry()): Model[] {
  const ok = new Set<string>();
  const out: Model[] = [];
  for (const m of models) {
    const seed = m.kind === "compute" && m.step === "seeds";
    if (!seed && m.kind !== "sql") continue;
    if (m.upstream.some((u) => models.some((x) => x.name === u) && !ok.has(u))) continue;
    ok.add(m.name);
    out.push(m);
  }
  return out;
}

/** What the SQL models were built from: the latest load, the config and the models' SQL. */
export async function modelFingerprint(conn: DuckDBConnection, config: Config, models: Model[]): Promise<string> {
  const [{ id }] = await queryRows<{ id: number | null }>(conn, `SELECT max(load_id) AS id FROM loads`);
  const sql = models.flatMap((m) => (m.kind === "sql" ? [m.sql] : []));
  return createHash("sha256").update(JSON.stringify({ load: Number(id ?? 0), config, sql })).digest("hex");
}

/** Record that the SQL models are current for this fingerprint (inside the caller's transaction). */
export async function stampModels(conn: DuckDBConnection, fingerprint: string): Promise<void> {
  await writeTable(conn, "model_state", { fingerprint: "VARCHAR", built_at: "TIMESTAMP" }, [{ fingerprint, built_at: new Date().toISOString() }]);
}

/** Build the SQL models (in their own transaction, or the caller's) unless they are current for the data, config and SQL. */
export async function ensureModels(conn: DuckDBConnection, config: Config): Promise<void> {
  const models = sqlModels();
  const want = await modelFingerprint(conn, config, models);
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'model_state'`);
  if (Number(n) > 0) {
    const [state] = await queryRows<{ fingerprint: string }>(conn, `SELECT fingerprint FROM model_state`);
    if (state?.fingerprint === want) return;
  }
  await inTransaction(conn, async () => {
    await runModels(conn, config, models);
    await stampModels(conn, want);
  });
}
