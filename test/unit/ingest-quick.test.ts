/**
 * The one-scan load of a clean return (issue 16) and its fall-back to the detailed check: a
 * clean return is typed, checked and stored in one scan per part; only a part with a problem is
 * read again, in detail, and the problems are those the detailed check always listed.
 */
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../core/errors.ts";
import type { Progress } from "../../core/progress.ts";
import { ingest } from "../../loaders/ingest.ts";
import { query, smallReturn, snapshot, tempWorkspace, writeReturn } from "../support/helpers.ts";

/** A Progress that records every step. */
function recorder(): Progress & { steps: string[] } {
  const steps: string[] = [];
  return { steps, step: (m) => steps.push(m), done: () => undefined };
}

describe("ingest: the one-scan load", () => {
  it("reads, checks and stores a clean return in one scan per part, with nothing read twice", async () => {
    const ws = tempWorkspace();
    const progress = recorder();
    const s = await ingest(ws, [writeReturn(smallReturn())], { progress });
    expect(s.status).toBe("accepted");
    for (const t of ["points_scheme", "staff", "worker_month", "case_month"]) expect(progress.steps).toContain(`loading ${t}.csv`);
    expect(progress.steps.filter((m) => /^(checking|listing the problems)/.test(m))).toEqual([]);
  });

  it("trims spaces, no-break spaces and tabs as the detailed check does", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month[0] = { ...r.worker_month[0], team: "Team A\u00a0", fte: " 1 " };
    r.worker_month[1] = { ...r.worker_month[1], team: "  Team A", fte: "\t0.8", employment: " agency" };
    r.worker_month[2] = { ...r.worker_month[2], period: " 2025-01" };
    r.case_month[0] = { ...r.case_month[0], points: "\u00a03", complexity: "2\u2003", case_ref: "C1 ", allocated_on: " " };
    r.case_month[1] = { ...r.case_month[1], allocated_on: "2024-12-14 " };
    r.case_month[2] = { ...r.case_month[2], allocated_on: "\u00a014/12/2024" };
    const s = await ingest(ws, [writeReturn(r)]);
    expect(s.problems.map(formatProblem)).toEqual([]);
    expect(await query(ws, `SELECT worker_id, team, fte, employment, period FROM worker_month ORDER BY worker_id`)).toEqual([
      { worker_id: "W1", team: "Team A", fte: 1, employment: "permanent", period: "2025-01" },
      { worker_id: "W2", team: "Team A", fte: 0.8, employment: "agency", period: "2025-01" },
      { worker_id: "W3", team: "Team A", fte: 1, employment: "permanent", period: "2025-01" },
    ]);
    expect(await query(ws, `SELECT case_ref, points, complexity, strftime(allocated_on, '%Y-%m-%d') AS d FROM case_month ORDER BY case_ref`)).toEqual([
      { case_ref: "C1", points: 3, complexity: 2, d: null },
      { case_ref: "C2", points: 5, complexity: 4, d: "2024-12-14" },
      { case_ref: "C3", points: 6, complexity: 5, d: "2024-12-14" },
    ]);
  });

  it("reads again, in detail, only the part with a problem", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month[1].fte = "full";
    const progress = recorder();
    const s = await ingest(ws, [writeReturn(r)], { progress });
    expect(s.problems.map(formatProblem)).toEqual([`worker_month.csv, row 3, column fte: got "full"; expected a number greater than 0 and at most 1`]);
    expect(progress.steps.filter((m) => m.startsWith("listing the problems"))).toEqual(["listing the problems in worker_month.csv"]);
  });

  it("finds a key repeated once the cells are trimmed, in the largest file (checked beside the load), and changes nothing", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn({ points_scheme: smallReturn().points_scheme, staff: smallReturn().staff })]);
    const before = await snapshot(ws);
    const r = smallReturn();
    // case_month the largest file, so its keys are the ones checked beside the load
    r.case_month.push({ ...r.case_month[0], case_ref: " C1 " });
    for (let i = 0; i < 200; i++) r.case_month.push({ ...r.case_month[1], case_ref: `X${i}` });
    const s = await ingest(ws, [writeReturn({ worker_month: r.worker_month, case_month: r.case_month })]);
    expect(s.status).toBe("refused");
    expect(s.problems.map(formatProblem)).toEqual([
      `case_month.csv, row 5, column period, worker_id, case_ref: got "2025-01, W1, C1"; duplicate: the same period + worker_id + case_ref appears on rows 2, 5; expected one row per case held by a worker in a month`,
    ]);
    expect(await snapshot(ws)).toEqual(before);
  });

  it("keeps the number of each record for a later message: a reference problem after a blank and a quoted multi-line record", async () => {
    const ws = tempWorkspace();
    const csv = [
      "period,worker_id,case_ref,case_type,points,note",
      "2025-01,W1,C1,Child in Need,3,",
      "",
      ",,,,,",
      '2025-01,W1,C2,Child Protection,5,"two',
      'lines"',
      "2025-01,W9,C9,Child in Need,3,",
      "",
    ].join("\n");
    const r = smallReturn();
    const s = await ingest(ws, [writeReturn({ points_scheme: r.points_scheme, staff: r.staff, worker_month: r.worker_month, case_month: csv })]);
    expect(s.status).toBe("refused");
    expect(s.problems.map(formatProblem)).toEqual([
      `case_month.csv, row 7, column worker_id: got "W9"; worker W9 has no worker_month row for 2025-01; expected every case's worker to have a worker_month row for the same period`,
    ]);
  });
});
