/**
 * Annex A as pure functions: cells (errors, formulas, shared formulas, rich text, dates as dates and
 * as text), coded answers with the template's letter prefixes, loose headers, and a whole workbook
 * in the published layout from an independent writer (test/support/annex-a-writer.ts): every list's
 * allocations, no personal value kept, refusals naming sheet, row and column.
 */
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { formatProblem } from "../../core/errors.ts";
import { pseudonymiser } from "../../core/pseudonym.ts";
import { normaliseChildEthnicity, normaliseCoded, normaliseGender, normaliseYesNo } from "../../loaders/annex-a/codes.ts";
import { LEGAL_STATUS, NEED_CODE } from "../../loaders/annex-a/codes.ts";
import { COMMON_FIELDS, LISTS, listNumber, matchHeaders } from "../../loaders/annex-a/lists.ts";
import { ageBand, cellValue, parseDateCell, readAnnexA, type SheetGrid } from "../../loaders/annex-a/parse.ts";
import { mapColumns, mapRows } from "../../loaders/census/worker-map.ts";
import { type AnnexFixture, writeAnnexA } from "../support/annex-a-writer.ts";
import { tempDir } from "../support/helpers.ts";

const pseudo = pseudonymiser(Buffer.alloc(32, 3));

async function grids(path: string): Promise<SheetGrid[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb.worksheets.map((ws) => {
    const rows: SheetGrid["rows"] = [];
    ws.eachRow({ includeEmpty: false }, (row, n) => rows.push({ row: n, cells: (row.values as unknown[]).slice(1) }));
    return { name: ws.name, rows };
  });
}

describe("cells", () => {
  it("Excel errors are missing; formulas and shared formulas give their cached value; rich text its text", () => {
    expect(cellValue({ error: "#N/A" })).toBeNull();
    expect(cellValue("#N/A")).toBeNull();
    expect(cellValue("#REF!")).toBeNull();
    expect(cellValue({ formula: "A1", result: 3 })).toBe(3);
    expect(cellValue({ sharedFormula: "I2", result: "b) No" })).toBe("b) No");
    expect(cellValue({ formula: "VLOOKUP(A1,B:C,2,0)", result: { error: "#N/A" } })).toBeNull();
    expect(cellValue({ sharedFormula: "I2" })).toBeNull();
    expect(cellValue({ richText: [{ text: "a) " }, { text: "WBRI" }] })).toBe("a) WBRI");
    expect(cellValue({ text: "Team A", hyperlink: "http://x" })).toBe("Team A");
    expect(cellValue("  ")).toBeNull();
  });

  it("dates as Excel dates, serial numbers and UK text; never month-first; impossible dates refused", () => {
    expect(parseDateCell(new Date(Date.UTC(2024, 8, 5)))).toBe("2024-09-05");
    expect(parseDateCell(45540)).toBe("2024-09-05");
    expect(parseDateCell("05/09/2024")).toBe("2024-09-05");
    expect(parseDateCell("5.9.2024")).toBe("2024-09-05");
    expect(parseDateCell("05-Sep-2024")).toBe("2024-09-05");
    expect(parseDateCell("5 September 2024")).toBe("2024-09-05");
    expect(parseDateCell("2024-09-05T00:00:00")).toBe("2024-09-05");
    expect(parseDateCell("31/02/2024")).toBeUndefined();
    expect(parseDateCell("09/31/2024")).toBeUndefined();
    expect(parseDateCell("soon")).toBeUndefined();
  });

  it("age bands", () => {
    expect([0, 1, 4, 5, 9, 10, 15, 16, 17, 18, 25].map(ageBand)).toEqual(["under 1", "1-4", "1-4", "5-9", "5-9", "10-15", "10-15", "16-17", "16-17", "18 and over", "18 and over"]);
  });
});

