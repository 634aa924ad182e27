/**
 * A crash or kill -9 at any moment of an ingest leaves the database as it was before (or, once
 * COMMIT has returned, as it is after), and it always opens cleanly.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ingest } from "../../loaders/ingest.ts";
import { CLI, ROOT, currentCounts, smallReturn, snapshot, tempWorkspace, writeReturn, type Rows } from "../support/helpers.ts";

/** A return big enough that ingest takes a noticeable time: `workers` workers x 6 months, ~15 cases each. */
function mediumReturn(workers: number): Record<string, Rows> {
  const base = smallReturn();
  const worker_month: Rows = [];
  const case_month: Rows = [];
  for (let m = 1; m <= 6; m++) {
    const period = `2024-${String(m).padStart(2, "0")}`;
    for (let w = 0; w < workers; w++) {
      worker_month.push({ period, worker_id: `X${w}`, service: "Safeguarding and Support", team: `Team ${w % 10}`, role: "Social Worker", fte: 1 });
      for (let c = 0; c < 15; c++) case_month.push({ period, worker_id: `X${w}`, case_ref: `K${w}-${c}`, case_type: c % 3 ? "Child in Need" : "Child Protection", points: 3 + (c % 4), complexity: 1 + (c % 5) });
    }
  }
  return { points_scheme: base.points_scheme, worker_month, case_month };
}

function runIngest(dir: string, ws: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, "ingest", dir, "--workspace", ws], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe("atomicity under kill -9", () => {
  it("killed inside the transaction, after every row was written, the database is unchanged and opens cleanly", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn())]);
    const before = await snapshot(ws);
    const run = runIngest(writeReturn(mediumReturn(200)), ws.dir, { FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS: "60000" });
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (run.stderr().includes("holding before commit")) {
          clearInterval(t);
          resolve();
        }
      }, 50);
      run.exited.then((code) => {
        clearInterval(t);
        reject(new Error(`ingest exited (${code}) before reaching the commit: ${run.stderr()}`));
      });
    });
    run.child.kill("SIGKILL");
    await run.exited;
    expect(await snapshot(ws)).toEqual(before);
    // and the workspace still takes the same return afterwards
    const again = await ingest(ws, [writeReturn(mediumReturn(200))]);
    expect(again.status).toBe("accepted");
    expect((await currentCounts(ws)).case_month).toBe(3 + 200 * 6 * 15);
  });

  it("killed at random moments, the database is always either before or after, never between", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn())]);
    const dir = writeReturn(mediumReturn(150));
    const before = await currentCounts(ws);
    const after = { ...before, worker_month: before.worker_month + 900, case_month: before.case_month + 150 * 6 * 15 };
    // time one full run to spread the kills over it
    const t0 = Date.now();
    const probe = tempWorkspace();
    await ingest(probe, [writeReturn(smallReturn())]);
    const full = runIngest(dir, probe.dir);
    await full.exited;
    const duration = Date.now() - t0;
    let sawBefore = 0;
    for (let i = 0; i < 6; i++) {
      const run = runIngest(dir, ws.dir);
      const delay = Math.round(((i + 0.5) / 6) * duration);
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill("SIGKILL");
      await run.exited;
      const counts = await currentCounts(ws);
      expect([JSON.stringify(before), JSON.stringify(after)]).toContain(JSON.stringify(counts));
      if (JSON.stringify(counts) === JSON.stringify(before)) sawBefore++;
      else break; // committed: later runs are no-ops
    }
    expect(sawBefore).toBeGreaterThan(0);
  });
});
