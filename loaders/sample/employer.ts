/**
 * The employer's structure: its services with their points schemes, and its teams with their
 * establishment (built-in reference data, synthetic, documented in docs/sample-employer.md,
 * and how options choose and size them).
 */
import { apportion } from "./numbers.ts";
import type { Row, SampleOptions, ServiceSpec, TeamSpec } from "./types.ts";

/** The default demo employer's name. */
export const DEFAULT_EMPLOYER = "Northshire Children's Services (synthetic)";

/** Built-in services and their points schemes. Fostering and Adoption runs a bespoke 10-100 scale. */
export const DEFAULT_SERVICES: readonly ServiceSpec[] = [
  {
    name: "First Response", caseloadPerFte: 14, meanCaseMonths: 2.2, referralsPerFte: 5.5,
    teamNames: ["Front Door and MASH", "Assessment Team North", "Assessment Team South", "Assessment Team East", "Assessment Team West"],
    caseTypes: [
      { caseType: "Assessment", points: 4, complexity: 2, weight: 0.55 },
      { caseType: "Child in Need", points: 5, complexity: 2, weight: 0.15 },
      { caseType: "Child Protection", points: 8, complexity: 3, weight: 0.19 },
      { caseType: "Private Fostering", points: 5, complexity: 3, weight: 0.03 },
      { caseType: "Court Proceedings", points: 12, complexity: 4, weight: 0.04 },
    ],
  },
  {
    name: "Safeguarding and Support", caseloadPerFte: 15.5, meanCaseMonths: 9, referralsPerFte: 1.4,
    teamNames: ["Family Safeguarding North", "Family Safeguarding South", "Family Safeguarding East, Coast", "Family Safeguarding West", "Family Safeguarding Central"],
    caseTypes: [
      { caseType: "Child in Need", points: 5, complexity: 2, weight: 0.42 },
      { caseType: "Child Protection", points: 8, complexity: 3, weight: 0.33 },
      { caseType: "Court Proceedings", points: 12, complexity: 4, weight: 0.14 },
      { caseType: "Assessment", points: 4, complexity: 2, weight: 0.07 },
      { caseType: "Private Fostering", points: 5, complexity: 3, weight: 0.04 },
    ],
  },
  {
    name: "Children in Care", caseloadPerFte: 14, meanCaseMonths: 16, referralsPerFte: 0.5,
    teamNames: ["Children in Care (City)", "Children in Care (County)", "Children in Care (Permanence)", "Children in Care (Disabled Children)"],
    caseTypes: [
      { caseType: "Looked After", points: 6, complexity: 3, weight: 0.66 },
      { caseType: "Looked After (Residential)", points: 8, complexity: 4, weight: 0.12 },
      { caseType: "Court Proceedings", points: 11, complexity: 4, weight: 0.14 },
      { caseType: "Child in Need", points: 5, complexity: 2, weight: 0.05 },
      { caseType: "Private Fostering", points: 5, complexity: 3, weight: 0.03 },
    ],
  },
  {
    name: "Leaving Care", caseloadPerFte: 19, meanCaseMonths: 22, referralsPerFte: 0.45,
    teamNames: ["Leaving Care (16-21)", "Leaving Care (21-25)", "Leaving Care (Staying Put)", "Leaving Care (Unaccompanied)"],
    caseTypes: [
      { caseType: "Care Leaver", points: 4, complexity: 2, weight: 0.6 },
      { caseType: "Care Leaver (21-25)", points: 2, complexity: 1, weight: 0.18 },
      { caseType: "Looked After", points: 6, complexity: 3, weight: 0.17 },
      { caseType: "Care Leaver (High Need)", points: 8, complexity: 4, weight: 0.05 },
    ],
  },
  {
    name: "Fostering and Adoption", caseloadPerFte: 9, meanCaseMonths: 9, referralsPerFte: 1.0,
    teamNames: ["Fostering Assessment and Support", "Kinship and Adoption", "Fostering Recruitment", "Adoption Support"],
    caseTypes: [
      { caseType: "Mainstream Foster Carer", points: 30, complexity: 2, weight: 0.32 },
      { caseType: "Connected Carer Assessment", points: 60, complexity: 4, weight: 0.18 },
      { caseType: "Foster Carer Assessment", points: 50, complexity: 3, weight: 0.12 },
      { caseType: "Adoption Assessment", points: 55, complexity: 3, weight: 0.1 },
      { caseType: "Special Guardianship Assessment", points: 70, complexity: 4, weight: 0.1 },
      { caseType: "Adoption Support", points: 20, complexity: 2, weight: 0.12 },
      { caseType: "Connected Carer Support", points: 25, complexity: 2, weight: 0.06 },
    ],
  },
];

