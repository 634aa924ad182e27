/**
 * Finding the files of a return and staging each contract table into a DuckDB temp table of
 * text columns, whatever the container (CSV folder, .xlsx workbook, Parquet), with the
 * spreadsheet row number of every record. Validation and typing happen afterwards in SQL.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdtempSync, openSync, readSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import ExcelJS from "exceljs";
import { type TableName, tableForName } from "./contract.ts";
import { type InputProblem, UserError } from "./errors.ts";
import { quoteIdent, quoteLit, queryRows } from "./db.ts";

export type SourceKind = "csv" | "xlsx" | "parquet";

/** One file received. */
export interface SourceFile {
  path: string;
  name: string;
  kind: SourceKind;
  sha256: string;
  bytes: number;
}

/** One contract table within a file (a CSV or Parquet file, or one sheet of a workbook). */
export interface Part {
  source: SourceFile;
  table: TableName;
  sheet?: string;
  /** How messages name it: `worker_month.csv` or `returns.xlsx, sheet worker_month`. */
  label: string;
}

const KIND_BY_EXT: Record<string, SourceKind> = { ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet" };

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Expand the paths given on the command line into the files of the return. */
export async function discoverFiles(paths: string[], maxBytes: number): Promise<{ files: SourceFile[]; warnings: string[] }> {
  const files: SourceFile[] = [];
  const warnings: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new UserError(`${p}: no such file or folder`);
    const st = statSync(abs);
    const candidates = st.isDirectory()
      ? readdirSync(abs)
          .filter((f) => !f.startsWith(".") && !f.startsWith("~$"))
          .sort()
          .map((f) => join(abs, f))
          .filter((f) => statSync(f).isFile())
      : [abs];
    for (const f of candidates) {
      const kind = KIND_BY_EXT[extname(f).toLowerCase()];
      if (!kind) {
        if (st.isDirectory()) warnings.push(`${basename(f)}: ignored (not a .csv, .xlsx or .parquet file)`);
        else throw new UserError(`${p}: expected a .csv, .xlsx or .parquet file or a folder of them`);
        continue;
      }
      const bytes = statSync(f).size;
      if (bytes > maxBytes) {
        throw new UserError(
          `${basename(f)}: ${(bytes / 1048576).toFixed(1)} MB is larger than the workspace limit of ${(maxBytes / 1048576).toFixed(0)} MB (max_file_mb in fairload.json); nothing was loaded`,
        );
      }
      files.push({ path: f, name: basename(f), kind, sha256: await sha256File(f), bytes });
    }
  }
  if (files.length === 0) throw new UserError(`No return files found in ${paths.join(", ")} (expected .csv, .xlsx or .parquet files named after the contract tables)`);
  return { files, warnings };
}

/** The contract tables inside each file. Sheets and files not named after a table are reported and skipped. */
export async function listParts(files: SourceFile[]): Promise<{ parts: Part[]; warnings: string[] }> {
  const parts: Part[] = [];
  const warnings: string[] = [];
  for (const f of files) {
    if (f.kind === "xlsx") {
      for (const sheet of await xlsxSheetNames(f.path)) {
        const table = tableForName(sheet);
        if (table) parts.push({ source: f, table, sheet, label: `${f.name}, sheet ${sheet}` });
        else warnings.push(`${f.name}, sheet ${sheet}: ignored (not a contract table)`);
      }
    } else {
      const table = tableForName(f.name);
      if (table) parts.push({ source: f, table, label: f.name });
      else warnings.push(`${f.name}: ignored (not named after a contract table: staff, worker_month, case_month, team_month, points_scheme, health_check)`);
    }
  }
  return { parts, warnings };
}

async function xlsxSheetNames(path: string): Promise<string[]> {
  const wb = await readWorkbook(path);
  return wb.worksheets.map((w) => w.name);
}

const workbookCache = new Map<string, Promise<ExcelJS.Workbook>>();
function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  let wb = workbookCache.get(path);
  if (!wb) {
    wb = (async () => {
      const w = new ExcelJS.Workbook();
      try {
        await w.xlsx.readFile(path);
      } catch (e) {
        throw new UserError(`${basename(path)}: not a readable .xlsx workbook (${(e as Error).message})`);
      }
      return w;
    })();
    workbookCache.set(path, wb);
  }
  return wb;
}

export function forgetWorkbooks(): void {
  workbookCache.clear();
}

