/**
 * A small, independent writer of children's social work workforce census (CSWW) XML returns for
 * tests, written from the schema (../shared/spec/csww/csww_schema_2022.xsd and its README's changes
 * by year), not from fairload's reader or the sample generator:
 * - 2017-2023: GenderCurrent (0, 1, 2, 9), QualInst, CFKSSstatus;
 * - 2024: Sex (M, F) instead of GenderCurrent;
 * - 2025: QualInst and CFKSSstatus dropped; BaseSalary, RRPayments, OtherPayments per worker and the
 *   incentive flags (0, 1, 2) and OtherAllowances in LALevelVacancies.
 * Options give the variants real files come in: a namespace prefix, a BOM, CRLF line ends, no XML
 * declaration, whitespace inside elements.
 */

export interface FixtureWorker {
  swe: string;
  agency: 0 | 1;
  fte?: string;
  dob?: string;
  gender?: string;
  sex?: string;
  ethnicity?: string;
  qualInst?: string;
  qualLevel?: string;
  stepUp?: string;
  orgRole?: string;
  roleStart?: string;
  startOrigin?: string;
  roleEnd?: string;
  leaverDestination?: string;
  reasonLeave?: string;
  fte30?: string;
  cases30?: string;
  workingDaysLost?: string;
  contractWeeks?: string;
  frontline?: string;
  absent?: string;
  reasonAbsence?: string;
  cfkss?: string;
  baseSalary?: string;
  rrPayments?: string;
  otherPayments?: string;
  /** Elements to add as they are (name, text), e.g. an unknown element or a bad value. */
  extra?: [string, string][];
}

