/**
 * DfE national benchmarks: the importer and the benchmark queries of loaders/dfe.ts, checked
 * against the published files shipped in data/benchmarks/ and the figures their DfE README
 * states (quoted in data/benchmarks/README.md): National counts give the published rates within
 * 0.05 except agency 2023-2024 and turnover 2024 (published up to 0.25 higher); England 2024,
 * Black social workers: 15.2% of known ethnicity, 20.5% of case holders, 10.2% of managers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  INDICATORS_FILE,
  ROLE_ETHNICITY_FILE,
  SUPPRESSION_CODES,
  loadDfeBenchmarks,
} from "../../loaders/dfe.ts";
import {
  absenceWorkingDays,
  allLocalAuthorityMeasures,
  benchmarkMeasures,
  representationBySeniority,
  type NationalRecord,
  type BenchmarkMeasure,
} from "../../pipelines/national.ts";
import { tempDir } from "../support/helpers.ts";

const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "data", "benchmarks");
/** DfE README: National counts reproduce published rates within this, bar stated exceptions. */
const README_TOLERANCE = 0.05;
/** DfE README: the stated exceptions are published up to this much higher than the counts give. */
const EXCEPTION_TOLERANCE = 0.25;
const COUNT_MEASURES: BenchmarkMeasure[] = ["caseload_per_fte", "turnover_rate", "agency_rate", "vacancy_rate"];

/** Split one CSV line (RFC 4180 quoting, no embedded newlines: none in these files). */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cell);
      cell = "";
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/** Write the first `lines` lines of a published file to `dir` (a valid, smaller copy). */
function writeHead(file: string, dir: string, lines: number, prefix = ""): void {
  const head = readFileSync(join(DATA_DIR, file), "utf8").split("\n").slice(0, lines).join("\n");
  writeFileSync(join(dir, file), `${prefix}${head}\n`);
}

/** The raw file as header + rows of cells, with each row's line number (header is line 1). */
function readRawCsv(file: string): { header: string[]; rows: { line: number; cells: string[] }[] } {
  const lines = readFileSync(join(DATA_DIR, file), "utf8").replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = parseCsvLine(lines[0]!).map((h) => h.trim().toLowerCase());
  const rows = lines
    .slice(1)
    .map((l, i) => ({ line: i + 2, text: l }))
    .filter((r) => r.text.length > 0)
    .map((r) => ({ line: r.line, cells: parseCsvLine(r.text) }));
  return { header, rows };
}

async function query<T>(conn: DuckDBConnection, sql: string): Promise<T[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[];
}

const key = (r: { year: number; measure: string }): string => `${r.measure} ${r.year}`;

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let loaded: Awaited<ReturnType<typeof loadDfeBenchmarks>>;
let england: NationalRecord[];
let allLas: NationalRecord[];
const extraConnections: DuckDBConnection[] = [];

async function freshConnection(): Promise<DuckDBConnection> {
  const inst = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
  const c = await inst.connect();
  extraConnections.push(c);
  return c;
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
  conn = await instance.connect();
  loaded = await loadDfeBenchmarks(conn, DATA_DIR);
  england = await benchmarkMeasures(conn, {});
  allLas = await allLocalAuthorityMeasures(conn);
});

afterAll(() => {
  for (const c of [conn, ...extraConnections]) c?.closeSync();
});

