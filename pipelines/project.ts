/**
 * This project's registry: the SQL models under pipelines/models/ and the compute steps, with
 * the sources they read. Assembled on call (not at import) so that the steps' modules may use the
 * runner without an import cycle biting.
 */
import { auditStep } from "./audit.ts";
import { benchmarkStep } from "./benchmark.ts";
import { censusAuditStep } from "./census-audit.ts";
import { censusPublishStep, censusReferenceStep } from "./census-public.ts";
import { healthCheckStep } from "./healthcheck.ts";
import { hrAuditStep } from "./hr-audit.ts";
import { buildRegistry, type ComputeStep, type Layer, loadSqlModels, type Model, stepModels } from "./registry.ts";
import { publishStep } from "./public.ts";
import { seedStep } from "./seeds.ts";
import { seriesStep } from "./series-marts.ts";
import { SIDE_TABLE_NAMES, TABLE_NAMES } from "../core/contract.ts";

/**
 * Tables that are inputs, not models: the contract tables (views of the current version of what
 * was ingested), the ethnicity reference the ingest writes, the DfE national tables, and the
 * workforce census and Annex A tables (views of what `fairload ingest` loaded from census XML,
 * Annex A workbooks and the worker key map; docs/census-and-annex-a.md).
 */
export const SOURCES: readonly string[] = [...TABLE_NAMES, "ref_ethnicity", "ref_ethnicity_spelling", "dfe_indicators", "dfe_role_ethnicity", ...SIDE_TABLE_NAMES];

/** The run's own bookkeeping, written by the runner (pipelines/run.ts). */
export const META_STEP: ComputeStep<unknown, void> = {
  name: "runner",
  writtenBy: "run",
  upstream: [],
  outputs: [
    { name: "model_state", layer: "meta" as Layer, grain: "one row: what the SQL models were last built from (latest load, config, SQL)", key: ["fingerprint"], columns: { fingerprint: "VARCHAR", built_at: "TIMESTAMP" } },
    {
      name: "model_runs", layer: "meta" as Layer, grain: "one row per model: when it was last built, how long it took and its rows", key: ["model"],
      columns: { model: "VARCHAR", layer: "VARCHAR", kind: "VARCHAR", step: "VARCHAR", written_by: "VARCHAR", rows: "BIGINT", seconds: "DOUBLE", built_at: "TIMESTAMP" },
    },
  ],
  async compute() {
    throw new Error("the runner's tables are written by the runner itself");
  },
};

export function computeSteps(): ComputeStep<any, any>[] {
  return [seedStep, seriesStep, healthCheckStep, benchmarkStep, auditStep, publishStep, censusReferenceStep, censusPublishStep, censusAuditStep, hrAuditStep];
}

/** Every model, checked and in dependency order. */
export function registry(): Model[] {
  return buildRegistry(loadSqlModels(), stepModels([...computeSteps(), META_STEP]), SOURCES);
}
