/**
 * The optional HR tables (docs/returns.md, "Optional HR tables": appraisal, progression, training,
 * review_request, leave) through `fairload ingest`: each from CSV, a workbook and Parquet; stored
 * and versioned like the other contract tables (history, current views, resubmissions, rebuild);
 * every bad rating, role, outcome or date order refused naming file, row, column and what was
 * expected, with nothing stored changed; and the Excel template's sheets round-trip.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.ts";
import { HR_TABLE_NAMES, TABLE_NAMES } from "../../core/contract.ts";
import { type InputProblem, formatProblem } from "../../core/errors.ts";
import { openWorkspace, type Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { rebuild } from "../../loaders/rebuild.ts";
import { writeTemplate } from "../../loaders/template.ts";
import { SOURCES } from "../../pipelines/project.ts";
import { hrReturn, writeParquetReturn, writeXlsxReturn } from "../support/hr-returns.ts";
import { type Rows, currentCounts, query, smallReturn, snapshot, tempDir, tempWorkspace, writeReturn } from "../support/helpers.ts";

/** Every HR table's current content, typed values shown as SQL gives them (dates as text). */
async function hrContent(ws: Workspace) {
  return {
    appraisal: await query(ws, `SELECT worker_id, period, rating, moderated, reviewer_role FROM appraisal ORDER BY ALL`),
    progression: await query(ws, `SELECT worker_id, period, route, to_role, shortlisted, outcome FROM progression ORDER BY ALL`),
    training: await query(ws, `SELECT worker_id, period, kind, days, outcome FROM training ORDER BY ALL`),
    review_request: await query(ws, `SELECT worker_id, strftime(requested_on, '%Y-%m-%d') AS requested_on, reason, outcome, strftime(resolved_on, '%Y-%m-%d') AS resolved_on FROM review_request ORDER BY ALL`),
    leave: await query(ws, `SELECT worker_id, leave_year, entitlement_days, taken_days, carried_over_days, paid_in_lieu_days FROM leave ORDER BY ALL`),
  };
}

const EXPECTED = {
  appraisal: [
    { worker_id: "W1", period: "2025-05", rating: "Exceeds", moderated: true, reviewer_role: "Team Manager" },
    { worker_id: "W2", period: "2025-05", rating: "Fully meets", moderated: false, reviewer_role: "Service Manager" },
    { worker_id: "W3", period: "2025-06", rating: "Partly meets", moderated: null, reviewer_role: null },
  ],
  progression: [
    { worker_id: "W1", period: "2025-04", route: "vacancy", to_role: "Senior Practitioner", shortlisted: true, outcome: "appointed" },
    { worker_id: "W2", period: "2025-04", route: "vacancy", to_role: "Senior Practitioner", shortlisted: false, outcome: "not appointed" },
    { worker_id: "W2", period: "2025-07", route: "panel", to_role: "Senior Practitioner", shortlisted: null, outcome: "pending" },
  ],
  training: [
    { worker_id: "W1", period: "2025-03", kind: "non-mandatory CPD", days: 2, outcome: "approved" },
    { worker_id: "W2", period: "2025-03", kind: "post-qualifying", days: 15, outcome: "declined" },
  ],
  review_request: [
    { worker_id: "W1", requested_on: "2025-02-03", reason: "unsafe caseload", outcome: "cases reallocated", resolved_on: "2025-02-10" },
    { worker_id: "W2", requested_on: "2025-02-14", reason: "complexity", outcome: "pending", resolved_on: null },
    { worker_id: "W3", requested_on: "2025-03-01", reason: null, outcome: null, resolved_on: null },
  ],
  leave: [
    { worker_id: "W1", leave_year: 2025, entitlement_days: 27, taken_days: 25, carried_over_days: 2, paid_in_lieu_days: 0 },
    { worker_id: "W2", leave_year: 2025, entitlement_days: 21.5, taken_days: 20, carried_over_days: null, paid_in_lieu_days: null },
    { worker_id: "W3", leave_year: 2026, entitlement_days: 13.5, taken_days: 10, carried_over_days: 3.5, paid_in_lieu_days: 0 },
  ],
};

