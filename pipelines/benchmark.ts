/**
 * The national benchmark: the employer's own caseload, turnover, agency, vacancy and absence
 * rates, computed with the DfE "Children's social work workforce" definitions from the monthly
 * returns, beside England, the employer's region and its comparator local authorities; the
 * national series' trend and peaks; and representation by seniority, nationally and regionally,
 * beside the employer's.
 *
 * Reference: data/benchmarks/README.md (DfE definitions as ratios of sums, the absence-rate
 * working days, the discrepancies in the published files) and docs/benchmark.md (how the
 * employer's figures are mapped onto the DfE definitions, month by month).
 *
 * DfE figures are at 30 September; flows (leavers, days lost) are for the year to 30 September.
 * The employer's "year Y" therefore uses its September Y return for stocks and the 12 months
 * October Y-1 to September Y for flows.
 */
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { addMonths, dfeReportingMonths } from "../core/calendar.ts";
import type { Config } from "../core/config.ts";
import { ensureSchema, inTransaction, openDb, queryRows, quoteLit, writeTable } from "../core/db.ts";
import type { ComputeStep } from "./registry.ts";
import {
  DFE_ETHNIC_GROUPS,
  BENCHMARK_MEASURES,
  absenceWorkingDays,
  benchmarkMeasures,
  representationBySeniority,
  type NationalRecord,
  type BenchmarkMeasure,
  type RepresentationRecord,
} from "./national.ts";
import { PROJECT_ROOT, type Workspace } from "../core/workspace.ts";
import { UserError } from "../core/errors.ts";
import { suppressCells } from "./disclosure.ts";
import { ensureModels } from "./build.ts";
import { analyseSeries, describeSeries } from "./stats/analyze.ts";

export { BENCHMARK_MEASURES, type BenchmarkMeasure };

/**
 * Roles left out of the employer's figures by default: DfE counts registered (children and
 * family) social workers, and Social Work Assistants are not social workers.
 */
export const DEFAULT_EXCLUDED_ROLES = ["Social Work Assistant"] as const;

export type AreaType = "england" | "region" | "comparators" | "employer";

/**
 * One benchmark figure: a year, an area and a measure. The national figures' fields
 * ({@link NationalRecord}: value, numerator, denominator, published, recomputed, rate_source,
 * contributors, candidates), with the area's type and a note; `area` is also the employer's name
 * on its rows. England and region values are DfE's published rates where the file has one
 * (`rate_source` 'published'); everything else is recomputed from counts ('recomputed').
 */
export interface BenchmarkRecord extends NationalRecord {
  area_type: AreaType;
  note: string | null;
}

/** Trend and peaks of one annual series (England or the region). */
export interface BenchmarkSeriesSummary {
  area: string;
  measure: BenchmarkMeasure;
  years: number[];
  values: (number | null)[];
  /** 'ok' or the parts that could not run on so few years (change points and SPC need 12). */
  status: string;
  trend_status: string;
  trend_direction: "increasing" | "decreasing" | "no trend" | null;
  mk_p: number | null;
  sen_slope_per_year: number | null;
  peaks: { year: number; value: number }[];
  troughs: { year: number; value: number }[];
  summary: string;
}

/** The employer's representation by seniority, shaped like the DfE's, with headcounts. */
export interface EmployerRepresentationRecord extends RepresentationRecord {
  /** Headcount of the group: all roles, case holders, senior practitioners, managers. */
  headcount: { all: number; caseHolders: number; seniorPractitioners: number; managers: number };
  /** Cells withheld (fewer than min_group_size people, or recoverable from the others). */
  suppressed: ("all" | "caseHolders" | "seniorPractitioners" | "managers")[];
}

export interface RepresentationComparison {
  /** The DfE year used (the latest DfE year not after the employer's September). */
  dfeYear: number;
  /** The employer's September return used (YYYY-09). */
  employerPeriod: string;
  england: RepresentationRecord[];
  region: RepresentationRecord[] | null;
  employer: EmployerRepresentationRecord[];
}

/** What {@link benchmarkReport} returns. */
export interface BenchmarkReport {
  records: BenchmarkRecord[];
  /** Plain-English notes: skipped areas, years without a September, definitions used. */
  notes: string[];
  series: BenchmarkSeriesSummary[];
  representation: RepresentationComparison | null;
}

