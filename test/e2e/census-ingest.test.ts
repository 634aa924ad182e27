/**
 * The census path of `fairload ingest`, end to end through the CLI and the library: workforce
 * census returns 2021-2025 and an Annex A workbook written by independent test writers
 * (test/support/csww-writer.ts, test/support/annex-a-writer.ts), refusals (a wrong code, XXE,
 * billion laughs, an oversized file) that leave the database as it was, a year sent again, the
 * worker key map join, `fairload rebuild` giving the same database from the minimised archive,
 * and a search of everything the workspace folder holds (and everything printed) for every date of
 * birth, SWE number, worker name and child id of the input files.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { quoteLit } from "../../core/db.ts";
import { formatProblem } from "../../core/errors.ts";
import { canonicalValue, workspacePseudonymiser } from "../../core/pseudonym.ts";
import { openWorkspace, readLog, type Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { rebuild } from "../../loaders/rebuild.ts";
import { sampleSwe } from "../../loaders/sample/census-xml.ts";
import { generateEmployer } from "../../loaders/sample/generator.ts";
import { writeCensusAndAnnexA } from "../../loaders/sample/write.ts";
import { type AnnexFixture, writeAnnexA } from "../support/annex-a-writer.ts";
import { billionLaughsXml, censusXml, type FixtureWorker, fixtureWorkers, xxeXml } from "../support/csww-writer.ts";
import { CLI, ROOT, query, runCli, snapshot, tempDir, tempWorkspace } from "../support/helpers.ts";

/** Every file under `dir`, recursively. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every table and view of the workspace database as text. */
async function databaseText(ws: Workspace): Promise<string> {
  const names = await query<{ n: string }>(ws, `SELECT table_name AS n FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`);
  let out = "";
  for (const { n } of names) out += `${n}\n${JSON.stringify(await query(ws, `SELECT * FROM "${n}"`))}\n`;
  return out;
}

/** Where any of `values` occurs in the workspace folder (bytes as UTF-8 and UTF-16LE, any case) or in `texts`. */
async function findPersonal(ws: Workspace, values: string[], texts: Record<string, string>): Promise<string[]> {
  const hits: string[] = [];
  const files = allFiles(ws.dir).map((f) => ({ name: relative(ws.dir, f), bytes: readFileSync(f) }));
  const dump = await databaseText(ws);
  for (const v of values) {
    const needles = [...new Set([v, v.toLowerCase(), v.toUpperCase()])];
    for (const f of files) {
      for (const n of needles) {
        if (f.bytes.includes(Buffer.from(n, "utf8")) || f.bytes.includes(Buffer.from(n, "utf16le"))) hits.push(`${v} in ${f.name}`);
      }
    }
    for (const n of needles) {
      if (dump.includes(n)) hits.push(`${v} in the database's tables`);
      for (const [where, t] of Object.entries(texts)) if (t.includes(n)) hits.push(`${v} in ${where}`);
    }
  }
  return [...new Set(hits)];
}

const YEARS: { year: number; n: number; variant: Partial<Parameters<typeof censusXml>[0]> }[] = [
  { year: 2021, n: 26, variant: {} },
  { year: 2022, n: 29, variant: { prefix: "csww" } },
  { year: 2023, n: 31, variant: { bom: true, crlf: true } },
  { year: 2024, n: 34, variant: { prefix: "x", padded: true } },
  { year: 2025, n: 37, variant: { bom: true, crlf: true, noDeclaration: true } },
];

