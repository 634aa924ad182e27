/**
 * The public layer's frame: `pub_population`, every count of people a public build may show,
 * with the cells to withhold chosen by pipelines/disclosure.ts. The other public models
 * (pipelines/models/public/*.sql) publish a figure only where the cells it rests on are published
 * here, or where pipelines/disclosure.ts's rule holds for the counts behind it; a public build
 * and every `--public` output read only `pub_*` models.
 *
 * The frame: for every month from the first to the last on record, the headcount of the
 * employer, of every service and of every team that has ever returned (0 in a month it had
 * nobody, withheld like any small cell); and at the latest month, the same by ethnic group.
 *
 * The September of a workforce census year is protected with the census's published headcounts
 * of that year (pipelines/census-public.ts `censusLinks`): both count nearly the same people on the
 * same date, so they are one system of relations.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { periodRange } from "../core/calendar.ts";
import { queryRows } from "../core/db.ts";
import { censusLinks, readCensusCells } from "./census-public.ts";
import { cellKey, type FrameCell, frameRelations, GROUPS, protect } from "./disclosure.ts";
import type { ComputeStep } from "./registry.ts";

const POPULATION_COLUMNS = {
  period: "VARCHAR", level: "VARCHAR", service: "VARCHAR", team: "VARCHAR", group: "VARCHAR",
  workers: "INTEGER", withheld: "BOOLEAN", min_group_size: "INTEGER",
};

/** The frame's cells with their true counts (internal: the public step publishes them protected). */
export async function populationFrame(conn: DuckDBConnection): Promise<FrameCell[]> {
  const counts = await queryRows<{ period: string; service: string; team: string; reporting_group: string; n: bigint }>(
    conn,
    `SELECT period, service, team, reporting_group, count(DISTINCT worker_id) AS n FROM int_worker_month GROUP BY ALL`,
  );
  if (counts.length === 0) return [];
  const periods = [...new Set(counts.map((c) => c.period))].sort();
  const latest = periods.at(-1)!;
  const teams = [...new Set(counts.map((c) => JSON.stringify([c.service, c.team])))].sort().map((k) => JSON.parse(k) as [string, string]);
  const services = [...new Set(teams.map(([s]) => s))].sort();
  const all = new Map<string, number>();
  const add = (c: Omit<FrameCell, "count">, n: number) => {
    const k = cellKey(c);
    all.set(k, (all.get(k) ?? 0) + n);
  };
  // every cell of the grid first, at 0
  for (const period of periodRange(periods[0]!, latest)) {
    const groups = period === latest ? ["All", ...GROUPS] : ["All"];
    for (const group of groups) {
      add({ period, level: "employer", service: null, team: null, group }, 0);
      for (const s of services) add({ period, level: "service", service: s, team: null, group }, 0);
      for (const [s, t] of teams) add({ period, level: "team", service: s, team: t, group }, 0);
    }
  }
  for (const c of counts) {
    const n = Number(c.n);
    const groups = c.period === latest ? ["All", c.reporting_group] : ["All"];
    for (const group of groups) {
      add({ period: c.period, level: "employer", service: null, team: null, group }, n);
      add({ period: c.period, level: "service", service: c.service, team: null, group }, n);
      add({ period: c.period, level: "team", service: c.service, team: c.team, group }, n);
    }
  }
  return [...all].map(([k, count]) => {
    const [period, level, service, team, group] = JSON.parse(k) as [string, FrameCell["level"], string | null, string | null, string];
    return { period, level, service, team, group, count };
  });
}

/** The public layer's frame step (`fairload run`; the audit's public models read it). */
export const publishStep: ComputeStep<unknown, { withheld: number; lps: number }> = {
  name: "publish",
  writtenBy: "run",
  upstream: ["int_worker_month", "mart_census_representation"],
  outputs: [
    {
      name: "pub_population", layer: "public",
      grain: "one row per month, level (employer, service, team), service, team and group ('All' every month; the four ethnic groups at the latest month): workers, or NULL where withheld",
      key: ["period", "level", "service?", "team?", "group"], columns: POPULATION_COLUMNS,
    },
  ],
  async compute({ conn, config }) {
    const cells = await populationFrame(conn);
    const min = config.min_group_size;
    // counts are distinct workers; a worker is in one team in a month (int_worker_month's grain),
    // so teams add up to services and services to the employer; a census year's September is one
    // system with the census's headcounts of that year (the census step protects the same system)
    const links = censusLinks(await readCensusCells(conn, ["representation"]), cells);
    const { withheld, lps } = await protect([...cells, ...links.cells], [...frameRelations(cells), ...links.relations], min, { free: links.free });
    const rows = cells.map((c) => {
      const hidden = withheld.has(cellKey(c));
      return { period: c.period, level: c.level, service: c.service, team: c.team, group: c.group, workers: hidden ? null : c.count, withheld: hidden, min_group_size: min };
    });
    return { tables: { pub_population: rows }, extra: { withheld: rows.filter((r) => r.withheld).length, lps } };
  },
};
