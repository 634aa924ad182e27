/**
 * The synthetic sample employer's Ofsted Annex A workbook at the end of its data (30 September of
 * the last month), derived from the same simulation as its monthly returns: every case open that
 * month is a child on the list its case type belongs to (Assessment: List 4; Child in Need and
 * Private Fostering: List 6; Child Protection: List 7; Looked After and Court Proceedings: List 8;
 * Care Leaver: List 9; cases allocated in the last six months also on List 3 as referrals), with
 * the allocated worker's team from worker_month and complexity markers that follow the case's
 * complexity. Fostering and adoption cases (carers, not children) are not on Lists 3 to 9.
 *
 * It is written as authorities' workbooks are: the template's headings, coded answers with the
 * drop-downs' letter prefixes, Age as a shared formula over the date of birth, a few `#N/A`
 * lookups, dates as Excel dates (some as text). Children, their ids and dates of birth, and the
 * workers' names are invented. A worker key map (`worker-map.csv`) links the names to the census's
 * SWE numbers (social work assistants, not in the census, to their fairload worker id).
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { sampleSwe } from "./census-xml.ts";
import type { Row, SampleTables } from "./types.ts";

const h = (s: string) => createHash("sha256").update(`fairload-sample/${s}`).digest();

const FIRST = ["Amara", "Bethan", "Callum", "Deepa", "Eilidh", "Farid", "Grace", "Hamza", "Imogen", "Joseph", "Kemi", "Lewis", "Maryam", "Niamh", "Oluwaseun", "Priya", "Rhys", "Sadia", "Tomasz", "Uchenna", "Verity", "Wiktoria", "Yusuf", "Zara"];
const LAST = ["Achterberg", "Blackwood", "Chaudhry", "Delacroix", "Eckersley", "Fairbairn", "Greenhalgh", "Hollingworth", "Iwobi", "Jankowski", "Kaur-Bassi", "Llewellyn", "Mensah-Bonsu", "Nakamura", "Oyelaran", "Pennington", "Quartey", "Rowntree", "Szymanska", "Thistlethwaite", "Underwood", "Vasquez-Reid", "Whitlock", "Yardley"];

/** Synthetic names for the workers, unique and stable (by worker id). */
export function sampleWorkerNames(workerIds: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const id of [...new Set(workerIds)].sort()) {
    const b = h(`name/${id}`);
    let name = `${FIRST[b[0]! % FIRST.length]} ${LAST[b[1]! % LAST.length]}`;
    for (let k = 0; used.has(name); k++) name = `${FIRST[b[0]! % FIRST.length]} ${String.fromCharCode(65 + ((b[2]! + k) % 26))}. ${LAST[b[1]! % LAST.length]}`;
    used.add(name);
    out.set(id, name);
  }
  return out;
}

const LIST_OF: Record<string, number> = {
  Assessment: 4,
  "Child in Need": 6,
  "Private Fostering": 6,
  "Child Protection": 7,
  "Looked After": 8,
  "Looked After (Residential)": 8,
  "Court Proceedings": 8,
  "Care Leaver": 9,
  "Care Leaver (21-25)": 9,
  "Care Leaver (High Need)": 9,
};

const HEADINGS: Record<number, string[]> = {
  1: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Contact", "Contact Source"],
  2: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Assessment start date", "Assessment completion date", "Organisation completing assessment"],
  3: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"],
  4: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Continuous Assessment Start Date", "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation", "Was the child assessed as requiring LA children's social care support?", "Allocated Team", "Allocated Worker"],
  5: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date", "Was an Initial Child Protection Conference deemed unnecessary?", "Date of Initial Child Protection Conference", "Did the Initial Child Protection Conference Result in a Child Protection Plan", "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker"],
  6: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case Status", "Allocated Team", "Allocated Worker"],
  7: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Child Protection Plan Start Date", "Initial Category of Abuse", "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?", "Date of latest review conference", "Child Protection Plan End Date", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)", "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"],
  8: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "Does the Child have a Disability", "Date Started to be Looked After", "Child's Category of Need", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)", "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review", "Date of Last Social Work Visit", "What is the permanence plan for this child?", "Number of Placements in the Last 12 months", "Date Ceased to be Looked After", "Reason Ceased to be Looked After", "Start Date of Most Recent Placement", "Placement Type", "Placement Location", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months", "Allocated Team", "Allocated Worker"],
  9: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Eligibility Category", "LA in Touch", "Type of Accommodation", "Suitability of Accommodation", "Activity Status"],
  10: ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Does the Child have a Disability", "Date the Child Entered Care"],
  11: ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability"],
};

