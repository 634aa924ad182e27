/**
 * The code lists of the children's social work workforce census (CSWW), as in the 2022 schema
 * (csww_schema_2022.xsd, kept in Social Finance's liia-tools, MIT licence) and the changes of later
 * years (docs/census-and-annex-a.md). Each list maps a code to its label.
 */

export type CodeList = Readonly<Record<string, string>>;

export const AGENCY_WORKER: CodeList = { "0": "Not an agency worker", "1": "Agency worker" };

/** GenderCurrent (to 2023). */
export const GENDER_CURRENT: CodeList = { "0": "Not known", "1": "Male", "2": "Female", "9": "Not specified" };

/** Sex (from 2024). */
export const SEX: CodeList = { M: "Male", F: "Female" };

export const QUAL_LEVEL: CodeList = { "1": "Undergraduate", "2": "Postgraduate", "3": "Other" };

export const YES_NO: CodeList = { "0": "No", "1": "Yes" };

export const ORG_ROLE: CodeList = {
  "1": "Senior manager",
  "2": "Middle manager",
  "3": "First line manager",
  "4": "Senior practitioner",
  "5": "Case holder",
  "6": "Qualified without cases",
};

export const START_ORIGIN: CodeList = {
  "1": "Newly qualified social worker",
  "2": "Social worker role in a different local authority in England",
  "3": "Social worker role outside England",
  "4": "Agency or consultancy in social work (in England)",
  "5": "Other social work role, non-local authority (in England)",
  "6": "Other social care role in a local authority or non-local authority (in England)",
  "7": "Non-social care role, any role outside England, no employment or career break",
  "8": "Other",
  "9": "Not known",
  "10": "Not yet collected",
};

export const LEAVER_DESTINATION: CodeList = {
  "1": "Social worker role in a different local authority in England",
  "2": "Social worker role outside England",
  "3": "Agency or consultancy in social work (in England)",
  "4": "Other social work role, non-local authority (in England)",
  "5": "Other social care role in a local authority or non-local authority (in England)",
  "6": "Non-social care role, any role outside England, no employment or career break",
  "7": "Other",
  "8": "Not known",
  "9": "Not yet collected",
};

export const REASON_LEAVE: CodeList = {
  "1": "Resignation",
  "2": "Voluntary redundancy",
  "3": "Compulsory redundancy",
  "4": "Dismissed",
  "5": "Retired",
  "6": "Deceased",
  "7": "Moved to a non-child-and-family social work role within the local authority",
  "8": "Other",
  "9": "Not known",
  "10": "Not yet collected",
};

export const REASON_ABSENCE: CodeList = {
  MAT: "Maternity or paternity leave",
  OTH: "Other paid authorised absence",
  PUB: "Paid absence for public duties",
  SIC: "Sick leave",
  TRN: "Training",
  UNA: "Unauthorised absence",
  UNP: "Unpaid authorised absence",
};

export const CFKSS_STATUS: CodeList = {
  "1": "Assessed and supported year in employment (ASYE)",
  "2": "Frontline practitioner",
  "3": "Practice supervisor",
  "4": "Practice leader",
};

/** The 2025 authority-level incentive flags. */
export const INCENTIVE: CodeList = { "0": "No", "1": "Yes, all eligible", "2": "Yes, some eligible" };

/** The 2025 incentive elements of LALevelVacancies and the column each is stored in. */
export const INCENTIVE_ELEMENTS: readonly (readonly [element: string, column: string])[] = [
  ["RecruitmentBonus", "recruitment_bonus"],
  ["RetentionBonus", "retention_bonus"],
  ["PerformanceAward", "performance_award"],
  ["CarAllowance", "car_allowance"],
  ["RelocationPackage", "relocation_package"],
  ["RegionalWeighting", "regional_weighting"],
  ["CostSWE", "cost_swe"],
  ["CostDBS", "cost_dbs"],
];

/** The codes of a list, for messages: `1, 2, 3, 4, 5 or 6`. */
export function codesText(list: CodeList): string {
  const codes = Object.keys(list);
  return codes.length > 1 ? `${codes.slice(0, -1).join(", ")} or ${codes[codes.length - 1]}` : codes.join("");
}
