/**
 * Bad input, property-based: malformed returns generated from the small valid return of
 * test/helpers.ts (wrong types, out-of-range values, missing and duplicated columns and rows,
 * mixed and UTF-16 encodings, truncated files, 2 MB cells, empty files, a sheet missing from a
 * workbook, junk bytes). Each is ingested through the library AND through the CLI
 * (`fairload ingest ... --json`), and must be:
 * - refused with problems that name the file (and, where it applies, sheet, row and column) and
 *   say what was expected, or accepted where the mutation is harmless, exactly as an oracle
 *   computed from the mutation predicts;
 * - reported without a stack trace or a JavaScript `Error:` prefix on stdout or stderr;
 * - harmless to the database: after a refusal its snapshot (every table) is unchanged.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ROLES } from "../../core/contract.ts";
import { formatProblem, type InputProblem } from "../../core/errors.ts";
import { type IngestSummary, ingest } from "../../loaders/ingest.ts";
import { initWorkspace, openWorkspace, type Workspace } from "../../core/workspace.ts";
import { runCli, smallReturn, snapshot, tempDir, tempWorkspace } from "../support/helpers.ts";

/** Temp folders of this file, removed when it ends (the sample workspaces are tens of MB each). */

type Cell = string | number | null;
interface Sheet {
  columns: string[];
  rows: Cell[][];
}
type Model = Record<string, Sheet>;

/** Where a problem must point: every field given must match one problem. */
interface Where {
  file: string;
  sheet?: string;
  row?: number;
  column?: string;
}
type Expect = { outcome: "refused"; where: Where } | { outcome: "accepted" } | { outcome: "either" };

/** A generated return: files to write (name -> content) and what ingest must do with it. */
interface Case {
  name: string;
  files: Record<string, string | Buffer>;
  expect: Expect;
}

const TABLES = ["points_scheme", "staff", "worker_month", "case_month"] as const;
type Table = (typeof TABLES)[number];
const REQUIRED: Record<Table, string[]> = {
  points_scheme: ["service", "case_type", "points"],
  staff: ["worker_id", "ethnicity"],
  worker_month: ["period", "worker_id", "service", "team", "role", "fte"],
  case_month: ["period", "worker_id", "case_ref", "case_type", "points"],
};
const KEYS: Record<Table, string[]> = {
  points_scheme: ["service", "case_type"],
  staff: ["worker_id"],
  worker_month: ["period", "worker_id"],
  case_month: ["period", "worker_id", "case_ref"],
};
const XLSX = "return.xlsx";

/** The small valid return of test/helpers.ts, for January 2025, as sheets of cells. */
function baseModel(): Model {
  const r = smallReturn("2025-01");
  const model: Model = {};
  for (const t of TABLES) {
    const rows = r[t];
    const columns = Object.keys(rows[0]);
    model[t] = { columns, rows: rows.map((row) => columns.map((c) => (row[c] ?? null) as Cell)) };
  }
  return model;
}

function clone(m: Model): Model {
  return JSON.parse(JSON.stringify(m));
}

/** RFC 4180 CSV (the text, before encoding), LF line ends. */
function csvText(s: Sheet): string {
  const field = (v: Cell) => {
    if (v === null) return "";
    const t = String(v);
    return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [s.columns.map(field).join(","), ...s.rows.map((r) => r.map(field).join(","))].join("\n") + "\n";
}

function csvFiles(m: Model): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([t, s]) => [`${t}.csv`, csvText(s)]));
}

async function xlsxFile(m: Model): Promise<Record<string, Buffer>> {
  const wb = new ExcelJS.Workbook();
  for (const [t, s] of Object.entries(m)) {
    const ws = wb.addWorksheet(t);
    ws.addRow(s.columns);
    for (const r of s.rows) ws.addRow(r);
  }
  return { [XLSX]: Buffer.from(await wb.xlsx.writeBuffer()) };
}

/** Where a cell-level problem points, in CSV or workbook form. */
function at(container: "csv" | "xlsx", table: string, row?: number, column?: string): Where {
  return container === "csv" ? { file: `${table}.csv`, row, column } : { file: XLSX, sheet: table, row, column };
}

