import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../core/errors.ts";
import { ingest } from "../../loaders/ingest.ts";
import { readLog } from "../../core/workspace.ts";
import { currentCounts, query, runCli, smallReturn, snapshot, tempDir, tempWorkspace, toCsv, writeReturn } from "../support/helpers.ts";

describe("ingest: a valid return", () => {
  it("loads every table under its contract name with exact row counts", async () => {
    const ws = tempWorkspace();
    const s = await ingest(ws, [writeReturn(smallReturn())]);
    expect(s.status).toBe("accepted");
    expect(s.load_id).toBe(1);
    expect(await currentCounts(ws)).toEqual({ points_scheme: 2, staff: 3, worker_month: 3, case_month: 3, team_month: 0, health_check: 0, appraisal: 0, progression: 0, training: 0, review_request: 0, leave: 0 });
    const wm = await query(ws, `SELECT worker_id, fte, role, period FROM worker_month ORDER BY worker_id`);
    expect(wm).toEqual([
      { worker_id: "W1", fte: 1, role: "Social Worker", period: "2025-01" },
      { worker_id: "W2", fte: 0.8, role: "Senior Practitioner", period: "2025-01" },
      { worker_id: "W3", fte: 1, role: "ASYE", period: "2025-01" },
    ]);
  });

  it("is a no-op when the same files are loaded again, and says so", async () => {
    const ws = tempWorkspace();
    const dir = writeReturn(smallReturn());
    await ingest(ws, [dir]);
    const before = await snapshot(ws);
    const again = await ingest(ws, [dir]);
    expect(again.status).toBe("unchanged");
    expect(again.message).toMatch(/Already loaded \(load 1\); nothing changed/);
    expect(await snapshot(ws)).toEqual(before);
    // --force re-applies it as a new load that replaces the identical rows
    const forced = await ingest(ws, [dir], { force: true });
    expect(forced.status).toBe("accepted");
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 3, case_month: 3 });
  });

  it("archives every raw file under its hash and logs every attempt", async () => {
    const ws = tempWorkspace();
    const dir = writeReturn(smallReturn());
    const s = await ingest(ws, [dir]);
    const archived = readdirSync(ws.archiveDir);
    expect(archived.sort()).toEqual(s.files.map((f) => `${f.sha256}.csv`).sort());
    for (const f of s.files) expect(readFileSync(join(ws.archiveDir, `${f.sha256}.csv`))).toEqual(readFileSync(f.file));
    writeFileSync(join(dir, "worker_month.csv"), "period,worker_id\n");
    await ingest(ws, [dir]);
    const log = readLog(ws);
    expect(log.map((l) => l.status)).toEqual(["accepted", "refused"]);
  });

  it("keeps extra columns in `extra`", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month = r.worker_month.map((w) => ({ ...w, "Locality Code": "N1" }));
    const s = await ingest(ws, [writeReturn(r)]);
    expect(s.status).toBe("accepted");
    const rows = await query<{ locality: string }>(ws, `SELECT extra->>'locality_code' AS locality FROM worker_month`);
    expect(rows.map((x) => x.locality)).toEqual(["N1", "N1", "N1"]);
  });
});

describe("ingest: resubmission and history", () => {
  it("replaces a team's month with the newer return and keeps the earlier one in history", async () => {
    const ws = tempWorkspace();
    const first = smallReturn();
    await ingest(ws, [writeReturn(first)]);
    const corrected = smallReturn();
    // the corrected return for Team A, 2025-01: W3 left the return, W1's FTE corrected
    corrected.worker_month = corrected.worker_month.filter((w) => w.worker_id !== "W3").map((w) => (w.worker_id === "W1" ? { ...w, fte: 0.6 } : w));
    corrected.case_month = corrected.case_month.filter((c) => c.case_ref !== "C2");
    delete (corrected as Record<string, unknown>).staff;
    delete (corrected as Record<string, unknown>).points_scheme;
    const s = await ingest(ws, [writeReturn(corrected)]);
    expect(s.status).toBe("accepted");
    expect(await query(ws, `SELECT worker_id, fte FROM worker_month ORDER BY worker_id`)).toEqual([
      { worker_id: "W1", fte: 0.6 },
      { worker_id: "W2", fte: 0.8 },
    ]);
    expect(await query(ws, `SELECT case_ref FROM case_month ORDER BY case_ref`)).toEqual([{ case_ref: "C1" }, { case_ref: "C3" }]);
    // history: which file, when
    const hist = await query<{ worker_id: string; fte: number; _load_id: number; _superseded_by: number | null; file_name: string }>(
      ws,
      `SELECT h.worker_id, h.fte, h._load_id, h._superseded_by, f.file_name
       FROM hist_worker_month h JOIN load_files f ON f.load_id = h._load_id AND f.table_name = 'worker_month'
       WHERE h.worker_id = 'W1' ORDER BY h._load_id`,
    );
    expect(hist).toEqual([
      { worker_id: "W1", fte: 1, _load_id: 1, _superseded_by: 2, file_name: "worker_month.csv" },
      { worker_id: "W1", fte: 0.6, _load_id: 2, _superseded_by: null, file_name: "worker_month.csv" },
    ]);
    const loads = await query<{ load_id: number }>(ws, `SELECT load_id, loaded_at FROM loads ORDER BY load_id`);
    expect(loads.map((l) => l.load_id)).toEqual([1, 2]);
  });

  it("a later month adds to, and does not replace, earlier months", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn("2025-01"))]);
    const feb = smallReturn("2025-02");
    await ingest(ws, [writeReturn({ worker_month: feb.worker_month, case_month: feb.case_month })]);
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 6, case_month: 6 });
  });
});

