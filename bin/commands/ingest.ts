import { UserError } from "../../core/errors.ts";
import { ingest, readColumnMap } from "../../loaders/ingest.ts";
import { type Command, jsonOption, openFromOptions, printedJson, progressFor, str, workspaceOption } from "./common.ts";
import { printIngest } from "./print.ts";

export const ingestCommand: Command = {
  summary: "load monthly workload returns (CSV folder, .xlsx or Parquet), a workforce census (.xml) or an Annex A workbook, validated and versioned",
  usage: "fairload ingest PATH... [--workspace DIR] [--map COLUMN_MAP.json] [--worker-map WORKER_MAP.csv] [--force] [--json]",
  options: { ...workspaceOption, ...jsonOption, map: { type: "string" }, "worker-map": { type: "string" }, force: { type: "boolean" } },
  async run({ values, positionals }) {
    const workerMap = str(values, "worker-map");
    if (positionals.length === 0 && !workerMap) throw new UserError("fairload ingest needs at least one file or folder: fairload ingest PATH... (or a worker key map: fairload ingest --worker-map FILE.csv)");
    const ws = openFromOptions(values);
    const map = str(values, "map");
    const summary = await ingest(ws, positionals, {
      columnMap: map ? readColumnMap(map) : undefined,
      force: Boolean(values.force),
      workerMap,
      progress: progressFor(values),
      beforeCommit: holdBeforeCommit(),
    });
    if (!printedJson(values, summary)) printIngest(summary);
    return summary.status === "refused" ? 2 : 0;
  },
};

/**
 * For the crash tests only: FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS makes ingest announce and wait
 * inside its transaction, after every row is written and before COMMIT, so a test can kill it there.
 */
function holdBeforeCommit(): (() => Promise<void>) | undefined {
  const ms = Number(process.env.FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS ?? 0);
  if (!ms) return undefined;
  return async () => {
    process.stderr.write("holding before commit\n");
    await new Promise((r) => setTimeout(r, ms));
  };
}
