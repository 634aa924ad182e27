/**
 * National figures from the DfE workforce tables that loaders/dfe.ts imports (`dfe_indicators`,
 * `dfe_role_ethnicity`; Open Government Licence v3.0, data/benchmarks/README.md):
 *
 * - {@link benchmarkMeasures} returns caseload, turnover, agency, vacancy and absence measures
 *   for England, a region and a comparator group of local authorities;
 * - {@link allLocalAuthorityMeasures} aggregates every local-authority row of a year, which is
 *   how the loader is checked against the National row;
 * - {@link representationBySeniority} gives each ethnic group's share of known-ethnicity staff
 *   by seniority and its relative likelihood of holding a senior role (WRES style).
 *
 * The connection is always the caller's: nothing here opens or closes a database.
 */
import { listValue, type DuckDBConnection } from "@duckdb/node-api";
import { queryParams as rows, quoteLit as lit } from "../core/db.ts";
import { UserError } from "../core/errors.ts";

// ---------------------------------------------------------------------------------------------
// Benchmark measures
// ---------------------------------------------------------------------------------------------

/** The benchmark measures, in output order. */
export const BENCHMARK_MEASURES = ["caseload_per_fte", "turnover_rate", "agency_rate", "vacancy_rate", "absence_rate"] as const;
export type BenchmarkMeasure = (typeof BENCHMARK_MEASURES)[number];

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
  name: BenchmarkMeasure;
  numerator: string;
  /** NULL when any part is NULL (SQL arithmetic), so "both present" is `num AND den NOT NULL`. */
  denominator: string;
  scale: number;
  /** The column holding DfE's published rate for the row. */
  published: string;
}

/**
 * The measure definitions of the DfE README (ratios of sums) and the column of each published
 * rate. England and regional rows show the published rate where the file has one and the rate
 * recomputed from the row's counts only where it does not ({@link benchmarkMeasures}): the
 * counts miss the published figure by up to 0.25 (agency 2023-2024, turnover 2022 and 2024),
 * and the National and Regional `working_days_lost_fte` cover only authorities that returned
 * absence while `inpost_fte` covers all, so recomputed absence understates the rate in 2023-2024.
 */
const NATIONAL_MEASURE_DEFS: MeasureDef[] = [
  { name: "caseload_per_fte", numerator: "cases", denominator: "case_holders_fte", scale: 1, published: "caseload_fte" },
  { name: "turnover_rate", numerator: "leavers_fte", denominator: "inpost_fte", scale: 100, published: "turnover_rate_fte" },
  { name: "agency_rate", numerator: "agency_fte", denominator: "inpost_fte + agency_fte", scale: 100, published: "agency_rate_fte" },
  { name: "vacancy_rate", numerator: "vacancy_fte", denominator: "vacancy_fte + inpost_fte", scale: 100, published: "vacancy_rate_fte" },
  {
    name: "absence_rate",
    numerator: "working_days_lost_fte",
    denominator: `inpost_fte * ${absenceWorkingDaysSql("time_period")}`,
    scale: 100,
    published: "absence_rate_fte",
  },
];

/** Where a benchmark value comes from: DfE's published rate, or a ratio of sums of counts. */
export type RateSource = "published" | "recomputed";

/** One benchmark value. */
export interface NationalRecord {
  year: number;
  /** 'England', the region's name as published, 'Comparators' or 'All local authorities'. */
  area: string;
  measure: BenchmarkMeasure;
  value: number | null;
  /** Sum of the numerator (cases, leavers, agency, vacancies, working days lost). */
  numerator: number | null;
  /** Sum of the denominator (for absence: in-post FTE x working days). */
  denominator: number | null;
  /** The rate the file publishes for this row (England and region only; NULL where it has none). */
  published: number | null;
  /** numerator / denominator (x100 for rates): the rate recomputed from the counts. */
  recomputed: number | null;
  /**
   * 'published': `value` is DfE's published rate (England and region rows that have one);
   * 'recomputed': `value` is `recomputed` (comparators, and England or region rows without one).
   */
  rate_source: RateSource;
  /** Aggregates: local-authority rows whose numerator and denominator were both present. */
  contributors: number | null;
  /** Aggregates: local-authority rows selected for that year (joint rows count once). */
  candidates: number | null;
}