/** Load the small return with one table replaced, expect refusal, and return the formatted problems. */
async function refusedWith(change: (r: ReturnType<typeof smallReturn>) => Record<string, unknown>): Promise<string[]> {
  const ws = tempWorkspace();
  await ingest(ws, [writeReturn({ points_scheme: smallReturn().points_scheme, staff: smallReturn().staff })]);
  const before = await snapshot(ws);
  const s = await ingest(ws, [writeReturn(change(smallReturn()) as Record<string, never>)]);
  expect(s.status).toBe("refused");
  expect(await snapshot(ws)).toEqual(before);
  return s.problems.map(formatProblem);
}

describe("ingest: bad input is refused whole, with every problem named, and nothing changes", () => {
  it("a value of the wrong type", async () => {
    const p = await refusedWith((r) => ({ ...r, worker_month: r.worker_month.map((w, i) => (i === 1 ? { ...w, fte: "full" } : w)) }));
    expect(p).toEqual([`worker_month.csv, row 3, column fte: got "full"; expected a number greater than 0 and at most 1`]);
  });

  it("values out of range: fte, points, complexity", async () => {
    const p = await refusedWith((r) => ({
      ...r,
      worker_month: r.worker_month.map((w, i) => (i === 0 ? { ...w, fte: 1.2 } : i === 2 ? { ...w, fte: 0 } : w)),
      case_month: r.case_month.map((c, i) => (i === 0 ? { ...c, points: -2 } : i === 1 ? { ...c, complexity: 6 } : c)),
    }));
    expect(p).toEqual([
      `worker_month.csv, row 2, column fte: got "1.2"; expected a number greater than 0 and at most 1`,
      `worker_month.csv, row 4, column fte: got "0"; expected a number greater than 0 and at most 1`,
      `case_month.csv, row 2, column points: got "-2"; expected a number at least 0`,
      `case_month.csv, row 3, column complexity: got "6"; expected a whole number at least 1 and at most 5`,
    ]);
  });

  it("periods that do not exist or are in the future", async () => {
    const p = await refusedWith((r) => ({
      ...r,
      worker_month: r.worker_month.map((w, i) => (i === 0 ? { ...w, period: "2025-13" } : i === 1 ? { ...w, period: "2099-01" } : w)),
      case_month: [],
    }));
    expect(p[0]).toBe(`worker_month.csv, row 2, column period: got "2025-13"; expected a month as YYYY-MM that exists and is not in the future`);
    expect(p[1]).toBe(`worker_month.csv, row 3, column period: got "2099-01"; the month is in the future; expected a month as YYYY-MM that exists and is not in the future`);
  });

  it("values not in the allowed list, and a blank required value", async () => {
    const p = await refusedWith((r) => ({
      ...r,
      worker_month: r.worker_month.map((w, i) => (i === 0 ? { ...w, role: "Wizard" } : i === 1 ? { ...w, employment: "contractor", team: "" } : w)),
    }));
    expect(p).toContain(`worker_month.csv, row 2, column role: got "Wizard"; expected one of "ASYE", "Social Worker", "Senior Practitioner", "Advanced Practitioner", "Team Manager", "Social Work Assistant"`);
    expect(p).toContain(`worker_month.csv, row 3, column team: empty cell; a value is required here; expected text`);
    expect(p).toContain(`worker_month.csv, row 3, column employment: got "contractor"; expected one of "permanent", "agency"`);
  });

  it("duplicate rows within a file", async () => {
    const p = await refusedWith((r) => ({ ...r, case_month: [...r.case_month, r.case_month[0]] }));
    expect(p).toEqual([`case_month.csv, row 5, column period, worker_id, case_ref: got "2025-01, W1, C1"; duplicate: the same period + worker_id + case_ref appears on rows 2, 5; expected one row per case held by a worker in a month`]);
  });

  it("a case whose worker has no worker_month row, and a case type outside the service's scheme", async () => {
    const p = await refusedWith((r) => ({
      ...r,
      case_month: [...r.case_month, { period: "2025-01", worker_id: "W9", case_ref: "C9", case_type: "Child in Need", points: 3, complexity: 2 }, { period: "2025-01", worker_id: "W3", case_ref: "C8", case_type: "Adoption", points: 3, complexity: 2 }],
    }));
    expect(p).toEqual([
      `case_month.csv, row 5, column worker_id: got "W9"; worker W9 has no worker_month row for 2025-01; expected every case's worker to have a worker_month row for the same period`,
      `case_month.csv, row 6, column case_type: got "Adoption"; case type "Adoption" is not in the points scheme of Safeguarding and Support; expected one of: Child Protection, Child in Need`,
    ]);
  });

  it("a missing required column names the file and the column", async () => {
    const p = await refusedWith((r) => ({ ...r, worker_month: r.worker_month.map(({ fte: _fte, ...w }) => w) }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^worker_month\.csv, row 1, column fte: missing required column "fte"/);
  });

  it("columns that carry personal data are refused with the reason", async () => {
    const p = await refusedWith((r) => ({
      ...r,
      staff: r.staff.map((s) => ({ ...s, "Date of Birth": "1980-01-01", Surname: "Smith" })),
    }));
    expect(p.join("\n")).toMatch(/staff\.csv, row 1, column Date of Birth: refused: it looks like a date of birth/);
    expect(p.join("\n")).toMatch(/staff\.csv, row 1, column Surname: refused: it looks like a person's name/);
    const q = await refusedWith((r) => ({ ...r, staff: r.staff.map((s, i) => ({ ...s, contact: i === 1 ? "sam@example.org" : "" })) }));
    expect(q).toEqual([`staff.csv, row 3, column contact: got "sam@example.org"; refused: the value looks like an e-mail address, which fairload must not store; remove the column`]);
  });

  it("an unknown ethnicity is refused; codes, ONS labels and blanks are normalised", async () => {
    const p = await refusedWith((r) => ({ ...r, staff: r.staff.map((s, i) => (i === 0 ? { ...s, ethnicity: "Martian" } : s)) }));
    expect(p[0]).toMatch(/^staff\.csv, row 2, column ethnicity: got "Martian"; expected a DfE census main code/);
  });

  it("malformed rows, empty files and files with no header", async () => {
    const ws = tempWorkspace();
    const dir = writeReturn({ worker_month: "period,worker_id,service,team,role,fte\n2025-01,W1,S,T,ASYE,1,extra\n2025-01,W2,S,T\n", case_month: "" });
    const s = await ingest(ws, [dir]);
    expect(s.status).toBe("refused");
    const p = s.problems.map(formatProblem);
    expect(p).toContain("case_month.csv: the file is empty; expected a header row naming the columns");
    expect(p.some((x) => x.startsWith("worker_month.csv, row 2") && /expected 6 columns/.test(x))).toBe(true);
    expect(p.some((x) => x.startsWith("worker_month.csv, row 3") && /expected 6 columns/.test(x))).toBe(true);
  });

  it("lists every problem up to a cap, then counts the rest", async () => {
    const ws = tempWorkspace();
    const rows = Array.from({ length: 120 }, (_, i) => ({ period: "2025-01", worker_id: `W${i}`, service: "S", team: "T", role: "ASYE", fte: 2 }));
    const s = await ingest(ws, [writeReturn({ worker_month: rows })]);
    expect(s.problems).toHaveLength(50);
    expect(s.problem_count).toBe(120);
  });

  it("the CLI prints the problems, exits non-zero and shows no stack trace", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month[1].fte = "x";
    const out = await runCli(["ingest", writeReturn(r), "--workspace", ws.dir]);
    expect(out.status).toBe(2);
    expect(out.stdout).toMatch(/Refused: 1 problem found; nothing was loaded/);
    expect(out.stdout).toMatch(/worker_month\.csv, row 3, column fte: got "x"/);
    expect(out.stdout + out.stderr).not.toMatch(/at .*\.ts:\d+|Error:/);
  });

  it("a corrected file sent again is accepted", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month[0].fte = 7;
    const dir = writeReturn(r);
    expect((await ingest(ws, [dir])).status).toBe("refused");
    writeFileSync(join(dir, "worker_month.csv"), toCsv(smallReturn().worker_month));
    expect((await ingest(ws, [dir])).status).toBe("accepted");
  });
});