const ETHNICITY = ["a) WBRI", "a) WBRI", "a) WBRI", "a) WBRI", "a) WBRI", "a) WBRI", "c) WOTH", "e) MWBC", "g) MWAS", "h) MOTH", "i) AIND", "j) APKN", "n) BCRB", "o) BAFR", "r) OOTH", "t) NOBT"];
const NEED = ["a) N1", "d) N4", "e) N5", "b) N2", "c) N3", "a) N1"];
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (isoDate: string, n: number) => iso(new Date(day(isoDate).getTime() + n * 86400000));

interface Child {
  id: string;
  dob: string;
  gender: string;
  ethnicity: string;
  disabled: boolean;
}

function child(caseRef: string, caseType: string, asAt: string): Child {
  const b = h(`child/${caseRef}`);
  const age = caseType.startsWith("Care Leaver") ? (caseType === "Care Leaver (21-25)" ? 21 + (b[0]! % 4) : 18 + (b[0]! % 3)) : b[0]! % 17;
  // born between age + 1 years and age years before the list's date (a 29 February is the 28th)
  const dob = addDays(`${Number(asAt.slice(0, 4)) - age}-${asAt.slice(5, 7)}-${asAt.slice(8) === "29" && asAt.slice(5, 7) === "02" ? "28" : asAt.slice(8)}`, -(1 + (b[1]! % 360)));
  return {
    id: `NS${String(b.readUInt32BE(2) % 1e8).padStart(8, "0")}`,
    dob,
    gender: b[6]! % 2 ? "b) Female" : "a) Male",
    ethnicity: ETHNICITY[b[7]! % ETHNICITY.length]!,
    disabled: b[8]! % 9 === 0,
  };
}

