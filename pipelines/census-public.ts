/**
 * The workforce census and Annex A analysis (docs/census-and-annex-a.md, "Analysis"): the two
 * small compute steps around its SQL models.
 *
 * - `census_reference` (seed layer, `fairload run`): the config's reference group
 *   (`cfg_census_reference`) and England's in-post shares by role and ethnic group from the DfE
 *   tables (`ref_dfe_role_ethnicity`, empty when they are not loaded), which the census marts read.
 * - `census_publish` (public layer, `fairload run`): `pub_census_cells`, which cells of the census
 *   and Annex A marts a public build may show. Each mart is a table of counts of people by row
 *   (role, reason for leaving, or team) and ethnic group, with totals both ways; pipelines/
 *   disclosure.ts's `protect` withholds every cell under `min_group_size` (zero included) and then
 *   more cells, until no withheld cell, and no sum of withheld cells in a relation, can be worked
 *   out from the published ones or narrowed to fewer than the minimum (checked by linear
 *   programming). The relations are those a reader knows: the groups add up to All in every row,
 *   and the rows add up to the total row where every person is in one row (roles in a census year,
 *   reasons for leaving; the teams of an Annex A list only where the data show that no worker is
 *   in two). A frame is by reporting group or by ONS broad group (representation, to set beside the
 *   DfE's national figures), never both. The pub_census_* and pub_annex_a_* models publish a figure
 *   only where the cells it rests on are published here. The representation of a census year
 *   whose September the monthly returns cover is protected with that month's published
 *   workforce (pub_population) as one system ({@link censusLinks}): both count nearly the same
 *   people on the same date.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { ETHNICITY_CODES, ONS_GROUPS, REPORTING_GROUPS } from "../core/ethnicity.ts";
import { queryRows } from "../core/db.ts";
import { cellKey, type FrameCell, frameRelations, GROUPS, protect, type Relation } from "./disclosure.ts";
import type { ComputeStep, Layer } from "./registry.ts";

/** The DfE's names for the ONS broad groups (dfe_role_ethnicity's `breakdown`). */
const DFE_GROUP: Record<string, string> = {
  White: "White",
  "Mixed / Multiple ethnic groups": "Mixed or Multiple",
  "Asian / Asian British": "Asian or Asian British",
  "Black / African / Caribbean / Black British": "Black, Black British, Caribbean or African",
  "Other ethnic group": "Other ethnic group",
  "Not known": "Not known",
};

export const censusReferenceStep: ComputeStep<unknown, void> = {
  name: "census_reference",
  writtenBy: "run",
  upstream: ["dfe_role_ethnicity"],
  outputs: [
    { name: "cfg_census_reference", layer: "seed" as Layer, grain: "one row: the reference group the census and Annex A figures are set against (config reference_group)", key: ["reference_group"], columns: { reference_group: "VARCHAR" } },
    {
      name: "ref_dfe_role_ethnicity", layer: "seed" as Layer,
      grain: "one row per DfE census year, role ('All roles') and ethnic group (ONS broad groups and Not known): England's workers in post, the group's share as the DfE publishes it (of known ethnicity; Not known of all) and its share of all",
      key: ["year", "role", "group"], columns: { year: "INTEGER", role: "VARCHAR", group: "VARCHAR", headcount: "BIGINT", share: "DOUBLE", share_of_all: "DOUBLE" },
    },
  ],
  async compute({ conn, config }) {
    return { tables: { cfg_census_reference: [{ reference_group: config.reference_group }], ref_dfe_role_ethnicity: await englandShares(conn) }, extra: undefined };
  },
};

/**
 * England's in-post headcount by role and group, with the group's share as the DfE publishes it
 * (of workers whose ethnicity is known; Not known of all) and its share of all workers in post
 * (headcount over the role's total).
 */