describe("coded answers", () => {
  it("letter prefixes, code: label pairs, bare codes and labels become a code and its label", () => {
    expect(normaliseChildEthnicity("a) WBRI")).toBe("WBRI");
    expect(normaliseChildEthnicity("WBRI")).toBe("WBRI");
    expect(normaliseChildEthnicity("White British")).toBe("WBRI");
    expect(normaliseChildEthnicity("m) BAFR: Black African")).toBe("BAFR");
    expect(normaliseChildEthnicity("z) Martian")).toBeUndefined();
    expect(normaliseGender("b) Female")).toEqual({ code: "2", label: "Female" });
    expect(normaliseGender("a) Male")).toEqual({ code: "1", label: "Male" });
    expect(normaliseGender("c) Not stated/recorded")).toEqual({ code: "0", label: "Not known" });
    expect(normaliseGender("d) Neither")).toEqual({ code: "9", label: "Indeterminate" });
    expect(normaliseGender("F")).toEqual({ code: "2", label: "Female" });
    expect(normaliseGender("x) Robot")).toBeUndefined();
    expect(normaliseCoded("q) 6: Police")).toEqual({ code: "6", label: "Police" });
    expect(normaliseCoded("f) U6: Foster placement with other foster carer")).toEqual({ code: "U6", label: "Foster placement with other foster carer" });
    expect(normaliseCoded("E1: Placement order", LEGAL_STATUS)).toEqual({ code: "E1", label: "Placement order granted" });
    expect(normaliseCoded("b) C2: Full care order", LEGAL_STATUS)).toEqual({ code: "C2", label: "Full care order" });
    expect(normaliseCoded("v2", LEGAL_STATUS)).toEqual({ code: "V2", label: "Single period of accommodation under section 20" });
    expect(normaliseCoded("Z9", LEGAL_STATUS)).toBeUndefined();
    expect(normaliseCoded("Family in acute stress", NEED_CODE)).toEqual({ code: "N4", label: "Family in acute stress" });
    expect(normaliseCoded("a) Open")).toEqual({ code: null, label: "Open" });
    expect(normaliseYesNo("a) Yes")).toBe(true);
    expect(normaliseYesNo("N")).toBe(false);
    expect(normaliseYesNo("b) Unsuitable")).toBe(false);
    expect(normaliseYesNo("c) Not known")).toBeNull();
    expect(normaliseYesNo("maybe")).toBeUndefined();
  });
});

describe("headers", () => {
  it("match loosely: case, punctuation, spacing, a (Y/N) tail; each header once", () => {
    const list8 = LISTS.find((l) => l.list === 8)!;
    const m = matchHeaders(["CHILD UNIQUE ID", "Child's Legal Status", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "allocated  worker", "Allocated Team", "Date of Birth"], [...COMMON_FIELDS, ...list8.fields]);
    expect(Object.fromEntries(m)).toEqual({ child_id: 0, legal_status: 1, uasc: 2, worker: 3, team: 4, dob: 5 });
    expect(listNumber("List 3")).toBe(3);
    expect(listNumber("List 08 - Children looked after")).toBe(8);
    expect(listNumber("list11")).toBe(11);
    expect(listNumber("Lists")).toBeUndefined();
  });
});

