/**
 * The model registry: every table that `fairload run` and `fairload audit` write is a model here,
 * with its layer, its grain in words, its key columns and the models it reads. A model is either
 * a SQL file under pipelines/models/<layer>/ (one model per file, its header naming it) or one
 * output of a TypeScript compute step (the series engine, the health check, the national
 * benchmark, the audit), which returns rows that core/db.ts `writeTable` stores with typed columns.
 *
 * SQL file header:
 *   -- model: int_worker_month
 *   -- grain: one row per worker per month ...
 *   -- key: worker_id, period
 *   -- materialized: table
 *   -- relationships: service, team -> int_team_month (optional; "col, col -> model")
 *   -- built by: audit (optional; default run: the command whose transaction rebuilds it)
 * Upstream models of a SQL model are found in its text; a compute step declares its own.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import type { ColumnTypes } from "../core/db.ts";
import { PROJECT_ROOT } from "../core/workspace.ts";

export const MODELS_DIR = join(PROJECT_ROOT, "pipelines", "models");

/** Layers, in build order. `seed` holds the config and reference tables the models read; `meta` the run's own bookkeeping. */
export const LAYERS = ["seed", "staging", "intermediate", "mart", "public", "meta"] as const;
export type Layer = (typeof LAYERS)[number];

/** Which command writes a model: `fairload run` or `fairload audit`. */
export type WrittenBy = "run" | "audit";

/** Rows of `model` whose `columns` must each match a row of `to` (on `toColumns`, the same names by default). */
export interface Relationship {
  columns: string[];
  to: string;
  toColumns?: string[];
}

interface ModelBase {
  name: string;
  layer: Layer;
  grain: string;
  /** Columns that together identify a row: unique, and not null except those in `nullableKey`. */
  key: string[];
  /** Key columns that may be NULL (written "team?" in a key line), e.g. the team of a service-level row. */
  nullableKey: string[];
  upstream: string[];
  relationships: Relationship[];
  writtenBy: WrittenBy;
}

export interface SqlModel extends ModelBase {
  kind: "sql";
  materialized: "view" | "table";
  sql: string;
  /** Path relative to the project, e.g. pipelines/models/marts/mart_headlines.sql. */
  file: string;
}

export interface ComputedModel extends ModelBase {
  kind: "compute";
  /** The compute step that returns this model's rows. */
  step: string;
  columns: ColumnTypes;
}

export type Model = SqlModel | ComputedModel;

/** What a compute step gets: the open connection (inside the run's transaction) and the config. */
export interface StepContext {
  conn: DuckDBConnection;
  config: Config;
}

/** One table a compute step writes (layer "mart" unless stated). */
export interface StepOutput {
  name: string;
  layer?: Layer;
  grain: string;
  /** Key columns; a trailing "?" marks one that may be NULL. */
  key: string[];
  columns: ColumnTypes;
  relationships?: Relationship[];
}

/**
 * A TypeScript step: reads what it needs (its upstream models), computes, and returns the rows
 * of each of its outputs. Statistics it uses stay pure; this is the I/O around them.
 */
export interface ComputeStep<Opts = unknown, Extra = unknown> {
  name: string;
  writtenBy: WrittenBy;
  upstream: string[];
  outputs: StepOutput[];
  compute(ctx: StepContext, opts: Opts): Promise<{ tables: Record<string, readonly object[]>; extra: Extra }>;
}

/** Read the header lines of a SQL model file. */
function header(sql: string, key: string): string | undefined {
  return new RegExp(`^--\\s*${key}:\\s*(.+)$`, "m").exec(sql)?.[1]!.trim();
}

const LAYER_DIRS: Record<string, Layer> = { staging: "staging", intermediate: "intermediate", marts: "mart", public: "public" };

/** Every SQL model file, checked: header names the file, grain and key stated, materialization known. */
export function loadSqlModels(dir = MODELS_DIR): SqlModel[] {
  const models: SqlModel[] = [];
  for (const [folder, layer] of Object.entries(LAYER_DIRS)) {
    let files: string[];
    try {
      files = readdirSync(join(dir, folder)).filter((f) => f.endsWith(".sql")).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      const where = `${folder}/${file}`;
      const sql = readFileSync(join(dir, folder, file), "utf8");
      const name = header(sql, "model");
      const grain = header(sql, "grain");
      const key = header(sql, "key");
      const materialized = header(sql, "materialized");
      if (!name || name !== file.replace(/\.sql$/, "")) throw new Error(`${where}: the "-- model:" line must name the file's model`);
      if (!grain) throw new Error(`${where}: state the grain in a "-- grain:" line`);
      if (!key) throw new Error(`${where}: state the key columns in a "-- key:" line`);
      if (materialized !== "view" && materialized !== "table") throw new Error(`${where}: "-- materialized:" must be view or table`);
      const relationships = [...sql.matchAll(/^--\s*relationships?:\s*(.+)$/gm)].map((m) => parseRelationship(m[1]!, where));
      const builtBy = header(sql, "built by") ?? "run";
      if (builtBy !== "run" && builtBy !== "audit") throw new Error(`${where}: "-- built by:" must be run or audit`);
      models.push({
        kind: "sql", name, layer, grain, ...parseKey(key), materialized, sql, file: `pipelines/models/${where}`,
        upstream: [], relationships, writtenBy: builtBy,
      });
    }
  }
  return models;
}

