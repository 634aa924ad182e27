/**
 * The input contract of docs/returns.md as data: every table, column, type, range and key.
 * Ingest, validation, the Excel template and the docs all read from here, so the contract
 * is written down once.
 */

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
  /** Allowed values come from the workspace config (e.g. roles). */
  allowedFromConfig?: "roles";
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
}

export const TABLE_NAMES = [
  "points_scheme",
  "staff",
  "worker_month",
  "case_month",
  "team_month",
  "health_check",
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

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

/** A plain-English statement of what a column expects, for error messages. */
export function expectation(col: ColumnSpec, roles?: readonly string[]): string {
  const allowed = col.allowedFromConfig === "roles" ? roles ?? DEFAULT_ROLES : col.allowed;
  if (allowed) return `one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
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