describe("a workbook in the published layout", () => {
  let fx: AnnexFixture;
  let sheets: SheetGrid[];
  const workers = ["Adaeze Thornbury-Vale", "Morwenna Castellanos", "Tobiah Fenwick-Olusanya", "WRK-55123"];
  beforeAll(async () => {
    fx = await writeAnnexA(join(tempDir(), "annex-a.xlsx"), { workers, perList: 14, titleRowOnList: 6 });
    sheets = await grids(fx.path);
  });

  it("loads every list's allocations (Lists 3 to 9), one row per child row with an allocated worker", () => {
    const r = readAnnexA(sheets, "annex-a.xlsx", pseudo);
    expect(r.problems.map(formatProblem)).toEqual([]);
    expect(r.lists).toEqual([3, 4, 5, 6, 7, 8, 9]);
    for (let list = 3; list <= 9; list++) expect(r.rows.filter((x) => x.list === list), `List ${list}`).toHaveLength(fx.allocations[list]!);
    expect(r.notes.join("\n")).toMatch(/List 1 has no allocated worker; not read/);
    expect(r.notes.join("\n")).toMatch(/sheet List 3: 12 allocations from List 3 \(referrals\); 2 rows without an allocated worker not loaded/);
    // every allocation of one worker has one pseudonymous worker_ref
    const ref = pseudo.id("worker_source", workers[0]!);
    expect(r.rows.filter((x) => x.worker_ref === ref)).toHaveLength(fx.byWorker[workers[0]!]!);
  });

  it("normalises codes, dates, counts and flags; formulas and shared formulas give their values; #N/A is missing", () => {
    const r = readAnnexA(sheets, "annex-a.xlsx", pseudo);
    const l3 = r.rows.filter((x) => x.list === 3);
    expect(l3[0]).toMatchObject({ list_name: "referrals", referral_date: "2024-01-01", referral_source_code: "2A", referral_source_label: "Schools", referral_nfa: true, referrals_12m: 1, team: "Children in Care 1" });
    expect(l3[1]).toMatchObject({ referral_date: "2024-02-04", referral_source_code: "6", referral_source_label: "Police", referral_nfa: false, referrals_12m: 2 });
    const l8 = r.rows.filter((x) => x.list === 8);
    expect(l8[0]).toMatchObject({ legal_status_code: "E1", legal_status_label: "Placement order granted", placement_type_code: "U6", category_of_need_code: "N1", uasc: true, placements_12m: 1 });
    expect(l8[1]).toMatchObject({ legal_status_code: "C2", uasc: false });
    const l7 = r.rows.filter((x) => x.list === 7);
    expect(l7[0]).toMatchObject({ initial_abuse_category_code: "EMO", latest_abuse_category_code: "EMO", latest_abuse_category_label: "Emotional abuse", last_review_date: null });
    expect(l7[1]).toMatchObject({ initial_abuse_category_code: "NEG", last_review_date: "2025-02-10" });
    const l5 = r.rows.filter((x) => x.list === 5);
    expect(l5[1]).toMatchObject({ icpcs_12m: 1, icpc_led_to_plan: true, icpc_date: "2024-02-28" });
    const l9 = r.rows.filter((x) => x.list === 9);
    expect(l9[0]).toMatchObject({ accommodation_suitable: false, in_touch_code: "YES", activity_code: "F2" });
    // a #N/A ethnicity is Not known; gender and ethnicity as codes
    expect(r.rows.every((x) => typeof x.child_ethnicity_code === "string")).toBe(true);
    expect(new Set(r.rows.map((x) => x.child_gender_code))).toEqual(new Set(["0", "1", "2"]));
    // an age band on every row: from Age, or from the date of birth when Age is missing
    expect(r.rows.filter((x) => x.list !== 9).every((x) => x.child_age_band !== null)).toBe(true);
  });

  it("keeps no child id, date of birth or worker name; ids are keyed hashes", () => {
    const r = readAnnexA(sheets, "annex-a.xlsx", pseudo);
    const text = JSON.stringify(r);
    for (const v of [...fx.personal.childIds, ...fx.personal.dobs, ...fx.personal.workers]) expect(text, v).not.toContain(v);
    expect(r.rows.every((x) => /^ch_[0-9a-f]{20}$/.test(String(x.child_ref)) && /^aw_[0-9a-f]{20}$/.test(String(x.worker_ref)))).toBe(true);
    expect(text).not.toContain("ZZ99 3AB");
  });

  it("refuses a malformed date or an unknown code, naming sheet, row and column; never shows a personal value", () => {
    const bad = structuredClone(sheets) as SheetGrid[];
    const l8 = bad.find((s) => s.name === "List 8")!;
    const hdr = l8.rows[0]!.cells.map((c) => String(c));
    l8.rows[2]!.cells[hdr.indexOf("Child's Legal Status")] = "Q7: Not a legal status";
    l8.rows[3]!.cells[hdr.indexOf("Date Started to be Looked After")] = "31/02/2024";
    const l3 = bad.find((s) => s.name === "List 3")!;
    l3.rows[1]!.cells[0] = null; // a child id missing on a row with an allocated worker
    const r = readAnnexA(bad, "annex-a.xlsx", pseudo);
    const text = r.problems.map(formatProblem).join("\n");
    expect(text).toMatch(/annex-a\.xlsx, sheet List 8, row 3, column Child's Legal Status: got "Q7: Not a legal status"; expected one of the codes C1, C2/);
    expect(text).toMatch(/annex-a\.xlsx, sheet List 8, row 4, column Date Started to be Looked After: got "31\/02\/2024"; expected a date/);
    expect(text).toMatch(/sheet List 3, row 2, column Child Unique ID: the Child Unique ID is required/);
    expect(r.total).toBe(3);
    for (const v of [...fx.personal.childIds, ...fx.personal.workers]) expect(text).not.toContain(v);
  });

  it("refuses a workbook without Lists 3 to 9", () => {
    const r = readAnnexA(sheets.filter((s) => ["List 1", "List 2"].includes(s.name)), "a.xlsx", pseudo);
    expect(r.problems.map(formatProblem).join()).toMatch(/no Annex A list with allocated workers was found/);
  });
});

describe("the worker key map", () => {
  it("finds its columns loosely, and says plainly when it cannot", () => {
    expect(mapColumns(["Allocated Worker", "SWE Number"])).toEqual({ source: "Allocated Worker", swe: "SWE Number", workerId: undefined });
    expect(mapColumns(["worker_name", "worker_id"])).toEqual({ source: "worker_name", swe: undefined, workerId: "worker_id" });
    expect(mapColumns(["team", "swe"]).problem).toMatch(/no column for the Annex A worker/);
    expect(mapColumns(["worker"]).problem).toMatch(/expected swe_number .* or worker_id/);
  });

  it("maps names and system ids to hashed SWE numbers or fairload ids; refuses bad lines by number, never showing a value", () => {
    const ok = mapRows("map.csv", [
      { line: 2, source: "Jane Smith", swe: "sw0000012345", workerId: null },
      { line: 3, source: "55123", swe: null, workerId: "W1" },
      { line: 4, source: "JANE  SMITH", swe: "SW12345", workerId: null },
    ], pseudo);
    expect(ok.total).toBe(0);
    expect(ok.rows).toEqual([
      { _row: 2, worker_ref: pseudo.id("worker_source", "Jane Smith"), worker_id: pseudo.id("swe", "SW0000012345"), worker_id_from: "swe" },
      { _row: 3, worker_ref: pseudo.id("worker_source", "55123"), worker_id: "W1", worker_id_from: "worker_id" },
    ]);
    const bad = mapRows("map.csv", [
      { line: 2, source: "Jane Smith", swe: "SW1", workerId: null },
      { line: 3, source: "Jane Smith", swe: "SW2", workerId: null },
      { line: 4, source: "Ann Other", swe: "not-a-number", workerId: null },
      { line: 5, source: "Bo Peep", swe: "SW3", workerId: "W9" },
      { line: 6, source: null, swe: "SW4", workerId: null },
    ], pseudo);
    const text = bad.problems.map(formatProblem).join("\n");
    expect(bad.total).toBe(4);
    expect(text).toMatch(/map\.csv, row 3, column worker: expected one line per worker: the same Annex A worker is on line 2/);
    expect(text).toMatch(/row 4, column swe_number: expected an SWE registration number/);
    expect(text).toMatch(/row 5, column swe_number, worker_id: expected the SWE registration number or the fairload worker id, not both/);
    expect(text).toMatch(/row 6, column worker: the Annex A worker's name or system id is required/);
    for (const v of ["Jane Smith", "Ann Other", "not-a-number", "SW2", "Bo Peep"]) expect(text).not.toContain(v);
  });
});
