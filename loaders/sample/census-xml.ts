/**
 * The synthetic sample employer's children's social work workforce census (CSWW) returns, derived
 * from the same simulation as its monthly returns: one XML file per census year whose October to
 * September the sample covers (2024, 2025 and 2026 for the default sample), in the layout of its
 * year (2024: `Sex`; 2025 on: pay and incentive fields, no QualInst or CFKSSstatus).
 *
 * Every registered social worker of the year (every role but Social Work Assistant) is one record,
 * with the same ethnicity, sex, role, FTE and agency status as in the monthly returns; cases held at
 * 30 September are the worker's case_month rows of September; working days lost are the year's
 * sickness days; leavers have a role end date and FTE 0 at 30 September. SWE numbers and dates of
 * birth are invented from the worker id (synthetic, like everything in the sample).
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { normaliseEthnicity } from "../../core/ethnicity.ts";
import type { Row, SampleTables } from "./types.ts";

/** The sample authority's code (not a real authority's). */
export const SAMPLE_LA_CODE = "999";

const h = (s: string) => createHash("sha256").update(`fairload-sample/${s}`).digest();

/** A synthetic SWE registration number for a sample worker: SW and 10 digits. */
export function sampleSwe(workerId: string): string {
  return `SW${String(h(`swe/${workerId}`).readUInt32BE(0) % 1e10).padStart(10, "0")}`;
}

/** A synthetic date of birth: about 22 to 30 years before qualifying. */
export function sampleBirthDate(workerId: string, qualifiedYear: number | null): string {
  const b = h(`dob/${workerId}`);
  const year = (qualifiedYear ?? 2010) - 22 - (b[0]! % 9);
  return `${year}-${String(1 + (b[1]! % 12)).padStart(2, "0")}-${String(1 + (b[2]! % 28)).padStart(2, "0")}`;
}

const ORG_ROLE: Record<string, string> = { "Team Manager": "3", "Advanced Practitioner": "4", "Senior Practitioner": "4", "Social Worker": "5", ASYE: "5" };
const PAY: Record<string, number> = { ASYE: 33_000, "Social Worker": 38_500, "Senior Practitioner": 44_000, "Advanced Practitioner": 48_500, "Team Manager": 53_000 };

/** One worker record of a census year, as the census names its elements (in schema order). */
export type CensusRecord = [element: string, value: string][];

export interface CensusYear {
  year: number;
  la: [element: string, value: string][];
  workers: { workerId: string; record: CensusRecord }[];
}

