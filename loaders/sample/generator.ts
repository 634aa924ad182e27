/**
 * Deterministic synthetic sample employer ("Northshire Children's Services").
 *
 * Generates every table of the input contract (/work/shared/spec/returns.md:
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
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { Rng, permute28 } from "./rng.ts";

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/** A cell of a contract table: text, number, boolean, or null for an empty cell. */
export type Cell = string | number | boolean | null;
/** One row of a contract table: contract column name -> value. */
export type Row = Record<string, Cell>;
/** The six contract tables. */
export type TableName = "staff" | "worker_month" | "case_month" | "team_month" | "points_scheme" | "health_check";
/** All tables of a generated employer, keyed by contract table name. */
export type SampleTables = Record<TableName, Row[]> & Record<string, Row[]>;

/** Contract table names, in the order the generator emits them. */
export const TABLE_NAMES: readonly TableName[] = ["points_scheme", "staff", "worker_month", "case_month", "team_month", "health_check"];

/** Contract column names of each table, in contract order (returns.md). */
export const TABLE_COLUMNS: Readonly<Record<TableName, readonly string[]>> = {
  staff: ["worker_id", "ethnicity", "gender", "qualified_year"],
  worker_month: [
    "period", "worker_id", "service", "team", "role", "fte", "employment", "non_case_points",
    "supervision_planned", "supervision_held", "sickness_days", "toil_hours", "review_requested",
  ],
  case_month: ["period", "worker_id", "case_ref", "case_type", "points", "complexity", "allocated_on"],
  team_month: [
    "period", "service", "team", "establishment_fte", "vacant_fte", "agency_fte", "long_term_absence_fte",
    "leavers", "referrals", "re_referrals", "unallocated_cases",
  ],
  points_scheme: ["service", "case_type", "points", "complexity"],
  health_check: ["check_date", "service", "team", "prompt", "rating", "notes", "disagreement", "next_step"],
};

/** Roles of the contract's default role list. */
export type Role = "ASYE" | "Social Worker" | "Senior Practitioner" | "Advanced Practitioner" | "Team Manager" | "Social Work Assistant";
/** Roles counted as senior for `seniorLikelihoodRatio`. */
export const SENIOR_ROLES: readonly Role[] = ["Senior Practitioner", "Advanced Practitioner", "Team Manager"];
/** Every role the generator can emit. */
export const ROLES: readonly Role[] = ["ASYE", "Social Worker", "Senior Practitioner", "Advanced Practitioner", "Team Manager", "Social Work Assistant"];

/** A case type of a service's points scheme. */
export interface CaseTypeSpec {
  caseType: string;
  /** default points for the case type (points_scheme.points) */
  points: number;
  /** default complexity 1-5 (points_scheme.complexity) */
  complexity: number;
  /** relative frequency of the case type among new cases */
  weight: number;
}

/** A service: its points scheme and workload parameters. */
export interface ServiceSpec {
  name: string;
  caseTypes: CaseTypeSpec[];
  /** agreed caseload of a full-time Social Worker at the start of the data (cases per FTE) */
  caseloadPerFte: number;
  /** mean months a case stays open (closure hazard = 1 / this) */
  meanCaseMonths: number;
  /** new referrals per establishment FTE per month, before seasonal/trend factors */
  referralsPerFte: number;
  /** team names to use, in order; more teams than names get `<name> Team k` */
  teamNames?: string[];
}

/** One team with its establishment headcount (number of posts). */
export interface TeamSpec {
  service: string;
  team: string;
  size: number;
}

/** A planted bias against ethnic-minority workers (excluding White minorities). */
export interface BiasSpec {
  service: string;
  /** omit = every team of the service */
  team?: string;
  /**
   * complexity: expected points per case x ratio, on new and reallocated cases alike;
   * caseload: cases per FTE x ratio
   */
  measure: "complexity" | "caseload";
  ratio: number;
}

/** Options of the generator; every field is optional (defaults = the demo employer). */
export interface SampleOptions {
  seed?: number;
  employer?: string;
  /** first month, YYYY-MM (default: `months` months ending at `endPeriod`, i.e. 2023-10 for 36 months) */
  startPeriod?: string;
  /** last month when `startPeriod` is not given (default 2026-09) */
  endPeriod?: string;
  /** number of months (default 36) */
  months?: number;
  /** target headcount = number of posts (default 140) */
  workers?: number;
  /** services by name (built-in schemes) or as full specs (default: the five children's services) */
  services?: Array<string | ServiceSpec>;
  /** teams per service (number for all, or per service name); sizes split `workers` */
  teamsPerService?: number | Record<string, number>;
  /** explicit team list with sizes; overrides workers/teamsPerService */
  teams?: TeamSpec[];
  /** planted biases; default: 1.25 complexity bias in the first Safeguarding and Support team (in the demo its largest); [] = none */
  bias?: BiasSpec[];
  /** P(senior | ethnic minority) / P(senior | White British); default 0.7 */
  seniorLikelihoodRatio?: number;
  /**
   * share of workers in the ethnic minorities (excluding White minorities) group; default 0.35
   * (an urban authority; `NATIONAL_ETHNIC_MINORITY_SHARE` = 0.23 is the national mix)
   */
  ethnicMinorityShare?: number;
  /** level shift; default +15% in Safeguarding and Support from 2025-04 (when inside the data); null = none */
  levelShift?: { service: string; period: string; factor: number } | null;
  /** workload growth per year (default 0.05) */
  trendPerYear?: number;
  /** 12 multiplicative seasonal factors Jan..Dec for referrals (mean 1) */
  seasonalFactors?: number[];
  /** periods (YYYY-MM) of the two health checks; default the last two Marches in range */
  healthCheckPeriods?: string[];
  /** date used to refuse future periods, YYYY-MM-DD (default: today) */
  asOf?: string;
}

/** A planted bias as realised: the teams it covers and how many workers were in scope. */
export interface TruthBias extends BiasSpec {
  teams: string[];
  /**
   * the ratio actually planted: equal to `ratio` unless a complexity ratio is beyond what the
   * service's points scheme can express (then the largest reachable ratio)
   */
  achievedRatio: number;
  /** distinct workers ever in the biased team(s); filled in once generation has finished */
  workers: { ethnicMinority: number; whiteBritish: number; total: number };
}

/** The planted facts of a generated employer. */
export interface SampleTruth {
  synthetic: true;
  seasonalFactors: number[];
  peakMonths: number[];
  troughMonths: number[];
  caseloadSeasonalDamping: number;
  trendPerYear: number;
  levelShift: { service: string; period: string; factor: number } | null;
  bias: TruthBias[];
  seniorLikelihoodRatio: number;
  seniorLikelihoodRatioApplied: number;
  seniorRoles: readonly Role[];
  ethnicMinorityShare: number;
  /** log-sd of the persistent personal caseload effect */
  personalEffectSd: number;
  /** log-sd of the persistent personal complexity (case-mix) effect */
  personalComplexitySd: number;
  /** share of the gap between a worker's held and intended points per case closed by each month's new allocations */
  mixBalancing: number;
  monthlyCaseloadNoiseSd: number;
  complexityPointsRule: string;
  complexityBlankShare: number;
  roleCaseloadFactor: Record<Role, number>;
  roleComplexityFactor: Record<Role, number>;
  turnover: { permanentMonthly: number; permanentMonthlyByPostClass: Record<string, number>; agencyMonthly: number };
  sicknessSeasonalFactors: number[];
  healthCheckPeriods: string[];
  healthCheckPromptDrivers: string[];
  /** establishment headcount by team */
  teams: TeamSpec[];
}

/** Identification of a generated employer. */
export interface SampleMeta {
  employer: string;
  seed: number;
  startPeriod: string;
  endPeriod: string;
  months: number;
  synthetic: true;
}

/** A generated employer held in memory. */
export interface SampleEmployer {
  tables: SampleTables;
  truth: SampleTruth;
  meta: SampleMeta;
}

/** Rows of one table produced for one month (or, for points_scheme, once). */
export interface SampleChunk {
  table: TableName;
  period: string | null;
  rows: Row[];
}

/**
 * A lazily generated employer: `chunks()` runs the simulation from the seed
 * and yields rows month by month; calling it again replays identical rows.
 */
export interface SampleEmployerStream {
  meta: SampleMeta;
  truth: SampleTruth;
  chunks(): Generator<SampleChunk, void, void>;
}

// ---------------------------------------------------------------------------
// Built-in reference data (synthetic, documented in docs/sample-employer.md)
// ---------------------------------------------------------------------------

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

/**
 * Share of the ethnic minorities group (excluding White minorities) in `ETHNICITY_MIX`, i.e.
 * England's children's social workers (DfE CSWW 2025: 27% of those of known ethnicity are
 * not White; here 23% of all workers, 25% of those of known ethnicity).
 */
export const NATIONAL_ETHNIC_MINORITY_SHARE = 0.23;
/**
 * Default share of the ethnic minorities group: an urban authority. 0.35 of all workers is
 * 38% of those of known ethnicity, as in Manchester (37.7%) or the West Midlands (34.7%) in
 * the DfE children's social work workforce statistics for 2025.
 */
