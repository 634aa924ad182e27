/**
 * A small, independent writer of Ofsted Annex A workbooks for tests, in the published layout
 * (../shared/spec/annex-a.md): one sheet per list, `List 1` ... `List 11`, the template's column
 * headings, coded answers with the drop-downs' letter prefixes (`a) WBRI`, `b) Female`,
 * `q) 6: Police`), `#N/A` cells where a lookup failed, shared formulas with cached results, dates
 * as Excel dates and as text, a title row above the headings on one sheet, and rows without an
 * allocated worker. Not written from fairload's reader or the sample generator.
 *
 * Every personal value it writes (children's ids and dates of birth, workers' names and system
 * ids) is returned, so a test can search a workspace for them.
 */
import ExcelJS from "exceljs";

export interface AnnexChild {
  id: string;
  dob: Date;
  gender: string;
  ethnicity: string;
  age: number | null;
}

export interface AnnexFixture {
  path: string;
  /** Allocations per list (rows with an allocated worker). */
  allocations: Record<number, number>;
  /** Rows without an allocated worker, per list. */
  unallocated: Record<number, number>;
  /** Every child id, date of birth (ISO and DD/MM/YYYY) and worker name or id written. */
  personal: { childIds: string[]; dobs: string[]; workers: string[] };
  /** Allocations per worker name or id. */
  byWorker: Record<string, number>;
}

const HEADERS: Record<number, string[]> = {
  1: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Contact", "Contact Source"],
  2: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Assessment start date", "Assessment completion date", "Organisation completing assessment"],
  3: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Date of Referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"],
  4: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Continuous Assessment Start Date", "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation", "Was the child assessed as requiring LA children's social care support?", "Allocated Team", "Allocated Worker"],
  5: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date", "Was an Initial Child Protection Conference deemed unnecessary?", "Date of Initial Child Protection Conference", "Did the Initial Child Protection Conference Result in a Child Protection Plan", "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months", "Allocated Team", "Allocated Worker"],
  6: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen", "CIN Closure Date", "Reason for Closure", "Case Status", "Allocated Team", "Allocated Worker"],
  7: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Child Protection Plan Start Date", "Initial Category of Abuse", "Latest Category of Abuse", "Date of the Last Statutory Visit", "Was the Child Seen Alone?", "Date of latest review conference", "Child Protection Plan End Date", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)", "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"],
  8: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "Does the Child have a Disability", "Date Started to be Looked After", "Child's Category of Need", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)", "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review", "Date of Last Social Work Visit", "What is the permanence plan for this child?", "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment", "Date of Last Dental Check", "Number of Placements in the Last 12 months", "Date Ceased to be Looked After", "Reason Ceased to be Looked After", "Start Date of Most Recent Placement", "Placement Type", "Placement Provider", "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months", "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months", "Was the child offered a Return Interview after their last missing episode (Y/N)?", "Did the child accept a Return Interview after their last missing episode (Y/N)?", "Allocated Team", "Allocated Worker"],
  9: ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "Does the Child have a Disability", "Allocated Team", "Allocated Worker", "Eligibility Category", "LA in Touch", "Type of Accommodation", "Suitability of Accommodation", "Activity Status"],
  10: ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Does the Child have a Disability", "Date the Child Entered Care"],
  11: ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability"],
};

const ETH = ["a) WBRI", "a) WBRI", "b) WIRI", "l) BCRB", "m) BAFR", "h) AIND", "i) APKN", "WBRI", "White British", "e) MWBC", "s) REFU"];
const GENDER = ["a) Male", "b) Female", "b) Female", "a) Male", "c) Not stated/recorded"];
const TEAMS = ["Assessment Team North", "Assessment Team South", "Child Protection East", "Children in Care 1", "Leaving Care"];

const ddmmyyyy = (d: Date) => `${String(d.getUTCDate()).padStart(2, "0")}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${d.getUTCFullYear()}`;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/**
 * Write an Annex A workbook. `workers` are the allocated workers' names (or system ids); each
 * list gets `perList` rows, of which every sixth has no allocated worker.
 */
