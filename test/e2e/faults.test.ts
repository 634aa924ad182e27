/**
 * Faults: a kill -9 at a random moment of an ingest or of `fairload run` leaves the database as
 * it was before or as it is after, never between, and it opens cleanly; two ingests at once into
 * one workspace wait for each other or one is refused plainly, and the result equals running
 * them one after the other; a deleted, corrupted or truncated database is reported plainly and
 * `fairload rebuild` restores it; a disk that fills up part-way (a tiny tmpfs) and a failing
 * SQL model part-way surface as clear messages and leave the previous data and marts intact.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SAMPLE_DIR } from "../../bin/make-sample.ts";
import { openDb, inTransaction, queryRows } from "../../core/db.ts";
import { ingest } from "../../loaders/ingest.ts";
import { rebuild } from "../../loaders/rebuild.ts";
import { initWorkspace, openWorkspace, readLog, type Workspace } from "../../core/workspace.ts";
import { runAll } from "../../app/workflow.ts";
import { sqlModels } from "../../pipelines/build.ts";
import { runModels } from "../../pipelines/run.ts";
import type { SqlModel } from "../../pipelines/registry.ts";
import { CLI, ROOT, currentCounts, runCli, smallReturn, snapshot, tempDir, writeReturn, type Rows } from "../support/helpers.ts";

/** Temp folders of this file, removed when it ends (the sample workspaces are tens of MB each). */
const made: string[] = [];
function scratch(prefix?: string): string {
  const d = tempDir(prefix);
  made.push(d);
  return d;
}
function workspace(): Workspace {
  return initWorkspace(join(scratch(), "ws"), { employer: "Test employer" });
}
function returnDir(tables: Parameters<typeof writeReturn>[0]): string {
  return writeReturn(tables, join(scratch(), "return"));
}

/** The sample employer's returns for the given months (reference tables when `reference`). */
function sampleMonths(months: string[], reference = true): string {
  const dir = join(scratch("fairload-months-"), "return");
  mkdirSync(dir, { recursive: true });
  const src = join(SAMPLE_DIR, "returns");
  for (const t of ["points_scheme", "staff"]) if (reference) writeFileSync(join(dir, `${t}.csv`), readFileSync(join(src, `${t}.csv`)));
  for (const t of ["worker_month", "case_month", "team_month", "health_check"]) {
    const [header, ...lines] = readFileSync(join(src, `${t}.csv`), "utf8").trimEnd().split("\n");
    const keep = lines.filter((l) => months.includes(l.slice(0, 7)));
    if (keep.length) writeFileSync(join(dir, `${t}.csv`), `${[header, ...keep].join("\n")}\n`);
  }
  return dir;
}

function monthsFrom(start: string, n: number): string[] {
  const [y, m] = start.split("-").map(Number);
  return Array.from({ length: n }, (_, i) => {
    const k = y * 12 + (m - 1) + i;
    return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
  });
}

/** Every table's content, with the only clock-dependent values (load and build times) left out. */
async function state(ws: Workspace): Promise<Record<string, string>> {
  const s = await snapshot(ws);
  const strip = (table: string, col: string) => {
    if (s[table]) s[table] = JSON.stringify((JSON.parse(s[table]) as Record<string, unknown>[]).map(({ [col]: _drop, ...r }) => r));
  };
  strip("loads", "loaded_at");
  strip("model_state", "built_at");
  return s;
}

/** The marts and the model state, by row count and a hash of every row (cheap for big marts). */
async function martState(ws: Workspace): Promise<Record<string, string>> {
  const db = await openDb(ws.dbPath);
  try {
    const tables = await queryRows<{ table_name: string }>(db.conn, `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'mart_%' OR table_name LIKE 'int_%' ORDER BY 1`);
    const out: Record<string, string> = {};
    for (const { table_name } of tables) {
      const [r] = await queryRows<{ n: bigint; h: bigint | null }>(db.conn, `SELECT count(*) AS n, sum(hash(t)) AS h FROM "${table_name}" t`);
      out[table_name] = `${r.n}:${r.h}`;
    }
    const fp = await queryRows<{ f: string }>(db.conn, `SELECT fingerprint AS f FROM model_state`).catch(() => []);
    out.model_state = fp[0]?.f ?? "none";
    return out;
  } finally {
    db.close();
  }
}

function spawnCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, out: () => ({ stdout, stderr }) };
}

async function killAfter(child: ChildProcess, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  child.kill("SIGKILL");
}

/** A return big enough that ingest takes a noticeable time. */
function mediumReturn(workers: number, period = "2024-06"): Record<string, Rows> {
  const base = smallReturn(period);
  const worker_month: Rows = [];
  const case_month: Rows = [];
  for (let w = 0; w < workers; w++) {
    worker_month.push({ period, worker_id: `X${w}`, service: "Safeguarding and Support", team: `Team ${w % 10}`, role: "Social Worker", fte: 1 });
    for (let c = 0; c < 20; c++) case_month.push({ period, worker_id: `X${w}`, case_ref: `K${w}-${c}`, case_type: c % 3 ? "Child in Need" : "Child Protection", points: 3 + (c % 4), complexity: 1 + (c % 5) });
  }
  return { points_scheme: base.points_scheme, worker_month, case_month };
}

/** A random delay in [lo, hi) ms, logged so that a failure can be replayed. */
function randomDelay(lo: number, hi: number, what: string): number {
  const ms = Math.round(lo + Math.random() * (hi - lo));
  console.log(`${what}: kill -9 after ${ms} ms`);
  return ms;
}

describe("kill -9 at random moments", () => {
  it("during ingest: the database is before or after (every table, every row), opens cleanly, and the next ingest cleans up", async () => {
    const ws = workspace();
    await ingest(ws, [returnDir(smallReturn("2024-05"))]);
    const before = await state(ws);
    const dir = returnDir(mediumReturn(300));
    // the state after: the same ingest, completed, in a copy of the workspace
    const copy = join(scratch(), "copy");
    cpSync(ws.dir, copy, { recursive: true });
    const t0 = Date.now();
    const full = spawnCli(["ingest", dir, "-w", copy]);
    expect(await full.exited, full.out().stderr).toBe(0);
    const duration = Date.now() - t0;
    const after = await state(openWorkspace(copy));
    // each kill in a fresh copy of the workspace as it was before
    const pristine = join(scratch(), "pristine");
    cpSync(ws.dir, pristine, { recursive: true });
    const seen = { before: 0, after: 0 };
    for (let i = 0; i < 6; i++) {
      rmSync(ws.dir, { recursive: true, force: true });
      cpSync(pristine, ws.dir, { recursive: true });
      const run = spawnCli(["ingest", dir, "-w", ws.dir]);
      await killAfter(run.child, randomDelay(0.3 * duration, 1.05 * duration, `ingest ${i}`));
      await run.exited;
      const now = await state(ws);
      if (JSON.stringify(now) === JSON.stringify(before)) seen.before++;
      else {
        expect(now, "neither before nor after").toEqual(after);
        seen.after++;
      }
    }
    console.log(`ingest killed 6 times: ${seen.before} before, ${seen.after} after`);
    expect(seen.before + seen.after).toBeGreaterThan(0);
    // it opens cleanly, and the next ingest removes the scratch folders of killed processes
    expect((await runCli(["summary", "-w", ws.dir])).status).toBe(0);
    const again = await ingest(ws, [dir]);
    expect(["accepted", "unchanged"]).toContain(again.status);
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 3 + 300, case_month: 3 + 300 * 20 });
    expect(readdirSync(join(ws.dir, "tmp")).filter((f) => f !== "duckdb")).toEqual([]);
  });

  it("during fairload run: all its marts together are those of the previous run or of the new one", async () => {
    const ws = initWorkspace(join(scratch(), "ws"));
    const months = monthsFrom("2023-10", 13);
    await ingest(ws, [sampleMonths(months.slice(0, 12))]);
    expect((await runCli(["run", "-w", ws.dir])).status).toBe(0);
    await ingest(ws, [sampleMonths(months.slice(12), false)]);
    const before = await martState(ws);
    const copy = join(scratch(), "copy");
    cpSync(ws.dir, copy, { recursive: true });
    const t0 = Date.now();
    const full = spawnCli(["run", "-w", copy]);
    expect(await full.exited, full.out().stderr).toBe(0);
    const duration = Date.now() - t0;
    const after = await martState(openWorkspace(copy));
    expect(after).not.toEqual(before);
    const pristine = join(scratch(), "pristine");
    cpSync(ws.dir, pristine, { recursive: true });
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      rmSync(ws.dir, { recursive: true, force: true });
      cpSync(pristine, ws.dir, { recursive: true });
      const run = spawnCli(["run", "-w", ws.dir]);
      await killAfter(run.child, randomDelay(0.2 * duration, 1.1 * duration, `run ${i}`));
      await run.exited;
      const now = await martState(ws);
      const outcome: string[] = [];
      for (const g of MART_GROUPS) {
        const pick = (s: Record<string, string>) => JSON.stringify(Object.entries(s).filter(([k]) => martGroup(k) === g));
        const which = pick(now) === pick(before) ? "before" : pick(now) === pick(after) ? "after" : "BETWEEN";
        expect(which, `${g} marts after a kill at run ${i}: ${pick(now)}`).not.toBe("BETWEEN");
        outcome.push(`${g} ${which}`);
      }
      // one transaction: every group is on the same side
      const whole = JSON.stringify(now) === JSON.stringify(before) ? "before" : JSON.stringify(now) === JSON.stringify(after) ? "after" : "BETWEEN";
      expect(whole, `marts after a kill at run ${i}: ${outcome.join(", ")}`).not.toBe("BETWEEN");
      outcomes.push(outcome.join(", "));
      expect((await runCli(["summary", "-w", ws.dir])).status).toBe(0);
    }
    console.log(`fairload run killed 6 times:\n${outcomes.join("\n")}`);
  });

});

