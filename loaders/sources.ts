/**
 * Finding the files of a return and staging each contract table into a DuckDB table of text
 * columns (a temp table, or for ingest's quick path a table of an attached in-memory database),
 * whatever the container (CSV folder, .xlsx workbook, Parquet), with the spreadsheet row number
 * of every record. Validation and typing happen afterwards in SQL.
 */
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readSync, closeSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { once } from "node:events";
import { createInflateRaw } from "node:zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import ExcelJS from "exceljs";
import { TABLE_NAMES, type TableName, tableForName } from "../core/contract.ts";
import { type InputProblem, UserError, plainMessage, safeText } from "../core/errors.ts";
import { quoteIdent, quoteLit, queryRows } from "../core/db.ts";
import { EXTRACT_SUFFIX } from "./census/extract.ts";

/** `xml` is a workforce census return; `extract` an archived census, Annex A or worker-map extract (replayed by rebuild). */
export type SourceKind = "csv" | "xlsx" | "parquet" | "xml" | "extract";

/** One file received. */
export interface SourceFile {
  path: string;
  name: string;
  kind: SourceKind;
  sha256: string;
  bytes: number;
  /** Whether the file holds a NUL byte, as seen while hashing it (undefined: not looked at). */
  hasNul?: boolean;
}

/** One contract table within a file (a CSV or Parquet file, or one sheet of a workbook). */
export interface Part {
  source: SourceFile;
  table: TableName;
  sheet?: string;
  /** How messages name it: `worker_month.csv` or `returns.xlsx, sheet worker_month`. */
  label: string;
}

const KIND_BY_EXT: Record<string, SourceKind> = { ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".xml": "xml" };

/** The kind of a file by its name: an archived extract by its suffix, anything else by its extension. */
function kindOf(name: string): SourceKind | undefined {
  if (name.toLowerCase().endsWith(EXTRACT_SUFFIX)) return "extract";
  return KIND_BY_EXT[extname(name).toLowerCase()];
}

export async function sha256File(path: string): Promise<string> {
  return (await hashFile(path)).sha256;
}

/** A file's SHA-256, and whether it holds a NUL byte (one read for both). */
async function hashFile(path: string): Promise<{ sha256: string; hasNul: boolean }> {
  const h = createHash("sha256");
  let hasNul = false;
  // 1 MB reads: with the default 64 KB the stream's overhead, not the hash, was most of the time
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    if (!hasNul && (chunk as Buffer).indexOf(0) >= 0) hasNul = true;
  }
  return { sha256: h.digest("hex"), hasNul };
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
      const kind = kindOf(basename(f));
      if (!kind) {
        if (st.isDirectory()) warnings.push(`${basename(f)}: ignored (not a .csv, .xlsx, .parquet or .xml file)`);
        else throw new UserError(`${p}: expected a .csv, .xlsx or .parquet file or a folder of them, a workforce census .xml file or an Annex A .xlsx workbook`);
        continue;
      }
      // in a folder, an .xml file that does not start like a census return is someone else's file
      if (kind === "xml" && st.isDirectory() && !/<(?:[A-Za-z_][\w.-]*:)?Message[\s>]/.test(readAt(f, 0, 4096).toString("latin1").replace(/\u0000/g, ""))) {
        warnings.push(`${basename(f)}: ignored (not a workforce census return)`);
        continue;
      }
      const bytes = statSync(f).size;
      if (bytes > maxBytes) {
        throw new UserError(
          `${basename(f)}: ${(bytes / 1048576).toFixed(1)} MB is larger than the workspace limit of ${(maxBytes / 1048576).toFixed(0)} MB (max_file_mb in fairload.json); nothing was loaded`,
        );
      }
      files.push({ path: f, name: basename(f), kind, ...(await hashFile(f)), bytes });
    }
  }
  if (files.length === 0) throw new UserError(`No return files found in ${paths.join(", ")} (expected .csv, .xlsx or .parquet files named after the contract tables, a workforce census .xml file or an Annex A .xlsx workbook)`);
  return { files, warnings };
}

