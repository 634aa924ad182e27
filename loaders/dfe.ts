/**
 * DfE "Children's social work workforce" national benchmarks (explore-education-statistics,
 * Open Government Licence v3.0): the importer.
 *
 * Reference: data/benchmarks/README.md (provenance, definitions, the quirks handled here and
 * the discrepancies found in the published files).
 *
 * - {@link loadDfeBenchmarks} imports the two CSVs into `dfe_indicators` and
 *   `dfe_role_ethnicity`, mapping suppression codes to NULL (never zero) and recording them.
 * - {@link ensureDfe} loads them into a workspace database unless they are there.
 *
 * The measures computed from these tables (England, regions, comparators, representation) are
 * analysis, in pipelines/national.ts.
 *
 * The connection is always the caller's: nothing here opens or closes a database.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../core/workspace.ts";
import { type DuckDBConnection } from "@duckdb/node-api";
import { queryParams as rows, quoteIdent as ident, quoteLit as lit } from "../core/db.ts";
import { UserError, formatProblem, type InputProblem } from "../core/errors.ts";

/** The indicators file, as published (2017-2025). */
export const INDICATORS_FILE = "csww_indicators_2017_to_2025.csv";
/** The role-by-ethnicity file, as published (2019-2025). */
export const ROLE_ETHNICITY_FILE = "csww_role_by_ethnicity_2019_to_2025.csv";

/**
 * Suppression and missing-value codes that may stand in a numeric cell (DfE README; `:` is
 * used by older releases). They become NULL, never zero, and are kept in `suppressed`.
 */
export const SUPPRESSION_CODES = ["c", "x", "z", "u", "low", ":"] as const;

/** Geographic levels the files use. Any other value is refused (it would silently drop rows). */
export const GEOGRAPHIC_LEVELS = ["National", "Regional", "Local authority"] as const;

/**
 * Columns whose name, when present, identifies the release a row comes from. Neither
 * published file has one; if a future file does, its values are assumed to sort as text in
 * release order (ISO 8601 dates or fixed-width ids) and the latest release wins.
 */
export const RELEASE_COLUMNS = ["release_date", "release", "published_date"] as const;

type ColumnType = "year" | "text" | "integer" | "number";

interface ColumnSpec {
  /** Column name in the table; the file header is matched case-insensitively, BOM and spaces stripped. */
  name: string;
  type: ColumnType;
}

interface FileSpec {
  file: string;
  table: string;
  /** Table column holding the local authority's name. */
  laName: string;
  columns: ColumnSpec[];
  /** Extra key columns beyond (year, geography), e.g. role and breakdown. */
  extraKey: string[];
}

const text = (name: string): ColumnSpec => ({ name, type: "text" });
const num = (name: string): ColumnSpec => ({ name, type: "number" });
const int = (name: string): ColumnSpec => ({ name, type: "integer" });

const INDICATORS_SPEC: FileSpec = {
  file: INDICATORS_FILE,
  table: "dfe_indicators",
  laName: "la_name",
  extraKey: [],
  columns: [
    { name: "time_period", type: "year" },
    text("time_identifier"),
    text("geographic_level"),
    text("country_code"),
    text("country_name"),
    text("region_code"),
    text("region_name"),
    text("old_la_code"),
    text("new_la_code"),
    text("la_name"),
    num("inpost_fte"),
    int("inpost_headcount"),
    num("starters_fte"),
    int("starters_headcount"),
    num("leavers_fte"),
    int("leavers_headcount"),
    num("turnover_rate_fte"),
    num("turnover_rate_headcount"),
    num("agency_fte"),
    int("agency_headcount"),
    num("agency_rate_fte"),
    num("agency_rate_headcount"),
    num("agency_cover_fte"),
    num("agency_cover_rate_fte"),
    num("vacancy_fte"),
    num("vacancy_rate_fte"),
    num("vacancy_agency_cover_rate_fte"),
    num("case_holders_fte"),
    int("cases"),
    num("caseload_fte"),
    num("working_days_lost_fte"),
    num("absence_rate_fte"),
  ],
};

const ROLE_ETHNICITY_SPEC: FileSpec = {
  file: ROLE_ETHNICITY_FILE,
  table: "dfe_role_ethnicity",
  laName: "geo_breakdown",
  extraKey: ["role", "breakdown_topic", "breakdown"],
  columns: [
    { name: "time_period", type: "year" },
    text("geographic_level"),
    text("country_code"),
    text("region_code"),
    text("region_name"),
    text("new_la_code"),
    text("old_la_code"),
    text("geo_breakdown"),
    text("role"),
    text("breakdown_topic"),
    text("breakdown"),
    num("inpost_fte"),
    num("inpost_fte_percentage"),
    int("inpost_headcount"),
    num("inpost_headcount_percentage"),
  ],
};