/** Options of {@link benchmark} and {@link benchmarkReport}. */
export interface BenchmarkOptions {
  /** Roles left out of the employer's worker-based figures (default: Social Work Assistant). */
  excludeRoles?: string[];
}

const MEASURE_ORDER = new Map<string, number>(BENCHMARK_MEASURES.map((m, i) => [m, i]));
const AREA_ORDER: Record<AreaType, number> = { england: 0, region: 1, comparators: 2, employer: 3 };

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const dsum = (x: string) => `CAST(sum(CAST(${x} AS DECIMAL(18, 6))) AS DOUBLE)`;

// ---------------------------------------------------------------------------------------------
// The employer's figures
// ---------------------------------------------------------------------------------------------

/** Per-year sums from the returns (nulls where the returns have none). */
interface EmployerSums {
  year: number;
  inpost_fte: number | null;
  agency_fte: number | null;
  cases: number | null;
  case_holders_fte: number | null;
  vacancy_fte: number | null;
  establishment_fte: number | null;
  teams_with_vacancy: number;
  leavers_fte: number | null;
  sickness_days: number | null;
}

/**
 * The sums behind the employer's DfE-style measures, per DfE year, from the models
 * int_worker_month and int_team_month (current returns):
 * - stocks from the September return: in-post FTE (permanent, i.e. not agency), agency FTE,
 *   cases and FTE of case holders (workers with at least one case, permanent or agency);
 * - vacancies from the September team returns: vacant_fte + agency_fte (posts not filled by a
 *   permanent worker, as DfE counts vacancies including those covered by agency staff) over
 *   establishment_fte, over the teams reporting all three;
 * - leavers: permanent workers on month m-1's return who are on no return in month m (any team,
 *   any role), with their FTE in m-1; they count in the DfE year of m;
 * - sickness days of permanent workers, by DfE year of the month.
 * Workers in `excludeRoles` are left out of every worker-based sum (the team return cannot split
 * posts by role, so vacancies cover all posts).
 */
async function employerSums(conn: DuckDBConnection, excludeRoles: string[]): Promise<EmployerSums[]> {
  const roleFilter = excludeRoles.length ? `role NOT IN (${excludeRoles.map(quoteLit).join(", ")})` : "true";
  const yearOf = (p: string) => `(CAST(substr(${p}, 1, 4) AS INTEGER) + CASE WHEN CAST(substr(${p}, 6, 2) AS INTEGER) >= 10 THEN 1 ELSE 0 END)`;
  const sql = `
    WITH f AS (SELECT * FROM int_worker_month WHERE ${roleFilter}),
    months AS (SELECT DISTINCT period FROM int_worker_month),
    years AS (SELECT DISTINCT ${yearOf("period")} AS year FROM months),
    stock AS (
      SELECT CAST(substr(period, 1, 4) AS INTEGER) AS year,
        ${dsum("CASE WHEN NOT is_agency THEN fte END")} AS inpost_fte,
        coalesce(${dsum("CASE WHEN is_agency THEN fte END")}, 0) AS agency_fte,
        ${dsum("CASE WHEN is_case_holder THEN cases END")} AS cases,
        ${dsum("CASE WHEN is_case_holder THEN fte END")} AS case_holders_fte
      FROM f WHERE substr(period, 6, 2) = '09' GROUP BY 1),
    vac AS (
      SELECT CAST(substr(period, 1, 4) AS INTEGER) AS year,
        ${dsum("vacant_fte + agency_fte")} AS vacancy_fte, ${dsum("establishment_fte")} AS establishment_fte, count(*) AS teams
      FROM int_team_month
      WHERE substr(period, 6, 2) = '09' AND vacant_fte IS NOT NULL AND agency_fte IS NOT NULL AND establishment_fte IS NOT NULL
      GROUP BY 1),
    leavers AS (
      SELECT ${yearOf("next_period")} AS year, ${dsum("fte")} AS leavers_fte
      FROM (SELECT f.*, strftime(f.month_start + INTERVAL 1 MONTH, '%Y-%m') AS next_period FROM f WHERE NOT is_agency) p
      WHERE next_period IN (SELECT period FROM months)
        AND NOT EXISTS (SELECT 1 FROM int_worker_month w WHERE w.worker_id = p.worker_id AND w.period = p.next_period)
      GROUP BY 1),
    sick AS (
      SELECT ${yearOf("period")} AS year, ${dsum("sickness_days")} AS sickness_days
      FROM f WHERE NOT is_agency GROUP BY 1)
    SELECT years.year, stock.inpost_fte, stock.agency_fte, stock.cases, stock.case_holders_fte,
      vac.vacancy_fte, vac.establishment_fte, coalesce(vac.teams, 0) AS teams_with_vacancy,
      coalesce(leavers.leavers_fte, 0) AS leavers_fte, sick.sickness_days
    FROM years
    LEFT JOIN stock USING (year) LEFT JOIN vac USING (year) LEFT JOIN leavers USING (year) LEFT JOIN sick USING (year)
    ORDER BY year`;
  const rows = await queryRows<Record<string, unknown>>(conn, sql);
  return rows.map((x) => ({
    year: Number(x.year), inpost_fte: n(x.inpost_fte), agency_fte: n(x.agency_fte), cases: n(x.cases), case_holders_fte: n(x.case_holders_fte),
    vacancy_fte: n(x.vacancy_fte), establishment_fte: n(x.establishment_fte), teams_with_vacancy: Number(x.teams_with_vacancy),
    leavers_fte: n(x.leavers_fte), sickness_days: n(x.sickness_days),
  }));
}