async function englandShares(conn: DuckDBConnection): Promise<object[]> {
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'dfe_role_ethnicity'`);
  if (Number(n) === 0) return [];
  const rows = await queryRows<{ year: number; role: string; breakdown: string; headcount: bigint | null; pct: number | null; total: bigint | null }>(
    conn,
    `SELECT CAST(d.time_period AS INTEGER) AS year, d.role, d.breakdown, d.inpost_headcount AS headcount, CAST(d.inpost_headcount_percentage AS DOUBLE) AS pct, t.inpost_headcount AS total
     FROM dfe_role_ethnicity d
     LEFT JOIN dfe_role_ethnicity t ON t.time_period = d.time_period AND t.role = d.role AND t.geographic_level = 'National' AND t.breakdown_topic = 'Ethnicity major' AND t.breakdown = 'Total'
     WHERE d.geographic_level = 'National' AND d.breakdown_topic = 'Ethnicity major' ORDER BY 1, 2, 3`,
  );
  return rows.flatMap((r) => {
    const group = DFE_GROUP[r.breakdown];
    if (!group) return [];
    const headcount = r.headcount === null ? null : Number(r.headcount);
    const total = r.total === null ? null : Number(r.total);
    return [{ year: r.year, role: r.role === "Total" ? "All roles" : r.role, group, headcount, share: r.pct === null ? null : r.pct / 100, share_of_all: headcount !== null && total ? headcount / total : null }];
  });
}

/** One count of people in a census or Annex A table (before protection). */
export interface CensusCell {
  frame: string;
  census_year: number | null;
  /** Role, reason for leaving, or Annex A list. */
  row: string;
  /** Annex A team ('All teams'); null for the census frames. */
  team: string | null;
  group: string;
  count: number;
}

/**
 * The frames, each a query of (census_year, row, team, group, count) from a mart: which groups
 * it is published by (the reporting groups, or the ONS broad groups that the DfE's national
 * figures use: never both in one frame, so that White = White British + White minorities and
 * Ethnic minorities = the four minority broad groups cannot link a published cell to a withheld
 * one), its total row, whether the rows add up to it, and whether its counts are published (the
 * others only decide what is withheld).
 */
const FRAMES: { frame: string; groups: "reporting" | "ons"; total: string; sql: string; published: boolean; rowsAdd: boolean | "if exact" }[] = [
  { frame: "representation", groups: "ons", total: "All roles", published: true, rowsAdd: true, sql: `SELECT census_year, role AS row, NULL AS team, "group", headcount AS n FROM mart_census_representation` },
  { frame: "in post", groups: "reporting", total: "All roles", published: false, rowsAdd: true, sql: `SELECT census_year, role AS row, NULL AS team, "group", headcount AS n FROM mart_census_representation` },
  { frame: "case holders", groups: "reporting", total: "All roles", published: false, rowsAdd: true, sql: `SELECT census_year, role AS row, NULL AS team, "group", case_holders AS n FROM mart_census_caseload` },
  { frame: "employees in post", groups: "reporting", total: "All roles", published: false, rowsAdd: true, sql: `SELECT census_year, 'All roles' AS row, NULL AS team, "group", employees AS n FROM mart_census_absence` },
  { frame: "leavers", groups: "reporting", total: "All reasons", published: false, rowsAdd: true, sql: `SELECT census_year, reason AS row, NULL AS team, "group", leavers AS n FROM mart_census_leavers` },
  { frame: "earners", groups: "reporting", total: "All roles", published: false, rowsAdd: true, sql: `SELECT census_year, role AS row, NULL AS team, "group", earners AS n FROM mart_census_pay_gap` },
  { frame: "annex a workers", groups: "reporting", total: "All teams", published: false, rowsAdd: "if exact", sql: `SELECT NULL AS census_year, list AS row, team, "group", workers AS n FROM mart_annex_a_complexity` },
];

/** The groups of a frame, 'All' first ('Not mapped': Annex A workers the worker key map does not name). */
export function frameGroups(kind: "reporting" | "ons", annex: boolean): string[] {
  return ["All", ...(kind === "reporting" ? REPORTING_GROUPS : ONS_GROUPS), ...(annex ? ["Not mapped"] : [])];
}

/** A cell of a census or Annex A table in the grid protected, with its key for pipelines/disclosure.ts. */
interface GridCell {
  cell: CensusCell;
  frame: FrameCell;
  published: boolean;
}

/** A table: a census frame's year, or an Annex A list (its rows are its teams). */
const tableOf = (c: CensusCell) => JSON.stringify(c.team === null ? [c.frame, c.census_year] : [c.frame, c.row]);

/** The cells of every table, tables in a fixed order. */
function censusTables(cells: readonly CensusCell[]): [string, CensusCell[]][] {
  const tables = new Map<string, CensusCell[]>();
  for (const c of cells) tables.set(tableOf(c), [...(tables.get(tableOf(c)) ?? []), c]);
  return [...tables].sort(([a], [b]) => a.localeCompare(b));
}

/** The key of a cell of table `tk` (its row, its group). */
const tableKey = (tk: string, total: string, r: string, g: string) => cellKey({ period: tk, level: r === total ? "employer" : "service", service: r, team: null, group: g });

/**
 * One table's grid (every row seen in it by every group of its frame, missing cells 0) and its
 * relations (the groups add up to All in every row; the rows add up to the total row where
 * everyone is in one row), the relations under `period`: the table's own key, so that it is
 * checked on its own, or the month it is linked to ({@link censusLinks}).
 */
function censusTable(tk: string, tcells: readonly CensusCell[], period: string): { grid: GridCell[]; relations: Relation[] } {
  const spec = FRAMES.find((f) => f.frame === tcells[0]!.frame)!;
  const annex = tcells[0]!.team !== null;
  const rowOf = (c: CensusCell) => (annex ? c.team! : c.row);
  const groups = frameGroups(spec.groups, annex);
  const rows = [...new Set(tcells.map(rowOf))].sort();
  const given = new Map(tcells.map((c) => [JSON.stringify([rowOf(c), c.group]), c.count]));
  const grid: GridCell[] = [];
  const relations: Relation[] = [];
  for (const r of rows) {
    for (const g of groups) {
      const count = given.get(JSON.stringify([r, g])) ?? 0;
      const cell: CensusCell = annex
        ? { frame: spec.frame, census_year: null, row: tcells[0]!.row, team: r, group: g, count }
        : { frame: spec.frame, census_year: tcells[0]!.census_year, row: r, team: null, group: g, count };
      grid.push({ cell, frame: { period: tk, level: r === spec.total ? "employer" : "service", service: r, team: null, group: g, count }, published: spec.published });
    }
  }
  const key = (r: string, g: string) => tableKey(tk, spec.total, r, g);
  for (const r of rows) relations.push({ period, parent: key(r, "All"), parts: groups.slice(1).map((g) => key(r, g)) });
  const parts = rows.filter((r) => r !== spec.total);
  let rowsAdd = spec.rowsAdd === true;
  if (spec.rowsAdd === "if exact" && rows.includes(spec.total)) {
    rowsAdd = groups.every((g) => parts.reduce((s, r) => s + (given.get(JSON.stringify([r, g])) ?? 0), 0) === (given.get(JSON.stringify([spec.total, g])) ?? 0));
  }
  if (rowsAdd && rows.includes(spec.total) && parts.length > 0) {
    for (const g of groups) relations.push({ period, parent: key(spec.total, g), parts: parts.map((r) => key(r, g)) });
  }
  return { grid, relations };
}

/**
 * Which of the monthly frame's groups (the reporting groups) count the same people as which of
 * the census representation's (the ONS broad groups): the two groups of every ethnicity code,
 * joined where they share one (White British and White minorities are both White; Ethnic
 * minorities are the four minority broad groups; Not known is Not known).
 */
export function groupLinks(): { monthly: string[]; census: string[] }[] {
  let links: { monthly: Set<string>; census: Set<string> }[] = [];
  for (const c of ETHNICITY_CODES) {
    const hit = links.filter((l) => l.monthly.has(c.reporting_group) || l.census.has(c.ons_group));
    links = [...links.filter((l) => !hit.includes(l)), { monthly: new Set([c.reporting_group, ...hit.flatMap((l) => [...l.monthly])]), census: new Set([c.ons_group, ...hit.flatMap((l) => [...l.census])]) }];
  }
  return links.map((l) => ({ monthly: GROUPS.filter((g) => l.monthly.has(g)), census: ONS_GROUPS.filter((g) => l.census.has(g)) }));
}

/** The census representation table and the monthly frame's month it is linked to, as one system. */
export interface CensusLinks {
  /** The months linked: September of every census year the monthly frame covers. */
  periods: Set<string>;
  /** The linked tables' cells (the census representation of those years). */
  grid: GridCell[];
  /** Every cell to add to the monthly frame's: the linked tables' and the free cells. */
  cells: FrameCell[];
  /** The linked tables' relations and the links, each under its month. */
  relations: Relation[];
  /** Keys of the free cells: the people one source counts and the other does not, by link. */
  free: string[];
}

/**
 * The workforce census's workers in post at 30 September (census representation, published by
 * role and ONS broad group) and the monthly frame's workforce of September (pub_population: the
 * employer, services and teams, by group at the latest month) count nearly the same people on the
 * same date: both count agency workers and people, not FTE; the census has every registered
 * social worker's role and the monthly returns whoever the employer returns (social work
 * assistants too; perhaps not its senior managers); the census's ethnic group is its own return's.
 * A reader who sets the published counts of one against the other can narrow a withheld cell, so
 * each census year whose September the monthly frame covers is protected in that month's system:
 * its representation table's relations move to the month, and for each link (all workers; and at
 * the latest month, where the frame has groups, White = White British + White minorities, the four
 * minority broad groups = Ethnic minorities, Not known = Not known) one relation says that the
 * larger side is the smaller plus a free cell, the number of people of the link the one source
 * counts and the other does not (at least 0, never published). The side that is larger is the
 * true one, and where both sides are published the free cell's value is known to a reader anyway;
 * where the sources count the same people (no social work assistants in the returns), the free
 * cells are 0 and the relations are equalities.
 */
export function censusLinks(cells: readonly CensusCell[], monthly: readonly FrameCell[]): CensusLinks {
  const monthlyCount = new Map(monthly.map((c) => [cellKey(c), c.count]));
  const monthPeriods = new Set(monthly.map((c) => c.period));
  const out: CensusLinks = { periods: new Set(), grid: [], cells: [], relations: [], free: [] };
  const links: Relation[] = [];
  const spec = FRAMES.find((f) => f.frame === "representation")!;
  for (const [tk, tcells] of censusTables(cells.filter((c) => c.frame === spec.frame))) {
    const year = tcells[0]!.census_year;
    const period = `${year}-09`;
    if (year === null || !monthPeriods.has(period) || !tcells.some((c) => c.row === spec.total)) continue;
    out.periods.add(period);
    const table = censusTable(tk, tcells, period);
    out.grid.push(...table.grid);
    out.cells.push(...table.grid.map((g) => g.frame));
    out.relations.push(...table.relations);
    const censusCount = new Map(table.grid.map((g) => [cellKey(g.frame), g.frame.count]));
    const m = (g: string) => cellKey({ period, level: "employer", service: null, team: null, group: g });
    const c = (g: string) => tableKey(tk, spec.total, spec.total, g);
    const sides = [{ monthly: ["All"], census: ["All"] }, ...(GROUPS.every((g) => monthlyCount.has(m(g))) ? groupLinks() : [])];
    for (const l of sides) {
      const a = l.monthly.map(m);
      const b = l.census.map(c);
      const d = a.reduce((s, k) => s + monthlyCount.get(k)!, 0) - b.reduce((s, k) => s + censusCount.get(k)!, 0);
      const free: FrameCell = { period: JSON.stringify(["census link", year]), level: "employer", service: null, team: null, group: l.census.join(" + "), count: Math.abs(d) };
      out.cells.push(free);
      out.free.push(cellKey(free));
      // the larger side = the smaller + the free cell, with one parent: a side of several groups
      // is its total less the other groups (the groups add up to All on both sides)
      const [big, small, total, all] = d >= 0 ? [a, b, m("All"), GROUPS.map(m)] : [b, a, c("All"), ONS_GROUPS.map(c)];
      if (big.length === 1) links.push({ period, parent: big[0]!, parts: [...small, cellKey(free)] });
      else links.push({ period, parent: total, parts: [...all.filter((k) => !big.includes(k)), ...small, cellKey(free)] });
    }
  }
  out.relations.push(...links);
  return out;
}

/**
 * Protect the cells of every frame: each table's grid and relations ({@link censusTable}) and
 * `protect`'s withheld set. Given the monthly frame (pipelines/public.ts `populationFrame`), the
 * census representation of every year whose September it covers is protected in that month's
 * system with the monthly frame's cells ({@link censusLinks}): the same system, relations in the
 * same order, as the publish step's, so the same cells are withheld (`monthlyWithheld`: those of
 * the monthly frame, which pub_population withholds).
 */
export async function protectCensusCells(cells: readonly CensusCell[], min: number, monthly: readonly FrameCell[] = []): Promise<{ cells: { cell: CensusCell; withheld: boolean; published: boolean }[]; monthlyWithheld: Set<string> }> {
  const links = censusLinks(cells, monthly);
  const linkedMonthly = monthly.filter((c) => links.periods.has(c.period));
  const linked = new Map<string, GridCell[]>();
  for (const g of links.grid) linked.set(g.frame.period, [...(linked.get(g.frame.period) ?? []), g]);
  const grid: GridCell[] = [];
  const own: FrameCell[] = [];
  const relations: Relation[] = [];
  for (const [tk, tcells] of censusTables(cells)) {
    if (linked.has(tk)) {
      grid.push(...linked.get(tk)!);
      continue;
    }
    const table = censusTable(tk, tcells, tk);
    grid.push(...table.grid);
    own.push(...table.grid.map((g) => g.frame));
    relations.push(...table.relations);
  }
  if (grid.length === 0) return { cells: [], monthlyWithheld: new Set() };
  // the tables on their own, then the linked months: their relations in the publish step's order
  const { withheld } = await protect([...own, ...linkedMonthly, ...links.cells], [...relations, ...frameRelations(linkedMonthly), ...links.relations], min, { free: links.free });
  return {
    cells: grid.map((x) => {
      const hidden = withheld.has(cellKey(x.frame));
      return { cell: x.cell, withheld: hidden, published: x.published && !hidden };
    }),
    monthlyWithheld: new Set(linkedMonthly.map(cellKey).filter((k) => withheld.has(k))),
  };
}

/** Every frame's counts (or those of the frames named), from the census and Annex A marts (none where the marts are not built). */
export async function readCensusCells(conn: DuckDBConnection, frames?: readonly string[]): Promise<CensusCell[]> {
  const built = new Set((await queryRows<{ name: string }>(conn, `SELECT table_name AS name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()`)).map((r) => r.name));
  const cells: CensusCell[] = [];
  for (const f of FRAMES) {
    if ((frames && !frames.includes(f.frame)) || !built.has(/\bFROM (\w+)/.exec(f.sql)![1]!)) continue;
    const rows = await queryRows<{ census_year: number | null; row: string; team: string | null; group: string; n: bigint | number }>(conn, f.sql);
    for (const r of rows) cells.push({ frame: f.frame, census_year: r.census_year === null ? null : Number(r.census_year), row: r.row, team: r.team, group: r.group, count: Number(r.n) });
  }
  return cells;
}

const CELL_COLUMNS = { frame: "VARCHAR", census_year: "INTEGER", row: "VARCHAR", team: "VARCHAR", group: "VARCHAR", count: "INTEGER", withheld: "BOOLEAN", min_group_size: "INTEGER" };

export const censusPublishStep: ComputeStep<unknown, { withheld: number }> = {
  name: "census_publish",
  writtenBy: "run",
  upstream: ["mart_census_representation", "mart_census_caseload", "mart_census_absence", "mart_census_leavers", "mart_census_pay_gap", "mart_annex_a_complexity", "int_worker_month"],
  outputs: [
    {
      name: "pub_census_cells", layer: "public" as Layer,
      grain: "one row per census or Annex A table (frame: in post, case holders, employees in post, leavers, earners, annex a workers), census year or list, row (role, reason or list), team and group: whether a public build may show figures resting on it (count: only the in-post headcount, where published)",
      key: ["frame", "census_year?", "row", "team?", "group"], columns: CELL_COLUMNS,
    },
  ],
  async compute({ conn, config }) {
    const cells = await readCensusCells(conn);
    const min = config.min_group_size;
    // the monthly frame, for the Septembers linked to a census year (imported on call: pipelines/
    // public.ts imports this module)
    const { populationFrame } = await import("./public.ts");
    const years = new Set(cells.filter((c) => c.frame === "representation").map((c) => `${c.census_year}-09`));
    const monthly = (await populationFrame(conn)).filter((c) => years.has(c.period));
    const protectedCells = (await protectCensusCells(cells, min, monthly)).cells;
    const rows = protectedCells.map(({ cell, withheld, published }) => ({ ...cell, count: published ? cell.count : null, withheld, min_group_size: min }));
    return { tables: { pub_census_cells: rows }, extra: { withheld: rows.filter((r) => r.withheld).length } };
  },
};