const lines = (s: { problems: InputProblem[] }) => s.problems.map(formatProblem);

describe("the HR tables are contract tables", () => {
  it("are in the contract, the model registry's sources, and every workspace's schema", async () => {
    for (const t of HR_TABLE_NAMES) {
      expect(TABLE_NAMES).toContain(t);
      expect(SOURCES).toContain(t);
    }
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn({ staff: hrReturn().staff })]);
    const objects = (await query<{ n: string }>(ws, `SELECT table_name AS n FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal`)).map((r) => r.n);
    for (const t of HR_TABLE_NAMES) expect(objects).toEqual(expect.arrayContaining([t, `hist_${t}`]));
  });
});

describe("each HR table loads from CSV, a workbook and Parquet", () => {
  const containers: [string, () => Promise<string>][] = [
    ["CSV", async () => writeReturn(hrReturn())],
    ["xlsx", async () => writeXlsxReturn(hrReturn())],
    ["Parquet", async () => writeParquetReturn(hrReturn())],
  ];
  for (const [kind, write] of containers) {
    it(`${kind}: typed, spelled as the contract spells it, with history`, async () => {
      const ws = tempWorkspace();
      const s = await ingest(ws, [await write()]);
      expect(lines(s)).toEqual([]);
      expect(s.status).toBe("accepted");
      expect(await currentCounts(ws)).toMatchObject({ staff: 3, appraisal: 3, progression: 3, training: 2, review_request: 3, leave: 3 });
      expect(await hrContent(ws)).toEqual(EXPECTED);
      const hist = await query<{ t: string; n: number; load: number; current: number }>(
        ws,
        HR_TABLE_NAMES.map((t) => `SELECT '${t}' AS t, count(*) AS n, max(_load_id) AS load, count(*) FILTER (WHERE _superseded_by IS NULL) AS current FROM hist_${t}`).join(" UNION ALL ") + " ORDER BY t",
      );
      for (const h of hist) expect(h, h.t).toMatchObject({ load: 1, current: h.n });
      const src = await query<{ _source: string; _row: number }>(ws, `SELECT _source, _row FROM hist_leave ORDER BY _row`);
      expect(src.map((r) => r._row)).toEqual(kind === "Parquet" ? [1, 2, 3] : [2, 3, 4]); // Parquet has no header row
      expect(src[0]._source).toMatch(kind === "xlsx" ? /hr\.xlsx, sheet leave/ : /^leave\.(csv|parquet)$/);
    });
  }

  it("a return may carry any subset of the tables, alone or with the monthly ones", async () => {
    const ws = tempWorkspace();
    const onlyLeave = await ingest(ws, [writeReturn({ leave: hrReturn().leave })]);
    expect(onlyLeave.status).toBe("accepted");
    // no staff rows yet: said, not refused
    expect(onlyLeave.warnings.join("\n")).toMatch(/3 workers in leave have no staff row yet/);
    const both = await ingest(ws, [writeReturn({ ...smallReturn(), appraisal: hrReturn().appraisal, training: hrReturn().training })]);
    expect(lines(both)).toEqual([]);
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 3, case_month: 3, appraisal: 3, training: 2, leave: 3, progression: 0, review_request: 0 });
  });
});