/** SQL: one long row per (indicator row, measure) for the rows `where` selects. */
function measureLongSql(where: string): string {
  return NATIONAL_MEASURE_DEFS.map(
    (m) =>
      `SELECT time_period AS year, source_row, la_name, region_name, geographic_level, ${lit(m.name)} AS measure, ` +
      `CAST(${m.numerator} AS DOUBLE) AS num, CAST(${m.denominator} AS DOUBLE) AS den, ${m.scale} AS scale, ` +
      `CAST(${m.published} AS DOUBLE) AS published, ${NATIONAL_MEASURE_DEFS.indexOf(m)} AS measure_order ` +
      `FROM dfe_indicators WHERE ${where}`,
  ).join(" UNION ALL ");
}

/**
 * SQL: single published rows (England or a region) as benchmark records: the published rate
 * where the file has one, else the rate recomputed from the row's counts.
 */
function rowMeasuresSql(where: string, area: string): string {
  return (
    `SELECT year, ${area} AS area, measure, coalesce(published, num / NULLIF(den, 0) * scale) AS value, ` +
    `num AS numerator, den AS denominator, published, num / NULLIF(den, 0) * scale AS recomputed, ` +
    `CASE WHEN published IS NOT NULL THEN 'published' ELSE 'recomputed' END AS rate_source, ` +
    `CAST(NULL AS BIGINT) AS contributors, CAST(NULL AS BIGINT) AS candidates, measure_order ` +
    `FROM (${measureLongSql(where)})`
  );
}

/** SQL: ratio-of-sums aggregate over local-authority rows, counting only rows with both parts. */
function aggregateMeasuresSql(where: string, area: string): string {
  const ok = "num IS NOT NULL AND den IS NOT NULL";
  const rate = `sum(num) FILTER (WHERE ${ok}) / NULLIF(sum(den) FILTER (WHERE ${ok}), 0) * any_value(scale)`;
  return (
    `SELECT year, ${area} AS area, measure, ${rate} AS value, ` +
    `sum(num) FILTER (WHERE ${ok}) AS numerator, sum(den) FILTER (WHERE ${ok}) AS denominator, ` +
    `CAST(NULL AS DOUBLE) AS published, ${rate} AS recomputed, 'recomputed' AS rate_source, count(*) FILTER (WHERE ${ok}) AS contributors, ` +
    `count(*) AS candidates, any_value(measure_order) AS measure_order ` +
    `FROM (${measureLongSql(`geographic_level = 'Local authority' AND (${where})`)}) GROUP BY year, measure`
  );
}

function toRecord(r: Record<string, unknown>): NationalRecord {
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    year: Number(r.year),
    area: String(r.area),
    measure: r.measure as BenchmarkMeasure,
    value: n(r.value),
    numerator: n(r.numerator),
    denominator: n(r.denominator),
    published: n(r.published),
    recomputed: n(r.recomputed),
    rate_source: r.rate_source as RateSource,
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
 * England and region rows show DfE's published rate where the file has one (`rate_source`
 * 'published'), and the rate recomputed from the row's own counts only where it does not
 * ('recomputed'); `recomputed` always holds the counts' rate, so the two can be compared (they
 * differ by up to 0.25: agency 2023-2024, turnover 2022 and 2024; absence 2023-2024, whose days
 * lost cover only the authorities that returned absence; README). Comparators are
 * ratios of sums over the LAs whose numerator and denominator are both present that year
 * (`contributors` of `candidates`); the set can change by year through reorganisations.
 */
export async function benchmarkMeasures(
  conn: DuckDBConnection,
  opts: { region?: string; comparators?: string[]; year?: number },
): Promise<NationalRecord[]> {
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
export async function allLocalAuthorityMeasures(conn: DuckDBConnection, opts: { year?: number } = {}): Promise<NationalRecord[]> {
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
