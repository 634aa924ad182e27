/**
 * The workforce census and the monthly returns, attacked together (issue 13). The census publishes
 * workers in post at 30 September by census year, role and ONS broad group
 * (pub_census_representation); the monthly returns publish the workforce of every month, and of
 * the latest month by reporting group, for the employer, every service and every team
 * (pub_population). For a census year whose September the returns cover, both count social
 * workers on the same date: census White against White British + White minorities, the four
 * minority broad groups against Ethnic minorities, Not known against Not known, all against all.
 *
 * The attacker (test/support/attacker.ts `attackAcross`) reads the published counts of both,
 * tries each overlap a reader could assume (the same people; the census within the returns; the
 * returns within the census), keeps those the published counts allow, and bounds every withheld
 * cell, and every sum of withheld cells in a relation, by linear programming. Shown here: on a
 * hand-made September, what the system is; the shipped sample gives nothing away (its returns hold
 * 13 social work assistants the census does not, and a reader does not see their groups); an
 * employer whose returns hold exactly its census's workers, or nearly (3 assistants), or whose
 * census holds team managers its returns do not, or a small employer, gave a withheld Not known or
 * White minorities count away while the two were protected apart (the pattern fairload published
 * before), and gives nothing away protected as one system (pipelines/census-public.ts
 * `censusLinks`), which withholds one cell more.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditWorkspace, runAll } from "../../app/workflow.ts";
import { buildSite } from "../../bin/site.ts";
import { openDb } from "../../core/db.ts";
import type { Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { writeCensusXml } from "../../loaders/sample/census-xml.ts";
import { generateEmployer, type SampleOptions } from "../../loaders/sample/generator.ts";
import { writeCsvFolder } from "../../loaders/sample/write.ts";
import { type CensusCell, censusLinks, protectCensusCells, readCensusCells } from "../../pipelines/census-public.ts";
import { cellKey, type FrameCell, frameRelations, protect } from "../../pipelines/disclosure.ts";
import { populationFrame } from "../../pipelines/public.ts";
import {
  attack, attackAcross, type CensusCountCell, cellsFromPopulationRows, cellsFromPublicBuild, censusCellsFromPublicBuild, censusCellsFromRows, type CountCell, type CrossAttack,
} from "../support/attacker.ts";
import { query, ROOT, tempDir, tempWorkspace } from "../support/helpers.ts";

const MIN = 10;

/** What the pipeline published: every month of pub_population, every cell of pub_census_representation. */
async function published(ws: Workspace): Promise<{ monthly: CountCell[]; census: CensusCountCell[] }> {
  return {
    monthly: cellsFromPopulationRows(await query(ws, `SELECT * FROM pub_population`)),
    census: censusCellsFromRows(await query(ws, `SELECT census_year, role, "group", headcount FROM pub_census_representation`)),
  };
}

/**
 * What fairload published before the two were one system: the monthly frame protected on its own
 * (as pipelines/public.ts did) and the census tables on their own (protectCensusCells without the
 * monthly frame), from the same data.
 */
async function protectedApart(ws: Workspace): Promise<{ monthly: CountCell[]; census: CensusCountCell[] }> {
  const db = await openDb(ws.dbPath, { readOnly: true });
  try {
    const frame = await populationFrame(db.conn);
    const { withheld } = await protect(frame, frameRelations(frame), MIN);
    const census = (await protectCensusCells(await readCensusCells(db.conn), MIN)).cells.filter((c) => c.cell.frame === "representation");
    return {
      monthly: frame.map((c) => ({ period: c.period, level: c.level, service: c.service, team: c.team, group: c.group, value: withheld.has(cellKey(c)) ? null : c.count, source: "pub_population (apart)" })),
      census: census.map((c) => ({ year: c.cell.census_year!, role: c.cell.row, group: c.cell.group, value: c.published ? c.cell.count : null, source: "pub_census_representation (apart)" })),
    };
  } finally {
    db.close();
  }
}

/** The census step's own copy of the linked months' pattern equals pub_population's. */
async function stepsAgree(ws: Workspace): Promise<void> {
  const db = await openDb(ws.dbPath, { readOnly: true });
  let theirs: Set<string>;
  let periods: Set<string>;
  try {
    const cells = await readCensusCells(db.conn);
    periods = new Set(cells.filter((c) => c.frame === "representation").map((c) => `${c.census_year}-09`));
    const frame = (await populationFrame(db.conn)).filter((c) => periods.has(c.period));
    theirs = (await protectCensusCells(cells, MIN, frame)).monthlyWithheld;
  } finally {
    db.close();
  }
  const ours = (await query<Pick<FrameCell, "period" | "level" | "service" | "team" | "group">>(ws, `SELECT period, level, service, team, "group" FROM pub_population WHERE withheld`))
    .filter((c) => periods.has(c.period))
    .map(cellKey);
  expect([...theirs].sort()).toEqual(ours.sort());
}

