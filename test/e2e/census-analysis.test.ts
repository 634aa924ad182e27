/**
 * The analysis of the workforce census and Annex A (docs/census-and-annex-a.md, "Analysis"), on
 * the real path: census returns for 2021 to 2025 written by test/support/csww-writer.ts, Annex A
 * workbooks with a worker key map, `fairload ingest`, `run` and `audit`. Figures are checked
 * against hand computations from the fixtures (caseload per FTE, the audit's Mantel-Haenszel
 * ratio, pay medians and means and their gaps, the relative likelihood of leaving with its Katz
 * interval, Annex A complexity scores); the public layer is attacked by linear programming; a
 * difference planted in Annex A is found and a null one is not; a workspace without census data
 * runs clean.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import highsModule from "highs";
import { beforeAll, describe, expect, it } from "vitest";
import { auditWorkspace, runAll } from "../../app/workflow.ts";
import type { Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { type AnnexWorker, writeAnnexAllocations, type WrittenAllocation } from "../support/annex-a-allocations.ts";
import { writeAnnexA } from "../support/annex-a-writer.ts";
import { censusXml, type FixtureWorker, fixtureWorkers } from "../support/csww-writer.ts";
import { query, runCli, smallReturn, tempDir, tempWorkspace, writeReturn } from "../support/helpers.ts";

const YEARS = [2021, 2022, 2023, 2024, 2025];
const MIN = 10;
const ROLE: Record<string, string> = { "1": "Senior manager", "2": "Middle manager", "3": "First line manager", "4": "Senior practitioner", "5": "Case holder", "6": "Qualified without cases" };
/** The fixture's ethnicity codes by reporting group, written out here rather than taken from fairload. */
const REPORTING: Record<string, string> = {
  WBRI: "White British", WIRI: "White minorities", WOTH: "White minorities", REFU: "Not known", NOBT: "Not known",
  BAFR: "Ethnic minorities", BCRB: "Ethnic minorities", AIND: "Ethnic minorities", APKN: "Ethnic minorities", MWBC: "Ethnic minorities", CHNE: "Ethnic minorities", OOTH: "Ethnic minorities",
};
const group = (w: FixtureWorker) => REPORTING[w.ethnicity!]!;

/**
 * The census fixture: 100 workers a year, the window moving by five workers a year (so workers
 * come and go); in 2024 some White British workers leave (the fixture has none leave otherwise);
 * in 2025 ethnic-minority workers hold half as many cases again and are paid 10% less.
 */
function censusWorkers(year: number): FixtureWorker[] {
  const first = (year - 2021) * 5;
  return fixtureWorkers(year, 100, first).map((w, k) => {
    const i = first + k;
    if (year === 2024 && w.ethnicity === "WBRI" && i % 5 === 0) {
      return { ...w, roleEnd: "2024-06-30", reasonLeave: "1", leaverDestination: "2", fte30: "0.000000", cases30: undefined };
    }
    if (year === 2025 && group(w) === "Ethnic minorities") {
      return { ...w, cases30: w.cases30 === undefined ? undefined : String(Math.round(Number(w.cases30) * 1.5)), baseSalary: (Number(w.baseSalary) * 0.9).toFixed(2) };
    }
    return w;
  });
}
const FIXTURE = new Map(YEARS.map((y) => [y, censusWorkers(y)]));
const inPost = (w: FixtureWorker) => !w.roleEnd;
const isCaseHolder = (w: FixtureWorker) => inPost(w) && Number(w.cases30 ?? 0) > 0 && Number(w.fte30 ?? 0) > 0;

let empty: Workspace;
let ws: Workspace;
let dir: string;
/** Annex A workers: the 2025 census's case holders and senior practitioners in post, in three teams. */
let annexWorkers: { name: string; swe: string; team: string; group: string }[];

async function runAndAudit(w: Workspace) {
  await runAll(w, undefined, { workers: false });
  return auditWorkspace(w, { seed: 7 });
}