describe("workforce census and Annex A, end to end", () => {
  let ws: Workspace;
  const dir = tempDir("fairload-census-");
  const outputs: Record<string, string> = {};
  const personal = new Set<string>();
  const census: Record<number, { path: string; workers: FixtureWorker[] }> = {};
  let annex: AnnexFixture;
  const annexWorkers = ["Adaeze Thornbury-Vale", "Morwenna Castellanos", "Tobiah Fenwick-Olusanya", "Ignatius Pemberton-Achebe", "WRK-55123"];
  const cli = async (name: string, args: string[]) => {
    const r = await runCli([...args, "-w", ws.dir]);
    outputs[name] = `${r.stdout}\n${r.stderr}`;
    return r;
  };

  beforeAll(async () => {
    ws = tempWorkspace("Census test authority");
    for (const y of YEARS) {
      const workers = fixtureWorkers(y.year, y.n);
      const path = join(dir, `csww-${y.year}.xml`);
      writeFileSync(path, censusXml({ year: y.year, lea: "888", workers, ...y.variant }));
      census[y.year] = { path, workers };
      for (const w of workers) {
        personal.add(w.swe);
        personal.add(canonicalValue("swe", w.swe));
        personal.add(w.dob!);
        personal.add(w.dob!.split("-").reverse().join("/"));
      }
    }
    annex = await writeAnnexA(join(dir, "annex-a.xlsx"), { workers: annexWorkers, perList: 14, titleRowOnList: 4 });
    for (const v of [...annex.personal.childIds, ...annex.personal.dobs, ...annex.personal.workers]) personal.add(v);
  }, 120_000);

  it("loads census returns for 2021 to 2025 through the CLI, with exact worker counts per year", async () => {
    for (const y of YEARS) {
      const r = await cli(`ingest ${y.year}`, ["ingest", census[y.year]!.path, "--json"]);
      expect(r.stderr, `${y.year}`).toBe("");
      expect(r.status, `${y.year}: ${r.stdout}`).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(s.status).toBe("accepted");
      expect(s.tables.find((t: { table: string }) => t.table === "census_worker").rows).toBe(y.n);
    }
  }, 120_000);

  it("stores workers, the authority block, staff and queries per year", async () => {
    const counts = await query<{ census_year: number; n: number; agency: number; cases: number; salaries: number }>(
      ws,
      `SELECT census_year, count(*)::INTEGER AS n, count(*) FILTER (WHERE agency)::INTEGER AS agency, sum(cases30)::INTEGER AS cases, count(base_salary)::INTEGER AS salaries FROM census_worker GROUP BY ALL ORDER BY 1`,
    );
    expect(counts.map((c) => [c.census_year, c.n])).toEqual(YEARS.map((y) => [y.year, y.n]));
    for (const c of counts) {
      const ws_ = census[c.census_year]!.workers;
      expect(c.agency).toBe(ws_.filter((w) => w.agency === 1).length);
      expect(c.cases).toBe(ws_.reduce((s, w) => s + Number(w.cases30 ?? 0), 0));
      expect(c.salaries).toBe(c.census_year >= 2025 ? c.n : 0);
    }
    const la = await query<{ census_year: number; la_code: string; reference_date: string; recruitment_bonus: number | null }>(ws, `SELECT census_year, la_code, CAST(reference_date AS VARCHAR) AS reference_date, recruitment_bonus FROM census_la ORDER BY 1`);
    expect(la).toEqual(YEARS.map((y) => ({ census_year: y.year, la_code: "888", reference_date: `${y.year}-09-30`, recruitment_bonus: y.year >= 2025 ? 1 : null })));
    // the same worker has the same pseudonymous id every year; staff holds one row per worker
    const followed = await query<{ years: number }>(ws, `SELECT count(DISTINCT census_year)::INTEGER AS years FROM census_worker GROUP BY worker_id ORDER BY 1 DESC LIMIT 1`);
    expect(followed[0]!.years).toBe(5);
    const staff = await query<{ n: number; d: number; codes: string }>(ws, `SELECT count(*)::INTEGER AS n, count(DISTINCT worker_id)::INTEGER AS d, string_agg(DISTINCT ethnicity_code, ',' ORDER BY ethnicity_code) AS codes FROM staff WHERE worker_id LIKE 'cw_%'`);
    expect(staff[0]!.n).toBe(37);
    expect(staff[0]!.d).toBe(37);
    expect(staff[0]!.codes).toContain("BAFR");
  });

  it("refuses an invalid code, naming the worker record and element; nothing changes", async () => {
    const workers = fixtureWorkers(2024, 6);
    workers[4] = { ...workers[4]!, orgRole: "9" };
    const path = join(dir, "bad-role.xml");
    writeFileSync(path, censusXml({ year: 2024, lea: "888", workers }));
    const before = await snapshot(ws);
    const archived = readdirSync(ws.archiveDir).sort();
    const r = await cli("bad code", ["ingest", path]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at |Error/);
    expect(r.stdout).toMatch(/Refused: 1 problem found; nothing was loaded and nothing stored was changed\./);
    expect(r.stdout).toMatch(/bad-role\.xml, worker record 5 \(line \d+\), element OrgRole: got "9"; expected organisational role: one of the codes 1, 2, 3, 4, 5 or 6/);
    expect(await snapshot(ws)).toEqual(before);
    expect(readdirSync(ws.archiveDir).sort()).toEqual(archived);
    expect(readLog(ws).at(-1)).toMatchObject({ status: "refused", problem_count: 1 });
  }, 60_000);

  it("refuses an XXE file and a billion-laughs file in under a second, plainly, with the database unchanged", async () => {
    const secretTarget = join(dir, "outside-secret.txt");
    writeFileSync(secretTarget, "TOP-SECRET-MARKER-7731\n");
    const xxe = join(dir, "xxe.xml");
    writeFileSync(xxe, xxeXml(`file://${secretTarget}`));
    const laughs = join(dir, "laughs.xml");
    writeFileSync(laughs, billionLaughsXml());
    const before = await snapshot(ws);
    for (const path of [xxe, laughs]) {
      const t0 = performance.now();
      const s = await ingest(ws, [path]);
      const ms = performance.now() - t0;
      expect(s.status).toBe("refused");
      expect(ms, `${path} took ${ms} ms`).toBeLessThan(1000);
      expect(s.problems.map(formatProblem).join()).toMatch(/declares a DTD \(<!DOCTYPE \.\.\.>\), which fairload never reads/);
    }
    const r = await cli("xxe", ["ingest", xxe]);
    expect(r.status).toBe(2);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at |Error/);
    expect(r.stdout).not.toContain("TOP-SECRET-MARKER-7731");
    expect(await snapshot(ws)).toEqual(before);
    expect(await findPersonal(ws, ["TOP-SECRET-MARKER-7731"], outputs)).toEqual([]);
  }, 60_000);

  it("refuses a file over the configured size before parsing it", async () => {
    const small = tempWorkspace();
    writeFileSync(small.configPath, JSON.stringify({ ...JSON.parse(readFileSync(small.configPath, "utf8")), max_file_mb: 0.001 }));
    const r = await runCli(["ingest", census[2025]!.path, "-w", small.dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/csww-2025\.xml: 0\.0 MB is larger than the workspace limit of 0 MB \(max_file_mb in fairload\.json\); nothing was loaded/);
    expect(existsSync(openWorkspace(small.dir).dbPath)).toBe(false);
  }, 60_000);

  it("the same year sent again replaces that year, keeping the earlier one in the history; the same file again changes nothing", async () => {
    const again = await ingest(ws, [census[2023]!.path]);
    expect(again.status).toBe("unchanged");
    const corrected = join(dir, "csww-2023-corrected.xml");
    writeFileSync(corrected, censusXml({ year: 2023, lea: "888", workers: fixtureWorkers(2023, 33).map((w) => ({ ...w, cases30: w.cases30 && "9" })) }));
    const s = await ingest(ws, [corrected]);
    expect(s.status).toBe("accepted");
    expect(s.tables.find((t) => t.table === "census_worker")).toMatchObject({ rows: 33, replaced: 31 });
    const [{ n }] = await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM census_worker WHERE census_year = 2023`);
    expect(n).toBe(33);
    const hist = await query<{ superseded: number; current: number }>(ws, `SELECT count(*) FILTER (WHERE _superseded_by IS NOT NULL)::INTEGER AS superseded, count(*) FILTER (WHERE _superseded_by IS NULL)::INTEGER AS current FROM hist_census_worker WHERE census_year = 2023`);
    expect(hist).toEqual([{ superseded: 31, current: 33 }]);
    const other = await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM census_worker WHERE census_year = 2024`);
    expect(other[0]!.n).toBe(34);
    expect((await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM census_la WHERE census_year = 2023`))[0]!.n).toBe(1);
  });

  it("loads an Annex A workbook in the published layout: every list's allocations", async () => {
    const r = await cli("annex", ["ingest", annex.path, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status, r.stdout).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.status).toBe("accepted");
    const total = Object.entries(annex.allocations).filter(([l]) => Number(l) >= 3 && Number(l) <= 9).reduce((a, [, n]) => a + n, 0);
    expect(s.tables.find((t: { table: string }) => t.table === "annex_a_allocation").rows).toBe(total);
  }, 60_000);

  it("without a worker key map, allocations are counted by team and worker_ref, with no worker_id", async () => {
    const perList = await query<{ list: number; n: number }>(ws, `SELECT list, count(*)::INTEGER AS n FROM annex_a_allocation GROUP BY 1 ORDER BY 1`);
    expect(perList).toEqual([3, 4, 5, 6, 7, 8, 9].map((l) => ({ list: l, n: annex.allocations[l]! })));
    const byTeam = await query<{ workers: number; n: number }>(ws, `SELECT count(DISTINCT worker_ref)::INTEGER AS workers, count(*)::INTEGER AS n FROM annex_a_allocation`);
    expect(byTeam[0]!.workers).toBe(annexWorkers.length);
    expect((await query<{ n: number }>(ws, `SELECT count(worker_id)::INTEGER AS n FROM annex_a_allocation`))[0]!.n).toBe(0);
  });

  it("with a worker key map, Annex A allocations join census workers (by SWE number) and monthly workers (by worker id)", async () => {
    const map = join(dir, "worker-map.csv");
    const swe = census[2025]!.workers;
    writeFileSync(
      map,
      ["allocated_worker,swe_number,worker_id", `${annexWorkers[0]},${swe[0]!.swe},`, `${annexWorkers[1]},${swe[1]!.swe.toLowerCase()},`, `"${annexWorkers[2]}",${swe[2]!.swe},`, `${annexWorkers[4]},,W1`].join("\r\n") + "\r\n",
    );
    const r = await cli("map", ["ingest", "--worker-map", map]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/4 workers in the worker key map/);
    const joined = await query<{ name_n: number; ids: number }>(
      ws,
      `SELECT count(*)::INTEGER AS name_n, count(DISTINCT a.worker_id)::INTEGER AS ids FROM annex_a_allocation a JOIN census_worker c ON c.worker_id = a.worker_id AND c.census_year = 2025`,
    );
    expect(joined[0]).toEqual({ name_n: annex.byWorker[annexWorkers[0]!]! + annex.byWorker[annexWorkers[1]!]! + annex.byWorker[annexWorkers[2]!]!, ids: 3 });
    const monthly = await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM annex_a_allocation WHERE worker_id = 'W1'`);
    expect(monthly[0]!.n).toBe(annex.byWorker[annexWorkers[4]!]!);
    const unmapped = await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM annex_a_allocation WHERE worker_id IS NULL`);
    expect(unmapped[0]!.n).toBe(annex.byWorker[annexWorkers[3]!]!);
    expect((await query(ws, `SELECT * FROM worker_key_map`)).length).toBe(4);
  }, 60_000);

  it("a worker key map with a bad SWE number is refused by line, without showing it", async () => {
    const map = join(dir, "bad-map.csv");
    writeFileSync(map, `worker_name,swe_number\n${annexWorkers[3]},SW12X\n`);
    const r = await cli("bad map", ["ingest", "--worker-map", map]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/bad-map\.csv, row 2, column swe_number: expected an SWE registration number/);
    expect(r.stdout).not.toContain("SW12X");
    expect(r.stdout).not.toContain(annexWorkers[3]);
  }, 60_000);

  it("archives the minimised extracts, never the raw files; the key stays in the workspace only, 0600", () => {
    const archived = readdirSync(ws.archiveDir);
    expect(archived.length).toBeGreaterThan(0);
    expect(archived.every((f) => f.endsWith(".extract.json"))).toBe(true);
    const rawHashes = readLog(ws).flatMap((l) => ((l.files as { sha256: string }[] | undefined) ?? []).map((f) => f.sha256));
    for (const f of archived) expect(rawHashes).not.toContain(f.replace(".extract.json", ""));
    const key = join(ws.dir, "pseudonym.key");
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const keyText = readFileSync(key, "utf8").trim();
    for (const f of allFiles(ws.dir).filter((f) => f !== key)) expect(readFileSync(f).includes(Buffer.from(keyText)), f).toBe(false);
  });

  it("a search of everything the workspace holds, and everything printed, finds no date of birth, SWE number, worker name or child id", async () => {
    expect(personal.size).toBeGreaterThan(300);
    const hits = await findPersonal(ws, [...personal], outputs);
    expect(hits).toEqual([]);
  }, 120_000);

  it("the search can fail: a value that is stored is found", async () => {
    const hits = await findPersonal(ws, ["Children in Care 1", "csww-2021.xml"], {});
    expect(hits).toContain("Children in Care 1 in the database's tables");
    expect(hits).toContain("csww-2021.xml in ingest-log.jsonl");
  });

  it("fairload rebuild gives the same database from the archive, even without the workspace's key", async () => {
    const original = await snapshot(ws);
    chmodSync(join(ws.dir, "pseudonym.key"), 0o600);
    rmSync(join(ws.dir, "pseudonym.key"));
    writeFileSync(ws.dbPath, "not a database any more");
    const r = await rebuild(ws);
    expect(r.loads).toBe(YEARS.length + 3);
    const rebuilt = await snapshot(ws);
    expect(Object.keys(rebuilt).sort()).toEqual(Object.keys(original).sort());
    for (const t of Object.keys(original)) expect(rebuilt[t], t).toEqual(original[t]);
    expect(existsSync(join(ws.dir, "pseudonym.key"))).toBe(false);
  }, 120_000);
});

describe("the shipped sample's census returns and Annex A workbook", () => {
  const SAMPLE = join(ROOT, "data", "sample");

  it("come from the generator (XML and CSV byte for byte, the workbook cell for cell)", async () => {
    const dir = tempDir();
    const written = await writeCensusAndAnnexA(generateEmployer({}), dir);
    expect(written.map((p) => relative(dir, p))).toEqual(["census/csww-2024.xml", "census/csww-2025.xml", "census/csww-2026.xml", "annex-a/annex-a.xlsx", "annex-a/worker-map.csv"]);
    for (const f of written.filter((p) => !p.endsWith(".xlsx"))) expect(readFileSync(f).equals(readFileSync(join(SAMPLE, relative(dir, f)))), f).toBe(true);
    const cells = async (file: string) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      return wb.worksheets.map((w) => ({ name: w.name, rows: w.getSheetValues().map((r) => JSON.stringify(r)) }));
    };
    expect(await cells(join(dir, "annex-a", "annex-a.xlsx"))).toEqual(await cells(join(SAMPLE, "annex-a", "annex-a.xlsx")));
  }, 120_000);

  it("load beside the monthly returns, consistent with them: the same workers' ethnicity, role, FTE and agency; the map joins every allocation", async () => {
    const ws = tempWorkspace();
    expect((await ingest(ws, [join(SAMPLE, "returns")])).status).toBe("accepted");
    for (const y of [2024, 2025, 2026]) {
      const s = await ingest(ws, [join(SAMPLE, "census", `csww-${y}.xml`)]);
      expect(s.status, JSON.stringify(s.problems.slice(0, 3))).toBe("accepted");
    }
    const a = await ingest(ws, [join(SAMPLE, "annex-a", "annex-a.xlsx")], { workerMap: join(SAMPLE, "annex-a", "worker-map.csv") });
    expect(a.status, JSON.stringify(a.problems.slice(0, 3))).toBe("accepted");
    // link census ids to monthly ids the way only a test can: the sample's SWE numbers, hashed with the workspace's key
    const pseudo = workspacePseudonymiser(ws.dir);
    const staff = await query<{ worker_id: string }>(ws, `SELECT worker_id FROM staff WHERE worker_id NOT LIKE 'cw_%'`);
    const link = staff.map((s) => `(${quoteLit(pseudo.id("swe", sampleSwe(s.worker_id)))}, ${quoteLit(s.worker_id)})`).join(", ");
    const rows = await query<{ n: number; same_ethnicity: number; same_agency: number; same_fte: number; same_role: number; same_cases: number }>(
      ws,
      `WITH link(census_id, worker_id) AS (VALUES ${link}),
        monthly AS (SELECT w.*, s.ethnicity_code FROM worker_month w JOIN staff s USING (worker_id) WHERE w.period = '2026-09'),
        cases AS (SELECT worker_id, count(*) AS n FROM case_month WHERE period = '2026-09' GROUP BY 1),
        census AS (SELECT c.*, e.ethnicity_code AS census_ethnicity FROM census_worker c JOIN staff e ON e.worker_id = c.worker_id WHERE c.census_year = 2026 AND c.fte30 > 0)
       SELECT count(*)::INTEGER AS n,
         count(*) FILTER (WHERE census_ethnicity = m.ethnicity_code)::INTEGER AS same_ethnicity,
         count(*) FILTER (WHERE c.agency = (m.employment = 'agency'))::INTEGER AS same_agency,
         count(*) FILTER (WHERE c.fte30 = m.fte)::INTEGER AS same_fte,
         count(*) FILTER (WHERE (m.role = 'Team Manager' AND c.role_code = '3') OR (m.role IN ('Senior Practitioner', 'Advanced Practitioner') AND c.role_code = '4') OR (m.role IN ('Social Worker', 'ASYE') AND c.role_code IN ('5', '6')))::INTEGER AS same_role,
         count(*) FILTER (WHERE coalesce(c.cases30, 0) = coalesce(k.n, 0))::INTEGER AS same_cases
       FROM census c JOIN link l ON l.census_id = c.worker_id JOIN monthly m ON m.worker_id = l.worker_id LEFT JOIN cases k ON k.worker_id = m.worker_id`,
    );
    const r = rows[0]!;
    const [{ n: census2026 }] = await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM census_worker WHERE census_year = 2026 AND fte30 > 0`);
    expect(r.n).toBe(census2026);
    expect(r).toEqual({ n: r.n, same_ethnicity: r.n, same_agency: r.n, same_fte: r.n, same_role: r.n, same_cases: r.n });
    const [alloc] = await query<{ n: number; mapped: number; census: number; monthly: number }>(
      ws,
      `SELECT count(*)::INTEGER AS n, count(a.worker_id)::INTEGER AS mapped, count(c.worker_id)::INTEGER AS census, count(w.worker_id)::INTEGER AS monthly
       FROM annex_a_allocation a LEFT JOIN census_worker c ON c.worker_id = a.worker_id AND c.census_year = 2026 LEFT JOIN worker_month w ON w.worker_id = a.worker_id AND w.period = '2026-09'`,
    );
    expect(alloc!.n).toBeGreaterThan(1000);
    expect(alloc!.mapped).toBe(alloc!.n);
    expect(alloc!.census + alloc!.monthly).toBe(alloc!.n);
    // the team Annex A gives each allocation is the worker's team in the monthly return
    const [teams] = await query<{ n: number; same: number }>(
      ws,
      `WITH link(census_id, worker_id) AS (VALUES ${link})
       SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE a.team = w.team)::INTEGER AS same
       FROM annex_a_allocation a LEFT JOIN link l ON l.census_id = a.worker_id JOIN worker_month w ON w.worker_id = coalesce(l.worker_id, a.worker_id) AND w.period = '2026-09'`,
    );
    expect(teams!.same).toBe(teams!.n);
    expect(teams!.n).toBe(alloc!.n);
  }, 180_000);
});