/** What {@link loadDfeBenchmarks} loaded, plus the duplicates it dropped and notes on them. */
export interface DfeLoadResult {
  indicators: number;
  roleEthnicity: number;
  duplicatesDropped: { indicators: number; roleEthnicity: number };
  notes: string[];
}

/** Quote an SQL identifier. */
const CODES_SQL = `(${SUPPRESSION_CODES.map(lit).join(", ")})`;
const NUMBER_PATTERN = String.raw`[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`;
const MAX_PROBLEMS_SHOWN = 10;

/** Normalise a header cell so `"inpost_FTE"`, ` inpost_fte ` and a BOM-prefixed name all match. */
function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, "").trim().toLowerCase();
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/**
 * Read one CSV into a temp table with every column as text (row order kept, so `rowid + 2`
 * is the file line of a record: header is line 1). Returns the header name for each spec
 * column.
 */
async function readRaw(conn: DuckDBConnection, dir: string, spec: FileSpec, rawTable: string): Promise<Map<string, string>> {
  const path = join(dir, spec.file);
  if (!existsSync(path)) throw new UserError(`${spec.file}: file not found in ${dir}`);
  try {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${ident(rawTable)} AS SELECT * FROM read_csv(${lit(path)}, ` +
        `all_varchar = true, header = true, delim = ',', quote = '"', escape = '"', strict_mode = true)`,
    );
  } catch (e) {
    throw new UserError(`${spec.file}: could not be read as CSV: ${firstLine((e as Error).message)}`);
  }
  const described = await rows<{ column_name: string }>(conn, `DESCRIBE ${ident(rawTable)}`);
  const byName = new Map<string, string>();
  for (const { column_name } of described) {
    const key = normaliseHeader(column_name);
    if (byName.has(key)) throw new UserError(`${spec.file}: column ${key} appears twice in the header`);
    byName.set(key, column_name);
  }
  const missing = spec.columns.filter((c) => !byName.has(c.name)).map((c) => c.name);
  if (missing.length) throw new UserError(`${spec.file}: header lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  return byName;
}

/** SQL giving, for one raw cell, what was expected when it is invalid, else NULL. */
function cellProblemSql(t: string, type: ColumnType): string | null {
  if (type === "year") return `CASE WHEN ${t} IS NULL OR NOT regexp_full_match(${t}, '\\d{4}') THEN 'expected a four-digit year' END`;
  if (type === "text") return null;
  const codes = SUPPRESSION_CODES.join(", ");
  return (
    `CASE WHEN ${t} IS NULL OR ${t} = '' OR ${t} IN ${CODES_SQL} THEN NULL ` +
    `WHEN NOT regexp_full_match(${t}, '${NUMBER_PATTERN}') THEN 'expected a number or a suppression code (${codes})' ` +
    `WHEN TRY_CAST(${t} AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(${t} AS DOUBLE)) THEN 'expected a finite number' ` +
    `WHEN TRY_CAST(${t} AS DOUBLE) < 0 THEN 'expected a non-negative number' ` +
    (type === "integer" ? `WHEN TRY_CAST(${t} AS DOUBLE) <> round(TRY_CAST(${t} AS DOUBLE)) THEN 'expected a whole number' ` : "") +
    `END`
  );
}

/**
 * Every invalid cell of the raw table: a non-code, non-numeric value in a numeric column, a
 * bad year, or an unknown geographic level. Throws one error naming file, row and column.
 */
async function validateRaw(conn: DuckDBConnection, spec: FileSpec, rawTable: string, header: Map<string, string>): Promise<void> {
  const checks: string[] = [];
  spec.columns.forEach((c, ordinal) => {
    const t = `NULLIF(trim(${ident(header.get(c.name)!)}), '')`;
    const problem =
      c.name === "geographic_level"
        ? `CASE WHEN ${t} IS NULL OR ${t} NOT IN (${GEOGRAPHIC_LEVELS.map(lit).join(", ")}) THEN 'expected one of ${GEOGRAPHIC_LEVELS.join(", ")}' END`
        : cellProblemSql(t, c.type);
    if (!problem) return;
    checks.push(
      `SELECT rowid AS rid, ${ordinal} AS ord, ${lit(c.name)} AS col, ${ident(header.get(c.name)!)} AS val, ${problem} AS expected FROM ${ident(rawTable)}`,
    );
  });
  const found = await rows<{ rid: bigint; col: string; val: string | null; expected: string; total: bigint }>(
    conn,
    `WITH p AS (${checks.join(" UNION ALL ")}) SELECT rid, col, val, expected, count(*) OVER () AS total ` +
      `FROM p WHERE expected IS NOT NULL ORDER BY rid, ord LIMIT ${MAX_PROBLEMS_SHOWN}`,
  );
  if (!found.length) return;
  const problems: InputProblem[] = found.map((p) => ({
    file: spec.file,
    row: Number(p.rid) + 2,
    column: p.col,
    value: p.val,
    expected: p.expected,
  }));
  const total = Number(found[0]!.total);
  throw new UserError(
    `DfE benchmarks refused, nothing was loaded: ${total} invalid cell${total === 1 ? "" : "s"} ` +
      `(row = line in the file, header is line 1):\n` +
      problems.map((p) => `  ${formatProblem(p)}`).join("\n") +
      (total > problems.length ? `\n  ... and ${total - problems.length} more` : ""),
  );
}

/** SQL expression identifying a row's geography (LA code, region code or country). */
function geographyKeySql(col: (name: string) => string, laName: string): string {
  return (
    `CASE trim(${col("geographic_level")}) ` +
    `WHEN 'Local authority' THEN coalesce(NULLIF(trim(${col("new_la_code")}), ''), NULLIF(trim(${col("old_la_code")}), ''), trim(${col(laName)})) ` +
    `WHEN 'Regional' THEN coalesce(NULLIF(trim(${col("region_code")}), ''), trim(${col("region_name")})) ` +
    `ELSE coalesce(NULLIF(trim(${col("country_code")}), ''), 'England') END`
  );
}

/** The typed SELECT over the raw table: codes to NULL, TRY_CAST, `suppressed` map, one row per key. */
function typedSelectSql(spec: FileSpec, rawTable: string, header: Map<string, string>, releaseColumn: string | undefined): string {
  const col = (name: string): string => ident(header.get(name)!);
  const trimmed = (name: string): string => `NULLIF(trim(${col(name)}), '')`;
  const select = spec.columns.map((c) => {
    const t = trimmed(c.name);
    switch (c.type) {
      case "year":
        return `TRY_CAST(${t} AS INTEGER) AS ${ident(c.name)}`;
      case "text":
        return `${t} AS ${ident(c.name)}`;
      case "integer":
        return `CASE WHEN ${t} IN ${CODES_SQL} THEN NULL ELSE TRY_CAST(TRY_CAST(${t} AS DOUBLE) AS INTEGER) END AS ${ident(c.name)}`;
      case "number":
        return `CASE WHEN ${t} IN ${CODES_SQL} THEN NULL ELSE TRY_CAST(${t} AS DOUBLE) END AS ${ident(c.name)}`;
    }
  });
  const numeric = spec.columns.filter((c) => c.type === "integer" || c.type === "number");
  const entries = numeric.map((c) => {
    const t = trimmed(c.name);
    return `{'k': ${lit(c.name)}, 'v': CASE WHEN ${t} IS NULL THEN '' WHEN ${t} IN ${CODES_SQL} THEN ${t} END}`;
  });
  const joint = `(${trimmed(spec.laName)} LIKE '% / %' OR ${trimmed("new_la_code")} LIKE '% / %')`;
  const key = [`trim(${col("time_period")})`, `trim(${col("geographic_level")})`, geographyKeySql(col, spec.laName), ...spec.extraKey.map((k) => `trim(${col(k)})`)];
  const order = releaseColumn ? `${ident(releaseColumn)} DESC NULLS LAST, rowid DESC` : "rowid DESC";
  return (
    `SELECT ${select.join(", ")}, ` +
    `coalesce(${joint}, false) AS is_joint, ` +
    `map_from_entries(list_filter([${entries.join(", ")}], e -> e.v IS NOT NULL)) AS suppressed, ` +
    `CAST(rowid + 2 AS INTEGER) AS source_row ` +
    `FROM ${ident(rawTable)} ` +
    `QUALIFY row_number() OVER (PARTITION BY ${key.join(", ")} ORDER BY ${order}) = 1 ` +
    `ORDER BY rowid`
  );
}

/** Count the raw rows that share a key with a later (or later-release) row. */
async function countDuplicates(conn: DuckDBConnection, spec: FileSpec, rawTable: string, header: Map<string, string>): Promise<{ dropped: number; example?: string }> {
  const col = (name: string): string => ident(header.get(name)!);
  const key = [`trim(${col("time_period")})`, `trim(${col("geographic_level")})`, geographyKeySql(col, spec.laName), ...spec.extraKey.map((k) => `trim(${col(k)})`)];
  const found = await rows<{ n: bigint; example: string | null }>(
    conn,
    `SELECT CAST(coalesce(sum(c - 1), 0) AS BIGINT) AS n, min(k) AS example FROM (` +
      `SELECT concat_ws(' | ', ${key.join(", ")}) AS k, count(*) AS c FROM ${ident(rawTable)} GROUP BY ALL HAVING count(*) > 1)`,
  );
  return { dropped: Number(found[0]!.n), example: found[0]!.example ?? undefined };
}

/**
 * Import the DfE children's social work workforce CSVs from `dir` into `dfe_indicators` and
 * `dfe_role_ethnicity`, replacing both in one transaction (on any error neither changes).
 *
 * Every column is read as text (UTF-8 BOM and quoted names with commas are handled by the CSV
 * reader), suppression codes ({@link SUPPRESSION_CODES}) and blanks become NULL and are listed in
 * the `suppressed` MAP(column, code) (a blank is listed with code ""), then values are TRY_CAST.
 * A numeric cell that is neither a code nor a plain non-negative number is refused with an error
 * naming the file, row (line in the file) and column; nothing is loaded.
 *
 * Revisions: when (year, geographic level, geography) [+ role, breakdown for the ethnicity file]
 * occurs more than once, the row of the latest release is kept if the file has a release column
 * ({@link RELEASE_COLUMNS}); the published files have none, so the last occurrence is kept and
 * the number dropped is reported. Joint rows (Kingston upon Thames / Richmond upon Thames; North /
 * West Northamptonshire) and reorganised LAs are kept as published; `is_joint` flags joint rows.
 *
 * Reference: data/benchmarks/README.md.
 */
export async function loadDfeBenchmarks(conn: DuckDBConnection, dir: string): Promise<DfeLoadResult> {
  const specs = [INDICATORS_SPEC, ROLE_ETHNICITY_SPEC];
  const raws = specs.map((s) => `__dfe_raw_${s.table}`);
  const notes: string[] = [];
  const dropped: number[] = [];
  try {
    const selects: string[] = [];
    for (const [i, spec] of specs.entries()) {
      const header = await readRaw(conn, dir, spec, raws[i]!);
      await validateRaw(conn, spec, raws[i]!, header);
      const release = RELEASE_COLUMNS.map((c) => header.get(c)).find((c) => c !== undefined);
      const dups = await countDuplicates(conn, spec, raws[i]!, header);
      dropped.push(dups.dropped);
      if (dups.dropped > 0) {
        notes.push(
          `${spec.file}: ${dups.dropped} duplicate row(s) for the same key (e.g. ${dups.example}); kept ` +
            (release ? `the latest ${release}` : "the last occurrence (no release column)"),
        );
      }
      selects.push(`CREATE OR REPLACE TABLE ${ident(spec.table)} AS ${typedSelectSql(spec, raws[i]!, header, release)}`);
    }
    await conn.run("BEGIN TRANSACTION");
    try {
      for (const sql of selects) await conn.run(sql);
      await conn.run("COMMIT");
    } catch (e) {
      // a failed COMMIT has already rolled back: keep the original error, not ROLLBACK's
      await conn.run("ROLLBACK").catch(() => {});
      throw e;
    }
  } finally {
    for (const raw of raws) await conn.run(`DROP TABLE IF EXISTS temp.${ident(raw)}`).catch(() => {});
  }
  const counts = await rows<{ a: bigint; b: bigint }>(
    conn,
    `SELECT (SELECT count(*) FROM dfe_indicators) AS a, (SELECT count(*) FROM dfe_role_ethnicity) AS b`,
  );
  return {
    indicators: Number(counts[0]!.a),
    roleEthnicity: Number(counts[0]!.b),
    duplicatesDropped: { indicators: dropped[0]!, roleEthnicity: dropped[1]! },
    notes,
  };
}

/** The DfE files shipped with fairload (Open Government Licence v3.0; data/benchmarks/README.md). */
export const DEFAULT_DFE_DIR = join(PROJECT_ROOT, "data", "benchmarks");

/** Load the DfE tables into the workspace unless they are there (its own transaction). */
export async function ensureDfe(conn: DuckDBConnection, dir = DEFAULT_DFE_DIR, reload = false): Promise<boolean> {
  const [{ k }] = await rows<{ k: bigint }>(conn, `SELECT count(*) AS k FROM duckdb_tables() WHERE table_name IN ('dfe_indicators', 'dfe_role_ethnicity') AND NOT temporary`);
  if (!reload && Number(k) === 2) return false;
  await loadDfeBenchmarks(conn, dir);
  return true;
}
