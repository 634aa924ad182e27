/**
 * Ofsted's Annex A lists as fairload reads them: for each list, the columns it keeps and the
 * headers they are found under (matched loosely: case, punctuation and spacing aside, a header
 * equal to or starting with one of these). Columns not listed here are never read: in particular
 * the children's dates of birth (read only to work out an age band when Age is missing), workers'
 * and carers' names beyond the allocated worker, placement postcodes, providers and URNs.
 * Layout: Ofsted's published Annex A template (docs/census-and-annex-a.md).
 */
import type { CodeList } from "../census/codes.ts";
import { ABUSE_CATEGORY, LEGAL_STATUS, NEED_CODE } from "./codes.ts";

export type FieldType = "date" | "integer" | "boolean" | "coded" | "text";

export interface FieldSpec {
  /** The column of annex_a_allocation (coded fields: `<field>_code` and `<field>_label`). */
  field: string;
  type: FieldType;
  headers: string[];
  /** For coded fields: the code list that values must come from (otherwise any `code: label` text is kept). */
  codes?: CodeList;
}

/** Columns every list 3 to 9 has; `child_id`, `worker`, `dob` and `age` are read but never stored as such. */
export const COMMON_FIELDS: FieldSpec[] = [
  { field: "child_id", type: "text", headers: ["child unique id", "child unique identifier", "unique child id", "child id", "childuniqueid", "child ref", "child reference"] },
  { field: "gender", type: "text", headers: ["gender", "sex"] },
  { field: "ethnicity", type: "text", headers: ["ethnicity"] },
  { field: "dob", type: "text", headers: ["date of birth", "dob", "birth date"] },
  { field: "age", type: "text", headers: ["age of child years", "age of child", "age years", "age"] },
  { field: "disability", type: "boolean", headers: ["does the child have a disability", "disability", "disabled"] },
  { field: "team", type: "text", headers: ["allocated team", "team"] },
  { field: "worker", type: "text", headers: ["allocated worker", "allocated social worker", "allocated worker name", "allocated worker id", "worker"] },
];

export interface ListSpec {
  list: number;
  name: string;
  /** The list's main date (for the age band when only a date of birth is given). */
  mainDate?: string;
  fields: FieldSpec[];
}

const date = (field: string, ...headers: string[]): FieldSpec => ({ field, type: "date", headers });
const int = (field: string, ...headers: string[]): FieldSpec => ({ field, type: "integer", headers });
const bool = (field: string, ...headers: string[]): FieldSpec => ({ field, type: "boolean", headers });
const coded = (field: string, codes: CodeList | undefined, ...headers: string[]): FieldSpec => ({ field, type: "coded", headers, codes });