beforeAll(async () => {
  dir = tempDir();
  const monthly = writeReturn(smallReturn("2025-09"), join(dir, "monthly"));
  // a workspace without any census or Annex A data
  empty = tempWorkspace("Emptyshire");
  expect((await ingest(empty, [monthly])).status).toBe("accepted");
  await runAndAudit(empty);

  ws = tempWorkspace("Testshire");
  expect((await ingest(ws, [monthly])).status).toBe("accepted");
  const files = YEARS.map((year) => {
    const f = join(dir, `csww-${year}.xml`);
    writeFileSync(f, censusXml({ year, workers: FIXTURE.get(year)! }));
    return f;
  });
  expect((await ingest(ws, files)).status).toBe("accepted");
  annexWorkers = FIXTURE.get(2025)!.filter((w) => inPost(w) && (w.orgRole === "5" || w.orgRole === "4")).map((w, k) => ({ name: `Worker ${String(k + 1).padStart(3, "0")}`, swe: w.swe, team: ["Team Alpha", "Team Beta", "Team Gamma"][k % 3]!, group: group(w) }));
  writeFileSync(join(dir, "worker-map.csv"), `allocated_worker,swe_number\n${annexWorkers.map((w) => `${w.name},${w.swe}`).join("\n")}\n`);
  // first the independent Annex A writer's workbook (its own lists, teams and markers)
  await writeAnnexA(join(dir, "annex-writer.xlsx"), { workers: annexWorkers.map((w) => w.name), perList: 24 });
  expect((await ingest(ws, [join(dir, "annex-writer.xlsx")], { workerMap: join(dir, "worker-map.csv") })).status).toBe("accepted");
  await runAndAudit(ws);
}, 180_000);

