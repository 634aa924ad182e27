/** The database can always be rebuilt from the archive: a rebuilt database equals the original, table by table. */
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ingest } from "../../loaders/ingest.ts";
import { rebuild } from "../../loaders/rebuild.ts";
import { runCli, smallReturn, snapshot, tempWorkspace, writeReturn } from "../support/helpers.ts";

describe("fairload rebuild", () => {
  it("replays every accepted load in order, including resubmissions and column maps, after the database is corrupted", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn("2025-01"))]);
    const feb = smallReturn("2025-02");
    const renamed = feb.worker_month.map(({ worker_id, ...w }) => ({ ...w, "Staff Ref": worker_id }));
    await ingest(ws, [writeReturn({ worker_month: renamed, case_month: feb.case_month })], { columnMap: { "Staff Ref": "worker_id" } });
    const bad = smallReturn("2025-03");
    bad.worker_month[0].fte = 9;
    expect((await ingest(ws, [writeReturn(bad)])).status).toBe("refused");
    const corrected = smallReturn("2025-01");
    corrected.worker_month[0].fte = 0.5;
    await ingest(ws, [writeReturn({ worker_month: corrected.worker_month })]);
    const original = await snapshot(ws);

    writeFileSync(ws.dbPath, "this is not a database any more");
    const broken = await runCli(["summary", "-w", ws.dir]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/cannot be opened .*fairload rebuild/);

    const r = await rebuild(ws);
    expect(r.loads).toBe(3);
    const rebuilt = await snapshot(ws);
    expect(Object.keys(rebuilt).sort()).toEqual(Object.keys(original).sort());
    for (const t of Object.keys(original)) expect(rebuilt[t], t).toEqual(original[t]);
  });

  it("the CLI says plainly when there is nothing to replay", async () => {
    const ws = tempWorkspace();
    const out = await runCli(["rebuild", "-w", ws.dir]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/has no accepted loads to replay/);
  });
});
