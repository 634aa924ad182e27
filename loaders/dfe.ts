/**
 * DfE "Children's social work workforce" national benchmarks (explore-education-statistics,
 * Open Government Licence v3.0): importer and benchmark queries.
 *
 * Reference: data/benchmarks/README.md (provenance, definitions, the quirks handled here and
 * the discrepancies found in the published files).
 *
 * - {@link loadDfeBenchmarks} imports the two CSVs into `dfe_indicators` and
 *   `dfe_role_ethnicity`, mapping suppression codes to NULL (never zero) and recording them.
 * - {@link benchmarkMeasures} returns caseload, turnover, agency, vacancy and absence measures
 *   for England, a region and a comparator group of local authorities.
 * - {@link allLocalAuthorityMeasures} aggregates every local-authority row of a year, which is
 *   how the loader is checked against the National row.
 * - {@link representationBySeniority} gives each ethnic group's share of known-ethnicity staff
 *   by seniority and its relative likelihood of holding a senior role (WRES style).
 *
 * The connection is always the caller's: nothing here opens or closes a database.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DuckDBListValue, LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBType } from "@duckdb/node-api";
import { UserError, formatProblem, type InputProblem } from "./errors.ts";

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
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quote an SQL string literal. */
function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const CODES_SQL = `(${SUPPRESSION_CODES.map(lit).join(", ")})`;
const NUMBER_PATTERN = String.raw`[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`;
const MAX_PROBLEMS_SHOWN = 10;

/** Normalise a header cell so `"inpost_FTE"`, ` inpost_fte ` and a BOM-prefixed name all match. */
function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, "").trim().toLowerCase();
}

type Param = string | number | null | DuckDBListValue;

/**
 * Run `sql` and return its rows as plain JS objects. Only the `$name` parameters the SQL
 * mentions are bound (DuckDB refuses unused ones); strings bind as VARCHAR, lists as
 * VARCHAR[], numbers and NULL are typed by the SQL (write `CAST($year AS INTEGER)`).
 */
