/**
 * An Annex A workbook whose allocations a test chooses, for the census and Annex A analysis tests
 * (test/e2e/census-analysis.test.ts): Lists 3 to 9 in Ofsted's template headings, every child
 * allocated to one of the given workers in their team, with the objective complexity markers each
 * list carries drawn at random (seeded) with a probability that may depend on the worker, so that
 * a test can plant a difference in the complexity of the children allocated to one group.
 *
 * It returns what it wrote: each allocation's list, team, worker and markers, so a test can work
 * out the complexity scores by hand. Written from the template, not from fairload's reader.
 */
import ExcelJS from "exceljs";

export interface AnnexWorker {
  /** The name Annex A gives (the worker key map maps it to an SWE number). */
  name: string;
  team: string;
  /** Probability that each marker is set for this worker's children. */
  p: number;
}

/** One allocation written: its list and the markers set (by the names of the score's definition). */
export interface WrittenAllocation {
  list: number;
  team: string;
  worker: string;
  markers: string[];
}

const COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age"];
const TAIL = ["Allocated Team", "Allocated Worker"];

/** Per list: the headings, and each marker with the cells that set it (or not). */
const LISTS: Record<number, { headers: string[]; markers: { name: string; set: Record<string, ExcelJS.CellValue>; unset: Record<string, ExcelJS.CellValue> }[]; fixed: Record<string, ExcelJS.CellValue> }> = {
  3: {
    headers: [...COMMON, "Date of Referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months", ...TAIL],
    markers: [{ name: "repeat_referral", set: { "Number of Referrals in Last 12 Months": 3 }, unset: { "Number of Referrals in Last 12 Months": 1 } }],
    fixed: { "Date of Referral": "12/09/2025", "Referral Source": "q) 6: Police", "Referral NFA?": "b) No" },
  },
  4: {
    headers: [...COMMON, "Does the Child have a Disability", "Continuous Assessment Start Date", "Was the child assessed as requiring LA children's social care support?", ...TAIL],
    markers: [
      { name: "disability", set: { "Does the Child have a Disability": "a) Yes" }, unset: { "Does the Child have a Disability": "b) No" } },
      { name: "needs_support", set: { "Was the child assessed as requiring LA children's social care support?": "a) Yes" }, unset: { "Was the child assessed as requiring LA children's social care support?": "b) No" } },
    ],
    fixed: { "Continuous Assessment Start Date": "02/09/2025" },
  },
  5: {
    headers: [...COMMON, "Does the Child have a Disability", "Strategy discussion initiating Section 47 Enquiry Start Date", "Did the Initial Child Protection Conference Result in a Child Protection Plan", "Number of Section 47 Enquiries in the last 12 months", ...TAIL],
    markers: [
      { name: "disability", set: { "Does the Child have a Disability": "Y" }, unset: { "Does the Child have a Disability": "N" } },
      { name: "plan_from_icpc", set: { "Did the Initial Child Protection Conference Result in a Child Protection Plan": "a) Yes" }, unset: { "Did the Initial Child Protection Conference Result in a Child Protection Plan": "b) No" } },
      { name: "repeat_s47", set: { "Number of Section 47 Enquiries in the last 12 months": 2 }, unset: { "Number of Section 47 Enquiries in the last 12 months": 1 } },
    ],
    fixed: { "Strategy discussion initiating Section 47 Enquiry Start Date": "20/08/2025" },
  },
  6: {
    headers: [...COMMON, "Does the Child have a Disability", "CIN Start Date", "Primary Need Code", "Case Status", ...TAIL],
    markers: [
      { name: "disability", set: { "Does the Child have a Disability": "a) Yes" }, unset: { "Does the Child have a Disability": "b) No" } },
      { name: "abuse_or_neglect", set: { "Primary Need Code": "a) N1" }, unset: { "Primary Need Code": "N4: Family in acute stress" } },
    ],
    fixed: { "CIN Start Date": "01/06/2025", "Case Status": "a) Open" },
  },
  7: {
    headers: [...COMMON, "Does the Child have a Disability", "Child Protection Plan Start Date", "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)", "Number of Previous Child Protection Plans", ...TAIL],
    markers: [
      { name: "disability", set: { "Does the Child have a Disability": "a) Yes" }, unset: { "Does the Child have a Disability": "b) No" } },
      { name: "emergency_protection", set: { "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)": "Y" }, unset: { "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)": "N" } },
      { name: "previous_plan", set: { "Number of Previous Child Protection Plans": 1 }, unset: { "Number of Previous Child Protection Plans": 0 } },
    ],
    fixed: { "Child Protection Plan Start Date": "15/07/2025" },
  },
  8: {
    headers: [...COMMON, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "Does the Child have a Disability", "Date Started to be Looked After", "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)", "Child's Legal Status", "Number of Placements in the Last 12 months", "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months", ...TAIL],
    markers: [
      { name: "uasc", set: { "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "Y" }, unset: { "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "N" } },
      { name: "disability", set: { "Does the Child have a Disability": "a) Yes" }, unset: { "Does the Child have a Disability": "b) No" } },
      { name: "returned_to_care", set: { "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)": "Y" }, unset: { "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)": "N" } },
      { name: "court_order", set: { "Child's Legal Status": "b) C2: Full care order" }, unset: { "Child's Legal Status": "V2" } },
      { name: "placement_moves", set: { "Number of Placements in the Last 12 months": 3 }, unset: { "Number of Placements in the Last 12 months": 1 } },
      { name: "missing", set: { "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months": 2 }, unset: { "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months": 0 } },
    ],
    fixed: { "Date Started to be Looked After": "03/03/2024" },
  },
  9: {
    headers: [...COMMON, "Does the Child have a Disability", ...TAIL, "Eligibility Category", "LA in Touch", "Suitability of Accommodation", "Activity Status"],
    markers: [
      { name: "disability", set: { "Does the Child have a Disability": "a) Yes" }, unset: { "Does the Child have a Disability": "b) No" } },
      { name: "not_in_touch", set: { "LA in Touch": "b) NO: Not in touch" }, unset: { "LA in Touch": "a) YES: In touch" } },
      { name: "unsuitable_accommodation", set: { "Suitability of Accommodation": "b) Unsuitable" }, unset: { "Suitability of Accommodation": "a) Suitable" } },
      { name: "neet", set: { "Activity Status": "G5: NEET other" }, unset: { "Activity Status": "F2: Full time employment" } },
    ],
    fixed: { "Eligibility Category": "c) Relevant" },
  },
};

