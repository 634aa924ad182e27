/**
 * The input contract of docs/returns.md as data: every table, column, type, range and key.
 * Ingest, validation, the Excel template and the docs all read from here, so the contract
 * is written down once.
 */
import { DEFAULT_APPRAISAL_RATINGS } from "./defaults.ts";

export type ColumnType = "string" | "period" | "integer" | "number" | "boolean" | "date";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  required: boolean;
  /** Inclusive lower bound, or exclusive when `minExclusive`. */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  /** Allowed values, matched case-insensitively and stored in this canonical spelling. */
  allowed?: readonly string[];
  /** Allowed values come from the workspace config (roles, or the appraisal rating scale). */
  allowedFromConfig?: "roles" | "appraisal_ratings";
  /** A year (an integer column) at most this many years after the current one (e.g. a leave year that ends next year). */
  maxYearAhead?: number;
  /** A required column whose cells may still be blank (ethnicity: blank means Not known). */
  blankAllowed?: boolean;
  description: string;
  /** Shown as an input hint in the Excel template. */
  hint?: string;
}

export interface TableSpec {
  name: TableName;
  grain: string;
  columns: ColumnSpec[];
  /** Must be unique within one file, and is unique in the current version of the table. */
  key: string[];
  /**
   * A newer load replaces every stored row that shares any of these scopes with a row of the
   * new load (the earlier rows stay in history, marked superseded).
   */
  replaceScopes: string[][];
  /** Rules between the columns of one row (e.g. a resolved date not before the request). */
  rules?: RowRule[];
}

/**
 * A rule between the columns of one row, checked at ingest with the column checks. The SQL is
 * over the typed columns (by their contract names) and each column's trimmed text as
 * `raw__<name>`; a row for which `bad` is true is refused, naming `column`, the value `value`
 * and what was `expected`.
 */
export interface RowRule {
  column: string;
  bad: string;
  value: string;
  expected: string;
}