const describeFindings = (r: CrossAttack) => r.findings.map((f) => `${f.description}: ${f.lo}..${f.hi}`);

/** The employer's total at each linked September and the census's total, both still published (nothing over-withheld). */
function totalsPublished(p: { monthly: CountCell[]; census: CensusCountCell[] }, years: number[]): void {
  for (const y of years) {
    const m = p.monthly.find((c) => c.period === `${y}-09` && c.level === "employer" && c.group === "All")!;
    const c = p.census.find((x) => x.year === y && x.role === "All roles" && x.group === "All")!;
    expect(m.value, `${y}-09 employer`).not.toBeNull();
    expect(c.value, `census ${y}`).not.toBeNull();
  }
}

/**
 * A generated employer with its census returns (written from the whole simulation: every
 * registered social worker), its monthly returns without the workers `drop` picks; loaded and run.
 */
async function scenario(opts: SampleOptions, drop: (role: string, k: number) => boolean): Promise<Workspace> {
  const employer = generateEmployer(opts);
  const dir = tempDir();
  const census = writeCensusXml(employer.tables, join(dir, "census"));
  const tables = employer.tables as unknown as Record<string, Record<string, unknown>[]>;
  const roleOf = new Map(tables.worker_month!.map((r) => [String(r.worker_id), String(r.role)]));
  // the k-th worker of each role (0 first), in the order the returns first name them
  const counter = new Map<string, number>();
  const dropped = new Set<string>();
  for (const [id, role] of roleOf) {
    const k = counter.get(role) ?? 0;
    counter.set(role, k + 1);
    if (drop(role, k)) dropped.add(id);
  }
  for (const [name, rows] of Object.entries(tables)) if (rows.some((r) => "worker_id" in r)) tables[name] = rows.filter((r) => !dropped.has(String(r.worker_id)));
  await writeCsvFolder(employer, join(dir, "returns"));
  const ws = tempWorkspace("Simulated");
  expect((await ingest(ws, [join(dir, "returns")])).status).toBe("accepted");
  expect((await ingest(ws, census)).status).toBe("accepted");
  await runAll(ws, undefined, { workers: false });
  return ws;
}

describe("the system, on a hand-made September", () => {
  // September 2026, the latest month: the employer's workforce by reporting group, and the census's
  // workers in post by ONS broad group (one role), the same 127 people
  const P = "2026-09";
  const monthlyCounts: Record<string, number> = { All: 127, "Ethnic minorities": 50, "White British": 59, "White minorities": 13, "Not known": 5 };
  const censusCounts: Record<string, number> = { All: 127, White: 72, "Mixed or Multiple": 8, "Asian or Asian British": 13, "Black, Black British, Caribbean or African": 25, "Other ethnic group": 4, "Not known": 5 };
  const frame = (counts: Record<string, number>): FrameCell[] => Object.entries(counts).map(([group, count]) => ({ period: P, level: "employer", service: null, team: null, group, count }));
  const census = (counts: Record<string, number>): CensusCell[] => Object.entries(counts).map(([group, count]) => ({ frame: "representation", census_year: 2026, row: "All roles", team: null, group, count }));
  const asPublished = (f: FrameCell[], withheld: Set<string>, c: { cell: CensusCell; published: boolean }[]) => ({
    monthly: f.map((x) => ({ ...x, value: withheld.has(cellKey(x)) ? null : x.count, source: "monthly" })),
    census: c.map((x) => ({ year: 2026, role: x.cell.row, group: x.cell.group, value: x.published ? x.cell.count : null, source: "census" })),
  });

  it("apart, each table hides its Not known; together, the census's White gives the monthly White minorities and so Not known (5)", async () => {
    const f = frame(monthlyCounts);
    const m = await protect(f, frameRelations(f), MIN);
    const c = await protectCensusCells(census(censusCounts), MIN);
    const r = await attackAcross(asPublished(f, m.withheld, c.cells).monthly, asPublished(f, m.withheld, c.cells).census, MIN);
    expect(r.findings.filter((x) => x.overlap === "same people").map((x) => `${x.description} ${x.lo}..${x.hi}`)).toEqual(expect.arrayContaining([
      "2026-09 employer: Not known (if same people) 5..5",
      "census 2026 All roles: Not known (if same people) 5..5",
    ]));
  });

  it("as one system, one more cell is withheld and nothing is narrowed; the free cells are neither published nor withheld", async () => {
    const f = frame(monthlyCounts);
    const cells = census(censusCounts);
    const links = censusLinks(cells, f);
    expect(links.periods).toEqual(new Set([P]));
    // all workers, then White, the minority groups and Not known: four links, each of 0 people
    expect(links.free).toHaveLength(4);
    expect(links.cells.filter((x) => links.free.includes(cellKey(x))).map((x) => x.count)).toEqual([0, 0, 0, 0]);
    const joint = await protect([...f, ...links.cells], [...frameRelations(f), ...links.relations], MIN, { free: links.free });
    for (const k of links.free) expect(joint.withheld.has(k)).toBe(false);
    const c = await protectCensusCells(cells, MIN, f);
    expect([...c.monthlyWithheld].sort()).toEqual(f.map(cellKey).filter((k) => joint.withheld.has(k)).sort());
    const apart = await protect(f, frameRelations(f), MIN);
    expect(c.monthlyWithheld.size + c.cells.filter((x) => x.withheld).length).toBe(apart.withheld.size + (await protectCensusCells(cells, MIN)).cells.filter((x) => x.withheld).length + 1);
    const p = asPublished(f, c.monthlyWithheld, c.cells);
    expect(describeFindings(await attackAcross(p.monthly, p.census, MIN))).toEqual([]);
  });

  it("two published totals a few people apart withhold nothing more: the difference is not a count to protect", async () => {
    const f = frame({ All: 130 });
    const cells = census({ All: 127, White: 72, "Mixed or Multiple": 8, "Asian or Asian British": 13, "Black, Black British, Caribbean or African": 25, "Other ethnic group": 4, "Not known": 5 });
    const c = await protectCensusCells(cells, MIN, f);
    expect(c.monthlyWithheld.size).toBe(0);
    expect(c.cells.filter((x) => x.withheld).map((x) => x.cell.group).sort()).toEqual(["Mixed or Multiple", "Not known", "Other ethnic group"]);
  });
});

