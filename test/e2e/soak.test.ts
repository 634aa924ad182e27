/**
 * Soak (bounded: 15 loads, one process, about a minute): the sample employer's returns arrive one
 * month at a time for 14 months, with a corrected resubmission of an earlier month among them,
 * and `runAll` (fairload run) runs after each. Memory stays flat (RSS of the last iterations within 25% of
 * the first ones, after a GC), and after the last month every mart equals a fresh run's: a new
 * workspace given all the months at once (with the corrected month), then run.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SAMPLE_DIR } from "../../bin/make-sample.ts";
import { ingest } from "../../loaders/ingest.ts";
import { initWorkspace, type Workspace } from "../../core/workspace.ts";
import { runAll } from "../../app/workflow.ts";
import { ROOT, currentCounts, query, smallReturn, tempDir, tempWorkspace, writeReturn } from "../support/helpers.ts";

/** Temp folders of this file, removed when it ends (the sample workspaces are tens of MB each). */

const MONTHS = Array.from({ length: 14 }, (_, i) => {
  const k = 2023 * 12 + 9 + i; // from 2023-10
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
});
const RESUBMITTED = "2024-01";

/** The sample's rows of each table for the given months, optionally with the resubmission's corrections. */
function monthLines(months: string[], corrected: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of ["worker_month", "case_month", "team_month", "health_check"]) {
    const [header, ...lines] = readFileSync(join(SAMPLE_DIR, "returns", `${t}.csv`), "utf8").trimEnd().split("\n");
    let keep = lines.filter((l) => months.includes(l.slice(0, 7)));
    if (corrected) keep = correct(t, keep);
    out[t] = [header, ...keep];
  }
  return out;
}

/**
 * The corrections in the resubmitted month: the first worker's FTE becomes 0.5 and their last
 * case is closed (its row removed).
 */
function correct(table: string, lines: string[]): string[] {
  const month = lines.filter((l) => l.startsWith(`${RESUBMITTED},`));
  if (!month.length || (table !== "worker_month" && table !== "case_month")) return lines;
  const worker = readFileSync(join(SAMPLE_DIR, "returns", "worker_month.csv"), "utf8").split("\n").find((l) => l.startsWith(`${RESUBMITTED},`))!.split(",")[1];
  if (table === "worker_month") {
    return lines.map((l) => {
      if (!l.startsWith(`${RESUBMITTED},${worker},`)) return l;
      const cells = l.split(",");
      cells[5] = "0.5";
      return cells.join(",");
    });
  }
  const lastCase = month.filter((l) => l.startsWith(`${RESUBMITTED},${worker},`)).pop();
  return lines.filter((l) => l !== lastCase);
}

function writeFolder(tables: Record<string, string[]>, reference: boolean): string {
  const dir = join(tempDir("fairload-soak-"), "return");
  mkdirSync(dir, { recursive: true });
  if (reference) for (const t of ["points_scheme", "staff"]) writeFileSync(join(dir, `${t}.csv`), readFileSync(join(SAMPLE_DIR, "returns", `${t}.csv`)));
  for (const [t, lines] of Object.entries(tables)) if (lines.length > 1) writeFileSync(join(dir, `${t}.csv`), `${lines.join("\n")}\n`);
  return dir;
}

/** A mart's rows without its clock-dependent columns (timestamps), in a stable order. */
async function mart(ws: Workspace, table: string): Promise<unknown[]> {
  const cols = await query<{ column_name: string; data_type: string }>(ws, `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`);
  const keep = cols.filter((c) => !/TIMESTAMP|TIME/.test(c.data_type)).map((c) => `"${c.column_name}"`);
  return query(ws, `SELECT ${keep.join(", ")} FROM ${table} ORDER BY ALL`);
}