describe("versioned like the other tables", () => {
  let ws: Workspace;
  let first: string;
  beforeAll(async () => {
    ws = tempWorkspace();
    first = writeReturn(hrReturn());
    expect((await ingest(ws, [first])).status).toBe("accepted");
  });

  it("a resubmission replaces what it covers (a month's appraisals, a request, a worker's leave year), which stays in the history", async () => {
    const r = await ingest(ws, [
      writeReturn({
        appraisal: [{ worker_id: "W1", period: "2025-05", rating: "Fully meets", moderated: "yes", reviewer_role: "Team Manager" }],
        review_request: [{ worker_id: "W2", requested_on: "2025-02-14", reason: "complexity", outcome: "support added", resolved_on: "2025-02-20" }],
        leave: [{ worker_id: "W1", leave_year: 2025, entitlement_days: 27, taken_days: 24, carried_over_days: 3, paid_in_lieu_days: 0 }],
      }),
    ]);
    expect(r.status).toBe("accepted");
    expect(r.tables.map((t) => [t.table, t.rows, t.replaced])).toEqual([["appraisal", 1, 2], ["review_request", 1, 1], ["leave", 1, 1]]);
    const c = await hrContent(ws);
    // the 2025-05 appraisals are replaced as a whole (W2's is gone); 2025-06 is untouched
    expect(c.appraisal.map((a) => [a.worker_id, a.period, a.rating])).toEqual([["W1", "2025-05", "Fully meets"], ["W3", "2025-06", "Partly meets"]]);
    expect(c.review_request.find((x) => x.worker_id === "W2")).toMatchObject({ outcome: "support added", resolved_on: "2025-02-20" });
    expect(c.review_request).toHaveLength(3);
    expect(c.leave.find((x) => x.worker_id === "W1")).toMatchObject({ taken_days: 24, carried_over_days: 3 });
    expect(await query(ws, `SELECT worker_id, rating, _load_id, _superseded_by FROM hist_appraisal WHERE period = '2025-05' ORDER BY _load_id, worker_id`)).toEqual([
      { worker_id: "W1", rating: "Exceeds", _load_id: 1, _superseded_by: 2 },
      { worker_id: "W2", rating: "Fully meets", _load_id: 1, _superseded_by: 2 },
      { worker_id: "W1", rating: "Fully meets", _load_id: 2, _superseded_by: null },
    ]);
  });

  it("the same files again change nothing, and a rebuild from the archive gives the same tables and history", async () => {
    const before = await snapshot(ws);
    expect((await ingest(ws, [first])).status).toBe("unchanged");
    expect(await snapshot(ws)).toEqual(before);
    const r = await rebuild(ws);
    expect(r.loads).toBe(2);
    const after = await snapshot(ws);
    for (const t of HR_TABLE_NAMES) expect(after[`hist_${t}`], t).toEqual(before[`hist_${t}`]);
  });
});

