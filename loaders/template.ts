/**
 * `fairload template`: an Excel workbook a team manager can fill in. One sheet per contract
 * table with its header row, drop-downs (services, teams, roles, case types, ethnicity codes,
 * ratings; for the optional HR tables the appraisal rating scale, routes, kinds, reasons and
 * outcomes) and an input hint on every column. A filled-in template ingests as it is.
 */
import ExcelJS from "exceljs";
import { CONTRACT, type ColumnSpec, HR_TABLE_NAMES, RATINGS, TABLE_NAMES, type TableName, expectation } from "../core/contract.ts";
import { DEFAULT_APPRAISAL_RATINGS } from "../core/defaults.ts";
import { ensureSchema, openDb, queryRows } from "../core/db.ts";
import { ETHNICITY_CODES } from "../core/ethnicity.ts";
import type { Workspace } from "../core/workspace.ts";

export interface TemplateLists {
  services: string[];
  teams: string[];
  roles: string[];
  case_types: string[];
  /** The appraisal rating scale, best first (default: the config's default scale). */
  appraisal_ratings?: string[];
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
      appraisal_ratings: [...ws.config.appraisal_ratings],
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
    `The HR tables (${HR_TABLE_NAMES.join(", ")}) are optional: fill in the ones your HR system holds, and leave the others empty.`,
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
  // the optional HR tables: the rating scale, and each column's own list (named table.column)
  const ratings = lists.appraisal_ratings ?? [...DEFAULT_APPRAISAL_RATINGS];
  addList("appraisal_rating", ratings);
  for (const t of HR_TABLE_NAMES) for (const c of CONTRACT[t].columns) if (c.allowed) addList(`${t}.${c.name}`, c.allowed);

  for (const t of tables) {
    const spec = CONTRACT[t];
    const ws = wb.addWorksheet(t, { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = spec.columns.map((c) => ({ header: c.name, key: c.name, width: Math.max(14, c.name.length + 4) }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    spec.columns.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.note = `${c.description}${c.required ? " (required)" : " (optional)"}. Expected: ${expectation(c, lists.roles, ratings)}.`;
      const validation = validationFor(t, c, listRanges, lists.roles, ratings);
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

/** The drop-down list of a column: by the column's name, except where a table has its own list. */
function listNameFor(table: TableName, c: ColumnSpec, lists: Map<string, string>): string {
  if (lists.has(`${table}.${c.name}`)) return `${table}.${c.name}`;
  if (c.allowedFromConfig === "appraisal_ratings") return "appraisal_rating";
  if (c.allowedFromConfig === "roles" || c.name === "reviewer_role") return "role";
  if (c.type === "boolean") return "boolean";
  return c.name;
}

function validationFor(table: TableName, c: ColumnSpec, lists: Map<string, string>, roles?: readonly string[], ratings?: readonly string[]): ExcelJS.DataValidation | undefined {
  // the rating scale is the workspace's own: say so in the hint (roles keep the hint they always had)
  const exp = c.allowedFromConfig === "appraisal_ratings" ? expectation(c, roles, ratings) : expectation(c);
  const hint = { showInputMessage: true, promptTitle: c.name, prompt: (c.hint ?? exp).slice(0, 250), showErrorMessage: true, errorTitle: c.name, error: `Expected ${exp}`.slice(0, 250) };
  const listName = listNameFor(table, c, lists);
  const range = lists.get(listName);
  // a reviewer's role and a yes/no column may hold other values (Service Manager, true/1): warn rather than stop
  if (range && (c.allowed || c.allowedFromConfig || c.type === "boolean" || ["service", "team", "case_type", "ethnicity", "reviewer_role"].includes(c.name))) {
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
