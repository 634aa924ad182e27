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
 *   only where the cells it rests on are published here.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { ONS_GROUPS, REPORTING_GROUPS } from "../core/ethnicity.ts";
import { queryRows } from "../core/db.ts";
import { cellKey, type FrameCell, protect, type Relation } from "./disclosure.ts";
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

/**
 * Protect the cells of every frame: the grid (every row seen in a table by every group of the
 * frame, missing cells 0), its relations (the groups add up to All in every row; the rows add up
 * to the total row where everyone is in one row), and `protect`'s withheld set.
 */
export async function protectCensusCells(cells: readonly CensusCell[], min: number): Promise<{ cell: CensusCell; withheld: boolean; published: boolean }[]> {
  const tables = new Map<string, CensusCell[]>();
  // a table: a census frame's year, or an Annex A list (rows are its teams)
  const tableOf = (c: CensusCell) => JSON.stringify(c.team === null ? [c.frame, c.census_year] : [c.frame, c.row]);
  for (const c of cells) tables.set(tableOf(c), [...(tables.get(tableOf(c)) ?? []), c]);
  const grid: { cell: CensusCell; frame: FrameCell; published: boolean }[] = [];
  const relations: Relation[] = [];
  for (const [tk, tcells] of [...tables].sort(([a], [b]) => a.localeCompare(b))) {
    const spec = FRAMES.find((f) => f.frame === tcells[0]!.frame)!;
    const annex = tcells[0]!.team !== null;
    const rowOf = (c: CensusCell) => (annex ? c.team! : c.row);
    const groups = frameGroups(spec.groups, annex);
    const rows = [...new Set(tcells.map(rowOf))].sort();
    const given = new Map(tcells.map((c) => [JSON.stringify([rowOf(c), c.group]), c.count]));
    // the full grid, zero-filled; a table's cells and relations share its own "period", so that
    // each table is checked on its own
    for (const r of rows) {
      for (const g of groups) {
        const count = given.get(JSON.stringify([r, g])) ?? 0;
        const cell: CensusCell = annex
          ? { frame: spec.frame, census_year: null, row: tcells[0]!.row, team: r, group: g, count }
          : { frame: spec.frame, census_year: tcells[0]!.census_year, row: r, team: null, group: g, count };
        grid.push({ cell, frame: { period: tk, level: r === spec.total ? "employer" : "service", service: r, team: null, group: g, count }, published: spec.published });
      }
    }
    const key = (r: string, g: string) => cellKey({ period: tk, level: r === spec.total ? "employer" : "service", service: r, team: null, group: g });
    for (const r of rows) relations.push({ period: tk, parent: key(r, "All"), parts: groups.slice(1).map((g) => key(r, g)) });
    const parts = rows.filter((r) => r !== spec.total);
    let rowsAdd = spec.rowsAdd === true;
    if (spec.rowsAdd === "if exact" && rows.includes(spec.total)) {
      rowsAdd = groups.every((g) => parts.reduce((s, r) => s + (given.get(JSON.stringify([r, g])) ?? 0), 0) === (given.get(JSON.stringify([spec.total, g])) ?? 0));
    }
    if (rowsAdd && rows.includes(spec.total) && parts.length > 0) {
      for (const g of groups) relations.push({ period: tk, parent: key(spec.total, g), parts: parts.map((r) => key(r, g)) });
    }
  }
  if (grid.length === 0) return [];
  const { withheld } = await protect(grid.map((x) => x.frame), relations, min);
  return grid.map((x) => {
    const hidden = withheld.has(cellKey(x.frame));
    return { cell: x.cell, withheld: hidden, published: x.published && !hidden };
  });
}

const CELL_COLUMNS = { frame: "VARCHAR", census_year: "INTEGER", row: "VARCHAR", team: "VARCHAR", group: "VARCHAR", count: "INTEGER", withheld: "BOOLEAN", min_group_size: "INTEGER" };

export const censusPublishStep: ComputeStep<unknown, { withheld: number }> = {
  name: "census_publish",
  writtenBy: "run",
  upstream: ["mart_census_representation", "mart_census_caseload", "mart_census_absence", "mart_census_leavers", "mart_census_pay_gap", "mart_annex_a_complexity"],
  outputs: [
    {
      name: "pub_census_cells", layer: "public" as Layer,
      grain: "one row per census or Annex A table (frame: in post, case holders, employees in post, leavers, earners, annex a workers), census year or list, row (role, reason or list), team and group: whether a public build may show figures resting on it (count: only the in-post headcount, where published)",
      key: ["frame", "census_year?", "row", "team?", "group"], columns: CELL_COLUMNS,
    },
  ],
  async compute({ conn, config }) {
    const cells: CensusCell[] = [];
    for (const f of FRAMES) {
      const rows = await queryRows<{ census_year: number | null; row: string; team: string | null; group: string; n: bigint | number }>(conn, f.sql);
      for (const r of rows) cells.push({ frame: f.frame, census_year: r.census_year === null ? null : Number(r.census_year), row: r.row, team: r.team, group: r.group, count: Number(r.n) });
    }
    const min = config.min_group_size;
    const protectedCells = await protectCensusCells(cells, min);
    const rows = protectedCells.map(({ cell, withheld, published }) => ({ ...cell, count: published ? cell.count : null, withheld, min_group_size: min }));
    return { tables: { pub_census_cells: rows }, extra: { withheld: rows.filter((r) => r.withheld).length } };
  },
};