/** A staged table: `temp.<name>` with one VARCHAR column per header plus `__row`. */
export interface Staged {
  tempTable: string;
  headers: string[];
  rows: number;
  decimalComma: boolean;
  problems: InputProblem[];
  /** SQL (over the staged table aliased `s`) for each record's row number. */
  rowExpr: string;
  /** The quick read failed (malformed lines): stage again with `detailed` to list them. */
  failed?: boolean;
}

/** Detect the delimiter from the header line (outside quotes), as European Excel writes `;`. */
export function detectDelimiter(headerLine: string): string {
  const counts: Record<string, number> = { ",": 0, ";": 0, "\t": 0, "|": 0 };
  let inQuote = false;
  for (const ch of headerLine) {
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && ch in counts) counts[ch]++;
  }
  const [best, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return n > 0 ? best : ",";
}

function readHead(path: string, bytes = 65536): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * utf-16 (BOM), utf-8 (with or without BOM) or, when the first 64 KiB are not valid UTF-8,
 * Windows Latin-1. A file that turns invalid later is retried as Latin-1 when DuckDB says so.
 */
function detectEncoding(head: Buffer): "utf-8" | "utf-16" | "latin-1" {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return "utf-16";
  // a multi-byte character may be cut at the end of the 64 KiB window: ignore the last 3 bytes
  const body = head.length === 65536 ? head.subarray(0, head.length - 3) : head;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return "utf-8";
  } catch {
    return "latin-1";
  }
}

let stageSeq = 0;

/**
 * Stage one part into a temp table of text columns. Structural problems are returned, not thrown.
 * The quick read (the usual case) is strict and numbers records by position; `detailed` captures
 * every malformed line and maps each record to its line in the file, for error messages.
 */
export async function stagePart(conn: DuckDBConnection, part: Part, opts: { detailed?: boolean } = {}): Promise<Staged> {
  const tempTable = `stage_${part.table}_${++stageSeq}`;
  const detailed = Boolean(opts.detailed);
  if (part.source.kind === "parquet") return stageParquet(conn, part, tempTable);
  if (part.source.kind === "xlsx") {
    const dir = mkdtempSync(join(tmpdir(), "fairload-xlsx-"));
    try {
      const csv = join(dir, `${part.table}.csv`);
      const hasRows = await xlsxSheetToCsv(part, csv);
      if (!hasRows) return { tempTable, headers: [], rows: 0, decimalComma: false, rowExpr: "s.__row", problems: [{ file: part.source.name, sheet: part.sheet, expected: "the sheet is empty; expected a header row naming the columns" }] };
      return await stageCsv(conn, part, csv, tempTable, true, detailed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return stageCsv(conn, part, part.source.path, tempTable, false, detailed);
}

async function stageParquet(conn: DuckDBConnection, part: Part, tempTable: string): Promise<Staged> {
  const file = quoteLit(part.source.path);
  let cols: { column_name: string }[];
  try {
    cols = await queryRows(conn, `DESCRIBE SELECT * FROM read_parquet(${file})`);
  } catch (e) {
    return { tempTable, headers: [], rows: 0, decimalComma: false, rowExpr: "s.__row", problems: [{ file: part.source.name, expected: `not a readable Parquet file (${firstLine(e)})` }] };
  }
  const headers = cols.map((c) => c.column_name);
  const select = headers.map((h) => `CAST(${quoteIdent(h)} AS VARCHAR) AS ${quoteIdent(h)}`).join(", ");
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${tempTable} AS SELECT ${select}, file_row_number + 1 AS __row FROM read_parquet(${file}, file_row_number = true)`);
  const rows = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${tempTable}`))[0].n);
  return { tempTable, headers, rows, decimalComma: false, rowExpr: "s.__row", problems: [] };
}

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e).split("\n")[0];
}

/**
 * CSV through DuckDB's reader: explicit delimiter (sniffed from the header line), every column
 * as text, malformed lines captured rather than fatal. `withRowColumn` marks CSVs we wrote from a
 * workbook, whose last column `__row` carries the sheet's own row numbers.
 */
