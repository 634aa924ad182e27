/**
 * Public types of the synthetic sample employer, and the contract tables and roles it emits.
 * The tables, their columns and the roles are read from the input contract (core/contract.ts),
 * and the senior roles from the config defaults (core/defaults.ts), so the generator cannot
 * drift from them.
 */
import { CONTRACT, DEFAULT_ROLES, TABLE_NAMES as CONTRACT_TABLE_NAMES, type TableName } from "../../core/contract.ts";
import { DEFAULT_SENIOR_ROLES } from "../../core/defaults.ts";

export type { TableName };

/** A cell of a contract table: text, number, boolean, or null for an empty cell. */
export type Cell = string | number | boolean | null;
/** One row of a contract table: contract column name -> value. */
export type Row = Record<string, Cell>;
/** All tables of a generated employer, keyed by contract table name. */
export type SampleTables = Record<TableName, Row[]> & Record<string, Row[]>;

/** Contract table names, in the order the generator emits them (the contract's order). */
export const TABLE_NAMES: readonly TableName[] = CONTRACT_TABLE_NAMES;

/** Contract column names of each table, in contract order. */
export const TABLE_COLUMNS: Readonly<Record<TableName, readonly string[]>> = (() => {
  const columns = {} as Record<TableName, readonly string[]>;
  for (const t of CONTRACT_TABLE_NAMES) columns[t] = CONTRACT[t].columns.map((c) => c.name);
  return columns;
})();

/** Roles of the contract's default role list. */
export type Role = (typeof DEFAULT_ROLES)[number];
/** Every role the generator can emit: the contract's default roles. */
export const ROLES: readonly Role[] = DEFAULT_ROLES;
/** Roles counted as senior for `seniorLikelihoodRatio`: the workspace config's default senior roles. */
export const SENIOR_ROLES: readonly Role[] = DEFAULT_SENIOR_ROLES.filter((r): r is Role => (ROLES as readonly string[]).includes(r));

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
  /**
   * First month (0 = the first month of the data) from which the bias applies to new
   * allocations; default 0 (throughout). Cases allocated before it keep their unbiased mix, so
   * holdings show the bias only gradually while new allocations show it at once.
   */
  fromMonth?: number;
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
  /** planted biases; default: 1.5 complexity bias in the first Safeguarding and Support team (in the demo its largest); [] = none */
  bias?: BiasSpec[];
  /**
   * Experience and complexity (a confounder, not a bias): each year since qualifying, up to `cap`
   * years, multiplies the complexity of the cases a worker is allocated by `perYear`; and
   * ethnic-minority social workers qualified `ethnicMinorityExtraYears` earlier than others in
   * the same post class. Default: neither (perYear 1, 0 extra years).
   */
  experience?: { perYear?: number; cap?: number; ethnicMinorityExtraYears?: number };
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
  /**
   * The optional HR tables (appraisal, progression, training, review_request, leave) and their
   * planted patterns (loaders/sample/hr.ts); `false` = no HR tables. Default: all five, with the
   * demo's patterns in Safeguarding and Support.
   */
  hr?: HrOptions | false;
}

/**
 * The planted patterns of the HR tables, each for ethnic-minority workers (excluding White
 * minorities) in `service` against everyone else; a ratio of 1 (or 0 days) turns one off.
 */
export interface HrOptions {
  /** P(top rating) relative to others at the same workload band (default 0.6) */
  ratingTopLR?: number;
  /** P(appointed | shortlisted for a vacancy) relative to others (default 0.6) */
  appointLR?: number;
  /** P(cases reallocated | a caseload review request) relative to others (default 0.6) */
  reviewReallocLR?: number;
  /** P(training request approved) relative to others (default 1: none planted) */
  trainingApproveLR?: number;
  /** leave days carried over per FTE for each unit of the team's caseload above the agreed level (default 30; 0 = none) */
  carryOverPerExcess?: number;
  /** the service of the three ethnicity patterns (default Safeguarding and Support, else the first service) */
  service?: string;
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
