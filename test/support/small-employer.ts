/**
 * Simulated employers of other shapes than the demo's five services and 140 posts, written as a
 * folder of CSV returns by the sample generator (loaders/sample/), for the site-shape tests.
 *
 * `fairload sample` offers only --workers and --months, so the shapes are made through the
 * generator's library options (`services`, `teams`), which the CLI does not expose.
 *
 * - {@link SMALL_EMPLOYER}: 2 services, 3 teams, 30 posts (12 months, so the site has a year).
 * - {@link LARGE_EMPLOYER}: the five children's services, 400 posts split into teams of about 12.
 */
import { mkdirSync } from "node:fs";
import { generateEmployerStream, type SampleOptions } from "../../loaders/sample/generator.ts";
import { writeCsvFolder } from "../../loaders/sample/write.ts";

/** A named employer shape: the generator's options. */
export interface EmployerShape {
  name: string;
  options: SampleOptions;
}

/** The months are fixed in the past (not "up to today"), so the data does not change with the date. */
const END = "2026-03";
const AS_OF = "2026-04-30";

/** 2 services, 3 teams, 30 workers (posts): a small employer. */
export const SMALL_EMPLOYER: EmployerShape = {
  name: "small",
  options: {
    seed: 7,
    employer: "Smallbrook Children's Services (synthetic)",
    services: ["Safeguarding and Support", "Children in Care"],
    teams: [
      { service: "Safeguarding and Support", team: "Safeguarding North", size: 11 },
      { service: "Safeguarding and Support", team: "Safeguarding South", size: 9 },
      { service: "Children in Care", team: "Children in Care", size: 10 },
    ],
    months: 24,
    endPeriod: END,
    asOf: AS_OF,
    // no planted bias: an employer this small shows what the audit says when it cannot tell
    bias: [],
  },
};

/** The five children's services, 400 posts: a large employer (about 33 teams). */
export const LARGE_EMPLOYER: EmployerShape = {
  name: "large",
  options: { seed: 11, employer: "Largeshire Children's Services (synthetic)", workers: 400, teamsPerService: { "First Response": 6, "Safeguarding and Support": 10, "Children in Care": 8, "Leaving Care": 4, "Fostering and Adoption": 5 }, months: 24, endPeriod: END, asOf: AS_OF },
};

/** Write the shape's returns as CSVs into `dir`; returns `dir`. */
export async function writeEmployer(shape: EmployerShape, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await writeCsvFolder(generateEmployerStream(shape.options), dir);
  return dir;
}
