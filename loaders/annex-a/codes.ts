/**
 * Code lists used in Annex A's coded columns, and the normalisation of a coded cell: the letter
 * prefix of the template's drop-downs (`a) WBRI`, `q) 6: Police`) is dropped, then the cell is
 * read as a code, a `code: label` pair, or a label. Sources: the children in need census
 * (primary need, gender), the child protection categories of abuse and the SSDA903 legal statuses
 * (docs/census-and-annex-a.md).
 */
import { normaliseEthnicity } from "../../core/ethnicity.ts";
import type { CodeList } from "../census/codes.ts";

/** Children in need census: gender (0 not known, 1 male, 2 female, 9 indeterminate). */
export const CHILD_GENDER: CodeList = { "0": "Not known", "1": "Male", "2": "Female", "9": "Indeterminate" };
const GENDER_WORDS: Record<string, string> = {
  male: "1", m: "1", boy: "1", female: "2", f: "2", girl: "2",
  "not stated recorded": "0", "not stated": "0", "not recorded": "0", "not known": "0", unknown: "0", u: "0",
  neither: "9", indeterminate: "9", other: "9",
};

/** Category of need / primary need (children in need census and SSDA903). */
export const NEED_CODE: CodeList = {
  N0: "Not stated",
  N1: "Abuse or neglect",
  N2: "Child's disability or illness",
  N3: "Parental disability or illness",
  N4: "Family in acute stress",
  N5: "Family dysfunction",
  N6: "Socially unacceptable behaviour",
  N7: "Low income",
  N8: "Absent parenting",
  N9: "Cases other than children in need",
};

/** Child protection plans: category of abuse. */
export const ABUSE_CATEGORY: CodeList = { NEG: "Neglect", PHY: "Physical abuse", SAB: "Sexual abuse", EMO: "Emotional abuse", MUL: "Multiple" };

/** SSDA903 legal status of a looked-after child. */
export const LEGAL_STATUS: CodeList = {
  C1: "Interim care order",
  C2: "Full care order",
  D1: "Freeing order granted",
  E1: "Placement order granted",
  J1: "Remanded to local authority or youth detention accommodation",
  J2: "Placed in local authority accommodation under PACE",
  J3: "Sentenced to a youth rehabilitation order with a residence or intensive fostering requirement",
  L1: "Under police protection and in local authority accommodation",
  L2: "Emergency protection order",
  L3: "Under a child assessment order and in local authority accommodation",
  V2: "Single period of accommodation under section 20",
  V3: "Accommodated under an agreed series of short-term breaks (individual episodes recorded)",
  V4: "Accommodated under an agreed series of short-term breaks (agreements recorded)",
};

/** The template's drop-down prefix: `a) `, `q) `, `(b) `. */
const LETTER_PREFIX = /^\(?[a-z]{1,2}\)\s*/i;
/** `6: Police`, `E1: Placement order`, `U6 - Foster placement`. */
const CODE_LABEL = /^([A-Za-z0-9]{1,6})\s*(?::|\s[-\u2013]\s)\s*(.+)$/;

export function stripPrefix(text: string): string {
  return text.trim().replace(LETTER_PREFIX, "").trim();
}

const fold = (s: string) => s.toLowerCase().replace(/['\u2019]/g, "").replace(/[^a-z0-9]+/g, " ").trim();

/**
 * A coded cell as code and label. With a code list, the value must be one of its codes (or a label
 * of one), else `undefined` (not recognised). Without one, `code: label` text gives both, a short
 * bare code gives the code, and other text the label.
 */
export function normaliseCoded(text: string, list?: CodeList): { code: string | null; label: string | null } | undefined {
  const t = stripPrefix(text);
  if (!t) return { code: null, label: null };
  const pair = CODE_LABEL.exec(t);
  if (list) {
    const byCode = (c: string) => {
      const k = Object.keys(list).find((x) => x.toUpperCase() === c.toUpperCase());
      return k ? { code: k, label: list[k]! } : undefined;
    };
    const byLabel = (l: string) => {
      const k = Object.keys(list).find((x) => fold(list[x]!) === fold(l));
      return k ? { code: k, label: list[k]! } : undefined;
    };
    return byCode(t) ?? (pair ? byCode(pair[1]!) : undefined) ?? byLabel(t);
  }
  if (pair) return { code: pair[1]!.toUpperCase(), label: pair[2]!.trim().slice(0, 100) };
  // a short bare code (`RC2`, `V2`, `YES`), not a word such as `Open`
  if (/^[A-Z0-9]{1,4}$/.test(t) || /^[A-Za-z]{0,3}\d{1,3}$/.test(t)) return { code: t.toUpperCase(), label: null };
  return { code: null, label: t.slice(0, 100) };
}

/** A gender cell (`b) Female`, `F`, `2`) as a children in need census code, or undefined. */
export function normaliseGender(text: string): { code: string; label: string } | undefined {
  const t = stripPrefix(text);
  const pair = CODE_LABEL.exec(t);
  const candidates = [t, ...(pair ? [pair[2]!, pair[1]!] : [])];
  for (const c of candidates) {
    if (c in CHILD_GENDER) return { code: c, label: CHILD_GENDER[c]! };
    const k = GENDER_WORDS[fold(c)];
    if (k) return { code: k, label: CHILD_GENDER[k]! };
  }
  return undefined;
}

/** An ethnicity cell (`a) WBRI`, `WBRI`, `White British`, `a) WBRI: White British`) as a DfE main code, or undefined. */
export function normaliseChildEthnicity(text: string): string | undefined {
  const t = stripPrefix(text);
  const pair = CODE_LABEL.exec(t);
  return (normaliseEthnicity(t) ?? (pair ? normaliseEthnicity(pair[1]!) ?? normaliseEthnicity(pair[2]!) : undefined))?.code;
}

const YES = new Set(["yes", "y", "1", "true", "suitable"]);
const NO = new Set(["no", "n", "0", "false", "unsuitable", "not suitable"]);
const UNKNOWN = new Set(["not known", "unknown", "not recorded", "n a", "na", "not applicable"]);

/** A yes/no cell as a boolean; null for "not known"; undefined when not recognised. */
export function normaliseYesNo(text: string): boolean | null | undefined {
  const t = fold(stripPrefix(text));
  if (t === "") return null;
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  if (UNKNOWN.has(t)) return null;
  return undefined;
}
