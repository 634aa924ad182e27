/**
 * Seeds: the configuration and reference tables the SQL models read (the configured senior roles
 * and caseload ceilings, the catalogue of monthly measures), and the `exact_sum` macro. Built
 * first by every run, so that the models always see the workspace's current config.
 */
import type { Config } from "../core/config.ts";
import type { ComputeStep } from "./registry.ts";
import { SERIES_MEASURES } from "./measures.ts";

/**
 * Sums of FTE and points in exact decimal arithmetic: a parallel sum of doubles depends on the
 * order rows arrive in, which would make results differ in the last bits between runs (and flip
 * ties in rank tests). Six decimals is finer than any FTE or points value returned.
 */
export const MACROS = [`CREATE OR REPLACE MACRO exact_sum(x) AS CAST(sum(CAST(x AS DECIMAL(18, 6))) AS DOUBLE)`];

export const seedStep: ComputeStep<unknown, void> = {
  name: "seeds",
  writtenBy: "run",
  upstream: [],
  outputs: [
    { name: "cfg_senior_roles", layer: "seed", grain: "one row per role the config counts as senior", key: ["role"], columns: { role: "VARCHAR" } },
    {
      name: "cfg_ceilings", layer: "seed", grain: "one row per configured caseload ceiling (a service, or a team of it)", key: ["service", "team?"],
      columns: { service: "VARCHAR", team: "VARCHAR", caseload_per_fte: "DOUBLE", points_per_fte: "DOUBLE" },
    },
    { name: "cfg_disclosure", layer: "seed", grain: "one row: the minimum group size every published figure rests on (config min_group_size)", key: ["min_group_size"], columns: { min_group_size: "INTEGER" } },
    {
      name: "ref_measures", layer: "seed", grain: "one row per monthly measure of the series engine", key: ["measure"],
      columns: { measure: "VARCHAR", label: "VARCHAR", unit: "VARCHAR", kind: "VARCHAR", scale: "DOUBLE", higher_is: "VARCHAR", points_based: "BOOLEAN", description: "VARCHAR" },
    },
  ],
  async compute(ctx) {
    for (const m of MACROS) await ctx.conn.run(m);
    return { tables: seedTables(ctx.config), extra: undefined };
  },
};

export function seedTables(config: Config): Record<string, readonly object[]> {
  return {
    cfg_senior_roles: config.senior_roles.map((role) => ({ role })),
    // a service-wide ceiling has no team; the key check treats NULL team as "the whole service"
    cfg_ceilings: config.ceilings.map((c) => ({ service: c.service, team: c.team ?? null, caseload_per_fte: c.caseload_per_fte ?? null, points_per_fte: c.points_per_fte ?? null })),
    cfg_disclosure: [{ min_group_size: config.min_group_size }],
    ref_measures: SERIES_MEASURES,
  };
}
