/**
 * An Annex A workbook (.xlsx) -> its minimised, pseudonymised extract (or the problems that refuse
 * it). The workbook is opened with the zip-bomb checks of every workbook (loaders/sources.ts); its
 * cells are read in memory and nothing of the raw file is written anywhere.
 */
import type { Pseudonymiser } from "../../core/pseudonym.ts";
import { UserError } from "../../core/errors.ts";
import type { Extract } from "../census/extract.ts";
import type { ExtractResult, SourceInfo } from "../census/load.ts";
import { type ZipLimits, openWorkbook } from "../sources.ts";
import { type SheetGrid, readAnnexA } from "./parse.ts";

/** Read an Annex A workbook's Lists 3 to 9 into an extract of annex_a_allocation rows. */
export async function annexAExtract(file: SourceInfo, pseudo: () => Pseudonymiser, opts: { cap?: number; limits: ZipLimits }): Promise<ExtractResult> {
  let sheets: SheetGrid[];
  try {
    const wb = await openWorkbook(file.path, opts.limits);
    sheets = wb.worksheets.map((ws) => {
      const rows: SheetGrid["rows"] = [];
      ws.eachRow({ includeEmpty: false }, (row, n) => {
        rows.push({ row: n, cells: (row.values as unknown[]).slice(1) });
      });
      return { name: ws.name, rows };
    });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { problems: [{ file: file.name, expected: e.message }], notes: [], scopes: [] };
  }
  const r = readAnnexA(sheets, file.name, pseudo(), { cap: opts.cap });
  if (r.total > 0) return { problems: r.problems, total: r.total, notes: r.notes, scopes: [] };
  const extract: Extract = {
    format: "fairload-extract",
    version: 1,
    kind: "annex_a",
    source: { name: file.name, sha256: file.sha256, bytes: file.bytes },
    tables: { annex_a_allocation: r.rows, data_quality_queries: r.queries },
    quality_scopes: r.lists.map((l) => `List ${l}`),
    notes: r.notes,
  };
  if (r.queries.length) extract.notes.push(`${file.name}: ${r.queries.length} data-quality quer${r.queries.length === 1 ? "y" : "ies"} (accepted; listed in data_quality_queries)`);
  return { extract, problems: [], notes: extract.notes, scopes: r.lists.map((l) => `Annex A List ${l}`) };
}