/** mulberry32: a small seeded generator, independent of fairload's. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Write Lists 3 to 9, `perList` children per worker on each list, each marker set with the
 * worker's probability `p`. Returns every allocation written with its markers.
 */
export async function writeAnnexAllocations(path: string, workers: AnnexWorker[], opts: { perList?: number; seed?: number } = {}): Promise<WrittenAllocation[]> {
  const perList = opts.perList ?? 2;
  const random = rng(opts.seed ?? 1);
  const wb = new ExcelJS.Workbook();
  const written: WrittenAllocation[] = [];
  let child = 0;
  for (let list = 3; list <= 9; list++) {
    const spec = LISTS[list]!;
    const ws = wb.addWorksheet(`List ${list}`);
    spec.headers.forEach((h, i) => (ws.getCell(1, i + 1).value = h));
    const col = (h: string) => spec.headers.indexOf(h) + 1;
    let r = 1;
    for (const w of workers) {
      for (let k = 0; k < perList; k++) {
        r++;
        child++;
        const set = (h: string, v: ExcelJS.CellValue) => {
          if (col(h) > 0) ws.getCell(r, col(h)).value = v;
        };
        set("Child Unique ID", `TC${String(500000 + child * 13).padStart(8, "0")}`);
        set("Gender", child % 2 ? "a) Male" : "b) Female");
        set("Ethnicity", "a) WBRI");
        set("Date of Birth", "01/01/2015");
        set("Age", 10);
        for (const [h, v] of Object.entries(spec.fixed)) set(h, v);
        const markers: string[] = [];
        for (const m of spec.markers) {
          const on = random() < w.p;
          for (const [h, v] of Object.entries(on ? m.set : m.unset)) set(h, v);
          if (on) markers.push(m.name);
        }
        set("Allocated Team", w.team);
        set("Allocated Worker", w.name);
        written.push({ list, team: w.team, worker: w.name, markers });
      }
    }
  }
  await wb.xlsx.writeFile(path);
  return written;
}
