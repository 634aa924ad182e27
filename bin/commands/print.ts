/** Output shared by more than one command. */
import { formatProblem } from "../../core/errors.ts";
import type { IngestSummary } from "../../loaders/ingest.ts";
import { out } from "./common.ts";

/** What a load did: the tables it wrote, its problems and notes (used by ingest and demo). */
export function printIngest(s: IngestSummary): void {
  out(s.message);
  for (const t of s.tables) out(`  ${t.table.padEnd(14)} ${String(t.rows).padStart(9)} rows  from ${t.source}${t.replaced ? `  (replaced ${t.replaced})` : ""}`);
  if (s.problems.length) {
    out("");
    for (const p of s.problems) out(`  ${formatProblem(p)}`);
    if (s.problem_count > s.problems.length) out(`  ... and ${s.problem_count - s.problems.length} more problem${s.problem_count - s.problems.length === 1 ? "" : "s"}`);
  }
  for (const w of s.warnings) out(`  note: ${w}`);
}