/** Limits on what a workbook may unpack to; see {@link checkZip}. */
export interface ZipLimits {
  /** Total uncompressed bytes of every entry (max_unpacked_mb in fairload.json). */
  maxUnpackedBytes: number;
  /** Number of entries (a real workbook has a few dozen). */
  maxEntries?: number;
}

/** A workbook with more zip entries than this is refused before it is opened. */
export const MAX_ZIP_ENTRIES = 10_000;
const DEFAULT_ZIP_LIMITS: ZipLimits = { maxUnpackedBytes: 1024 * 1048576, maxEntries: MAX_ZIP_ENTRIES };

/**
 * The contract tables inside each file. Sheets and files not named after a table are reported
 * and skipped; a workbook that cannot be opened safely (a zip bomb, not a zip, damaged) is a
 * problem that refuses the return, with the reason.
 */
export async function listParts(files: SourceFile[], limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<{ parts: Part[]; warnings: string[]; problems: InputProblem[] }> {
  const parts: Part[] = [];
  const warnings: string[] = [];
  const problems: InputProblem[] = [];
  for (const f of files) {
    if (f.kind === "xlsx") {
      let sheets: string[];
      try {
        sheets = await xlsxSheetNames(f.path, limits);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        problems.push({ file: f.name, expected: e.message });
        continue;
      }
      for (const sheet of sheets) {
        const table = tableForName(sheet);
        if (table) parts.push({ source: f, table, sheet, label: `${f.name}, sheet ${sheet}` });
        else warnings.push(`${safeText(f.name)}, sheet ${safeText(sheet)}: ignored (not a contract table)`);
      }
    } else {
      const table = tableForName(f.name);
      if (table) parts.push({ source: f, table, label: f.name });
      else warnings.push(`${safeText(f.name)}: ignored (not named after a contract table: ${TABLE_NAMES.join(", ")})`);
    }
  }
  return { parts, warnings, problems };
}

/**
 * Is this workbook an Ofsted Annex A workbook (sheets named `List 1` ... `List 11`, none named
 * after a contract table)? A workbook that cannot be opened safely is not (listParts reports why).
 */
export async function isAnnexAWorkbook(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<boolean> {
  let sheets: string[];
  try {
    sheets = await xlsxSheetNames(path, limits);
  } catch (e) {
    if (e instanceof UserError) return false;
    throw e;
  }
  return sheets.some((s) => /^\s*list\s*0?\d{1,2}\b/i.test(s)) && !sheets.some((s) => tableForName(s) !== undefined);
}

/** An opened workbook (zip limits checked first; cached for the ingest). */
export function openWorkbook(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ExcelJS.Workbook> {
  return readWorkbook(path, limits);
}

async function xlsxSheetNames(path: string, limits: ZipLimits): Promise<string[]> {
  const wb = await readWorkbook(path, limits);
  return wb.worksheets.map((w) => w.name);
}

const workbookCache = new Map<string, Promise<ExcelJS.Workbook>>();
/**
 * Open a workbook with exceljs, which unpacks the whole zip in memory: so the zip's directory
 * and the real size of every entry are checked against `limits` first ({@link checkZip}).
 */
function readWorkbook(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ExcelJS.Workbook> {
  let wb = workbookCache.get(path);
  if (!wb) {
    wb = (async () => {
      await checkZip(path, limits);
      const w = new ExcelJS.Workbook();
      try {
        await w.xlsx.readFile(path);
      } catch (e) {
        throw new UserError(`not a readable .xlsx workbook (${plainMessage(e)}); expected a workbook saved by Excel or LibreOffice as .xlsx`);
      }
      return w;
    })();
    workbookCache.set(path, wb);
  }
  return wb;
}

/** One entry of a zip's central directory. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

function readAt(path: string, position: number, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The entries of a zip file as its central directory declares them (APPNOTE.TXT 4.3.12-4.3.16,
 * with ZIP64 sizes), reading only the end of the file and the directory itself. Refuses (as a
 * UserError) a file that is not a zip or declares more than `maxEntries` entries.
 */
export function readZipDirectory(path: string, maxEntries = MAX_ZIP_ENTRIES): ZipEntry[] {
  const notZip = (why: string) => new UserError(`not a readable .xlsx workbook (${why}); expected a workbook saved by Excel or LibreOffice as .xlsx`);
  const size = statSync(path).size;
  const tailLen = Math.min(size, 65557);
  const tail = readAt(path, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notZip("it is not a zip file: no end of central directory");
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw notZip("a damaged ZIP64 directory");
    const z64 = readAt(path, Number(tail.readBigUInt64LE(loc + 8)), 56);
    if (z64.length < 56 || z64.readUInt32LE(0) !== 0x06064b50) throw notZip("a damaged ZIP64 directory");
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  if (count > maxEntries) {
    throw new UserError(`refused as a possible zip bomb: the workbook holds ${count.toLocaleString("en-GB")} zip entries, more than the limit of ${maxEntries.toLocaleString("en-GB")}; nothing was unpacked`);
  }
  if (cdOffset + cdSize > size) throw notZip("its zip directory points past the end of the file; is it cut short?");
  const cd = readAt(path, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw notZip("a damaged zip directory");
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const e: ZipEntry = {
      name: cd.toString("utf8", p + 46, p + 46 + nameLen),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      uncompressedSize: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    };
    // ZIP64 extended information (header id 1) holds the 64-bit values of the fields set to 0xffffffff
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 1) {
        let q = x + 4;
        const next = () => {
          const v = q + 8 <= x + 4 + len ? Number(cd.readBigUInt64LE(q)) : NaN;
          q += 8;
          return v;
        };
        if (e.uncompressedSize === 0xffffffff) e.uncompressedSize = next();
        if (e.compressedSize === 0xffffffff) e.compressedSize = next();
        if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
      }
      x += 4 + len;
    }
    if (![e.uncompressedSize, e.compressedSize, e.localHeaderOffset].every(Number.isFinite)) throw notZip("a damaged ZIP64 directory");
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * Guard against zip bombs before a workbook is unpacked: (1) the entries the zip's directory
 * declares, their number and total uncompressed size, must be within `limits`; (2) every
 * entry is then inflated as a stream into nothing, counting bytes, and must not unpack to
 * more than it declared (a bomb can lie in its directory). Memory stays at one zlib window;
 * a refusal is a UserError naming the limit (max_unpacked_mb in fairload.json).
 */
export async function checkZip(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<void> {
  const entries = readZipDirectory(path, limits.maxEntries ?? MAX_ZIP_ENTRIES);
  const mb = (n: number) => (n < 1048576 ? `${n.toLocaleString("en-GB")} bytes` : `${(n / 1048576).toLocaleString("en-GB", { maximumFractionDigits: 0 })} MB`);
  const declared = entries.reduce((s, e) => s + e.uncompressedSize, 0);
  if (declared > limits.maxUnpackedBytes) {
    throw new UserError(
      `refused as a possible zip bomb: the workbook would unpack to ${mb(declared)}, more than the limit of ${mb(limits.maxUnpackedBytes)} (max_unpacked_mb in fairload.json); nothing was unpacked`,
    );
  }
  for (const e of entries) {
    if (e.compressedSize === 0 && e.uncompressedSize === 0) continue;
    const local = readAt(path, e.localHeaderOffset, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new UserError(`not a readable .xlsx workbook (a damaged zip entry ${safeText(e.name)}); expected a workbook saved by Excel or LibreOffice as .xlsx`);
    const start = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (e.method === 0) {
      if (e.compressedSize !== e.uncompressedSize) throw new UserError(`refused: zip entry ${safeText(e.name)} declares inconsistent sizes; nothing was unpacked`);
      continue;
    }
    if (e.method !== 8) throw new UserError(`not a readable .xlsx workbook (zip entry ${safeText(e.name)} uses compression method ${e.method}); expected a workbook saved by Excel or LibreOffice as .xlsx`);
    const unpacked = await inflatedSize(path, start, e.compressedSize, e.uncompressedSize);
    if (unpacked > e.uncompressedSize) {
      throw new UserError(`refused as a possible zip bomb: zip entry ${safeText(e.name)} unpacks to more than the ${mb(e.uncompressedSize)} its directory declares; nothing was unpacked`);
    }
  }
}

/** Inflate `length` bytes at `start` into nothing, stopping as soon as more than `cap` bytes come out. */
async function inflatedSize(path: string, start: number, length: number, cap: number): Promise<number> {
  if (length === 0) return 0;
  const input = createReadStream(path, { start, end: start + length - 1 });
  const inflate = createInflateRaw();
  let total = 0;
  return await new Promise<number>((resolveSize) => {
    const stop = () => {
      input.destroy();
      inflate.destroy();
      resolveSize(total);
    };
    inflate.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > cap) stop();
    });
    inflate.on("end", () => resolveSize(total));
    // a damaged stream: what came out so far is what exceljs would see; it reports the damage itself
    inflate.on("error", () => resolveSize(total));
    input.on("error", () => resolveSize(total));
    input.pipe(inflate);
  });
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
  return readAt(path, 0, bytes);
}

type Encoding = "utf-8" | "utf-16le" | "utf-16be" | "latin-1";

/**
 * UTF-16 (by BOM, or by the NUL bytes every other byte of ASCII text has in UTF-16), UTF-8
 * (with or without BOM) or, when the first 64 KiB are not valid UTF-8, Windows Latin-1.
 * A file that turns invalid later is checked again when DuckDB says so.
 */
function detectEncoding(head: Buffer): Encoding {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const n = Math.min(head.length, 4096) & ~1;
  if (n >= 4) {
    let even = 0;
    let odd = 0;
    for (let i = 0; i < n; i += 2) {
      if (head[i] === 0) even++;
      if (head[i + 1] === 0) odd++;
    }
    const pairs = n / 2;
    if (odd > 0.3 * pairs && even < 0.05 * pairs) return "utf-16le";
    if (even > 0.3 * pairs && odd < 0.05 * pairs) return "utf-16be";
  }
  // a multi-byte character may be cut at the end of the 64 KiB window: ignore the last 3 bytes
  const body = head.length === 65536 ? head.subarray(0, head.length - 3) : head;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return "utf-8";
  } catch {
    return "latin-1";
  }
}

/**
 * Stream a file's bytes and tell whether it holds valid multi-byte UTF-8 characters and, if
 * any byte is not UTF-8, the line it is on. Both together mean a file that mixes encodings
 * (text pasted from an older Latin-1 system into a UTF-8 file), which no single decoding reads
 * correctly.
 */
export async function scanUtf8(path: string): Promise<{ multibyte: number; firstInvalidLine?: number }> {
  let multibyte = 0;
  let line = 1;
  let need = 0; // continuation bytes still expected
  let firstInvalidLine: number | undefined;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (need > 0) {
        if ((b & 0xc0) === 0x80) {
          if (--need === 0) multibyte++;
          continue;
        }
        need = 0;
        firstInvalidLine ??= line;
      }
      if (b < 0x80) {
        if (b === 0x0a) line++;
      } else if (b >= 0xc2 && b <= 0xdf) need = 1;
      else if (b >= 0xe0 && b <= 0xef) need = 2;
      else if (b >= 0xf0 && b <= 0xf4) need = 3;
      else firstInvalidLine ??= line;
      if (firstInvalidLine !== undefined && multibyte > 0) return { multibyte, firstInvalidLine };
    }
  }
  if (need > 0) firstInvalidLine ??= line;
  return { multibyte, firstInvalidLine };
}

/** Copy a UTF-16 file (LE or BE, BOM optional) to UTF-8, streaming. */
async function transcodeUtf16(path: string, encoding: "utf-16le" | "utf-16be", out: string): Promise<void> {
  const decoder = new TextDecoder(encoding);
  const w = createWriteStream(out);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (!w.write(decoder.decode(chunk as Buffer, { stream: true }))) await once(w, "drain");
  }
  w.end(decoder.decode());
  await once(w, "finish");
}