/**
 * The oracle for a structurally valid return: the reference rules of docs/returns.md (every
 * case's worker has a worker_month row for the month; every case type is in the scheme of the
 * worker's service). The base load holds the same scheme, which a new points_scheme replaces.
 */
function referenceOutcome(m: Model, container: "csv" | "xlsx"): Expect {
  const col = (t: Table, name: string) => m[t]?.columns.indexOf(name) ?? -1;
  const cases = m.case_month?.rows ?? [];
  const workers = new Set((m.worker_month?.rows ?? []).map((r) => `${r[col("worker_month", "period")]}|${r[col("worker_month", "worker_id")]}`));
  // a new scheme replaces the stored one service by service: an empty one replaces nothing
  const newScheme = m.points_scheme?.rows ?? [];
  const scheme = new Set(newScheme.length ? newScheme.map((r) => r[col("points_scheme", "case_type")]) : baseModel().points_scheme.rows.map((r) => r[1]));
  for (const [i, r] of cases.entries()) {
    if (!workers.has(`${r[col("case_month", "period")]}|${r[col("case_month", "worker_id")]}`)) return { outcome: "refused", where: at(container, "case_month", i + 2, "worker_id") };
    if (!scheme.has(r[col("case_month", "case_type")])) return { outcome: "refused", where: at(container, "case_month", i + 2, "case_type") };
  }
  return { outcome: "accepted" };
}

const container = fc.constantFrom<"csv" | "xlsx">("csv", "xlsx");
const letters = fc.stringMatching(/^[a-z]{1,8}$/);
const lettersNotIn = (allowed: readonly string[]) => letters.filter((s) => !allowed.some((a) => a.toLowerCase() === s));
const thisYear = new Date().getFullYear();
const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** A bad value for a cell, per column: wrong type or out of range (docs/returns.md). */
const BAD_CELLS: { table: Table; column: string; bad: fc.Arbitrary<Cell> }[] = [
  { table: "worker_month", column: "fte", bad: fc.oneof(letters, finite(1.0001, 1e9), finite(-1e9, 0)) },
  { table: "worker_month", column: "role", bad: lettersNotIn(DEFAULT_ROLES) },
  { table: "worker_month", column: "employment", bad: lettersNotIn(["permanent", "agency"]) },
  { table: "worker_month", column: "period", bad: fc.oneof(letters, fc.constantFrom("2025-13", "2025-00", "2099-01", "1999-12", "13/2025", "2025/01/40")) },
  { table: "case_month", column: "points", bad: fc.oneof(letters, finite(-1e9, -0.001)) },
  { table: "case_month", column: "complexity", bad: fc.oneof(letters, fc.integer({ min: 6, max: 1e6 }), fc.integer({ min: -1e6, max: 0 }), fc.constant(2.5)) },
  { table: "staff", column: "qualified_year", bad: fc.oneof(letters, fc.integer({ min: thisYear + 1, max: 9999 }), fc.integer({ min: 0, max: 1949 })) },
  { table: "staff", column: "gender", bad: lettersNotIn(["Female", "Male", "Other", "Prefer not to say"]) },
  { table: "points_scheme", column: "points", bad: fc.oneof(letters, finite(-1e9, -0.001)) },
];

const badCell: fc.Arbitrary<Promise<Case>> = fc
  .record({ c: container, target: fc.constantFrom(...BAD_CELLS), row: fc.nat(), value: fc.constant(null) })
  .chain((x) => x.target.bad.map((value) => ({ ...x, value })))
  .map(async ({ c, target, row, value }): Promise<Case> => {
    const m = baseModel();
    const sheet = m[target.table];
    const i = row % sheet.rows.length;
    sheet.rows[i][sheet.columns.indexOf(target.column)] = value;
    return { name: `bad ${target.table}.${target.column} = ${JSON.stringify(value)} (${c})`, files: c === "csv" ? csvFiles(m) : await xlsxFile(m), expect: { outcome: "refused", where: at(c, target.table, i + 2, target.column) } };
  });