export const TABLE_NAMES = [
  "points_scheme",
  "staff",
  "worker_month",
  "case_month",
  "team_month",
  "health_check",
  // the optional HR tables (docs/returns.md, "Optional HR tables")
  "appraisal",
  "progression",
  "training",
  "review_request",
  "leave",
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** The optional tables an employer's HR system can supply (any subset, with or without the monthly tables). */
export const HR_TABLE_NAMES = ["appraisal", "progression", "training", "review_request", "leave"] as const satisfies readonly TableName[];
export type HrTableName = (typeof HR_TABLE_NAMES)[number];

/** progression.route: an advertised post, or a progression panel on evidence. */
export const PROGRESSION_ROUTES = ["vacancy", "panel"] as const;
/** progression.outcome. */
export const PROGRESSION_OUTCOMES = ["appointed", "not appointed", "withdrawn", "pending"] as const;
/** training.kind: development beyond mandatory training. */
export const TRAINING_KINDS = ["post-qualifying", "non-mandatory CPD", "study leave", "secondment"] as const;
/** training.outcome. */
export const TRAINING_OUTCOMES = ["approved", "declined", "pending"] as const;
/** review_request.reason. */
export const REVIEW_REASONS = ["unsafe caseload", "complexity", "wellbeing", "other"] as const;
/** review_request.outcome. */
export const REVIEW_OUTCOMES = ["cases reallocated", "support added", "no change", "pending"] as const;

export const DEFAULT_ROLES = [
  "ASYE",
  "Social Worker",
  "Senior Practitioner",
  "Advanced Practitioner",
  "Team Manager",
  "Social Work Assistant",
] as const;

export const RATINGS = ["green", "amber", "red", "n/a"] as const;

const period: ColumnSpec = {
  name: "period",
  type: "period",
  required: true,
  description: "the calendar month, YYYY-MM",
  hint: "YYYY-MM, e.g. 2025-09",
};
const service: ColumnSpec = { name: "service", type: "string", required: true, description: "service name" };
const team: ColumnSpec = { name: "team", type: "string", required: true, description: "team name, unique within its service" };
const workerId: ColumnSpec = {
  name: "worker_id",
  type: "string",
  required: true,
  description: "pseudonymous worker identifier, stable over time",
  hint: "pseudonymous ID, never a name",
};
const days = (name: string, required: boolean, description: string): ColumnSpec => ({ name, type: "number", required, min: 0, max: 366, description, hint: "days, e.g. 27.5" });
const count = (name: string, description: string): ColumnSpec => ({ name, type: "integer", required: false, min: 0, description });
const amount = (name: string, description: string): ColumnSpec => ({ name, type: "number", required: false, min: 0, description });

export const CONTRACT: Record<TableName, TableSpec> = {
  points_scheme: {
    name: "points_scheme",
    grain: "one row per service and case type",
    key: ["service", "case_type"],
    replaceScopes: [["service"]],
    columns: [
      service,
      { name: "case_type", type: "string", required: true, description: "a case type of the service's points scheme" },
      { name: "points", type: "number", required: true, min: 0, description: "default points for this case type" },
      { name: "complexity", type: "integer", required: false, min: 1, max: 5, description: "1 (lowest) to 5 (highest)" },
    ],
  },
  staff: {
    name: "staff",
    grain: "one row per worker",
    key: ["worker_id"],
    replaceScopes: [["worker_id"]],
    columns: [
      workerId,
      {
        name: "ethnicity",
        type: "string",
        required: true,
        blankAllowed: true,
        description: "DfE census main code (e.g. WBRI) or ONS 2021 category label; blank means Not known",
        hint: "DfE code such as WBRI, BAFR, REFU",
      },
      { name: "gender", type: "string", required: false, allowed: ["Female", "Male", "Other", "Prefer not to say"], description: "gender" },
      { name: "qualified_year", type: "integer", required: false, min: 1950, description: "year of social work qualification" },
    ],
  },
  worker_month: {
    name: "worker_month",
    grain: "one row per worker per month",
    key: ["period", "worker_id"],
    replaceScopes: [
      ["period", "service", "team"],
      ["period", "worker_id"],
    ],
    columns: [
      period,
      workerId,
      service,
      team,
      { name: "role", type: "string", required: true, allowedFromConfig: "roles", description: "the worker's role" },
      { name: "fte", type: "number", required: true, min: 0, minExclusive: true, max: 1, description: "full-time equivalent, 0 < fte <= 1", hint: "0 < fte <= 1" },
      { name: "employment", type: "string", required: false, allowed: ["permanent", "agency"], description: "permanent or agency" },
      amount("non_case_points", "agreed points for non-case work"),
      count("supervision_planned", "supervision sessions due this month"),
      count("supervision_held", "supervision sessions that took place"),
      { name: "sickness_days", type: "number", required: false, min: 0, max: 31, description: "days of sickness absence this month" },
      amount("toil_hours", "time off in lieu accrued and not yet taken"),
      { name: "review_requested", type: "boolean", required: false, description: "the worker asked for a caseload review", hint: "yes / no" },
    ],
  },
  case_month: {
    name: "case_month",
    grain: "one row per case held by a worker in a month",
    key: ["period", "worker_id", "case_ref"],
    replaceScopes: [["period", "worker_id"]],
    columns: [
      period,
      workerId,
      { name: "case_ref", type: "string", required: true, description: "pseudonymous case reference" },
      { name: "case_type", type: "string", required: true, description: "a case type of the worker's service's points scheme" },
      { name: "points", type: "number", required: true, min: 0, description: "workload points agreed for this case this month" },
      { name: "complexity", type: "integer", required: false, min: 1, max: 5, description: "1 (lowest) to 5 (highest)" },
      { name: "allocated_on", type: "date", required: false, description: "date the case was allocated to this worker", hint: "a date, e.g. 2025-09-14" },
    ],
  },
  team_month: {
    name: "team_month",
    grain: "one row per team per month",
    key: ["period", "service", "team"],
    replaceScopes: [["period", "service", "team"]],
    columns: [
      period,
      service,
      team,
      amount("establishment_fte", "funded posts (FTE)"),
      amount("vacant_fte", "unfilled posts (FTE)"),
      amount("agency_fte", "posts covered by agency or temporary staff (FTE)"),
      amount("long_term_absence_fte", "post-holders on long-term sick or maternity leave (FTE)"),
      count("leavers", "workers who left this month"),
      count("referrals", "new referrals this month"),
      count("re_referrals", "referrals within 12 months of a previous one"),
      count("unallocated_cases", "cases waiting for allocation at month end"),
    ],
  },
  health_check: {
    name: "health_check",
    grain: "one row per team, health check and prompt",
    key: ["check_date", "service", "team", "prompt"],
    replaceScopes: [["check_date", "service", "team"]],
    columns: [
      { name: "check_date", type: "date", required: true, description: "date of the team's health-check session" },
      service,
      team,
      { name: "prompt", type: "integer", required: true, min: 1, max: 39, description: "prompt number, 1 to 39" },
      { name: "rating", type: "string", required: false, allowed: RATINGS, description: "green, amber, red or n/a" },
      { name: "notes", type: "string", required: false, description: "what the team recorded" },
      { name: "disagreement", type: "string", required: false, description: "an area where staff disagree with the manager's assessment" },
      { name: "next_step", type: "string", required: false, description: "the agreed action" },
    ],
  },
  appraisal: {
    name: "appraisal",
    grain: "one row per worker per appraisal (performance review) concluded",
    key: ["worker_id", "period"],
    replaceScopes: [["period"]],
    columns: [
      workerId,
      { ...period, description: "the month the appraisal was concluded" },
      { name: "rating", type: "string", required: true, allowedFromConfig: "appraisal_ratings", description: "the employer's rating, from its scale (appraisal_ratings in fairload.json, best first)" },
      { name: "moderated", type: "boolean", required: false, description: "whether the rating went through moderation", hint: "yes / no" },
      { name: "reviewer_role", type: "string", required: false, description: "role of the appraising manager (free text, e.g. Team Manager)" },
    ],
  },
  progression: {
    name: "progression",
    grain: "one row per worker per application to a more senior role or progression panel",
    key: ["worker_id", "period", "route", "to_role"],
    replaceScopes: [["period"]],
    columns: [
      workerId,
      { ...period, description: "the month of the decision" },
      { name: "route", type: "string", required: true, allowed: PROGRESSION_ROUTES, description: "vacancy (an advertised post) or panel (a progression panel on evidence)" },
      { name: "to_role", type: "string", required: true, allowedFromConfig: "roles", description: "the role applied for, one of the configured roles" },
      { name: "shortlisted", type: "boolean", required: false, description: "for a vacancy: shortlisted for interview", hint: "yes / no (vacancies)" },
      { name: "outcome", type: "string", required: true, allowed: PROGRESSION_OUTCOMES, description: "appointed, not appointed, withdrawn or pending" },
    ],
    rules: [
      {
        column: "shortlisted",
        bad: `route = 'vacancy' AND outcome = 'appointed' AND shortlisted = false`,
        value: `raw__shortlisted`,
        expected: "an appointment to a vacancy without shortlisting; expected shortlisted to be yes (or blank) when a vacancy's outcome is appointed",
      },
    ],
  },
  training: {
    name: "training",
    grain: "one row per worker per request for development beyond mandatory training",
    key: ["worker_id", "period", "kind"],
    replaceScopes: [["period"]],
    columns: [
      workerId,
      { ...period, description: "the month of the decision" },
      { name: "kind", type: "string", required: true, allowed: TRAINING_KINDS, description: "post-qualifying, non-mandatory CPD, study leave or secondment" },
      days("days", false, "days requested"),
      { name: "outcome", type: "string", required: true, allowed: TRAINING_OUTCOMES, description: "approved, declined or pending" },
    ],
  },
  review_request: {
    name: "review_request",
    grain: "one row per request by a worker for their caseload to be re-evaluated",
    key: ["worker_id", "requested_on"],
    replaceScopes: [["worker_id", "requested_on"]],
    columns: [
      workerId,
      { name: "requested_on", type: "date", required: true, description: "the date of the request", hint: "a date, e.g. 2025-09-14" },
      { name: "reason", type: "string", required: false, allowed: REVIEW_REASONS, description: "unsafe caseload, complexity, wellbeing or other" },
      { name: "outcome", type: "string", required: false, allowed: REVIEW_OUTCOMES, description: "cases reallocated, support added, no change or pending" },
      { name: "resolved_on", type: "date", required: false, description: "when the outcome was agreed", hint: "a date on or after requested_on" },
    ],
    rules: [
      {
        column: "resolved_on",
        bad: `resolved_on < requested_on`,
        value: `raw__resolved_on || ' (requested_on ' || raw__requested_on || ')'`,
        expected: "the request is resolved before it was made; expected resolved_on on or after requested_on",
      },
      {
        column: "resolved_on",
        bad: `resolved_on IS NOT NULL AND outcome = 'pending'`,
        value: `raw__resolved_on || ' (outcome ' || raw__outcome || ')'`,
        expected: "a pending request has a resolved date; expected resolved_on blank while the outcome is pending (or the outcome agreed on that date)",
      },
    ],
  },
  leave: {
    name: "leave",
    grain: "one row per worker per leave year",
    key: ["worker_id", "leave_year"],
    replaceScopes: [["worker_id", "leave_year"]],
    columns: [
      workerId,
      { name: "leave_year", type: "integer", required: true, min: 2000, maxYearAhead: 1, description: "the year the leave year ends", hint: "YYYY, e.g. 2026" },
      days("entitlement_days", true, "annual leave entitlement, pro rata to FTE"),
      days("taken_days", true, "days taken"),
      days("carried_over_days", false, "days carried into the next leave year"),
      days("paid_in_lieu_days", false, "days paid instead of taken (e.g. on leaving)"),
    ],
  },
};

/** `Worker ID`, ` worker-id ` and `WORKER_ID` all become `worker_id`. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase()
    .replace(/[\s\-./]+/g, "_")
    .replace(/[^a-z0-9_]/g, "")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
}

/** The contract table a file or sheet name stands for, or undefined. */
export function tableForName(name: string): TableName | undefined {
  const base = normaliseHeader(name.replace(/\.(csv|tsv|txt|parquet|xlsx)$/i, ""));
  return (TABLE_NAMES as readonly string[]).includes(base) ? (base as TableName) : undefined;
}

const PERSONAL_EXACT = new Set([
  "name", "names", "forename", "forenames", "firstname", "first_name", "given_name", "surname", "lastname",
  "last_name", "family_name", "fullname", "full_name", "middle_name", "dob", "date_of_birth", "birth_date",
  "birthdate", "birthday", "address", "home_address", "street", "postcode", "post_code", "zip", "zipcode",
  "ni", "nino", "ni_no", "ni_number", "national_insurance", "national_insurance_number", "email", "e_mail",
  "email_address", "phone", "phone_number", "telephone", "tel", "mobile", "mobile_number",
]);
const PERSONAL_TOKENS = new Set(["forename", "surname", "firstname", "lastname", "fullname", "dob", "birthday", "postcode", "nino", "email", "telephone", "mobile"]);
const NAME_OK_PREFIXES = new Set(["team", "service", "scheme", "file", "sheet", "case", "case_type", "role", "la", "local_authority", "employer", "unit", "org", "organisation", "organization", "project", "locality", "area", "region", "office"]);

/**
 * Why a column header looks like personal data the project never needs (names, dates of birth,
 * addresses, NI numbers, e-mail addresses, phone numbers), or undefined if it does not.
 */
export function personalDataReason(normalisedHeader: string): string | undefined {
  const h = normalisedHeader;
  const tokens = h.split("_");
  const what = (kind: string) =>
    `it looks like ${kind}, which fairload never needs and must not store; remove the column (identifiers must be pseudonymous)`;
  if (/(^|_)(date_of_birth|birth_date|dob)($|_)/.test(h)) return what("a date of birth");
  if (/(^|_)(national_insurance|ni_number|ni_no|nino)($|_)/.test(h)) return what("a National Insurance number");
  if (/(^|_)(e_?mail)($|_)/.test(h)) return what("an e-mail address");
  if (/(^|_)(phone|telephone|mobile|tel)($|_)/.test(h)) return what("a phone number");
  if (/(^|_)(address|postcode|post_code|street)($|_)/.test(h)) return what("an address");
  if (PERSONAL_EXACT.has(h) || tokens.some((t) => PERSONAL_TOKENS.has(t))) return what("a person's name or contact details");
  if (/(^|_)names?$/.test(h)) {
    const prefix = h.replace(/_?names?$/, "");
    if (!NAME_OK_PREFIXES.has(prefix)) return what("a person's name");
  }
  return undefined;
}

/** A SQL regular expression for values that are personal data whatever the header says. */
export const PERSONAL_VALUE_PATTERNS: { kind: string; regex: string }[] = [
  { kind: "an e-mail address", regex: "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}" },
  { kind: "a National Insurance number", regex: "^\\s*[A-CEGHJ-PR-TW-Z]{2}\\s?[0-9]{2}\\s?[0-9]{2}\\s?[0-9]{2}\\s?[A-D]\\s*$" },
  { kind: "a UK phone number", regex: "^\\s*(\\+44\\s?|0)7\\d{3}\\s?\\d{6}\\s*$" },
  { kind: "a UK postcode", regex: "^\\s*[A-Z]{1,2}[0-9][A-Z0-9]?\\s+[0-9][A-Z]{2}\\s*$" },
];

/** The allowed values of a column: its own list, or the configured roles or appraisal ratings. */
export function allowedValues(col: ColumnSpec, roles?: readonly string[], ratings?: readonly string[]): readonly string[] | undefined {
  if (col.allowedFromConfig === "roles") return roles ?? DEFAULT_ROLES;
  if (col.allowedFromConfig === "appraisal_ratings") return ratings ?? DEFAULT_APPRAISAL_RATINGS;
  return col.allowed;
}

/** A plain-English statement of what a column expects, for error messages. */
export function expectation(col: ColumnSpec, roles?: readonly string[], ratings?: readonly string[]): string {
  const allowed = allowedValues(col, roles, ratings);
  if (allowed) return `one of ${allowed.map((a) => `"${a}"`).join(", ")}${col.allowedFromConfig === "appraisal_ratings" ? " (the rating scale, appraisal_ratings in fairload.json)" : ""}`;
  if (col.maxYearAhead !== undefined) return `a year (YYYY) from ${col.min ?? 1950} to ${new Date().getUTCFullYear() + col.maxYearAhead}`;
  switch (col.type) {
    case "period":
      return "a month as YYYY-MM that exists and is not in the future";
    case "date":
      return "a date (YYYY-MM-DD, DD/MM/YYYY or an Excel date) not in the future";
    case "boolean":
      return "true/false, yes/no, y/n or 1/0";
    case "integer":
    case "number": {
      const kind = col.type === "integer" ? "a whole number" : "a number";
      const lo = col.min === undefined ? "" : col.minExclusive ? `greater than ${col.min}` : `at least ${col.min}`;
      const hi = col.max === undefined ? "" : `at most ${col.max}`;
      return [kind, [lo, hi].filter(Boolean).join(" and ")].filter(Boolean).join(" ");
    }
    default:
      return "text";
  }
}

/*
 * Source tables that do not come in the monthly contract: the children's social work workforce
 * census (CSWW) and Ofsted's Annex A lists, read by `fairload ingest FILE.xml` and
 * `fairload ingest ANNEX_A.xlsx`, and the worker key map that joins them
 * (docs/census-and-annex-a.md). Like the contract tables each is stored with its full history as
 * `hist_<table>` (`_load_id`, `_source`, `_row`, `_superseded_by`) and read through a view of the
 * current version under its own name. Identifiers of people are pseudonymous ids made with the
 * workspace's keyed hash (core/pseudonym.ts); no name, SWE number, child id or date of birth is held.
 */

/** One column of a census or Annex A table: its name, DuckDB type and meaning. */
export interface SideColumn {
  name: string;
  sql: "VARCHAR" | "INTEGER" | "DOUBLE" | "BOOLEAN" | "DATE";
  description: string;
}

export interface SideTableSpec {
  name: SideTableName;
  grain: string;
  /** Unique in one load, and in the current version. */
  key: string[];
  /** A newer load with rows for the same scope replaces the stored rows of that scope; `[]` replaces every row. */
  replaceScope: string[];
  columns: SideColumn[];
}

export const SIDE_TABLE_NAMES = ["census_la", "census_worker", "annex_a_allocation", "worker_key_map", "data_quality_queries"] as const;
export type SideTableName = (typeof SIDE_TABLE_NAMES)[number];

const col = (name: string, sql: SideColumn["sql"], description: string): SideColumn => ({ name, sql, description });
const coded = (name: string, what: string): SideColumn[] => [col(`${name}_code`, "VARCHAR", `${what}: the code as sent`), col(`${name}_label`, "VARCHAR", `${what}: the code's label`)];

/** The Annex A columns after the common ones, by list (3 to 9): dates, counts, flags and codes. */
export const ANNEX_A_LIST_COLUMNS: SideColumn[] = [
  // List 3 referrals
  col("referral_date", "DATE", "List 3: date of referral"),
  ...coded("referral_source", "List 3: referral source"),
  col("referral_nfa", "BOOLEAN", "List 3: referral closed with no further action"),
  col("referrals_12m", "INTEGER", "List 3: number of referrals in the last 12 months"),
  // List 4 assessments
  col("assessment_start_date", "DATE", "List 4: continuous assessment start date"),
  col("assessment_child_seen", "BOOLEAN", "List 4: child seen during the assessment"),
  col("assessment_authorised_date", "DATE", "List 4: assessment date of authorisation"),
  col("assessment_needs_support", "BOOLEAN", "List 4: child assessed as requiring children's social care support"),
  // List 5 section 47 enquiries and ICPCs
  col("s47_start_date", "DATE", "List 5: strategy discussion initiating the section 47 enquiry"),
  col("icpc_not_needed", "BOOLEAN", "List 5: an initial child protection conference was deemed unnecessary"),
  col("icpc_date", "DATE", "List 5: date of the initial child protection conference"),
  col("icpc_led_to_plan", "BOOLEAN", "List 5: the ICPC resulted in a child protection plan"),
  col("s47_12m", "INTEGER", "List 5: section 47 enquiries in the last 12 months"),
  col("icpcs_12m", "INTEGER", "List 5: ICPCs in the last 12 months"),
  // List 6 children in need
  col("cin_start_date", "DATE", "List 6: CIN start date"),
  ...coded("primary_need", "List 6: primary need code (N0-N9)"),
  col("last_seen_date", "DATE", "List 6: date the child was last seen"),
  col("cin_closure_date", "DATE", "List 6: CIN closure date"),
  ...coded("closure_reason", "List 6: reason for closure"),
  ...coded("case_status", "List 6: case status"),
  // List 7 child protection plans
  col("cpp_start_date", "DATE", "List 7: child protection plan start date"),
  ...coded("initial_abuse_category", "List 7: initial category of abuse"),
  ...coded("latest_abuse_category", "List 7: latest category of abuse"),
  col("last_visit_date", "DATE", "Lists 7 and 8: date of the last statutory or social work visit"),
  col("seen_alone", "BOOLEAN", "List 7: the child was seen alone"),
  col("last_review_date", "DATE", "Lists 7 and 8: date of the latest review conference or statutory review"),
  col("cpp_end_date", "DATE", "List 7: child protection plan end date"),
  col("emergency_protection_6m", "BOOLEAN", "List 7: subject to an emergency protection order or police protection in the last six months"),
  col("previous_cpps", "INTEGER", "List 7: number of previous child protection plans"),
  // List 8 children looked after
  col("uasc", "BOOLEAN", "List 8: unaccompanied asylum-seeking child within the last 12 months"),
  col("cla_start_date", "DATE", "List 8: date started to be looked after"),
  ...coded("category_of_need", "List 8: category of need (N1-N8)"),
  col("second_period_12m", "BOOLEAN", "List 8: a second or later period of being looked after within 12 months"),
  col("legal_status_start_date", "DATE", "List 8: start date of the current legal status"),
  ...coded("legal_status", "List 8: legal status (SSDA903 code)"),
  ...coded("permanence_plan", "List 8: permanence plan"),
  col("placements_12m", "INTEGER", "List 8: number of placements in the last 12 months"),
  col("cla_end_date", "DATE", "List 8: date ceased to be looked after"),
  ...coded("reason_ceased", "List 8: reason ceased to be looked after"),
  col("placement_start_date", "DATE", "List 8: start date of the most recent placement"),
  ...coded("placement_type", "List 8: placement type"),
  ...coded("placement_location", "List 8: placement location (in or out of the authority's area)"),
  col("missing_episodes_12m", "INTEGER", "List 8: episodes missing from placement in the last 12 months"),
  col("absent_episodes_12m", "INTEGER", "List 8: episodes absent from placement in the last 12 months"),
  // List 9 care leavers
  ...coded("eligibility", "List 9: care leaver eligibility category"),
  ...coded("in_touch", "List 9: local authority in touch"),
  ...coded("accommodation_type", "List 9: type of accommodation"),
  col("accommodation_suitable", "BOOLEAN", "List 9: accommodation suitable"),
  ...coded("activity", "List 9: activity status"),
];

const incentive = (name: string, what: string) => col(name, "INTEGER", `2025 on: ${what} (0 no, 1 yes for all eligible, 2 yes for some)`);

export const SIDE_TABLES: Record<SideTableName, SideTableSpec> = {
  census_la: {
    name: "census_la",
    grain: "one row per local authority per census year (the return's header and authority-level block)",
    key: ["la_code", "census_year"],
    replaceScope: ["la_code", "census_year"],
    columns: [
      col("la_code", "VARCHAR", "the authority's 3-digit code (Header/Source/LEA)"),
      col("census_year", "INTEGER", "the census year (CollectionDetails/Year, else the year of the reference date)"),
      col("reference_date", "DATE", "the census reference date (30 September of the census year)"),
      col("declared_year", "INTEGER", "the Year element as sent (NULL when absent)"),
      col("workers", "INTEGER", "worker records in the return"),
      col("vacancies", "DOUBLE", "NumberOfVacancies: vacant FTE posts at 30 September"),
      col("agency_fte", "DOUBLE", "NoAgencyFTE: FTE of agency workers at 30 September"),
      col("agency_headcount", "INTEGER", "NoAgencyHeadcount: agency workers at 30 September"),
      incentive("recruitment_bonus", "recruitment bonus offered"),
      incentive("retention_bonus", "retention bonus offered"),
      incentive("performance_award", "performance award offered"),
      incentive("car_allowance", "car allowance offered"),
      incentive("relocation_package", "relocation package offered"),
      incentive("regional_weighting", "regional weighting paid"),
      incentive("cost_swe", "Social Work England registration fee paid"),
      incentive("cost_dbs", "DBS check paid"),
      col("other_allowances", "VARCHAR", "2025 on: other allowances (the authority's text, cut to 200 characters)"),
    ],
  },
  census_worker: {
    name: "census_worker",
    grain: "one row per worker per local authority and census year",
    key: ["la_code", "census_year", "worker_id"],
    replaceScope: ["la_code", "census_year"],
    columns: [
      col("la_code", "VARCHAR", "the authority's 3-digit code"),
      col("census_year", "INTEGER", "the census year"),
      col("worker_id", "VARCHAR", "pseudonymous worker id: keyed hash of the SWE registration number (cw_...)"),
      col("record", "INTEGER", "the worker's record number in the return (1 = first CSWWWorker)"),
      col("agency", "BOOLEAN", "AgencyWorker: true for an agency worker"),
      col("fte", "DOUBLE", "FTE: full-time equivalent in post (0 to 1)"),
      col("fte30", "DOUBLE", "FTE30: full-time equivalent at 30 September (0 to 1)"),
      col("role_code", "VARCHAR", "OrgRole code (1 to 6)"),
      col("role_label", "VARCHAR", "OrgRole label (senior manager ... case holder, qualified without cases)"),
      col("cases30", "INTEGER", "Cases30: cases held at 30 September"),
      col("working_days_lost", "DOUBLE", "WorkingDaysLost: days lost to sickness absence in the year"),
      col("contract_weeks", "DOUBLE", "ContractWeeks: weeks worked in the year (agency workers)"),
      col("absent30", "BOOLEAN", "Absat30Sept: absent at 30 September"),
      ...coded("absence_reason", "ReasonAbsence (MAT, OTH, PUB, SIC, TRN, UNA, UNP)"),
      col("role_start_date", "DATE", "RoleStartDate"),
      col("role_end_date", "DATE", "RoleEndDate (leavers)"),
      ...coded("start_origin", "StartOrigin: where the worker came from"),
      ...coded("leaver_destination", "LeaverDestination: where the leaver went"),
      ...coded("reason_leave", "ReasonLeave: why the worker left"),
      ...coded("qual_level", "QualLevel: 1 undergraduate, 2 postgraduate, 3 other"),
      col("step_up_grad", "BOOLEAN", "StepUpGrad: qualified through Step Up to Social Work"),
      col("frontline_grad", "BOOLEAN", "FrontlineGrad: qualified through Frontline"),
      ...coded("cfkss_status", "CFKSSstatus: child and family knowledge and skills status (to 2024)"),
      col("base_salary", "DOUBLE", "2025 on: BaseSalary"),
      col("rr_payments", "DOUBLE", "2025 on: RRPayments, recruitment and retention payments"),
      col("other_payments", "DOUBLE", "2025 on: OtherPayments"),
    ],
  },
  annex_a_allocation: {
    name: "annex_a_allocation",
    grain: "one row per child per Annex A list row with an allocated worker (Lists 3 to 9)",
    key: ["list", "sheet_row"],
    replaceScope: ["list"],
    columns: [
      col("list", "INTEGER", "the Annex A list (3 referrals, 4 assessments, 5 section 47 enquiries, 6 children in need, 7 child protection plans, 8 children looked after, 9 care leavers)"),
      col("list_name", "VARCHAR", "what the list holds"),
      col("sheet_row", "INTEGER", "the row of the list's sheet"),
      col("child_ref", "VARCHAR", "pseudonymous child id: keyed hash of the Child Unique ID (ch_...)"),
      col("team", "VARCHAR", "Allocated Team, as sent"),
      col("worker_ref", "VARCHAR", "pseudonymous allocated worker: keyed hash of the Allocated Worker's name or system id (aw_...)"),
      ...coded("child_gender", "the child's gender (1 male, 2 female, 0 not known, 9 not stated)"),
      col("child_ethnicity_code", "VARCHAR", "the child's ethnicity as a DfE main code (NOBT when blank)"),
      col("child_age_band", "VARCHAR", "the child's age band (under 1, 1-4, 5-9, 10-15, 16-17, 18 and over) from Age, else from the date of birth, which is not kept"),
      col("disability", "BOOLEAN", "Does the child have a disability"),
      ...ANNEX_A_LIST_COLUMNS,
    ],
  },
  worker_key_map: {
    name: "worker_key_map",
    grain: "one row per Annex A worker reference in the worker key map",
    key: ["worker_ref"],
    replaceScope: [],
    columns: [
      col("worker_ref", "VARCHAR", "keyed hash of the Annex A worker name or system id (as in annex_a_allocation)"),
      col("worker_id", "VARCHAR", "the fairload worker id it stands for: the keyed hash of an SWE number (as in census_worker) or a worker_id of the monthly returns"),
      col("worker_id_from", "VARCHAR", "swe (an SWE number, hashed) or worker_id (a fairload worker id, as given)"),
    ],
  },
  data_quality_queries: {
    name: "data_quality_queries",
    grain: "one row per data-quality query raised on an accepted census or Annex A return",
    key: ["source", "scope", "seq"],
    replaceScope: ["source", "scope"],
    columns: [
      col("source", "VARCHAR", "csww or annex_a"),
      col("scope", "VARCHAR", "what a newer return replaces: LA code and census year (`213/2024`) or the list (`List 3`)"),
      col("seq", "INTEGER", "the query's number within its scope"),
      col("location", "VARCHAR", "where: `worker record 12`, `sheet List 3, row 40`, or `return`"),
      col("element", "VARCHAR", "the element or column"),
      col("query", "VARCHAR", "what is queried, in words (never a personal value)"),
    ],
  },
};

/**
 * SQL that creates the history tables and current-version views of the census and Annex A tables
 * (idempotent). The view `annex_a_allocation` adds `worker_id` through the current worker key map,
 * so a map loaded before or after the workbook joins the same way.
 */
export function sideSchemaSql(): string[] {
  const out: string[] = [];
  for (const t of SIDE_TABLE_NAMES) {
    const spec = SIDE_TABLES[t];
    out.push(`CREATE TABLE IF NOT EXISTS hist_${t} (_load_id INTEGER NOT NULL, _source VARCHAR NOT NULL, _row BIGINT NOT NULL, ${spec.columns.map((c) => `"${c.name}" ${c.sql}`).join(", ")}, _superseded_by INTEGER)`);
  }
  for (const t of SIDE_TABLE_NAMES) {
    const cols = SIDE_TABLES[t].columns.map((c) => `h."${c.name}"`);
    if (t === "annex_a_allocation") {
      out.push(
        `CREATE OR REPLACE VIEW ${t} AS SELECT ${cols.join(", ")}, m.worker_id, h._load_id FROM hist_${t} h LEFT JOIN (SELECT worker_ref, worker_id FROM hist_worker_key_map WHERE _superseded_by IS NULL) m ON m.worker_ref = h.worker_ref WHERE h._superseded_by IS NULL`,
      );
    } else {
      out.push(`CREATE OR REPLACE VIEW ${t} AS SELECT ${cols.join(", ")}, h._load_id FROM hist_${t} h WHERE h._superseded_by IS NULL`);
    }
  }
  return out;
}
