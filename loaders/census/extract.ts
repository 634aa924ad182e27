/**
 * The minimised, pseudonymised extract of a census return, an Annex A workbook or a worker key
 * map: what fairload archives instead of the raw file, which holds personal data (SWE numbers,
 * dates of birth, children's ids, workers' names). An extract holds exactly the rows stored, with
 * pseudonymous ids already made, plus the raw file's name, size and SHA-256 (so that the same file
 * sent again is recognised), and nothing else. `fairload rebuild` replays extracts as they are,
 * so it gives the same database without the workspace's key.
 *
 * Storing: every table of an extract goes into `hist_<table>` as load `loadId`, through the one
 * table writer (core/db.ts writeTable, into a staging table), and marks superseded the current
 * rows of earlier loads in the same scope (a census year, an Annex A list, the whole worker map;
 * for `staff`, the worker).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { z } from "zod";
import { CONTRACT, SIDE_TABLES, SIDE_TABLE_NAMES, type SideTableName, sideSchemaSql } from "../../core/contract.ts";
import { DERIVED_COLUMNS, SQL_TYPE, quoteIdent, quoteLit, writeTable } from "../../core/db.ts";
import { normaliseEthnicity } from "../../core/ethnicity.ts";
import { UserError } from "../../core/errors.ts";
import type { Row } from "./parse.ts";

/** Archive names of extracts end so; rebuild hands them back to ingest under this name. */
export const EXTRACT_SUFFIX = ".extract.json";

export type ExtractKind = "csww" | "annex_a" | "worker_map";

/** The tables an extract may carry: the census and Annex A tables, and staff (ethnicity and sex from the census). */
export type ExtractTable = SideTableName | "staff";

export interface Extract {
  format: "fairload-extract";
  version: 1;
  kind: ExtractKind;
  /** The raw file: its name as received, size and SHA-256 (the raw file itself is not kept). */
  source: { name: string; sha256: string; bytes: number };
  /** The rows to store, per table; each row's `_row` is where it came from (worker record, sheet row, map line). */
  tables: Partial<Record<ExtractTable, Row[]>>;
  /** The data-quality scopes this file answers for (`213/2024`, `List 3`): its earlier queries are replaced even when it has none. */
  quality_scopes: string[];
  /** Notes shown when the file was loaded (never a personal value). */
  notes: string[];
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const ExtractSchema = z
  .object({
    format: z.literal("fairload-extract"),
    version: z.literal(1),
    kind: z.enum(["csww", "annex_a", "worker_map"]),
    source: z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) }).strict(),
    tables: z.partialRecord(z.enum([...SIDE_TABLE_NAMES, "staff"]), z.array(z.record(z.string(), scalar))),
    quality_scopes: z.array(z.string()),
    notes: z.array(z.string()),
  })
  .strict();

/** The extract as archived: deterministic JSON (the same rows give the same bytes). */
export function serialiseExtract(e: Extract): Buffer {
  return Buffer.from(`${JSON.stringify(e)}\n`, "utf8");
}

export function extractHash(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Read an archived extract (when rebuilding), checked: its tables and columns must be fairload's own. */
export function readExtract(path: string, name: string): Extract {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new UserError(`${name}: not a fairload archive extract (not JSON)`);
  }
  const r = ExtractSchema.safeParse(raw);
  if (!r.success) throw new UserError(`${name}: not a fairload archive extract (${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message})`);
  const e = r.data as Extract;
  for (const [t, rows] of Object.entries(e.tables) as [ExtractTable, Row[]][]) {
    const known = new Set(["_row", ...columnsOf(t).map((c) => c[0])]);
    for (const row of rows) {
      const bad = Object.keys(row).find((k) => !known.has(k));
      if (bad) throw new UserError(`${name}: not a fairload archive extract (table ${t} has no column ${bad})`);
    }
  }
  return e;
}

