/** A small return of the optional HR tables (docs/returns.md, "Optional HR tables"), and writers for it as a workbook or Parquet. */
import { join } from "node:path";
import ExcelJS from "exceljs";
import { openDb, quoteLit } from "../../core/db.ts";
import { type Rows, tempDir, writeReturn } from "./helpers.ts";

/** Staff and the five HR tables for three workers; spellings vary in case, as people type them. */
export function hrReturn(): Record<string, Rows> {
  return {
    staff: [
      { worker_id: "W1", ethnicity: "WBRI", gender: "Female", qualified_year: 2010 },
      { worker_id: "W2", ethnicity: "BAFR", gender: "Male", qualified_year: 2016 },
      { worker_id: "W3", ethnicity: "", gender: "Female", qualified_year: 2022 },
    ],
    appraisal: [
      { worker_id: "W1", period: "2025-05", rating: "exceeds", moderated: "yes", reviewer_role: "Team Manager" },
      { worker_id: "W2", period: "2025-05", rating: "Fully meets", moderated: "n", reviewer_role: "Service Manager" },
      { worker_id: "W3", period: "2025-06", rating: "Partly meets", moderated: "", reviewer_role: "" },
    ],
    progression: [
      { worker_id: "W1", period: "2025-04", route: "vacancy", to_role: "Senior Practitioner", shortlisted: "yes", outcome: "appointed" },
      { worker_id: "W2", period: "2025-04", route: "Vacancy", to_role: "senior practitioner", shortlisted: "no", outcome: "Not appointed" },
      { worker_id: "W2", period: "2025-07", route: "panel", to_role: "Senior Practitioner", shortlisted: "", outcome: "pending" },
    ],
    training: [
      { worker_id: "W1", period: "2025-03", kind: "Non-Mandatory CPD", days: 2, outcome: "approved" },
      { worker_id: "W2", period: "2025-03", kind: "post-qualifying", days: 15, outcome: "declined" },
    ],
    review_request: [
      { worker_id: "W1", requested_on: "2025-02-03", reason: "unsafe caseload", outcome: "cases reallocated", resolved_on: "2025-02-10" },
      { worker_id: "W2", requested_on: "2025-02-14", reason: "complexity", outcome: "pending", resolved_on: "" },
      { worker_id: "W3", requested_on: "2025-03-01", reason: "", outcome: "", resolved_on: "" },
    ],
    leave: [
      { worker_id: "W1", leave_year: 2025, entitlement_days: 27, taken_days: 25, carried_over_days: 2, paid_in_lieu_days: 0 },
      { worker_id: "W2", leave_year: 2025, entitlement_days: 21.5, taken_days: 20, carried_over_days: "", paid_in_lieu_days: "" },
      { worker_id: "W3", leave_year: 2026, entitlement_days: 13.5, taken_days: 10, carried_over_days: 3.5, paid_in_lieu_days: 0 },
    ],
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The tables as one workbook, a sheet per table; ISO dates become real Excel dates. */
export async function writeXlsxReturn(tables: Record<string, Rows>, file = join(tempDir(), "hr.xlsx")): Promise<string> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(tables)) {
    const ws = wb.addWorksheet(name);
    const cols = Object.keys(rows[0] ?? {});
    ws.addRow(cols);
    for (const r of rows) {
      ws.addRow(cols.map((c) => {
        const v = r[c];
        if (v === "" || v === undefined) return null;
        const m = typeof v === "string" ? DATE.exec(v) : null;
        return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : v;
      }));
    }
  }
  await wb.xlsx.writeFile(file);
  return file;
}

/** The tables as Parquet files (DuckDB's own types, as a data tool writes them: dates as DATE, numbers as numbers). */
export async function writeParquetReturn(tables: Record<string, Rows>): Promise<string> {
  const csvDir = writeReturn(tables);
  const dir = tempDir();
  const db = await openDb(":memory:");
  try {
    for (const t of Object.keys(tables)) {
      await db.conn.run(`COPY (SELECT * FROM read_csv(${quoteLit(join(csvDir, `${t}.csv`))}, header = true)) TO ${quoteLit(join(dir, `${t}.parquet`))} (FORMAT parquet)`);
    }
  } finally {
    db.close();
  }
  return dir;
}
