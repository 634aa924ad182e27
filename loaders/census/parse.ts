/**
 * A children's social work workforce census (CSWW) return, from its XML tree to the rows fairload
 * stores: pure functions, no I/O.
 *
 * What the analysis uses is checked strictly, and a value that breaks the schema refuses the
 * return, naming the worker record, the element and what was expected (a wrong code, an FTE
 * outside 0 to 1, a malformed date, a document that is not a census). DfE-style data-quality
 * queries that leave the record usable (cases held with FTE 0, a role end date after the reference
 * date, a census year that disagrees with its reference date) are accepted and kept as queries.
 *
 * Personal data is minimised on reading: PersonBirthDate and QualInst are never read; the SWE
 * number becomes a pseudonymous worker id (keyed hash) and is never put in a message.
 */
import { MAX_VALUE_CHARS, type InputProblem } from "../../core/errors.ts";
import { ETHNICITY_CODES } from "../../core/ethnicity.ts";
import type { Pseudonymiser } from "../../core/pseudonym.ts";
import {
  AGENCY_WORKER, CFKSS_STATUS, type CodeList, GENDER_CURRENT, INCENTIVE, INCENTIVE_ELEMENTS, LEAVER_DESTINATION, ORG_ROLE, QUAL_LEVEL, REASON_ABSENCE, REASON_LEAVE, SEX, START_ORIGIN, YES_NO, codesText,
} from "./codes.ts";
import { type XmlElement, child, children } from "./xml.ts";

export type Row = Record<string, string | number | boolean | null>;

/** The rows of one census return, ready to store. */
export interface CensusRows {
  laCode: string;
  censusYear: number;
  referenceDate: string;
  census_la: Row[];
  census_worker: Row[];
  staff: Row[];
  data_quality_queries: Row[];
}

export interface CensusResult {
  rows?: CensusRows;
  problems: InputProblem[];
  /** Every problem found (those listed are the first `cap`). */
  total: number;
  /** Notes for the person loading (elements not recognised, and so on). */
  notes: string[];
}

/** Worker elements fairload reads or knowingly ignores; any other is reported once as not recognised. */
const WORKER_ELEMENTS = new Set([
  "AgencyWorker", "SWENo", "FTE", "PersonBirthDate", "GenderCurrent", "Sex", "Ethnicity", "QualInst", "QualLevel", "StepUpGrad", "OrgRole",
  "RoleStartDate", "StartOrigin", "RoleEndDate", "LeaverDestination", "ReasonLeave", "FTE30", "Cases30", "WorkingDaysLost", "ContractWeeks",
  "FrontlineGrad", "Absat30Sept", "ReasonAbsence", "CFKSSstatus", "BaseSalary", "RRPayments", "OtherPayments",
]);
/** Never read at all: personal data or not needed (PersonBirthDate is personal data; QualInst is not used). */
const NEVER_READ = new Set(["PersonBirthDate", "QualInst"]);

const ETHNICITY: CodeList = Object.fromEntries(ETHNICITY_CODES.map((c) => [c.code, c.label]));

/** SWE registration numbers: two letters and digits (the 2022 schema says 10 digits; shorter ones are accepted). */
const SWE_PATTERN = /^[A-Za-z]{2}\d{1,10}$/;

/** Is this XML tree a census return (a Message with census records or a CSWW collection)? */
export function isCensusTree(root: XmlElement): boolean {
  if (root.name !== "Message") return false;
  const collection = child(child(root, "Header") ?? root, "CollectionDetails");
  const name = collection ? child(collection, "Collection")?.text : undefined;
  return name === "CSWW" || children(root, "CSWWWorker").length > 0 || child(root, "LALevelVacancies") !== undefined;
}

/**
 * Read a census return. `file` is the file's name as messages show it. Refusals are listed (up
 * to `cap`); with any refusal `rows` is undefined.
 */