/** The marts that one transaction of `fairload run` writes together. */
const MART_GROUPS = ["series and models", "health check", "benchmark"] as const;
function martGroup(table: string): (typeof MART_GROUPS)[number] {
  if (table.startsWith("mart_health_check")) return "health check";
  if (table.startsWith("mart_benchmark")) return "benchmark";
  return "series and models";
}

describe("two ingests at once into one workspace", () => {
  const wait = async (run: ReturnType<typeof spawnCli>, text: string) => {
    for (let i = 0; i < 600 && !run.out().stderr.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    expect(run.out().stderr).toContain(text);
  };

  it("the second is refused plainly while the first holds the database, and nothing is corrupted", async () => {
    const ws = workspace();
    const jan = returnDir(smallReturn("2025-01"));
    const first = spawnCli(["ingest", jan, "-w", ws.dir], { FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS: "4000" });
    await wait(first, "holding before commit");
    const second = await runCli(["ingest", returnDir(smallReturn("2025-02")), "-w", ws.dir], { FAIRLOAD_LOCK_WAIT_MS: "100" });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/^fairload ingest: The workspace database .*fairload\.duckdb is in use by another fairload process \(PID \d+\)\. Nothing was changed; try again when it has finished\.$/m);
    expect(second.stderr).not.toMatch(/^\s+at |Error:/m);
    expect(await first.exited).toBe(0);
    // the state is that of the first ingest alone
    const ref = workspace();
    await ingest(ref, [jan]);
    expect(await state(ws)).toEqual(await state(ref));
    expect(readLog(ws).map((l) => l.status)).toEqual(["accepted"]);
  });

  it("with a longer lock wait the second waits, and the result equals the two run one after the other", async () => {
    const ws = workspace();
    const jan = returnDir(smallReturn("2025-01"));
    const feb = returnDir(smallReturn("2025-02"));
    const first = spawnCli(["ingest", jan, "-w", ws.dir], { FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS: "1500" });
    await wait(first, "holding before commit");
    const second = spawnCli(["ingest", feb, "-w", ws.dir], { FAIRLOAD_LOCK_WAIT_MS: "60000" });
    expect(await first.exited).toBe(0);
    expect(await second.exited, second.out().stderr).toBe(0);
    const ref = workspace();
    await ingest(ref, [jan]);
    await ingest(ref, [feb]);
    expect(await state(ws)).toEqual(await state(ref));
  });

  it("started together with no lock wait: each is accepted or refused plainly, and the state is that of the accepted ones in order", async () => {
    for (let round = 0; round < 3; round++) {
      const ws = workspace();
      const returns = [returnDir(smallReturn("2025-01")), returnDir(smallReturn("2025-02"))];
      const runs = returns.map((dir) => spawnCli(["ingest", dir, "-w", ws.dir], { FAIRLOAD_LOCK_WAIT_MS: "0" }));
      const codes = await Promise.all(runs.map((r) => r.exited));
      runs.forEach((r, i) => {
        if (codes[i] !== 0) expect(r.out().stderr).toMatch(/is in use by another fairload process.*Nothing was changed/);
        expect(r.out().stderr).not.toMatch(/^\s+at |Error:/m);
      });
      // replay the accepted ones in the order they were loaded
      const loads = await queryLoads(ws);
      expect(loads.length).toBe(codes.filter((c) => c === 0).length);
      const ref = workspace();
      for (const l of loads) await ingest(ref, l.paths);
      expect(await state(ws)).toEqual(await state(ref));
    }
  });
});

