/**
 * The worker key map (`fairload ingest --worker-map FILE.csv`): how the workers Annex A names
 * (by name, or by the case-management system's worker id) are the workers of the census (by SWE
 * registration number) or of the monthly returns (by fairload worker id). Stored only as keyed
 * hashes: `worker_ref` (the Annex A side, as in annex_a_allocation) -> `worker_id` (the keyed hash
 * of the SWE number, as in census_worker, or the fairload worker id as given). No name or SWE
 * number is kept, shown or logged. A new map replaces the whole earlier map.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { normaliseHeader } from "../../core/contract.ts";
import { quoteLit, queryRows } from "../../core/db.ts";
import { type InputProblem, plainMessage } from "../../core/errors.ts";
import type { Pseudonymiser } from "../../core/pseudonym.ts";
import type { Extract } from "./extract.ts";
import type { ExtractResult, SourceInfo } from "./load.ts";
import type { Row } from "./parse.ts";

const SOURCE_HEADERS = ["allocated_worker", "worker_name", "worker", "name", "source_worker", "annex_a_worker", "system_worker_id", "worker_system_id", "cms_worker_id", "allocated_worker_id", "case_management_worker_id"];
const SWE_HEADERS = ["swe_number", "swe_no", "sweno", "swe", "swe_registration_number", "social_work_england_number", "swe_reg_no"];
const ID_HEADERS = ["worker_id", "fairload_worker_id"];

/** One data line of the map: its line number and the values under the recognised headers. */
export interface MapLine {
  line: number;
  source: string | null;
  swe: string | null;
  workerId: string | null;
}

/** Which of the map's headers are the source, the SWE number and the worker id; a problem when it cannot tell. */
export function mapColumns(headers: string[]): { source?: string; swe?: string; workerId?: string; problem?: string } {
  const find = (names: string[]) => headers.find((h) => names.includes(normaliseHeader(h)));
  const source = find(SOURCE_HEADERS);
  const swe = find(SWE_HEADERS);
  const workerId = find(ID_HEADERS);
  if (!source) return { problem: `no column for the Annex A worker; expected a header such as allocated_worker, worker_name or system_worker_id (found: ${headers.slice(0, 8).join(", ")})` };
  if (!swe && !(workerId && workerId !== source)) return { problem: "no column for whom the worker is; expected swe_number (the Social Work England registration number) or worker_id (a fairload worker id)" };
  return { source, swe, workerId: workerId !== source ? workerId : undefined };
}

/** Map lines -> worker_key_map rows, or the problems (by line; no value is ever shown). */
export function mapRows(file: string, lines: MapLine[], pseudo: Pseudonymiser, cap = 50): { rows: Row[]; problems: InputProblem[]; total: number } {
  const problems: InputProblem[] = [];
  let total = 0;
  const bad = (line: number, column: string, expected: string) => {
    total++;
    if (problems.length < cap) problems.push({ file, row: line, column, expected });
  };
  const byRef = new Map<string, { line: number; target: string }>();
  const rows: Row[] = [];
  for (const l of lines) {
    if (!l.source && !l.swe && !l.workerId) continue;
    if (!l.source) {
      bad(l.line, "worker", "the Annex A worker's name or system id is required");
      continue;
    }
    let target: string;
    let from: "swe" | "worker_id";
    if (l.swe && l.workerId) {
      bad(l.line, "swe_number, worker_id", "expected the SWE registration number or the fairload worker id, not both");
      continue;
    } else if (l.swe) {
      const swe = l.swe.replace(/\s+/g, "");
      if (!/^[A-Za-z]{2}\d{1,10}$/.test(swe)) {
        bad(l.line, "swe_number", "expected an SWE registration number: two letters and up to 10 digits (the value is not shown: it identifies a person)");
        continue;
      }
      target = pseudo.id("swe", swe);
      from = "swe";
    } else if (l.workerId) {
      target = l.workerId.trim();
      from = "worker_id";
    } else {
      bad(l.line, "swe_number", "the worker's SWE registration number or fairload worker id is required");
      continue;
    }
    const ref = pseudo.id("worker_source", l.source);
    const earlier = byRef.get(ref);
    if (earlier) {
      if (earlier.target !== target) bad(l.line, "worker", `expected one line per worker: the same Annex A worker is on line ${earlier.line} with another SWE number or worker id (the values are not shown)`);
      continue;
    }
    byRef.set(ref, { line: l.line, target });
    rows.push({ _row: l.line, worker_ref: ref, worker_id: target, worker_id_from: from });
  }
  if (rows.length === 0 && total === 0) bad(1, "worker", "the worker key map has no lines; expected one line per worker");
  return { rows, problems, total };
}

/** Read a worker key map CSV (any delimiter DuckDB's reader detects) into its extract. */
export async function workerMapExtract(conn: DuckDBConnection, file: SourceInfo, pseudo: () => Pseudonymiser, opts: { cap?: number } = {}): Promise<ExtractResult> {
  let records: Record<string, string | null>[];
  try {
    // read straight into this process: no table is made of the names
    records = await queryRows<Record<string, string | null>>(conn, `SELECT * FROM read_csv(${quoteLit(file.path)}, header = true, all_varchar = true, auto_detect = true)`);
  } catch (e) {
    return { problems: [{ file: file.name, expected: `could not be read as a CSV file (${plainMessage(e).replaceAll(file.path, file.name).slice(0, 200)}); expected a CSV file with a header row` }], notes: [], scopes: [] };
  }
  const headers = records.length ? Object.keys(records[0]!) : (await queryRows<{ column_name: string }>(conn, `DESCRIBE SELECT * FROM read_csv(${quoteLit(file.path)}, header = true, all_varchar = true)`)).map((r) => r.column_name);
  const cols = mapColumns(headers);
  if (cols.problem) return { problems: [{ file: file.name, row: 1, expected: cols.problem }], notes: [], scopes: [] };
  const val = (r: Record<string, string | null>, h?: string) => (h ? (r[h] ?? "").trim() || null : null);
  const lines: MapLine[] = records.map((r, i) => ({ line: i + 2, source: val(r, cols.source), swe: val(r, cols.swe), workerId: val(r, cols.workerId) }));
  const { rows, problems, total } = mapRows(file.name, lines, pseudo(), opts.cap);
  if (total > 0) return { problems, total, notes: [], scopes: [] };
  const extract: Extract = {
    format: "fairload-extract",
    version: 1,
    kind: "worker_map",
    source: { name: file.name, sha256: file.sha256, bytes: file.bytes },
    tables: { worker_key_map: rows },
    quality_scopes: [],
    notes: [`${file.name}: ${rows.length} worker${rows.length === 1 ? "" : "s"} in the worker key map (stored as keyed hashes only)`],
  };
  return { extract, problems: [], notes: extract.notes, scopes: ["worker key map"] };
}