describe("a census ingest is all or nothing", () => {
  it("killed inside its transaction, after every row was written, the database is unchanged; the same file then loads", async () => {
    const ws = tempWorkspace();
    const dir = tempDir();
    const first = join(dir, "csww-2023.xml");
    writeFileSync(first, censusXml({ year: 2023, workers: fixtureWorkers(2023, 20) }));
    expect((await ingest(ws, [first])).status).toBe("accepted");
    const before = await snapshot(ws);
    const second = join(dir, "csww-2024.xml");
    writeFileSync(second, censusXml({ year: 2024, workers: fixtureWorkers(2024, 25) }));
    const child = spawn(process.execPath, [CLI, "ingest", second, "-w", ws.dir], { cwd: ROOT, env: { ...process.env, FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS: "60000" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (stderr.includes("holding before commit")) {
          clearInterval(t);
          resolve();
        }
      }, 50);
      void exited.then(() => {
        clearInterval(t);
        reject(new Error(`ingest exited before reaching the commit: ${stderr}`));
      });
    });
    child.kill("SIGKILL");
    await exited;
    expect(await snapshot(ws)).toEqual(before);
    const again = await ingest(ws, [second]);
    expect(again.status).toBe("accepted");
    expect((await query<{ n: number }>(ws, `SELECT count(*)::INTEGER AS n FROM census_worker WHERE census_year = 2024`))[0]!.n).toBe(25);
  }, 120_000);
});