describe("soak: a year and more of monthly returns, one at a time", () => {
  it("memory stays flat and the marts end equal to a fresh run of all months at once", async () => {
    // one month at a time; the corrected resubmission of RESUBMITTED arrives after month 9
    const steps = MONTHS.map((m, i) => writeFolder(monthLines([m], false), i === 0));
    steps.splice(9, 0, writeFolder(monthLines([RESUBMITTED], true), false));
    const ws = initWorkspace(join(tempDir(), "ws"));
    const script = join(tempDir(), "soak.mjs");
    writeFileSync(
      script,
      `import { ingest } from ${JSON.stringify(join(ROOT, "loaders", "ingest.ts"))};
import { openWorkspace } from ${JSON.stringify(join(ROOT, "core", "workspace.ts"))};
import { runAll } from ${JSON.stringify(join(ROOT, "app", "workflow.ts"))};
const ws = openWorkspace(process.argv[2]);
for (const [i, dir] of JSON.parse(process.argv[3]).entries()) {
  const s = await ingest(ws, [dir]);
  if (s.status !== "accepted") throw new Error("step " + i + ": " + s.message);
  const r = await runAll(ws);
  globalThis.gc();
  console.log(JSON.stringify({ i, series: r.series, rssMb: process.memoryUsage().rss / 1048576, heapMb: process.memoryUsage().heapUsed / 1048576 }));
}
`,
    );
    const t0 = Date.now();
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", script, ws.dir, JSON.stringify(steps)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const [code] = await once(child, "exit");
    expect(code, stderr).toBe(0);
    const its = stdout.trim().split("\n").map((l) => JSON.parse(l) as { i: number; series: number; rssMb: number; heapMb: number });
    expect(its).toHaveLength(15);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // the first iteration loads code and warms up: compare iterations 2-4 with the last three
    const first = mean(its.slice(1, 4).map((x) => x.rssMb));
    const last = mean(its.slice(-3).map((x) => x.rssMb));
    console.log(`soak: ${its.length} loads and runs in ${((Date.now() - t0) / 1000).toFixed(1)} s; RSS ${its.map((x) => x.rssMb.toFixed(0)).join(", ")} MB; heap ${its.map((x) => x.heapMb.toFixed(0)).join(", ")} MB`);
    expect(last / first).toBeLessThan(1.25);

    // a fresh workspace given every month at once, the resubmitted month as corrected
    const fresh = initWorkspace(join(tempDir(), "fresh"));
    const all = monthLines(MONTHS, true);
    expect((await ingest(fresh, [writeFolder(all, true)])).status).toBe("accepted");
    await runAll(fresh);
    // the resubmission took effect in both
    const fte = `SELECT fte FROM worker_month WHERE period = '${RESUBMITTED}' ORDER BY worker_id`;
    expect(await query(ws, fte)).toEqual(await query(fresh, fte));
    // the corrected month dropped the only case of its first worker: gone in both
    const cases = `SELECT count(*) AS n FROM case_month WHERE period = '${RESUBMITTED}'`;
    expect(await query(ws, cases)).toEqual(await query(fresh, cases));
    for (const t of ["mart_monthly_measures", "mart_series", "mart_series_points", "mart_seasonal_profile", "mart_worker_monthly", "mart_caseload_safety"]) {
      expect(await mart(ws, t), t).toEqual(await mart(fresh, t));
    }
  }, 240_000);

  it("a corrected month replaces the cases of every worker it sends or drops, also a worker left with no cases", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn("2025-01"))]);
    // W2's only case (C3) was closed, and W1 left the team: the corrected month has neither
    const fixed = smallReturn("2025-01");
    const s = await ingest(ws, [writeReturn({ worker_month: fixed.worker_month.filter((w) => w.worker_id !== "W1"), case_month: fixed.case_month.filter((c) => c.worker_id !== "W2" && c.worker_id !== "W1").concat([{ period: "2025-01", worker_id: "W3", case_ref: "C9", case_type: "Child in Need", points: 3, complexity: 2 }]) })]);
    expect(s.status).toBe("accepted");
    expect(await query(ws, `SELECT worker_id, case_ref FROM case_month ORDER BY ALL`)).toEqual([{ worker_id: "W3", case_ref: "C9" }]);
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 2, case_month: 1 });
    // a worker_month-only correction (no case_month sent) leaves the cases alone
    await ingest(ws, [writeReturn({ worker_month: fixed.worker_month.filter((w) => w.worker_id !== "W1").map((w) => ({ ...w, fte: 0.5 })) })]);
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 2, case_month: 1 });
  });
});
