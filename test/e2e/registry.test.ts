/**
 * The model registry over the shipped sample's `fairload run` and `fairload audit`, dbt style:
 * every table in the workspace database is a registered model, a source or load bookkeeping;
 * every model's key is unique and not null; declared relationships hold; the marts equal those
 * recorded before the registry existed (test/fixtures/sample-marts.json); and `fairload models
 * --json` lists every model with its layer, grain, key and upstream.
 */
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditWorkspace, runAll } from "../../app/workflow.ts";
import { openWorkspace, type Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { registry, SOURCES } from "../../pipelines/project.ts";
import { buildRegistry, loadSqlModels, type Model } from "../../pipelines/registry.ts";
import { ROOT, query, runCli, tempWorkspace } from "../support/helpers.ts";
import { martDigests, type TableDigest } from "../support/mart-snapshot.ts";

let ws: Workspace;
let models: Model[];

beforeAll(async () => {
  ws = tempWorkspace();
  cpSync(join(ROOT, "data", "fairload.json"), ws.configPath);
  ws = openWorkspace(ws.dir);
  expect((await ingest(ws, [join(ROOT, "data", "sample", "returns")])).status).toBe("accepted");
  await runAll(ws);
  await auditWorkspace(ws);
  models = registry();
}, 240_000);

/** Bookkeeping of the ingest (load history), not analysis: written by `fairload ingest`. */
const INGEST_TABLES = /^(hist_.+|loads|load_files)$/;

describe("the registry", () => {
  it("lists every table that fairload run and fairload audit write, and nothing is written outside it", async () => {
    const tables = (await query<{ t: string }>(ws, `SELECT table_name AS t FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`)).map((r) => r.t);
    const registered = new Set([...models.map((m) => m.name), ...SOURCES]);
    const outside = tables.filter((t) => !registered.has(t) && !INGEST_TABLES.test(t));
    expect(outside).toEqual([]);
    for (const m of models) expect(tables, `model ${m.name} was not built`).toContain(m.name);
  });

  it("gives every model a layer, a grain in words, a key and its upstream, in dependency order", () => {
    const pos = new Map(models.map((m, i) => [m.name, i]));
    for (const m of models) {
      expect(m.grain.length, m.name).toBeGreaterThan(10);
      expect(m.key.length, m.name).toBeGreaterThan(0);
      for (const u of m.upstream) if (pos.has(u)) expect(pos.get(u)!, `${m.name} reads ${u}`).toBeLessThan(pos.get(m.name)!);
    }
    expect(new Set(models.map((m) => m.layer))).toEqual(new Set(["seed", "staging", "intermediate", "mart", "public", "meta"]));
  });

  it("refuses a SQL model without a key, an unknown upstream and a duplicate name", () => {
    const sql = loadSqlModels();
    expect(() => buildRegistry([...sql, { ...sql[0]!, relationships: [{ columns: ["x"], to: "nowhere" }] }], [], SOURCES)).toThrow(/registered twice/);
    expect(() => buildRegistry([{ ...sql[0]!, name: "zz", relationships: [{ columns: ["x"], to: "nowhere" }] }], [], SOURCES)).toThrow(/relationship to unknown model nowhere/);
  });
});

describe("generic model tests (unique and not-null keys, relationships) on the sample", () => {
  it("every model's key is unique and not null", async () => {
    const failures: string[] = [];
    for (const m of models) {
      const cols = m.key.map((k) => `"${k}"`).join(", ");
      const [dup] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM (SELECT ${cols} FROM ${m.name} GROUP BY ALL HAVING count(*) > 1)`);
      if (Number(dup!.n) > 0) failures.push(`${m.name}: ${dup!.n} duplicated keys (${m.key.join(", ")})`);
      for (const k of m.key.filter((k) => !m.nullableKey.includes(k))) {
        const [nul] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM ${m.name} WHERE "${k}" IS NULL`);
        if (Number(nul!.n) > 0) failures.push(`${m.name}: ${nul!.n} rows with ${k} NULL`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("declared relationships hold: every row finds its parent", async () => {
    let checked = 0;
    for (const m of models) {
      for (const r of m.relationships) {
        const to = r.toColumns ?? r.columns;
        const on = r.columns.map((c, i) => `c."${c}" = p."${to[i]}"`).join(" AND ");
        const [orphans] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM ${m.name} c WHERE NOT EXISTS (SELECT 1 FROM ${r.to} p WHERE ${on})`);
        expect(Number(orphans!.n), `${m.name} (${r.columns.join(", ")}) -> ${r.to}`).toBe(0);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it("the tests can fail: a duplicated key is found", async () => {
    const [dup] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM (SELECT period FROM int_worker_month GROUP BY ALL HAVING count(*) > 1)`);
    expect(Number(dup!.n)).toBeGreaterThan(0);
  });
});

describe("the sample's marts, pinned", () => {
  // test/fixtures/sample-marts.json: row counts, columns and an md5 of every table run and audit
  // leave, recorded from the sample; a change that moves a mart must regenerate it on purpose
  // (and say why in its commit): the digests come from test/support/mart-snapshot.ts
  it("equal the recorded digests", async () => {
    const want = JSON.parse(readFileSync(join(ROOT, "test", "fixtures", "sample-marts.json"), "utf8")) as Record<string, TableDigest>;
    const got = await martDigests(ws.dbPath);
    const differ = Object.keys({ ...want, ...got }).filter((t) => JSON.stringify(want[t]) !== JSON.stringify(got[t]));
    expect(differ).toEqual([]);
  });
});

describe("fairload models", () => {
  it("--json lists every model with layer, grain, key, upstream, rows and build time", async () => {
    const out = await runCli(["models", "--json", "-w", ws.dir]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const listed = JSON.parse(out.stdout) as { name: string; layer: string; grain: string; key: string[]; upstream: string[]; rows: number | null; build_seconds: number | null }[];
    expect(listed.map((m) => m.name).sort()).toEqual(models.map((m) => m.name).sort());
    const audit = listed.find((m) => m.name === "fairness_results")!;
    expect(audit).toMatchObject({ layer: "mart", key: ["result_id"] });
    expect(audit.rows).toBeGreaterThan(100);
    expect(audit.upstream).toContain("int_worker_month");
    for (const m of listed) {
      expect(m.rows, m.name).not.toBeNull();
      if (m.layer !== "meta") expect(m.build_seconds, m.name).not.toBeNull();
    }
  });

  it("prints a table without --json", async () => {
    const out = await runCli(["models", "-w", ws.dir]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^layer\s+model\s+rows/m);
    expect(out.stdout).toMatch(/mart\s+mart_series\s+[\d,]+/);
    // every model but the runner's own bookkeeping has a recorded build
    const [{ n }] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM model_runs`);
    expect(Number(n)).toBe(models.filter((m) => m.layer !== "meta").length);
  });
});