describe("bad input: refused, naming file, row, column and what was expected; nothing stored changes", () => {
  /** A copy of the good return with some cells changed: { table: { row index: { column: value } } }. */
  function withChanges(changes: Record<string, Record<number, Record<string, string | number>>>): Record<string, Rows> {
    const r = hrReturn();
    for (const [t, rows] of Object.entries(changes)) for (const [i, cells] of Object.entries(rows)) Object.assign(r[t][Number(i)], cells);
    return r;
  }

  it("every bad rating, role, outcome, date order and year, in CSV", async () => {
    const ws = tempWorkspace();
    expect((await ingest(ws, [writeReturn(smallReturn())])).status).toBe("accepted");
    const before = await snapshot(ws);
    const bad = withChanges({
      appraisal: { 1: { rating: "Outstanding" } },
      progression: { 0: { to_role: "Director" }, 1: { outcome: "offered" }, 2: { route: "internal" } },
      training: { 1: { outcome: "maybe", days: -2 } },
      review_request: { 0: { resolved_on: "2025-01-31" }, 1: { resolved_on: "2025-02-20" }, 2: { outcome: "escalated", reason: "stress" } },
      leave: { 0: { leave_year: 2099 }, 2: { taken_days: -1 } },
    });
    bad.progression.push({ worker_id: "W3", period: "2025-04", route: "vacancy", to_role: "Senior Practitioner", shortlisted: "no", outcome: "appointed" });
    const s = await ingest(ws, [writeReturn(bad)]);
    expect(s.status).toBe("refused");
    const got = lines(s);
    const want = [
      'appraisal.csv, row 3, column rating: got "Outstanding"; expected one of "Exceeds", "Fully meets", "Partly meets", "Does not meet" (the rating scale, appraisal_ratings in fairload.json)',
      'progression.csv, row 2, column to_role: got "Director"; expected one of "ASYE", "Social Worker", "Senior Practitioner", "Advanced Practitioner", "Team Manager", "Social Work Assistant"',
      'progression.csv, row 3, column outcome: got "offered"; expected one of "appointed", "not appointed", "withdrawn", "pending"',
      'progression.csv, row 4, column route: got "internal"; expected one of "vacancy", "panel"',
      'progression.csv, row 5, column shortlisted: got "no"; an appointment to a vacancy without shortlisting; expected shortlisted to be yes (or blank) when a vacancy\'s outcome is appointed',
      'training.csv, row 3, column days: got "-2"; expected a number at least 0 and at most 366',
      'training.csv, row 3, column outcome: got "maybe"; expected one of "approved", "declined", "pending"',
      'review_request.csv, row 2, column resolved_on: got "2025-01-31 (requested_on 2025-02-03)"; the request is resolved before it was made; expected resolved_on on or after requested_on',
      'review_request.csv, row 3, column resolved_on: got "2025-02-20 (outcome pending)"; a pending request has a resolved date; expected resolved_on blank while the outcome is pending (or the outcome agreed on that date)',
      'review_request.csv, row 4, column reason: got "stress"; expected one of "unsafe caseload", "complexity", "wellbeing", "other"',
      'review_request.csv, row 4, column outcome: got "escalated"; expected one of "cases reallocated", "support added", "no change", "pending"',
      `leave.csv, row 2, column leave_year: got "2099"; expected a year (YYYY) from 2000 to ${new Date().getUTCFullYear() + 1}`,
      'leave.csv, row 4, column taken_days: got "-1"; expected a number at least 0 and at most 366',
    ];
    expect([...got].sort()).toEqual([...want].sort());
    expect(s.problem_count).toBe(want.length);
    expect(await snapshot(ws)).toEqual(before);
    // corrected, it is accepted
    expect((await ingest(ws, [writeReturn(hrReturn())])).status).toBe("accepted");
  });

  it("in a workbook the sheet is named too, and in Parquet the file", async () => {
    const ws = tempWorkspace();
    const bad = withChanges({ appraisal: { 0: { rating: "Good" } }, review_request: { 0: { requested_on: "2025-03-01", resolved_on: "2025-02-28" } } });
    const x = await ingest(ws, [await writeXlsxReturn(bad)]);
    expect(x.status).toBe("refused");
    expect(x.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: "hr.xlsx", sheet: "appraisal", row: 2, column: "rating", value: "Good", expected: expect.stringMatching(/^expected one of "Exceeds"/) }),
      expect.objectContaining({ file: "hr.xlsx", sheet: "review_request", row: 2, column: "resolved_on", expected: expect.stringMatching(/on or after requested_on/) }),
    ]));
    // Parquet has no header row: a row is the record's number in the file
    const p = await ingest(ws, [await writeParquetReturn(bad)]);
    expect(p.status).toBe("refused");
    expect(p.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: "appraisal.parquet", row: 1, column: "rating", value: "Good" }),
      expect.objectContaining({ file: "review_request.parquet", row: 1, column: "resolved_on", value: "2025-02-28 (requested_on 2025-03-01)" }),
    ]));
    expect(await currentCounts(ws)).toEqual(Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])));
  });

  it("missing required columns and duplicates are refused like anywhere else", async () => {
    const ws = tempWorkspace();
    const r = hrReturn();
    const training = r.training.map(({ outcome: _drop, ...rest }) => rest);
    const appraisal = [...r.appraisal, { ...r.appraisal[0], rating: "Fully meets" }];
    const s = await ingest(ws, [writeReturn({ training, appraisal })]);
    expect(s.status).toBe("refused");
    expect(s.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: "training.csv", row: 1, column: "outcome", expected: expect.stringMatching(/missing required column "outcome"/) }),
      expect.objectContaining({ file: "appraisal.csv", row: 5, column: "worker_id, period", expected: expect.stringMatching(/duplicate: the same worker_id \+ period appears on rows 2, 5/) }),
    ]));
  });

  it("worker ids must be pseudonymous, and personal data is refused in the HR tables too", async () => {
    const ws = tempWorkspace();
    const r = hrReturn();
    r.appraisal[0].worker_id = "jane.doe@example.org";
    r.leave = r.leave.map((l) => ({ ...l, "Manager Name": "A Smith" }));
    r.training = r.training.map((t) => ({ ...t, ref: "AB 12 34 56 C" }));
    const s = await ingest(ws, [writeReturn(r)]);
    expect(s.status).toBe("refused");
    expect(s.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: "appraisal.csv", row: 2, column: "worker_id", expected: expect.stringMatching(/identifiers must be pseudonymous/) }),
      expect.objectContaining({ file: "leave.csv", row: 1, column: "Manager Name", expected: expect.stringMatching(/^refused: it looks like a person's name/) }),
    ]));
    // the NI number is found once the header problem is gone
    r.leave = hrReturn().leave;
    const t = await ingest(ws, [writeReturn(r)]);
    expect(t.problems).toEqual(expect.arrayContaining([expect.objectContaining({ file: "training.csv", row: 2, column: "ref", expected: expect.stringMatching(/National Insurance number/) })]));
    expect(await currentCounts(ws)).toEqual(Object.fromEntries(TABLE_NAMES.map((x) => [x, 0])));
  });
});