export async function writeAnnexA(path: string, opts: { workers: string[]; perList?: number; seed?: number; titleRowOnList?: number }): Promise<AnnexFixture> {
  const perList = opts.perList ?? 12;
  const seed = opts.seed ?? 1;
  const wb = new ExcelJS.Workbook();
  const fx: AnnexFixture = { path, allocations: {}, unallocated: {}, personal: { childIds: [], dobs: [], workers: [...opts.workers] }, byWorker: {} };
  let childNo = 0;
  for (let list = 1; list <= 11; list++) {
    const ws = wb.addWorksheet(`List ${list}`);
    const headers = HEADERS[list]!;
    let r = 1;
    if (list === opts.titleRowOnList) {
      ws.getCell(1, 1).value = `Annex A List ${list}: test authority`;
      r = 3;
    }
    headers.forEach((h, i) => (ws.getCell(r, i + 1).value = h));
    const headerRow = r;
    const col = (name: string) => headers.indexOf(name) + 1;
    fx.allocations[list] = 0;
    fx.unallocated[list] = 0;
    for (let k = 0; k < perList; k++) {
      r++;
      childNo++;
      const id = `CH${seed}${String(400000 + childNo * 37).padStart(7, "0")}`;
      const dob = day(2006 + (childNo % 15), 1 + (childNo % 12), 1 + (childNo % 27));
      fx.personal.childIds.push(id);
      fx.personal.dobs.push(isoDate(dob), ddmmyyyy(dob));
      const set = (name: string, v: ExcelJS.CellValue) => {
        const c = col(name);
        if (c > 0) ws.getCell(r, c).value = v;
      };
      set(list === 11 ? "Individual adopter identifier" : "Child Unique ID", id);
      set("Gender", GENDER[childNo % GENDER.length]!);
      set("Ethnicity", k === 5 ? { error: "#N/A" } as ExcelJS.CellErrorValue : ETH[childNo % ETH.length]!);
      // dates of birth as Excel dates on even lists, as text on odd lists
      set("Date of Birth", list % 2 === 0 ? dob : ddmmyyyy(dob));
      // Age, except every fourth row (the age band then comes from the date of birth)
      const age = 2025 - dob.getUTCFullYear() - 1;
      set("Age", k % 4 === 3 ? null : age);
      set("Age of Child (Years)", age);
      set("Does the Child have a Disability", k % 3 === 0 ? "a) Yes" : "b) No");
      const start = day(2024, 1 + (k % 12), 1 + ((k * 3) % 27));
      const startCell = k % 2 === 0 ? start : ddmmyyyy(start);
      const allocated = k % 6 !== 5;
      const worker = opts.workers[(childNo + list) % opts.workers.length]!;
      if (list >= 3 && list <= 9) {
        set("Allocated Team", TEAMS[(k + list) % TEAMS.length]!);
        if (allocated) {
          set("Allocated Worker", worker);
          fx.allocations[list]!++;
          fx.byWorker[worker] = (fx.byWorker[worker] ?? 0) + 1;
        } else {
          fx.unallocated[list]!++;
        }
      }
      switch (list) {
        case 1:
          set("Date of Contact", startCell);
          set("Contact Source", "q) 6: Police");
          break;
        case 3:
          set("Date of Referral", startCell);
          set("Referral Source", k % 2 ? "q) 6: Police" : "b) 2A: Schools");
          set("Referral NFA?", k % 4 === 0 ? "a) Yes" : "b) No");
          // a shared formula: the master cell, then cells that share it, each with its cached result
          if (k === 0) ws.getCell(r, col("Number of Referrals in Last 12 Months")).value = { formula: "COUNTIF(A:A,A2)", result: 1, shareType: "shared", ref: `I${headerRow + 1}:I${headerRow + perList}` } as ExcelJS.CellFormulaValue;
          else ws.getCell(r, col("Number of Referrals in Last 12 Months")).value = { sharedFormula: `I${headerRow + 1}`, result: 1 + (k % 3) } as ExcelJS.CellSharedFormulaValue;
          break;
        case 4:
          set("Continuous Assessment Start Date", startCell);
          set("Child Seen During Continuous Assessment", k % 5 === 0 ? "N" : "Y");
          set("Continuous Assessment Date of Authorisation", k % 3 === 0 ? null : day(2024, 1 + (k % 12), 28));
          set("Was the child assessed as requiring LA children's social care support?", "a) Yes");
          break;
        case 5:
          set("Strategy discussion initiating Section 47 Enquiry Start Date", startCell);
          set("Was an Initial Child Protection Conference deemed unnecessary?", k % 2 ? "b) No" : "a) Yes");
          set("Date of Initial Child Protection Conference", k % 2 ? day(2024, 1 + (k % 12), 28) : null);
          set("Did the Initial Child Protection Conference Result in a Child Protection Plan", k % 2 ? "a) Yes" : null);
          set("Number of Section 47 Enquiries in the last 12 months", 1 + (k % 3));
          set("Number of ICPCs in the last 12 months", { formula: "1+0", result: k % 2 } as ExcelJS.CellFormulaValue);
          break;
        case 6:
          set("CIN Start Date", startCell);
          set("Primary Need Code", k % 2 ? "a) N1" : "N4: Family in acute stress");
          set("Date Child Was Last Seen", day(2025, 3, 1 + k));
          set("Reason for Closure", k % 3 === 0 ? "b) RC2: Adopted" : null);
          set("CIN Closure Date", k % 3 === 0 ? "30/04/2025" : null);
          set("Case Status", "a) Open");
          break;
        case 7:
          set("Child Protection Plan Start Date", startCell);
          set("Initial Category of Abuse", k % 2 ? "a) Neglect" : "d) EMO");
          set("Latest Category of Abuse", { formula: `H${r}`, result: k % 2 ? "a) Neglect" : "d) EMO" } as ExcelJS.CellFormulaValue);
          set("Date of the Last Statutory Visit", day(2025, 4, 1 + k));
          set("Was the Child Seen Alone?", "a) Yes");
          set("Date of latest review conference", k % 5 === 0 ? { error: "#N/A" } as ExcelJS.CellErrorValue : day(2025, 2, 10));
          set("Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)", "N");
          set("Number of Previous Child Protection Plans", k % 4);
          break;
        case 8:
          set("Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", k % 7 === 0 ? "Y" : "N");
          set("Date Started to be Looked After", startCell);
          set("Child's Category of Need", "N1");
          set("Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)", "N");
          set("Start date of current legal status", startCell);
          set("Child's Legal Status", k % 3 === 0 ? "E1: Placement order" : k % 3 === 1 ? "b) C2: Full care order" : "V2");
          set("Date of Latest Statutory Review", day(2025, 1, 15));
          set("Date of Last Social Work Visit", day(2025, 5, 2));
          set("What is the permanence plan for this child?", "c) Adoption");
          set("Date of Last IRO Visit / Contact to the Child", day(2025, 1, 20));
          set("Number of Placements in the Last 12 months", 1 + (k % 4));
          set("Placement Type", "f) U6: Foster placement with other foster carer");
          set("Placement Provider", `Foster carer ${worker} household`);
          set("Placement postcode", "ZZ99 3AB");
          set("Placement Location", "a) Inside LA boundary");
          set("Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months", k % 5);
          set("Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months", 0);
          break;
        case 9:
          set("Eligibility Category", "c) Relevant");
          set("LA in Touch", "a) YES: In touch");
          set("Type of Accommodation", "h) T: Independent living");
          set("Suitability of Accommodation", k % 4 === 0 ? "b) Unsuitable" : "a) Suitable");
          set("Activity Status", "F2: Full time employment");
          break;
        case 10:
          set("Family identifier", `FAM${childNo}`);
          set("Date the Child Entered Care", startCell);
          break;
      }
    }
    // a blank row at the end, as exports often have
    ws.getCell(r + 2, 1).value = "";
  }
  await wb.xlsx.writeFile(path);
  return fx;
}