/** Months missing from a list, for notes. */
function missingMonths(needed: string[], have: Set<string>): string[] {
  return needed.filter((p) => !have.has(p));
}

function ratio(num: number | null, den: number | null, scale: number): number | null {
  return num === null || den === null || den <= 0 ? null : (num / den) * scale;
}

/**
 * The employer's five DfE-style measures for every DfE year its returns touch (a year whose
 * September or months are missing gets NULL values with a note saying what is missing):
 * - caseload_per_fte = cases / FTE of case holders, September return;
 * - turnover_rate = leavers' FTE over the year (needs every return from September Y-1 to
 *   September Y) / in-post FTE in September x 100;
 * - agency_rate = agency FTE / (in-post + agency FTE), September x 100;
 * - vacancy_rate = (vacant + agency-covered FTE) / establishment FTE, September team returns x 100;
 * - absence_rate = sickness days over the 12 months October Y-1 to September Y (all needed) /
 *   (in-post FTE in September x {@link absenceWorkingDays}(Y)) x 100.
 * Reference: data/benchmarks/README.md (DfE definitions), docs/benchmark.md.
 */
export async function employerMeasures(conn: DuckDBConnection, opts: { employer: string; excludeRoles?: string[] }): Promise<BenchmarkRecord[]> {
  const exclude = opts.excludeRoles ?? [...DEFAULT_EXCLUDED_ROLES];
  const sums = await employerSums(conn, exclude);
  const have = new Set((await queryRows<{ period: string }>(conn, `SELECT DISTINCT period FROM int_worker_month`)).map((x) => String(x.period)));
  const teamHave = new Set((await queryRows<{ period: string }>(conn, `SELECT DISTINCT period FROM int_team_month WHERE has_team_return`)).map((x) => String(x.period)));
  const out: BenchmarkRecord[] = [];
  for (const s of sums) {
    const sep = `${s.year}-09`;
    const hasSep = have.has(sep);
    const noSep = `no September ${s.year} return`;
    const rec = (measure: BenchmarkMeasure, num: number | null, den: number | null, scale: number, note: string | null, ok: boolean): BenchmarkRecord => ({
      year: s.year, area: opts.employer, area_type: "employer", measure,
      value: ok ? ratio(num, den, scale) : null, numerator: ok ? num : null, denominator: ok ? den : null,
      published: null, recomputed: ok ? ratio(num, den, scale) : null, rate_source: "recomputed", contributors: null, candidates: null, note,
    });
    out.push(rec("caseload_per_fte", s.cases, s.case_holders_fte, 1, hasSep ? `September ${s.year} return: cases / FTE of case holders` : noSep, hasSep));
    const turnoverMissing = missingMonths([addMonths(sep, -12), ...dfeReportingMonths(s.year)], have);
    out.push(
      rec("turnover_rate", s.leavers_fte, s.inpost_fte, 100,
        !hasSep ? noSep : turnoverMissing.length ? `leavers need every return from September ${s.year - 1} to September ${s.year}; missing ${turnoverMissing.join(", ")}` : `leavers' FTE, October ${s.year - 1} to September ${s.year} / in-post FTE, September ${s.year}`,
        hasSep && turnoverMissing.length === 0),
    );
    const agencyDen = s.inpost_fte === null || s.agency_fte === null ? null : s.inpost_fte + s.agency_fte;
    out.push(rec("agency_rate", s.agency_fte, agencyDen, 100, hasSep ? `September ${s.year} return: agency FTE / (in-post + agency FTE)` : noSep, hasSep));
    const hasTeamSep = teamHave.has(sep) && s.teams_with_vacancy > 0;
    out.push(
      rec("vacancy_rate", s.vacancy_fte, s.establishment_fte, 100,
        hasTeamSep ? `September ${s.year} team returns (${s.teams_with_vacancy} teams): (vacant + agency-covered FTE) / establishment FTE` : `no September ${s.year} team return with vacancies, agency cover and establishment`,
        hasTeamSep),
    );
    const absenceMissing = missingMonths(dfeReportingMonths(s.year), have);
    const days = absenceWorkingDays(s.year);
    out.push(
      rec("absence_rate", s.sickness_days, s.inpost_fte === null ? null : s.inpost_fte * days, 100,
        !hasSep ? noSep : absenceMissing.length ? `sickness days need every month October ${s.year - 1} to September ${s.year}; missing ${absenceMissing.join(", ")}` : `sickness days, October ${s.year - 1} to September ${s.year} / (in-post FTE, September ${s.year} x ${days} working days)`,
        hasSep && absenceMissing.length === 0),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DfE areas
// ---------------------------------------------------------------------------------------------

/** A figure for notes: at most two decimals, no trailing zeros (15.96, 16.2). */
const figure = (x: number): string => String(Number(x.toFixed(2)));

/**
 * A DfE benchmark row (pipelines/national.ts) as a benchmark record with its area type and a
 * note saying where the value comes from: DfE's published rate (England and region rows that
 * have one; the note gives the counts' rate when it differs by more than 0.05), the row's counts
 * (no published rate), or a ratio of sums (comparators).
 */
function fromDfe(r: NationalRecord): BenchmarkRecord {
  const type: AreaType = r.area === "England" ? "england" : r.area === "Comparators" ? "comparators" : "region";
  let note: string | null;
  if (type === "comparators") note = `recomputed: ratio of sums over ${r.contributors} of ${r.candidates} comparator rows with both parts`;
  else if (r.rate_source === "recomputed") note = r.value === null ? "no published rate and no counts to recompute it from" : "recomputed from the row's own counts: DfE publishes no rate for this row";
  else if (r.recomputed !== null && Math.abs(r.recomputed - r.published!) > 0.05) {
    note =
      `DfE's published rate; the row's own counts give ${figure(r.recomputed)}` +
      (r.measure === "absence_rate" ? " (its days lost cover only the authorities that returned absence)" : "") +
      " (data/benchmarks/README.md)";
  } else note = "DfE's published rate";
  return {
    year: r.year, area: r.area, area_type: type, measure: r.measure, value: r.value, numerator: r.numerator, denominator: r.denominator,
    published: r.published, recomputed: r.recomputed, rate_source: r.rate_source, contributors: r.contributors, candidates: r.candidates, note,
  };
}

/**
 * Trend and peaks of the annual series of England (and the region) for each measure, from the
 * records: `analyseSeries` with period 1 (Mann-Kendall and Sen's slope from 8 years; peaks and
 * troughs from 5). Nine annual points are too few for change points and control charts (12),
 * so `status` says those parts are limited.
 */
export function benchmarkSeries(records: BenchmarkRecord[], areaTypes: AreaType[] = ["england", "region"]): BenchmarkSeriesSummary[] {
  const out: BenchmarkSeriesSummary[] = [];
  const areas = [...new Set(records.filter((x) => areaTypes.includes(x.area_type)).map((x) => `${x.area_type}\u0000${x.area}`))];
  for (const key of areas) {
    const [type, area] = key.split("\u0000") as [AreaType, string];
    for (const measure of BENCHMARK_MEASURES) {
      const pts = records.filter((x) => x.area === area && x.area_type === type && x.measure === measure).sort((a, b) => a.year - b.year);
      if (pts.length === 0) continue;
      const a = analyseSeries({ dates: pts.map((p) => String(p.year)), values: pts.map((p) => p.value), period: 1, higherIs: "worse" });
      out.push({
        area, measure, years: a.dates.map(Number), values: a.values, status: a.status,
        trend_status: a.trend.status, trend_direction: a.trend.direction, mk_p: a.trend.mk?.p ?? null,
        sen_slope_per_year: a.trend.sen?.slope_per_year ?? null,
        peaks: a.peaks.map((p) => ({ year: Number(p.date), value: p.value })),
        troughs: a.troughs.map((p) => ({ year: Number(p.date), value: p.value })),
        summary: describeSeries(a, `${measure.replace(/_/g, " ")} in ${area}`),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Representation by seniority
// ---------------------------------------------------------------------------------------------

/** ONS 2021 broad groups (as stored) -> the DfE file's group names. */
const ONS_TO_DFE: Record<string, (typeof DFE_ETHNIC_GROUPS)[number]> = {
  White: "White",
  "Mixed or Multiple": "Mixed / Multiple ethnic groups",
  "Asian or Asian British": "Asian / Asian British",
  "Black, Black British, Caribbean or African": "Black / African / Caribbean / Black British",
  "Other ethnic group": "Other ethnic group",
};

type Cat = "all" | "caseHolders" | "seniorPractitioners" | "managers";
const CATS: Cat[] = ["all", "caseHolders", "seniorPractitioners", "managers"];

/**
 * The employer's representation by seniority in one September, shaped as
 * `representationBySeniority` (loaders/dfe.ts) gives DfE's: FTE of permanent workers (DfE counts
 * social workers in post, not agency) outside `excludeRoles`, by ONS broad group mapped to the
 * DfE's five groups (Not known is left out: shares are of known ethnicity). Roles are mapped to
 * the DfE's exclusive categories: managers = roles whose name contains "manager"; senior
 * practitioners = the other configured senior roles (is_senior); case holders = the rest holding
 * at least one case. Relative likelihood of a senior role (senior practitioner or manager) vs
 * White, as WRES computes it. A cell describing fewer than `minGroupSize` people, or recoverable
 * from the others of its column (pipelines/disclosure.ts), is withheld (NULL).
 */
export async function employerRepresentation(
  conn: DuckDBConnection,
  opts: { period: string; employer: string; excludeRoles?: string[]; minGroupSize: number },
): Promise<EmployerRepresentationRecord[]> {
  const exclude = opts.excludeRoles ?? [...DEFAULT_EXCLUDED_ROLES];
  const rows = await queryRows<Record<string, unknown>>(
    conn,
    `SELECT ons_group,
       CASE WHEN lower(role) LIKE '%manager%' THEN 'managers' WHEN is_senior THEN 'seniorPractitioners' WHEN is_case_holder THEN 'caseHolders' ELSE 'other' END AS cat,
       ${dsum("fte")} AS fte, count(*) AS heads
     FROM int_worker_month
     WHERE period = ${quoteLit(opts.period)} AND NOT is_agency ${exclude.length ? `AND role NOT IN (${exclude.map(quoteLit).join(", ")})` : ""}
     GROUP BY ALL`,
  );
  const fte = new Map<string, Record<Cat, number>>();
  const heads = new Map<string, Record<Cat, number>>();
  for (const g of DFE_ETHNIC_GROUPS) {
    fte.set(g, { all: 0, caseHolders: 0, seniorPractitioners: 0, managers: 0 });
    heads.set(g, { all: 0, caseHolders: 0, seniorPractitioners: 0, managers: 0 });
  }
  for (const x of rows) {
    const g = ONS_TO_DFE[String(x.ons_group)];
    if (!g) continue; // Not known
    const cat = String(x.cat) as Cat | "other";
    for (const [map, v] of [[fte, Number(x.fte)], [heads, Number(x.heads)]] as const) {
      map.get(g)!.all += v;
      if (cat !== "other") map.get(g)![cat] += v;
    }
  }
  const withheld = new Map<string, Set<Cat>>(DFE_ETHNIC_GROUPS.map((g) => [g, new Set<Cat>()]));
  for (const c of CATS) {
    const cells = DFE_ETHNIC_GROUPS.map((g) => ({ id: g, count: heads.get(g)![c] }));
    const res = suppressCells(cells, [DFE_ETHNIC_GROUPS.slice()], opts.minGroupSize);
    for (const id of res.all) withheld.get(id)!.add(c);
  }
  const known = (c: Cat) => DFE_ETHNIC_GROUPS.reduce((s, g) => s + fte.get(g)![c], 0);
  const share = (g: string, c: Cat) => (withheld.get(g)!.has(c) || known(c) <= 0 ? null : (fte.get(g)![c] / known(c)) * 100);
  const seniorRate = (g: string) => {
    const w = withheld.get(g)!;
    if (w.has("all") || w.has("seniorPractitioners") || w.has("managers")) return null;
    const f = fte.get(g)!;
    return f.all > 0 ? (f.seniorPractitioners + f.managers) / f.all : null;
  };
  const whiteRate = seniorRate("White");
  return DFE_ETHNIC_GROUPS.map((g) => {
    const f = fte.get(g)!;
    const w = withheld.get(g)!;
    const rate = seniorRate(g);
    return {
      year: Number(opts.period.slice(0, 4)), area: opts.employer, basis: "fte" as const, group: g,
      shareAll: share(g, "all"), shareCaseHolders: share(g, "caseHolders"), shareSeniorPractitioners: share(g, "seniorPractitioners"), shareManagers: share(g, "managers"),
      groupTotal: w.has("all") ? null : f.all, groupSenior: rate === null ? null : f.seniorPractitioners + f.managers,
      seniorRate: rate, relativeLikelihoodSenior: rate === null || whiteRate === null || whiteRate === 0 ? null : rate / whiteRate,
      headcount: { ...heads.get(g)! }, suppressed: CATS.filter((c) => w.has(c)),
    };
  });
}

/** DfE and employer representation for the employer's latest September (null if it has none). */
async function representationComparison(conn: DuckDBConnection, config: Config, excludeRoles: string[], notes: string[]): Promise<RepresentationComparison | null> {
  const [{ p }] = await queryRows<{ p: string | null }>(conn, `SELECT max(period) AS p FROM int_worker_month WHERE substr(period, 6, 2) = '09'`);
  if (!p) {
    notes.push("Representation by seniority: the returns hold no September, so the employer side is not shown.");
    return null;
  }
  const years = (await queryRows<{ y: number }>(conn, `SELECT DISTINCT time_period AS y FROM dfe_role_ethnicity ORDER BY 1`)).map((x) => Number(x.y));
  const employerYear = Number(String(p).slice(0, 4));
  const dfeYear = [...years].reverse().find((y) => y <= employerYear) ?? years[0]!;
  if (dfeYear !== employerYear) notes.push(`Representation by seniority: the employer's September ${employerYear} is set beside DfE ${dfeYear}, the nearest DfE year.`);
  const england = await representationBySeniority(conn, { area: "England", year: dfeYear });
  const region = config.region ? await representationBySeniority(conn, { area: config.region, year: dfeYear }) : null;
  const employer = await employerRepresentation(conn, { period: String(p), employer: config.employer, excludeRoles, minGroupSize: config.min_group_size });
  return { dfeYear, employerPeriod: String(p), england, region, employer };
}

// ---------------------------------------------------------------------------------------------
// Putting it together
// ---------------------------------------------------------------------------------------------

/** The DfE tables are imported by loaders/dfe.ts (`ensureDfe`); analysis only reads them. */
async function assertDfeLoaded(conn: DuckDBConnection): Promise<void> {
  const [{ k }] = await queryRows<{ k: bigint }>(conn, `SELECT count(*) AS k FROM duckdb_tables() WHERE table_name IN ('dfe_indicators', 'dfe_role_ethnicity')`);
  if (Number(k) !== 2) throw new UserError("The DfE national tables are not loaded in this workspace: run fairload run (it loads them from data/benchmarks).");
}

/**
 * The full benchmark from an open connection: DfE rows for England, the configured region and
 * the comparators (loaders/dfe.ts `benchmarkMeasures`; an unknown region or comparator name is a
 * UserError naming it), the employer's rows ({@link employerMeasures}), the annual series'
 * trend and peaks ({@link benchmarkSeries}) and representation by seniority. The DfE tables must
 * be loaded (loaders/dfe.ts `ensureDfe`, which `fairload run` calls); the models are built if stale.
 */
export async function benchmarkData(conn: DuckDBConnection, config: Config, opts: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  const notes: string[] = [];
  await ensureSchema(conn);
  await assertDfeLoaded(conn);
  await ensureModels(conn, config);
  const excludeRoles = opts.excludeRoles ?? [...DEFAULT_EXCLUDED_ROLES];
  if (!config.region) notes.push("No region configured (set \"region\" in fairload.json): region rows are skipped.");
  if (config.comparators.length === 0) notes.push("No comparators configured (set \"comparators\" in fairload.json): comparator rows are skipped.");
  const dfe = await benchmarkMeasures(conn, { region: config.region, comparators: config.comparators });
  const records = dfe.map(fromDfe);
  const employer = await employerMeasures(conn, { employer: config.employer, excludeRoles });
  if (employer.length === 0) notes.push("The workspace has no worker returns: the employer's rows are missing.");
  for (const y of [...new Set(employer.filter((x) => x.note?.startsWith("no September")).map((x) => x.year))]) {
    notes.push(`${config.employer}: no September ${y} return, so ${y} has no employer figures (DfE figures are at 30 September).`);
  }
  if (excludeRoles.length) notes.push(`Employer figures leave out ${excludeRoles.join(", ")} (not counted as social workers by DfE); vacancies cover all posts of the team returns.`);
  records.push(...employer);
  records.sort((a, b) => a.year - b.year || AREA_ORDER[a.area_type] - AREA_ORDER[b.area_type] || MEASURE_ORDER.get(a.measure)! - MEASURE_ORDER.get(b.measure)!);
  const series = benchmarkSeries(records);
  const representation = await representationComparison(conn, config, excludeRoles, notes);
  return { records, notes, series, representation };
}

/**
 * `fairload benchmark`: everything {@link benchmarkData} computes, opening the workspace database
 * itself.
 */
export async function benchmarkReport(ws: Workspace, opts: BenchmarkOptions = {}): Promise<BenchmarkReport> {
  const db = await openDb(ws.dbPath);
  try {
    return await benchmarkData(db.conn, ws.config, opts);
  } finally {
    db.close();
  }
}


const BENCHMARK_COLUMNS: Record<string, string> = {
  year: "INTEGER", area: "VARCHAR", area_type: "VARCHAR", measure: "VARCHAR", value: "DOUBLE", numerator: "DOUBLE", denominator: "DOUBLE",
  published: "DOUBLE", recomputed: "DOUBLE", rate_source: "VARCHAR", contributors: "INTEGER", candidates: "INTEGER", note: "VARCHAR",
};

function assertUniqueGrain(records: BenchmarkRecord[]): void {
  const seen = new Set<string>();
  for (const x of records) {
    const k = JSON.stringify([x.year, x.area, x.measure]);
    if (seen.has(k)) throw new Error(`mart_benchmark: ${x.area} ${x.year} ${x.measure} appears twice (grain is year x area x measure)`);
    seen.add(k);
  }
}

/** Store the records as `mart_benchmark` (grain: year x area x measure), in one transaction. */
export async function writeBenchmarkMarts(conn: DuckDBConnection, records: BenchmarkRecord[]): Promise<number> {
  assertUniqueGrain(records);
  await inTransaction(conn, () => writeTable(conn, "mart_benchmark", BENCHMARK_COLUMNS, records));
  return records.length;
}

/** The national-benchmark step of `fairload run`. */
export const benchmarkStep: ComputeStep<unknown, { notes: string[] }> = {
  name: "benchmark",
  writtenBy: "run",
  upstream: ["int_worker_month", "int_team_month", "dfe_indicators", "dfe_role_ethnicity"],
  outputs: [{ name: "mart_benchmark", grain: "one row per year, area and measure: the employer beside England, the region and the comparators", key: ["year", "area", "measure"], columns: BENCHMARK_COLUMNS }],
  async compute({ conn, config }) {
    const b = await benchmarkData(conn, config);
    assertUniqueGrain(b.records);
    return { tables: { mart_benchmark: b.records }, extra: { notes: b.notes } };
  },
};
