/**
 * `fairload health-check-template`: an Excel workbook for recording a team's workload health
 * check. The `health_check` sheet has exactly the contract's columns (check_date, service, team,
 * prompt, rating, notes, disagreement, next_step) with one row per team and prompt (1-39), the
 * prompts grouped and coloured by their five headings, the prompt's heading and text as a note on
 * its cell, and a drop-down for the rating (green, amber, red, n/a). A `guidance` sheet lists the
 * prompts. Filled in, the workbook ingests as it is (`fairload ingest FILE`): the guidance sheet
 * is not a contract table and is skipped.
 *
 * Reference: docs/returns.md (table `health_check`), docs/health-check.md (the prompts).
 */
import ExcelJS from "exceljs";
import { CONTRACT, RATINGS } from "../core/contract.ts";
import { ensureSchema, openDb, queryRows } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import type { Workspace } from "../core/workspace.ts";
import { HEADINGS, PROMPTS } from "../core/health-check-prompts.ts";

/** The sheet name and column order, taken from the contract. */
export const HEALTH_CHECK_SHEET = CONTRACT.health_check.name;
export const HEALTH_CHECK_COLUMNS = CONTRACT.health_check.columns.map((c) => c.name);

/** A team as the returns name it. */
export interface TeamRef {
  service: string;
  team: string;
}

/** Options of {@link writeHealthCheckTemplate}. */
export interface HealthCheckTemplateOptions {
  /** Pre-fill check_date (YYYY-MM-DD) on every row; otherwise the column is left blank to fill in. */
  checkDate?: string;
  /** Only the teams of this service, or only this team. */
  service?: string;
  team?: string;
}

/** Light fills, one per heading, so the five groups of prompts stand apart. */
const HEADING_FILLS = ["FFDCE6F1", "FFE2EFDA", "FFFFF2CC", "FFFCE4D6", "FFEDE7F6"];

/**
 * The teams to list: every (service, team) on a worker or team return in the 12 months up to the
 * latest month on record (so a team that missed a month is kept and a team closed long ago is
 * not), sorted by service and team.
 */
export async function healthCheckTeams(ws: Workspace): Promise<TeamRef[]> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    const rows = await queryRows<TeamRef>(
      db.conn,
      `WITH r AS (SELECT period, service, team FROM worker_month UNION SELECT period, service, team FROM team_month),
            last AS (SELECT CAST(max(period) || '-01' AS DATE) AS m FROM r)
       SELECT DISTINCT service, team FROM r, last
       WHERE CAST(r.period || '-01' AS DATE) > last.m - INTERVAL 12 MONTH
       ORDER BY service, team`,
    );
    return rows.map((x) => ({ service: String(x.service), team: String(x.team) }));
  } finally {
    db.close();
  }
}

/** Parse `YYYY-MM-DD` to a UTC date (what Excel stores and the ingest reads back), or refuse it. */
function parseCheckDate(s: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== s) throw new UserError(`The check date must be a real date as YYYY-MM-DD, got "${s}"`);
  return d;
}

/**
 * Build the workbook: `health_check` (one row per team x prompt, contract columns only, rating
 * drop-downs, check_date as a date) and `guidance` (how to fill it in, and the 39 prompts under
 * their five headings). Pure: no I/O.
 */
