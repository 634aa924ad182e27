/** Shared harness: a generated employer, loaded through the real ingest, then audited. */
import { join } from "node:path";
import { ingest } from "../loaders/ingest.ts";
import { generateEmployerStream, type SampleOptions } from "../loaders/sample/generator.ts";
import { writeCsvFolder } from "../loaders/sample/write.ts";
import { type AuditOptions, type AuditRecord, runAudit } from "../pipelines/audit.ts";
import { tempDir, tempWorkspace } from "./helpers.ts";

export async function auditGenerated(sample: SampleOptions, audit: AuditOptions): Promise<AuditRecord[]> {
  const dir = join(tempDir(), "returns");
  await writeCsvFolder(generateEmployerStream({ months: 24, ...sample }), dir);
  const ws = tempWorkspace("Scenario");
  const s = await ingest(ws, [dir]);
  if (s.status !== "accepted") throw new Error(`generated return refused: ${JSON.stringify(s.problems.slice(0, 3))}`);
  return (await runAudit(ws, { sensitivity: false, resamples: 2000, ...audit })).results;
}

/** Teams for the planted-team scenarios: the team under test plus two others in its service. */
export function teamsWith(size: number): SampleOptions["teams"] {
  return [
    { service: "Safeguarding and Support", team: "Planted Team", size },
    { service: "Safeguarding and Support", team: "Other Team A", size: 14 },
    { service: "Safeguarding and Support", team: "Other Team B", size: 14 },
  ];
}
