/**
 * The simulation's state: services, teams, posts, workers and the cases they hold, and the
 * per-team monthly summaries the team-month returns and health checks are drawn from.
 */
import type { EthGroup } from "./ethnicity.ts";
import type { RoleClass } from "./roles.ts";
import { meanPoints, schemeCells, type SchemeCell } from "./scheme.ts";
import type { Role, ServiceSpec, TeamSpec } from "./types.ts";

export interface Case {
  /** index of the case's (type, complexity) cell in the service's scheme cells */
  cell: number;
  ref: string;
  typeIdx: number;
  complexity: number;
  showComplexity: boolean;
  points: number;
  allocatedOn: string;
}

export interface ServiceState {
  spec: ServiceSpec;
  cells: SchemeCell[];
  mean: number;
  hazard: number;
}

export interface TeamState {
  idx: number;
  spec: TeamSpec;
  service: ServiceState;
  posts: Post[];
  pool: Case[];
  /** combined complexity bias applied to the team's ethnic-minority workers (after any clamp to the scheme's reach) */
  biasCx: number;
  biasLoad: number;
  /** the complexity bias in force from each month (from the start; -Infinity = always) */
  biasSteps: { from: number; factor: number }[];
  /** band for role factor x personal complexity effect that leaves room for the team's complexity bias */
  cxBand: { lo: number; hi: number };
  effect: number;
  history: TeamMonthSummary[];
  leaversThisMonth: number;
}

export interface Post {
  team: TeamState;
  roleClass: RoleClass;
  fte: number;
  holder: Worker | null;
  nextStart: number;
  nextAgency: boolean;
}

export interface Worker {
  id: string;
  post: Post;
  role: Role;
  employment: "permanent" | "agency";
  group: EthGroup;
  asyeMonths: number;
  /** year of qualifying (null for assistants) */
  qualifiedYear: number | null;
  tenure: number;
  personalLoad: number;
  personalCx: number;
  cases: Case[];
  lta: "sick" | "maternity" | null;
  ltaLeft: number;
  female: boolean;
  toil: number;
  student: boolean;
  /** the worker's intended case mix (tilted cell probabilities), its cumulative form and its expected points ratio */
  probs: Float64Array | null;
  cdf: Float64Array | null;
  intendedRatio: number;
  cdfKey: string;
  extraSupervision: boolean;
}

export interface TeamMonthSummary {
  caseloadPerFte: number;
  agreed: number;
  overAgreed: number;
  vacancyFte: number;
  agencyFte: number;
  ltaFte: number;
  establishment: number;
  supPlanned: number;
  supHeld: number;
  sickDays: number;
  fteSum: number;
  reviews: number;
  unallocated: number;
  toilMean: number;
  asye: number;
  students: number;
}

/** A service's state: its case-mix cells, mean points per case and monthly closure hazard. */
export function serviceState(spec: ServiceSpec): ServiceState {
  const cells = schemeCells(spec);
  return { spec, cells, mean: meanPoints(cells, cells.map((c) => c.p)), hazard: 1 / spec.meanCaseMonths };
}

/** The workers holding a team's posts, in post order. */
export function teamWorkers(team: TeamState): Worker[] {
  return team.posts.map((p) => p.holder).filter((w): w is Worker => w !== null);
}

/** Moves all of a worker's cases to the team's reallocation pool. */
export function releaseCases(w: Worker): void {
  for (const c of w.cases) w.post.team.pool.push(c);
  w.cases = [];
}