/** Lists 3 to 9: those with an allocated team and worker. */
export const LISTS: ListSpec[] = [
  {
    list: 3,
    name: "referrals",
    mainDate: "referral_date",
    fields: [
      date("referral_date", "date of referral", "referral date"),
      coded("referral_source", undefined, "referral source", "source of referral"),
      bool("referral_nfa", "referral nfa", "referral no further action", "nfa"),
      int("referrals_12m", "number of referrals in last 12 months", "number of referrals in the last 12 months", "referrals in last 12 months"),
    ],
  },
  {
    list: 4,
    name: "assessments",
    mainDate: "assessment_start_date",
    fields: [
      date("assessment_start_date", "continuous assessment start date", "assessment start date"),
      bool("assessment_child_seen", "child seen during continuous assessment", "child seen during assessment"),
      date("assessment_authorised_date", "continuous assessment date of authorisation", "assessment date of authorisation", "date of authorisation"),
      bool("assessment_needs_support", "was the child assessed as requiring la childrens social care support", "was the child assessed as requiring", "assessed as requiring"),
    ],
  },
  {
    list: 5,
    name: "section 47 enquiries and initial child protection conferences",
    mainDate: "s47_start_date",
    fields: [
      date("s47_start_date", "strategy discussion initiating section 47 enquiry start date", "section 47 enquiry start date", "s47 start date"),
      bool("icpc_not_needed", "was an initial child protection conference deemed unnecessary", "icpc deemed unnecessary"),
      date("icpc_date", "date of initial child protection conference", "icpc date"),
      bool("icpc_led_to_plan", "did the initial child protection conference result in a child protection plan", "did the icpc result in a child protection plan"),
      int("s47_12m", "number of section 47 enquiries in the last 12 months", "number of section 47 enquiries in last 12 months"),
      int("icpcs_12m", "number of icpcs in the last 12 months", "number of icpcs in last 12 months"),
    ],
  },
  {
    list: 6,
    name: "children in need",
    mainDate: "cin_start_date",
    fields: [
      date("cin_start_date", "cin start date"),
      coded("primary_need", NEED_CODE, "primary need code", "primary need"),
      date("last_seen_date", "date child was last seen", "date child last seen", "date last seen"),
      date("cin_closure_date", "cin closure date"),
      coded("closure_reason", undefined, "reason for closure", "closure reason"),
      coded("case_status", undefined, "case status"),
    ],
  },
  {
    list: 7,
    name: "child protection plans",
    mainDate: "cpp_start_date",
    fields: [
      date("cpp_start_date", "child protection plan start date", "cp plan start date"),
      coded("initial_abuse_category", ABUSE_CATEGORY, "initial category of abuse"),
      coded("latest_abuse_category", ABUSE_CATEGORY, "latest category of abuse"),
      date("last_visit_date", "date of the last statutory visit", "date of last statutory visit"),
      bool("seen_alone", "was the child seen alone"),
      date("last_review_date", "date of latest review conference", "date of last review conference"),
      date("cpp_end_date", "child protection plan end date", "cp plan end date"),
      bool("emergency_protection_6m", "subject to emergency protection order or protected under police powers", "subject to emergency protection order"),
      int("previous_cpps", "number of previous child protection plans"),
    ],
  },
  {
    list: 8,
    name: "children looked after",
    mainDate: "cla_start_date",
    fields: [
      bool("uasc", "unaccompanied asylum seeking child", "uasc"),
      date("cla_start_date", "date started to be looked after", "date started to be looked after la"),
      coded("category_of_need", NEED_CODE, "childs category of need", "category of need"),
      bool("second_period_12m", "is this a second or subsequent period of being a looked after child", "second or subsequent period"),
      date("legal_status_start_date", "start date of current legal status"),
      coded("legal_status", LEGAL_STATUS, "childs legal status", "legal status"),
      date("last_review_date", "date of latest statutory review", "date of last statutory review"),
      date("last_visit_date", "date of last social work visit"),
      coded("permanence_plan", undefined, "what is the permanence plan for this child", "permanence plan"),
      int("placements_12m", "number of placements in the last 12 months", "number of placements in last 12 months"),
      date("cla_end_date", "date ceased to be looked after"),
      coded("reason_ceased", undefined, "reason ceased to be looked after"),
      date("placement_start_date", "start date of most recent placement"),
      coded("placement_type", undefined, "placement type"),
      coded("placement_location", undefined, "placement location"),
      int("missing_episodes_12m", "number of episodes the child has been missing", "number of missing episodes"),
      int("absent_episodes_12m", "number of episodes the child has been absent", "number of absent episodes"),
    ],
  },
  {
    list: 9,
    name: "care leavers",
    fields: [
      coded("eligibility", undefined, "eligibility category"),
      coded("in_touch", undefined, "la in touch", "in touch"),
      coded("accommodation_type", undefined, "type of accommodation"),
      bool("accommodation_suitable", "suitability of accommodation"),
      coded("activity", undefined, "activity status"),
    ],
  },
];

/** The list a sheet name stands for (`List 3`, `List 03 - Referrals`, `list3`), or undefined. */
export function listNumber(sheetName: string): number | undefined {
  const m = /^\s*list\s*0?(\d{1,2})\b/i.exec(sheetName);
  return m ? Number(m[1]) : undefined;
}

/** A header as compared: lower case, apostrophes dropped, anything else not a letter or digit a space. */
export function headerKey(h: string): string {
  return h
    .toLowerCase()
    .replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Which header each field is under: a header equal to one of the field's names first, else one
 * that starts with one of them (the longest name wins). A header is given to one field only.
 */
export function matchHeaders(headers: string[], fields: FieldSpec[]): Map<string, number> {
  const keys = headers.map(headerKey);
  const out = new Map<string, number>();
  const taken = new Set<number>();
  for (const exact of [true, false]) {
    for (const f of fields) {
      if (out.has(f.field)) continue;
      let best = -1;
      let bestLen = 0;
      for (const [i, k] of keys.entries()) {
        if (taken.has(i) || !k) continue;
        for (const alias of f.headers.map(headerKey)) {
          const hit = exact ? k === alias : k.startsWith(`${alias} `);
          if (hit && alias.length > bestLen) {
            best = i;
            bestLen = alias.length;
          }
        }
      }
      if (best >= 0) {
        out.set(f.field, best);
        taken.add(best);
      }
    }
  }
  return out;
}