describe("what goes with what", () => {
  it("a folder of census returns loads every year in one load; another .xml in the folder is ignored with a note", async () => {
    const ws = tempWorkspace();
    const dir = tempDir();
    writeFileSync(join(dir, "csww-2024.xml"), censusXml({ year: 2024, workers: fixtureWorkers(2024, 12) }));
    writeFileSync(join(dir, "csww-2025.xml"), censusXml({ year: 2025, workers: fixtureWorkers(2025, 14) }));
    writeFileSync(join(dir, "feed.xml"), `<?xml version="1.0"?><rss><channel/></rss>`);
    const s = await ingest(ws, [dir]);
    expect(s.status).toBe("accepted");
    expect(s.warnings).toContain("feed.xml: ignored (not a workforce census return)");
    expect(await query(ws, `SELECT census_year, count(*)::INTEGER AS n FROM census_worker GROUP BY 1 ORDER BY 1`)).toEqual([{ census_year: 2024, n: 12 }, { census_year: 2025, n: 14 }]);
    // one staff row per worker: the later year's
    expect(await query(ws, `SELECT count(*)::INTEGER AS n, count(DISTINCT worker_id)::INTEGER AS d FROM staff`)).toEqual([{ n: 14, d: 14 }]);
  });

  it("a census given with monthly returns, or the same year twice in one ingest, is refused plainly", async () => {
    const ws = tempWorkspace();
    const dir = tempDir();
    writeFileSync(join(dir, "csww-2024.xml"), censusXml({ year: 2024, workers: fixtureWorkers(2024, 3) }));
    writeFileSync(join(dir, "staff.csv"), "worker_id,ethnicity\nW1,WBRI\n");
    await expect(ingest(ws, [dir])).rejects.toThrow(/is loaded on its own, not with monthly returns \(staff\.csv\)/);
    const other = join(tempDir(), "again-2024.xml");
    writeFileSync(other, censusXml({ year: 2024, workers: fixtureWorkers(2024, 4) }));
    const s = await ingest(ws, [join(dir, "csww-2024.xml"), other]);
    expect(s.status).toBe("refused");
    expect(s.problems.map(formatProblem).join()).toMatch(/census 999\/2024 is also in csww-2024\.xml/);
    const xml = join(tempDir(), "not-a-census.xml");
    writeFileSync(xml, `<?xml version="1.0"?><Report><Line>1</Line></Report>`);
    const n = await ingest(ws, [xml]);
    expect(n.problems.map(formatProblem).join()).toMatch(/not-a-census\.xml: this XML document is not a children's social work workforce census return \(its root element is <Report>\)/);
  });
});