export const DEFAULT_ETHNIC_MINORITY_SHARE = 0.35;

/** Referral seasonal factors Jan..Dec (mean 1): peaks Sep-Nov and March, troughs August and December. */
export const DEFAULT_SEASONAL_FACTORS: readonly number[] = [0.97, 1.0, 1.1, 0.98, 1.0, 0.99, 0.95, 0.82, 1.1, 1.15, 1.1, 0.84];
/** Short-term sickness seasonal factors Jan..Dec (winter bump). */
export const SICKNESS_SEASONAL_FACTORS: readonly number[] = [1.6, 1.4, 1.1, 0.9, 0.8, 0.75, 0.7, 0.7, 0.9, 1.0, 1.2, 1.5];

type EthGroup = "WB" | "WM" | "EM" | "NK";
interface EthnicityEntry { code: string; label: string | null; group: EthGroup; weight: number }

/**
 * Ethnicity mix (percent of workers) loosely following England's children's
 * social work workforce (DfE CSWW): DfE main codes with the ONS 2021
 * (England) category labels used for a third of workers.
 */
export const ETHNICITY_MIX: readonly EthnicityEntry[] = [
  { code: "WBRI", label: "White: English, Welsh, Scottish, Northern Irish or British", group: "WB", weight: 59 },
  { code: "WIRI", label: "White: Irish", group: "WM", weight: 2.5 },
  { code: "WIRT", label: "White: Gypsy or Irish Traveller", group: "WM", weight: 0.2 },
  { code: "WROM", label: "White: Roma", group: "WM", weight: 0.3 },
  { code: "WOTH", label: "White: Other White", group: "WM", weight: 8 },
  { code: "MWBC", label: "Mixed or Multiple ethnic groups: White and Black Caribbean", group: "EM", weight: 1.5 },
  { code: "MWBA", label: "Mixed or Multiple ethnic groups: White and Black African", group: "EM", weight: 0.7 },
  { code: "MWAS", label: "Mixed or Multiple ethnic groups: White and Asian", group: "EM", weight: 0.8 },
  { code: "MOTH", label: "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", group: "EM", weight: 1.0 },
  { code: "AIND", label: "Asian or Asian British: Indian", group: "EM", weight: 2.2 },
  { code: "APKN", label: "Asian or Asian British: Pakistani", group: "EM", weight: 1.8 },
  { code: "ABAN", label: "Asian or Asian British: Bangladeshi", group: "EM", weight: 0.7 },
  { code: "CHNE", label: "Asian or Asian British: Chinese", group: "EM", weight: 0.3 },
  { code: "AOTH", label: "Asian or Asian British: Other Asian", group: "EM", weight: 1.0 },
  { code: "BCRB", label: "Black, Black British, Caribbean or African: Caribbean", group: "EM", weight: 3.5 },
  { code: "BAFR", label: "Black, Black British, Caribbean or African: African", group: "EM", weight: 6.5 },
  { code: "BOTH", label: "Black, Black British, Caribbean or African: Other Black", group: "EM", weight: 1.0 },
  { code: "OOTH", label: "Other ethnic group: Any other ethnic group", group: "EM", weight: 2.0 },
  { code: "REFU", label: "Prefer not to say", group: "NK", weight: 3.5 },
  { code: "NOBT", label: null, group: "NK", weight: 3.5 },
];

/** Which team measure drives each of the 39 health-check prompts (index 0 = prompt 1). Synthetic assumption. */
export const HEALTH_CHECK_PROMPT_DRIVERS: readonly string[] = [
  "general", "general", "vacancy", "vacancy", "caseload", "caseload", "caseload", "unallocated", "vacancy", "reviews",
  "reviews", "supervision", "supervision", "supervision", "general", "general", "toil", "general", "asye", "asye",
  "students", "general", "general", "general", "general", "general", "general", "general", "general", "sickness",
  "sickness", "sickness", "toil", "general", "vacancy", "general", "general", "general", "general",
];

const ROLE_CASELOAD: Record<Role, number> = {
  ASYE: 0.7, "Social Worker": 1.0, "Senior Practitioner": 1.0, "Advanced Practitioner": 0.55, "Team Manager": 0.06, "Social Work Assistant": 0.35,
};
const ROLE_COMPLEXITY: Record<Role, number> = {
  ASYE: 0.8, "Social Worker": 1.0, "Senior Practitioner": 1.2, "Advanced Practitioner": 1.3, "Team Manager": 1.2, "Social Work Assistant": 0.6,
};
const ROLE_NON_CASE_UNITS: Record<Role, number> = {
  ASYE: 1.0, "Social Worker": 1.5, "Senior Practitioner": 2.0, "Advanced Practitioner": 4.0, "Team Manager": 6.0, "Social Work Assistant": 1.0,
};

const PERSONAL_SD = 0.15;
/**
 * Log-sd of the personal complexity effect: smaller than the caseload one, because
 * same-role colleagues differ more in how many cases they hold than in their case mix
 * (which the role and the luck of which cases arrive mostly decide).
 */
const PERSONAL_CX_SD = 0.08;
/** Share of a worker's gap between held and intended points per case that new allocations close. */
const MIX_BALANCING = 0.5;
/** Furthest a single new case's expected points may be pushed from the worker's intended level (x or /). */
const MIX_BALANCING_LIMIT = 1.5;
/** Margin (in units of the service mean) kept inside the lightest and heaviest case of a scheme by tilting. */
const TILT_MARGIN = 0.02;const MONTHLY_NOISE_SD = 0.06;
const CASELOAD_SEASONAL_DAMPING = 0.35;
const COMPLEXITY_BLANK_SHARE = 0.07;
const COMPLEXITY_STEP = 0.25;
const COMPLEXITY_OFFSETS: ReadonlyArray<[number, number]> = [[-1, 0.25], [0, 0.5], [1, 0.2], [2, 0.05]];
const LEAVE_PERMANENT = 0.0102;
/** monthly leaving hazard of permanent staff by post class (juniors move on more often than seniors) */
const LEAVE_PERMANENT_BY_CLASS: Record<string, number> = { SW: 0.012, SWA: 0.011, SP: 0.0075, AP: 0.0075, TM: 0.007 };
const ASYE_RECRUIT_SHARE = 0.55;
const LEAVE_AGENCY = 0.0306;
const AGENCY_RECRUIT_SHARE = 0.35;
const MOVE_MONTHLY = 0.002;
const DEFAULT_SENIOR_LR = 0.7;
const DEFAULT_WORKERS = Object.values(DEFAULT_TEAM_SIZES).flat().reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------
// Small pure helpers
// ---------------------------------------------------------------------------

/** Absolute month index (year * 12 + month - 1) of a `YYYY-MM` period; throws on bad input. */
export function periodIndex(period: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`period must be YYYY-MM, got "${period}"`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

/** `YYYY-MM` of an absolute month index. */
export function periodString(index: number): string {
  const y = Math.floor(index / 12);
  const mo = index - y * 12 + 1;
  return `${y}-${mo < 10 ? "0" : ""}${mo}`;
}

/** Days in the month with absolute index `index`. */
function daysInMonth(index: number): number {
  const y = Math.floor(index / 12);
  return new Date(Date.UTC(y, index - y * 12 + 1, 0)).getUTCDate();
}

/** `YYYY-MM-DD` for day `day` of month index `index`. */
function dateString(index: number, day: number): string {
  return `${periodString(index)}-${day < 10 ? "0" : ""}${day}`;
}

/** Round to one decimal place. */
function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Round to two decimal places. */
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Points of a case: the case type's default points adjusted by the case's
 * complexity relative to the type's default complexity, 25% per step:
 * points = round1(default x (1 + 0.25 x (complexity - default complexity))), floored at 0.
 */
export function casePoints(defaultPoints: number, defaultComplexity: number, complexity: number): number {
  return Math.max(0, round1(defaultPoints * (1 + COMPLEXITY_STEP * (complexity - defaultComplexity))));
}

/** One (case type, complexity) cell of a service's case distribution. */
interface SchemeCell { typeIdx: number; complexity: number; points: number; p: number }

/**
 * Base distribution over (case type, complexity) of a service: type weights
 * times the complexity offsets around the type's default complexity (-1: 25%,
 * 0: 50%, +1: 20%, +2: 5%), clamped into 1-5.
 */
export function schemeCells(spec: ServiceSpec): SchemeCell[] {
  const totalW = spec.caseTypes.reduce((s, t) => s + t.weight, 0);
  const cells: SchemeCell[] = [];
  spec.caseTypes.forEach((t, typeIdx) => {
    const byCx = new Map<number, number>();
    for (const [off, p] of COMPLEXITY_OFFSETS) {
      const c = Math.min(5, Math.max(1, t.complexity + off));
      byCx.set(c, (byCx.get(c) ?? 0) + p);
    }
    for (const [c, p] of [...byCx.entries()].sort((a, b) => a[0] - b[0])) {
      cells.push({ typeIdx, complexity: c, points: casePoints(t.points, t.complexity, c), p: (t.weight / totalW) * p });
    }
  });
  return cells;
}

/** Expected points per case of a distribution over cells. */
function meanPoints(cells: readonly SchemeCell[], probs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < cells.length; i++) s += cells[i].points * probs[i];
  return s;
}

