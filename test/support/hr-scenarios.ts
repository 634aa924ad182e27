/**
 * The HR audit's calibration harness (test/e2e/hr-audit.test.ts): a generated employer, its HR
 * tables audited by the same SQL models and the same step as `fairload audit`.
 *
 * - {@link hrAuditGenerated}: the generated rows go straight into an in-memory database's store
 *   (no CSV, no file validation: the generator's rows are typed and valid by construction, as in
 *   test/support/fairness-scenarios.ts), then the SQL models the HR step reads and the HR step
 *   itself run on that connection.
 * - {@link hrAuditGeneratedThroughIngest}: the true end-to-end path (generator -> CSV -> fairload
 *   ingest -> fairload run -> the audit's HR part), for the test that both paths agree.
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { runAll } from "../../app/workflow.ts";
import { defaultConfig } from "../../core/config.ts";
import { CONTRACT, TABLE_NAMES } from "../../core/contract.ts";
import { DERIVED_COLUMNS, ensureSchema, quoteIdent, SQL_TYPE, writeTable } from "../../core/db.ts";
import { normaliseEthnicity } from "../../core/ethnicity.ts";
import { ingest } from "../../loaders/ingest.ts";
import { generateEmployer, generateEmployerStream, type SampleOptions } from "../../loaders/sample/generator.ts";
import { writeCsvFolder } from "../../loaders/sample/write.ts";
import { type HrAuditOptions, type HrAuditRun, hrAuditStep, runHrAudit } from "../../pipelines/hr-audit.ts";
import { registry } from "../../pipelines/project.ts";
import { upstreamOf } from "../../pipelines/registry.ts";
import { runModels } from "../../pipelines/run.ts";
import { tempDir, tempWorkspace } from "./helpers.ts";

/** Calibration runs the primary family only, without the figures beside it (neither can change a primary verdict). */
const SCENARIO_DEFAULTS: HrAuditOptions = { secondary: false, figures: false };

/** Generated employer (36 months unless said: three appraisal cycles) -> in-memory store -> the SQL models the HR step reads -> the HR step. */
export async function hrAuditGenerated(sample: SampleOptions, opts: HrAuditOptions = {}): Promise<HrAuditRun> {
  const { tables } = generateEmployer({ months: 36, ...sample });
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
  const conn = await instance.connect();
  try {
    await ensureSchema(conn);
    for (const t of TABLE_NAMES) {
      const rows = tables[t];
      if (!rows.length) continue;
      const spec = CONTRACT[t];
      const columns = Object.fromEntries(spec.columns.map((c) => [c.name, SQL_TYPE[c.type]]));
      for (const d of DERIVED_COLUMNS[t] ?? []) columns[d.name] = d.sql;
      // staff: the derived ethnicity columns from the same normalisation ingest uses
      const typed = t === "staff"
        ? rows.map((r) => {
            const e = normaliseEthnicity(r.ethnicity as string | null);
            if (!e) throw new Error(`generated staff row with an unknown ethnicity: ${String(r.ethnicity)}`);
            return { ...r, ethnicity_code: e.code, ethnicity_label: e.label, ons_group: e.ons_group, reporting_group: e.reporting_group };
          })
        : rows;
      await writeTable(conn, `gen_${t}`, columns, typed);
      const cols = Object.keys(columns).map(quoteIdent).join(", ");
      await conn.run(`INSERT INTO hist_${t} (_load_id, _source, _row, ${cols}, extra, _superseded_by) SELECT 1, 'generated', row_number() OVER (), ${cols}, NULL, NULL FROM gen_${t}`);
      await conn.run(`DROP TABLE gen_${t}`);
    }
    await conn.run(`INSERT INTO loads VALUES (1, now(), ['generated'], NULL, NULL, NULL)`);
    const config = defaultConfig("Scenario");
    const all = registry();
    // the seeds and SQL models the step reads (not the whole graph: the step needs a few)
    await runModels(conn, config, upstreamOf(all, hrAuditStep.upstream).filter((m) => m.kind === "sql" || m.step === "seeds"));
    const { extra } = await hrAuditStep.compute({ conn, config }, { ...SCENARIO_DEFAULTS, ...opts });
    return extra;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The true end-to-end path: generator -> CSV folder -> fairload ingest -> fairload run -> the audit's HR part. */
export async function hrAuditGeneratedThroughIngest(sample: SampleOptions, opts: HrAuditOptions = {}): Promise<HrAuditRun> {
  const dir = join(tempDir(), "returns");
  await writeCsvFolder(generateEmployerStream({ months: 36, ...sample }), dir);
  const ws = tempWorkspace("Scenario");
  const s = await ingest(ws, [dir]);
  if (s.status !== "accepted") throw new Error(`generated return refused: ${JSON.stringify(s.problems.slice(0, 3))}`);
  await runAll(ws);
  return runHrAudit(ws, { ...SCENARIO_DEFAULTS, ...opts });
}
