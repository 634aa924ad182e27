/**
 * Ethnicity normalisation: DfE census main codes, their DfE descriptions and ONS 2021 category
 * labels all become one DfE main code, its ONS broad group and its fairness reporting group.
 *
 * Reporting groups (docs/returns.md): White British (the usual reference group), White minorities,
 * Ethnic minorities (excluding White minorities), and Not known (REFU, NOBT, blank, Prefer not to
 * say). Not known is a group of its own and is never dropped.
 */

export const REPORTING_GROUPS = ["White British", "White minorities", "Ethnic minorities", "Not known"] as const;
export type ReportingGroup = (typeof REPORTING_GROUPS)[number];

export const ONS_GROUPS = [
  "White",
  "Mixed or Multiple",
  "Asian or Asian British",
  "Black, Black British, Caribbean or African",
  "Other ethnic group",
  "Not known",
] as const;
export type OnsGroup = (typeof ONS_GROUPS)[number];

export interface EthnicityCode {
  code: string;
  label: string;
  ons_group: OnsGroup;
  reporting_group: ReportingGroup;
  /** Other spellings that mean this code: DfE descriptions and ONS 2021 labels. */
  aliases: string[];
}

const W = "White" as const;
const M = "Mixed or Multiple" as const;
const A = "Asian or Asian British" as const;
const B = "Black, Black British, Caribbean or African" as const;
const O = "Other ethnic group" as const;

/** The 20 DfE census main codes with their ONS 2021 equivalents. */
export const ETHNICITY_CODES: EthnicityCode[] = [
  { code: "WBRI", label: "White British", ons_group: W, reporting_group: "White British", aliases: ["White: English, Welsh, Scottish, Northern Irish or British", "White - British", "White English Welsh Scottish Northern Irish or British"] },
  { code: "WIRI", label: "White Irish", ons_group: W, reporting_group: "White minorities", aliases: ["White: Irish", "Irish"] },
  { code: "WIRT", label: "Traveller of Irish heritage", ons_group: W, reporting_group: "White minorities", aliases: ["White: Gypsy or Irish Traveller", "Gypsy or Irish Traveller", "Gypsy/Roma"] },
  { code: "WROM", label: "Gypsy/Roma", ons_group: W, reporting_group: "White minorities", aliases: ["White: Roma", "Roma"] },
  { code: "WOTH", label: "Any other White background", ons_group: W, reporting_group: "White minorities", aliases: ["White: Other White", "White: Any other White background", "Other White", "White other"] },
  { code: "MWBC", label: "White and Black Caribbean", ons_group: M, reporting_group: "Ethnic minorities", aliases: ["Mixed or Multiple ethnic groups: White and Black Caribbean"] },
  { code: "MWBA", label: "White and Black African", ons_group: M, reporting_group: "Ethnic minorities", aliases: ["Mixed or Multiple ethnic groups: White and Black African"] },
  { code: "MWAS", label: "White and Asian", ons_group: M, reporting_group: "Ethnic minorities", aliases: ["Mixed or Multiple ethnic groups: White and Asian"] },
  { code: "MOTH", label: "Any other Mixed background", ons_group: M, reporting_group: "Ethnic minorities", aliases: ["Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", "Mixed or Multiple ethnic groups: Any other Mixed or Multiple ethnic background", "Other Mixed"] },
  { code: "AIND", label: "Indian", ons_group: A, reporting_group: "Ethnic minorities", aliases: ["Asian, Asian British or Asian Welsh: Indian", "Asian or Asian British: Indian"] },
  { code: "APKN", label: "Pakistani", ons_group: A, reporting_group: "Ethnic minorities", aliases: ["Asian, Asian British or Asian Welsh: Pakistani", "Asian or Asian British: Pakistani"] },
  { code: "ABAN", label: "Bangladeshi", ons_group: A, reporting_group: "Ethnic minorities", aliases: ["Asian, Asian British or Asian Welsh: Bangladeshi", "Asian or Asian British: Bangladeshi"] },
  { code: "CHNE", label: "Chinese", ons_group: A, reporting_group: "Ethnic minorities", aliases: ["Asian, Asian British or Asian Welsh: Chinese", "Asian or Asian British: Chinese"] },
  { code: "AOTH", label: "Any other Asian background", ons_group: A, reporting_group: "Ethnic minorities", aliases: ["Asian, Asian British or Asian Welsh: Other Asian", "Asian or Asian British: Other Asian", "Other Asian"] },
  { code: "BCRB", label: "Black Caribbean", ons_group: B, reporting_group: "Ethnic minorities", aliases: ["Black, Black British, Caribbean or African: Caribbean", "Black, Black British, Black Welsh, Caribbean or African: Caribbean", "Caribbean"] },
  { code: "BAFR", label: "Black African", ons_group: B, reporting_group: "Ethnic minorities", aliases: ["Black, Black British, Caribbean or African: African", "Black, Black British, Black Welsh, Caribbean or African: African", "African"] },
  { code: "BOTH", label: "Any other Black background", ons_group: B, reporting_group: "Ethnic minorities", aliases: ["Black, Black British, Caribbean or African: Other Black", "Black, Black British, Black Welsh, Caribbean or African: Other Black", "Other Black"] },
  { code: "OOTH", label: "Any other ethnic group", ons_group: O, reporting_group: "Ethnic minorities", aliases: ["Other ethnic group: Any other ethnic group", "Other ethnic group: Arab", "Arab", "Other ethnic group"] },
  { code: "REFU", label: "Refused", ons_group: "Not known", reporting_group: "Not known", aliases: ["Prefer not to say", "Information refused", "Declined"] },
  { code: "NOBT", label: "Information not yet obtained", ons_group: "Not known", reporting_group: "Not known", aliases: ["Not obtained", "Not known", "Unknown", "Not stated"] },
];

/** Folds case, punctuation, the word "Welsh" (the England and Wales census variant) and spacing. */
export function ethnicityKey(value: string): string {
  return value
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, " ")
    .replace(/\bwelsh\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** {@link ethnicityKey} in SQL, over the SQL expression `v` (ingest folds in the database). */
export const ETHNICITY_KEY_SQL = (v: string) =>
  `trim(regexp_replace(regexp_replace(regexp_replace(lower(replace(${v}, '&', ' and ')), '[^a-z0-9]+', ' ', 'g'), '\\bwelsh\\b', ' ', 'g'), '\\s+', ' ', 'g'))`;

/** Every accepted spelling (folded) with the code it maps to. */
export function ethnicityLookup(): { key: string; code: EthnicityCode }[] {
  const out = new Map<string, EthnicityCode>();
  for (const c of ETHNICITY_CODES) {
    for (const s of [c.code, c.label, ...c.aliases]) out.set(ethnicityKey(s), c);
  }
  return [...out].map(([key, code]) => ({ key, code }));
}

/** Normalise one value; blank means Not known (NOBT). Undefined for a value that is not recognised. */
export function normaliseEthnicity(value: string | null | undefined): EthnicityCode | undefined {
  if (value === null || value === undefined || value.trim() === "") return ETHNICITY_CODES.find((c) => c.code === "NOBT");
  const key = ethnicityKey(value);
  return ethnicityLookup().find((e) => e.key === key)?.code;
}
