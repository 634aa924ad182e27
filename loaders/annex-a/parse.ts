/**
 * An Annex A workbook's lists, from cell values to annex_a_allocation rows: pure functions, no I/O.
 *
 * Each list 3 to 9 gives one row per child row with an allocated worker: the list, the sheet row,
 * the allocated team, pseudonymous child and worker ids (keyed hashes: the Child Unique ID and the
 * Allocated Worker's name or id are never kept), the child's gender, ethnicity and age band, and
 * the list's dates and complexity markers, normalised (`a) WBRI` -> WBRI, `b) Female` -> 2 Female,
 * `q) 6: Police` -> 6 Police, `E1: Placement order` -> E1 Placement order granted). Excel error
 * cells (`#N/A`, `#REF!`) are missing values; formula cells give their cached value; dates may be
 * Excel dates, serial numbers or text. Dates of birth are read only to work out an age band when
 * Age is missing, and are never stored or shown. A value that cannot be read (a malformed date, an
 * unknown code) refuses the workbook, naming sheet, row and column; the personal columns' values
 * are never put in a message.
 */
import type { InputProblem } from "../../core/errors.ts";
import type { Pseudonymiser } from "../../core/pseudonym.ts";
import type { Row } from "../census/parse.ts";
import { normaliseChildEthnicity, normaliseCoded, normaliseGender, normaliseYesNo } from "./codes.ts";
import { COMMON_FIELDS, type FieldSpec, LISTS, type ListSpec, listNumber, matchHeaders } from "./lists.ts";

/** A sheet's non-empty rows: the sheet's row number and its cells (index 0 = column A) as exceljs gives them. */
export interface SheetGrid {
  name: string;
  rows: { row: number; cells: unknown[] }[];
}

export interface AnnexResult {
  rows: Row[];
  queries: Row[];
  problems: InputProblem[];
  total: number;
  notes: string[];
  /** The lists loaded. */
  lists: number[];
}

/** Columns whose values are personal data: never shown in a message. */
const PERSONAL_FIELDS = new Set(["child_id", "worker", "dob"]);

/**
 * A cell's value as a person sees it: formulas give their cached result, rich text its text,
 * hyperlinks their text, and Excel errors (`#N/A`, `#REF!`, ...) nothing.
 */
export function cellValue(v: unknown): string | number | boolean | Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    const t = v.trim();
    return t === "" || /^#(N\/A|REF!|VALUE!|DIV\/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)$/i.test(t) ? null : t;
  }
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("error" in o) return null;
    if ("formula" in o || "sharedFormula" in o || "result" in o) return cellValue(o.result);
    if ("richText" in o && Array.isArray(o.richText)) return cellValue((o.richText as { text: string }[]).map((r) => r.text).join(""));
    if ("text" in o) return cellValue(o.text);
  }
  return null;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12 };

/**
 * A date cell as `YYYY-MM-DD`: an Excel date, a serial day number, or text as `DD/MM/YYYY`
 * (also `-` or `.`, two-digit years), `YYYY-MM-DD` (with or without a time) or `5 Sep 2024` /
 * `05-Sep-2024`; never US month-first. Undefined when it is not a date.
 */
export function parseDateCell(v: string | number | boolean | Date): string | undefined {
  if (v instanceof Date) return iso(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate());
  if (typeof v === "number") {
    if (v < 1 || v > 80000) return undefined;
    const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(v) * 86400000);
    return iso(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  }
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?: [\d:]+)?$/.exec(t);
  if (m) return iso(fullYear(m[3]!), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{2}|\d{4})$/.exec(t);
  if (m) {
    const mo = MONTHS[m[2]!.toLowerCase().slice(0, m[2]!.toLowerCase().startsWith("sept") ? 4 : 3)];
    return mo ? iso(fullYear(m[3]!), mo, Number(m[1])) : undefined;
  }
  if (/^\d+(\.\d+)?$/.test(t)) return parseDateCell(Number(t));
  return undefined;
}

function fullYear(y: string): number {
  if (y.length === 4) return Number(y);
  const n = Number(y);
  const now = new Date().getUTCFullYear() % 100;
  return n <= now + 1 ? 2000 + n : 1900 + n;
}