/**
 * The range of expected points per case (as ratios to the service mean) that tilting a
 * scheme's case mix can reach: from just above its lightest cell to just below its
 * heaviest (`TILT_MARGIN` inside each).
 */
export function tiltReach(cells: readonly SchemeCell[]): { lo: number; hi: number } {
  const mu = meanPoints(cells, cells.map((c) => c.p));
  const xs = cells.map((c) => c.points / mu);
  return { lo: Math.min(...xs) + TILT_MARGIN, hi: Math.max(...xs) - TILT_MARGIN };
}

/**
 * Exponentially tilts the base cell distribution so that its expected points
 * per case equal `ratio` x the base expectation (clamped to `tiltReach`):
 * q_i proportional to p_i exp(theta (x_i - 1)), x_i = points_i / mean, the
 * minimum-relative-entropy distribution with that mean (Kullback's principle).
 * theta is found by Newton's method on the mean (whose derivative in theta is
 * the variance), safeguarded by bisection. Returns the tilted probabilities and
 * the ratio actually achieved.
 */
export function tiltedDistribution(cells: readonly SchemeCell[], ratio: number): { probs: Float64Array; achieved: number } {
  const n = cells.length;
  const base = Float64Array.from(cells, (c) => c.p);
  const mu = meanPoints(cells, base);
  const xs = Float64Array.from(cells, (c) => c.points / mu);
  const { lo, hi } = tiltReach(cells);
  const target = Math.min(hi, Math.max(lo, ratio));
  const q = new Float64Array(n);
  const xmax = Math.max(...xs), xmin = Math.min(...xs);
  /** fills q for theta; returns [mean, variance] of x under q (exponent shifted for stability) */
  const moments = (theta: number): [number, number] => {
    const shift = theta >= 0 ? theta * (xmax - 1) : theta * (xmin - 1);
    let z = 0, m1 = 0, m2 = 0;
    for (let i = 0; i < n; i++) {
      q[i] = base[i] * Math.exp(theta * (xs[i] - 1) - shift);
      z += q[i];
      m1 += q[i] * xs[i];
      m2 += q[i] * xs[i] * xs[i];
    }
    for (let i = 0; i < n; i++) q[i] /= z;
    const m = m1 / z;
    return [m, Math.max(0, m2 / z - m * m)];
  };
  let a = -200, b = 200, theta = 0;
  for (let it = 0; it < 100; it++) {
    const [m, v] = moments(theta);
    const err = m - target;
    if (Math.abs(err) < 1e-12) break;
    if (err < 0) a = theta;
    else b = theta;
    let next = v > 1e-15 ? theta - err / v : (a + b) / 2;
    if (!(next > a && next < b)) next = (a + b) / 2;
    theta = next;
  }
  moments(theta);
  return { probs: q, achieved: meanPoints(cells, q) / mu };
}

/**
 * Fits a complexity bias into a scheme's reach: the band [lo, hi] that role
 * factor x personal complexity effect must stay in so that multiplying by the
 * bias stays reachable (for bias > 1 the heaviest workers are held below
 * reach.hi / bias, for bias < 1 the lightest above reach.lo / bias), and the
 * bias applied, which is the requested one unless even the band collapses
 * (bias beyond reach.hi / reach.lo), when it is the largest reachable.
 */
export function fitComplexityBias(reach: { lo: number; hi: number }, bias: number): { applied: number; band: { lo: number; hi: number } } {
  if (bias >= 1) {
    const applied = Math.min(bias, reach.hi / reach.lo);
    return { applied, band: { lo: reach.lo, hi: Math.max(reach.lo, reach.hi / applied) } };
  }
  const applied = Math.max(bias, reach.lo / reach.hi);
  return { applied, band: { lo: Math.min(reach.hi, reach.lo / applied), hi: reach.hi } };
}

/** Cumulative sums of probabilities (last entry forced to 1). */
function cumulative(probs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(probs.length);
  let s = 0;
  for (let i = 0; i < probs.length; i++) {
    s += probs[i];
    out[i] = s;
  }
  out[out.length - 1] = 1;
  return out;
}

/**
 * Probability of each ethnicity entry given the seniority of the post, so
 * that P(senior | EM) / P(senior | WB) = r while the overall mix stays the
 * target mix (Bayes: P(g | senior) prop. to share_g r_g, P(g | other) prop.
 * to share_g (1 - r_g p), p = S / (1 - s_EM + s_EM r)).
 * Returns the two weight vectors and the ratio actually applied (r is
 * reduced if it would need P(senior | EM) > 1).
 */
export function ethnicityWeightsBySeniority(
  mix: readonly EthnicityEntry[], seniorShare: number, r: number,
): { senior: number[]; other: number[]; applied: number } {
  const total = mix.reduce((s, e) => s + e.weight, 0);
  const sEM = mix.filter((e) => e.group === "EM").reduce((s, e) => s + e.weight, 0) / total;
  let applied = r;
  let p = seniorShare / (1 - sEM + sEM * applied);
  if (applied * p > 0.98) {
    // cap P(senior | EM) at 0.98: solve r p = 0.98 with p = S / (1 - sEM + sEM r)
    applied = (0.98 * (1 - sEM)) / Math.max(1e-9, seniorShare - 0.98 * sEM);
    p = seniorShare / (1 - sEM + sEM * applied);
  }
  const senior = mix.map((e) => e.weight * (e.group === "EM" ? applied : 1));
  const other = mix.map((e) => e.weight * Math.max(0, 1 - (e.group === "EM" ? applied : 1) * p));
  return { senior, other, applied };
}

/** The ethnicity mix rescaled so the ethnic-minority group has share `share`. */
function mixWithMinorityShare(share: number): EthnicityEntry[] {
  const total = ETHNICITY_MIX.reduce((s, e) => s + e.weight, 0);
  const em = ETHNICITY_MIX.filter((e) => e.group === "EM").reduce((s, e) => s + e.weight, 0);
  return ETHNICITY_MIX.map((e) => ({
    ...e,
    weight: e.group === "EM" ? (e.weight / em) * share : (e.weight / (total - em)) * (1 - share),
  }));
}

/** Split `total` into integer parts proportional to `weights` (largest remainder). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const raw = weights.map((w) => (w / sum) * total);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((s, v) => s + v, 0);
  const order = raw.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
  return out;
}

/** Fractional part of the golden ratio, the step of the one-dimensional golden-ratio (Kronecker) sequence. */
const GOLDEN = 0.6180339887498949;

/**
 * Roberts' R2 quasirandom sequence in two dimensions (Roberts 2018, "The
 * unreasonable effectiveness of quasirandom sequences"): point k is
 * (o1 + k / g, o2 + k / g^2) mod 1 with g the plastic number, the 2-D
 * analogue of the golden-ratio sequence. Any run of consecutive points is
 * evenly spread over the unit square, so both coordinates are stratified and
 * unrelated to each other.
 */
class R2Stream {
  private k = 0;
  private static readonly A1 = 1 / 1.324717957244746;
  private static readonly A2 = 1 / (1.324717957244746 * 1.324717957244746);
  /** `o1`, `o2` in [0, 1) rotate the sequence. */
  constructor(private readonly o1: number, private readonly o2: number) {}
  /** Next point, both coordinates in (0, 1). */
  next(): [number, number] {
    this.k++;
    const clamp = (u: number) => Math.min(1 - 1e-9, Math.max(1e-9, u));
    return [clamp((this.o1 + R2Stream.A1 * this.k) % 1), clamp((this.o2 + R2Stream.A2 * this.k) % 1)];
  }
}

// ---------------------------------------------------------------------------
// Option resolution
// ---------------------------------------------------------------------------

interface Resolved {
  seed: number;
  employer: string;
  start: number;
  months: number;
  services: ServiceSpec[];
  teams: TeamSpec[];
  bias: BiasSpec[];
  seniorLR: number;
  emShare: number;
  levelShift: { service: string; period: string; factor: number } | null;
  trend: number;
  seasonal: number[];
  checkPeriods: string[];
}