describe("loadDfeBenchmarks", () => {
  it("loads every data row of both files once (no duplicate keys in the published files)", () => {
    expect(loaded.indicators).toBe(readRawCsv(INDICATORS_FILE).rows.length);
    expect(loaded.roleEthnicity).toBe(readRawCsv(ROLE_ETHNICITY_FILE).rows.length);
    expect(loaded.duplicatesDropped).toEqual({ indicators: 0, roleEthnicity: 0 });
  });

  it.each([
    [INDICATORS_FILE, "dfe_indicators"],
    [ROLE_ETHNICITY_FILE, "dfe_role_ethnicity"],
  ])("round-trips every numeric cell of %s: codes become NULL (never zero) and are recorded", async (file, table) => {
    const raw = readRawCsv(file);
    const types = await query<{ column_name: string; column_type: string }>(conn, `DESCRIBE ${table}`);
    const numeric = types.filter((t) => (t.column_type === "DOUBLE" || t.column_type === "INTEGER") && t.column_name !== "source_row").map((t) => t.column_name);
    const codes = new Set<string>(SUPPRESSION_CODES);
    const codeCells = new Map<string, number>();
    const mismatches: string[] = [];
    for (const column of numeric) {
      const at = raw.header.indexOf(column);
      expect(at, column).toBeGreaterThanOrEqual(0);
      const stored = new Map(
        (await query<{ source_row: number; v: number | null; code: string | null }>(conn, `SELECT source_row, "${column}" AS v, suppressed['${column}'] AS code FROM ${table}`)).map((r) => [
          r.source_row,
          r,
        ]),
      );
      for (const { line, cells } of raw.rows) {
        const cell = cells[at]!.trim();
        const got = stored.get(line);
        const isCode = codes.has(cell);
        if (isCode) codeCells.set(cell, (codeCells.get(cell) ?? 0) + 1);
        const ok = got !== undefined && (isCode ? got.v === null && got.code === cell : cell !== "" && got.v === Number(cell) && got.code === null);
        if (!ok) mismatches.push(`line ${line} ${column}: raw ${JSON.stringify(cell)}, stored ${JSON.stringify(got)}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // both files really contain codes (so this test exercises the NULL path)
    expect([...codeCells.keys()].sort()).toEqual(file === INDICATORS_FILE ? ["c", "low", "u", "x", "z"] : ["low", "x", "z"]);
  });

  it("keeps quoted names containing commas intact, with the columns after them in place", async () => {
    const bristol = await query<{ time_period: number; la_name: string; region_name: string; inpost_fte: number; new_la_code: string }>(
      conn,
      `SELECT time_period, la_name, region_name, inpost_fte, new_la_code FROM dfe_indicators WHERE la_name = 'Bristol, City of' ORDER BY time_period`,
    );
    expect(bristol.map((b) => b.time_period)).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
    expect(new Set(bristol.map((b) => b.region_name))).toEqual(new Set(["South West"]));
    expect(new Set(bristol.map((b) => b.new_la_code))).toEqual(new Set(["E06000023"]));
    expect(bristol.at(-1)!.inpost_fte).toBe(327.4);
    const commaNames = await query<{ n: string }>(conn, `SELECT DISTINCT la_name AS n FROM dfe_indicators WHERE la_name LIKE '%,%' ORDER BY 1`);
    expect(commaNames.map((c) => c.n)).toEqual(["Bournemouth, Christchurch and Poole", "Bristol, City of", "Herefordshire, County of", "Kingston upon Hull, City of"]);
    const [eth] = await query<{ n: bigint }>(conn, `SELECT count(*) AS n FROM dfe_role_ethnicity WHERE geo_breakdown = 'Bristol, City of'`);
    expect(Number(eth!.n)).toBeGreaterThan(0);
  });

  it("keeps joint rows and reorganisations as published, so the LA count changes by year", async () => {
    const perYear = await query<{ y: number; n: bigint; joint: bigint }>(
      conn,
      `SELECT time_period AS y, count(*) AS n, count(*) FILTER (WHERE is_joint) AS joint FROM dfe_indicators WHERE geographic_level = 'Local authority' GROUP BY 1 ORDER BY 1`,
    );
    expect(perYear.map((p) => Number(p.n))).toEqual([151, 151, 150, 150, 150, 150, 151, 151, 151]);
    expect(perYear.map((p) => Number(p.joint))).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2]);
  });

  it("refuses a non-numeric, non-code value with an error naming file, row and column, and changes nothing", async () => {
    const dir = tempDir();
    const lines = readFileSync(join(DATA_DIR, INDICATORS_FILE), "utf8").split("\n");
    const at = lines.findIndex((l) => l.startsWith("2024,") && l.includes('"Bristol, City of"'));
    const header = parseCsvLine(lines[0]!);
    const cells = parseCsvLine(lines[at]!);
    const column = "leavers_fte";
    cells[header.indexOf(column)] = "n/a";
    lines[at] = cells.map((c) => (c.includes(",") ? `"${c}"` : c)).join(",");
    writeFileSync(join(dir, INDICATORS_FILE), lines.join("\n"));
    writeHead(ROLE_ETHNICITY_FILE, dir, 500);

    const before = await query<{ n: bigint; s: number }>(conn, `SELECT count(*) AS n, sum(leavers_fte) AS s FROM dfe_indicators`);
    const error = await loadDfeBenchmarks(conn, dir).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(INDICATORS_FILE);
    expect(error!.message).toContain(`row ${at + 1}`);
    expect(error!.message).toContain(`column ${column}`);
    expect(error!.message).toContain('"n/a"');
    expect(await query(conn, `SELECT count(*) AS n, sum(leavers_fte) AS s FROM dfe_indicators`)).toEqual(before);
  });

  it("refuses a fractional headcount in the ethnicity file, naming file, row and column", async () => {
    const dir = tempDir();
    writeHead(INDICATORS_FILE, dir, 30);
    const lines = readFileSync(join(DATA_DIR, ROLE_ETHNICITY_FILE), "utf8").split("\n").slice(0, 200);
    lines[150] = lines[150]!.replace(/,"(\d+)","([\d.]+)"$/, ',"$1.5","$2"');
    writeFileSync(join(dir, ROLE_ETHNICITY_FILE), lines.join("\n"));
    const error = await loadDfeBenchmarks(await freshConnection(), dir).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toContain(`${ROLE_ETHNICITY_FILE}, row 151, column inpost_headcount`);
    expect(error?.message).toMatch(/"\d+\.5"/);
    expect(error?.message).toContain("expected a whole number");
  });

  it("reads a UTF-8 BOM and keeps the last occurrence of a duplicated (year, geography), reporting it", async () => {
    const dir = tempDir();
    const lines = readFileSync(join(DATA_DIR, INDICATORS_FILE), "utf8").trimEnd().split("\n");
    const bristol2025 = lines.find((l) => l.startsWith("2025,") && l.includes('"Bristol, City of"'))!;
    const revised = bristol2025.replace(',"Bristol, City of",327.4,', ',"Bristol, City of",330.1,');
    expect(revised).not.toBe(bristol2025);
    writeFileSync(join(dir, INDICATORS_FILE), `\uFEFF${[...lines, revised].join("\n")}\n`);
    writeHead(ROLE_ETHNICITY_FILE, dir, 500, "\uFEFF");

    const c = await freshConnection();
    const result = await loadDfeBenchmarks(c, dir);
    expect(result.indicators).toBe(lines.length - 1);
    expect(result.roleEthnicity).toBe(499);
    expect(result.duplicatesDropped).toEqual({ indicators: 1, roleEthnicity: 0 });
    expect(result.notes.join("\n")).toMatch(/last occurrence/);
    const kept = await query<{ inpost_fte: number; source_row: number }>(c, `SELECT inpost_fte, source_row FROM dfe_indicators WHERE time_period = 2025 AND la_name = 'Bristol, City of'`);
    expect(kept).toEqual([{ inpost_fte: 330.1, source_row: lines.length + 1 }]);
    const [first] = await query<{ time_period: number }>(c, `SELECT time_period FROM dfe_indicators ORDER BY source_row LIMIT 1`);
    expect(first!.time_period).toBe(2025);
  });

  it("keeps the row of the latest release when the file has a release column", async () => {
    const dir = tempDir();
    const lines = readFileSync(join(DATA_DIR, INDICATORS_FILE), "utf8").trimEnd().split("\n");
    const national2024 = lines.find((l) => l.startsWith("2024,Reporting year,National,"))!;
    const later = national2024.replace(/^(2024,Reporting year,National,E92000001,England,,,,,,)[\d.]+,/, "$134400.0,");
    expect(later).not.toBe(national2024);
    // the later release comes first in the file, so "last occurrence" would pick the wrong row
    const body = [`${lines[0]},release_date`, `${later},2025-02-27`, `${national2024},2024-02-29`];
    writeFileSync(join(dir, INDICATORS_FILE), `${body.join("\n")}\n`);
    writeHead(ROLE_ETHNICITY_FILE, dir, 500);
    const c = await freshConnection();
    const result = await loadDfeBenchmarks(c, dir);
    expect(result.duplicatesDropped.indicators).toBe(1);
    expect(result.notes.join("\n")).toMatch(/latest release_date/);
    expect(await query(c, `SELECT inpost_fte FROM dfe_indicators`)).toEqual([{ inpost_fte: 34400 }]);
  });
});

describe("aggregation reproduces the National row", () => {
  it("National counts give the published rates within 0.05, except the stated (and one unstated) exceptions", () => {
    const gaps = new Map(
      england
        .filter((e) => COUNT_MEASURES.includes(e.measure))
        .map((e) => {
          // England shows DfE's published rate; the counts' rate is kept beside it
          expect(e.rate_source).toBe("published");
          expect(e.value).toBe(e.published);
          expect(e.recomputed).toBeCloseTo((e.numerator! / e.denominator!) * (e.measure === "caseload_per_fte" ? 1 : 100), 12);
          return [key(e), e.published! - e.recomputed!] as const;
        }),
    );
    expect(gaps.size).toBe(9 * COUNT_MEASURES.length);
    const outside = [...gaps].filter(([, g]) => Math.abs(g) > README_TOLERANCE).map(([k]) => k);
    // Stated by the DfE README: agency 2023-2024, turnover 2024. Found here, not stated:
    // turnover 2022 (published 17.2, counts 17.140).
    expect(outside.sort()).toEqual(["agency_rate 2023", "agency_rate 2024", "turnover_rate 2022", "turnover_rate 2024"]);
    for (const k of outside) {
      expect(gaps.get(k)!, k).toBeGreaterThan(0);
      expect(gaps.get(k)!, k).toBeLessThanOrEqual(EXCEPTION_TOLERANCE);
    }
  });

  it("all LA rows reproduce the National counts within 0.05 wherever every LA reports both parts", () => {
    const national = new Map(england.map((e) => [key(e), e]));
    const beyond: string[] = [];
    for (const la of allLas.filter((a) => COUNT_MEASURES.includes(a.measure))) {
      const nat = national.get(key(la))!;
      const gap = la.value! - nat.recomputed!;
      if (la.contributors === la.candidates) expect(Math.abs(gap), key(la)).toBeLessThanOrEqual(README_TOLERANCE);
      if (Math.abs(gap) > README_TOLERANCE) {
        // the National total includes LA values that are suppressed at LA level
        expect(la.contributors!, key(la)).toBeLessThan(la.candidates!);
        beyond.push(key(la));
      }
    }
    // documented in data/benchmarks/README.md, discrepancy 2
    expect(beyond.sort()).toEqual([
      "agency_rate 2021",
      "agency_rate 2022",
      "agency_rate 2023",
      "agency_rate 2024",
      "agency_rate 2025",
      "turnover_rate 2021",
      "turnover_rate 2022",
      "turnover_rate 2024",
      "vacancy_rate 2025",
    ]);
  });

  it("where every LA reports, the LA sums equal the National counts to rounding (0.05 per LA)", async () => {
    for (const la of allLas.filter((a) => a.contributors === a.candidates && a.measure !== "absence_rate")) {
      const nat = england.find((e) => key(e) === key(la))!;
      const rounding = 0.05 * la.candidates! * (la.measure === "agency_rate" || la.measure === "vacancy_rate" ? 2 : 1);
      expect(Math.abs(la.numerator! - nat.numerator!), key(la)).toBeLessThanOrEqual(rounding);
      expect(Math.abs(la.denominator! - nat.denominator!), key(la)).toBeLessThanOrEqual(rounding);
    }
  });
});

describe("absence rate", () => {
  it("uses 253 working days, 254 in years to 30 September containing 29 February", () => {
    expect([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025].map(absenceWorkingDays)).toEqual([253, 253, 253, 254, 253, 253, 253, 254, 253]);
  });

  it("reproduces the published LA absence rates within 0.05 on at least 99% of rows (inputs are rounded)", async () => {
    const rows = await query<{ y: number; wdl: number; fte: number; rate: number }>(
      conn,
      `SELECT time_period AS y, working_days_lost_fte AS wdl, inpost_fte AS fte, absence_rate_fte AS rate FROM dfe_indicators ` +
        `WHERE geographic_level = 'Local authority' AND working_days_lost_fte IS NOT NULL AND inpost_fte > 0 AND absence_rate_fte IS NOT NULL`,
    );
    const gaps = rows.map((r) => Math.abs((r.wdl / (r.fte * absenceWorkingDays(r.y))) * 100 - r.rate));
    expect(rows.length).toBeGreaterThan(1300);
    expect(gaps.filter((g) => g <= README_TOLERANCE).length / gaps.length).toBeGreaterThanOrEqual(0.99);
    expect(Math.max(...gaps)).toBeLessThan(0.055);
  });

  it("all LA rows (returning LAs only) reproduce the published National absence rate within 0.05 every year", () => {
    for (const la of allLas.filter((a) => a.measure === "absence_rate")) {
      const nat = england.find((e) => key(e) === key(la))!;
      expect(nat.rate_source).toBe("published");
      expect(nat.value).toBe(nat.published);
      expect(Math.abs(la.value! - nat.published!), key(la)).toBeLessThanOrEqual(README_TOLERANCE);
    }
  });

  it("the National row's own counts miss the published rate only in 2023-2024, when non-returning LAs are left out of days lost", async () => {
    const rows = await query<{ y: number; wdl: number; fte: number; rate: number }>(
      conn,
      `SELECT time_period AS y, working_days_lost_fte AS wdl, inpost_fte AS fte, absence_rate_fte AS rate FROM dfe_indicators WHERE geographic_level = 'National' ORDER BY 1`,
    );
    const missed = rows.filter((r) => Math.abs((r.wdl / (r.fte * absenceWorkingDays(r.y))) * 100 - r.rate) > README_TOLERANCE).map((r) => r.y);
    expect(missed).toEqual([2023, 2024]);
    for (const y of missed) {
      const la = allLas.find((a) => a.year === y && a.measure === "absence_rate")!;
      const nat = rows.find((r) => r.y === y)!;
      expect(la.contributors!).toBeLessThan(la.candidates!);
      expect(Math.abs(la.numerator! - nat.wdl)).toBeLessThan(0.5); // days lost: returning LAs only
    }
  });
});

describe("benchmarkMeasures", () => {
  it("shows DfE's published England rates: agency 2024 16.2% (counts: 15.96%), turnover 2024 13.9% (counts: 13.77%)", () => {
    const at = (m: BenchmarkMeasure, y: number) => england.find((e) => e.measure === m && e.year === y)!;
    expect(at("agency_rate", 2024)).toMatchObject({ value: 16.2, published: 16.2, rate_source: "published" });
    expect(at("agency_rate", 2024).recomputed).toBeCloseTo((6520.7 / (34328.2 + 6520.7)) * 100, 10); // 15.96
    expect(at("turnover_rate", 2024)).toMatchObject({ value: 13.9, published: 13.9, rate_source: "published" });
    expect(at("turnover_rate", 2024).recomputed).toBeCloseTo((4728.7 / 34328.2) * 100, 10); // 13.775
    expect(at("agency_rate", 2023).value).toBe(17.9);
  });

  it("recomputes from the row's counts only where the file publishes no rate", async () => {
    const dir = tempDir();
    const lines = readFileSync(join(DATA_DIR, INDICATORS_FILE), "utf8").trimEnd().split("\n");
    const header = parseCsvLine(lines[0]!);
    const col = header.indexOf("agency_rate_fte");
    const national2024 = lines.find((l) => l.startsWith("2024,Reporting year,National,"))!;
    const cells = parseCsvLine(national2024);
    cells[col] = "x";
    writeFileSync(join(dir, INDICATORS_FILE), `${lines[0]}\n${cells.join(",")}\n`);
    writeHead(ROLE_ETHNICITY_FILE, dir, 50);
    const c = await freshConnection();
    await loadDfeBenchmarks(c, dir);
    const records = await benchmarkMeasures(c, {});
    const agency = records.find((r) => r.measure === "agency_rate")!;
    expect(agency).toMatchObject({ published: null, rate_source: "recomputed" });
    expect(agency.value).toBeCloseTo((6520.7 / (34328.2 + 6520.7)) * 100, 10);
    expect(records.find((r) => r.measure === "turnover_rate")).toMatchObject({ value: 13.9, rate_source: "published" });
  });

  it("gives England, the region's own row and comparators as ratios of sums with contributor counts", async () => {
    const records = await benchmarkMeasures(conn, { region: "South West", comparators: ["Bristol, City of", "E06000024"], year: 2024 });
    expect(records.map((r) => r.area)).toEqual([...Array(5).fill("England"), ...Array(5).fill("South West"), ...Array(5).fill("Comparators")]);
    const las = await query<Record<string, number | null>>(
      conn,
      `SELECT cases, case_holders_fte, inpost_fte, vacancy_fte, working_days_lost_fte FROM dfe_indicators WHERE time_period = 2024 AND new_la_code IN ('E06000023', 'E06000024') ORDER BY new_la_code`,
    );
    const [bristol, northSomerset] = las;
    const caseload = records.find((r) => r.area === "Comparators" && r.measure === "caseload_per_fte")!;
    expect(caseload.value).toBeCloseTo((bristol!.cases! + northSomerset!.cases!) / (bristol!.case_holders_fte! + northSomerset!.case_holders_fte!), 12);
    expect([caseload.contributors, caseload.candidates]).toEqual([2, 2]);
    const vacancy = records.find((r) => r.area === "Comparators" && r.measure === "vacancy_rate")!;
    const vac = bristol!.vacancy_fte! + northSomerset!.vacancy_fte!;
    expect(vacancy.value).toBeCloseTo((vac / (vac + bristol!.inpost_fte! + northSomerset!.inpost_fte!)) * 100, 12);
    // Bristol's 2024 days lost are suppressed ('u'): it is left out of numerator AND denominator
    expect(bristol!.working_days_lost_fte).toBeNull();
    const absence = records.find((r) => r.area === "Comparators" && r.measure === "absence_rate")!;
    expect([absence.contributors, absence.candidates]).toEqual([1, 2]);
    expect(absence.value).toBeCloseTo((northSomerset!.working_days_lost_fte! / (northSomerset!.inpost_fte! * 254)) * 100, 12);
    const region = records.find((r) => r.area === "South West" && r.measure === "turnover_rate")!;
    expect(region.rate_source).toBe("published");
    expect(region.value).toBe(region.published);
    expect(Math.abs(region.recomputed! - region.published!)).toBeLessThanOrEqual(README_TOLERANCE);
    expect(records.filter((r) => r.area === "Comparators").every((r) => r.rate_source === "recomputed" && r.value === r.recomputed)).toBe(true);
  });

  it("counts a joint row once and follows reorganisations, so the comparator count changes by year", async () => {
    const records = await benchmarkMeasures(conn, { comparators: ["Kingston upon Thames", "richmond upon thames", "Northamptonshire", "West Northamptonshire"] });
    const vacancy = records.filter((r) => r.area === "Comparators" && r.measure === "vacancy_rate");
    expect(vacancy.map((v) => v.year)).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025]);
    expect(vacancy.map((v) => v.candidates)).toEqual(Array(9).fill(2));
  });

  it("refuses unknown regions and comparators", async () => {
    await expect(benchmarkMeasures(conn, { region: "Atlantis" })).rejects.toThrow(/unknown region "Atlantis"/);
    await expect(benchmarkMeasures(conn, { comparators: ["Bristol", "Leeds"] })).rejects.toThrow(/no local authority named or coded "Bristol"$/);
  });
});

describe("representationBySeniority", () => {
  it("reproduces the README's England 2024 figures for Black social workers, which are headcount shares", async () => {
    const rows = await representationBySeniority(conn, { area: "England", year: 2024, basis: "headcount" });
    const black = rows.find((r) => r.group === "Black / African / Caribbean / Black British")!;
    expect(Math.abs(black.shareAll! - 15.2)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(black.shareCaseHolders! - 20.5)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(black.shareManagers! - 10.2)).toBeLessThanOrEqual(0.05);
  });

  it("FTE shares match the file's own FTE percentages, and differ from the README's example", async () => {
    const rows = await representationBySeniority(conn, { area: "England", year: 2024 });
    const published = await query<{ role: string; breakdown: string; pct: number }>(
      conn,
      `SELECT role, breakdown, inpost_fte_percentage AS pct FROM dfe_role_ethnicity WHERE geographic_level = 'National' AND time_period = 2024`,
    );
    const pct = (role: string, group: string): number => published.find((p) => p.role === role && p.breakdown === group)!.pct;
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(Math.abs(r.shareAll! - pct("Total", r.group)), r.group).toBeLessThanOrEqual(0.05);
      expect(Math.abs(r.shareCaseHolders! - pct("Case holder", r.group)), r.group).toBeLessThanOrEqual(0.05);
      expect(Math.abs(r.shareSeniorPractitioners! - pct("Senior practitioner", r.group)), r.group).toBeLessThanOrEqual(0.05);
    }
    const black = rows.find((r) => r.group === "Black / African / Caribbean / Black British")!;
    expect(Math.abs(black.shareAll! - 15.2)).toBeGreaterThan(0.1);
    expect(rows.reduce((s, r) => s + r.shareAll!, 0)).toBeCloseTo(100, 1);
  });

  it("computes the WRES relative likelihood of a senior role against White", async () => {
    const rows = await representationBySeniority(conn, { area: "England", year: 2024 });
    const white = rows.find((r) => r.group === "White")!;
    const black = rows.find((r) => r.group === "Black / African / Caribbean / Black British")!;
    expect(white.relativeLikelihoodSenior).toBe(1);
    // England 2024 FTE from the file: senior practitioner, first line, middle, senior manager; total
    const blackRate = (701.1 + 515.1 + 141 + 36.8) / 4393.1;
    const whiteRate = (3832.2 + 3664.2 + 1190.2 + 527.8) / 20409.9;
    expect(Math.abs(black.relativeLikelihoodSenior! / (blackRate / whiteRate) - 1)).toBeLessThan(1e-9);
  });

  it("defaults to the latest year, accepts a region, and refuses an unknown area", async () => {
    const rows = await representationBySeniority(conn, { area: "outer london" });
    expect(rows[0]).toMatchObject({ year: 2025, area: "Outer London", basis: "fte" });
    await expect(representationBySeniority(conn, { area: "Atlantis" })).rejects.toThrow(/no rows for area "Atlantis"/);
  });
});
