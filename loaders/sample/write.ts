/**
 * Writers for the synthetic sample employer in the containers of the input
 * contract (docs/returns.md, "Containers"): a folder of CSV
 * files named after the tables, or one Excel workbook with one sheet per
 * table.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { CONTRACT } from "../../core/contract.ts";
import { TABLE_COLUMNS, TABLE_NAMES, type Cell, type Row, type SampleEmployer, type SampleEmployerStream, type TableName } from "./types.ts";
import { writeAnnexAXlsx } from "./annex-a-xlsx.ts";
import { writeCensusXml } from "./census-xml.ts";

/** Columns written as real dates in Excel: those of contract type `date` (check_date, allocated_on, and the HR tables' requested_on, resolved_on). */
const DATE_COLUMNS = new Set(TABLE_NAMES.flatMap((t) => CONTRACT[t].columns.filter((c) => c.type === "date").map((c) => c.name)));

/**
 * One CSV field per RFC 4180: null/undefined -> empty, booleans -> true/false,
 * numbers as JavaScript prints them, text quoted (with doubled quotes) when it
 * contains a comma, quote, CR or LF.
 */
export function csvField(value: Cell | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV lines (each ending in `\n`) for `rows` in the column order `columns`. */
export function csvLines(rows: readonly Row[], columns: readonly string[]): string {
  let out = "";
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < columns.length; i++) {
      if (i) line += ",";
      line += csvField(row[columns[i]]);
    }
    out += line + "\n";
  }
  return out;
}

function isStream(x: SampleEmployer | SampleEmployerStream): x is SampleEmployerStream {
  return typeof (x as SampleEmployerStream).chunks === "function";
}

/**
 * Writes one UTF-8 CSV per contract table (`staff.csv`, `worker_month.csv`,
 * ..., header row of contract column names, `\n` line ends, RFC 4180
 * quoting, empty cells for nulls, booleans as true/false) into `dir`
 * (created if needed). Accepts an in-memory employer or a stream from
 * `generateEmployerStream`; with a stream, rows are written month by month
 * and never all held in memory. Returns the paths written, by table.
 */
export async function writeCsvFolder(source: SampleEmployer | SampleEmployerStream, dir: string): Promise<Record<TableName, string>> {
  mkdirSync(dir, { recursive: true });
  const paths = {} as Record<TableName, string>;
  const fds = {} as Record<TableName, number>;
  try {
    for (const t of TABLE_NAMES) {
      paths[t] = join(dir, `${t}.csv`);
      fds[t] = openSync(paths[t], "w");
      writeSync(fds[t], TABLE_COLUMNS[t].join(",") + "\n");
    }
    if (isStream(source)) {
      for (const chunk of source.chunks()) {
        if (chunk.rows.length) writeSync(fds[chunk.table], csvLines(chunk.rows, TABLE_COLUMNS[chunk.table]));
      }
    } else {
      const BATCH = 50_000;
      for (const t of TABLE_NAMES) {
        const rows = source.tables[t] ?? [];
        for (let i = 0; i < rows.length; i += BATCH) writeSync(fds[t], csvLines(rows.slice(i, i + BATCH), TABLE_COLUMNS[t]));
      }
    }
  } finally {
    for (const t of TABLE_NAMES) if (fds[t] !== undefined) closeSync(fds[t]);
  }
  return paths;
}

/** A `YYYY-MM-DD` string as a UTC midnight Date (for Excel date cells); other values unchanged. */
function excelValue(column: string, value: Cell | undefined): ExcelJS.CellValue {
  if (value === null || value === undefined) return null;
  if (DATE_COLUMNS.has(column) && typeof value === "string") {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  }
  return value;
}

/**
 * Writes the employer as one .xlsx workbook with one sheet per contract
 * table (named as the table), a header row of contract column names,
 * numbers as numbers, `check_date`/`allocated_on` as real dates
 * (yyyy-mm-dd), `period` as the text `YYYY-MM`, booleans as Excel booleans
 * and nulls as empty cells. Uses exceljs; meant for small and default-sized
 * employers (use CSV for large ones).
 */
export async function writeXlsx(employer: SampleEmployer, file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "fairload sample generator (synthetic data)";
  for (const t of TABLE_NAMES) {
    const columns = TABLE_COLUMNS[t];
    const ws = wb.addWorksheet(t);
    ws.addRow([...columns]);
    ws.getRow(1).font = { bold: true };
    for (const row of employer.tables[t] ?? []) ws.addRow(columns.map((c) => excelValue(c, row[c])));
    columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      if (DATE_COLUMNS.has(c)) col.numFmt = "yyyy-mm-dd";
      if (c === "period") col.numFmt = "@";
      col.width = Math.max(10, Math.min(40, c.length + 4));
    });
  }
  await wb.xlsx.writeFile(file);
}

/**
 * Writes the employer's workforce census returns (`census/csww-<year>.xml`, the last three census
 * years the data covers) and its Annex A workbook with the worker key map (`annex-a/annex-a.xlsx`,
 * `annex-a/worker-map.csv`) into `dir`: see loaders/sample/census-xml.ts and annex-a-xlsx.ts.
 */
export async function writeCensusAndAnnexA(employer: SampleEmployer, dir: string): Promise<string[]> {
  return [...writeCensusXml(employer.tables, join(dir, "census")), ...(await writeAnnexAXlsx(employer.tables, join(dir, "annex-a")))];
}