/** Write the sample's Annex A workbook (`annex-a.xlsx`) and worker key map (`worker-map.csv`) into `dir`. */
export async function writeAnnexAXlsx(tables: SampleTables, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const last = tables.worker_month.reduce((m, r) => (String(r.period) > m ? String(r.period) : m), "");
  const [y, m] = last.split("-").map(Number) as [number, number];
  const asAt = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const team = new Map<string, Row>();
  for (const r of tables.worker_month) if (r.period === last) team.set(String(r.worker_id), r);
  const cases = tables.case_month.filter((c) => c.period === last && LIST_OF[String(c.case_type)] !== undefined && team.has(String(c.worker_id)));
  cases.sort((a, b) => String(a.case_ref).localeCompare(String(b.case_ref)));
  const names = sampleWorkerNames(cases.map((c) => String(c.worker_id)));

  const wb = new ExcelJS.Workbook();
  wb.creator = "fairload sample generator (synthetic data)";
  wb.created = wb.modified = new Date(`${asAt}T00:00:00Z`);
  const sheets = new Map<number, ExcelJS.Worksheet>();
  for (let list = 1; list <= 11; list++) {
    const ws = wb.addWorksheet(`List ${list}`);
    ws.addRow(HEADINGS[list]!);
    ws.getRow(1).font = { bold: true };
    HEADINGS[list]!.forEach((_, i) => (ws.getColumn(i + 1).width = 18));
    sheets.set(list, ws);
  }
  const put = (list: number, values: Record<string, ExcelJS.CellValue>, c: Child, ageFormula = true) => {
    const ws = sheets.get(list)!;
    const heads = HEADINGS[list]!;
    const row = ws.rowCount + 1;
    const cells: Record<string, ExcelJS.CellValue> = { "Child Unique ID": c.id, Gender: c.gender, Ethnicity: c.ethnicity, "Date of Birth": day(c.dob), "Does the Child have a Disability": c.disabled ? "a) Yes" : "b) No", ...values };
    heads.forEach((hd, i) => {
      if (cells[hd] !== undefined) ws.getCell(row, i + 1).value = cells[hd]!;
    });
    // Age as a shared formula over the date of birth at the list's date, with its cached value
    const ageCol = heads.indexOf("Age") + 1;
    if (ageCol > 0 && ageFormula) {
      const years = Number(asAt.slice(0, 4)) - Number(c.dob.slice(0, 4)) - (asAt.slice(5) < c.dob.slice(5) ? 1 : 0);
      const dobRef = `D${row}`;
      ws.getCell(row, ageCol).value = row === 2 ? ({ formula: `DATEDIF(${dobRef},DATE(${y},${m},${asAt.slice(8)}),"Y")`, result: years, shareType: "shared", ref: `E2:E${2 + 5000}` } as ExcelJS.CellFormulaValue) : ({ sharedFormula: "E2", result: years } as ExcelJS.CellSharedFormulaValue);
    }
  };

  const mapRows = new Map<string, string>();
  for (const [k, c] of cases.entries()) {
    const ref = String(c.case_ref);
    const type = String(c.case_type);
    const list = LIST_OF[type]!;
    const wm = team.get(String(c.worker_id))!;
    const worker = names.get(String(c.worker_id))!;
    mapRows.set(worker, wm.role === "Social Work Assistant" ? `,${c.worker_id}` : `${sampleSwe(String(c.worker_id))},`);
    const cx = Number(c.complexity ?? 2);
    const b = h(`case/${ref}`);
    const ch = child(ref, type, asAt);
    const start = String(c.allocated_on ?? `${last}-01`);
    // some authorities' exports give dates as text: every eleventh row
    const date = (isoDate: string | null): ExcelJS.CellValue => (isoDate === null ? null : k % 11 === 0 ? `${isoDate.slice(8)}/${isoDate.slice(5, 7)}/${isoDate.slice(0, 4)}` : day(isoDate));
    const alloc = { "Allocated Team": String(wm.team), "Allocated Worker": worker };
    if (start >= addDays(asAt, -183)) {
      put(3, { "Date of Referral": date(start), "Referral Source": ["q) 6: Police", "b) 2A: Schools", "e) 3A: Health services - GP", "a) 1A: Individual - family member"][b[0]! % 4], "Referral NFA?": "b) No", "Number of Referrals in Last 12 Months": 1 + (cx >= 4 ? b[1]! % 3 : 0), ...alloc }, ch);
    }
    if (list === 4) {
      put(4, { "Continuous Assessment Start Date": date(start), "Child Seen During Continuous Assessment": "a) Yes", "Continuous Assessment Date of Authorisation": null, "Was the child assessed as requiring LA children's social care support?": b[2]! % 3 ? "a) Yes" : "b) No", ...alloc }, ch);
    } else if (list === 6) {
      put(6, { "CIN Start Date": date(start), "Primary Need Code": NEED[b[2]! % NEED.length]!, "Date Child Was Last Seen": date(addDays(asAt, -(b[3]! % 40))), "Case Status": "a) Open", ...alloc }, ch);
    } else if (list === 7) {
      const cat = ["a) Neglect", "d) Emotional abuse", "b) Physical abuse", "c) Sexual abuse", "e) Multiple"][cx >= 4 ? 2 + (b[2]! % 3) : b[2]! % 2]!;
      put(7, {
        "Child Protection Plan Start Date": date(start),
        "Initial Category of Abuse": cat,
        // a lookup that failed in the authority's own workbook
        "Latest Category of Abuse": k % 17 === 0 ? ({ formula: `VLOOKUP(A${sheets.get(7)!.rowCount + 1},Plans!A:F,6,FALSE)`, result: { error: "#N/A" } } as ExcelJS.CellFormulaValue) : cat,
        "Date of the Last Statutory Visit": date(addDays(asAt, -(b[3]! % 10))),
        "Was the Child Seen Alone?": b[4]! % 5 ? "a) Yes" : "b) No",
        "Date of latest review conference": date(addDays(start, 90)),
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)": cx >= 4 && b[5]! % 4 === 0 ? "Y" : "N",
        "Number of Previous Child Protection Plans": Math.max(0, cx - 3) + (b[6]! % 2),
        ...alloc,
      }, ch);
      put(5, { "Strategy discussion initiating Section 47 Enquiry Start Date": date(addDays(start, -21)), "Was an Initial Child Protection Conference deemed unnecessary?": "b) No", "Date of Initial Child Protection Conference": date(addDays(start, -1)), "Did the Initial Child Protection Conference Result in a Child Protection Plan": "a) Yes", "Number of Section 47 Enquiries in the last 12 months": 1 + Math.max(0, cx - 3), "Number of ICPCs in the last 12 months": 1, ...alloc }, ch);
    } else if (list === 8) {
      const legal = type === "Court Proceedings" ? "a) C1: Interim care order" : b[2]! % 4 === 0 ? "V2: Single period of accommodation under section 20" : b[2]! % 4 === 1 ? "E1: Placement order" : "b) C2: Full care order";
      put(8, {
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": b[3]! % 19 === 0 ? "Y" : "N",
        "Date Started to be Looked After": date(start),
        "Child's Category of Need": "N1",
        "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)": "N",
        "Start date of current legal status": date(start),
        "Child's Legal Status": legal,
        "Date of Latest Statutory Review": date(addDays(asAt, -(b[4]! % 150))),
        "Date of Last Social Work Visit": date(addDays(asAt, -(b[5]! % 40))),
        "What is the permanence plan for this child?": ["c) Adoption", "e) Long-term fostering", "a) Return to family", "g) Other"][b[6]! % 4],
        "Number of Placements in the Last 12 months": 1 + (cx >= 4 ? 1 + (b[7]! % 3) : b[7]! % 2),
        "Start Date of Most Recent Placement": date(start),
        "Placement Type": type === "Looked After (Residential)" ? "k) K2: Children's home" : "f) U6: Foster placement with other foster carer",
        "Placement Location": b[8]! % 3 ? "a) Inside LA boundary" : "b) Outside LA boundary",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months": cx >= 4 ? b[9]! % 5 : 0,
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months": cx >= 4 ? b[10]! % 3 : 0,
        ...alloc,
      }, ch);
    } else if (list === 9) {
      put(9, {
        ...alloc,
        "Eligibility Category": type === "Care Leaver (21-25)" ? "f) Former relevant (21-25)" : "c) Relevant",
        "LA in Touch": b[2]! % 8 ? "a) YES: In touch" : "b) NO: Not in touch",
        "Type of Accommodation": ["h) T: Independent living", "b) S: Semi-independent", "d) U: With former foster carers"][b[3]! % 3],
        "Suitability of Accommodation": type === "Care Leaver (High Need)" && b[4]! % 2 ? "b) Unsuitable" : "a) Suitable",
        "Activity Status": ["F2: Full time employment", "G4: Not in education, employment or training", "F1: Full time higher education"][b[5]! % 3],
      }, ch);
    }
  }
  // Lists 1 and 2 (contacts, early help) have no allocated worker: a few rows, as an authority's would
  for (let i = 0; i < 12; i++) {
    const ch = child(`contact-${i}`, "Child in Need", asAt);
    put(1, { "Date of Contact": day(addDays(asAt, -i * 7)), "Contact Source": "q) 6: Police" }, ch);
    if (i < 6) put(2, { "Assessment start date": day(addDays(asAt, -i * 14)), "Organisation completing assessment": "School" }, ch);
  }
  const xlsx = join(dir, "annex-a.xlsx");
  await wb.xlsx.writeFile(xlsx);
  const csv = join(dir, "worker-map.csv");
  writeFileSync(csv, `allocated_worker,swe_number,worker_id\n${[...mapRows].sort(([a], [b]) => a.localeCompare(b)).map(([n, t]) => `${n},${t}`).join("\n")}\n`);
  return [xlsx, csv];
}
