/**
 * `fairload template`: an Excel workbook a team manager can fill in. One sheet per contract
 * table with its header row, drop-downs (services, teams, roles, case types, ethnicity codes,
 * ratings) and an input hint on every column. A filled-in template ingests as it is.
 */
import ExcelJS from "exceljs";
import { CONTRACT, type ColumnSpec, RATINGS, TABLE_NAMES, type TableName, expectation } from "../core/contract.ts";
import { ensureSchema, openDb, queryRows } from "../core/db.ts";
import { ETHNICITY_CODES } from "../core/ethnicity.ts";
import type { Workspace } from "../core/workspace.ts";

export interface TemplateLists {
  services: string[];
  teams: string[];
  roles: string[];
  case_types: string[];
}

/** Lists for the drop-downs, from what the workspace already holds. */
export async function templateLists(ws: Workspace): Promise<TemplateLists> {
  const db = await openDb(ws.dbPath);
  try {
    await ensureSchema(db.conn);
    const col = async (sql: string) => (await queryRows<{ v: string }>(db.conn, sql)).map((r) => r.v);
    return {
      services: await col(`SELECT DISTINCT service AS v FROM (SELECT service FROM points_scheme UNION SELECT service FROM worker_month UNION SELECT service FROM team_month) ORDER BY v`),
      teams: await col(`SELECT DISTINCT team AS v FROM (SELECT team FROM worker_month UNION SELECT team FROM team_month) ORDER BY v`),
      roles: [...ws.config.roles],
      case_types: await col(`SELECT DISTINCT case_type AS v FROM points_scheme ORDER BY v`),
    };
  } finally {
    db.close();
  }
}

const LIST_SHEET = "lists";
const ROWS_WITH_VALIDATION = 2000;

/** Build the template workbook. `tables` defaults to every contract table. */
export function buildTemplate(lists: TemplateLists, opts: { tables?: TableName[]; employer?: string } = {}): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = "fairload";
  const tables = opts.tables ?? [...TABLE_NAMES];

  const guide = wb.addWorksheet("guidance");
  guide.columns = [{ width: 110 }];
  const text = [
    `Monthly workload return${opts.employer ? ` for ${opts.employer}` : ""}`,
    "Fill in one sheet per table; keep the header row as it is. Send the workbook to your performance team.",
    "Identifiers are pseudonymous: never enter names, dates of birth, addresses, NI numbers, e-mails or phone numbers.",
    "period is the month as YYYY-MM (e.g. 2025-09). Empty cells mean 'not recorded', never zero.",
    "Hover over a header or a cell for a hint; drop-downs list the allowed values.",
    "Sheets: " + tables.map((t) => `${t} (${CONTRACT[t].grain})`).join("; "),
  ];
  text.forEach((t, i) => {
    guide.getCell(i + 1, 1).value = t;
    if (i === 0) guide.getCell(i + 1, 1).font = { bold: true, size: 14 };
  });

  const listSheet = wb.addWorksheet(LIST_SHEET, { state: "hidden" });
  const listRanges = new Map<string, string>();
  const addList = (name: string, values: readonly string[]) => {
    if (values.length === 0) return;
    const col = listRanges.size + 1;
    listSheet.getCell(1, col).value = name;
    values.forEach((v, i) => (listSheet.getCell(i + 2, col).value = v));
    const letter = listSheet.getColumn(col).letter;
    listRanges.set(name, `${LIST_SHEET}!$${letter}$2:$${letter}$${values.length + 1}`);
  };
  addList("service", lists.services);
  addList("team", lists.teams);
  addList("role", lists.roles);
  addList("case_type", lists.case_types);
  addList("ethnicity", ETHNICITY_CODES.map((c) => c.code));
  addList("rating", RATINGS);
  addList("employment", ["permanent", "agency"]);
  addList("gender", CONTRACT.staff.columns.find((c) => c.name === "gender")!.allowed!);
  addList("boolean", ["yes", "no"]);

  for (const t of tables) {
    const spec = CONTRACT[t];
    const ws = wb.addWorksheet(t, { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = spec.columns.map((c) => ({ header: c.name, key: c.name, width: Math.max(14, c.name.length + 4) }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    spec.columns.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.note = `${c.description}${c.required ? " (required)" : " (optional)"}. Expected: ${expectation(c, lists.roles)}.`;
      const validation = validationFor(c, listRanges);
      const letter = ws.getColumn(i + 1).letter;
      if (validation) {
        // one rule over the whole column range keeps the file small
        (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}2:${letter}${ROWS_WITH_VALIDATION}`, validation);
      }
      if (c.type === "period" || c.type === "string") ws.getColumn(i + 1).numFmt = "@";
      if (c.type === "date") ws.getColumn(i + 1).numFmt = "yyyy-mm-dd";
    });
  }
  return wb;
}

function validationFor(c: ColumnSpec, lists: Map<string, string>): ExcelJS.DataValidation | undefined {
  const hint = { showInputMessage: true, promptTitle: c.name, prompt: (c.hint ?? expectation(c)).slice(0, 250), showErrorMessage: true, errorTitle: c.name, error: `Expected ${expectation(c)}`.slice(0, 250) };
  const listName = c.name === "review_requested" ? "boolean" : c.name;
  const range = lists.get(listName);
  if (range && (c.allowed || c.allowedFromConfig || ["service", "team", "case_type", "ethnicity", "review_requested"].includes(c.name))) {
    // services, teams and case types may be new: warn rather than stop
    const strict = Boolean(c.allowed || c.allowedFromConfig) && c.name !== "ethnicity";
    return { type: "list", allowBlank: !c.required || Boolean(c.blankAllowed), formulae: [range], ...hint, errorStyle: strict ? "stop" : "warning" };
  }
  if (c.type === "number" || c.type === "integer") {
    const lo = c.min ?? -1e12;
    const hi = c.max ?? 1e12;
    return { type: c.type === "integer" ? "whole" : "decimal", operator: "between", allowBlank: !c.required, formulae: [c.minExclusive ? lo + 1e-9 : lo, hi], ...hint };
  }
  if (c.type === "date") return { type: "date", operator: "greaterThan", allowBlank: !c.required, formulae: [new Date(Date.UTC(1950, 0, 1))], ...hint };
  return { type: "textLength", operator: "lessThan", allowBlank: !c.required, formulae: [1000], ...hint };
}

export async function writeTemplate(ws: Workspace, out: string, opts: { tables?: TableName[] } = {}): Promise<void> {
  const wb = buildTemplate(await templateLists(ws), { ...opts, employer: ws.config.employer });
  await wb.xlsx.writeFile(out);
}