function iso(y: number, m: number, d: number): string | undefined {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d || y < 1900 || y > 2100) return undefined;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** The age band of an age in whole years (the DfE's bands, with 16-17 and 18 and over apart). */
export function ageBand(age: number): string | null {
  if (!Number.isFinite(age) || age < 0 || age > 30) return null;
  if (age < 1) return "under 1";
  if (age < 5) return "1-4";
  if (age < 10) return "5-9";
  if (age < 16) return "10-15";
  if (age < 18) return "16-17";
  return "18 and over";
}

/** Whole years from `dob` to `at` (both YYYY-MM-DD). */
export function yearsBetween(dob: string, at: string): number {
  const [y1, m1, d1] = dob.split("-").map(Number) as [number, number, number];
  const [y2, m2, d2] = at.split("-").map(Number) as [number, number, number];
  return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
}

/** The header row of a list sheet: among the first 15 rows, the one matching the most known columns (at least 3, one of them the child's id). */
function findHeader(grid: SheetGrid, fields: FieldSpec[]): { index: number; headers: string[]; match: Map<string, number> } | undefined {
  let best: { index: number; headers: string[]; match: Map<string, number> } | undefined;
  for (const [index, r] of grid.rows.slice(0, 15).entries()) {
    const headers = r.cells.map((c) => {
      const v = cellValue(c);
      return v === null ? "" : v instanceof Date ? "" : String(v);
    });
    const match = matchHeaders(headers, fields);
    if (match.size >= 3 && match.has("child_id") && (!best || match.size > best.match.size)) best = { index, headers, match };
  }
  return best;
}

/**
 * Read the list sheets of an Annex A workbook into annex_a_allocation rows. `file` names the
 * workbook in messages. Lists 1, 2, 10 and 11 (no allocated worker) are skipped with a note.
 */
export function readAnnexA(sheets: SheetGrid[], file: string, pseudo: Pseudonymiser, opts: { cap?: number } = {}): AnnexResult {
  const cap = opts.cap ?? 50;
  const out: AnnexResult = { rows: [], queries: [], problems: [], total: 0, notes: [], lists: [] };
  const problem = (p: InputProblem) => {
    out.total++;
    if (out.problems.length < cap) out.problems.push(p);
  };
  const seen = new Map<number, string>();
  for (const grid of sheets) {
    const n = listNumber(grid.name);
    if (n === undefined) {
      out.notes.push(`${file}, sheet ${grid.name}: ignored (not an Annex A list)`);
      continue;
    }
    const spec = LISTS.find((l) => l.list === n);
    if (!spec) {
      out.notes.push(`${file}, sheet ${grid.name}: List ${n} has no allocated worker; not read (fairload needs only the allocations of Lists 3 to 9)`);
      continue;
    }
    const other = seen.get(n);
    if (other !== undefined) {
      problem({ file, sheet: grid.name, expected: `a second List ${n} (also sheet ${other}); expected each list once` });
      continue;
    }
    seen.set(n, grid.name);
    readList(grid, spec, file, pseudo, out, problem);
  }
  if (out.lists.length === 0 && out.total === 0) {
    problem({ file, expected: "no Annex A list with allocated workers was found; expected sheets named List 3 to List 9 with the columns Child Unique ID, Allocated Team and Allocated Worker" });
  }
  return out;
}

function readList(grid: SheetGrid, spec: ListSpec, file: string, pseudo: Pseudonymiser, out: AnnexResult, problem: (p: InputProblem) => void): void {
  const fields = [...COMMON_FIELDS, ...spec.fields];
  const header = findHeader(grid, fields);
  if (!header) {
    problem({ file, sheet: grid.name, expected: `no header row found in the first 15 rows; expected the List ${spec.list} columns, among them Child Unique ID, Allocated Team and Allocated Worker` });
    return;
  }
  const col = header.match;
  if (!col.has("worker") && !col.has("team")) {
    problem({ file, sheet: grid.name, row: grid.rows[header.index]!.row, expected: `List ${spec.list} has no Allocated Team or Allocated Worker column; expected both (headers matched loosely)` });
    return;
  }
  if (!col.has("worker")) {
    out.notes.push(`${file}, sheet ${grid.name}: no Allocated Worker column; List ${spec.list} not loaded`);
    return;
  }
  out.lists.push(spec.list);
  const scope = `List ${spec.list}`;
  let unallocated = 0;
  let seq = 0;
  const startCount = out.rows.length;
  for (const r of grid.rows.slice(header.index + 1)) {
    const get = (field: string) => {
      const i = col.get(field);
      return i === undefined ? null : cellValue(r.cells[i]);
    };
    if (r.cells.every((c) => cellValue(c) === null)) continue;
    const bad = (field: string, expected: string, value?: string | number | boolean | Date | null) => {
      const i = col.get(field)!;
      const show = PERSONAL_FIELDS.has(field) || value === undefined || value === null ? {} : { value: value instanceof Date ? value.toISOString().slice(0, 10) : String(value) };
      problem({ file, sheet: grid.name, row: r.row, column: header.headers[i] || field, ...show, expected });
    };
    const worker = get("worker");
    if (worker === null) {
      unallocated++;
      continue;
    }
    const childId = get("child_id");
    if (childId === null) {
      bad("child_id", "the Child Unique ID is required on every row with an allocated worker");
      continue;
    }
    const row: Row = {
      _row: r.row,
      list: spec.list,
      list_name: spec.name,
      sheet_row: r.row,
      child_ref: pseudo.id("child", String(childId)),
      team: textOf(get("team")),
      worker_ref: pseudo.id("worker_source", String(worker)),
    };
    // gender, ethnicity, disability
    const g = get("gender");
    const gender = g === null ? { code: null, label: null } : normaliseGender(String(g));
    if (!gender) bad("gender", "expected a gender: Male, Female, Not stated/recorded or Neither (a letter prefix such as b) is fine)", g);
    row.child_gender_code = gender?.code ?? null;
    row.child_gender_label = gender?.label ?? null;
    const e = get("ethnicity");
    const eth = e === null ? "NOBT" : normaliseChildEthnicity(String(e));
    if (!eth) bad("ethnicity", "expected a DfE ethnicity main code such as WBRI or BAFR, or its description (a letter prefix such as a) is fine)", e);
    row.child_ethnicity_code = eth ?? null;
    row.disability = yesNo("disability", get("disability"), bad);
    // the age band: from Age, else from the date of birth at the list's main date (the date of birth is not kept)
    row.child_age_band = null;
    const age = get("age");
    if (age !== null && !(age instanceof Date)) {
      const years = typeof age === "number" ? age : Number(/^\s*(\d+(?:\.\d+)?)/.exec(String(age))?.[1]);
      if (Number.isFinite(years)) row.child_age_band = ageBand(Math.floor(years));
    }
    // list fields
    for (const f of spec.fields) {
      const v = get(f.field);
      if (f.type === "coded") {
        let c: { code: string | null; label: string | null } | undefined = { code: null, label: null };
        if (v !== null) {
          c = normaliseCoded(v instanceof Date ? "" : String(v), f.codes);
          if (!c) bad(f.field, `expected one of the codes ${Object.keys(f.codes ?? {}).join(", ")} (a letter prefix or a label after the code is fine)`, v);
        }
        row[`${f.field}_code`] = c?.code ?? null;
        row[`${f.field}_label`] = c?.label ?? null;
      } else if (f.type === "date") {
        row[f.field] = v === null ? null : (parseDateCell(v) ?? (bad(f.field, "expected a date: an Excel date, or text as DD/MM/YYYY or YYYY-MM-DD", v), null));
      } else if (f.type === "integer") {
        row[f.field] = v === null ? null : (count(v) ?? (bad(f.field, "expected a whole number of 0 or more", v), null));
      } else if (f.type === "boolean") {
        row[f.field] = yesNo(f.field, v, bad);
      }
    }
    if (row.child_age_band === null) {
      const dob = get("dob");
      const at = spec.mainDate ? (row[spec.mainDate] as string | null) : null;
      const born = dob === null ? undefined : parseDateCell(dob);
      if (born && at) row.child_age_band = ageBand(yearsBetween(born, at));
    }
    out.rows.push(row);
    // data-quality queries that do not refuse
    const q = (column: string, text: string) => out.queries.push({ _row: ++seq, source: "annex_a", scope, seq, location: `sheet ${grid.name}, row ${r.row}`, element: column, query: text });
    if (row.team === null) q("Allocated Team", "an allocated worker without an allocated team");
    const pairs: [string, string][] = [["cpp_start_date", "cpp_end_date"], ["cla_start_date", "cla_end_date"], ["cin_start_date", "cin_closure_date"], ["assessment_start_date", "assessment_authorised_date"]];
    for (const [a, b] of pairs) if (row[a] && row[b] && (row[b] as string) < (row[a] as string)) q(b, `ends (${row[b]}) before it starts (${row[a]})`);
  }
  const loaded = out.rows.length - startCount;
  out.notes.push(`${file}, sheet ${grid.name}: ${loaded} allocation${loaded === 1 ? "" : "s"} from List ${spec.list} (${spec.name})${unallocated ? `; ${unallocated} row${unallocated === 1 ? "" : "s"} without an allocated worker not loaded` : ""}`);
  // a column of the template that was not found is worth saying (not a refusal: headers vary)
  const missing = spec.fields.filter((f) => !col.has(f.field)).map((f) => f.headers[0]);
  if (missing.length) out.notes.push(`${file}, sheet ${grid.name}: column${missing.length === 1 ? "" : "s"} not found, left empty: ${missing.join("; ")}`);
}

function textOf(v: string | number | boolean | Date | null): string | null {
  if (v === null) return null;
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim();
  return s === "" ? null : s.slice(0, 100);
}

function count(v: string | number | boolean | Date): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === "string" && /^\d{1,6}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

function yesNo(field: string, v: string | number | boolean | Date | null, bad: (field: string, expected: string, value?: string | number | boolean | Date | null) => void): boolean | null {
  if (v === null) return null;
  if (typeof v === "boolean") return v;
  const b = v instanceof Date ? undefined : normaliseYesNo(String(v));
  if (b === undefined) {
    bad(field, "expected yes or no (Yes, No, Y, N, 1, 0; a letter prefix such as a) is fine)", v);
    return null;
  }
  return b;
}