describe("the workforce census, every year it covers", () => {
  it("caseload per FTE is the sum of Cases30 over the sum of FTE30 of case holders, by year, role and group", async () => {
    const rows = await query<{ census_year: number; role: string; group: string; case_holders: number; caseload_per_fte: number }>(ws, `SELECT census_year, role, "group", case_holders, caseload_per_fte FROM mart_census_caseload`);
    const got = new Map(rows.map((r) => [`${r.census_year}|${r.role}|${r.group}`, r]));
    let checked = 0;
    for (const year of YEARS) {
      const holders = FIXTURE.get(year)!.filter(isCaseHolder);
      const cells = new Map<string, FixtureWorker[]>();
      for (const w of holders) {
        for (const k of [`${ROLE[w.orgRole!]}|${group(w)}`, `${ROLE[w.orgRole!]}|All`, `All roles|${group(w)}`, "All roles|All"]) cells.set(k, [...(cells.get(k) ?? []), w]);
      }
      for (const [k, ws_] of cells) {
        const want = ws_.reduce((s, w) => s + Number(w.cases30), 0) / ws_.reduce((s, w) => s + Number(w.fte30), 0);
        const g = got.get(`${year}|${k}`);
        expect(g, `${year} ${k}`).toBeDefined();
        expect(g!.case_holders, `${year} ${k}`).toBe(ws_.length);
        expect(g!.caseload_per_fte, `${year} ${k}`).toBeCloseTo(want, 10);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // and the figures worked out by hand (Python, from the fixture's definition)
    expect(got.get("2021|All roles|All")!.caseload_per_fte).toBeCloseTo(15.5514705882353, 10);
    expect(got.get("2025|Case holder|Ethnic minorities")!.caseload_per_fte).toBeCloseTo(21.157407407407405, 10);
    expect(got.get("2025|Case holder|White British")!.caseload_per_fte).toBeCloseTo(17.962962962962962, 10);
  });

  it("compares caseload within role with the audit's method: the Mantel-Haenszel ratio by hand, and 2025's planted difference seen as a secondary question", async () => {
    const tests = await query<{ census_year: number; ratio_adjusted: number; ci_low: number; ci_high: number; verdict: string; verdict_reason: string; family: string; family_id: string; adjusted_for: string; sentence: string }>(
      ws, `SELECT * FROM census_fairness_results WHERE source = 'census' AND question = 'caseload_per_fte' AND comparison = 'primary' ORDER BY census_year`);
    expect(tests.map((t) => t.census_year)).toEqual(YEARS);
    for (const year of YEARS) {
      // hand: strata are roles; in each, ratio-of-sums means of each group and weights n_g n_r / (n_g + n_r)
      const holders = FIXTURE.get(year)!.filter(isCaseHolder);
      let num = 0;
      let den = 0;
      for (const role of new Set(holders.map((w) => w.orgRole))) {
        const g = holders.filter((w) => w.orgRole === role && group(w) === "Ethnic minorities");
        const r = holders.filter((w) => w.orgRole === role && group(w) === "White British");
        if (!g.length || !r.length) continue;
        const mean = (xs: FixtureWorker[]) => xs.reduce((s, w) => s + Number(w.cases30), 0) / xs.reduce((s, w) => s + Number(w.fte30), 0);
        const weight = (g.length * r.length) / (g.length + r.length);
        num += weight * mean(g);
        den += weight * mean(r);
      }
      const t = tests.find((x) => x.census_year === year)!;
      expect(t.ratio_adjusted, String(year)).toBeCloseTo(num / den, 10);
      expect(t.family).toBe("secondary");
      expect(t.family_id).toBe("census and Annex A: secondary");
      expect(t.adjusted_for).toBe("role");
    }
    const planted = tests.find((t) => t.census_year === 2025)!;
    expect(planted.ratio_adjusted).toBeGreaterThan(1.15);
    expect(planted.ci_low).toBeGreaterThan(1);
    // a secondary question: at most "watch", never a confirmed disparity
    expect(planted.verdict).toBe("possible disparity: watch");
    expect(planted.verdict_reason).toBe("secondary-question");
    expect(planted.sentence).toMatch(/^In the 2025 census, ethnic-minority social workers held \d+% more cases per FTE than White British colleagues in the same role at 30 September 2025 \(95% CI \d+% to \d+% more\)\./);
  });

  it("reports the ethnicity pay gap from 2025: median and mean full-time equivalent base salary within role, gap = (reference - group) / reference", async () => {
    const rows = await query<{ census_year: number; role: string; group: string; earners: number; median_salary: number; mean_salary: number; median_gap: number | null; mean_gap: number | null }>(ws, `SELECT * FROM mart_census_pay_gap`);
    expect(new Set(rows.map((r) => r.census_year))).toEqual(new Set([2025]));
    const earners = FIXTURE.get(2025)!.filter((w) => inPost(w) && w.agency === 0);
    const pay = (w: FixtureWorker) => Number(w.baseSalary) / Number(w.fte);
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const role of ["All roles", "Case holder", "Senior practitioner"]) {
      const of = (g: string) => earners.filter((w) => (role === "All roles" || ROLE[w.orgRole!] === role) && group(w) === g).map(pay);
      const em = of("Ethnic minorities");
      const wb = of("White British");
      const row = rows.find((r) => r.role === role && r.group === "Ethnic minorities")!;
      expect(row.earners).toBe(em.length);
      expect(row.median_salary).toBeCloseTo(median(em), 6);
      expect(row.mean_salary).toBeCloseTo(mean(em), 6);
      expect(row.median_gap).toBeCloseTo((median(wb) - median(em)) / median(wb), 10);
      expect(row.mean_gap).toBeCloseTo((mean(wb) - mean(em)) / mean(wb), 10);
      expect(rows.find((r) => r.role === role && r.group === "White British")!.median_gap).toBeNull();
    }
    // by hand (Python): ethnic-minority workers, all roles: median 40,950 and mean 40,035.94 against 43,625 and 44,839.84
    const all = rows.find((r) => r.role === "All roles" && r.group === "Ethnic minorities")!;
    expect(all.median_salary).toBeCloseTo(40950, 6);
    expect(all.mean_salary).toBeCloseTo(40035.9375, 6);
    expect(all.median_gap).toBeCloseTo((43625 - 40950) / 43625, 10);
    expect(all.mean_gap).toBeCloseTo((44839.84375 - 40035.9375) / 44839.84375, 10);
  });

  it("gives the relative likelihood of leaving with its Katz interval (continuity-corrected when a cell is 0), and reasons for leaving", async () => {
    const rows = await query<{ census_year: number; reason: string; group: string; in_post: number; leavers: number; likelihood_of_leaving: number; relative_likelihood: number | null; rl_ci_low: number; rl_ci_high: number; continuity_corrected: boolean | null }>(ws, `SELECT * FROM mart_census_leavers`);
    const em = (y: number, reason = "All reasons") => rows.find((r) => r.census_year === y && r.reason === reason && r.group === "Ethnic minorities")!;
    // 2024: 7 of 49 ethnic-minority workers left, 5 of 23 White British (hand, Python)
    expect([em(2024).leavers, em(2024).in_post]).toEqual([7, 42]);
    expect(em(2024).likelihood_of_leaving).toBeCloseTo(7 / 49, 12);
    expect(em(2024).relative_likelihood).toBeCloseTo(0.6571428571428571, 10);
    expect(em(2024).rl_ci_low).toBeCloseTo(0.23338605076251337, 8);
    expect(em(2024).rl_ci_high).toBeCloseTo(1.8503108188471022, 8);
    expect(em(2024).continuity_corrected).toBe(false);
    // 2023: no White British leaver, so 0.5 is added to each cell: (7.5 / 50) / (0.5 / 22) = 6.6
    expect(em(2023).relative_likelihood).toBeCloseTo(6.6, 10);
    expect(em(2023).continuity_corrected).toBe(true);
    expect(em(2023).rl_ci_low).toBeCloseTo(0.39400870807594807, 8);
    // reasons: each leaver once, so the reasons add up to all reasons
    for (const year of YEARS) {
      const byReason = rows.filter((r) => r.census_year === year && r.group === "All" && r.reason !== "All reasons");
      expect(byReason.reduce((s, r) => s + r.leavers, 0)).toBe(rows.find((r) => r.census_year === year && r.group === "All" && r.reason === "All reasons")!.leavers);
    }
    expect(rows.some((r) => r.reason === "Resignation")).toBe(true);
  });

  it("sets representation by role beside England's DfE figures, and sickness absence by group", async () => {
    const rep = await query<{ census_year: number; role: string; group: string; headcount: number; share: number; national_year: number | null; national_share: number | null; national_note: string | null }>(ws, `SELECT * FROM mart_census_representation`);
    const black = rep.find((r) => r.census_year === 2025 && r.role === "Case holder" && r.group === "Black, Black British, Caribbean or African")!;
    const inPost2025 = FIXTURE.get(2025)!.filter((w) => inPost(w) && w.orgRole === "5");
    expect(black.headcount).toBe(inPost2025.filter((w) => ["BAFR", "BCRB"].includes(w.ethnicity!)).length);
    expect(black.share).toBeCloseTo(black.headcount / inPost2025.length, 12);
    // England 2025, case holders: 2,551 Black of 15,078 (data/benchmarks, DfE)
    expect(black.national_year).toBe(2025);
    expect(black.national_share).toBeCloseTo(2551 / 15078, 10);
    const wb = rep.find((r) => r.census_year === 2021 && r.role === "All roles" && r.group === "White British")!;
    expect(wb.national_share).toBeNull();
    expect(wb.national_note).toMatch(/ONS broad groups only/);
    const absence = await query<{ census_year: number; group: string; days_lost_per_fte: number; absence_rate: number }>(ws, `SELECT * FROM mart_census_absence WHERE "group" = 'All'`);
    for (const year of YEARS) {
      const e = FIXTURE.get(year)!.filter((w) => inPost(w) && w.agency === 0);
      const days = e.reduce((s, w) => s + Number(w.workingDaysLost), 0);
      const fte = e.reduce((s, w) => s + Number(w.fte30), 0);
      const a = absence.find((r) => r.census_year === year)!;
      expect(a.days_lost_per_fte).toBeCloseTo(days / fte, 10);
      expect(a.absence_rate).toBeCloseTo((100 * days) / (fte * (year === 2024 ? 254 : 253)), 10);
    }
  });
});

/** Bound each withheld count, and each relation's withheld sum, given the published counts (HiGHS). */
async function disclosures(cells: { row: string; group: string; count: number; withheld: boolean }[], total: string, groups: string[], rowsAdd: boolean): Promise<string[]> {
  const highs = await (highsModule as unknown as () => Promise<{ solve(lp: string, o?: object): { Status: string; ObjectiveValue: number } }>)();
  const id = new Map<string, string>();
  const key = (r: string, g: string) => `${r}|${g}`;
  const count = new Map(cells.map((c) => [key(c.row, c.group), c]));
  const v = (k: string) => {
    if (!id.has(k)) id.set(k, `x${id.size}`);
    return id.get(k)!;
  };
  const relations: { parent: string; parts: string[] }[] = [];
  const rows = [...new Set(cells.map((c) => c.row))];
  for (const r of rows) relations.push({ parent: key(r, "All"), parts: groups.filter((g) => g !== "All").map((g) => key(r, g)) });
  if (rowsAdd) for (const g of groups) relations.push({ parent: key(total, g), parts: rows.filter((r) => r !== total).map((r) => key(r, g)) });
  const constraints: string[] = [];
  relations.forEach((rel, i) => {
    let rhs = 0;
    const terms: string[] = [];
    for (const [k, sign] of [[rel.parent, 1], ...rel.parts.map((p) => [p, -1] as const)] as const) {
      const c = count.get(k) ?? { count: 0, withheld: true };
      if (c.withheld) terms.push(`${sign > 0 ? "+" : "-"} ${v(k)}`);
      else rhs -= sign * c.count;
    }
    if (terms.length) constraints.push(` c${i}: ${terms.join(" ")} = ${rhs}`);
  });
  const found: string[] = [];
  const bound = (objective: string, what: string) => {
    const [lo, hi] = (["Minimize", "Maximize"] as const).map((sense) => {
      const res = highs.solve(`${sense}\n obj: ${objective}\nSubject To\n${constraints.join("\n")}\nBounds\n${[...id.values()].map((x) => ` ${x} >= 0`).join("\n")}\nEnd`, { output_flag: false });
      return res.Status === "Unbounded" ? Infinity : res.ObjectiveValue;
    });
    if (hi! - lo! < MIN - 1e-6 && lo! < MIN - 1e-6 && hi! > 1e-6) found.push(`${what}: ${lo} to ${hi}`);
  };
  for (const rel of relations) {
    const hidden = [rel.parent, ...rel.parts].filter((k) => count.get(k)?.withheld ?? true);
    for (const k of hidden) if (constraints.length) bound(v(k), k);
    const parts = rel.parts.filter((k) => count.get(k)?.withheld ?? true);
    if (parts.length > 1 && constraints.length) bound(parts.map(v).join(" + "), `${parts.join(" + ")}`);
  }
  return found;
}

describe("small-group suppression in the public layer", () => {
  const REPORTING_GROUPS = ["All", "White British", "White minorities", "Ethnic minorities", "Not known"];
  const ONS = ["All", "White", "Mixed or Multiple", "Asian or Asian British", "Black, Black British, Caribbean or African", "Other ethnic group", "Not known"];

  it("withholds every cell under the minimum, and more, so that no withheld cell can be worked out from its row and column totals", async () => {
    const frames: { frame: string; sql: string; groups: string[]; total: string }[] = [
      { frame: "representation", groups: ONS, total: "All roles", sql: `SELECT census_year, role AS row, "group", headcount AS n FROM mart_census_representation` },
      { frame: "case holders", groups: REPORTING_GROUPS, total: "All roles", sql: `SELECT census_year, role AS row, "group", case_holders AS n FROM mart_census_caseload` },
      { frame: "leavers", groups: REPORTING_GROUPS, total: "All reasons", sql: `SELECT census_year, reason AS row, "group", leavers AS n FROM mart_census_leavers` },
      { frame: "earners", groups: REPORTING_GROUPS, total: "All roles", sql: `SELECT census_year, role AS row, "group", earners AS n FROM mart_census_pay_gap` },
    ];
    let withheldCells = 0;
    for (const f of frames) {
      const truth = await query<{ census_year: number; row: string; group: string; n: number }>(ws, f.sql);
      const pub = await query<{ census_year: number; row: string; group: string; count: number | null; withheld: boolean }>(ws, `SELECT census_year, row, "group", count, withheld FROM pub_census_cells WHERE frame = '${f.frame}'`);
      for (const year of new Set(truth.map((t) => t.census_year))) {
        const n = new Map(truth.filter((t) => t.census_year === year).map((t) => [`${t.row}|${t.group}`, t.n]));
        const cells = pub.filter((p) => p.census_year === year).map((p) => ({ row: p.row, group: p.group, count: n.get(`${p.row}|${p.group}`) ?? 0, withheld: p.withheld, published: p.count }));
        // every row the mart has, by every group of the frame
        expect(cells.length, `${f.frame} ${year}`).toBe(new Set(truth.filter((t) => t.census_year === year).map((t) => t.row)).size * f.groups.length);
        for (const c of cells) {
          if (c.count < MIN) expect(c.withheld, `${f.frame} ${year} ${c.row} ${c.group}: ${c.count}`).toBe(true);
          // only the representation frame's counts are published, and only where not withheld
          expect(c.published).toBe(f.frame === "representation" && !c.withheld ? c.count : null);
        }
        withheldCells += cells.filter((c) => c.withheld && c.count >= MIN).length;
        expect(await disclosures(cells, f.total, f.groups, true), `${f.frame} ${year}`).toEqual([]);
      }
    }
    // secondary suppression happened (cells of ten or more withheld to protect others)
    expect(withheldCells).toBeGreaterThan(0);
  });

  it("the check can fail: withholding only the small cells lets them be worked out from the totals", async () => {
    const truth = await query<{ row: string; group: string; n: number }>(ws, `SELECT role AS row, "group", case_holders AS n FROM mart_census_caseload WHERE census_year = 2025 AND "group" IN ('All', 'White British', 'White minorities', 'Ethnic minorities', 'Not known')`);
    const naive = truth.map((t) => ({ row: t.row, group: t.group, count: t.n, withheld: t.n < MIN }));
    expect(naive.some((c) => c.withheld)).toBe(true);
    expect((await disclosures(naive, "All roles", REPORTING_GROUPS, true)).length).toBeGreaterThan(0);
  });

  it("publishes figures only where their cells are published, and no counts but the representation headcounts", async () => {
    const caseload = await query<{ census_year: number; role: string; group: string; caseload_per_fte: number | null; ratio_to_reference: number | null; withheld: boolean }>(ws, `SELECT * FROM pub_census_caseload`);
    const cells = await query<{ census_year: number; row: string; group: string; withheld: boolean }>(ws, `SELECT census_year, row, "group", withheld FROM pub_census_cells WHERE frame = 'case holders'`);
    const hidden = new Set(cells.filter((c) => c.withheld).map((c) => `${c.census_year}|${c.row}|${c.group}`));
    expect(caseload.length).toBe(cells.length);
    for (const r of caseload) {
      const mine = hidden.has(`${r.census_year}|${r.role}|${r.group}`);
      expect(r.withheld).toBe(mine);
      if (mine) expect(r.caseload_per_fte).toBeNull();
      else expect(r.caseload_per_fte).not.toBeNull();
      if (r.ratio_to_reference !== null) expect(hidden.has(`${r.census_year}|${r.role}|White British`)).toBe(false);
    }
    for (const t of ["pub_census_caseload", "pub_census_leavers", "pub_census_pay_gap", "pub_census_absence", "pub_annex_a_complexity", "pub_census_fairness_results"]) {
      const cols = (await query<{ c: string }>(ws, `SELECT column_name AS c FROM duckdb_columns() WHERE table_name = '${t}'`)).map((r) => r.c);
      expect(cols.length, t).toBeGreaterThan(3);
      for (const c of cols) expect(c, `${t}.${c}`).not.toMatch(/^(n_|count$|headcount$|case_holders$|leavers$|earners$|employees$|workers$|allocations$|in_post$)/);
    }
    const tests = await query<{ suppressed: boolean; verdict: string; ratio_adjusted: number | null; workers_compared: string | null }>(ws, `SELECT * FROM pub_census_fairness_results`);
    expect(tests.some((t) => t.suppressed)).toBe(true);
    for (const t of tests.filter((x) => x.suppressed)) expect([t.verdict, t.ratio_adjusted, t.workers_compared]).toEqual(["[c]", null, null]);
  });
});

describe("Annex A joined to the census through the worker key map", () => {
  it("gives every allocation its worker's group and census role, and audits allocation complexity in the declared family", async () => {
    const alloc = await query<{ n: number; mapped: number; roles: number }>(ws, `SELECT count(*) AS n, count(*) FILTER (WHERE reporting_group <> 'Not mapped') AS mapped, count(*) FILTER (WHERE role IN ('Case holder', 'Senior practitioner')) AS roles FROM int_annex_a_allocation`);
    expect(alloc[0]!.n).toBeGreaterThan(100);
    expect(alloc[0]!.mapped).toBe(alloc[0]!.n);
    expect(alloc[0]!.roles).toBe(alloc[0]!.n);
    const tests = await query<{ scope: string; comparison: string; family: string; family_id: string; verdict: string }>(ws, `SELECT * FROM census_fairness_results WHERE source = 'annex_a'`);
    const primary = tests.find((t) => t.scope === "employer" && t.comparison === "primary")!;
    expect(primary.family).toBe("primary");
    expect(primary.family_id).toBe("census and Annex A: primary (Annex A allocation complexity, whole authority)");
    expect(tests.filter((t) => t.scope === "team").length).toBeGreaterThan(0);
  });

  /** Write, load and audit an Annex A workbook (all of Lists 3 to 9, so it replaces the earlier one). */
  async function annexRun(name: string, pFor: (w: { group: string }) => number, seed: number): Promise<WrittenAllocation[]> {
    const workers: AnnexWorker[] = annexWorkers.map((w) => ({ name: w.name, team: w.team, p: pFor(w) }));
    const written = await writeAnnexAllocations(join(dir, `${name}.xlsx`), workers, { perList: 3, seed });
    expect((await ingest(ws, [join(dir, `${name}.xlsx`)])).status).toBe("accepted");
    await runAndAudit(ws);
    return written;
  }
  const primaryRow = async () => (await query<{ ratio_adjusted: number; ci_low: number; ci_high: number; verdict: string; q_value: number; sentence: string; n_workers_group_compared: number }>(ws, `SELECT * FROM census_fairness_results WHERE source = 'annex_a' AND scope = 'employer' AND comparison = 'primary'`))[0]!;

  it("finds a planted difference in the complexity of the children allocated to ethnic-minority workers, with the scores worked out by hand", async () => {
    const written = await annexRun("annex-planted", (w) => (w.group === "Ethnic minorities" ? 0.45 : 0.3), 11);
    // the scores: the markers each list carries, one point each (by hand from what was written)
    const groupOf = new Map(annexWorkers.map((w) => [w.name, w.group]));
    const mart = await query<{ list: string; group: string; allocations: number; mean_score: number }>(ws, `SELECT list, "group", allocations, mean_score FROM mart_annex_a_complexity WHERE team = 'All teams'`);
    for (let list = 3; list <= 9; list++) {
      for (const g of ["Ethnic minorities", "White British", "All"]) {
        const mine = written.filter((a) => a.list === list && (g === "All" || groupOf.get(a.worker) === g));
        const row = mart.find((r) => r.list === `List ${list}` && r.group === g)!;
        expect(row.allocations, `List ${list} ${g}`).toBe(mine.length);
        expect(row.mean_score, `List ${list} ${g}`).toBeCloseTo(mine.reduce((s, a) => s + a.markers.length, 0) / mine.length, 12);
      }
    }
    const r = await primaryRow();
    expect(r.n_workers_group_compared).toBeGreaterThanOrEqual(5);
    expect(r.ratio_adjusted).toBeGreaterThan(1.2);
    expect(r.ci_low).toBeGreaterThan(1);
    expect(r.verdict).toBe("adverse disparity");
    expect(r.sentence).toMatch(/^Across Testshire \(Annex A\), ethnic-minority social workers were allocated children with a \d+% higher Annex A complexity score than White British colleagues on the same list, in the same team and role/);
    // the teams are then asked in a family of their own
    const teams = await query<{ family_id: string }>(ws, `SELECT family_id FROM census_fairness_results WHERE source = 'annex_a' AND scope = 'team' AND comparison = 'primary'`);
    expect(new Set(teams.map((t) => t.family_id))).toEqual(new Set(["census and Annex A: primary (Annex A allocation complexity, teams)"]));
  }, 120_000);

  it("does not find one where there is none", async () => {
    await annexRun("annex-null", () => 0.3, 12);
    const r = await primaryRow();
    expect(["adverse disparity", "favourable disparity"]).not.toContain(r.verdict);
    expect(r.ci_low).toBeLessThan(1);
    expect(r.ci_high).toBeGreaterThan(1);
    const teams = await query<{ family: string }>(ws, `SELECT family FROM census_fairness_results WHERE source = 'annex_a' AND scope = 'team' AND comparison = 'primary'`);
    expect(new Set(teams.map((t) => t.family))).toEqual(new Set(["secondary"]));
  }, 120_000);

  it("`fairload audit --json` includes the census and Annex A rows, marked where the public layer withholds them", async () => {
    const out = await runCli(["audit", "-w", ws.dir, "--json", "--resamples", "999"]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const records = JSON.parse(out.stdout) as { source?: string; suppressed: boolean; family_id: string }[];
    const census = records.filter((r) => r.source === "census" || r.source === "annex_a");
    expect(census.length).toBeGreaterThan(50);
    expect(census.some((r) => r.suppressed)).toBe(true);
    expect(new Set(census.map((r) => r.family_id.split(":")[0]))).toEqual(new Set(["census and Annex A"]));
  }, 120_000);
});

describe("a workspace without census or Annex A data", () => {
  it("runs and audits cleanly, with the census tables and models empty", async () => {
    for (const t of ["census_worker", "annex_a_allocation", "int_census_worker", "mart_census_caseload", "mart_census_representation", "mart_annex_a_complexity", "pub_census_cells", "pub_census_caseload", "census_fairness_results", "pub_census_fairness_results"]) {
      expect((await query<{ n: number }>(empty, `SELECT count(*) AS n FROM ${t}`))[0]!.n, t).toBe(0);
    }
    const out = await runCli(["audit", "-w", empty.dir, "--json", "--resamples", "199"]);
    expect(out.status).toBe(0);
    expect((JSON.parse(out.stdout) as { source?: string }[]).filter((r) => r.source)).toEqual([]);
  }, 120_000);
});