async function stageCsv(conn: DuckDBConnection, part: Part, path: string, tempTable: string, withRowColumn: boolean, detailed: boolean, forceEncoding?: "latin-1"): Promise<Staged> {
  const file = part.source.name;
  const sheet = part.sheet;
  const rowExpr = withRowColumn ? "s.__row" : "s.rowid + 2";
  const head = readHead(path);
  if (head.length === 0 || head.toString("utf8").replace(/^\uFEFF/, "").trim() === "") {
    return { tempTable, headers: [], rows: 0, decimalComma: false, rowExpr, problems: [{ file, sheet, expected: "the file is empty; expected a header row naming the columns" }] };
  }
  const encoding = forceEncoding ?? detectEncoding(head);
  const headText = encoding === "utf-16" ? new TextDecoder("utf-16le").decode(head) : head.toString(encoding === "latin-1" ? "latin1" : "utf8");
  const headerLine = headText.replace(/^\uFEFF/, "").split(/\r?\n/)[0];
  const delim = withRowColumn ? "," : detectDelimiter(headerLine);
  const rejects = `${tempTable}_rej`;
  const scans = `${tempTable}_scan`;
  const options = [
    `header = true`,
    `all_varchar = true`,
    `delim = ${quoteLit(delim)}`,
    `quote = '"'`,
    `escape = '"'`,
    `encoding = ${quoteLit(encoding)}`,
    `auto_detect = false`,
    `max_line_size = 10000000`,
    ...(detailed ? [`store_rejects = true`, `rejects_table = ${quoteLit(rejects)}`, `rejects_scan = ${quoteLit(scans)}`] : []),
  ];
  // With auto_detect off DuckDB needs the column names: read them from the header line.
  const headers = splitHeader(headerLine, delim).map((h) => h.replace(/^\uFEFF/, ""));
  if (headers.length === 0 || headers.every((h) => h.trim() === "")) {
    return { tempTable, headers: [], rows: 0, decimalComma: false, rowExpr, problems: [{ file, sheet, row: 1, expected: "expected a header row naming the columns" }] };
  }
  const dupHeader = headers.find((h, i) => headers.indexOf(h) !== i);
  if (dupHeader !== undefined) {
    return { tempTable, headers, rows: 0, decimalComma: false, rowExpr, problems: [{ file, sheet, row: 1, column: dupHeader, expected: "the column appears twice in the header; expected each column once" }] };
  }
  const columns = `{${headers.map((h) => `${quoteLit(h)}: 'VARCHAR'`).join(", ")}}`;
  try {
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${tempTable} AS SELECT * FROM read_csv(${quoteLit(path)}, ${options.join(", ")}, columns = ${columns})`,
    );
  } catch (e) {
    const message = firstLine(e);
    // not UTF-8 after all (the quick check reads only the start): try again as Windows Latin-1
    if (encoding === "utf-8" && /unicode|utf-?8/i.test(message)) return stageCsv(conn, part, path, tempTable, withRowColumn, detailed, "latin-1");
    if (!detailed) return { tempTable, headers, rows: 0, decimalComma: false, rowExpr, problems: [], failed: true };
    return { tempTable, headers, rows: 0, decimalComma: false, rowExpr, problems: [{ file, sheet, expected: `could not be read as CSV (${message})` }] };
  }
  const userHeaders = headers.filter((h) => h !== "__row");
  if (!detailed) {
    const rows = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${tempTable}`))[0].n);
    return { tempTable, headers: userHeaders, rows, decimalComma: delim === ";", rowExpr, problems: [] };
  }
  const problems: InputProblem[] = [];
  const rejected = await queryRows<{ line: bigint; error_type: string; error_message: string; column_name: string | null }>(
    conn,
    `SELECT line, error_type, error_message, column_name FROM ${rejects} ORDER BY line`,
  );
  for (const r of rejected) {
    problems.push({
      file,
      sheet,
      row: Number(r.line),
      column: r.column_name ?? undefined,
      expected: `malformed row: ${r.error_message.split("\n")[0]}${r.error_type ? ` (${r.error_type.toLowerCase()})` : ""}; expected ${headers.length} columns`,
    });
  }
  await conn.run(`DROP TABLE IF EXISTS ${rejects}`);
  await conn.run(`DROP TABLE IF EXISTS ${scans}`);
  if (!withRowColumn) {
    // record k of the table is the k-th non-blank, accepted record of the file: map it to its line
    await conn.run(`ALTER TABLE ${tempTable} ADD COLUMN __row BIGINT`);
    await conn.run(`UPDATE ${tempTable} SET __row = rowid + 2`);
    const needsMap = rejected.length > 0 || hasBlankOrMultilineRecords(path, encoding);
    if (needsMap) await remapRows(conn, tempTable, path, encoding, new Set(rejected.map((r) => Number(r.line))));
  }
  const rows = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${tempTable}`))[0].n);
  return { tempTable, headers: userHeaders, rows, decimalComma: delim === ";", rowExpr: "s.__row", problems };
}

/**
 * For a CSV part, the line each record starts on (index k = the k-th record after the header),
 * so positions numbered quickly (k + 2) can be turned into the line a spreadsheet shows.
 * Undefined for workbooks and Parquet, whose row numbers are already exact.
 */
export function csvRecordLines(part: Part): number[] | undefined {
  if (part.source.kind !== "csv") return undefined;
  const head = readHead(part.source.path);
  return recordStarts(part.source.path, detectEncoding(head), new Set());
}

function splitHeader(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (inQuote && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else inQuote = !inQuote;
    } else if (ch === delim && !inQuote) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

/** Cheap test: does the file have blank lines or quoted newlines, so that rowid + 2 is not the line? */
function hasBlankOrMultilineRecords(path: string, encoding: string): boolean {
  if (encoding !== "utf-8") return true;
  const buf = readFileSync(path);
  // trailing newlines at the very end are not records
  let end = buf.length;
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d)) end--;
  const body = buf.subarray(0, end);
  return body.includes("\n\n") || body.includes("\r\n\r\n") || body.includes(0x22 /* " */) && quotedNewline(body);
}

function quotedNewline(buf: Buffer): boolean {
  let inQuote = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x22) inQuote = !inQuote;
    else if (inQuote && (c === 0x0a || c === 0x0d)) return true;
  }
  return false;
}

/** Assign each staged record the line its record starts on (1 = header), skipping blank and rejected lines. */
async function remapRows(conn: DuckDBConnection, tempTable: string, path: string, encoding: string, rejectedLines: Set<number>): Promise<void> {
  const starts = recordStarts(path, encoding, rejectedLines);
  const map = join(mkdtempSync(join(tmpdir(), "fairload-rows-")), "rows.csv");
  writeFileSync(map, `k,line\n${starts.map((s, k) => `${k},${s}`).join("\n")}\n`);
  await conn.run(
    `UPDATE ${tempTable} AS t SET __row = m.line FROM read_csv(${quoteLit(map)}, header = true, columns = {'k': 'BIGINT', 'line': 'BIGINT'}) AS m WHERE t.rowid = m.k`,
  );
  rmSync(map, { force: true });
}

/** Line numbers on which records start (header = line 1, not listed), skipping blank and rejected lines. */
function recordStarts(path: string, encoding: string, rejectedLines: Set<number>): number[] {
  const text = encoding === "utf-16" ? new TextDecoder("utf-16le").decode(readFileSync(path)) : readFileSync(path, encoding === "latin-1" ? "latin1" : "utf8");
  const starts: number[] = [];
  let line = 1;
  let recordStart = 1;
  let inQuote = false;
  let recordEmpty = true;
  let first = true;
  const endRecord = () => {
    if (first) first = false;
    else if (!recordEmpty && !rejectedLines.has(recordStart)) starts.push(recordStart);
    recordEmpty = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      inQuote = !inQuote;
      recordEmpty = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      line++;
      if (!inQuote) {
        endRecord();
        recordStart = line;
      }
    } else if (ch !== "\uFEFF") {
      recordEmpty = false;
    }
  }
  endRecord();
  return starts;
}

/** Write one sheet as a CSV of text (cached formula values, dates as ISO) with a `__row` column. */
async function xlsxSheetToCsv(part: Part, out: string): Promise<boolean> {
  const wb = await readWorkbook(part.source.path);
  const ws = wb.getWorksheet(part.sheet!);
  if (!ws || ws.actualRowCount === 0) return false;
  let headerRow = 0;
  let width = 0;
  const lines: string[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values: string[] = [];
    const cells = row.values as unknown[];
    if (headerRow === 0) {
      headerRow = rowNumber;
      width = cells.length - 1;
    }
    for (let c = 1; c <= Math.max(width, cells.length - 1); c++) values.push(cellText(cells[c]));
    if (rowNumber !== headerRow && values.every((v) => v.trim() === "")) return; // trailing blank rows
    const rowCol = rowNumber === headerRow ? "__row" : String(rowNumber);
    lines.push([...values.slice(0, Math.max(width, values.length)), rowCol].map(csvField).join(","));
  });
  if (headerRow === 0) return false;
  // rows wider than the header keep their extra cells so that the CSV reader flags them
  writeFileSync(out, `${lines.join("\n")}\n`);
  return true;
}

/** The value a person sees in a cell: formula cells give their cached result, dates ISO text. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19).replace("T", " ");
  }
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return v;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("result" in o || "formula" in o || "sharedFormula" in o) return cellText(o.result);
    if ("richText" in o && Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join("");
    if ("text" in o) return cellText(o.text);
    if ("error" in o) return String(o.error);
  }
  return String(v);
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