describe("the shipped sample: monthly returns, census 2024 to 2026 and Annex A", () => {
  let ws: Workspace;
  let site: string;
  beforeAll(async () => {
    ws = tempWorkspace("Northshire (sample)");
    const sample = join(ROOT, "data", "sample");
    expect((await ingest(ws, [join(sample, "returns")])).status).toBe("accepted");
    expect((await ingest(ws, [2024, 2025, 2026].map((y) => join(sample, "census", `csww-${y}.xml`)))).status).toBe("accepted");
    expect((await ingest(ws, [join(sample, "annex-a", "annex-a.xlsx")], { workerMap: join(sample, "annex-a", "worker-map.csv") })).status).toBe("accepted");
    await runAll(ws, undefined, { workers: false });
    await auditWorkspace(ws, { resamples: 999 });
    site = join(tempDir(), "site");
    await buildSite(ws, { public: true, out: site });
  }, 600_000);

  it("counts nearly the same people twice: the census's workers in post at 30 September are the September return's less its social work assistants, group by group, agency workers in both", async () => {
    const census = await query<{ y: number; g: string; n: bigint; agency: bigint }>(ws, `SELECT census_year AS y, reporting_group AS g, count(*) AS n, count(*) FILTER (WHERE agency) AS agency FROM int_census_worker WHERE in_post GROUP BY ALL ORDER BY ALL`);
    const monthly = await query<{ y: number; g: string; n: bigint; agency: bigint }>(ws, `SELECT CAST(left(period, 4) AS INTEGER) AS y, reporting_group AS g, count(DISTINCT worker_id) AS n, count(DISTINCT worker_id) FILTER (WHERE is_agency) AS agency
      FROM int_worker_month WHERE period IN ('2024-09', '2025-09', '2026-09') AND role <> 'Social Work Assistant' GROUP BY ALL ORDER BY ALL`);
    expect(census.map((r) => [r.y, r.g, Number(r.n), Number(r.agency)])).toEqual(monthly.map((r) => [r.y, r.g, Number(r.n), Number(r.agency)]));
    expect(census.some((r) => Number(r.agency) > 0)).toBe(true);
    const assistants = await query<{ y: string; n: bigint }>(ws, `SELECT period AS y, count(DISTINCT worker_id) AS n FROM int_worker_month WHERE period LIKE '%-09' AND role = 'Social Work Assistant' GROUP BY ALL ORDER BY ALL`);
    expect(assistants.map((r) => [r.y, Number(r.n)])).toEqual([["2024-09", 13], ["2025-09", 12], ["2026-09", 13]]);
  });

  it("its built public site, census set against monthly counts, narrows nothing below the minimum", async () => {
    const monthly = cellsFromPublicBuild(site);
    const census = censusCellsFromPublicBuild(site);
    expect(census.filter((c) => c.value !== null).length).toBeGreaterThan(20);
    expect(census.some((c) => c.value === null)).toBe(true);
    const r = await attackAcross(monthly, census, MIN);
    expect(r.years).toEqual([2024, 2025, 2026]);
    // the published totals (140 against 127 in September 2026) rule out the same people
    expect(r.feasible).toEqual(["census within monthly"]);
    expect(describeFindings(r)).toEqual([]);
    expect(await attack(monthly, MIN)).toEqual([]);
  }, 120_000);

  it("nor do the public layer's tables, every month of them", async () => {
    const p = await published(ws);
    const r = await attackAcross(p.monthly, p.census, MIN);
    expect(describeFindings(r)).toEqual([]);
    totalsPublished(p, [2024, 2025, 2026]);
    await stepsAgree(ws);
  }, 120_000);
});