/**
 * Default establishment: 12 teams, 143 posts. The first Safeguarding and Support team
 * (Family Safeguarding North, 24 posts) carries the demo's planted bias: it is the largest
 * team, so that enough ethnic-minority workers pass through it in a 12-month window for an
 * audit to test it.
 */
const DEFAULT_TEAM_SIZES: Readonly<Record<string, number[]>> = {
  "First Response": [12, 11, 10],
  "Safeguarding and Support": [24, 14, 13],
  "Children in Care": [13, 12],
  "Leaving Care": [10, 9],
  "Fostering and Adoption": [8, 7],
};

const DEFAULT_WORKERS = Object.values(DEFAULT_TEAM_SIZES).flat().reduce((a, b) => a + b, 0);

/** Resolves a service given by name or spec. */
export function resolveService(s: string | ServiceSpec): ServiceSpec {
  if (typeof s !== "string") {
    if (!s.caseTypes?.length) throw new Error(`service "${s.name}" needs at least one case type`);
    for (const t of s.caseTypes) {
      if (!(t.points >= 0) || !(t.complexity >= 1 && t.complexity <= 5) || !(t.weight > 0)) {
        throw new Error(`service "${s.name}": case type "${t.caseType}" needs points >= 0, complexity 1-5 and weight > 0`);
      }
    }
    return s;
  }
  const found = DEFAULT_SERVICES.find((d) => d.name === s);
  if (!found) throw new Error(`unknown service "${s}": give a ServiceSpec or one of ${DEFAULT_SERVICES.map((d) => d.name).join(", ")}`);
  return found;
}

/** Team names for `count` teams of a service. */
function teamNamesFor(spec: ServiceSpec, count: number): string[] {
  const names = spec.teamNames ?? [];
  return Array.from({ length: count }, (_, k) => names[k] ?? `${spec.name} Team ${k + 1}`);
}

/** Establishment (team list with sizes) from options. */
export function resolveTeams(opts: SampleOptions, services: ServiceSpec[]): TeamSpec[] {
  if (opts.teams) {
    const seen = new Set<string>();
    for (const t of opts.teams) {
      if (!services.some((s) => s.name === t.service)) throw new Error(`team "${t.team}": unknown service "${t.service}"`);
      if (!(Number.isInteger(t.size) && t.size >= 2)) throw new Error(`team "${t.team}": size must be an integer >= 2`);
      const key = `${t.service}\u0000${t.team}`;
      if (seen.has(key)) throw new Error(`team "${t.team}" appears twice in service "${t.service}"`);
      seen.add(key);
    }
    return opts.teams.map((t) => ({ ...t }));
  }
  const workers = opts.workers ?? DEFAULT_WORKERS;
  if (!(Number.isInteger(workers) && workers >= 2 * services.length)) throw new Error(`workers must be an integer >= ${2 * services.length}`);
  const defaultTotal = (s: ServiceSpec) => (DEFAULT_TEAM_SIZES[s.name] ?? [12, 12]).reduce((a, b) => a + b, 0);
  const serviceSizes = apportion(workers, services.map(defaultTotal));
  const teams: TeamSpec[] = [];
  services.forEach((s, i) => {
    const tps = opts.teamsPerService;
    let count: number;
    if (typeof tps === "number") count = tps;
    else if (tps && tps[s.name] !== undefined) count = tps[s.name];
    else if (!tps && workers <= 220) count = (DEFAULT_TEAM_SIZES[s.name] ?? [12, 12]).length;
    else count = Math.max(1, Math.round(serviceSizes[i] / 12));
    count = Math.max(1, Math.min(count, Math.floor(serviceSizes[i] / 2)));
    const pattern = DEFAULT_TEAM_SIZES[s.name] && DEFAULT_TEAM_SIZES[s.name].length === count
      ? DEFAULT_TEAM_SIZES[s.name]
      : Array.from({ length: count }, (_, k) => [1.15, 1.0, 0.92, 1.05, 0.95][k % 5]);
    const sizes = apportion(serviceSizes[i], pattern);
    teamNamesFor(s, count).forEach((name, k) => teams.push({ service: s.name, team: name, size: sizes[k] }));
  });
  return teams;
}

/** The points_scheme rows of the services: one per service and case type. */
export function pointsSchemeRows(services: readonly ServiceSpec[]): Row[] {
  const rows: Row[] = [];
  for (const s of services) {
    for (const t of s.caseTypes) rows.push({ service: s.name, case_type: t.caseType, points: t.points, complexity: t.complexity });
  }
  return rows;
}