/** Resolves a service given by name or spec. */
function resolveService(s: string | ServiceSpec): ServiceSpec {
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
function resolveTeams(opts: SampleOptions, services: ServiceSpec[]): TeamSpec[] {
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

/** Validates and fills in defaults for all options. */
function resolveOptions(opts: SampleOptions): Resolved {
  const seed = (opts.seed ?? 20261122) >>> 0;
  const months = opts.months ?? 36;
  if (!(Number.isInteger(months) && months >= 1)) throw new Error("months must be a positive integer");
  if (opts.startPeriod !== undefined && opts.endPeriod !== undefined) throw new Error("give startPeriod or endPeriod, not both");
  const start = opts.startPeriod !== undefined ? periodIndex(opts.startPeriod) : periodIndex(opts.endPeriod ?? "2026-09") - months + 1;
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const asOfIndex = periodIndex(asOf.slice(0, 7));
  if (start + months - 1 > asOfIndex) {
    throw new Error(`last period ${periodString(start + months - 1)} is in the future (as of ${asOf})`);
  }
  const services = (opts.services ?? DEFAULT_SERVICES.map((s) => s.name)).map(resolveService);
  if (new Set(services.map((s) => s.name)).size !== services.length) throw new Error("service names must be unique");
  const teams = resolveTeams(opts, services);
  const usedServices = services.filter((s) => teams.some((t) => t.service === s.name));

  const hasService = (name: string) => usedServices.some((s) => s.name === name);
  // the default shift (Safeguarding and Support, +15% from 2025-04) applies only when that month is inside the data
  const defaultShiftInRange = periodIndex("2025-04") > start && periodIndex("2025-04") < start + months;
  const levelShift = opts.levelShift === undefined
    ? (hasService("Safeguarding and Support") && defaultShiftInRange ? { service: "Safeguarding and Support", period: "2025-04", factor: 1.15 } : null)
    : opts.levelShift;
  if (levelShift) {
    if (!hasService(levelShift.service)) throw new Error(`levelShift: unknown service "${levelShift.service}"`);
    periodIndex(levelShift.period);
    if (!(levelShift.factor > 0)) throw new Error("levelShift.factor must be > 0");
  }

  let bias: BiasSpec[];
  if (opts.bias === undefined) {
    const first = teams.find((t) => t.service === "Safeguarding and Support");
    bias = first ? [{ service: first.service, team: first.team, measure: "complexity", ratio: 1.25 }] : [];
  } else bias = opts.bias.map((b) => ({ ...b }));
  for (const b of bias) {
    if (!hasService(b.service)) throw new Error(`bias: unknown service "${b.service}"`);
    if (b.team !== undefined && !teams.some((t) => t.service === b.service && t.team === b.team)) {
      throw new Error(`bias: no team "${b.team}" in service "${b.service}"`);
    }
    if (b.measure !== "complexity" && b.measure !== "caseload") throw new Error(`bias: measure must be complexity or caseload`);
    if (!(b.ratio > 0)) throw new Error("bias: ratio must be > 0");
  }

  const seniorLR = opts.seniorLikelihoodRatio ?? DEFAULT_SENIOR_LR;
  if (!(seniorLR > 0)) throw new Error("seniorLikelihoodRatio must be > 0");
  const emShare = opts.ethnicMinorityShare ?? DEFAULT_ETHNIC_MINORITY_SHARE;
  if (!(emShare > 0 && emShare < 1)) throw new Error("ethnicMinorityShare must be in (0, 1)");
  const seasonal = opts.seasonalFactors ? [...opts.seasonalFactors] : [...DEFAULT_SEASONAL_FACTORS];
  if (seasonal.length !== 12 || seasonal.some((f) => !(f > 0))) throw new Error("seasonalFactors must be 12 positive numbers");

  let checkPeriods = opts.healthCheckPeriods;
  if (!checkPeriods) {
    const marches: string[] = [];
    for (let i = start; i < start + months; i++) if (i % 12 === 2) marches.push(periodString(i));
    checkPeriods = marches.length >= 2
      ? marches.slice(-2)
      : [periodString(start + Math.floor((months - 1) / 2)), periodString(start + months - 1)].filter((p, i, a) => a.indexOf(p) === i);
  }
  for (const p of checkPeriods) {
    const i = periodIndex(p);
    if (i < start || i >= start + months) throw new Error(`health check period ${p} is outside the data`);
  }
  return {
    seed, employer: opts.employer ?? DEFAULT_EMPLOYER, start, months, services: usedServices, teams, bias, seniorLR, emShare,
    levelShift, trend: opts.trendPerYear ?? 0.05, seasonal, checkPeriods,
  };
}

// ---------------------------------------------------------------------------
// Simulation state
// ---------------------------------------------------------------------------

type RoleClass = "TM" | "AP" | "SP" | "SW" | "SWA";

interface Case {
  /** index of the case's (type, complexity) cell in the service's scheme cells */
  cell: number;
  ref: string;
  typeIdx: number;
  complexity: number;
  showComplexity: boolean;
  points: number;
  allocatedOn: string;
}

interface ServiceState {
  spec: ServiceSpec;
  cells: SchemeCell[];
  mean: number;
  hazard: number;
}

interface TeamState {
  idx: number;
  spec: TeamSpec;
  service: ServiceState;
  posts: Post[];
  pool: Case[];
  /** combined complexity bias applied to the team's ethnic-minority workers (after any clamp to the scheme's reach) */
  biasCx: number;
  biasLoad: number;
  /** band for role factor x personal complexity effect that leaves room for the team's complexity bias */
  cxBand: { lo: number; hi: number };
  effect: number;
  history: TeamMonthSummary[];
  leaversThisMonth: number;
}

interface Post {
  team: TeamState;
  roleClass: RoleClass;
  fte: number;
  holder: Worker | null;
  nextStart: number;
  nextAgency: boolean;
}

interface Worker {
  id: string;
  post: Post;
  role: Role;
  employment: "permanent" | "agency";
  group: EthGroup;
  asyeMonths: number;
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

interface TeamMonthSummary {
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

function isSenior(rc: RoleClass): boolean {
  return rc === "TM" || rc === "AP" || rc === "SP";
}

/** Role classes of the posts of a team of `size` posts: one Team Manager, then assistants, APs, SPs, social workers. */
export function teamPostRoles(size: number): RoleClass[] {
  const swa = size >= 16 ? 2 : size >= 7 ? 1 : 0;
  const ap = size >= 20 ? 2 : size >= 9 ? 1 : 0;
  const sp = size >= 4 ? Math.max(1, Math.round(0.17 * size)) : 0;
  const roles: RoleClass[] = ["TM"];
  for (let i = 0; i < ap; i++) roles.push("AP");
  for (let i = 0; i < sp; i++) roles.push("SP");
  for (let i = 0; i < swa; i++) roles.push("SWA");
  while (roles.length < size) roles.push("SW");
  return roles.slice(0, Math.max(size, 1));
}

// ---------------------------------------------------------------------------
// The simulation
// ---------------------------------------------------------------------------

/** Runs the month-by-month simulation for resolved options, yielding row chunks. */
class Simulation {
  private readonly rng: Rng;
  private readonly hcRng: Rng;
  private readonly services: ServiceState[];
  private readonly teams: TeamState[];
  private readonly workerIds = new Set<string>();
  private caseCounter = 0;
  private readonly caseKey: number;
  private readonly ethSeniorCdf: Float64Array;
  private readonly ethOtherCdf: Float64Array;
  private readonly ethStreams = new Map<string, { offset: number; k: number }>();
  private readonly mix: EthnicityEntry[];
  readonly seniorApplied: number;
  readonly biasWorkers: Array<{ em: Set<string>; wb: Set<string>; all: Set<string> }>;
  private readonly effectStreams = new Map<string, R2Stream>();
  private readonly effectOffsets = new Map<string, [number, number]>();
  /** tilted case-mix CDFs by service and rounded expected points ratio (for mix-balancing draws) */
  private readonly tiltCache = new Map<string, Float64Array>();

  constructor(private readonly r: Resolved) {
    this.rng = new Rng(r.seed);
    this.hcRng = this.rng.fork("health-check");
    this.caseKey = this.rng.fork("case-refs").uint32();
    this.services = r.services.map((spec) => {
      const cells = schemeCells(spec);
      return { spec, cells, mean: meanPoints(cells, cells.map((c) => c.p)), hazard: 1 / spec.meanCaseMonths };
    });
    this.teams = r.teams.map((spec, idx) => {
      const service = this.services.find((s) => s.spec.name === spec.service)!;
      let biasCx = 1, biasLoad = 1;
      for (const b of r.bias) {
        if (b.service === spec.service && (b.team === undefined || b.team === spec.team)) {
          if (b.measure === "complexity") biasCx *= b.ratio;
          else biasLoad *= b.ratio;
        }
      }
      const fit = fitComplexityBias(tiltReach(service.cells), biasCx);
      const team: TeamState = {
        idx, spec, service, posts: [], pool: [], biasCx: fit.applied, biasLoad, cxBand: fit.band, effect: 0, history: [], leaversThisMonth: 0,
      };
      return team;
    });
    for (const team of this.teams) {
      team.effect = this.hcRng.normal(0, 0.35);
      team.posts = teamPostRoles(team.spec.size).map((roleClass) => ({
        team, roleClass, fte: this.postFte(roleClass), holder: null, nextStart: -1, nextAgency: false,
      }));
    }
    const allPosts = this.teams.flatMap((t) => t.posts);
    const seniorShare = allPosts.filter((p) => isSenior(p.roleClass)).length / allPosts.length;
    this.mix = mixWithMinorityShare(r.emShare);
    const w = ethnicityWeightsBySeniority(this.mix, seniorShare, r.seniorLR);
    const norm = (xs: number[]) => { const t = xs.reduce((a, b) => a + b, 0); return xs.map((x) => x / t); };
    this.ethSeniorCdf = cumulative(norm(w.senior));
    this.ethOtherCdf = cumulative(norm(w.other));
    this.seniorApplied = w.applied;
    this.biasWorkers = r.bias.map(() => ({ em: new Set<string>(), wb: new Set<string>(), all: new Set<string>() }));
  }

  /** FTE of a new post: mostly full time, some 0.5-0.9. */
  private postFte(rc: RoleClass): number {
    const u = this.rng.next();
    if (rc === "TM") return u < 0.9 ? 1 : 0.8;
    if (u < 0.78) return 1;
    if (u < 0.81) return 0.9;
    if (u < 0.9) return 0.8;
    if (u < 0.95) return 0.6;
    return 0.5;
  }

  /** A fresh unique pseudonymous worker id, `W` + 5 hex digits. */
  private newWorkerId(): string {
    for (;;) {
      const id = "W" + (this.rng.uint32() & 0xfffff).toString(16).toUpperCase().padStart(5, "0");
      if (!this.workerIds.has(id)) {
        this.workerIds.add(id);
        return id;
      }
    }
  }

  /** A fresh unique pseudonymous case reference, `C` + 7 hex digits (bijective scramble of a counter). */
  private newCaseRef(): string {
    return "C" + permute28(this.caseCounter++, this.caseKey).toString(16).toUpperCase().padStart(7, "0");
  }

  private roleOf(rc: RoleClass, asyeMonths: number): Role {
    switch (rc) {
      case "TM": return "Team Manager";
      case "AP": return "Advanced Practitioner";
      case "SP": return "Senior Practitioner";
      case "SWA": return "Social Work Assistant";
      default: return asyeMonths < 12 ? "ASYE" : "Social Worker";
    }
  }

  /**
   * Ethnicity (index into the mix) of a recruit to `post`, from the mix for
   * the post's seniority, by stratified sampling: successive recruits to a
   * team's senior (or other) posts take successive points of a randomly
   * rotated golden-ratio sequence mapped through the mix's cumulative
   * weights. Each team's ethnic mix so follows the employer's closely
   * (real teams vary more), and the demo's planted team is not left with
   * too few ethnic-minority workers to test by the luck of the draw.
   */
  private drawEthnicity(post: Post): number {
    const senior = isSenior(post.roleClass);
    const key = `${post.team.idx}|${senior}`;
    let stream = this.ethStreams.get(key);
    if (!stream) {
      stream = { offset: this.rng.next(), k: 0 };
      this.ethStreams.set(key, stream);
    }
    const u = (stream.offset + GOLDEN * ++stream.k) % 1;
    const cdf = senior ? this.ethSeniorCdf : this.ethOtherCdf;
    let i = 0;
    while (i < cdf.length - 1 && u >= cdf[i]) i++;
    return i;
  }

  /** Hires a worker into `post`; returns the worker and their staff row. */
  private hire(post: Post, m: number, initial: boolean, agency: boolean): { worker: Worker; staff: Row } {
    const rng = this.rng;
    const ethIdx = this.drawEthnicity(post);
    const eth = this.mix[ethIdx];
    const labelStyle = rng.bernoulli(1 / 3);
    let ethnicity: string | null = labelStyle ? eth.label : eth.code;
    if (labelStyle && eth.code === "OOTH" && rng.bernoulli(0.3)) ethnicity = "Other ethnic group: Arab";
    const g = rng.next();
    const gender = g < 0.825 ? "Female" : g < 0.985 ? "Male" : g < 0.988 ? "Other" : g < 0.995 ? "Prefer not to say" : null;
    const employment: "permanent" | "agency" = agency ? "agency" : "permanent";
    let asyeMonths = 99;
    if (post.roleClass === "SW" && employment === "permanent") {
      if (initial ? rng.bernoulli(0.18) : rng.bernoulli(ASYE_RECRUIT_SHARE)) asyeMonths = initial ? rng.int(0, 11) : 0;
    }
    const tenure = initial
      ? (asyeMonths < 12 ? asyeMonths : employment === "agency" ? rng.geometric(1 / 12) : 6 + rng.geometric(1 / 40))
      : 0;
    const absStart = this.r.start + m - tenure;
    const startYear = Math.floor(absStart / 12);
    const role = this.roleOf(post.roleClass, asyeMonths);
    let qualifiedYear: number | null;
    switch (post.roleClass) {
      case "SWA": qualifiedYear = null; break;
      case "SW": qualifiedYear = asyeMonths < 12 ? (absStart % 12 >= 6 ? startYear : startYear - 1) : startYear - rng.int(1, 12); break;
      case "SP": qualifiedYear = startYear - rng.int(4, 18); break;
      default: qualifiedYear = startYear - rng.int(7, 25);
    }
    const nowYear = Math.floor((this.r.start + m) / 12);
    if (qualifiedYear !== null && qualifiedYear > nowYear) qualifiedYear = nowYear;
    const worker: Worker = {
      id: this.newWorkerId(), post, role, employment, group: eth.group, asyeMonths, tenure,
      personalLoad: 1, personalCx: 1,
      cases: [], lta: null, ltaLeft: 0, female: gender === "Female", toil: employment === "agency" ? 0 : rng.uniform(0, 8),
      student: employment === "permanent" && (post.roleClass === "SW" || post.roleClass === "SP" || post.roleClass === "AP") && asyeMonths >= 12 && rng.bernoulli(0.12),
      probs: null, cdf: null, intendedRatio: 1, cdfKey: "", extraSupervision: rng.bernoulli(0.08),
    };
    this.drawPersonalEffects(worker);
    post.holder = worker;
    post.nextStart = -1;
    this.noteBiasScope(worker);
    return { worker, staff: { worker_id: worker.id, ethnicity, gender, qualified_year: qualifiedYear } };
  }

  /**
   * Persistent personal multipliers on caseload and complexity: lognormal
   * with mean 1 and log-sd PERSONAL_SD (caseload) and PERSONAL_CX_SD
   * (complexity), drawn by stratified sampling with common random numbers:
   * the k-th worker of each ethnic group hired into a team's post class gets
   * the k-th point of the same randomly rotated two-dimensional R2 sequence.
   * So within a group workers differ with the stated spread (and the two
   * effects are unrelated), but a team's groups are not, by the luck of a
   * small draw, heavier or lighter than one another in the same role.
   */
  private drawPersonalEffects(w: Worker): void {
    const cls = `${w.post.team.idx}|${w.post.roleClass}`;
    const key = `${cls}|${w.group}`;
    let s = this.effectStreams.get(key);
    if (!s) {
      let offset = this.effectOffsets.get(cls);
      if (!offset) {
        offset = [this.rng.next(), this.rng.next()];
        this.effectOffsets.set(cls, offset);
      }
      s = new R2Stream(offset[0], offset[1]);
      this.effectStreams.set(key, s);
    }
    const lognormal = (u: number, sd: number) => Math.exp(sd * normalQuantile(u, 0, 1) - 0.5 * sd * sd);
    const [uLoad, uCx] = s.next();
    w.personalLoad = lognormal(uLoad, PERSONAL_SD);
    w.personalCx = lognormal(uCx, PERSONAL_CX_SD);
  }

  /** Records a worker as in scope of each planted bias that covers their team. */
  private noteBiasScope(w: Worker): void {
    this.r.bias.forEach((b, i) => {
      const t = w.post.team.spec;
      if (b.service === t.service && (b.team === undefined || b.team === t.team)) {
        const s = this.biasWorkers[i];
        s.all.add(w.id);
        if (w.group === "EM") s.em.add(w.id);
        if (w.group === "WB") s.wb.add(w.id);
      }
    });
  }

  /**
   * Computes (once per team and role) the worker's intended case mix: the
   * service distribution tilted to role factor x personal complexity effect
   * (kept inside the team's band, so the bias always has room) x any
   * complexity bias. Sets `probs`, `cdf` and `intendedRatio`.
   */
  private caseMix(w: Worker): Worker {
    const team = w.post.team;
    const key = `${team.idx}|${w.role}`;
    if (w.cdf && w.cdfKey === key) return w;
    const own = Math.min(team.cxBand.hi, Math.max(team.cxBand.lo, ROLE_COMPLEXITY[w.role] * w.personalCx));
    const { probs, achieved } = tiltedDistribution(team.service.cells, own * (w.group === "EM" ? team.biasCx : 1));
    w.probs = probs;
    w.cdf = cumulative(probs);
    w.intendedRatio = achieved;
    w.cdfKey = key;
    return w;
  }

  /** The service distribution tilted to expected points `ratio` x the service mean (ratio rounded to 0.005, cached). */
  private tiltedCdf(svc: ServiceState, ratio: number): Float64Array {
    const q = Math.round(ratio * 200) / 200;
    const key = `${svc.spec.name}|${q}`;
    let cdf = this.tiltCache.get(key);
    if (!cdf) {
      cdf = cumulative(tiltedDistribution(svc.cells, q).probs);
      this.tiltCache.set(key, cdf);
    }
    return cdf;
  }

  /** A new case from cumulative cell distribution `cdf` of the worker's service, allocated on a day of month `abs`. */
  private newCase(w: Worker, abs: number, cdf: Float64Array = this.caseMix(w).cdf!): Case {
    const svc = w.post.team.service;
    const idx = this.rng.fromCdf(cdf);
    const cell = svc.cells[idx];
    return {
      cell: idx, ref: this.newCaseRef(), typeIdx: cell.typeIdx, complexity: cell.complexity,
      showComplexity: !this.rng.bernoulli(COMPLEXITY_BLANK_SHARE), points: cell.points,
      allocatedOn: dateString(abs, this.rng.int(1, Math.min(28, daysInMonth(abs)))),
    };
  }

  /**
   * New cases for a worker's deficit, allocated with an eye on the mix they
   * already hold: each case is drawn from the service distribution tilted to
   * the worker's intended points per case, moved by `MIX_BALANCING` of the
   * gap between what they would hold at their intended level after these
   * allocations and what they hold, per case still to allocate (at most
   * `MIX_BALANCING_LIMIT` times or over the intended level). So a worker who
   * inherited lighter or heavier cases than intended drifts back to their
   * intended mix; the bias is realised on held caseloads.
   */
  private allocateNew(w: Worker, n: number, abs: number): void {
    const svc = w.post.team.service;
    const intended = this.caseMix(w).intendedRatio * svc.mean;
    const before = w.cases.length;
    let held = 0;
    for (const c of w.cases) held += c.points;
    for (let i = 0; i < n; i++) {
      const perCase = (intended * (before + n) - held) / (n - i);
      const want = Math.min(intended * MIX_BALANCING_LIMIT, Math.max(intended / MIX_BALANCING_LIMIT, intended + MIX_BALANCING * (perCase - intended)));
      const c = this.newCase(w, abs, this.tiltedCdf(svc, want / svc.mean));
      held += c.points;
      w.cases.push(c);
    }
  }

  private trend(m: number): number {
    return Math.pow(1 + this.r.trend, m / 12);
  }

  private shift(service: string, abs: number): number {
    const ls = this.r.levelShift;
    return ls && ls.service === service && abs >= periodIndex(ls.period) ? ls.factor : 1;
  }

  private seasonal(abs: number): number {
    return this.r.seasonal[abs % 12];
  }

  /** Caseload target of a worker in month m (0 on long-term absence). */
  private target(w: Worker, m: number, noise: boolean): number {
    if (w.lta) return 0;
    const team = w.post.team;
    const abs = this.r.start + m;
    const ramp = w.tenure === 0 ? 0.4 : w.tenure === 1 ? 0.7 : w.tenure === 2 ? 0.9 : 1;
    const seasonalCase = 1 + CASELOAD_SEASONAL_DAMPING * (this.seasonal(abs) - 1);
    const bias = w.group === "EM" ? team.biasLoad : 1;
    const base = team.service.spec.caseloadPerFte * ROLE_CASELOAD[w.role] * w.post.fte * w.personalLoad
      * this.trend(m) * this.shift(team.spec.service, abs) * seasonalCase * ramp * bias;
    return noise ? base * Math.exp(this.rng.normal(0, MONTHLY_NOISE_SD)) : base;
  }

  /** Initial caseload of a worker already in post before the first month. */
  private seedCases(w: Worker, m: number): void {
    const t = this.target(w, m, false);
    const n = Math.floor(t + this.rng.next());
    const mean = w.post.team.service.spec.meanCaseMonths;
    for (let i = 0; i < n; i++) {
      const age = Math.min(w.tenure, this.rng.geometric(1 / mean), 60);
      const abs = this.r.start + m - age;
      w.cases.push(this.newCase(w, abs));
    }
  }

  /** Moves all of a worker's cases to the team's reallocation pool. */
  private releaseCases(w: Worker): void {
    for (const c of w.cases) w.post.team.pool.push(c);
    w.cases = [];
  }

  /** Yields the points scheme, then every month's rows. */
  *run(): Generator<SampleChunk, void, void> {
    const r = this.r;
    const schemeRows: Row[] = [];
    for (const s of this.services) {
      for (const t of s.spec.caseTypes) schemeRows.push({ service: s.spec.name, case_type: t.caseType, points: t.points, complexity: t.complexity });
    }
    yield { table: "points_scheme", period: null, rows: schemeRows };

    // initial establishment
    const initialStaff: Row[] = [];
    for (const team of this.teams) {
      for (const post of team.posts) {
        if (post.roleClass !== "TM" && this.rng.bernoulli(0.04)) {
          post.nextStart = 1 + this.rng.geometric(0.5);
          post.nextAgency = this.rng.bernoulli(AGENCY_RECRUIT_SHARE);
          continue;
        }
        const { worker, staff } = this.hire(post, 0, true, this.rng.bernoulli(0.15));
        initialStaff.push(staff);
        this.seedCases(worker, 0);
      }
    }

    for (let m = 0; m < r.months; m++) {
      const abs = r.start + m;
      const period = periodString(abs);
      const staffRows: Row[] = m === 0 ? initialStaff : [];
      // starters
      for (const team of this.teams) {
        for (const post of team.posts) {
          if (!post.holder && post.nextStart >= 0 && post.nextStart <= m) {
            staffRows.push(this.hire(post, m, false, post.nextAgency).staff);
          }
        }
      }
      const workerRows: Row[] = [];
      const caseRows: Row[] = [];
      const teamRows: Row[] = [];
      for (const team of this.teams) {
        this.simulateTeamMonth(team, m, period, workerRows, caseRows);
      }
      this.decideDepartures(m);
      for (const team of this.teams) teamRows.push(this.teamRow(team, m, period));
      yield { table: "staff", period, rows: staffRows };
      yield { table: "worker_month", period, rows: workerRows };
      yield { table: "case_month", period, rows: caseRows };
      yield { table: "team_month", period, rows: teamRows };
      if (r.checkPeriods.includes(period)) {
        const hc: Row[] = [];
        for (const team of this.teams) this.healthCheck(team, abs, hc);
        yield { table: "health_check", period, rows: hc };
      }
      this.endOfMonth(m);
    }
  }

  /**
   * Reallocation is allocation too: each pooled case (of a leaver, an absent
   * worker or a mover) goes to a worker with more than half a case of
   * headroom (up to 110% of target), chosen with probability proportional to
   * headroom x how much more likely that worker's intended case mix is to
   * contain such a case than the service's (q_w(cell) / p(cell)). Heavier
   * cases therefore go mostly to those who get heavier new cases (seniors,
   * and in a biased team ethnic-minority workers), and each worker's
   * inherited cases follow their own mix. Cases nobody has room for wait.
   */
  private reallocatePool(team: TeamState, workers: Worker[], targets: Map<Worker, number>, abs: number): void {
    const rng = this.rng;
    const cells = team.service.cells;
    const weights = new Float64Array(workers.length);
    const keep: Case[] = [];
    for (const c of team.pool) {
      let total = 0;
      for (let i = 0; i < workers.length; i++) {
        const w = workers[i];
        const free = targets.get(w)! * 1.1 - w.cases.length;
        weights[i] = free > 0.5 ? free * this.caseMix(w).probs![c.cell] / cells[c.cell].p : 0;
        total += weights[i];
      }
      if (total > 0) workers[rng.weightedIndex(weights)].cases.push({ ...c, allocatedOn: dateString(abs, rng.int(1, Math.min(28, daysInMonth(abs)))) });
      else keep.push(c);
    }
    team.pool = keep;
  }

  /** Closures, allocation and the worker_month / case_month rows of one team for month m. */
  private simulateTeamMonth(team: TeamState, m: number, period: string, workerRows: Row[], caseRows: Row[]): void {
    const rng = this.rng;
    const abs = this.r.start + m;
    const svc = team.service;
    const workers = team.posts.map((p) => p.holder).filter((w): w is Worker => w !== null);
    // closures (hazard 1 / mean case months), including cases waiting in the pool
    for (const w of workers) w.cases = w.cases.filter(() => rng.next() >= svc.hazard);
    team.pool = team.pool.filter(() => rng.next() >= svc.hazard);
    const targets = new Map<Worker, number>();
    for (const w of workers) {
      const t = this.target(w, m, true);
      targets.set(w, t);
      const cap = Math.ceil(t * 1.3) + 1;
      if (w.cases.length > cap) {
        rng.shuffle(w.cases);
        w.cases.length = cap;
      }
    }
    // reallocate pooled cases (leavers, absences, moves) to workers with headroom up to 110% of target
    if (team.pool.length) this.reallocatePool(team, workers, targets, abs);
    // new cases fill each worker's remaining deficit (stochastic rounding), balancing the mix they hold
    for (const w of workers) {
      const deficit = targets.get(w)! - w.cases.length;
      const n = deficit > 0 ? Math.floor(deficit + rng.next()) : 0;
      if (n > 0) this.allocateNew(w, n, abs);
    }
    // rows
    const agreedPts = svc.mean * svc.spec.caseloadPerFte;
    const history: TeamMonthSummary = {
      caseloadPerFte: 0, agreed: svc.spec.caseloadPerFte, overAgreed: 0, vacancyFte: 0, agencyFte: 0, ltaFte: 0, establishment: 0,
      supPlanned: 0, supHeld: 0, sickDays: 0, fteSum: 0, reviews: 0, unallocated: 0, toilMean: 0, asye: 0, students: 0,
    };
    const prev = team.history[team.history.length - 1];
    const pressure = prev ? Math.max(0, (prev.vacancyFte / Math.max(1, prev.establishment)) * 2 + (prev.caseloadPerFte / prev.agreed - 1)) : 0;
    let caseHoldingFte = 0, caseHoldingCases = 0, toilSum = 0, toilN = 0;
    for (const post of team.posts) {
      const h = post.holder;
      if (!h) history.vacancyFte += post.fte;
      else {
        if (h.employment === "agency") history.agencyFte += post.fte;
        if (h.lta) history.ltaFte += post.fte;
      }
    }
    for (const w of workers) {
      const types = svc.spec.caseTypes;
      let pts = 0;
      for (const c of w.cases) {
        pts += c.points;
        caseRows.push({
          period, worker_id: w.id, case_ref: c.ref, case_type: types[c.typeIdx].caseType, points: c.points,
          complexity: c.showComplexity ? c.complexity : null, allocated_on: c.allocatedOn,
        });
      }
      const fte = w.post.fte;
      const agreedOwn = Math.max(agreedPts * 0.2, agreedPts * ROLE_CASELOAD[w.role] * ROLE_COMPLEXITY[w.role]) * fte;
      const loadRatio = pts / agreedOwn;
      // sickness
      let sickness = 0;
      if (w.lta === "sick") sickness = Math.round(20 * fte * rng.uniform(0.75, 1));
      else if (!w.lta && rng.bernoulli(0.07 * SICKNESS_SEASONAL_FACTORS[abs % 12])) sickness = Math.min(10, 1 + rng.geometric(0.45));
      // supervision
      const planned = w.lta ? 0 : w.role === "ASYE" || w.extraSupervision ? 2 : 1;
      const pMiss = Math.min(0.7, 0.08 + 0.25 * pressure + (sickness > 3 ? 0.3 : 0));
      const held = planned - rng.binomial(planned, pMiss);
      // TOIL (not recorded for agency staff)
      let toil: number | null = null;
      if (w.employment === "permanent") {
        const accrue = w.lta ? 0 : Math.max(0, rng.normal(1.5 + 12 * (loadRatio - 1), 2));
        w.toil = w.toil * 0.55 + accrue;
        toil = Math.round(w.toil * 2) / 2;
        toilSum += toil;
        toilN++;
      }
      const review = !w.lta && rng.bernoulli(1 / (1 + Math.exp(-(-7.5 + 8 * (loadRatio - 1)))));
      const nonCase = w.lta ? 0 : round1(svc.mean * (ROLE_NON_CASE_UNITS[w.role] + (w.student ? 2 : 0)) * fte * rng.lognormalMultiplier(0.2));
      workerRows.push({
        period, worker_id: w.id, service: team.spec.service, team: team.spec.team, role: w.role, fte, employment: w.employment,
        non_case_points: nonCase, supervision_planned: planned, supervision_held: held, sickness_days: sickness,
        toil_hours: toil, review_requested: review,
      });
      if (w.role !== "Team Manager" && w.role !== "Social Work Assistant" && !w.lta) {
        caseHoldingFte += fte;
        caseHoldingCases += w.cases.length;
        if (w.cases.length / fte > svc.spec.caseloadPerFte * ROLE_CASELOAD[w.role] * 1.1) history.overAgreed++;
      }
      history.supPlanned += planned;
      history.supHeld += held;
      history.sickDays += sickness;
      history.fteSum += fte;
      history.reviews += review ? 1 : 0;
      if (w.role === "ASYE") history.asye++;
      if (w.student) history.students++;
    }
    history.caseloadPerFte = caseHoldingFte > 0 ? caseHoldingCases / caseHoldingFte : 0;
    history.toilMean = toilN ? toilSum / toilN : 0;
    team.history.push(history);
  }

  /** Decides who leaves at the end of month m and counts leavers per team. */
  private decideDepartures(m: number): void {
    for (const team of this.teams) {
      team.leaversThisMonth = 0;
      for (const post of team.posts) {
        const w = post.holder;
        if (!w) continue;
        const hazard = w.employment === "agency" ? LEAVE_AGENCY : LEAVE_PERMANENT_BY_CLASS[post.roleClass];
        if (this.rng.bernoulli(hazard)) {
          team.leaversThisMonth++;
          this.releaseCases(w);
          post.holder = null;
          if (post.roleClass === "TM") {
            post.nextStart = m + 1;
            post.nextAgency = this.rng.bernoulli(0.3);
          } else {
            post.nextAgency = this.rng.bernoulli(AGENCY_RECRUIT_SHARE);
            post.nextStart = m + (post.nextAgency ? 1 + this.rng.geometric(0.6) : 2 + this.rng.geometric(0.4));
          }
        }
      }
    }
  }

  /** The team_month row for month m (after departures are decided). */
  private teamRow(team: TeamState, m: number, period: string): Row {
    const rng = this.rng;
    const abs = this.r.start + m;
    let establishment = 0, caseHoldingPosts = 0;
    for (const post of team.posts) {
      establishment += post.fte;
      if (post.roleClass !== "TM") caseHoldingPosts += post.fte;
    }
    // vacancy, agency and absence as they stood during the month (recorded before departures)
    const hist = team.history[team.history.length - 1];
    const vacant = hist.vacancyFte, agency = hist.agencyFte, lta = hist.ltaFte;
    const season = this.seasonal(abs);
    const lambda = team.service.spec.referralsPerFte * caseHoldingPosts * season * this.trend(m)
      * this.shift(team.spec.service, abs) * Math.exp(rng.normal(0, 0.04));
    const referrals = rng.poisson(lambda);
    const reReferrals = rng.binomial(referrals, 0.2);
    const unallocated = team.pool.length + rng.poisson(0.04 * referrals * season * season * (1 + 3 * (vacant / Math.max(1, establishment))));
    hist.establishment = establishment;
    hist.unallocated = unallocated;
    return {
      period, service: team.spec.service, team: team.spec.team, establishment_fte: round2(establishment), vacant_fte: round2(vacant),
      agency_fte: round2(agency), long_term_absence_fte: round2(lta), leavers: team.leaversThisMonth, referrals,
      re_referrals: reReferrals, unallocated_cases: unallocated,
    };
  }

  /** Progression, absences and moves at the end of month m. */
  private endOfMonth(m: number): void {
    const rng = this.rng;
    for (const team of this.teams) {
      for (const post of team.posts) {
        const w = post.holder;
        if (!w) continue;
        w.tenure++;
        if (w.asyeMonths < 12) {
          w.asyeMonths++;
          w.role = this.roleOf(post.roleClass, w.asyeMonths);
        }
        if (w.lta) {
          if (--w.ltaLeft <= 0) w.lta = null;
        } else if (rng.bernoulli(0.0025)) {
          w.lta = "sick";
          w.ltaLeft = 2 + rng.int(0, 4);
          this.releaseCases(w);
        } else if (w.female && rng.bernoulli(0.0025)) {
          w.lta = "maternity";
          w.ltaLeft = 6 + rng.int(0, 6);
          this.releaseCases(w);
        }
      }
    }
    // team moves into posts still waiting for a permanent recruit
    for (const team of this.teams) {
      for (const post of team.posts) {
        const w = post.holder;
        if (!w || w.lta || w.employment !== "permanent" || post.roleClass === "TM" || !rng.bernoulli(MOVE_MONTHLY)) continue;
        const candidates = this.teams.flatMap((t) => t === team ? [] : t.posts.filter((p) => !p.holder && p.roleClass === post.roleClass && p.nextStart > m + 1));
        if (!candidates.length) continue;
        const same = candidates.filter((p) => p.team.spec.service === team.spec.service);
        const dest = same.length && rng.bernoulli(0.7) ? rng.pick(same) : rng.pick(candidates);
        this.releaseCases(w);
        post.holder = null;
        post.nextAgency = rng.bernoulli(AGENCY_RECRUIT_SHARE);
        post.nextStart = m + (post.nextAgency ? 1 + rng.geometric(0.6) : 2 + rng.geometric(0.4));
        dest.holder = w;
        dest.nextStart = -1;
        w.post = dest;
        w.cdf = null;
        this.noteBiasScope(w);
      }
    }
  }

  /** Health-check rows (39 prompts) for a team at month `abs`, rated from its last three months. */
  private healthCheck(team: TeamState, abs: number, out: Row[]): void {
    const rng = this.hcRng;
    const h = team.history.slice(-3);
    const avg = (f: (x: TeamMonthSummary) => number) => h.reduce((s, x) => s + f(x), 0) / h.length;
    const cpf = avg((x) => x.caseloadPerFte);
    const agreed = team.service.spec.caseloadPerFte;
    const fte = Math.max(1, avg((x) => x.fteSum));
    const est = Math.max(1, avg((x) => x.establishment));
    const vac = avg((x) => x.vacancyFte), ag = avg((x) => x.agencyFte);
    const supRate = h.reduce((s, x) => s + x.supHeld, 0) / Math.max(1, h.reduce((s, x) => s + x.supPlanned, 0));
    const sick = h.reduce((s, x) => s + x.sickDays, 0) / fte;
    const reviews = h.reduce((s, x) => s + x.reviews, 0);
    const unalloc = h[h.length - 1].unallocated;
    const toil = avg((x) => x.toilMean);
    const asye = avg((x) => x.asye), students = avg((x) => x.students);
    const over = h[h.length - 1].overAgreed;
    const stress: Record<string, number> = {
      caseload: (cpf / agreed - 1) / 0.12,
      unallocated: unalloc / fte / 0.5 - 0.5,
      vacancy: ((vac + 0.5 * ag) / est) / 0.08 - 0.5,
      supervision: (1 - supRate) / 0.1 - 0.5,
      sickness: (sick - 1.5) / 1.0,
      reviews: (reviews / (fte * 3)) / 0.02 - 0.5,
      toil: (toil - 4) / 3,
      asye: 0,
      students: 0,
      general: 0,
    };
    const day = this.checkDay(abs);
    const checkDate = dateString(abs, day);
    const notesFor: Record<string, () => string> = {
      caseload: () => `Average caseload ${round1(cpf)} per FTE against an agreed ${agreed}; ${over} staff above the agreed level.`,
      unallocated: () => `${unalloc} cases unallocated at month end.`,
      vacancy: () => `${round1(vac)} FTE vacant and ${round1(ag)} FTE agency cover in a team of ${round1(est)} FTE.`,
      supervision: () => `${Math.round(supRate * 100)}% of planned supervision sessions held over the last three months.`,
      sickness: () => `${round1(sick)} sickness days per FTE over the last three months.`,
      reviews: () => `${reviews} caseload reviews requested over the last three months.`,
      toil: () => `Average TOIL balance ${round1(toil)} hours.`,
      asye: () => `${Math.round(asye)} ASYE(s); protected caseloads discussed.`,
      students: () => `${Math.round(students)} practice educator(s) supporting students.`,
      general: () => rng.pick(GENERAL_NOTES),
    };
    HEALTH_CHECK_PROMPT_DRIVERS.forEach((driver, i) => {
      let rating: string;
      let notes: string | null = null;
      if ((driver === "asye" && asye < 0.5) || (driver === "students" && students < 0.5) || (driver === "general" && rng.bernoulli(0.015))) {
        rating = "n/a";
        notes = driver === "asye" ? "No ASYEs in the team." : driver === "students" ? "No students placed this year." : null;
      } else {
        const score = 0.2 + 0.9 * stress[driver] + team.effect + rng.normal(0, 0.45);
        rating = score < 0.8 ? "green" : score < 1.6 ? "amber" : "red";
        const pNote = rating === "red" ? 0.8 : rating === "amber" ? 0.5 : 0.15;
        if (rng.bernoulli(pNote)) notes = notesFor[driver]();
      }
      let disagreement: string | null = null;
      let nextStep: string | null = null;
      if (rating !== "n/a" && rating !== "red" && rng.bernoulli(stress[driver] > 0.8 ? 0.15 : 0.015)) {
        const worse = rating === "green" ? "amber" : "red";
        disagreement = `Practitioners rated this ${worse}; the manager's assessment was ${rating}.`;
        nextStep = "Escalated to the Head of Service; to be revisited at the next health check.";
      } else if (rating === "red" && rng.bernoulli(0.7)) {
        nextStep = rng.pick(NEXT_STEPS[driver] ?? NEXT_STEPS.general);
      } else if (rating === "amber" && rng.bernoulli(0.2)) {
        nextStep = "Team manager to monitor and report back in three months.";
      }
      out.push({
        check_date: checkDate, service: team.spec.service, team: team.spec.team, prompt: i + 1, rating, notes, disagreement, next_step: nextStep,
      });
    });
  }

  /** A Tuesday-Thursday between the 8th and 26th of month `abs` for the team's health-check session. */
  private checkDay(abs: number): number {
    const y = Math.floor(abs / 12), mo = abs - y * 12;
    for (let tries = 0; tries < 50; tries++) {
      const d = this.hcRng.int(8, 26);
      const dow = new Date(Date.UTC(y, mo, d)).getUTCDay();
      if (dow >= 2 && dow <= 4) return d;
    }
    return 15;
  }

}

const GENERAL_NOTES: readonly string[] = [
  "Discussed at the team meeting; no new concerns raised.",
  "Some improvement since the last check.",
  "Staff asked for more business support with minutes and letters.",
  "Laptop and case recording system problems raised again.",
  "Hot-desking makes confidential calls difficult.",
  "Team values peer support and group supervision.",
  "Travel time across the county not reflected in the workload scheme.",
  "Induction for new starters described as good.",
];

const NEXT_STEPS: Readonly<Record<string, readonly string[]>> = {
  caseload: ["Service manager to review allocations and cap new allocations for staff above the agreed level.", "Request agency cover to bring caseloads back to the agreed level."],
  unallocated: ["Weekly unallocated-cases meeting with the service manager until the list is cleared."],
  vacancy: ["Recruitment campaign agreed; interim agency cover approved."],
  supervision: ["Supervision dates fixed for the next six months and monitored monthly."],
  sickness: ["Wellbeing check-ins and occupational health referrals offered."],
  reviews: ["Caseload reviews to be completed within two weeks of the request."],
  toil: ["TOIL to be taken within three months; manager to agree dates."],
  general: ["Action plan agreed with the team; review at the next health check."],
};

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/**
 * The ratio a bias entry actually plants: its ratio, times (for a complexity
 * bias) the largest shortfall `fitComplexityBias` imposes in any team it
 * covers (teams where several entries combine are fitted on the product).
 */
function achievedBiasRatio(r: Resolved, b: BiasSpec, teams: TeamSpec[]): number {
  if (b.measure !== "complexity") return b.ratio;
  let factor = 1;
  for (const t of teams) {
    const combined = r.bias
      .filter((o) => o.measure === "complexity" && o.service === t.service && (o.team === undefined || o.team === t.team))
      .reduce((p, o) => p * o.ratio, 1);
    const spec = r.services.find((s) => s.name === t.service)!;
    const f = fitComplexityBias(tiltReach(schemeCells(spec)), combined).applied / combined;
    if (Math.abs(Math.log(f)) > Math.abs(Math.log(factor))) factor = f;
  }
  return b.ratio * factor;
}

/** Builds the `truth` object (planted facts) for resolved options. */
function buildTruth(r: Resolved): SampleTruth {
  const mean = r.seasonal.reduce((s, f) => s + f, 0) / 12;
  return {
    synthetic: true,
    seasonalFactors: [...r.seasonal],
    peakMonths: r.seasonal.map((f, i) => [f, i + 1] as const).filter(([f]) => f >= mean * 1.05).map(([, i]) => i),
    troughMonths: r.seasonal.map((f, i) => [f, i + 1] as const).filter(([f]) => f <= mean * 0.9).map(([, i]) => i),
    caseloadSeasonalDamping: CASELOAD_SEASONAL_DAMPING,
    trendPerYear: r.trend,
    levelShift: r.levelShift ? { ...r.levelShift } : null,
    bias: r.bias.map((b) => {
      const teams = r.teams.filter((t) => t.service === b.service && (b.team === undefined || b.team === t.team));
      return { ...b, teams: teams.map((t) => t.team), achievedRatio: achievedBiasRatio(r, b, teams), workers: { ethnicMinority: 0, whiteBritish: 0, total: 0 } };
    }),
    seniorLikelihoodRatio: r.seniorLR,
    seniorLikelihoodRatioApplied: r.seniorLR,
    seniorRoles: SENIOR_ROLES,
    ethnicMinorityShare: r.emShare,
    personalEffectSd: PERSONAL_SD,
    personalComplexitySd: PERSONAL_CX_SD,
    mixBalancing: MIX_BALANCING,
    monthlyCaseloadNoiseSd: MONTHLY_NOISE_SD,
    complexityPointsRule: "points = round(default points x (1 + 0.25 x (complexity - default complexity)), 1 decimal), >= 0",
    complexityBlankShare: COMPLEXITY_BLANK_SHARE,
    roleCaseloadFactor: { ...ROLE_CASELOAD },
    roleComplexityFactor: { ...ROLE_COMPLEXITY },
    turnover: { permanentMonthly: LEAVE_PERMANENT, permanentMonthlyByPostClass: { ...LEAVE_PERMANENT_BY_CLASS }, agencyMonthly: LEAVE_AGENCY },
    sicknessSeasonalFactors: [...SICKNESS_SEASONAL_FACTORS],
    healthCheckPeriods: [...r.checkPeriods],
    healthCheckPromptDrivers: [...HEALTH_CHECK_PROMPT_DRIVERS],
    teams: r.teams.map((t) => ({ ...t })),
  };
}

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
    employer: r.employer, seed: r.seed, startPeriod: periodString(r.start), endPeriod: periodString(r.start + r.months - 1),
    months: r.months, synthetic: true,
  };
  return {
    meta,
    truth,
    *chunks() {
      const sim = new Simulation(r);
      truth.seniorLikelihoodRatioApplied = sim.seniorApplied;
      yield* sim.run();
      sim.biasWorkers.forEach((s, i) => {
        truth.bias[i].workers = { ethnicMinority: s.em.size, whiteBritish: s.wb.size, total: s.all.size };
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