export function buildHealthCheckTemplate(teams: TeamRef[], opts: { checkDate?: string; employer?: string } = {}): ExcelJS.Workbook {
  if (teams.length === 0) throw new UserError("No teams to list: load some returns first (fairload ingest PATH), or name a team that is on them.");
  const checkDate = opts.checkDate === undefined ? null : parseCheckDate(opts.checkDate);
  const wb = new ExcelJS.Workbook();
  wb.creator = "fairload";

  const sheet = wb.addWorksheet(HEALTH_CHECK_SHEET, { views: [{ state: "frozen", ySplit: 1 }] });
  const widths: Record<string, number> = { check_date: 13, service: 26, team: 32, prompt: 8, rating: 10, notes: 50, disagreement: 45, next_step: 45 };
  sheet.columns = HEALTH_CHECK_COLUMNS.map((name) => ({ header: name, key: name, width: widths[name] ?? 20 }));
  sheet.getRow(1).font = { bold: true };
  HEALTH_CHECK_COLUMNS.forEach((name, i) => {
    const spec = CONTRACT.health_check.columns.find((c) => c.name === name)!;
    sheet.getCell(1, i + 1).note = `${spec.description ?? name}${spec.required ? " (required)" : ""}`;
  });
  const col = (name: string) => HEALTH_CHECK_COLUMNS.indexOf(name) + 1;
  let rowNo = 2;
  for (const t of teams) {
    for (const p of PROMPTS) {
      const row = sheet.getRow(rowNo);
      if (checkDate) row.getCell(col("check_date")).value = checkDate;
      row.getCell(col("service")).value = t.service;
      row.getCell(col("team")).value = t.team;
      const pc = row.getCell(col("prompt"));
      pc.value = p.number;
      pc.note = `${p.heading}\n${p.number}. ${p.text}`;
      const h = HEADINGS.findIndex((x) => x.heading === p.heading);
      pc.fill = { type: "pattern", pattern: "solid", fgColor: { argb: HEADING_FILLS[h] } };
      row.getCell(col("check_date")).numFmt = "yyyy-mm-dd";
      row.getCell(col("check_date")).dataValidation = {
        type: "date", operator: "greaterThan", allowBlank: true, formulae: [new Date(Date.UTC(2000, 0, 1))],
        showErrorMessage: true, errorTitle: "check_date", error: "Enter the date of the team's health-check session.",
      };
      row.getCell(col("rating")).dataValidation = {
        type: "list", allowBlank: true, formulae: [`"${RATINGS.join(",")}"`],
        showErrorMessage: true, errorTitle: "rating", error: `Choose one of: ${RATINGS.join(", ")}.`,
      };
      rowNo++;
    }
  }

  const guide = wb.addWorksheet("guidance");
  guide.columns = [{ width: 10 }, { width: 34 }, { width: 90 }];
  const lines: (string | [string | number, string, string])[] = [
    `Workload health check${opts.employer ? ` for ${opts.employer}` : ""}`,
    "Record each team's health-check session on the health_check sheet: one row per prompt. Keep the header row and the columns as they are.",
    "check_date: the date of the session (YYYY-MM-DD); fill it on every row of the team's check. Delete the rows of teams that did not hold a check.",
    "rating: green, amber, red or n/a (drop-down). notes: what the team recorded. disagreement: where staff do not agree with the manager's assessment (this is escalated). next_step: the agreed action.",
    "The prompt texts below are short paraphrases; the prompt cells carry the same text as a note. This sheet is ignored when the workbook is loaded.",
    "",
    ["prompt", "heading", "text"],
    ...PROMPTS.map((p): [number, string, string] => [p.number, p.heading, p.text]),
  ];
  lines.forEach((line, i) => {
    const row = guide.getRow(i + 1);
    if (typeof line === "string") row.getCell(1).value = line;
    else line.forEach((v, j) => (row.getCell(j + 1).value = v));
  });
  guide.getCell(1, 1).font = { bold: true, size: 14 };
  guide.getRow(7).font = { bold: true };
  return wb;
}

/**
 * Write the health-check template for the workspace's teams ({@link healthCheckTeams}), or for
 * one service or team, to `file` (.xlsx). Returns how many teams and rows it holds. A name that
 * matches no team is a UserError listing the teams.
 */
export async function writeHealthCheckTemplate(ws: Workspace, file: string, opts: HealthCheckTemplateOptions = {}): Promise<{ teams: number; rows: number }> {
  const all = await healthCheckTeams(ws);
  const teams = all.filter((t) => (opts.service === undefined || t.service === opts.service) && (opts.team === undefined || t.team === opts.team));
  if (teams.length === 0 && all.length > 0) {
    throw new UserError(
      `No team matches${opts.service ? ` service "${opts.service}"` : ""}${opts.team ? ` team "${opts.team}"` : ""}. Teams: ${all.map((t) => `${t.team} (${t.service})`).join("; ")}`,
    );
  }
  const wb = buildHealthCheckTemplate(teams, { checkDate: opts.checkDate, employer: ws.config.employer });
  await wb.xlsx.writeFile(file);
  return { teams: teams.length, rows: teams.length * PROMPTS.length };
}