async function rows<T>(conn: DuckDBConnection, sql: string, params: Record<string, Param> = {}): Promise<T[]> {
  const used = Object.entries(params).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql));
  if (!used.length) return (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
  const types: Record<string, DuckDBType> = {};
  for (const [k, v] of used) {
    if (typeof v === "string") types[k] = VARCHAR;
    else if (v instanceof DuckDBListValue) types[k] = LIST(VARCHAR);
  }
  return (await conn.runAndReadAll(sql, Object.fromEntries(used), types)).getRowObjectsJS() as T[];
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

// ---------------------------------------------------------------------------------------------
// Benchmark measures
// ---------------------------------------------------------------------------------------------

/** The benchmark measures, in output order. */
export const MEASURE_NAMES = ["caseload_per_fte", "turnover_rate", "agency_rate", "vacancy_rate", "absence_rate"] as const;
export type MeasureName = (typeof MEASURE_NAMES)[number];

/**
 * Working days per FTE in the year to 30 September, as the DfE absence rate uses them: 253,
 * or 254 when that year contains 29 February (2020, 2024). Derived from the file, not from DfE
 * text: with this rule `working_days_lost_fte / (inpost_fte * days) * 100` gives the published
 * `absence_rate_fte` to within 0.05 on 1,430 of the 1,444 rows with all three values (the rest:
 * 8 LA rows off by at most 0.052 from rounded inputs, and the National and Regional rows of
 * 2023-2024 whose days lost exclude LAs that made no absence return); a constant 253 fails 35
 * more rows, all in 2020 and 2024 (data/benchmarks/README.md).
 */
export function absenceWorkingDays(year: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 254 : 253;
}

/** SQL twin of {@link absenceWorkingDays} for an integer year column. */
function absenceWorkingDaysSql(year: string): string {
  return `(CASE WHEN (${year} % 4 = 0 AND ${year} % 100 <> 0) OR ${year} % 400 = 0 THEN 254 ELSE 253 END)`;
}

interface MeasureDef {
  name: MeasureName;
  numerator: string;
  /** NULL when any part is NULL (SQL arithmetic), so "both present" is `num AND den NOT NULL`. */
  denominator: string;
  scale: number;
  published: string;
  /** For single published rows (England, region): use the counts or the published rate. */
  rowBasis: "counts" | "published";
}

/**
 * The measure definitions of the DfE README (ratios of sums). Absence for a single published
 * row uses the published rate: the National and Regional `working_days_lost_fte` cover only
 * authorities that returned absence, while `inpost_fte` covers all, so the row's own counts
 * understate the rate when an authority did not return (England 2023 and 2024).
 */
const MEASURES: MeasureDef[] = [
  { name: "caseload_per_fte", numerator: "cases", denominator: "case_holders_fte", scale: 1, published: "caseload_fte", rowBasis: "counts" },
  { name: "turnover_rate", numerator: "leavers_fte", denominator: "inpost_fte", scale: 100, published: "turnover_rate_fte", rowBasis: "counts" },
  { name: "agency_rate", numerator: "agency_fte", denominator: "inpost_fte + agency_fte", scale: 100, published: "agency_rate_fte", rowBasis: "counts" },
  { name: "vacancy_rate", numerator: "vacancy_fte", denominator: "vacancy_fte + inpost_fte", scale: 100, published: "vacancy_rate_fte", rowBasis: "counts" },
  {
    name: "absence_rate",
    numerator: "working_days_lost_fte",
    denominator: `inpost_fte * ${absenceWorkingDaysSql("time_period")}`,
    scale: 100,
    published: "absence_rate_fte",
    rowBasis: "published",
  },
];

/** One benchmark value. */
export interface BenchmarkRecord {
  year: number;
  /** 'England', the region's name as published, 'Comparators' or 'All local authorities'. */
  area: string;
  measure: MeasureName;
  value: number | null;
  /** Sum of the numerator (cases, leavers, agency, vacancies, working days lost). */
  numerator: number | null;
  /** Sum of the denominator; NULL when `basis` is 'published' (the file lacks DfE's base). */
  denominator: number | null;
  /** The rate the file publishes for this row (England and region only). */
  published: number | null;
  /** 'counts': value = numerator / denominator (x100 for rates); 'published': the file's rate. */
  basis: "counts" | "published";
  /** Aggregates: local-authority rows whose numerator and denominator were both present. */
  contributors: number | null;
  /** Aggregates: local-authority rows selected for that year (joint rows count once). */
  candidates: number | null;
}

/** SQL: one long row per (indicator row, measure) for the rows `where` selects. */
function measureLongSql(where: string): string {
  return MEASURES.map(
    (m) =>
      `SELECT time_period AS year, source_row, la_name, region_name, geographic_level, ${lit(m.name)} AS measure, ` +
      `CAST(${m.numerator} AS DOUBLE) AS num, CAST(${m.denominator} AS DOUBLE) AS den, ${m.scale} AS scale, ` +
      `${m.published} AS published, ${lit(m.rowBasis)} AS row_basis, ${MEASURES.indexOf(m)} AS measure_order ` +
      `FROM dfe_indicators WHERE ${where}`,
  ).join(" UNION ALL ");
}

/** SQL: single published rows (England or a region) as benchmark records. */
function rowMeasuresSql(where: string, area: string): string {
  return (
    `SELECT year, ${area} AS area, measure, ` +
    `CASE WHEN row_basis = 'published' THEN published ELSE num / NULLIF(den, 0) * scale END AS value, ` +
    `num AS numerator, CASE WHEN row_basis = 'published' THEN NULL ELSE den END AS denominator, ` +
    `published, row_basis AS basis, CAST(NULL AS BIGINT) AS contributors, CAST(NULL AS BIGINT) AS candidates, measure_order ` +
    `FROM (${measureLongSql(where)})`
  );
}

/** SQL: ratio-of-sums aggregate over local-authority rows, counting only rows with both parts. */
function aggregateMeasuresSql(where: string, area: string): string {
  const ok = "num IS NOT NULL AND den IS NOT NULL";
  return (
    `SELECT year, ${area} AS area, measure, ` +
    `sum(num) FILTER (WHERE ${ok}) / NULLIF(sum(den) FILTER (WHERE ${ok}), 0) * any_value(scale) AS value, ` +
    `sum(num) FILTER (WHERE ${ok}) AS numerator, sum(den) FILTER (WHERE ${ok}) AS denominator, ` +
    `CAST(NULL AS DOUBLE) AS published, 'counts' AS basis, count(*) FILTER (WHERE ${ok}) AS contributors, ` +
    `count(*) AS candidates, any_value(measure_order) AS measure_order ` +
    `FROM (${measureLongSql(`geographic_level = 'Local authority' AND (${where})`)}) GROUP BY year, measure`
  );
}

function toRecord(r: Record<string, unknown>): BenchmarkRecord {
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    year: Number(r.year),
    area: String(r.area),
    measure: r.measure as MeasureName,
    value: n(r.value),
    numerator: n(r.numerator),
    denominator: n(r.denominator),
    published: n(r.published),
    basis: r.basis as "counts" | "published",
    contributors: n(r.contributors),
    candidates: n(r.candidates),
  };
}