describe("the appraisal rating scale comes from the config", () => {
  it("an employer's own scale is checked instead of the default", async () => {
    const ws0 = tempWorkspace();
    writeFileSync(ws0.configPath, JSON.stringify({ employer: "Own scale", appraisal_ratings: ["Outstanding", "Good", "Requires improvement", "Inadequate"] }));
    const ws = openWorkspace(ws0.dir);
    const ok = hrReturn();
    ok.appraisal = ok.appraisal.map((a, i) => ({ ...a, rating: ["outstanding", "Good", "Inadequate"][i] }));
    const s = await ingest(ws, [writeReturn({ appraisal: ok.appraisal })]);
    expect(lines(s)).toEqual([]);
    expect((await query<{ rating: string }>(ws, `SELECT rating FROM appraisal ORDER BY worker_id`)).map((r) => r.rating)).toEqual(["Outstanding", "Good", "Inadequate"]);
    const bad = await ingest(ws, [writeReturn({ appraisal: hrReturn().appraisal })]);
    expect(lines(bad)[0]).toBe('appraisal.csv, row 2, column rating: got "exceeds"; expected one of "Outstanding", "Good", "Requires improvement", "Inadequate" (the rating scale, appraisal_ratings in fairload.json)');
  });

  it("defaults to the shared specification's scale, and a bad scale names the key", () => {
    expect(parseConfig({}, "fairload.json").appraisal_ratings).toEqual(["Exceeds", "Fully meets", "Partly meets", "Does not meet"]);
    expect(() => parseConfig({ appraisal_ratings: ["Good", "good"] }, "fairload.json")).toThrow(/appraisal_ratings: each rating once/);
    expect(() => parseConfig({ appraisal_ratings: ["Good"] }, "fairload.json")).toThrow(/appraisal_ratings: give at least two ratings/);
  });
});