/** Columns of a table as staged: [name, DuckDB type]. staff has its contract columns, the derived ones and extra (JSON text, cast on insert). */
function columnsOf(t: ExtractTable): [string, string][] {
  if (t === "staff") {
    return [...CONTRACT.staff.columns.map((c) => [c.name, SQL_TYPE[c.type]] as [string, string]), ...(DERIVED_COLUMNS.staff ?? []).map((c) => [c.name, c.sql] as [string, string]), ["extra", "VARCHAR"]];
  }
  return SIDE_TABLES[t].columns.map((c) => [c.name, c.sql]);
}

/** Create the census and Annex A tables and views if missing (in the caller's transaction). */
export async function ensureSideSchema(conn: DuckDBConnection): Promise<void> {
  for (const s of sideSchemaSql()) await conn.run(s);
}

/** A census worker's staff row as stored: the contract's columns with the ethnicity normalised as for any return. */
export function staffRow(r: { worker_id: string; ethnicity: string; gender: string | null; _row: number; extra: Record<string, unknown> }): Row {
  const e = normaliseEthnicity(r.ethnicity);
  if (!e) throw new Error(`staffRow: unknown ethnicity code ${r.ethnicity}`);
  return {
    _row: r._row,
    worker_id: r.worker_id,
    ethnicity: r.ethnicity,
    gender: r.gender,
    qualified_year: null,
    ethnicity_code: e.code,
    ethnicity_label: e.label,
    ons_group: e.ons_group,
    reporting_group: e.reporting_group,
    extra: JSON.stringify(r.extra),
  };
}

const TABLE_ORDER: ExtractTable[] = ["census_la", "census_worker", "staff", "annex_a_allocation", "worker_key_map", "data_quality_queries"];

/**
 * Store an extract as load `loadId` (inside the caller's transaction): insert every table into its
 * history and mark what it replaces. Returns rows and replaced rows per table.
 */
export async function storeExtract(conn: DuckDBConnection, loadId: number, e: Extract, source: string): Promise<{ table: string; rows: number; replaced: number }[]> {
  const out: { table: string; rows: number; replaced: number }[] = [];
  for (const t of TABLE_ORDER) {
    const rows = e.tables[t] ?? (t === "data_quality_queries" && e.quality_scopes.length ? [] : undefined);
    if (!rows) continue;
    const cols = columnsOf(t);
    const stage = `stage_extract_${t}`;
    await writeTable(conn, stage, { _row: "BIGINT", ...Object.fromEntries(cols) }, rows);
    const names = cols.map((c) => quoteIdent(c[0])).join(", ");
    await conn.run(`INSERT INTO hist_${t} (_load_id, _source, _row, ${names}, _superseded_by) SELECT ${loadId}, ${quoteLit(source)}, _row, ${names}, NULL FROM ${stage}`);
    await conn.run(`DROP TABLE ${stage}`);
    let replaced = 0;
    if (t === "data_quality_queries") {
      // the queries of every scope the file answers for, whether or not it raises any now
      const source = e.kind === "csww" ? "csww" : "annex_a";
      const r = await conn.run(
        `UPDATE hist_${t} SET _superseded_by = ${loadId} WHERE _superseded_by IS NULL AND _load_id < ${loadId} AND source = ${quoteLit(source)} AND scope IN (${e.quality_scopes.map(quoteLit).join(", ")})`,
      );
      out.push({ table: t, rows: rows.length, replaced: Number(r.rowsChanged) });
      continue;
    }
    const scopes = t === "staff" ? CONTRACT.staff.replaceScopes : [SIDE_TABLES[t].replaceScope];
    for (const scope of scopes) {
      if (rows.length === 0) continue;
      const on = scope.length ? scope.map((c) => `h.${quoteIdent(c)} = n.${quoteIdent(c)}`).join(" AND ") : "true";
      const from = scope.length ? `(SELECT DISTINCT ${scope.map(quoteIdent).join(", ")} FROM hist_${t} WHERE _load_id = ${loadId})` : `(SELECT 1 AS one)`;
      const r = await conn.run(`UPDATE hist_${t} AS h SET _superseded_by = ${loadId} FROM ${from} AS n WHERE h._superseded_by IS NULL AND h._load_id < ${loadId} AND ${on}`);
      replaced += Number(r.rowsChanged);
    }
    out.push({ table: t, rows: rows.length, replaced });
  }
  return out;
}
