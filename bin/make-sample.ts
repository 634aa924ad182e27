/**
 * Regenerates the sample returns shipped in data/sample/ from the seeded generator:
 *   npx tsx bin/make-sample.ts
 * - data/sample/returns/: the demo employer's 36 months as a folder of CSV files, with the
 *   optional HR tables (appraisal, progression, training, review_request, leave);
 * - data/sample/one-month-return.xlsx: the last month only, as a team manager's workbook would
 *   carry it (worker_month, case_month and team_month for that month, with staff and schemes).
 * - data/sample/census/ and data/sample/annex-a/: the same employer as its workforce census
 *   returns (CSWW XML) and an Ofsted Annex A workbook with its worker key map.
 * test/sample-data.test.ts checks that the shipped files are exactly what this writes.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { generateEmployer, generateEmployerStream } from "../loaders/sample/generator.ts";
import { writeCensusAndAnnexA, writeCsvFolder, writeXlsx } from "../loaders/sample/write.ts";
import { PROJECT_ROOT } from "../core/workspace.ts";

export const SAMPLE_DIR = join(PROJECT_ROOT, "data", "sample");

export async function makeSample(dir = SAMPLE_DIR): Promise<void> {
  mkdirSync(join(dir, "returns"), { recursive: true });
  await writeCsvFolder(generateEmployerStream({}), join(dir, "returns"));
  const all = generateEmployer({});
  const last = all.meta.endPeriod;
  const inMonth = <T extends Record<string, unknown>>(rows: T[]) => rows.filter((r) => r.period === last);
  const workers = new Set(inMonth(all.tables.worker_month).map((r) => r.worker_id));
  await writeXlsx(
    {
      ...all,
      tables: {
        ...all.tables,
        staff: all.tables.staff.filter((r) => workers.has(r.worker_id)),
        worker_month: inMonth(all.tables.worker_month),
        case_month: inMonth(all.tables.case_month),
        team_month: inMonth(all.tables.team_month),
        health_check: [],
        // the optional HR tables come from HR, not from a team manager's monthly workbook (empty sheets)
        appraisal: [],
        progression: [],
        training: [],
        review_request: [],
        leave: [],
      },
    },
    join(dir, "one-month-return.xlsx"),
  );
  await writeCensusAndAnnexA(all, dir);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await makeSample();
  console.log(`Wrote ${SAMPLE_DIR}`);
}