let stageSeq = 0;

/**
 * Stage one part into a temp table of text columns. Structural problems are returned, not thrown.
 * The quick read (the usual case) is strict and numbers records by position; `detailed` captures
 * every malformed line and maps each record to its line in the file, for error messages.
 * Intermediate files (a workbook sheet as CSV, a UTF-16 file as UTF-8, row maps) go under
 * `scratchDir` (the workspace's tmp folder when called from ingest) and are removed afterwards.
 */
export async function stagePart(conn: DuckDBConnection, part: Part, opts: { detailed?: boolean; scratchDir?: string; schema?: string } = {}): Promise<Staged> {
  // in a temp table, or (`schema`, quick reads only) in a table of an attached database that other connections see
  const tempTable = `${opts.schema && !opts.detailed ? `${opts.schema}.` : ""}stage_${part.table}_${++stageSeq}`;
  const detailed = Boolean(opts.detailed);
  const dir = mkdtempSync(join(opts.scratchDir ?? tmpdir(), "stage-"));
  try {
    const plain = part.source.kind === "xlsx" ? part.source.path : plainPath(part, dir);
    if (part.source.kind === "parquet") return await stageParquet(conn, part, plain, tempTable);
    if (part.source.kind === "xlsx") {
      const csv = join(dir, `${part.table}.csv`);
      const hasRows = await xlsxSheetToCsv(part, csv);
      if (!hasRows) return { tempTable, headers: [], rows: 0, decimalComma: false, rowExpr: "s.__row", problems: [{ file: part.source.name, sheet: part.sheet, expected: "the sheet is empty; expected a header row naming the columns" }] };
      return await stageCsv(conn, part, csv, tempTable, true, detailed, dir);
    }
    return await stageCsv(conn, part, plain, tempTable, false, detailed, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * DuckDB reads a file path as a glob pattern: a file named `team_month*.csv` would also read
 * `team_month-old.csv`. A path with glob characters is given to DuckDB as a link (or, where
 * links are not allowed, a copy) with a plain name in the scratch folder.
 */
function plainPath(part: Part, dir: string): string {
  const path = resolve(part.source.path);
  if (!/[*?[\]{}]/.test(path)) return path;
  const plain = join(dir, `${part.table}${extname(path).toLowerCase()}`);
  try {
    symlinkSync(path, plain);
  } catch {
    copyFileSync(path, plain);
  }
  return plain;
}

/**
 * A Parquet part read in place, with no text staging (the quick path of ingest): the path to give
 * DuckDB (see {@link plainPath}; a link goes in `dir`) and each column's name and type, or
 * undefined when the file cannot be described (stagePart then says why).
 */
export async function parquetColumns(conn: DuckDBConnection, part: Part, dir: string): Promise<{ path: string; columns: { name: string; type: string }[] } | undefined> {
  const path = plainPath(part, dir);
  try {
    const cols = await queryRows<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM read_parquet(${quoteLit(path)})`);
    return { path, columns: cols.map((c) => ({ name: c.column_name, type: c.column_type })) };
  } catch {
    return undefined;
  }
}

async function stageParquet(conn: DuckDBConnection, part: Part, path: string, tempTable: string): Promise<Staged> {
  const file = quoteLit(path);
  const unreadable = (e: unknown): Staged => ({ tempTable, headers: [], rows: 0, decimalComma: false, rowExpr: "s.__row", problems: [{ file: part.source.name, expected: `not a readable Parquet file (${plainMessage(e).replaceAll(path, part.source.name)}); expected a Parquet file written by a data tool` }] });
  let cols: { column_name: string }[];
  try {
    cols = await queryRows(conn, `DESCRIBE SELECT * FROM read_parquet(${file})`);
  } catch (e) {
    return unreadable(e);
  }
  const headers = cols.map((c) => c.column_name);
  const select = headers.map((h) => `CAST(${quoteIdent(h)} AS VARCHAR) AS ${quoteIdent(h)}`).join(", ");
  try {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${tempTable} AS SELECT ${select}, file_row_number + 1 AS __row FROM read_parquet(${file}, file_row_number = true)`);
  } catch (e) {
    return unreadable(e); // a damaged row group after a readable footer
  }
  const rows = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${tempTable}`))[0].n);
  return { tempTable, headers, rows, decimalComma: false, rowExpr: "s.__row", problems: [] };
}

/** A header with control characters (NUL, ESC, ...) is not text: a binary or UTF-16 file misread. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * CSV through DuckDB's reader: explicit delimiter (sniffed from the header line), every column
 * as text, malformed lines captured rather than fatal. `withRowColumn` marks CSVs we wrote from a
 * workbook, whose last column `__row` carries the sheet's own row numbers.
 */
async function stageCsv(conn: DuckDBConnection, part: Part, path: string, tempTable: string, withRowColumn: boolean, detailed: boolean, scratch: string, forceEncoding?: Encoding): Promise<Staged> {
  const file = part.source.name;
  const sheet = part.sheet;
  const rowExpr = withRowColumn ? "s.__row" : "s.rowid + 2";
  const fail = (problem: Omit<InputProblem, "file" | "sheet">, headers: string[] = []): Staged => ({ tempTable, headers, rows: 0, decimalComma: false, rowExpr, problems: [{ file, sheet, ...problem }] });
  const head = readHead(path);
  const encoding = forceEncoding ?? detectEncoding(head);
  if (encoding === "utf-16le" || encoding === "utf-16be") {
    // DuckDB reads UTF-8: read a UTF-8 copy (same lines, so the same row numbers)
    const utf8 = join(scratch, `${tempTable}.utf8.csv`);
    await transcodeUtf16(path, encoding, utf8);
    return stageCsv(conn, part, utf8, tempTable, withRowColumn, detailed, scratch, "utf-8");
  }
  const headText = head.toString(encoding === "latin-1" ? "latin1" : "utf8");
  if (head.length === 0 || headText.replace(/^\uFEFF/, "").trim() === "") return fail({ expected: "the file is empty; expected a header row naming the columns" });
  // the usual file was seen to hold no NUL byte while it was hashed: no need to read it again
  const nul = !withRowColumn && !forceEncoding && part.source.hasNul === false ? undefined : await firstNulLine(path);
  if (nul !== undefined) {
    return fail({
      row: nul,
      expected:
        nul === 1
          ? "the file holds binary data (NUL bytes), so it is not a text CSV file; expected a CSV file of text (saved as CSV UTF-8) with a header row naming the columns"
          : "this line holds NUL bytes: the file is damaged (cut short or padded by a failed copy?) or not plain text; expected text throughout: export the file again",
    });
  }
  if (encoding === "latin-1" && !forceEncoding) {
    const mixed = await mixedEncoding(path);
    if (mixed) return fail(mixed);
  }
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
  if (headers.length === 0 || headers.every((h) => h.trim() === "")) return fail({ row: 1, expected: "expected a header row naming the columns" });
  const binary = headers.find((h) => CONTROL_CHARS.test(h));
  if (binary !== undefined) {
    return fail({ row: 1, column: safeText(binary, 60), expected: "the header row holds control characters (such as NUL bytes), so this is not a text CSV file; expected a CSV file of text (saved as CSV UTF-8) with a header row naming the columns" });
  }
  const dupHeader = headers.find((h, i) => headers.indexOf(h) !== i);
  if (dupHeader !== undefined) return fail({ row: 1, column: dupHeader, expected: "the column appears twice in the header; expected each column once" }, headers);
  const columns = `{${headers.map((h) => `${quoteLit(h)}: 'VARCHAR'`).join(", ")}}`;
  let created: number;
  try {
    const r = await conn.runAndReadAll(
      `CREATE OR REPLACE ${tempTable.includes(".") ? "" : "TEMP "}TABLE ${tempTable} AS SELECT * FROM read_csv(${quoteLit(path)}, ${options.join(", ")}, columns = ${columns})`,
    );
    created = Number(r.getRows()[0]?.[0] ?? NaN);
  } catch (e) {
    const message = plainMessage(e);
    // not UTF-8 after all (the quick check reads only the start): a mixed file is refused, a Latin-1 one read as such
    if (encoding === "utf-8" && /unicode|utf-?8/i.test(message)) {
      const mixed = await mixedEncoding(path);
      if (mixed) return fail(mixed, headers);
      return stageCsv(conn, part, path, tempTable, withRowColumn, detailed, scratch, "latin-1");
    }
    if (!detailed) return { tempTable, headers, rows: 0, decimalComma: false, rowExpr, problems: [], failed: true };
    return fail({ expected: `could not be read as CSV (${message.replaceAll(path, file)}); expected a CSV file with a header row` }, headers);
  }
  const userHeaders = headers.filter((h) => h !== "__row");
  if (!detailed) {
    // CREATE TABLE AS returns the number of rows it wrote
    const rows = Number.isFinite(created) ? created : Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${tempTable}`))[0].n);
    return { tempTable, headers: userHeaders, rows, decimalComma: delim === ";", rowExpr, problems: [] };
  }
  const problems: InputProblem[] = [];
  const rejected = await queryRows<{ line: bigint; error_type: string; error_message: string; column_name: string | null }>(
    conn,
    `SELECT line, error_type, error_message, column_name FROM ${rejects} ORDER BY line`,
  );
  const seenLines = new Set<number>();
  for (const r of rejected) {
    // one problem per line: a short line is reported once, not once per missing column
    if (seenLines.has(Number(r.line))) continue;
    seenLines.add(Number(r.line));
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
    const needsMap = rejected.length > 0 || (await hasBlankOrMultilineRecords(path, encoding));
    if (needsMap) await remapRows(conn, tempTable, path, encoding, new Set(rejected.map((r) => Number(r.line))), scratch);
  }
  const rows = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${tempTable}`))[0].n);
  return { tempTable, headers: userHeaders, rows, decimalComma: delim === ";", rowExpr: "s.__row", problems };
}

/**
 * The line of the first NUL byte in a file (streaming, native search), or undefined when there is
 * none. The usual file has none: find that with the native search alone, and count lines (a
 * loop in JavaScript, a tenth of a second on a million rows) only when there is one to report.
 */
async function firstNulLine(path: string): Promise<number | undefined> {
  let found = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if ((chunk as Buffer).indexOf(0) >= 0) {
      found = true;
      break;
    }
  }
  if (!found) return undefined;
  let line = 1;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    const at = buf.indexOf(0);
    const end = at < 0 ? buf.length : at;
    for (let i = buf.indexOf(0x0a); i >= 0 && i < end; i = buf.indexOf(0x0a, i + 1)) line++;
    if (at >= 0) return line;
  }
  return undefined;
}

/** The problem for a file that mixes UTF-8 with another encoding, or undefined when it does not. */
async function mixedEncoding(path: string): Promise<Omit<InputProblem, "file" | "sheet"> | undefined> {
  const scan = await scanUtf8(path);
  if (scan.multibyte === 0 || scan.firstInvalidLine === undefined) return undefined;
  return {
    row: scan.firstInvalidLine,
    expected: "the file mixes two text encodings: it is UTF-8 elsewhere, but this line has bytes that are not (Latin-1 text pasted in from another system?); expected one encoding throughout: save the file again as CSV UTF-8",
  };
}

/**
 * For a CSV part, the line each record starts on (index k = the k-th record after the header),
 * so positions numbered quickly (k + 2) can be turned into the line a spreadsheet shows.
 * Undefined for workbooks and Parquet, whose row numbers are already exact.
 */
export async function csvRecordLines(part: Part): Promise<number[] | undefined> {
  if (part.source.kind !== "csv") return undefined;
  const starts: number[] = [];
  await recordStarts(part.source.path, detectEncoding(readHead(part.source.path)), new Set(), (line) => starts.push(line));
  return starts;
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

/**
 * Cheap test, streaming: does the file have blank lines or quoted newlines, so that rowid + 2
 * is not the line? Blank lines at the very end are not records.
 */
async function hasBlankOrMultilineRecords(path: string, encoding: Encoding): Promise<boolean> {
  if (encoding !== "utf-8") return true;
  let inQuote = false;
  let lineHasContent = true; // the header line
  let blankSeen = false;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === 0x22) inQuote = !inQuote;
      if (c === 0x0a || c === 0x0d) {
        if (inQuote) return true;
        if (c === 0x0a) {
          if (!lineHasContent) blankSeen = true;
          lineHasContent = false;
        }
        continue;
      }
      if (blankSeen) return true;
      lineHasContent = true;
    }
  }
  return false;
}

/** Assign each staged record the line its record starts on (1 = header), skipping blank and rejected lines. */
async function remapRows(conn: DuckDBConnection, tempTable: string, path: string, encoding: Encoding, rejectedLines: Set<number>, scratch: string): Promise<void> {
  const map = join(scratch, `${tempTable}.rows.csv`);
  const fd = openSync(map, "w");
  try {
    let k = 0;
    let pending = "k,line\n";
    await recordStarts(path, encoding, rejectedLines, (line) => {
      pending += `${k++},${line}\n`;
      if (pending.length > 1 << 16) {
        writeFileSync(fd, pending);
        pending = "";
      }
    });
    writeFileSync(fd, pending);
  } finally {
    closeSync(fd);
  }
  await conn.run(
    `UPDATE ${tempTable} AS t SET __row = m.line FROM read_csv(${quoteLit(map)}, header = true, columns = {'k': 'BIGINT', 'line': 'BIGINT'}) AS m WHERE t.rowid = m.k`,
  );
  rmSync(map, { force: true });
}

/**
 * Stream the lines on which records start (header = line 1, not listed) to `onStart`,
 * skipping blank and rejected lines. Memory is one chunk, whatever the file's size.
 */
async function recordStarts(path: string, encoding: Encoding, rejectedLines: Set<number>, onStart: (line: number) => void): Promise<void> {
  const decoder = new TextDecoder(encoding === "latin-1" ? "latin1" : encoding);
  let line = 1;
  let recordStart = 1;
  let inQuote = false;
  let recordEmpty = true;
  let first = true;
  let prevCR = false;
  const endRecord = () => {
    if (first) first = false;
    else if (!recordEmpty && !rejectedLines.has(recordStart)) onStart(recordStart);
    recordEmpty = true;
  };
  const scan = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === "\n" && prevCR) {
        prevCR = false;
        continue;
      }
      prevCR = false;
      if (ch === '"') {
        inQuote = !inQuote;
        recordEmpty = false;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r") prevCR = true;
        line++;
        if (!inQuote) {
          endRecord();
          recordStart = line;
        }
      } else if (ch !== "\uFEFF") {
        recordEmpty = false;
      }
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) scan(decoder.decode(chunk as Buffer, { stream: true }));
  scan(decoder.decode());
  endRecord();
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
