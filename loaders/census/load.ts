/**
 * A census XML file -> its minimised, pseudonymised extract (or the problems that refuse it).
 * Reads the file once; nothing of it is written anywhere by this module.
 */
import { readFileSync } from "node:fs";
import type { InputProblem } from "../../core/errors.ts";
import type { Pseudonymiser } from "../../core/pseudonym.ts";
import { type Extract, staffRow } from "./extract.ts";
import { isCensusTree, readCensus } from "./parse.ts";
import { XmlRefused, decodeXml, parseXml } from "./xml.ts";

export interface SourceInfo {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
}

export interface ExtractResult {
  extract?: Extract;
  problems: InputProblem[];
  /** How many problems there are in all, when more than those listed. */
  total?: number;
  notes: string[];
  /** What a newer load of the same kind replaces: `census 213/2024`, `Annex A List 3`, `worker key map`. */
  scopes: string[];
}

/** Read a census return (any year 2017 on) into an extract; refusals name the worker record and element. */
export function censusExtract(file: SourceInfo, pseudo: () => Pseudonymiser, opts: { cap?: number } = {}): ExtractResult {
  let root;
  try {
    root = parseXml(decodeXml(readFileSync(file.path)));
  } catch (e) {
    if (!(e instanceof XmlRefused)) throw e;
    return { problems: [{ file: e.line ? `${file.name}, line ${e.line}` : file.name, expected: `refused: ${e.message}` }], notes: [], scopes: [] };
  }
  if (!isCensusTree(root)) {
    return {
      problems: [{ file: file.name, expected: `this XML document is not a children's social work workforce census return (its root element is <${root.name}>${root.name === "Message" ? " without CSWWWorker records" : ""}); expected <Message> with a Header, LALevelVacancies and one CSWWWorker per worker, as the DfE's COLLECT system exports it` }],
      notes: [],
      scopes: [],
    };
  }
  const r = readCensus(root, file.name, pseudo(), opts);
  if (!r.rows) return { problems: r.problems, total: r.total, notes: r.notes, scopes: [] };
  const c = r.rows;
  const extract: Extract = {
    format: "fairload-extract",
    version: 1,
    kind: "csww",
    source: { name: file.name, sha256: file.sha256, bytes: file.bytes },
    tables: {
      census_la: c.census_la.map((row) => ({ _row: 1, ...row })),
      census_worker: c.census_worker.map((row) => ({ _row: row.record, ...row })),
      staff: c.staff.map((s) =>
        staffRow({
          worker_id: s.worker_id as string,
          ethnicity: s.ethnicity as string,
          gender: s.gender as string | null,
          _row: s.source_record as number,
          extra: { source: "csww", la_code: c.laCode, census_year: c.censusYear, record: s.source_record, sex_code: s.sex_code },
        }),
      ),
      data_quality_queries: c.data_quality_queries.map((q) => ({ _row: q.seq, ...q })),
    },
    quality_scopes: [`${c.laCode}/${c.censusYear}`],
    notes: r.notes,
  };
  const dq = c.data_quality_queries.length;
  if (dq) extract.notes.push(`${file.name}: ${dq} data-quality quer${dq === 1 ? "y" : "ies"} (accepted; listed in data_quality_queries)`);
  return { extract, problems: [], notes: extract.notes, scopes: [`census ${c.laCode}/${c.censusYear}`] };
}