const missingColumn = fc.record({ c: container, table: fc.constantFrom(...TABLES), k: fc.nat() }).map(async ({ c, table, k }) => {
  const m = baseModel();
  const col = REQUIRED[table][k % REQUIRED[table].length];
  const j = m[table].columns.indexOf(col);
  m[table].columns.splice(j, 1);
  for (const r of m[table].rows) r.splice(j, 1);
  return { name: `missing column ${table}.${col} (${c})`, files: c === "csv" ? csvFiles(m) : await xlsxFile(m), expect: { outcome: "refused" as const, where: at(c, table, 1, col) } };
});

const duplicatedColumn = fc.record({ c: container, table: fc.constantFrom(...TABLES), k: fc.nat(), upper: fc.boolean() }).map(async ({ c, table, k, upper }) => {
  const m = baseModel();
  const j = k % m[table].columns.length;
  const header = upper ? m[table].columns[j].toUpperCase() : m[table].columns[j];
  m[table].columns.push(header);
  for (const r of m[table].rows) r.push(r[j]);
  return { name: `duplicated column ${table}.${header} (${c})`, files: c === "csv" ? csvFiles(m) : await xlsxFile(m), expect: { outcome: "refused" as const, where: at(c, table, 1, header) } };
});

const duplicatedRow = fc.record({ c: container, table: fc.constantFrom(...TABLES), k: fc.nat() }).map(async ({ c, table, k }) => {
  const m = baseModel();
  const rows = m[table].rows;
  rows.push([...rows[k % rows.length]]);
  return { name: `duplicated row ${table}[${k % (rows.length - 1)}] (${c})`, files: c === "csv" ? csvFiles(m) : await xlsxFile(m), expect: { outcome: "refused" as const, where: at(c, table, rows.length + 1, KEYS[table].join(", ")) } };
});

const missingRow = fc.record({ c: container, table: fc.constantFrom(...TABLES), k: fc.nat() }).map(async ({ c, table, k }) => {
  const m = baseModel();
  const i = k % m[table].rows.length;
  m[table].rows.splice(i, 1);
  return { name: `missing row ${table}[${i}] (${c})`, files: c === "csv" ? csvFiles(m) : await xlsxFile(m), expect: referenceOutcome(m, c) };
});

const missingSheet = fc.constantFrom(...TABLES).map(async (table) => {
  const m = baseModel();
  delete m[table];
  return { name: `workbook without sheet ${table}`, files: await xlsxFile(m), expect: referenceOutcome(m, "xlsx") };
});

/** worker_month.csv in another encoding, with accented team names. */
const encoding = fc.constantFrom("latin-1", "utf-16le+bom", "utf-16be+bom", "utf-16le", "utf-8+bom", "mixed").map(async (enc): Promise<Case> => {
  const m = baseModel();
  const wm = m.worker_month;
  const team = wm.columns.indexOf("team");
  wm.rows[0][team] = "Équipe A";
  wm.rows[2][team] = "Tëam Ü";
  const text = csvText(wm);
  const files: Record<string, string | Buffer> = csvFiles(m);
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.from(le).swap16();
  const bytes: Record<string, Buffer> = {
    "latin-1": Buffer.from(text, "latin1"),
    "utf-16le+bom": Buffer.concat([Buffer.from([0xff, 0xfe]), le]),
    "utf-16be+bom": Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
    "utf-16le": le,
    "utf-8+bom": Buffer.from(`\uFEFF${text}`, "utf8"),
    // the file is UTF-8 but the first row was pasted in from a Latin-1 system
    mixed: Buffer.concat(text.split("\n").map((line, i) => Buffer.from(line + (i < text.split("\n").length - 1 ? "\n" : ""), i === 1 ? "latin1" : "utf8"))),
  };
  files["worker_month.csv"] = bytes[enc];
  return { name: `worker_month.csv as ${enc}`, files, expect: enc === "mixed" ? { outcome: "refused", where: { file: "worker_month.csv", row: 2 } } : { outcome: "accepted" } };
});

