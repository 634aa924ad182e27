/**
 * The national benchmark (pipelines/benchmark.ts) on the shipped sample employer and the DfE
 * files in data/benchmarks/: the employer's DfE-style measures against ratios of sums recomputed
 * here from the contract tables; England against the National row's published rates
 * (rate_source 'published', data/benchmarks/README.md); comparators against sums recomputed from
 * dfe_indicators; suppression codes staying missing, never zero; the edge cases (no region,
 * unknown comparator, no September).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, queryRows, type Db } from "../../core/db.ts";
import { ingest } from "../../loaders/ingest.ts";
import type { Workspace } from "../../core/workspace.ts";
import { absenceWorkingDays } from "../../pipelines/national.ts";
import { ensureDfe } from "../../loaders/dfe.ts";
import { benchmarkWorkspace } from "../../app/workflow.ts";
import { dfeReportingMonths } from "../../core/calendar.ts";
import {
  BENCHMARK_MEASURES,
  benchmarkData,
  writeBenchmarkMarts,
  type BenchmarkRecord,
  type BenchmarkReport,
} from "../../pipelines/benchmark.ts";
import { ROOT, smallReturn, tempWorkspace, writeReturn } from "../support/helpers.ts";

const SAMPLE = join(ROOT, "data", "sample", "returns");
const SHIPPED = JSON.parse(readFileSync(join(ROOT, "data", "fairload.json"), "utf8")) as { region: string; comparators: string[] };
const EMPLOYER = "Northshire (sample)";
const REL = 1e-9;

let ws: Workspace;
let db: Db;
let report: BenchmarkReport;

function close(a: number | null | undefined, b: number | null | undefined, rel = REL): void {
  expect(a).not.toBeNull();
  expect(b).not.toBeNull();
  expect(Math.abs(a! - b!)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b!)));
}

async function one<T = Record<string, number | null>>(conn: DuckDBConnection, sql: string): Promise<T> {
  const rows = await queryRows<Record<string, unknown>>(conn, sql);
  return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])) as T;
}

const find = (recs: BenchmarkRecord[], area: string, year: number, measure: string) => recs.find((x) => x.area === area && x.year === year && x.measure === measure);

beforeAll(async () => {
  ws = tempWorkspace(EMPLOYER);
  ws.config = { ...ws.config, region: SHIPPED.region, comparators: SHIPPED.comparators };
  await ingest(ws, [SAMPLE]);
  db = await openDb(ws.dbPath);
  await ensureDfe(db.conn);
  report = await benchmarkData(db.conn, ws.config);
}, 60_000);

afterAll(() => db?.close());

describe("the employer's measures are DfE definitions as ratios of sums of its returns", () => {
  it("2025: September stocks and the flows of October 2024 to September 2025, recomputed from the contract tables", async () => {
    const c = db.conn;
    const notSwa = `role <> 'Social Work Assistant'`;
    const perm = `coalesce(employment, 'permanent') <> 'agency'`;
    const sep = await one(c, `
      WITH w AS (SELECT * FROM worker_month WHERE period = '2025-09' AND ${notSwa}),
           k AS (SELECT worker_id, count(*) AS n FROM case_month WHERE period = '2025-09' GROUP BY worker_id)
      SELECT (SELECT sum(k.n) / sum(w.fte) FROM w JOIN k USING (worker_id)) AS caseload,
             (SELECT sum(fte) FILTER (WHERE employment = 'agency') FROM w) AS agency,
             (SELECT sum(fte) FILTER (WHERE ${perm}) FROM w) AS inpost`);
    const vac = await one(c, `SELECT sum(vacant_fte + agency_fte) / sum(establishment_fte) * 100 AS v FROM team_month WHERE period = '2025-09'`);
    const leavers = await one(c, `
      SELECT sum(a.fte) AS fte FROM worker_month a
      WHERE a.period BETWEEN '2024-09' AND '2025-08' AND ${notSwa.replace("role", "a.role")} AND coalesce(a.employment, 'permanent') <> 'agency'
        AND NOT EXISTS (SELECT 1 FROM worker_month b WHERE b.worker_id = a.worker_id
                        AND b.period = strftime(CAST(a.period || '-01' AS DATE) + INTERVAL 1 MONTH, '%Y-%m'))`);
    const sick = await one(c, `
      SELECT sum(sickness_days) AS d FROM worker_month WHERE period BETWEEN '2024-10' AND '2025-09' AND ${notSwa} AND ${perm}`);
    expect(sep.agency!).toBeGreaterThan(0);
    expect(leavers.fte!).toBeGreaterThan(0);
    const e = (m: string) => find(report.records, EMPLOYER, 2025, m)!;
    close(e("caseload_per_fte").value, sep.caseload);
    close(e("agency_rate").value, (sep.agency! / (sep.agency! + sep.inpost!)) * 100);
    close(e("vacancy_rate").value, vac.v);
    close(e("turnover_rate").value, (leavers.fte! / sep.inpost!) * 100);
    close(e("turnover_rate").denominator, sep.inpost);
    close(e("absence_rate").value, (sick.d! / (sep.inpost! * 253)) * 100);
    expect(absenceWorkingDays(2025)).toBe(253);
    for (const m of BENCHMARK_MEASURES) expect(e(m).area_type).toBe("employer");
  });

  it("a year whose flows are incomplete has no turnover, with a note naming the missing month", () => {
    // the sample starts in October 2023: September 2023 is missing for 2024's leavers
    const t = find(report.records, EMPLOYER, 2024, "turnover_rate")!;
    expect(t.value).toBeNull();
    expect(t.note).toMatch(/2023-09/);
    expect(find(report.records, EMPLOYER, 2024, "absence_rate")!.value).not.toBeNull();
    expect(dfeReportingMonths(2024)).toEqual(["2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09"]);
    // and every year the returns touch is there: 2024-2026
    expect([...new Set(report.records.filter((x) => x.area_type === "employer").map((x) => x.year))]).toEqual([2024, 2025, 2026]);
  });
});

describe("DfE areas", () => {
  it("England equals the National row's published rates (rate_source 'published'), 2017-2025", async () => {
    const rows = await queryRows<Record<string, number>>(db.conn, `
      SELECT time_period AS y, caseload_fte AS caseload_per_fte, turnover_rate_fte AS turnover_rate,
             agency_rate_fte AS agency_rate, vacancy_rate_fte AS vacancy_rate, absence_rate_fte AS absence_rate
      FROM dfe_indicators WHERE geographic_level = 'National' ORDER BY 1`);
    expect(rows.map((r) => Number(r.y))).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
    for (const r of rows) {
      for (const m of BENCHMARK_MEASURES) {
        const rec = find(report.records, "England", Number(r.y), m)!;
        close(rec.value, r[m]);
        expect(rec.area_type).toBe("england");
      }
      for (const m of BENCHMARK_MEASURES) expect(find(report.records, "England", Number(r.y), m)!.rate_source).toBe("published");
    }
  });

  it("the region is its Regional row", async () => {
    const r = await one(db.conn, `SELECT turnover_rate_fte AS t FROM dfe_indicators WHERE geographic_level = 'Regional' AND region_name = 'North West' AND time_period = 2023`);
    const rec = find(report.records, "North West", 2023, "turnover_rate")!;
    close(rec.value, r.t);
    expect(rec.area_type).toBe("region");
  });

  it("Comparators aggregate as ratios of sums over the LAs with both parts, recomputed from dfe_indicators", async () => {
    const names = SHIPPED.comparators.map((x) => `'${x.toLowerCase()}'`).join(", ");
    const defs: Record<string, [string, string]> = {
      caseload_per_fte: ["cases", "case_holders_fte"],
      turnover_rate: ["leavers_fte", "inpost_fte"],
      agency_rate: ["agency_fte", "inpost_fte + agency_fte"],
      vacancy_rate: ["vacancy_fte", "vacancy_fte + inpost_fte"],
      absence_rate: ["working_days_lost_fte", "inpost_fte * (CASE WHEN time_period IN (2020, 2024) THEN 254 ELSE 253 END)"],
    };
    for (const [m, [num, den]] of Object.entries(defs)) {
      const scale = m === "caseload_per_fte" ? 1 : 100;
      const rows = await queryRows<Record<string, unknown>>(db.conn, `
        SELECT time_period AS y, sum(${num}) / sum(${den}) * ${scale} AS v, count(*) AS k
        FROM dfe_indicators WHERE geographic_level = 'Local authority' AND lower(la_name) IN (${names})
          AND (${num}) IS NOT NULL AND (${den}) IS NOT NULL
        GROUP BY 1 ORDER BY 1`);
      expect(rows.length).toBe(9);
      for (const r of rows) {
        const rec = find(report.records, "Comparators", Number(r.y), m)!;
        close(rec.value, Number(r.v));
        expect(rec.contributors).toBe(Number(r.k));
      }
    }
    // Cumberland and Westmorland and Furness exist from 2023 (reorganisation): 4 LAs before, 6 after
    expect(find(report.records, "Comparators", 2022, "caseload_per_fte")!.candidates).toBe(4);
    expect(find(report.records, "Comparators", 2025, "caseload_per_fte")!.candidates).toBe(6);
  });

  it("suppression codes never become zeros: a suppressed LA drops out of the sums, an all-suppressed year is missing", async () => {
    const rows = await queryRows<{ n: bigint }>(db.conn, `
      SELECT count(*) AS n FROM dfe_indicators WHERE suppressed['agency_fte'] IS NOT NULL AND suppressed['agency_fte'] <> '' AND agency_fte IS NOT NULL`);
    expect(Number(rows[0]!.n)).toBe(0);
    const cfg = { ...ws.config, comparators: ["Kensington and Chelsea", "Westminster"] };
    const r = await benchmarkData(db.conn, cfg);
    // 2022: both LAs' agency FTE is 'x'
    const a22 = find(r.records, "Comparators", 2022, "agency_rate")!;
    expect(a22.value).toBeNull();
    expect([a22.contributors, a22.candidates]).toEqual([0, 2]);
    // 2021: only Kensington and Chelsea's is 'x', so the aggregate is Westminster's own rate
    const w = await one(db.conn, `SELECT agency_fte / (inpost_fte + agency_fte) * 100 AS v FROM dfe_indicators WHERE la_name = 'Westminster' AND time_period = 2021`);
    const a21 = find(r.records, "Comparators", 2021, "agency_rate")!;
    close(a21.value, w.v);
    expect([a21.contributors, a21.candidates]).toEqual([1, 2]);
    expect(r.records.filter((x) => x.area_type !== "employer" && x.value === 0)).toEqual([]);
  });

  it("no region configured: region rows are skipped with a note", async () => {
    const r = await benchmarkData(db.conn, { ...ws.config, region: undefined });
    expect(r.records.some((x) => x.area_type === "region")).toBe(false);
    expect(r.records.some((x) => x.area_type === "england")).toBe(true);
    expect(r.notes.join(" ")).toMatch(/No region configured/);
    expect(r.representation!.region).toBeNull();
  });

  it("an unknown comparator is a UserError naming it", async () => {
    await expect(benchmarkData(db.conn, { ...ws.config, comparators: ["Lancashire", "Nowhereshire"] })).rejects.toMatchObject({
      name: "UserError",
      message: expect.stringMatching(/"Nowhereshire"/),
    });
  });
});

describe("national series, representation and the mart", () => {
  it("England's annual series: trend and peaks from analyseSeries, with the limits of 9 points stated", () => {
    const s = report.series.find((x) => x.area === "England" && x.measure === "vacancy_rate")!;
    expect(s.years).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
    expect(s.values).toEqual(s.years.map((y) => find(report.records, "England", y, "vacancy_rate")!.value));
    expect(s.status).toMatch(/need 12/);
    expect(s.trend_status).toBe("ok");
    for (const p of s.peaks) {
      const i = s.years.indexOf(p.year);
      expect(p.value).toBeGreaterThan(s.values[i - 1]!);
      expect(p.value).toBeGreaterThan(s.values[i + 1]!);
    }
    expect(report.series.filter((x) => x.area === "North West").length).toBe(5);
  });

  it("representation by seniority: DfE England and region beside the employer's latest September, small groups withheld", async () => {
    const rep = report.representation!;
    expect(rep.employerPeriod).toBe("2026-09");
    expect(rep.dfeYear).toBe(2025);
    expect(rep.england.length).toBe(5);
    expect(rep.region!.length).toBe(5);
    const raw = await queryRows<{ g: string; f: number; k: bigint }>(db.conn, `
      SELECT s.ons_group AS g, sum(w.fte) AS f, count(*) AS k FROM worker_month w JOIN staff s USING (worker_id)
      WHERE w.period = '2026-09' AND w.role <> 'Social Work Assistant' AND coalesce(w.employment, 'permanent') <> 'agency'
      GROUP BY 1`);
    const known = raw.filter((x) => x.g !== "Not known").reduce((s, x) => s + x.f, 0);
    const white = rep.employer.find((x) => x.group === "White")!;
    close(white.shareAll, (raw.find((x) => x.g === "White")!.f / known) * 100);
    for (const g of rep.employer) {
      if (g.headcount.all > 0 && g.headcount.all < ws.config.min_group_size) {
        expect(g.shareAll).toBeNull();
        expect(g.suppressed).toContain("all");
      }
    }
  });

  it("mart_benchmark holds one row per year x area x measure", async () => {
    const n = await writeBenchmarkMarts(db.conn, report.records);
    const r = await one(db.conn, `SELECT count(*) AS n, count(DISTINCT (year, area, measure)) AS k, count(DISTINCT area) AS a FROM mart_benchmark`);
    expect(r).toEqual({ n, k: n, a: 4 });
    expect(n).toBe(report.records.length);
  });

  it("mart_benchmark says where each value comes from: England agency 2024 is DfE's published 16.2, with the counts' 15.96 in the note", async () => {
    await writeBenchmarkMarts(db.conn, report.records);
    const agency = await one(db.conn, `SELECT value, published, recomputed, rate_source, note FROM mart_benchmark WHERE area = 'England' AND year = 2024 AND measure = 'agency_rate'`);
    expect(agency).toMatchObject({ value: 16.2, published: 16.2, rate_source: "published" });
    expect(Number(agency.recomputed)).toBeCloseTo(15.96, 2);
    expect(agency.note).toMatch(/DfE's published rate; the row's own counts give 15\.96/);
    const turnover = await one(db.conn, `SELECT value, rate_source FROM mart_benchmark WHERE area = 'England' AND year = 2024 AND measure = 'turnover_rate'`);
    expect(turnover).toEqual({ value: 13.9, rate_source: "published" });
    const sources = await queryRows<{ area_type: string; rate_source: string }>(db.conn, `SELECT DISTINCT area_type, rate_source FROM mart_benchmark ORDER BY 1, 2`);
    expect(sources.filter((x) => x.area_type === "employer" || x.area_type === "comparators").every((x) => x.rate_source === "recomputed")).toBe(true);
  });
});

describe("an employer with no September", () => {
  it("gets its year with missing values and a note, not zeros", async () => {
    const small = tempWorkspace("Small employer");
    await ingest(small, [writeReturn(smallReturn("2025-01"))]);
    const recs = (await benchmarkWorkspace(small)).records;
    const mine = recs.filter((x) => x.area_type === "employer");
    expect(mine.map((x) => x.year)).toEqual([2025, 2025, 2025, 2025, 2025]);
    expect(mine.every((x) => x.value === null && /no September 2025/.test(x.note ?? ""))).toBe(true);
    expect(recs.filter((x) => x.area === "England").length).toBe(9 * 5);
  });
});