describe("Excel template", () => {
  it("has the HR sheets with drop-downs, and a filled-in copy ingests", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn())]);
    const file = join(tempDir(), "template.xlsx");
    await writeTemplate(ws, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["guidance", "lists", ...TABLE_NAMES]);
    const lists = wb.getWorksheet("lists")!;
    const headers = lists.getRow(1).values as string[];
    const letter = (name: string) => lists.getColumn(headers.indexOf(name)).letter;
    const column = (name: string) => lists.getColumn(headers.indexOf(name)).values.slice(2).filter(Boolean);
    expect(column("appraisal_rating")).toEqual(["Exceeds", "Fully meets", "Partly meets", "Does not meet"]);
    expect(column("progression.outcome")).toEqual(["appointed", "not appointed", "withdrawn", "pending"]);
    expect(column("review_request.outcome")).toEqual(["cases reallocated", "support added", "no change", "pending"]);
    const rule = (sheet: string, col: string) => {
      const ws = wb.getWorksheet(sheet)!;
      const idx = (ws.getRow(1).values as string[]).indexOf(col);
      const model = (ws as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[]; errorStyle?: string }> } }).dataValidations.model;
      const found = Object.entries(model).find(([range]) => range.startsWith(`${ws.getColumn(idx).letter}2`));
      expect(found, `${sheet}.${col} has a drop-down`).toBeTruthy();
      return found![1];
    };
    const ref = (name: string) => new RegExp(`^lists!\\$${letter(name)}\\$2:\\$${letter(name)}\\$\\d+$`);
    expect(rule("appraisal", "rating")).toMatchObject({ type: "list" });
    expect(String(rule("appraisal", "rating").formulae[0])).toMatch(ref("appraisal_rating"));
    expect(rule("appraisal", "rating").errorStyle ?? "stop").toBe("stop");
    expect(String(rule("progression", "to_role").formulae[0])).toMatch(ref("role"));
    expect(rule("appraisal", "reviewer_role").errorStyle).toBe("warning");
    expect(String(rule("progression", "outcome").formulae[0])).toMatch(ref("progression.outcome"));
    expect(String(rule("training", "kind").formulae[0])).toMatch(ref("training.kind"));
    expect(String(rule("training", "outcome").formulae[0])).toMatch(ref("training.outcome"));
    expect(String(rule("review_request", "outcome").formulae[0])).toMatch(ref("review_request.outcome"));
    expect(String(rule("review_request", "reason").formulae[0])).toMatch(ref("review_request.reason"));
    expect(String(rule("progression", "shortlisted").formulae[0])).toMatch(ref("boolean"));
    expect(rule("leave", "leave_year").type).toBe("whole");
    // the health check keeps its own rating list
    expect(String(rule("health_check", "rating").formulae[0])).toMatch(ref("rating"));

    // an HR officer fills it in
    const add = (sheet: string, values: unknown[]) => wb.getWorksheet(sheet)!.addRow(values);
    add("appraisal", ["W1", "2025-05", "Exceeds", "yes", "Team Manager"]);
    add("appraisal", ["W2", "2025-05", "Fully meets", "no", null]);
    add("progression", ["W2", "2025-04", "vacancy", "Senior Practitioner", "yes", "not appointed"]);
    add("training", ["W3", "2025-03", "study leave", 5, "approved"]);
    add("review_request", ["W2", new Date(Date.UTC(2025, 1, 3)), "unsafe caseload", "cases reallocated", 45700]);
    add("leave", ["W1", 2025, 27, 27, 0, 0]);
    const filled = join(tempDir(), "filled.xlsx");
    await wb.xlsx.writeFile(filled);
    const s = await ingest(ws, [filled]);
    expect(lines(s)).toEqual([]);
    expect(s.status).toBe("accepted");
    expect(s.tables.map((t) => [t.table, t.rows])).toEqual(expect.arrayContaining([["appraisal", 2], ["progression", 1], ["training", 1], ["review_request", 1], ["leave", 1]]));
    expect(await query(ws, `SELECT strftime(requested_on, '%Y-%m-%d') AS a, strftime(resolved_on, '%Y-%m-%d') AS b FROM review_request`)).toEqual([{ a: "2025-02-03", b: "2025-02-12" }]);
    expect(await currentCounts(ws)).toMatchObject({ worker_month: 3, appraisal: 2, progression: 1, training: 1, review_request: 1, leave: 1 });
  });
});
