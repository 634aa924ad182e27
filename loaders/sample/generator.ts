/**
 * Deterministic synthetic sample employer ("Northshire Children's Services").
 *
 * Generates every table of the input contract (core/contract.ts, docs/returns.md:
 * staff, worker_month, case_month, team_month, points_scheme, health_check)
 * for a fictitious English children's social work employer, month by month,
 * from a seed. All people, teams and cases are invented; the planted patterns
 * (seasonality, trend, level shift, bias) are returned in `truth` so tests and
 * demos can check that the analytics recover them. See docs/sample-employer.md.
 *
 * Two entry points:
 * - `generateEmployer(opts)` returns all tables as arrays of plain row objects;
 * - `generateEmployerStream(opts)` returns the same rows as per-month chunks
 *   (re-iterable, deterministic), for large employers written straight to CSV
 *   with `writeCsvFolder` (loaders/sample/write.ts).
 *
 * The parts, one idea a module, all in loaders/sample/:
 * - types.ts: public types, and the contract's tables, columns and roles;
 * - options.ts: options validated, defaults filled in;
 * - employer.ts: the employer's services, points schemes and teams;
 * - scheme.ts: points schemes as case-mix distributions, and their tilting;
 * - roles.ts: the posts of a team and what each role holds;
 * - ethnicity.ts: the workforce's ethnic mix and its seniority tilt;
 * - workforce.ts: recruits, leavers, ASYE progression, absence and moves;
 * - demand.ts: seasonality, trend and level shift;
 * - caseload.ts: caseload targets, closures and allocation;
 * - bias.ts: the planted bias;
 * - returns.ts: worker_month, case_month and team_month rows;
 * - health-check.ts: health_check rows;
 * - state.ts: the simulation's state; simulation.ts: the month-by-month run;
 * - truth.ts: the planted facts; numbers.ts, rng.ts: numeric and random helpers.
 */
import { periodOf } from "../../core/calendar.ts";
import { resolveOptions } from "./options.ts";
import { Simulation } from "./simulation.ts";
import { buildTruth } from "./truth.ts";
import { TABLE_NAMES, type Row, type SampleEmployer, type SampleEmployerStream, type SampleMeta, type SampleOptions, type SampleTables } from "./types.ts";

export * from "./types.ts";
export { DEFAULT_SEASONAL_FACTORS, SICKNESS_SEASONAL_FACTORS } from "./demand.ts";
export { DEFAULT_EMPLOYER, DEFAULT_SERVICES } from "./employer.ts";
export { DEFAULT_ETHNIC_MINORITY_SHARE, ETHNICITY_MIX, NATIONAL_ETHNIC_MINORITY_SHARE, ethnicityWeightsBySeniority } from "./ethnicity.ts";
export { HEALTH_CHECK_PROMPT_DRIVERS } from "./health-check.ts";
export { teamPostRoles } from "./roles.ts";
export { casePoints, fitComplexityBias, schemeCells, tiltReach, tiltedDistribution } from "./scheme.ts";
/** Month index and `YYYY-MM` of a month: the calendar's `monthIndex` and `periodOf`, under the generator's older names. */
export { monthIndex as periodIndex, periodOf as periodString } from "../../core/calendar.ts";

/**
 * Streaming generator: the sample employer as per-month row chunks.
 * `chunks()` replays the whole (deterministic) simulation each time it is
 * called; `truth.bias[].workers` and `truth.seniorLikelihoodRatioApplied` are
 * filled in when a pass finishes. Use this (with `writeCsvFolder`) for large
 * employers, e.g. 1,500 workers x 60 months.
 */
export function generateEmployerStream(opts: SampleOptions = {}): SampleEmployerStream {
  const r = resolveOptions(opts);
  const truth = buildTruth(r);
  const meta: SampleMeta = {
    employer: r.employer, seed: r.seed, startPeriod: periodOf(r.start), endPeriod: periodOf(r.start + r.months - 1),
    months: r.months, synthetic: true,
  };
  return {
    meta,
    truth,
    *chunks() {
      const sim = new Simulation(r);
      truth.seniorLikelihoodRatioApplied = sim.seniorApplied;
      yield* sim.run();
      sim.biasScope.counts().forEach((workers, i) => {
        truth.bias[i].workers = workers;
      });
    },
  };
}

/**
 * Generates the whole sample employer in memory: every contract table as an
 * array of row objects, plus the planted facts (`truth`) and `meta`.
 * Deterministic in `opts.seed`. The default (no options) is the demo employer.
 */
export function generateEmployer(opts: SampleOptions = {}): SampleEmployer {
  const stream = generateEmployerStream(opts);
  const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, [] as Row[]])) as SampleTables;
  for (const chunk of stream.chunks()) {
    const target = tables[chunk.table];
    for (const row of chunk.rows) target.push(row);
  }
  return { tables, truth: stream.truth, meta: stream.meta };
}