export function readCensus(root: XmlElement, file: string, pseudo: Pseudonymiser, opts: { cap?: number; today?: Date } = {}): CensusResult {
  const cap = opts.cap ?? 50;
  const problems: InputProblem[] = [];
  const notes: string[] = [];
  let total = 0;
  const refuse = (where: string, expected: string, value?: string | null) => {
    total++;
    if (problems.length < cap) problems.push({ file: `${file}${where}`, ...(value !== undefined && value !== null ? { value: cut(value) } : {}), expected });
  };

  if (root.name !== "Message") {
    refuse("", `this XML document is not a children's social work workforce census return: its root element is <${root.name}>; expected <Message> with a Header, LALevelVacancies and one CSWWWorker per worker, as the DfE's COLLECT system exports it`);
    return { problems, total, notes };
  }
  const header = child(root, "Header");
  const collection = header ? child(header, "CollectionDetails") : undefined;
  const collectionName = collection ? child(collection, "Collection")?.text : undefined;
  if (collectionName && collectionName !== "CSWW") {
    refuse(", element Header/CollectionDetails/Collection", `this is a ${collectionName} return, not a children's social work workforce census; expected CSWW`, collectionName);
    return { problems, total, notes };
  }
  const workers = children(root, "CSWWWorker");
  if (workers.length === 0) {
    refuse("", "no CSWWWorker records: this XML document is not a children's social work workforce census return, or it is empty; expected <Message> with one CSWWWorker per worker");
    return { problems, total, notes };
  }

  // the return: authority, year, reference date
  const source = header ? child(header, "Source") : undefined;
  const lea = source ? child(source, "LEA")?.text : undefined;
  if (!lea) refuse(", element Header/Source/LEA", "the authority's 3-digit local authority code (LEA) is required: it says whose return this is");
  else if (!/^\d{3}$/.test(lea)) refuse(", element Header/Source/LEA", "expected a 3-digit local authority code, e.g. 213", lea);
  const yearText = collection ? child(collection, "Year")?.text || undefined : undefined;
  const refText = collection ? child(collection, "ReferenceDate")?.text || undefined : undefined;
  let declaredYear: number | null = null;
  if (yearText !== undefined) {
    if (!/^\d{4}$/.test(yearText)) refuse(", element Header/CollectionDetails/Year", "expected a year of four digits, e.g. 2024", yearText);
    else declaredYear = Number(yearText);
  }
  let refDate: string | null = null;
  if (refText !== undefined) {
    refDate = parseXsDate(refText) ?? null;
    if (!refDate) refuse(", element Header/CollectionDetails/ReferenceDate", "expected a date as YYYY-MM-DD, e.g. 2024-09-30", refText);
  }
  if (yearText === undefined && refText === undefined) refuse(", element Header/CollectionDetails", "the census Year or ReferenceDate is required: it says which year the return is for");
  const censusYear = declaredYear ?? (refDate ? Number(refDate.slice(0, 4)) : NaN);
  const thisYear = (opts.today ?? new Date()).getUTCFullYear();
  if (Number.isFinite(censusYear) && (censusYear < 2000 || censusYear > thisYear + 1)) refuse(", element Header/CollectionDetails/Year", `expected a census year from 2000 to ${thisYear + 1}`, String(censusYear));

  const queries: Row[] = [];
  const query = (location: string, element: string, text: string) => queries.push({ location, element, query: text });
  const referenceDate = refDate ?? (Number.isFinite(censusYear) ? `${censusYear}-09-30` : "");
  if (declaredYear !== null && refDate && Number(refDate.slice(0, 4)) !== declaredYear) {
    query("return", "ReferenceDate", `the census year ${declaredYear} disagrees with the reference date ${refDate} (expected 30 September of the census year); the year ${declaredYear} is used`);
  } else if (refDate && refDate.slice(5) !== "09-30") {
    query("return", "ReferenceDate", `the reference date ${refDate} is not 30 September`);
  }
  if (!refDate && Number.isFinite(censusYear)) query("return", "ReferenceDate", `no reference date; 30 September ${censusYear} is used`);

  // the authority-level block
  const la: Row = { la_code: lea ?? null, census_year: Number.isFinite(censusYear) ? censusYear : null, reference_date: referenceDate || null, declared_year: declaredYear, workers: workers.length };
  const block = child(root, "LALevelVacancies");
  const laNumber = (element: string, column: string, integer: boolean) => {
    const t = block ? child(block, element)?.text : undefined;
    if (!t) {
      la[column] = null;
      query("return", `LALevelVacancies/${element}`, "missing (required by the census schema)");
      return;
    }
    const n = integer ? parseNonNegativeInteger(t) : parseNonNegativeDecimal(t);
    if (n === undefined) refuse(`, element LALevelVacancies/${element}`, integer ? "expected a whole number of 0 or more" : "expected a number of 0 or more, e.g. 4.50", t);
    la[column] = n ?? null;
  };
  if (!block) query("return", "LALevelVacancies", "the authority-level block (vacancies, agency workers) is missing");
  laNumber("NumberOfVacancies", "vacancies", false);
  laNumber("NoAgencyFTE", "agency_fte", false);
  laNumber("NoAgencyHeadcount", "agency_headcount", true);
  for (const [element, column] of INCENTIVE_ELEMENTS) {
    const t = block ? child(block, element)?.text : undefined;
    if (!t) {
      la[column] = null;
      continue;
    }
    if (!(t in INCENTIVE)) refuse(`, element LALevelVacancies/${element}`, `expected one of the codes ${codesText(INCENTIVE)} (${Object.entries(INCENTIVE).map(([k, v]) => `${k} ${v.toLowerCase()}`).join(", ")})`, t);
    la[column] = t in INCENTIVE ? Number(t) : null;
  }
  const other = block ? child(block, "OtherAllowances")?.text : undefined;
  la.other_allowances = other ? cut(other) : null;

  // the workers
  const rows: Row[] = [];
  const staff: Row[] = [];
  const seenSwe = new Map<string, number>();
  const unknown = new Set<string>();
  workers.forEach((w, i) => {
    const record = i + 1;
    const where = (element: string) => `, worker record ${record} (line ${w.line}), element ${element}`;
    const first = new Map<string, XmlElement>();
    for (const c of w.children) {
      if (!WORKER_ELEMENTS.has(c.name)) {
        unknown.add(c.name);
        continue;
      }
      if (NEVER_READ.has(c.name)) continue;
      const seen = first.get(c.name);
      if (!seen) first.set(c.name, c);
      else if (seen.text !== c.text) query(`worker record ${record}`, c.name, `${c.name} appears more than once with different values; the first is used`);
    }
    const text = (element: string): string | undefined => {
      const t = first.get(element)?.text;
      return t === undefined || t === "" ? undefined : t;
    };
    const code = (element: string, list: CodeList, what: string): string | null => {
      const t = text(element);
      if (t === undefined) return null;
      const k = /^[A-Za-z]+$/.test(t) ? t.toUpperCase() : t;
      if (!(k in list)) {
        refuse(where(element), `expected ${what}: one of the codes ${codesText(list)}`, t);
        return null;
      }
      return k;
    };
    const fte = (element: string): number | null => {
      const t = text(element);
      if (t === undefined) return null;
      const n = parseDecimal(t);
      if (n === undefined || n < 0 || n > 1) {
        refuse(where(element), "expected a full-time equivalent from 0 to 1, e.g. 0.8", t);
        return null;
      }
      return n;
    };
    const date = (element: string): string | null => {
      const t = text(element);
      if (t === undefined) return null;
      const d = parseXsDate(t);
      if (!d) refuse(where(element), "expected a date as YYYY-MM-DD, e.g. 2024-03-18", t);
      return d ?? null;
    };
    const amount = (element: string, what: string, max?: number): number | null => {
      const t = text(element);
      if (t === undefined) return null;
      const n = parseNonNegativeDecimal(t);
      if (n === undefined || (max !== undefined && n > max)) {
        refuse(where(element), `expected ${what}: a number of 0 or more${max !== undefined ? ` and at most ${max}` : ""}`, t);
        return null;
      }
      return n;
    };
    const flag = (element: string, what: string): boolean | null => {
      const c = code(element, YES_NO, what);
      return c === null ? null : c === "1";
    };

    // who: the SWE number, pseudonymised at once; its value is never shown
    const swe = text("SWENo")?.replace(/\s+/g, "");
    let workerId: string | null = null;
    if (swe === undefined) refuse(where("SWENo"), "the worker's Social Work England registration number is required; it is how fairload follows a worker from year to year (it is pseudonymised, never stored)");
    else if (!SWE_PATTERN.test(swe)) refuse(where("SWENo"), "expected an SWE registration number: two letters and up to 10 digits, e.g. SW followed by the number (the value is not shown: it identifies a person)");
    else {
      workerId = pseudo.id("swe", swe);
      const earlier = seenSwe.get(workerId);
      if (earlier !== undefined) refuse(where("SWENo"), `expected one record per worker: worker record ${earlier} has the same SWE registration number (the value is not shown: it identifies a person)`);
      else seenSwe.set(workerId, record);
    }
    const agencyCode = code("AgencyWorker", AGENCY_WORKER, "agency worker");
    if (text("AgencyWorker") === undefined) refuse(where("AgencyWorker"), "AgencyWorker is required: 0 for a worker the authority employs, 1 for an agency worker");

    const ethnicity = code("Ethnicity", ETHNICITY, "a DfE ethnicity main code") ?? (text("Ethnicity") === undefined ? "NOBT" : null);
    const sex = code("Sex", SEX, "sex");
    const genderCurrent = code("GenderCurrent", GENDER_CURRENT, "gender");
    const gender = sex ? SEX[sex]! : genderCurrent === "1" || genderCurrent === "2" ? GENDER_CURRENT[genderCurrent]! : null;

    const role = code("OrgRole", ORG_ROLE, "organisational role");
    const origin = code("StartOrigin", START_ORIGIN, "start origin");
    const destination = code("LeaverDestination", LEAVER_DESTINATION, "leaver destination");
    const reason = code("ReasonLeave", REASON_LEAVE, "reason for leaving");
    const qual = code("QualLevel", QUAL_LEVEL, "qualification level");
    const absenceReason = code("ReasonAbsence", REASON_ABSENCE, "reason for absence");
    const cfkss = code("CFKSSstatus", CFKSS_STATUS, "child and family knowledge and skills status");
    const cases30Text = text("Cases30");
    let cases30: number | null = null;
    if (cases30Text !== undefined) {
      const n = parseNonNegativeInteger(cases30Text);
      if (n === undefined) refuse(where("Cases30"), "expected the number of cases held at 30 September: a whole number of 0 or more", cases30Text);
      cases30 = n ?? null;
    }
    const row: Row = {
      la_code: lea ?? null,
      census_year: Number.isFinite(censusYear) ? censusYear : null,
      worker_id: workerId,
      record,
      agency: agencyCode === null ? null : agencyCode === "1",
      fte: fte("FTE"),
      fte30: fte("FTE30"),
      role_code: role,
      role_label: role ? ORG_ROLE[role]! : null,
      cases30,
      working_days_lost: amount("WorkingDaysLost", "working days lost", 366),
      contract_weeks: amount("ContractWeeks", "contract weeks", 53),
      absent30: flag("Absat30Sept", "absent at 30 September (0 no, 1 yes)"),
      absence_reason_code: absenceReason,
      absence_reason_label: absenceReason ? REASON_ABSENCE[absenceReason]! : null,
      role_start_date: date("RoleStartDate"),
      role_end_date: date("RoleEndDate"),
      start_origin_code: origin,
      start_origin_label: origin ? START_ORIGIN[origin]! : null,
      leaver_destination_code: destination,
      leaver_destination_label: destination ? LEAVER_DESTINATION[destination]! : null,
      reason_leave_code: reason,
      reason_leave_label: reason ? REASON_LEAVE[reason]! : null,
      qual_level_code: qual,
      qual_level_label: qual ? QUAL_LEVEL[qual]! : null,
      step_up_grad: flag("StepUpGrad", "qualified through Step Up (0 no, 1 yes)"),
      frontline_grad: flag("FrontlineGrad", "qualified through Frontline (0 no, 1 yes)"),
      cfkss_status_code: cfkss,
      cfkss_status_label: cfkss ? CFKSS_STATUS[cfkss]! : null,
      base_salary: amount("BaseSalary", "base salary"),
      rr_payments: amount("RRPayments", "recruitment and retention payments"),
      other_payments: amount("OtherPayments", "other payments"),
    };
    rows.push(row);
    if (workerId && ethnicity) {
      staff.push({ worker_id: workerId, ethnicity, gender, source_record: record, sex_code: sex ?? genderCurrent });
    }

    // data-quality queries: the record stays usable
    const loc = `worker record ${record}`;
    const fteAt30 = row.fte30 ?? row.fte;
    if (cases30 !== null && cases30 > 0 && fteAt30 === 0) query(loc, "Cases30", `cases held at 30 September (${cases30}) with FTE 0`);
    if (row.role_end_date && referenceDate && (row.role_end_date as string) > referenceDate) query(loc, "RoleEndDate", `role end date ${row.role_end_date} is after the reference date ${referenceDate}`);
    if (row.role_start_date && referenceDate && (row.role_start_date as string) > referenceDate) query(loc, "RoleStartDate", `role start date ${row.role_start_date} is after the reference date ${referenceDate}`);
    if (row.role_start_date && row.role_end_date && (row.role_start_date as string) > (row.role_end_date as string)) query(loc, "RoleEndDate", `role end date ${row.role_end_date} is before the role start date ${row.role_start_date}`);
    if (row.role_end_date && !reason) query(loc, "ReasonLeave", "a leaver (role end date given) without a reason for leaving");
    if (row.absent30 === true && !absenceReason) query(loc, "ReasonAbsence", "absent at 30 September without a reason for absence");
    if (role === null && text("OrgRole") === undefined) query(loc, "OrgRole", "no organisational role");
  });
  if (unknown.size) notes.push(`${file}: element${unknown.size === 1 ? "" : "s"} not recognised in worker records, ignored: ${[...unknown].sort().slice(0, 10).join(", ")}`);
  if (total > 0) return { problems, total, notes };

  const scope = `${lea}/${censusYear}`;
  return {
    problems,
    total,
    notes,
    rows: {
      laCode: lea!,
      censusYear,
      referenceDate,
      census_la: [la],
      census_worker: rows,
      staff,
      data_quality_queries: queries.map((q, i) => ({ source: "csww", scope, seq: i + 1, ...q })),
    },
  };
}

/** An xs:date (`YYYY-MM-DD`, optionally with a time zone, or a dateTime at any time) as `YYYY-MM-DD`, or undefined. */
export function parseXsDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2}|T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d || y < 1900) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** An xs:decimal, or undefined. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function parseNonNegativeDecimal(text: string): number | undefined {
  const n = parseDecimal(text);
  return n !== undefined && n >= 0 ? n : undefined;
}

function parseNonNegativeInteger(text: string): number | undefined {
  const t = text.trim();
  return /^\+?\d{1,9}$/.test(t) ? Number(t) : undefined;
}

function cut(s: string): string {
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}...` : s;
}