/** SQL predicate: the LA row's name or any of its codes (or any part of a joint row) is in `$names`. */
const LA_MATCH_SQL =
  `list_has_any(list_transform(` +
  `coalesce(string_split(la_name, ' / '), []) || coalesce(string_split(new_la_code, ' / '), []) || ` +
  `coalesce(string_split(old_la_code, ' / '), []) || [la_name, new_la_code, old_la_code], x -> lower(trim(x))), $names)`;

/** SQL predicate: a Regional row whose name or code equals `$region` (lower-cased). */
const REGION_MATCH_SQL = `geographic_level = 'Regional' AND (lower(region_name) = $region OR lower(region_code) = $region)`;

/**
 * Check that a region and every comparator name or code match at least one row of the table
 * (both already trimmed and lower-cased; `shown` maps them back to the caller's spelling).
 */
async function assertKnownAreas(conn: DuckDBConnection, region: string | undefined, names: string[], shown: Map<string, string>): Promise<void> {
  if (region !== undefined) {
    const [hit] = await rows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM dfe_indicators WHERE ${REGION_MATCH_SQL}`, { region });
    if (Number(hit!.n) === 0) {
      const known = await rows<{ r: string }>(conn, `SELECT DISTINCT region_name AS r FROM dfe_indicators WHERE geographic_level = 'Regional' ORDER BY 1`);
      throw new UserError(`DfE benchmarks: unknown region "${shown.get(region)}"; known: ${known.map((k) => k.r).join(", ")}`);
    }
  }
  if (names.length) {
    const unknown = await rows<{ n: string }>(
      conn,
      `SELECT n FROM unnest($names) AS t(n) WHERE NOT EXISTS (` +
        `SELECT 1 FROM dfe_indicators WHERE geographic_level = 'Local authority' AND ${LA_MATCH_SQL.replace("$names", "[n]")})`,
      { names: listValue(names) },
    );
    if (unknown.length) {
      throw new UserError(`DfE benchmarks: no local authority named or coded ${unknown.map((u) => `"${shown.get(u.n)}"`).join(", ")}`);
    }
  }
}

const YEAR_FILTER_SQL = "($year IS NULL OR time_period = CAST($year AS INTEGER))";

/**
 * Benchmark measures per year for 'England' (the National row), the named region (its Regional
 * row; name or code, case-insensitive; 'London', 'Inner London' and 'Outer London' all exist)
 * and 'Comparators' (the chosen local authorities' rows, by name or code, case-insensitive; a
 * joint row is chosen when any of its parts is named, and counts once). Unknown names throw.
 *
 * Definitions (DfE README): caseload_per_fte = cases / case_holders_fte; turnover_rate =
 * leavers_fte / inpost_fte x 100; agency_rate = agency_fte / (inpost_fte + agency_fte) x 100;
 * vacancy_rate = vacancy_fte / (vacancy_fte + inpost_fte) x 100; absence_rate =
 * working_days_lost_fte / (inpost_fte x {@link absenceWorkingDays}) x 100.
 * England and region rows use their own counts (basis 'counts', published rate alongside),
 * except absence, which is the published rate (basis 'published'; see README). Comparators are
 * ratios of sums over the LAs whose numerator and denominator are both present that year
 * (`contributors` of `candidates`); the set can change by year through reorganisations.
 */
export async function benchmarkMeasures(
  conn: DuckDBConnection,
  opts: { region?: string; comparators?: string[]; year?: number },
): Promise<BenchmarkRecord[]> {
  const shown = new Map<string, string>();
  const norm = (s: string): string => {
    const k = s.trim().toLowerCase();
    shown.set(k, s);
    return k;
  };
  const region = opts.region === undefined ? undefined : norm(opts.region);
  const names = (opts.comparators ?? []).map(norm).filter((n) => n.length > 0);
  await assertKnownAreas(conn, region, names, shown);
  const parts = [rowMeasuresSql(`geographic_level = 'National' AND ${YEAR_FILTER_SQL}`, "'England'")];
  if (region !== undefined) parts.push(rowMeasuresSql(`${REGION_MATCH_SQL} AND ${YEAR_FILTER_SQL}`, "region_name"));
  if (names.length) parts.push(aggregateMeasuresSql(`${LA_MATCH_SQL} AND ${YEAR_FILTER_SQL}`, "'Comparators'"));
  const order = `ORDER BY year, CASE area WHEN 'England' THEN 0 WHEN 'Comparators' THEN 2 ELSE 1 END, measure_order`;
  const found = await rows<Record<string, unknown>>(conn, `SELECT * EXCLUDE (measure_order) FROM (${parts.join(" UNION ALL ")}) ${order}`, {
    year: opts.year ?? null,
    region: region ?? null,
    names: listValue(names),
  });
  return found.map(toRecord);
}

/**
 * The benchmark measures aggregated from ALL local-authority rows of each year (or of `year`),
 * as ratios of sums over the rows whose numerator and denominator are both present; area
 * 'All local authorities'. Used to check the import against the National row: where every LA
 * row contributes, this reproduces the National counts' rates; where some LA values are
 * suppressed the National total still includes them, so the two can differ (README).
 */
export async function allLocalAuthorityMeasures(conn: DuckDBConnection, opts: { year?: number } = {}): Promise<BenchmarkRecord[]> {
  const found = await rows<Record<string, unknown>>(
    conn,
    `SELECT * EXCLUDE (measure_order) FROM (${aggregateMeasuresSql(YEAR_FILTER_SQL, "'All local authorities'")}) ORDER BY year, measure_order`,
    { year: opts.year ?? null },
  );
  return found.map(toRecord);
}

// ---------------------------------------------------------------------------------------------
// Representation by seniority
// ---------------------------------------------------------------------------------------------

/** The five ethnic groups of the role-by-ethnicity file, in the file's spelling. */
export const DFE_ETHNIC_GROUPS = [
  "White",
  "Mixed / Multiple ethnic groups",
  "Asian / Asian British",
  "Black / African / Caribbean / Black British",
  "Other ethnic group",
] as const;

/** Roles counted as managers (first line, middle and senior together, as the DfE README does). */
export const MANAGER_ROLES = ["First line manager", "Middle manager", "Senior manager"] as const;

/** One ethnic group's representation by seniority. Shares are percentages of known ethnicity. */
export interface RepresentationRecord {
  year: number;
  area: string;
  basis: "fte" | "headcount";
  group: string;
  /** Share of all staff (role Total) with known ethnicity. */
  shareAll: number | null;
  shareCaseHolders: number | null;
  shareSeniorPractitioners: number | null;
  /** First line + middle + senior managers. */
  shareManagers: number | null;
  /** The group's staff in all roles (FTE or headcount). */
  groupTotal: number | null;
  /** The group's senior practitioners plus managers. */
  groupSenior: number | null;
  /** groupSenior / groupTotal. */
  seniorRate: number | null;
  /** WRES-style relative likelihood: seniorRate / White seniorRate (White = 1). */
  relativeLikelihoodSenior: number | null;
}

/**
 * Representation by seniority from `dfe_role_ethnicity` for 'England' or a region (name or
 * code) in `year` (default: the latest year): each ethnic group's share of known-ethnicity
 * staff among all staff, case holders, senior practitioners and managers (first line + middle
 * + senior), and the relative likelihood of a senior role (senior practitioner or manager) vs
 * White, as the NHS Workforce Race Equality Standard computes it:
 * (group senior / group total) / (White senior / White total).
 *
 * `basis` picks FTE (default) or headcount. Note: the DfE README's example (England 2024,
 * Black 15.2% / 20.5% / 10.2%) is reproduced by headcount, not FTE (15.7% / 21.2% / 10.3%).
 * A suppressed cell (x, low) makes the shares that need it NULL, never zero.
 */
export async function representationBySeniority(
  conn: DuckDBConnection,
  opts: { year?: number; area: string; basis?: "fte" | "headcount" },
): Promise<RepresentationRecord[]> {
  const basis = opts.basis ?? "fte";
  const value = basis === "fte" ? "inpost_fte" : "inpost_headcount";
  const isEngland = opts.area.trim().toLowerCase() === "england";
  const areaWhere = isEngland
    ? `geographic_level = 'National'`
    : `geographic_level = 'Regional' AND (lower(region_name) = $area OR lower(region_code) = $area)`;
  const params = { area: opts.area.trim().toLowerCase(), year: opts.year ?? null };
  const [found] = await rows<{ y: number | null; name: string | null }>(
    conn,
    `SELECT max(time_period) AS y, any_value(region_name) AS name FROM dfe_role_ethnicity WHERE ${areaWhere} AND ${YEAR_FILTER_SQL}`,
    params,
  );
  if (!found || found.y === null) {
    throw new UserError(`DfE role by ethnicity: no rows for area "${opts.area}"${opts.year !== undefined ? ` in ${opts.year}` : ""}`);
  }
  const year = Number(found.y);
  const area = isEngland ? "England" : String(found.name);
  const cls =
    `CASE WHEN role = 'Total' THEN 'all' WHEN role = 'Case holder' THEN 'ch' WHEN role = 'Senior practitioner' THEN 'sp' ` +
    `WHEN role IN (${MANAGER_ROLES.map(lit).join(", ")}) THEN 'mgr' END`;
  // exactly one non-NULL cell per single role and all three manager cells, else NULL
  const pick = (c: string, n: number): string =>
    `CASE WHEN count(*) FILTER (WHERE cls = '${c}') = ${n} AND count(v) FILTER (WHERE cls = '${c}') = ${n} THEN sum(v) FILTER (WHERE cls = '${c}') END`;
  const sql =
    `WITH cells AS (SELECT breakdown AS grp, ${cls} AS cls, CAST(${value} AS DOUBLE) AS v FROM dfe_role_ethnicity ` +
    `WHERE ${areaWhere} AND time_period = CAST($year AS INTEGER) AND breakdown_topic = 'Ethnicity major'), ` +
    `g AS (SELECT grp, ${pick("all", 1)} AS all_v, ${pick("ch", 1)} AS ch, ${pick("sp", 1)} AS sp, ${pick("mgr", MANAGER_ROLES.length)} AS mgr ` +
    `FROM cells WHERE cls IS NOT NULL GROUP BY grp) ` +
    `SELECT g.grp AS "group", ` +
    `g.all_v / NULLIF(k.all_v, 0) * 100 AS share_all, g.ch / NULLIF(k.ch, 0) * 100 AS share_ch, ` +
    `g.sp / NULLIF(k.sp, 0) * 100 AS share_sp, g.mgr / NULLIF(k.mgr, 0) * 100 AS share_mgr, ` +
    `g.all_v AS group_total, g.sp + g.mgr AS group_senior, (g.sp + g.mgr) / NULLIF(g.all_v, 0) AS senior_rate, ` +
    `((g.sp + g.mgr) / NULLIF(g.all_v, 0)) / NULLIF((w.sp + w.mgr) / NULLIF(w.all_v, 0), 0) AS rel ` +
    `FROM g LEFT JOIN g AS k ON k.grp = 'Known' LEFT JOIN g AS w ON w.grp = 'White' ` +
    `WHERE g.grp IN (${DFE_ETHNIC_GROUPS.map(lit).join(", ")})`;
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const out = (await rows<Record<string, unknown>>(conn, sql, { ...params, year })).map(
    (r): RepresentationRecord => ({
      year,
      area,
      basis,
      group: String(r.group),
      shareAll: n(r.share_all),
      shareCaseHolders: n(r.share_ch),
      shareSeniorPractitioners: n(r.share_sp),
      shareManagers: n(r.share_mgr),
      groupTotal: n(r.group_total),
      groupSenior: n(r.group_senior),
      seniorRate: n(r.senior_rate),
      relativeLikelihoodSenior: n(r.rel),
    }),
  );
  const order = (g: string): number => DFE_ETHNIC_GROUPS.indexOf(g as (typeof DFE_ETHNIC_GROUPS)[number]);
  return out.sort((a, b) => order(a.group) - order(b.group));
}