describe("ingest: real files are messy", () => {
  it("UTF-8 BOM, CRLF, quoted commas, odd header spelling and trailing blank rows", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month = r.worker_month.map((w) => ({ ...w, team: "Team A, North" }));
    const dir = writeReturn({ points_scheme: r.points_scheme, staff: r.staff, case_month: r.case_month });
    const csv = toCsv(r.worker_month, undefined, { newline: "\r\n" }).replace("period,worker_id,service,team,role,fte,employment", "Period, Worker ID ,SERVICE,Team,Role,FTE,Employment");
    writeFileSync(join(dir, "worker_month.csv"), `\uFEFF${csv},,,,,,\r\n,,,,,,\r\n\r\n`);
    const s = await ingest(ws, [dir]);
    expect(s.problems.map(formatProblem)).toEqual([]);
    expect(await query(ws, `SELECT DISTINCT team FROM worker_month`)).toEqual([{ team: "Team A, North" }]);
    expect((await currentCounts(ws)).worker_month).toBe(3);
  });

  it("semicolon-separated CSV with decimal commas (European Excel), and Latin-1 text", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    const dir = writeReturn({ points_scheme: r.points_scheme, staff: r.staff, case_month: r.case_month });
    const semi = toCsv(r.worker_month.map((w) => ({ ...w, fte: String(w.fte).replace(".", ","), team: "Équipe A" })), undefined, { delimiter: ";" });
    writeFileSync(join(dir, "worker_month.csv"), Buffer.from(semi, "latin1"));
    const s = await ingest(ws, [dir]);
    expect(s.problems.map(formatProblem)).toEqual([]);
    expect(await query(ws, `SELECT fte, team FROM worker_month WHERE worker_id = 'W2'`)).toEqual([{ fte: 0.8, team: "Équipe A" }]);
  });

  it("dates as ISO, UK DD/MM/YYYY and Excel serial numbers; booleans in every spelling", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.case_month = r.case_month.map((c, i) => ({ ...c, allocated_on: ["2024-12-14", "14/12/2024", "45640"][i] }));
    r.worker_month = r.worker_month.map((w, i) => ({ ...w, review_requested: ["Yes", "n", "TRUE"][i] }));
    const s = await ingest(ws, [writeReturn(r)]);
    expect(s.status).toBe("accepted");
    const dates = await query<{ d: string }>(ws, `SELECT strftime(allocated_on, '%Y-%m-%d') AS d FROM case_month ORDER BY case_ref`);
    expect(dates.map((d) => d.d)).toEqual(["2024-12-14", "2024-12-14", "2024-12-14"]);
    expect((await query<{ b: boolean }>(ws, `SELECT review_requested AS b FROM worker_month ORDER BY worker_id`)).map((x) => x.b)).toEqual([true, false, true]);
  });

  it("a column map renames an employer's own headers", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    const renamed = r.worker_month.map(({ worker_id, fte, ...w }) => ({ ...w, "Staff Ref": worker_id, "Contracted FTE": fte }));
    const dir = writeReturn({ points_scheme: r.points_scheme, staff: r.staff, case_month: r.case_month, worker_month: renamed });
    const map = join(tempDir(), "map.json");
    writeFileSync(map, JSON.stringify({ "Staff Ref": "worker_id", worker_month: { "Contracted FTE": "fte" } }));
    const out = await runCli(["ingest", dir, "--workspace", ws.dir, "--map", map, "--json"]);
    expect(out.status).toBe(0);
    const summary = JSON.parse(out.stdout);
    expect(summary.status).toBe("accepted");
    expect(await query(ws, `SELECT worker_id, fte FROM worker_month ORDER BY worker_id`)).toEqual([
      { worker_id: "W1", fte: 1 },
      { worker_id: "W2", fte: 0.8 },
      { worker_id: "W3", fte: 1 },
    ]);
  });

  it("Parquet files load like CSV", async () => {
    const ws = tempWorkspace();
    const csvDir = writeReturn(smallReturn());
    const pqDir = tempDir();
    const { openDb } = await import("../../core/db.ts");
    const db = await openDb(":memory:");
    for (const t of ["points_scheme", "staff", "worker_month", "case_month"]) {
      await db.conn.run(`COPY (SELECT * FROM read_csv('${join(csvDir, `${t}.csv`)}', header = true)) TO '${join(pqDir, `${t}.parquet`)}' (FORMAT parquet)`);
    }
    db.close();
    const s = await ingest(ws, [pqDir]);
    expect(s.problems.map(formatProblem)).toEqual([]);
    expect(await currentCounts(ws)).toMatchObject({ points_scheme: 2, staff: 3, worker_month: 3, case_month: 3 });
  });

  it("refuses a file over the workspace's size limit before reading it", async () => {
    const ws = tempWorkspace();
    ws.config.max_file_mb = 0.0001; // about 100 bytes
    const r = smallReturn();
    await expect(ingest(ws, [writeReturn(r)])).rejects.toThrow(/larger than the workspace limit/);
    expect(existsSync(ws.dbPath)).toBe(false);
  });
});