const lastDay = (period: string) => {
  const [y, m] = period.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** The census years the tables cover fully (October to September), at most the last `max`. */
export function censusYears(tables: SampleTables, max = 3): number[] {
  const periods = new Set(tables.worker_month.map((r) => String(r.period)));
  const years: number[] = [];
  for (const p of periods) {
    const y = Number(p.slice(0, 4));
    if (p.endsWith("-09") && periods.has(`${y - 1}-10`)) years.push(y);
  }
  return years.sort((a, b) => a - b).slice(-max);
}

/** The census return of one year, derived from the monthly tables. */
export function censusYear(tables: SampleTables, year: number): CensusYear {
  const from = `${year - 1}-10`;
  const sept = `${year}-09`;
  const staff = new Map(tables.staff.map((s) => [String(s.worker_id), s]));
  const months = new Map<string, Row[]>();
  for (const r of tables.worker_month) {
    const p = String(r.period);
    if (p < from || p > sept) continue;
    const list = months.get(String(r.worker_id)) ?? [];
    list.push(r);
    months.set(String(r.worker_id), list);
  }
  const casesAt30 = new Map<string, number>();
  for (const c of tables.case_month) if (c.period === sept) casesAt30.set(String(c.worker_id), (casesAt30.get(String(c.worker_id)) ?? 0) + 1);
  const firstPeriod = new Map<string, string>();
  for (const r of tables.worker_month) {
    const id = String(r.worker_id);
    const p = String(r.period);
    if (!firstPeriod.has(id) || p < firstPeriod.get(id)!) firstPeriod.set(id, p);
  }
  const dataStart = [...firstPeriod.values()].sort()[0]!;
  const workers: CensusYear["workers"] = [];
  let agencyFte = 0;
  let agencyHeadcount = 0;
  for (const id of [...months.keys()].sort()) {
    const rows = months.get(id)!.sort((a, b) => String(a.period).localeCompare(String(b.period)));
    const last = rows[rows.length - 1]!;
    const role = String(last.role);
    if (!(role in ORG_ROLE)) continue; // social work assistants are not in the census
    const s = staff.get(id);
    const b = h(`census/${id}`);
    const atSept = last.period === sept;
    const agency = last.employment === "agency";
    const fte = Number(last.fte);
    const cases = casesAt30.get(id) ?? 0;
    if (atSept && agency) {
      agencyFte += fte;
      agencyHeadcount++;
    }
    const first = firstPeriod.get(id)!;
    const started = first === dataStart ? `${Math.min(2023, Math.max(2005, Number(s?.qualified_year ?? 2015) + 1))}-${String(1 + (b[0]! % 9)).padStart(2, "0")}-${String(1 + (b[1]! % 28)).padStart(2, "0")}` : `${first}-01`;
    const sickness = rows.reduce((sum, r) => sum + Number(r.sickness_days ?? 0), 0);
    const sex = s?.gender === "Female" ? "F" : s?.gender === "Male" ? "M" : undefined;
    const ethnicity = normaliseEthnicity(s?.ethnicity === undefined || s?.ethnicity === null ? null : String(s.ethnicity))?.code ?? "NOBT";
    const rec: CensusRecord = [];
    const add = (e: string, v: string | undefined) => {
      if (v !== undefined) rec.push([e, v]);
    };
    add("AgencyWorker", agency ? "1" : "0");
    add("SWENo", sampleSwe(id));
    add("FTE", fte.toFixed(6));
    add("PersonBirthDate", sampleBirthDate(id, s?.qualified_year === null || s?.qualified_year === undefined ? null : Number(s.qualified_year)));
    add("Sex", sex);
    add("Ethnicity", ethnicity);
    if (year < 2025) add("QualInst", "Synthetic University");
    add("QualLevel", String(1 + (b[2]! % 2)));
    add("StepUpGrad", b[3]! % 11 === 0 ? "1" : "0");
    add("OrgRole", role === "ASYE" || role === "Social Worker" ? (cases > 0 || !atSept ? "5" : "6") : ORG_ROLE[role]);
    add("RoleStartDate", started);
    add("StartOrigin", role === "ASYE" ? "1" : agency ? "4" : String(2 + (b[4]! % 3)));
    if (!atSept) {
      add("RoleEndDate", lastDay(String(last.period)));
      add("LeaverDestination", agency ? "3" : String(1 + (b[5]! % 6)));
      add("ReasonLeave", agency ? "8" : String([1, 1, 1, 5, 7, 8][b[6]! % 6]));
    }
    add("FTE30", atSept ? fte.toFixed(6) : "0.000000");
    if (atSept && cases > 0) add("Cases30", String(cases));
    add("WorkingDaysLost", sickness.toFixed(2));
    if (agency) add("ContractWeeks", (rows.length * 4.3).toFixed(1));
    add("FrontlineGrad", b[7]! % 13 === 0 ? "1" : "0");
    const sickAt30 = atSept && Number(last.sickness_days ?? 0) >= 10;
    add("Absat30Sept", sickAt30 ? "1" : "0");
    if (sickAt30) add("ReasonAbsence", "SIC");
    if (year < 2025 && role === "ASYE") add("CFKSSstatus", "1");
    if (year >= 2025) {
      add("BaseSalary", agency ? undefined : (PAY[role]! * fte).toFixed(2));
      add("RRPayments", agency ? undefined : (b[8]! % 5 === 0 ? 1500 : 0).toFixed(2));
      add("OtherPayments", agency ? undefined : "0.00");
    }
    workers.push({ workerId: id, record: rec });
  }
  const vacancies = tables.team_month.filter((t) => t.period === sept).reduce((s, t) => s + Number(t.vacant_fte ?? 0), 0);
  const la: CensusYear["la"] = [
    ["NumberOfVacancies", vacancies.toFixed(2)],
    ["NoAgencyFTE", agencyFte.toFixed(2)],
    ["NoAgencyHeadcount", String(agencyHeadcount)],
  ];
  if (year >= 2025) {
    la.push(["RecruitmentBonus", "2"], ["RetentionBonus", "1"], ["PerformanceAward", "0"], ["CarAllowance", "0"], ["RelocationPackage", "2"], ["RegionalWeighting", "0"], ["CostSWE", "1"], ["CostDBS", "1"], ["OtherAllowances", "Market supplement for hard-to-fill posts"]);
  }
  return { year, la, workers };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A census year as the XML the DfE's COLLECT system takes (UTF-8, no DOCTYPE). */
export function censusXmlText(c: CensusYear, laCode = SAMPLE_LA_CODE): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', "<Message>", "  <Header>", "    <CollectionDetails>", "      <Collection>CSWW</Collection>", `      <Year>${c.year}</Year>`, `      <ReferenceDate>${c.year}-09-30</ReferenceDate>`, "    </CollectionDetails>", "    <Source>", "      <SourceLevel>L</SourceLevel>", `      <LEA>${laCode}</LEA>`, "      <SoftwareCode>fairload sample generator (synthetic data)</SoftwareCode>", `      <DateTime>${c.year}-10-14T09:00:00</DateTime>`, "    </Source>", "  </Header>", "  <LALevelVacancies>"];
  for (const [e, v] of c.la) out.push(`    <${e}>${esc(v)}</${e}>`);
  out.push("  </LALevelVacancies>");
  for (const w of c.workers) {
    out.push("  <CSWWWorker>");
    for (const [e, v] of w.record) out.push(`    <${e}>${esc(v)}</${e}>`);
    out.push("  </CSWWWorker>");
  }
  out.push("</Message>", "");
  return out.join("\n");
}

/** Write `csww-<year>.xml` for each census year the tables cover (the last three) into `dir`. Returns the paths. */
export function writeCensusXml(tables: SampleTables, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return censusYears(tables).map((y) => {
    const path = join(dir, `csww-${y}.xml`);
    writeFileSync(path, censusXmlText(censusYear(tables, y)));
    return path;
  });
}