/** A file cut short: inside its last line (a delimiter lost), inside a quoted field, or anywhere. */
const truncated = fc.record({ table: fc.constantFrom(...TABLES), mode: fc.constantFrom("mid-line", "mid-quote", "anywhere"), k: fc.nat() }).map(async ({ table, mode, k }): Promise<Case> => {
  const m = baseModel();
  const sheet = mode === "mid-quote" ? m.worker_month : m[table];
  const t = mode === "mid-quote" ? "worker_month" : table;
  if (mode === "mid-quote") sheet.rows[sheet.rows.length - 1][sheet.columns.indexOf("team")] = "Team A, North";
  const text = csvText(sheet);
  const lastStart = text.lastIndexOf("\n", text.length - 2) + 1;
  const lastLine = sheet.rows.length + 1;
  const files: Record<string, string | Buffer> = csvFiles(m);
  let cut: number;
  let expectation: Expect;
  if (mode === "mid-line") {
    const lastDelim = text.lastIndexOf(",");
    cut = lastStart + 1 + (k % (lastDelim - lastStart));
    expectation = { outcome: "refused", where: { file: `${t}.csv`, row: lastLine } };
  } else if (mode === "mid-quote") {
    const open = text.indexOf('"', lastStart);
    const close = text.indexOf('"', open + 1);
    cut = open + 1 + (k % (close - open - 1));
    expectation = { outcome: "refused", where: { file: `${t}.csv`, row: lastLine } };
  } else {
    cut = k % (text.length + 1);
    expectation = { outcome: "either" };
  }
  files[`${t}.csv`] = text.slice(0, cut);
  return { name: `${t}.csv cut at ${cut} of ${text.length} (${mode})`, files, expect: expectation };
});

/** A 2 MB cell: harmless in a text column, refused (and reported cut short) in a number column. */
const hugeCell = fc.constantFrom("team", "fte", "notes").map(async (column): Promise<Case> => {
  const m = baseModel();
  const wm = m.worker_month;
  const big = "x".repeat(2 * 1048576);
  if (column === "notes") {
    wm.columns.push("notes");
    wm.rows.forEach((r, i) => r.push(i === 1 ? big : "ok"));
  } else wm.rows[1][wm.columns.indexOf(column)] = big;
  return { name: `2 MB cell in worker_month.${column}`, files: csvFiles(m), expect: column === "fte" ? { outcome: "refused", where: { file: "worker_month.csv", row: 3, column: "fte" } } : { outcome: "accepted" } };
});

/** Empty files are refused by name; a header with no rows is a harmless empty table. */
const emptyFile = fc.record({ table: fc.constantFrom(...TABLES), content: fc.constantFrom("", "\uFEFF", "\n\n", "   \r\n", "header-only") }).map(async ({ table, content }): Promise<Case> => {
  const m = baseModel();
  const files: Record<string, string | Buffer> = csvFiles(m);
  if (content === "header-only") {
    m[table].rows = [];
    files[`${table}.csv`] = csvText(m[table]);
    return { name: `${table}.csv with a header and no rows`, files, expect: referenceOutcome(m, "csv") };
  }
  files[`${table}.csv`] = content;
  return { name: `${table}.csv is ${JSON.stringify(content)}`, files, expect: { outcome: "refused", where: { file: `${table}.csv` } } };
});

/** Random bytes in place of a CSV, as a Parquet file, or as a workbook beside the CSVs. */
const junk = fc.record({ table: fc.constantFrom(...TABLES), as: fc.constantFrom("csv", "parquet", "xlsx"), bytes: fc.uint8Array({ minLength: 0, maxLength: 4096 }) }).map(async ({ table, as, bytes }): Promise<Case> => {
  const files: Record<string, string | Buffer> = csvFiles(baseModel());
  const name = as === "xlsx" ? XLSX : `${table}.${as}`;
  if (as !== "xlsx") delete files[`${table}.csv`];
  files[name] = Buffer.from(bytes);
  return { name: `${bytes.length} junk bytes as ${name}`, files, expect: { outcome: "refused", where: { file: name } } };
});

const anyBadReturn = fc.oneof(badCell, missingColumn, duplicatedColumn, duplicatedRow, missingRow, missingSheet, encoding, truncated, hugeCell, emptyFile, junk);

let template: Workspace;
let templateSnapshot: Record<string, string>;