/** "service, team?, period" -> key [service, team, period], nullable [team]. */
export function parseKey(list: string[] | string): { key: string[]; nullableKey: string[] } {
  const items = Array.isArray(list) ? list : splitList(list);
  return { key: items.map((k) => k.replace(/\?$/, "")), nullableKey: items.filter((k) => k.endsWith("?")).map((k) => k.slice(0, -1)) };
}

function splitList(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter(Boolean);
}

function parseRelationship(text: string, where: string): Relationship {
  const m = /^(.+?)\s*->\s*(\w+)(?:\s*\((.+)\))?$/.exec(text.trim());
  if (!m) throw new Error(`${where}: a relationships line reads "col, col -> model" or "col -> model (other_col)", got "${text}"`);
  return { columns: splitList(m[1]!), to: m[2]!, toColumns: m[3] ? splitList(m[3]) : undefined };
}

/** The models of the compute steps, in the form the registry lists. */
export function stepModels(steps: readonly ComputeStep<any, any>[]): ComputedModel[] {
  return steps.flatMap((s) =>
    s.outputs.map((o) => ({
      kind: "compute" as const,
      name: o.name,
      layer: o.layer ?? "mart",
      grain: o.grain,
      ...parseKey(o.key),
      columns: o.columns,
      relationships: o.relationships ?? [],
      step: s.name,
      upstream: s.upstream,
      writtenBy: s.writtenBy,
    })),
  );
}

/**
 * The registry: SQL models (upstream found in their text) and compute models, checked (unique
 * names, known upstream, keys among the declared columns), in dependency order. Sources (the
 * ingested contract tables and the DfE tables) are named as upstream but are not models.
 */
export function buildRegistry(sql: SqlModel[], computed: ComputedModel[], sources: readonly string[]): Model[] {
  const all: Model[] = [...computed, ...sql];
  const names = new Set<string>();
  for (const m of all) {
    if (names.has(m.name)) throw new Error(`model ${m.name} is registered twice`);
    names.add(m.name);
  }
  const known = new Set([...names, ...sources]);
  for (const m of sql) {
    const body = m.sql.replace(/--.*$/gm, "");
    m.upstream = [...known].filter((n) => n !== m.name && new RegExp(`\\b${n}\\b`).test(body)).sort();
  }
  for (const m of all) {
    for (const u of m.upstream) if (!known.has(u)) throw new Error(`model ${m.name}: upstream ${u} is neither a model nor a source`);
    for (const r of m.relationships) if (!names.has(r.to)) throw new Error(`model ${m.name}: relationship to unknown model ${r.to}`);
    if (m.kind === "compute") for (const k of m.key) if (!(k in m.columns)) throw new Error(`model ${m.name}: key column ${k} is not among its columns`);
  }
  // layer by layer, then by name, so that the dependency order reads staging -> marts
  const rank = (m: Model) => LAYERS.indexOf(m.layer);
  return orderModels(all.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)));
}

/** Dependencies first (upstream models before the models that read them); a cycle is an error naming it. */
export function orderModels<M extends { name: string; upstream: string[] }>(models: M[]): M[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: M[] = [];
  const visit = (m: M, path: string[]) => {
    if (done.has(m.name)) return;
    if (visiting.has(m.name)) throw new Error(`model cycle: ${[...path, m.name].join(" -> ")}`);
    visiting.add(m.name);
    for (const d of m.upstream) {
      const u = byName.get(d);
      if (u) visit(u, [...path, m.name]);
    }
    visiting.delete(m.name);
    done.add(m.name);
    out.push(m);
  };
  for (const m of models) visit(m, []);
  return out;
}

/** The models downstream of `names` (inclusive), in registry order. */
export function downstreamOf(models: Model[], names: string[]): Model[] {
  const want = new Set(names);
  for (const m of models) if (m.upstream.some((u) => want.has(u))) want.add(m.name);
  return models.filter((m) => want.has(m.name));
}

/** The models `names` need (inclusive), in registry order. */
export function upstreamOf(models: Model[], names: string[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const want = new Set<string>();
  const add = (n: string) => {
    const m = byName.get(n);
    if (!m || want.has(n)) return;
    want.add(n);
    m.upstream.forEach(add);
  };
  names.forEach(add);
  return models.filter((m) => want.has(m.name));
}