async function queryLoads(ws: Workspace): Promise<{ paths: string[] }[]> {
  if (!existsSync(ws.dbPath)) return [];
  const db = await openDb(ws.dbPath);
  try {
    return (await queryRows<{ paths: string[] }>(db.conn, `SELECT paths FROM loads ORDER BY load_id`)).map((r) => ({ paths: [...r.paths] }));
  } finally {
    db.close();
  }
}

describe("a lost or damaged database", () => {
  async function twoLoads(): Promise<{ ws: Workspace; original: Record<string, string> }> {
    const ws = workspace();
    await ingest(ws, [returnDir(smallReturn("2025-01"))]);
    const feb = smallReturn("2025-02");
    await ingest(ws, [returnDir({ worker_month: feb.worker_month, case_month: feb.case_month })]);
    return { ws, original: await snapshot(ws) };
  }

  it("deleted: every command says so instead of starting an empty one, and fairload rebuild restores it exactly", async () => {
    const { ws, original } = await twoLoads();
    rmSync(ws.dbPath);
    rmSync(`${ws.dbPath}.wal`, { force: true });
    for (const args of [["summary"], ["ingest", returnDir(smallReturn("2025-03"))], ["run"]]) {
      const out = await runCli([...args, "-w", ws.dir]);
      expect(out.status, args[0]).toBe(1);
      expect(out.stderr).toMatch(/The workspace database .* is missing, but the ingest log .* records accepted loads\. Nothing was changed; rebuild the database from the archive with: fairload rebuild/);
      expect(out.stderr).not.toMatch(/^\s+at |Error:/m);
      expect(existsSync(ws.dbPath)).toBe(false);
    }
    const r = await runCli(["rebuild", "-w", ws.dir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Rebuilt .* from 2 loads/);
    expect(await snapshot(ws)).toEqual(original);
  });

  it("truncated to half or overwritten with zeros: a plain message naming fairload rebuild, which restores it", async () => {
    for (const damage of ["truncate", "zeros"] as const) {
      const { ws, original } = await twoLoads();
      if (damage === "truncate") truncateSync(ws.dbPath, Math.floor(readFileSync(ws.dbPath).length / 2));
      else writeFileSync(ws.dbPath, Buffer.alloc(readFileSync(ws.dbPath).length));
      const out = await runCli(["summary", "-w", ws.dir]);
      expect(out.status, `${damage}: ${out.stderr}`).toBe(1);
      expect(out.stderr, damage).toMatch(/fairload rebuild/);
      expect(out.stderr, damage).not.toMatch(/^\s+at |unexpected error/m);
      await rebuild(ws);
      expect(await snapshot(ws), damage).toEqual(original);
    }
  });
});

/** Mount a tmpfs of `mb` MB (root only); undefined when this machine does not allow it. */
function mountTmpfs(mb: number): string | undefined {
  const dir = scratch("fairload-tmpfs-");
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${mb}m`, "tmpfs", dir]);
  return r.status === 0 ? dir : undefined;
}
const mounted: string[] = [];
afterAll(() => {
  for (const d of mounted) spawnSync("umount", [d]);
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const canMount = (() => {
  const d = mountTmpfs(1);
  if (!d) return false;
  spawnSync("umount", [d]);
  return true;
})();

/** Fill the file system of `dir` until `leaveBytes` remain free. */
function fillDisk(dir: string, leaveBytes: number): string {
  const st = statfsSync(dir);
  const free = Number(st.bavail) * Number(st.bsize);
  const filler = join(dir, "filler.bin");
  writeFileSync(filler, Buffer.alloc(Math.max(0, free - leaveBytes)));
  return filler;
}

describe("errors part-way", () => {
  it.skipIf(!canMount)("a disk that fills up during ingest: a plain 'disk is full' message, and the data as before", async () => {
    const disk = mountTmpfs(24)!;
    mounted.push(disk);
    const ws = initWorkspace(join(disk, "ws"));
    const months = monthsFrom("2023-10", 8);
    expect((await ingest(ws, [sampleMonths(months.slice(0, 2))])).status).toBe("accepted");
    const before = await state(ws);
    const big = sampleMonths(months.slice(2), false);
    // room for the archive copy of the return, not for the database's growth
    const bytes = readdirSync(big).reduce((s, f) => s + readFileSync(join(big, f)).length, 0);
    const filler = fillDisk(disk, bytes + 96 * 1024);
    const out = await runCli(["ingest", big, "-w", ws.dir]);
    expect(out.status, out.stdout + out.stderr).toBe(1);
    expect(out.stderr).toMatch(/^fairload ingest: The ingest stopped: the disk is full \(.*No space left on device.*\)\. Nothing was changed; free some space and try again\.$/m);
    expect(out.stderr).not.toMatch(/^\s+at |unexpected error/m);
    rmSync(filler);
    expect(await state(ws)).toEqual(before);
    expect((await ingest(ws, [big])).status).toBe("accepted");
  });

  it.skipIf(!canMount)("a disk that fills up during fairload run: the run fails and the previous marts are intact", async () => {
    const disk = mountTmpfs(40)!;
    mounted.push(disk);
    const ws = initWorkspace(join(disk, "ws"));
    const months = monthsFrom("2023-10", 7);
    await ingest(ws, [sampleMonths(months.slice(0, 6))]);
    await runAll(ws);
    await ingest(ws, [sampleMonths(months.slice(6), false)]);
    const before = await martState(ws);
    const filler = fillDisk(disk, 64 * 1024);
    const out = await runCli(["run", "-w", ws.dir]);
    expect(out.status).not.toBe(0);
    // TODO(bin/cli.ts): with toUserError mapped in main(), expect exactly
    // "fairload run: fairload run stopped: the disk is full (...). Nothing was changed; ..." and exit 1
    expect(out.stderr).toMatch(/No space left on device|disk is full/);
    expect(out.stderr).not.toMatch(/^\s+at /m);
    rmSync(filler);
    expect(await martState(ws)).toEqual(before);
    expect((await runCli(["run", "-w", ws.dir])).status).toBe(0);
  });

  it("a SQL model that fails part-way through the build: the error names the model and the previous marts are intact", async () => {
    const ws = initWorkspace(join(scratch(), "ws"));
    await ingest(ws, [sampleMonths(monthsFrom("2023-10", 3))]);
    await runAll(ws);
    const before = await martState(ws);
    const models = sqlModels();
    const at = models.findIndex((m) => m.layer === "mart");
    const bad: SqlModel = {
      kind: "sql", name: "mart_broken", layer: "mart", grain: "none", key: [], nullableKey: [], upstream: ["int_worker_month"], relationships: [], writtenBy: "run",
      materialized: "table", sql: "SELECT no_such_column FROM int_worker_month", file: "pipelines/models/marts/mart_broken.sql",
    };
    const db = await openDb(ws.dbPath);
    try {
      await expect(inTransaction(db.conn, () => runModels(db.conn, ws.config, [...models.slice(0, at + 1), bad, ...models.slice(at + 1)]))).rejects.toThrow(/^model marts\/mart_broken: .*no_such_column/);
    } finally {
      db.close();
    }
    expect(await martState(ws)).toEqual(before);
  });
});