describe("an employer whose monthly returns hold exactly its census's workers (no social work assistants)", () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await scenario({}, (role) => role === "Social Work Assistant");
  }, 300_000);

  it("protected apart, the census and the returns give Not known away in September 2026", async () => {
    const [nk] = await query<{ n: bigint }>(ws, `SELECT count(DISTINCT worker_id) AS n FROM int_worker_month WHERE period = '2026-09' AND reporting_group = 'Not known'`);
    const truth = Number(nk!.n);
    expect(truth).toBeGreaterThan(0);
    expect(truth).toBeLessThan(MIN);
    const apart = await protectedApart(ws);
    // each withheld there
    expect(apart.monthly.find((c) => c.period === "2026-09" && c.level === "employer" && c.group === "Not known")!.value).toBeNull();
    expect(apart.census.find((c) => c.year === 2026 && c.role === "All roles" && c.group === "Not known")!.value).toBeNull();
    const r = await attackAcross(apart.monthly, apart.census, MIN);
    expect(r.feasible).toContain("same people");
    const pinned = r.findings.filter((f) => f.lo === f.hi && f.lo > 0);
    expect(pinned.map((f) => f.description)).toEqual(expect.arrayContaining([
      "2026-09 employer: Not known (if same people)",
      "census 2026 All roles: Not known (if same people)",
    ]));
    for (const f of pinned.filter((f) => /Not known \(if/.test(f.description))) expect(f.lo, f.description).toBe(truth);
    // each table on its own gives nothing away: only together
    expect(await attack(apart.monthly, MIN)).toEqual([]);
  }, 120_000);

  it("protected as one system (fairload run), nothing is narrowed below the minimum, whatever overlap a reader assumes", async () => {
    const p = await published(ws);
    const r = await attackAcross(p.monthly, p.census, MIN);
    expect(r.feasible).toEqual(["same people", "census within monthly", "monthly within census"]);
    expect(describeFindings(r)).toEqual([]);
    expect(await attack(p.monthly, MIN)).toEqual([]);
    totalsPublished(p, [2024, 2025, 2026]);
    await stepsAgree(ws);
  }, 120_000);
});

/** Other overlaps: each protected apart gave something away (or not), together nothing. */
const OVERLAPS: { name: string; opts: SampleOptions; drop: (role: string, k: number) => boolean; years: number[]; leakedApart: boolean }[] = [
  { name: "nearly the same people: 3 social work assistants in the returns", opts: {}, drop: (role, k) => role === "Social Work Assistant" && k >= 3, years: [2024, 2025, 2026], leakedApart: true },
  { name: "team managers in the census, not in the returns (both sides count people the other does not)", opts: {}, drop: (role) => role === "Team Manager", years: [2024, 2025, 2026], leakedApart: true },
  { name: "a small employer (about 30 workers) without assistants", opts: { seed: 11, teams: [{ service: "Safeguarding and Support", team: "North", size: 12 }, { service: "Safeguarding and Support", team: "South", size: 9 }, { service: "Children in Care", team: "Care", size: 10 }] }, drop: (role) => role === "Social Work Assistant", years: [2024, 2025, 2026], leakedApart: true },
  { name: "the latest month a November: only the Septembers' totals are linked", opts: { endPeriod: "2025-11" }, drop: (role) => role === "Social Work Assistant", years: [2024, 2025], leakedApart: false },
];

describe.each(OVERLAPS)("$name", ({ opts, drop, years, leakedApart }) => {
  it("protected as one system, nothing is narrowed below the minimum", async () => {
    const ws = await scenario(opts, drop);
    const apart = await protectedApart(ws);
    const before = await attackAcross(apart.monthly, apart.census, MIN);
    expect(before.findings.length > 0, describeFindings(before).slice(0, 3).join("; ")).toBe(leakedApart);
    const p = await published(ws);
    const r = await attackAcross(p.monthly, p.census, MIN);
    expect(r.years).toEqual(years);
    expect(r.feasible.length).toBeGreaterThan(0);
    expect(describeFindings(r)).toEqual([]);
    expect(await attack(p.monthly, MIN)).toEqual([]);
    await stepsAgree(ws);
  }, 300_000);
});
