/** Template round trip, ethnicity normalisation, config validation and the CLI's surface. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.ts";
import { normaliseEthnicity } from "../../core/ethnicity.ts";
import { ingest } from "../../loaders/ingest.ts";
import { openWorkspace } from "../../core/workspace.ts";
import { writeTemplate } from "../../loaders/template.ts";
import { currentCounts, query, runCli, smallReturn, tempDir, tempWorkspace, writeReturn } from "../support/helpers.ts";

describe("Excel template", () => {
  it("has a sheet per table with drop-downs from the workspace, and a filled-in copy ingests cleanly", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn())]);
    const file = join(tempDir(), "template.xlsx");
    await writeTemplate(ws, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["guidance", "lists", "points_scheme", "staff", "worker_month", "case_month", "team_month", "health_check", "appraisal", "progression", "training", "review_request", "leave"]);
    const lists = wb.getWorksheet("lists")!;
    const column = (name: string) => {
      const header = (lists.getRow(1).values as string[]).indexOf(name);
      return lists.getColumn(header).values.slice(2).filter(Boolean);
    };
    expect(column("service")).toEqual(["Safeguarding and Support"]);
    expect(column("team")).toEqual(["Team A"]);
    expect(column("case_type")).toEqual(["Child Protection", "Child in Need"]);
    expect(column("ethnicity")).toContain("WBRI");
    const wm = wb.getWorksheet("worker_month")!;
    const validations = (wm as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
    const roleRule = Object.entries(validations).find(([range]) => range.startsWith("E2"))![1];
    expect(roleRule.type).toBe("list");
    expect(String(roleRule.formulae[0])).toMatch(/^lists!\$C\$2:\$C\$7$/);
    expect(wm.getRow(1).getCell(6).note).toBeTruthy();

    // a team manager fills it in: a formula cell, a real date, an Excel serial date, blank trailing rows
    wm.addRow(["2025-02", "W1", "Safeguarding and Support", "Team A", "Social Worker", 1, "permanent", 2, 1, 1, 0, 3, "no"]);
    wm.addRow(["2025-02", "W2", "Safeguarding and Support", "Team A", "Senior Practitioner", { formula: "0.4*2", result: 0.8 }, "agency", null, 1, 0, null, null, "yes"]);
    const cm = wb.getWorksheet("case_month")!;
    cm.addRow(["2025-02", "W1", "C1", "Child in Need", 3, 2, new Date(Date.UTC(2025, 0, 5))]);
    cm.addRow(["2025-02", "W2", "C3", "Child Protection", 6, 5, 45700]);
    cm.addRow([]);
    const filled = join(tempDir(), "filled.xlsx");
    await wb.xlsx.writeFile(filled);
    const s = await ingest(ws, [filled]);
    expect(s.problems).toEqual([]);
    expect(s.status).toBe("accepted");
    expect(await query(ws, `SELECT worker_id, fte, review_requested FROM worker_month WHERE period = '2025-02' ORDER BY worker_id`)).toEqual([
      { worker_id: "W1", fte: 1, review_requested: false },
      { worker_id: "W2", fte: 0.8, review_requested: true },
    ]);
    expect(await query(ws, `SELECT case_ref, strftime(allocated_on, '%Y-%m-%d') AS d FROM case_month WHERE period = '2025-02' ORDER BY case_ref`)).toEqual([
      { case_ref: "C1", d: "2025-01-05" },
      { case_ref: "C3", d: "2025-02-12" }, // Excel serial 45700 (45658 is 1 January 2025),
    ]);
  });

  it("an error in a workbook names the file, sheet, row and column", async () => {
    const ws = tempWorkspace();
    await ingest(ws, [writeReturn(smallReturn())]);
    const file = join(tempDir(), "t.xlsx");
    await writeTemplate(ws, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const wm = wb.getWorksheet("worker_month")!;
    wm.addRow(["2025-02", "W1", "Safeguarding and Support", "Team A", "Social Worker", 1]);
    wm.addRow(["2025-02", "W2", "Safeguarding and Support", "Team A", "Social Worker", 3]);
    await wb.xlsx.writeFile(file);
    const out = await runCli(["ingest", file, "-w", ws.dir]);
    expect(out.status).toBe(2);
    expect(out.stdout).toContain(`t.xlsx, sheet worker_month, row 3, column fte: got "3"; expected a number greater than 0 and at most 1`);
  });
});

describe("ethnicity normalisation", () => {
  it.each([
    ["WBRI", "WBRI", "White", "White British"],
    ["wbri ", "WBRI", "White", "White British"],
    ["White: English, Welsh, Scottish, Northern Irish or British", "WBRI", "White", "White British"],
    ["White: Irish", "WIRI", "White", "White minorities"],
    ["White: Roma", "WROM", "White", "White minorities"],
    ["Black, Black British, Caribbean or African: African", "BAFR", "Black, Black British, Caribbean or African", "Ethnic minorities"],
    ["Black, Black British, Black Welsh, Caribbean or African: Caribbean", "BCRB", "Black, Black British, Caribbean or African", "Ethnic minorities"],
    ["Asian, Asian British or Asian Welsh: Pakistani", "APKN", "Asian or Asian British", "Ethnic minorities"],
    ["Asian or Asian British: Chinese", "CHNE", "Asian or Asian British", "Ethnic minorities"],
    ["Mixed or Multiple ethnic groups: White and Black Caribbean", "MWBC", "Mixed or Multiple", "Ethnic minorities"],
    ["Other ethnic group: Arab", "OOTH", "Other ethnic group", "Ethnic minorities"],
    ["Prefer not to say", "REFU", "Not known", "Not known"],
    ["REFU", "REFU", "Not known", "Not known"],
    ["NOBT", "NOBT", "Not known", "Not known"],
    ["", "NOBT", "Not known", "Not known"],
  ])("%j -> %s, %s, %s", (input, code, ons, group) => {
    const e = normaliseEthnicity(input);
    expect(e).toMatchObject({ code, ons_group: ons, reporting_group: group });
  });

  it("an unrecognised value is not guessed", () => {
    expect(normaliseEthnicity("Martian")).toBeUndefined();
  });

  it("ingest stores code, ONS group and reporting group, and Not known stays a group of its own", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.staff = [
      { worker_id: "W1", ethnicity: "White: English, Welsh, Scottish, Northern Irish or British" },
      { worker_id: "W2", ethnicity: "bafr" },
      { worker_id: "W3", ethnicity: "Prefer not to say" },
    ];
    await ingest(ws, [writeReturn(r)]);
    expect(await query(ws, `SELECT worker_id, ethnicity_code, ons_group, reporting_group FROM staff ORDER BY worker_id`)).toEqual([
      { worker_id: "W1", ethnicity_code: "WBRI", ons_group: "White", reporting_group: "White British" },
      { worker_id: "W2", ethnicity_code: "BAFR", ons_group: "Black, Black British, Caribbean or African", reporting_group: "Ethnic minorities" },
      { worker_id: "W3", ethnicity_code: "REFU", ons_group: "Not known", reporting_group: "Not known" },
    ]);
  });
});

describe("workspace config", () => {
  it("defaults: White British reference, groups of 10, the standard roles", () => {
    const c = parseConfig({ employer: "X" }, "fairload.json");
    expect(c.reference_group).toBe("White British");
    expect(c.min_group_size).toBe(10);
    expect(c.roles).toContain("Senior Practitioner");
  });

  it("errors name the key", () => {
    expect(() => parseConfig({ employer: "X", min_group_size: "ten", ceilings: [{ service: "A" }], colour: "red" }, "fairload.json")).toThrow(
      /fairload\.json is not valid:[\s\S]*min_group_size: [\s\S]*ceilings\.0: give caseload_per_fte or points_per_fte[\s\S]*colour/,
    );
  });

  it("the CLI reports a bad config plainly", async () => {
    const ws = tempWorkspace();
    writeFileSync(ws.configPath, JSON.stringify({ employer: "X", reference_group: "Martians" }));
    const out = await runCli(["summary", "-w", ws.dir]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/fairload summary: The config file .*fairload\.json is not valid:\n\s+reference_group: /);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it("the default workspace is data/, FAIRLOAD_WORKSPACE or --workspace select another, and a missing one is not created by accident", async () => {
    const dir = join(tempDir(), "elsewhere");
    const missing = await runCli(["summary", "-w", dir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/is not a fairload workspace .* fairload init/);
    expect((await runCli(["init", dir, "--employer", "Somewhere"])).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "fairload.json"), "utf8")).employer).toBe("Somewhere");
    const viaEnv = await runCli(["summary"], { FAIRLOAD_WORKSPACE: dir });
    expect(viaEnv.stdout).toMatch(/^Somewhere \(workspace /);
    expect(openWorkspace(dir).config.employer).toBe("Somewhere");
  });
});

describe("the fairload command", () => {
  it("--help lists every subcommand with a one-line purpose", async () => {
    const out = await runCli(["--help"]);
    expect(out.status).toBe(0);
    for (const c of ["demo", "init", "ingest", "sample", "template", "series", "summary"]) expect(out.stdout).toMatch(new RegExp(`^  ${c}\\s+\\S.+$`, "m"));
  });

  it("unknown commands and options are user errors, not crashes", async () => {
    expect((await runCli(["frobnicate"])).status).toBe(2);
    const bad = await runCli(["ingest", "--nope"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/Unknown option '--nope'[\s\S]*Usage: fairload ingest/);
  });

  it("ingest --json prints a machine-readable summary", async () => {
    const ws = tempWorkspace();
    const out = await runCli(["ingest", writeReturn(smallReturn()), "-w", ws.dir, "--json"]);
    const j = JSON.parse(out.stdout);
    expect(j).toMatchObject({ status: "accepted", load_id: 1, problem_count: 0 });
    expect(j.tables.map((t: { table: string }) => t.table)).toEqual(["points_scheme", "staff", "worker_month", "case_month"]);
    expect(await currentCounts(ws)).toMatchObject({ case_month: 3 });
  });
});