/** A copy of the template workspace (December 2024 already loaded). */
function freshWorkspace(): Workspace {
  const dir = join(tempDir("fairload-prop-"), "ws");
  cpSync(template.dir, dir, { recursive: true });
  return openWorkspace(dir);
}

function writeCase(c: Case): string {
  const dir = join(tempDir("fairload-case-"), "return");
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(c.files)) writeFileSync(join(dir, name), content);
  return dir;
}

function matches(p: InputProblem, w: Where): boolean {
  return p.file === w.file && (w.sheet === undefined || p.sheet === w.sheet) && (w.row === undefined || p.row === w.row) && (w.column === undefined || p.column === w.column);
}

/** The checks every outcome must pass, whichever way it was reached. */
function checkSummary(c: Case, s: IngestSummary): void {
  const shown = s.problems.map(formatProblem).join("\n");
  if (c.expect.outcome === "accepted") expect(s.status, `${c.name}\n${shown}`).toBe("accepted");
  if (c.expect.outcome === "refused") {
    expect(s.status, c.name).toBe("refused");
    const where = c.expect.where;
    expect(s.problems.some((p) => matches(p, where)), `${c.name}: no problem at ${JSON.stringify(where)}:\n${shown}`).toBe(true);
  }
  if (s.status === "refused") {
    expect(s.problems.length).toBeGreaterThan(0);
    for (const p of s.problems) {
      expect(Object.keys(c.files), `${c.name}: ${formatProblem(p)}`).toContain(p.file);
      expect(p.expected, `${c.name}: ${formatProblem(p)}`).toMatch(/expected|refused/i);
      if (p.row !== undefined) expect(Number.isInteger(p.row) && p.row >= 1).toBe(true);
      if (p.value) expect(p.value.length).toBeLessThanOrEqual(203);
    }
  } else {
    expect(s.status, `${c.name}\n${shown}`).toBe("accepted");
  }
}

const STACK = /^\s+at |\b\w*(Error|Exception):|unexpected error/m;

beforeAll(async () => {
  template = tempWorkspace();
  const dec = smallReturn("2024-12");
  const dir = join(tempDir(), "dec");
  mkdirSync(dir);
  for (const [t, rows] of Object.entries(dec)) {
    const m = { columns: Object.keys(rows[0]), rows: rows.map((r) => Object.values(r) as Cell[]) };
    writeFileSync(join(dir, `${t}.csv`), csvText(m));
  }
  expect((await ingest(template, [dir])).status).toBe("accepted");
  templateSnapshot = await snapshot(template);
});

describe("bad input is refused whole (or, if harmless, accepted), named precisely, and changes nothing", () => {
  it("through the library: every generated return", async () => {
    await fc.assert(
      fc.asyncProperty(anyBadReturn, async (made) => {
        const c = await made;
        const ws = freshWorkspace();
        const s = await ingest(ws, [writeCase(c)]);
        checkSummary(c, s);
        const after = await snapshot(ws);
        if (s.status === "refused") expect(after, c.name).toEqual(templateSnapshot);
        else expect(after.loads, c.name).not.toEqual(templateSnapshot.loads);
      }),
      { numRuns: 70 },
    );
  });

  it("through the CLI: the same outcome and problems as JSON, no stack trace, exit 2 when refused", async () => {
    await fc.assert(
      fc.asyncProperty(anyBadReturn, async (made) => {
        const c = await made;
        const ws = freshWorkspace();
        const out = await runCli(["ingest", writeCase(c), "--workspace", ws.dir, "--json"]);
        expect(out.stdout + out.stderr, c.name).not.toMatch(STACK);
        const s = JSON.parse(out.stdout) as IngestSummary;
        checkSummary(c, s);
        expect(out.status, c.name).toBe(s.status === "refused" ? 2 : 0);
        // the JSON stays small even when a cell is 2 MB (values are cut to 200 characters)
        expect(out.stdout.length).toBeLessThan(200_000);
        if (s.status === "refused") expect(await snapshot(ws), c.name).toEqual(templateSnapshot);
      }),
      { numRuns: 14 },
    );
  });
});