export interface CensusOptions {
  year: number;
  lea?: string;
  referenceDate?: string;
  workers: FixtureWorker[];
  /** Namespace prefix on every element, declared on the root. */
  prefix?: string;
  bom?: boolean;
  crlf?: boolean;
  /** Leave out the XML declaration. */
  noDeclaration?: boolean;
  /** Pad element text with spaces and newlines. */
  padded?: boolean;
  vacancies?: string;
  agencyFte?: string;
  agencyHeadcount?: string;
  incentives?: Record<string, string>;
  otherAllowances?: string;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A census return as XML text. */
export function censusXml(o: CensusOptions): string {
  const p = o.prefix ? `${o.prefix}:` : "";
  const nl = o.crlf ? "\r\n" : "\n";
  const lines: string[] = [];
  const el = (indent: number, name: string, text: string | undefined) => {
    if (text === undefined) return;
    const t = o.padded ? `  ${esc(text)}\n   ` : esc(text);
    lines.push(`${"  ".repeat(indent)}<${p}${name}>${t}</${p}${name}>`);
  };
  const open = (indent: number, name: string, attrs = "") => lines.push(`${"  ".repeat(indent)}<${p}${name}${attrs}>`);
  const close = (indent: number, name: string) => lines.push(`${"  ".repeat(indent)}</${p}${name}>`);
  if (!o.noDeclaration) lines.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  open(0, "Message", o.prefix ? ` xmlns:${o.prefix}="http://www.dfe.gov.uk/CSWW"` : "");
  open(1, "Header");
  open(2, "CollectionDetails");
  el(3, "Collection", "CSWW");
  el(3, "Year", String(o.year));
  el(3, "ReferenceDate", o.referenceDate ?? `${o.year}-09-30`);
  close(2, "CollectionDetails");
  open(2, "Source");
  el(3, "SourceLevel", "L");
  el(3, "LEA", o.lea ?? "999");
  el(3, "SoftwareCode", "Test writer");
  el(3, "DateTime", `${o.year}-10-15T09:30:00`);
  close(2, "Source");
  close(1, "Header");
  open(1, "LALevelVacancies");
  el(2, "NumberOfVacancies", o.vacancies ?? "4.50");
  el(2, "NoAgencyFTE", o.agencyFte ?? "3.00");
  el(2, "NoAgencyHeadcount", o.agencyHeadcount ?? "3");
  if (o.year >= 2025) {
    const inc = { RecruitmentBonus: "1", RetentionBonus: "2", PerformanceAward: "0", CarAllowance: "0", RelocationPackage: "2", RegionalWeighting: "1", CostSWE: "1", CostDBS: "1", ...o.incentives };
    for (const [k, v] of Object.entries(inc)) el(2, k, v);
    el(2, "OtherAllowances", o.otherAllowances ?? "Market supplement for hard-to-fill posts");
  }
  close(1, "LALevelVacancies");
  for (const w of o.workers) {
    open(1, "CSWWWorker");
    el(2, "AgencyWorker", String(w.agency));
    el(2, "SWENo", w.swe);
    el(2, "FTE", w.fte);
    el(2, "PersonBirthDate", w.dob);
    if (o.year >= 2024) el(2, "Sex", w.sex);
    else el(2, "GenderCurrent", w.gender);
    el(2, "Ethnicity", w.ethnicity);
    if (o.year < 2025) el(2, "QualInst", w.qualInst);
    el(2, "QualLevel", w.qualLevel);
    el(2, "StepUpGrad", w.stepUp);
    el(2, "OrgRole", w.orgRole);
    el(2, "RoleStartDate", w.roleStart);
    el(2, "StartOrigin", w.startOrigin);
    el(2, "RoleEndDate", w.roleEnd);
    el(2, "LeaverDestination", w.leaverDestination);
    el(2, "ReasonLeave", w.reasonLeave);
    el(2, "FTE30", w.fte30);
    el(2, "Cases30", w.cases30);
    el(2, "WorkingDaysLost", w.workingDaysLost);
    el(2, "ContractWeeks", w.contractWeeks);
    el(2, "FrontlineGrad", w.frontline);
    el(2, "Absat30Sept", w.absent);
    el(2, "ReasonAbsence", w.reasonAbsence);
    if (o.year < 2025) el(2, "CFKSSstatus", w.cfkss);
    if (o.year >= 2025) {
      el(2, "BaseSalary", w.baseSalary);
      el(2, "RRPayments", w.rrPayments);
      el(2, "OtherPayments", w.otherPayments);
    }
    for (const [k, v] of w.extra ?? []) el(2, k, v);
    close(1, "CSWWWorker");
  }
  close(0, "Message");
  return `${o.bom ? "\uFEFF" : ""}${lines.join(nl)}${nl}`;
}

const ETHNICITIES = ["WBRI", "WBRI", "WBRI", "BAFR", "BCRB", "AIND", "APKN", "WOTH", "MWBC", "WIRI", "REFU", "NOBT", "CHNE", "OOTH"];

/**
 * `n` distinct workers for a census year, deterministic: worker k has the same SWE number and date
 * of birth every year. Dates of birth are 1960-1995 and role dates 2005 on, so the two never meet.
 * Every fifth worker is agency, every seventh left during the year.
 */
export function fixtureWorkers(year: number, n: number, first = 0): FixtureWorker[] {
  const out: FixtureWorker[] = [];
  for (let i = first; i < first + n; i++) {
    const leaver = i % 7 === 3;
    const fte = i % 4 === 1 ? "0.800000" : "1.000000";
    const w: FixtureWorker = {
      swe: `SW${String(7_000_000_000 + i * 7919).padStart(10, "0")}`,
      agency: i % 5 === 4 ? 1 : 0,
      fte,
      dob: `${1960 + (i % 36)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
      ethnicity: ETHNICITIES[i % ETHNICITIES.length],
      qualInst: "University of Testshire",
      qualLevel: String(1 + (i % 3)),
      stepUp: i % 9 === 0 ? "1" : "0",
      orgRole: String([5, 5, 5, 4, 3, 5, 2, 6, 5, 1][i % 10]),
      roleStart: `${2005 + (i % 15)}-0${1 + (i % 9)}-1${i % 10}`,
      startOrigin: String(1 + (i % 10)),
      fte30: leaver ? "0.000000" : fte,
      cases30: leaver ? undefined : String(8 + (i % 15)),
      workingDaysLost: ((i % 11) * 1.5).toFixed(2),
      frontline: i % 8 === 0 ? "1" : "0",
      absent: i % 13 === 0 ? "1" : "0",
      reasonAbsence: i % 13 === 0 ? "SIC" : undefined,
      cfkss: i % 6 === 0 ? "2" : undefined,
      gender: ["1", "2", "2", "0", "9"][i % 5],
      sex: i % 3 === 0 ? "M" : "F",
      baseSalary: `${38000 + (i % 10) * 1250}.00`,
      rrPayments: i % 4 === 0 ? "1500.00" : "0.00",
      otherPayments: "0.00",
    };
    if (w.agency === 1) w.contractWeeks = "46.0";
    if (leaver) {
      w.roleEnd = `${year}-0${1 + (i % 8)}-15`;
      w.leaverDestination = String(1 + (i % 9));
      w.reasonLeave = String(1 + (i % 10));
    }
    out.push(w);
  }
  return out;
}

/** An XXE file: an external entity that would read a local file if expanded. */
export function xxeXml(target = "file:///etc/passwd"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Message [
  <!ENTITY xxe SYSTEM "${target}">
]>
<Message><Header><CollectionDetails><Collection>CSWW</Collection><Year>2024</Year></CollectionDetails><Source><LEA>999</LEA></Source></Header>
<LALevelVacancies><NumberOfVacancies>1.00</NumberOfVacancies><NoAgencyFTE>0.00</NoAgencyFTE><NoAgencyHeadcount>0</NoAgencyHeadcount></LALevelVacancies>
<CSWWWorker><AgencyWorker>0</AgencyWorker><SWENo>&xxe;</SWENo><FTE>1.000000</FTE></CSWWWorker></Message>
`;
}

/** The "billion laughs" file: nested entities that expand to about 3 GB if expanded. */
export function billionLaughsXml(): string {
  const ents = ['<!ENTITY lol "lol">', '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'];
  for (let i = 2; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`);
  return `<?xml version="1.0"?>
<!DOCTYPE Message [
  ${ents.join("\n  ")}
]>
<Message><Header><CollectionDetails><Collection>CSWW</Collection><Year>2024</Year></CollectionDetails></Header><CSWWWorker><SWENo>&lol9;</SWENo></CSWWWorker></Message>
`;
}
