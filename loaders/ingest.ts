/**
 * `fairload ingest`: returns in the contract of docs/returns.md -> validated, versioned tables.
 *
 * The order of work keeps the guarantees simple:
 * 1. find the files, hash them, and stop early if every one was loaded before (a no-op);
 * 2. stage each table as text in temp tables and check every row in SQL (types, ranges, allowed
 *    values, duplicates, personal data); any problem refuses the whole return;
 * 3. in ONE transaction: insert the rows into the history tables, mark what they replace,
 *    check references against the resulting current version, record the load, archive the raw
 *    files under their hash (content-addressed, so harmless if we stop here), commit; any
 *    problem rolls everything back. A crash or kill at any moment leaves the database as it was.
 * A refused return is not archived, and personal-data values it held are not logged.
 * Copies made while reading (a sheet as CSV, a UTF-16 file as UTF-8) stay in <workspace>/tmp.
 *
 * A workforce census (.xml), an Ofsted Annex A workbook or a worker key map takes another path
 * ({@link ingestSide}, docs/census-and-annex-a.md): each file is read into its minimised,
 * pseudonymised extract, and the extract, never the raw file, is stored and archived.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CONTRACT, type ColumnSpec, DEFAULT_ROLES, HR_TABLE_NAMES, PERSONAL_VALUE_PATTERNS, type TableName, TABLE_NAMES, allowedValues, expectation, normaliseHeader, personalDataReason } from "../core/contract.ts";
import { DEFAULT_APPRAISAL_RATINGS } from "../core/defaults.ts";
import { DERIVED_COLUMNS, type Db, ensureSchema, inTransaction, openDb, queryRows, quoteIdent, quoteLit } from "../core/db.ts";
import { type InputProblem, MAX_VALUE_CHARS, RefusedError, UserError, safeText, toUserError } from "../core/errors.ts";
import { ETHNICITY_KEY_SQL } from "../core/ethnicity.ts";
import { type Progress, silentProgress } from "../core/progress.ts";
import { type Part, type SourceFile, type Staged, csvRecordLines, discoverFiles, forgetWorkbooks, isAnnexAWorkbook, listParts, sha256File, stagePart } from "./sources.ts";
import { type Workspace, appendLog } from "../core/workspace.ts";
import { type Pseudonymiser, workspacePseudonymiser } from "../core/pseudonym.ts";
import { annexAExtract } from "./annex-a/load.ts";
import { EXTRACT_SUFFIX, type Extract, ensureSideSchema, extractHash, readExtract, serialiseExtract, storeExtract } from "./census/extract.ts";
import { type ExtractResult, censusExtract } from "./census/load.ts";
import { workerMapExtract } from "./census/worker-map.ts";

/** Own header (as normalised) -> contract column, for all tables or per table. */
export type ColumnMap = Record<string, string | Record<string, string>>;

export interface IngestOptions {
  /** Load even when every file was loaded before (re-applies an old version). */
  force?: boolean;
  columnMap?: ColumnMap;
  progress?: Progress;
  /** How many problems to list in full (the rest are counted). */
  problemCap?: number;
  /** Test hook: called inside the transaction, just before COMMIT. */
  beforeCommit?: () => Promise<void>;
  /** When replaying the archive: the original time of the load (and no new log line). */
  replay?: { loadedAt: Date; paths: string[] };
  /** Store in this database file instead of the workspace's (rebuild writes a new one). */
  dbPath?: string;
  /**
   * A worker key map (CSV: the Annex A worker's name or system id, and the SWE number or fairload
   * worker id), loaded with the files or on its own; stored only as keyed hashes.
   */
  workerMap?: string;
}

export interface IngestSummary {
  status: "accepted" | "refused" | "unchanged";
  load_id: number | null;
  files: { file: string; sha256: string; bytes: number }[];
  tables: { table: string; source: string; rows: number; replaced: number }[];
  problems: InputProblem[];
  problem_count: number;
  warnings: string[];
  message: string;
}

const LOAD_ORDER: TableName[] = ["points_scheme", "staff", "worker_month", "case_month", "team_month", "health_check", ...HR_TABLE_NAMES];

/**
 * Load a return (files or folders in the contract of docs/returns.md) into the workspace: all
 * of it in one transaction, or nothing (refused, with every problem listed). A disk, memory or
 * database failure part-way is a UserError with a plain message, after the transaction has
 * been rolled back.
 */
export async function ingest(ws: Workspace, paths: string[], opts: IngestOptions = {}): Promise<IngestSummary> {
  try {
    return await ingestUnchecked(ws, paths, opts);
  } catch (e) {
    throw toUserError(e, "The ingest") ?? e;
  }
}

async function ingestUnchecked(ws: Workspace, paths: string[], opts: IngestOptions): Promise<IngestSummary> {
  const progress = opts.progress ?? silentProgress;
  const cap = opts.problemCap ?? 50;
  const maxBytes = ws.config.max_file_mb * 1048576;
  const startedAt = opts.replay?.loadedAt ?? new Date();
  const log = (record: object) => (opts.replay ? undefined : appendLog(ws, record));

  progress.step("reading files");
  const { files, warnings } = paths.length > 0 || !opts.workerMap ? await discoverFiles(paths, maxBytes) : { files: [] as SourceFile[], warnings: [] as string[] };
  // a workforce census (.xml), an Annex A workbook, a worker key map or an archived extract: the census path
  const limits = { maxUnpackedBytes: ws.config.max_unpacked_mb * 1048576 };
  const side: SourceFile[] = [];
  for (const f of files) if (f.kind === "xml" || f.kind === "extract" || (f.kind === "xlsx" && (await isAnnexAWorkbook(f.path, limits)))) side.push(f);
  if (side.length > 0 || opts.workerMap) {
    if (side.length !== files.length) {
      forgetWorkbooks();
      const other = files.filter((f) => !side.includes(f)).map((f) => safeText(f.name));
      throw new UserError(`A workforce census, an Annex A workbook or a worker key map is loaded on its own, not with monthly returns (${other.slice(0, 3).join(", ")}${other.length > 3 ? ", ..." : ""}): load them in separate ingests; nothing was loaded`);
    }
    const mapFile = opts.workerMap ? await sideFile(opts.workerMap, maxBytes) : undefined;
    return ingestSide(ws, paths, side, mapFile, warnings, opts);
  }
  const fileInfo = files.map((f) => ({ file: f.path, sha256: f.sha256, bytes: f.bytes }));

  const db = await openDb(opts.dbPath ?? ws.dbPath, { memoryLimitMb: ws.config.memory_limit_mb });
  let scratch: string | undefined;
  try {
    // first, so that the scratch folders of killed ingests are cleared even when nothing changes
    scratch = scratchDir(ws);
    await ensureSchema(db.conn);
    const known = await loadedHashes(db.conn, files);
    if (!opts.force && files.every((f) => known.has(f.sha256))) {
      const loadIds = [...new Set(files.map((f) => known.get(f.sha256)))].join(", ");
      const summary = result("unchanged", null, fileInfo, [], [], 0, warnings, `Already loaded (load ${loadIds}); nothing changed.`);
      log({ at: startedAt.toISOString(), status: "unchanged", paths, files: fileInfo });
      return summary;
    }

    const { parts, warnings: partWarnings, problems: fileProblems } = await listParts(files, { maxUnpackedBytes: ws.config.max_unpacked_mb * 1048576 });
    warnings.push(...partWarnings);
    const problems: InputProblem[] = [];
    let problemCount = 0;
    const addProblems = (list: InputProblem[], total = list.length) => {
      problemCount += total;
      for (const p of list) if (problems.length < cap) problems.push(p);
    };
    addProblems(fileProblems);
    if (parts.length === 0 && fileProblems.length === 0) {
      addProblems([{ file: files.map((f) => f.name).join(", "), expected: `no contract tables found; expected files or sheets named ${TABLE_NAMES.slice(0, -1).join(", ")} or ${TABLE_NAMES[TABLE_NAMES.length - 1]}` }]);
    }
    const seen = new Map<TableName, Part>();
    for (const p of parts) {
      const other = seen.get(p.table);
      if (other) addProblems([{ file: p.label, expected: `a second ${p.table} table in one return (also in ${safeText(other.label)}); expected one file or sheet per table: load them one at a time` }]);
      seen.set(p.table, p);
    }

    // 3. stage and check every row, outside any transaction (temp tables only)
    const typed: { part: Part; table: string; rows: number }[] = [];
    const roles = ws.config.roles ?? DEFAULT_ROLES;
    const ratings = ws.config.appraisal_ratings ?? DEFAULT_APPRAISAL_RATINGS;
    for (const part of [...parts].sort((a, b) => LOAD_ORDER.indexOf(a.table) - LOAD_ORDER.indexOf(b.table))) {
      progress.step(`reading ${safeText(part.label)}`);
      // the quick path first; only a part with a problem is read and checked again in detail
      let staged = await stagePart(db.conn, part, { scratchDir: scratch });
      let checked: Checked | undefined;
      if (!staged.failed && staged.headers.length > 0 && staged.problems.length === 0) {
        progress.step(`checking ${safeText(part.label)}`, 0, staged.rows);
        checked = await checkPart(db.conn, part, staged, { columnMap: opts.columnMap, roles, ratings, cap, detailed: false });
      }
      if (staged.failed || checked?.needsDetail) {
        await db.conn.run(`DROP TABLE IF EXISTS ${staged.tempTable}`);
        progress.step(`listing the problems in ${safeText(part.label)}`);
        staged = await stagePart(db.conn, part, { detailed: true, scratchDir: scratch });
        checked = staged.headers.length > 0 ? await checkPart(db.conn, part, staged, { columnMap: opts.columnMap, roles, ratings, cap, detailed: true }) : undefined;
      }
      addProblems(staged.problems);
      if (!checked) continue;
      addProblems(checked.problems, checked.total);
      warnings.push(...checked.warnings);
      if (checked.typedTable) typed.push({ part, table: checked.typedTable, rows: checked.rows });
    }
    if (problemCount > 0) return refuse(log, startedAt, paths, fileInfo, problems, problemCount, warnings);

    // 4. store, all or nothing
    progress.step("storing");
    const stored = await inTransaction(db.conn, async () => {
      await ensureSideSchema(db.conn);
      const loadId = Number((await queryRows<{ id: number }>(db.conn, `SELECT coalesce(max(load_id), 0) + 1 AS id FROM loads`))[0].id);
      const tables: IngestSummary["tables"] = [];
      for (const t of typed) {
        let replaced = await store(db.conn, loadId, t.part, t.table);
        if (t.part.table === "case_month") replaced += await supersedeCasesOfReplacedWorkerMonths(db.conn, loadId);
        tables.push({ table: t.part.table, source: safeText(t.part.label), rows: t.rows, replaced });
      }
      const refs = await checkReferences(db.conn, loadId, cap);
      if (refs.total > 0) throw new RefusedError(await toFileLines(refs.problems, parts), refs.total);
      warnings.push(...(await referenceWarnings(db.conn, loadId)));
      await recordLoad(db.conn, loadId, startedAt, opts.replay?.paths ?? paths, opts.columnMap, typed, tables);
      // only an accepted return is archived (a refused one may hold personal data that must not
      // be kept); before COMMIT, so every committed load has its files (an orphan copy left by a
      // crash here is harmless: content-addressed, and never replayed)
      archive(ws, files);
      await opts.beforeCommit?.();
      return { loadId, tables };
    }).catch((e) => {
      if (e instanceof RefusedError) return e;
      throw e;
    });
    if (stored instanceof RefusedError) return refuse(log, startedAt, paths, fileInfo, stored.problems, stored.totalProblems, warnings);

    const rows = stored.tables.reduce((s, t) => s + t.rows, 0);
    const replaced = stored.tables.reduce((s, t) => s + t.replaced, 0);
    const message = `Loaded ${rows.toLocaleString("en-GB")} rows from ${files.length} file${files.length === 1 ? "" : "s"} as load ${stored.loadId}` + (replaced ? `; ${replaced.toLocaleString("en-GB")} earlier rows replaced (kept in history)` : "") + ".";
    log({ at: startedAt.toISOString(), status: "accepted", load_id: stored.loadId, paths, files: fileInfo.map((f, i) => ({ ...f, name: files[i].name, archived_as: archiveName(files[i]) })), column_map: opts.columnMap ?? null, tables: stored.tables, warnings });
    return result("accepted", stored.loadId, fileInfo, stored.tables, [], 0, warnings, message);
  } finally {
    progress.done();
    forgetWorkbooks();
    db.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The worker key map given with --worker-map, as a source file (size checked, hashed). */
async function sideFile(path: string, maxBytes: number): Promise<SourceFile> {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new UserError(`${path}: no such file (the worker key map)`);
  const bytes = statSync(abs).size;
  if (bytes > maxBytes) throw new UserError(`${basename(abs)}: ${(bytes / 1048576).toFixed(1)} MB is larger than the workspace limit of ${(maxBytes / 1048576).toFixed(0)} MB (max_file_mb in fairload.json); nothing was loaded`);
  return { path: abs, name: basename(abs), kind: "csv", sha256: await sha256File(abs), bytes };
}

/**
 * The census path of `fairload ingest` (docs/census-and-annex-a.md): workforce census returns,
 * Annex A workbooks, a worker key map, or (when rebuilding) their archived extracts. Each file
 * is read into its minimised, pseudonymised extract; any problem refuses them all; then, in one
 * transaction, the extracts are stored, the load recorded, and the extracts (never the raw files,
 * which hold personal data) archived under their hash. The raw files' SHA-256 are recorded so that
 * the same file sent again changes nothing.
 */
async function ingestSide(ws: Workspace, paths: string[], files: SourceFile[], mapFile: SourceFile | undefined, warnings: string[], opts: IngestOptions): Promise<IngestSummary> {
  const progress = opts.progress ?? silentProgress;
  const cap = opts.problemCap ?? 50;
  const startedAt = opts.replay?.loadedAt ?? new Date();
  const log = (record: object) => (opts.replay ? undefined : appendLog(ws, record));
  const recordedPaths = opts.replay?.paths ?? [...paths, ...(opts.workerMap ? [opts.workerMap] : [])];
  const all = mapFile ? [...files, mapFile] : files;
  const fileInfo = all.map((f) => ({ file: f.path, sha256: f.sha256, bytes: f.bytes }));
  const limits = { maxUnpackedBytes: ws.config.max_unpacked_mb * 1048576 };
  const db = await openDb(opts.dbPath ?? ws.dbPath, { memoryLimitMb: ws.config.memory_limit_mb });
  try {
    await ensureSchema(db.conn);
    const known = await loadedHashes(db.conn, all);
    if (!opts.force && all.every((f) => known.has(f.sha256))) {
      const loadIds = [...new Set(all.map((f) => known.get(f.sha256)))].join(", ");
      log({ at: startedAt.toISOString(), status: "unchanged", paths: recordedPaths, files: fileInfo });
      return result("unchanged", null, fileInfo, [], [], 0, warnings, `Already loaded (load ${loadIds}); nothing changed.`);
    }
    let pseudo: Pseudonymiser | undefined;
    const getPseudo = () => (pseudo ??= workspacePseudonymiser(ws.dir));
    const problems: InputProblem[] = [];
    let problemCount = 0;
    const items: { file: SourceFile; extract: Extract; scopes: string[] }[] = [];
    const take = (f: SourceFile, r: ExtractResult) => {
      problemCount += Math.max(r.total ?? 0, r.problems.length);
      for (const p of r.problems) if (problems.length < cap) problems.push(p);
      warnings.push(...r.notes);
      if (r.extract) items.push({ file: f, extract: r.extract, scopes: r.scopes });
    };
    for (const f of files) {
      progress.step(`reading ${safeText(f.name)}`);
      if (f.kind === "extract") {
        if (!opts.replay) {
          take(f, { problems: [{ file: f.name, expected: "this is an archived fairload extract; it is replayed only by fairload rebuild, never loaded directly" }], notes: [], scopes: [] });
          continue;
        }
        const e = readExtract(f.path, f.name);
        take(f, { extract: e, problems: [], notes: [], scopes: scopesOf(e) });
      } else if (f.kind === "xml") {
        take(f, censusExtract(f, getPseudo, { cap }));
      } else {
        take(f, await annexAExtract(f, getPseudo, { cap, limits }));
      }
    }
    if (mapFile) {
      progress.step(`reading ${safeText(mapFile.name)}`);
      take(mapFile, await workerMapExtract(db.conn, mapFile, getPseudo, { cap }));
    }
    // a worker in two census years of one load gets the staff row of the later year only
    const censuses = items.filter((it) => it.extract.kind === "csww").sort((a, b) => Number(b.extract.tables.census_la?.[0]?.census_year) - Number(a.extract.tables.census_la?.[0]?.census_year));
    const staffed = new Set<string>();
    for (const it of censuses) {
      const staff = it.extract.tables.staff ?? [];
      it.extract.tables.staff = staff.filter((r) => !staffed.has(String(r.worker_id)));
      for (const r of staff) staffed.add(String(r.worker_id));
    }
    // one load holds each scope once (two census returns for the same year are two loads)
    const owner = new Map<string, string>();
    for (const it of items) {
      for (const s of it.scopes) {
        const other = owner.get(s);
        if (other !== undefined) {
          problemCount++;
          if (problems.length < cap) problems.push({ file: it.file.name, expected: `${s} is also in ${safeText(other)}; expected each census year, Annex A list or worker map once per ingest: load them one at a time` });
        }
        owner.set(s, it.file.name);
      }
    }
    if (problemCount > 0) return refuse(log, startedAt, recordedPaths, fileInfo, problems, problemCount, warnings);

    progress.step("storing");
    const stored = await inTransaction(db.conn, async () => {
      await ensureSideSchema(db.conn);
      const loadId = Number((await queryRows<{ id: number }>(db.conn, `SELECT coalesce(max(load_id), 0) + 1 AS id FROM loads`))[0].id);
      const tables: IngestSummary["tables"] = [];
      const archived: { item: (typeof items)[number]; name: string; bytes: Buffer }[] = [];
      for (const it of items) {
        const bytes = serialiseExtract(it.extract);
        const name = `${extractHash(bytes)}${EXTRACT_SUFFIX}`;
        archived.push({ item: it, name, bytes });
        const source = it.extract.source.name;
        for (const t of await storeExtract(db.conn, loadId, it.extract, source)) {
          tables.push({ table: t.table, source: safeText(source), rows: t.rows, replaced: t.replaced });
          await db.conn.run(`INSERT INTO load_files VALUES (${loadId}, ${quoteLit(source)}, ${quoteLit(source)}, NULL, ${quoteLit(t.table)}, ${quoteLit(it.extract.source.sha256)}, ${quoteLit(name)}, ${t.rows})`);
        }
      }
      const rowCounts: Record<string, number> = {};
      const replacedCounts: Record<string, number> = {};
      for (const t of tables) {
        rowCounts[t.table] = (rowCounts[t.table] ?? 0) + t.rows;
        replacedCounts[t.table] = (replacedCounts[t.table] ?? 0) + t.replaced;
      }
      await db.conn.run(
        `INSERT INTO loads VALUES (${loadId}, ${quoteLit(startedAt.toISOString().replace("T", " ").replace("Z", ""))}, [${recordedPaths.map(quoteLit).join(", ")}], NULL, ${quoteLit(JSON.stringify(rowCounts))}, ${quoteLit(JSON.stringify(replacedCounts))})`,
      );
      // the extracts are archived, never the raw files (they hold personal data)
      for (const a of archived) {
        const dest = join(ws.archiveDir, a.name);
        if (existsSync(dest)) continue;
        const tmp = `${dest}.${process.pid}.tmp`;
        writeFileSync(tmp, a.bytes);
        renameSync(tmp, dest);
      }
      await opts.beforeCommit?.();
      return { loadId, tables, archived };
    });
    const rows = stored.tables.reduce((s, t) => s + t.rows, 0);
    const replaced = stored.tables.reduce((s, t) => s + t.replaced, 0);
    const n = items.length;
    const message = `Loaded ${rows.toLocaleString("en-GB")} rows from ${n} file${n === 1 ? "" : "s"} as load ${stored.loadId}` + (replaced ? `; ${replaced.toLocaleString("en-GB")} earlier rows replaced (kept in history)` : "") + "; personal data was pseudonymised or dropped, and the raw files were not archived.";
    log({
      at: startedAt.toISOString(),
      status: "accepted",
      load_id: stored.loadId,
      paths: recordedPaths,
      files: stored.archived.map((a) => ({ file: a.item.file.path, sha256: a.item.extract.source.sha256, bytes: a.item.extract.source.bytes, name: a.item.extract.source.name, archived_as: a.name, extract: a.item.extract.kind })),
      column_map: null,
      tables: stored.tables,
      warnings,
    });
    return result("accepted", stored.loadId, fileInfo, stored.tables, [], 0, warnings, message);
  } finally {
    progress.done();
    forgetWorkbooks();
    db.close();
  }
}

/** What an archived extract replaces (for the one-scope-per-load check when rebuilding). */
function scopesOf(e: Extract): string[] {
  if (e.kind === "csww") return (e.tables.census_la ?? []).map((r) => `census ${r.la_code}/${r.census_year}`);
  if (e.kind === "annex_a") return [...new Set((e.tables.annex_a_allocation ?? []).map((r) => `Annex A List ${r.list}`))];
  return ["worker key map"];
}

/**
 * A fresh scratch folder for this ingest inside the workspace (`<workspace>/tmp/ingest-<pid>-*`),
 * so that copies of a return (a sheet as CSV, a UTF-16 file as UTF-8) never leave the workspace,
 * and removing the workspace removes them. Called with the database lock held, it first removes
 * the scratch folders of fairload processes that no longer run (killed part-way).
 */
function scratchDir(ws: Workspace): string {
  const root = join(ws.dir, "tmp");
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    const pid = Number(/^(?:ingest|rebuild)-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
  return mkdtempSync(join(root, `ingest-${process.pid}-`));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function result(status: IngestSummary["status"], loadId: number | null, files: IngestSummary["files"], tables: IngestSummary["tables"], problems: InputProblem[], problemCount: number, warnings: string[], message: string): IngestSummary {
  return { status, load_id: loadId, files, tables, problems, problem_count: problemCount, warnings, message };
}

function refuse(log: (record: object) => void, at: Date, paths: string[], files: IngestSummary["files"], problems: InputProblem[], count: number, warnings: string[]): IngestSummary {
  // the log is kept: a value refused as personal data (an e-mail address, an NI number) is shown
  // to the person loading the file, but never written to it
  const logged = problems.map((p) => (p.value !== undefined && p.value !== null && p.expected.startsWith("refused:") ? { ...p, value: "(withheld: personal data)" } : p));
  log({ at: at.toISOString(), status: "refused", paths, files, problem_count: count, problems: logged });
  const message = `Refused: ${count} problem${count === 1 ? "" : "s"} found; nothing was loaded and nothing stored was changed.`;
  return result("refused", null, files, [], problems, count, warnings, message);
}

async function loadedHashes(conn: DuckDBConnection, files: SourceFile[]): Promise<Map<string, number>> {
  const list = files.map((f) => quoteLit(f.sha256)).join(", ");
  const rows = await queryRows<{ sha256: string; load_id: number }>(conn, `SELECT sha256, max(load_id) AS load_id FROM load_files WHERE sha256 IN (${list}) GROUP BY sha256`);
  return new Map(rows.map((r) => [r.sha256, Number(r.load_id)]));
}

export function archiveName(f: SourceFile): string {
  return `${f.sha256}${extname(f.name).toLowerCase()}`;
}

/** Copy each raw file into the archive under its hash (write to a temp name, then rename). */
function archive(ws: Workspace, files: SourceFile[]): void {
  for (const f of files) {
    const dest = join(ws.archiveDir, archiveName(f));
    if (existsSync(dest)) continue;
    const tmp = `${dest}.${process.pid}.tmp`;
    copyFileSync(f.path, tmp);
    renameSync(tmp, dest);
  }
}

/** The SQL expression for a cell as trimmed text, NULL when empty. */
const cell = (header: string) => `nullif(trim(CAST(s.${quoteIdent(header)} AS VARCHAR)), '')`;

/** SQL for the number in trimmed text `v` (a decimal comma allowed in semicolon files). */
function numberSql(v: string, decimalComma: boolean): string {
  return `TRY_CAST(${decimalComma ? `replace(${v}, ',', '.')` : v} AS DOUBLE)`;
}

/**
 * SQL that parses trimmed text `v` into the column's type, NULL when it cannot. `num` is the
 * already-computed numberSql(v) for number and integer columns (computed once per row).
 */
function parseSql(col: ColumnSpec, v: string, num: string, roles: readonly string[], ratings: readonly string[]): string {
  const allowed = allowedValues(col, roles, ratings);
  if (allowed) {
    return `CASE lower(${v}) ${allowed.map((a) => `WHEN ${quoteLit(a.toLowerCase())} THEN ${quoteLit(a)}`).join(" ")} END`;
  }
  switch (col.type) {
    case "string":
      return v;
    case "number":
      return `CASE WHEN isfinite(${num}) THEN ${num} END`;
    case "integer":
      return `CASE WHEN isfinite(${num}) AND ${num} = trunc(${num}) AND abs(${num}) < 1e15 THEN CAST(${num} AS BIGINT) END`;
    case "boolean":
      return `CASE WHEN lower(${v}) IN ('true', 'yes', 'y', '1') THEN true WHEN lower(${v}) IN ('false', 'no', 'n', '0') THEN false END`;
    case "period":
      // YYYY-MM as sent (the usual case) is checked with string tests; anything else is parsed
      return `CASE WHEN length(${v}) = 7 AND substr(${v}, 5, 1) = '-' AND substr(${v}, 6, 2) BETWEEN '01' AND '12' AND TRY_CAST(substr(${v}, 1, 4) AS INTEGER) IS NOT NULL THEN ${v}
        ELSE strftime(${dateSql(v, ["%Y-%m", "%Y-%m-%d", "%b-%y", "%b %Y", "%B %Y", "%m/%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"])}, '%Y-%m') END`;
    case "date":
      // ISO dates cast directly; the list of other formats is tried only for the rest
      return `coalesce(TRY_CAST(${v} AS DATE), ${dateSql(v, ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S"])})`;
  }
}

/** Text dates in the given formats, or an Excel serial day number (1955-2119). */
function dateSql(v: string, formats: string[]): string {
  const serial = `TRY_CAST(${v} AS DOUBLE)`;
  return `CASE WHEN regexp_full_match(${v}, '[0-9]{5}(\\.[0-9]+)?') AND ${serial} BETWEEN 20000 AND 80000
    THEN CAST(DATE '1899-12-30' + CAST(floor(${serial}) AS INTEGER) AS DATE)
    ELSE CAST(try_strptime(${v}, [${formats.map(quoteLit).join(", ")}]) AS DATE) END`;
}

interface Check {
  column: string;
  /** SQL condition over the typed table that is true for a bad row. */
  bad: string;
  /** SQL for the value to show. */
  value: string;
  expected: string;
}

interface Checked {
  typedTable?: string;
  rows: number;
  problems: InputProblem[];
  total: number;
  warnings: string[];
  /** The quick check found something: check again in detail to list every problem. */
  needsDetail?: boolean;
}

/**
 * Map headers onto the contract, type every cell into a temp table, and list every problem.
 * The typed table keeps each contract column's raw text as `raw__<name>`.
 */
async function checkPart(conn: DuckDBConnection, part: Part, staged: Staged, opts: { columnMap?: ColumnMap; roles: readonly string[]; ratings: readonly string[]; cap: number; detailed: boolean }): Promise<Checked> {
  const spec = CONTRACT[part.table];
  const where = { file: part.source.name, sheet: part.sheet };
  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  const map = columnMapFor(opts.columnMap, part.table);
  const byContract = new Map<string, string>();
  const extras: { header: string; key: string }[] = [];
  for (const header of staged.headers) {
    const norm = normaliseHeader(header);
    const target = map.get(norm) ?? map.get(header) ?? norm;
    if (spec.columns.some((c) => c.name === target)) {
      const prev = byContract.get(target);
      if (prev !== undefined) problems.push({ ...where, row: 1, column: header, expected: `both "${prev}" and "${header}" give column ${target}; expected it once` });
      else byContract.set(target, header);
      continue;
    }
    const why = personalDataReason(norm);
    if (why) {
      problems.push({ ...where, row: 1, column: header, expected: `refused: ${why}` });
      continue;
    }
    if (norm === "") {
      problems.push({ ...where, row: 1, column: header || "(blank)", expected: "a column with a blank header; expected every column to be named" });
      continue;
    }
    extras.push({ header, key: norm });
  }
  for (const c of spec.columns) {
    if (c.required && !byContract.has(c.name)) {
      problems.push({ ...where, row: 1, column: c.name, expected: `missing required column "${c.name}" (${c.description}); expected a column headed ${c.name} (or mapped to it with --map); columns found: ${safeText(staged.headers.join(", "), 300) || "none"}` });
    }
  }
  if (problems.length > 0) return { rows: staged.rows, problems, total: problems.length, warnings };
  if (extras.length) warnings.push(`${part.label}: extra column${extras.length > 1 ? "s" : ""} ${extras.map((e) => e.header).join(", ")} kept in "extra"`);

  // three layers, inlined by DuckDB: (1) trimmed text and numbers, (2) parsed values,
  // (3) a row-level flag that ORs every check (the quick path keeps only (2) and the flag)
  const raw: string[] = [`${staged.rowExpr} AS __row`];
  const parsed: string[] = ["__row"];
  for (const c of spec.columns) {
    const header = byContract.get(c.name);
    const rawCol = quoteIdent(`raw__${c.name}`);
    const numCol = quoteIdent(`num__${c.name}`);
    raw.push(`${header === undefined ? "CAST(NULL AS VARCHAR)" : cell(header)} AS ${rawCol}`);
    if (c.type === "number" || c.type === "integer") raw.push(`${numberSql(header === undefined ? "CAST(NULL AS VARCHAR)" : cell(header), staged.decimalComma)} AS ${numCol}`);
    parsed.push(rawCol, `${parseSql(c, rawCol, numCol, opts.roles, opts.ratings)} AS ${quoteIdent(c.name)}`);
  }
  let join = "";
  if (part.table === "staff") {
    const v = cell(byContract.get("ethnicity")!);
    join = `LEFT JOIN ref_ethnicity_spelling sp ON sp.spelling_key = coalesce(${ETHNICITY_KEY_SQL(v)}, 'not obtained') LEFT JOIN ref_ethnicity re ON re.code = sp.code`;
    raw.push(`re.code AS ethnicity_code`, `re.label AS ethnicity_label`, `re.ons_group AS ons_group`, `re.reporting_group AS reporting_group`);
    parsed.push("ethnicity_code", "ethnicity_label", "ons_group", "reporting_group");
  }
  raw.push(extras.length ? `json_object(${extras.map((e) => `${quoteLit(e.key)}, ${cell(e.header)}`).join(", ")}) AS extra` : `CAST(NULL AS JSON) AS extra`);
  parsed.push("extra");
  const anyValue = staged.headers.map((h) => `${cell(h)} IS NOT NULL`).join(" OR ");
  const layer2 = `SELECT ${parsed.join(", ")} FROM (SELECT ${raw.join(", ")} FROM ${staged.tempTable} s ${join} WHERE ${anyValue})`;

  const checks = columnChecks(spec.columns, opts.roles, opts.ratings);
  // rules between the columns of a row (the optional HR tables: a resolved date not before the request, ...)
  for (const rule of spec.rules ?? []) checks.push({ column: rule.column, bad: `(${rule.bad})`, value: rule.value, expected: rule.expected });
  if (part.table === "staff") {
    checks.push({ column: "ethnicity", bad: `ethnicity_code IS NULL`, value: `raw__ethnicity`, expected: "expected a DfE census main code (WBRI, WIRI, WIRT, WOTH, WROM, MWBC, MWBA, MWAS, MOTH, AIND, APKN, ABAN, AOTH, BCRB, BAFR, BOTH, CHNE, OOTH, REFU, NOBT), an ONS 2021 category label, 'Prefer not to say' or blank" });
  }
  for (const e of extras) {
    for (const p of PERSONAL_VALUE_PATTERNS) {
      checks.push({ column: e.header, bad: `regexp_matches(extra->>${quoteLit(e.key)}, ${quoteLit(p.regex)})`, value: `extra->>${quoteLit(e.key)}`, expected: `refused: the value looks like ${p.kind}, which fairload must not store; remove the column` });
    }
  }
  for (const idCol of ["worker_id", "case_ref"]) {
    if (!spec.columns.some((c) => c.name === idCol)) continue;
    const [email, ni] = PERSONAL_VALUE_PATTERNS;
    const r = `raw__${idCol}`;
    checks.push({ column: idCol, bad: `(contains(${r}, '@') AND regexp_matches(${r}, ${quoteLit(email.regex)}))`, value: r, expected: `refused: the identifier looks like ${email.kind}; identifiers must be pseudonymous` });
    checks.push({ column: idCol, bad: `(length(${r}) BETWEEN 8 AND 13 AND regexp_matches(upper(${r}), ${quoteLit(ni.regex)}))`, value: r, expected: `refused: the identifier looks like ${ni.kind}; identifiers must be pseudonymous` });
  }

  const typedTable = `${staged.tempTable}_typed`;
  if (!opts.detailed) {
    const keep = parsed.filter((p) => !(p.startsWith('"raw__') && !p.includes(" AS ")));
    const names = keep.map((p) => (p.includes(" AS ") ? p.slice(p.lastIndexOf(" AS ") + 4) : p));
    const bad = checks.length ? checks.map((c) => `coalesce(${c.bad}, false)`).join(" OR ") : "false";
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${typedTable} AS SELECT ${names.join(", ")}, (${bad}) AS __bad FROM (${layer2})`);
    const [{ bad: nBad, rows: nRows }] = await queryRows<{ bad: bigint; rows: bigint }>(conn, `SELECT count(*) FILTER (WHERE __bad) AS bad, count(*) AS rows FROM ${typedTable}`);
    const dups = await duplicateCount(conn, typedTable, spec.key);
    if (Number(nBad) > 0 || dups > 0) {
      await conn.run(`DROP TABLE IF EXISTS ${typedTable}`);
      return { rows: Number(nRows), problems: [], total: 0, warnings, needsDetail: true };
    }
    await conn.run(`DROP TABLE IF EXISTS ${staged.tempTable}`);
    return { typedTable, rows: Number(nRows), problems: [], total: 0, warnings };
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${typedTable} AS ${layer2}`);
  await conn.run(`DROP TABLE IF EXISTS ${staged.tempTable}`);
  const { problems: rowProblems, total } = await runChecks(conn, typedTable, checks, where, opts.cap);
  const dup = await duplicateKeys(conn, typedTable, spec.key, spec.grain, where, opts.cap);
  const rows = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${typedTable}`))[0].n);
  return { typedTable, rows, problems: [...rowProblems, ...dup.problems], total: total + dup.total, warnings };
}

async function duplicateCount(conn: DuckDBConnection, table: string, key: string[]): Promise<number> {
  const k = key.map(quoteIdent).join(", ");
  const notNull = key.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  return Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} WHERE ${notNull} GROUP BY ${k} HAVING count(*) > 1)`))[0].n);
}

function columnMapFor(map: ColumnMap | undefined, table: TableName): Map<string, string> {
  const out = new Map<string, string>();
  if (!map) return out;
  for (const [from, to] of Object.entries(map)) {
    if (typeof to === "string") out.set(normaliseHeader(from), normaliseHeader(to));
  }
  const own = map[table];
  if (own && typeof own === "object") for (const [from, to] of Object.entries(own)) out.set(normaliseHeader(from), normaliseHeader(to));
  return out;
}

/** Per column: required, parseable, in range, not in the future. */
function columnChecks(columns: ColumnSpec[], roles: readonly string[], ratings: readonly string[]): Check[] {
  const checks: Check[] = [];
  for (const c of columns) {
    const raw = quoteIdent(`raw__${c.name}`);
    const val = quoteIdent(c.name);
    const expected = `expected ${expectation(c, roles, ratings)}`;
    if (c.required && !c.blankAllowed) checks.push({ column: c.name, bad: `${raw} IS NULL`, value: raw, expected: `a value is required here; ${expected}` });
    if (c.type !== "string" || c.allowed || c.allowedFromConfig) {
      checks.push({ column: c.name, bad: `${raw} IS NOT NULL AND ${val} IS NULL`, value: raw, expected });
    }
    const range: string[] = [];
    if (c.min !== undefined) range.push(`${val} ${c.minExclusive ? "<=" : "<"} ${c.min}`);
    if (c.max !== undefined) range.push(`${val} > ${c.max}`);
    if (c.name === "qualified_year") range.push(`${val} > year(current_date)`);
    if (c.maxYearAhead !== undefined) range.push(`${val} > year(current_date) + ${c.maxYearAhead}`);
    if (range.length) checks.push({ column: c.name, bad: `${val} IS NOT NULL AND (${range.join(" OR ")})`, value: raw, expected });
    if (c.type === "period") {
      checks.push({ column: c.name, bad: `${val} > strftime(current_date, '%Y-%m')`, value: raw, expected: `the month is in the future; ${expected}` });
      checks.push({ column: c.name, bad: `${val} < '2000-01'`, value: raw, expected: `the month is before 2000; ${expected}` });
    }
    if (c.type === "date") {
      checks.push({ column: c.name, bad: `${val} > current_date`, value: raw, expected: `the date is in the future; ${expected}` });
      checks.push({ column: c.name, bad: `${val} < DATE '1950-01-01'`, value: raw, expected: `the date is before 1950; ${expected}` });
    }
  }
  return checks;
}

/** Count every check in one pass; list the first rows of each failing one. */
async function runChecks(conn: DuckDBConnection, table: string, checks: Check[], where: { file: string; sheet?: string }, cap: number): Promise<{ problems: InputProblem[]; total: number }> {
  if (checks.length === 0) return { problems: [], total: 0 };
  const counts = (await queryRows<Record<string, bigint>>(conn, `SELECT ${checks.map((c, i) => `count(*) FILTER (WHERE ${c.bad}) AS c${i}`).join(", ")} FROM ${table}`))[0];
  const failing = checks.map((c, i) => ({ c, n: Number(counts[`c${i}`]) })).filter((x) => x.n > 0);
  if (failing.length === 0) return { problems: [], total: 0 };
  const total = failing.reduce((s, x) => s + x.n, 0);
  const union = failing
    .map(({ c }, i) => `(SELECT __row, ${i} AS k, ${shortText(`CAST(${c.value} AS VARCHAR)`)} AS v FROM ${table} WHERE ${c.bad} ORDER BY __row LIMIT ${cap})`)
    .join(" UNION ALL ");
  const rows = await queryRows<{ __row: bigint; k: number; v: string | null }>(conn, `SELECT * FROM (${union}) ORDER BY __row, k LIMIT ${cap}`);
  const problems = rows.map((r) => {
    const c = failing[Number(r.k)].c;
    return { ...where, row: Number(r.__row), column: c.column, value: r.v, expected: c.expected };
  });
  return { problems, total };
}

/** SQL for text cut to MAX_VALUE_CHARS characters (with "..." when cut), so a 2 MB cell does not fill the log. */
function shortText(v: string): string {
  return `CASE WHEN length(${v}) > ${MAX_VALUE_CHARS} THEN left(${v}, ${MAX_VALUE_CHARS}) || '...' ELSE ${v} END`;
}

const cut = (s: string) => (s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}...` : s);

async function duplicateKeys(conn: DuckDBConnection, table: string, key: string[], grain: string, where: { file: string; sheet?: string }, cap: number): Promise<{ problems: InputProblem[]; total: number }> {
  const k = key.map(quoteIdent).join(", ");
  const notNull = key.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  const rows = await queryRows<Record<string, unknown> & { rows_: bigint[]; n_: bigint; total_: bigint }>(
    conn,
    `SELECT ${k}, list(__row ORDER BY __row) AS rows_, count(*) AS n_, count(*) OVER () AS total_ FROM ${table} WHERE ${notNull} GROUP BY ${k} HAVING count(*) > 1 ORDER BY min(__row) LIMIT ${cap}`,
  );
  const problems = rows.map((r) => {
    const rowsList = (r.rows_ as unknown as bigint[]).map(Number);
    return {
      ...where,
      row: rowsList[1],
      column: key.join(", "),
      value: cut(key.map((c) => String(r[c])).join(", ")),
      expected: `duplicate: the same ${key.join(" + ")} appears on rows ${rowsList.slice(0, 5).join(", ")}${rowsList.length > 5 ? ", ..." : ""}; expected ${grain}`,
    };
  });
  return { problems, total: rows.length ? Number(rows[0].total_) : 0 };
}

/** Insert a typed part as load `loadId` and mark the rows it replaces. Returns how many it replaced. */
async function store(conn: DuckDBConnection, loadId: number, part: Part, typedTable: string): Promise<number> {
  const t = part.table;
  const spec = CONTRACT[t];
  const cols = [...spec.columns.map((c) => c.name), ...(DERIVED_COLUMNS[t] ?? []).map((c) => c.name)].map(quoteIdent);
  await conn.run(
    `INSERT INTO hist_${t} (_load_id, _source, _row, ${cols.join(", ")}, extra, _superseded_by)
     SELECT ${loadId}, ${quoteLit(part.label)}, __row, ${cols.join(", ")}, extra, NULL FROM ${typedTable}`,
  );
  let replaced = 0;
  for (const scope of spec.replaceScopes) {
    const on = scope.map((c) => `h.${quoteIdent(c)} = n.${quoteIdent(c)}`).join(" AND ");
    const r = await conn.run(
      `UPDATE hist_${t} AS h SET _superseded_by = ${loadId}
       FROM (SELECT DISTINCT ${scope.map(quoteIdent).join(", ")} FROM hist_${t} WHERE _load_id = ${loadId}) AS n
       WHERE h._superseded_by IS NULL AND h._load_id < ${loadId} AND ${on}`,
    );
    replaced += Number(r.rowsChanged);
  }
  await conn.run(`DROP TABLE IF EXISTS ${typedTable}`);
  return replaced;
}

/**
 * A return with case_month replaces the cases of every worker-month it sends or replaces, not
 * only of the workers it lists cases for: a team's corrected month in which a worker's last case
 * was closed (no case rows for them), or a worker left the team, must not keep the old cases
 * current (docs/returns.md: a return for a team and month replaces the earlier one).
 * Runs after worker_month and case_month of load `loadId` are stored. Returns how many it replaced.
 */
async function supersedeCasesOfReplacedWorkerMonths(conn: DuckDBConnection, loadId: number): Promise<number> {
  const r = await conn.run(
    `UPDATE hist_case_month AS h SET _superseded_by = ${loadId}
     FROM (SELECT DISTINCT period, worker_id FROM hist_worker_month WHERE _load_id = ${loadId} OR _superseded_by = ${loadId}) AS n
     WHERE h._superseded_by IS NULL AND h._load_id < ${loadId} AND h.period = n.period AND h.worker_id = n.worker_id`,
  );
  return Number(r.rowsChanged);
}

/** Cross-table rules, checked on the new rows against the current version after this load. */
async function checkReferences(conn: DuckDBConnection, loadId: number, cap: number): Promise<{ problems: InputProblem[]; total: number }> {
  const rules: { sql: string; expected: (r: Record<string, unknown>) => string; column: string; value: (r: Record<string, unknown>) => string }[] = [
    {
      column: "worker_id",
      sql: `FROM hist_case_month c WHERE c._load_id = ${loadId} AND NOT EXISTS (SELECT 1 FROM worker_month w WHERE w.period = c.period AND w.worker_id = c.worker_id)`,
      value: (r) => String(r.worker_id),
      expected: (r) => `worker ${r.worker_id} has no worker_month row for ${r.period}; expected every case's worker to have a worker_month row for the same period`,
    },
    {
      column: "case_type",
      sql: `FROM hist_case_month c JOIN worker_month w ON w.period = c.period AND w.worker_id = c.worker_id
            WHERE c._load_id = ${loadId} AND NOT EXISTS (SELECT 1 FROM points_scheme p WHERE p.service = w.service AND p.case_type = c.case_type)`,
      value: (r) => String(r.case_type),
      expected: (r) => {
        const known = r.known as string | null;
        return known
          ? `case type "${r.case_type}" is not in the points scheme of ${r.service}; expected one of: ${known}`
          : `service "${r.service}" has no points scheme loaded; expected a points_scheme row for each of its case types`;
      },
    },
  ];
  // one join counts both rules; the rows are listed only when there is something to list
  const [quick] = await queryRows<{ n: bigint }>(
    conn,
    `SELECT count(*) FILTER (WHERE w.worker_id IS NULL OR p.case_type IS NULL) AS n
     FROM hist_case_month c
     LEFT JOIN worker_month w ON w.period = c.period AND w.worker_id = c.worker_id
     LEFT JOIN points_scheme p ON p.service = w.service AND p.case_type = c.case_type
     WHERE c._load_id = ${loadId}`,
  );
  if (Number(quick.n) === 0) return { problems: [], total: 0 };
  const problems: InputProblem[] = [];
  let total = 0;
  for (const rule of rules) {
    const n = Number((await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n ${rule.sql}`))[0].n);
    if (n === 0) continue;
    total += n;
    const rows = await queryRows(
      conn,
      `SELECT c._source, c._row, c.period, c.worker_id, c.case_type, ${rule.column === "case_type" ? "w.service, (SELECT string_agg(DISTINCT p.case_type, ', ' ORDER BY p.case_type) FROM points_scheme p WHERE p.service = w.service) AS known" : "NULL AS service, NULL AS known"} ${rule.sql} ORDER BY c._row LIMIT ${cap}`,
    );
    for (const r of rows) {
      const [file, sheet] = String(r._source).split(", sheet ");
      problems.push({ file, sheet, row: Number(r._row), column: rule.column, value: cut(rule.value(r)), expected: rule.expected(r) });
    }
  }
  return { problems: problems.slice(0, cap), total };
}

/**
 * Rows stored by the quick path are numbered by record position; for CSV files with blank or
 * multi-line records that differs from the line a spreadsheet shows, so translate them.
 */
async function toFileLines(problems: InputProblem[], parts: Part[]): Promise<InputProblem[]> {
  const cache = new Map<Part, number[] | undefined>();
  const out: InputProblem[] = [];
  for (const p of problems) {
    const part = parts.find((x) => x.source.name === p.file && (x.sheet ?? undefined) === (p.sheet ?? undefined));
    if (!part || p.row === undefined) {
      out.push(p);
      continue;
    }
    if (!cache.has(part)) cache.set(part, await csvRecordLines(part));
    const lines = cache.get(part);
    out.push(lines && lines[p.row - 2] !== undefined ? { ...p, row: lines[p.row - 2] } : p);
  }
  return out;
}

/** Things worth knowing that do not refuse a return. */
async function referenceWarnings(conn: DuckDBConnection, loadId: number): Promise<string[]> {
  const out: string[] = [];
  const noStaff = await queryRows<{ n: bigint }>(
    conn,
    `SELECT count(DISTINCT worker_id) AS n FROM hist_worker_month w WHERE w._load_id = ${loadId} AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.worker_id = w.worker_id)`,
  );
  const n = Number(noStaff[0].n);
  if (n > 0) out.push(`${n} worker${n === 1 ? "" : "s"} in worker_month ha${n === 1 ? "s" : "ve"} no staff row yet (their ethnicity counts as Not known until one is loaded)`);
  // the optional HR tables: the same, for the workers they name
  for (const t of HR_TABLE_NAMES) {
    const [r] = await queryRows<{ n: bigint }>(conn, `SELECT count(DISTINCT worker_id) AS n FROM hist_${t} h WHERE h._load_id = ${loadId} AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.worker_id = h.worker_id)`);
    const k = Number(r.n);
    if (k > 0) out.push(`${k} worker${k === 1 ? "" : "s"} in ${t} ha${k === 1 ? "s" : "ve"} no staff row yet (their ethnicity counts as Not known until one is loaded)`);
  }
  return out;
}

async function recordLoad(conn: DuckDBConnection, loadId: number, at: Date, paths: string[], columnMap: ColumnMap | undefined, typed: { part: Part; rows: number }[], tables: IngestSummary["tables"]): Promise<void> {
  const rowCounts = Object.fromEntries(tables.map((t) => [t.table, t.rows]));
  const replaced = Object.fromEntries(tables.map((t) => [t.table, t.replaced]));
  await conn.run(
    `INSERT INTO loads VALUES (${loadId}, ${quoteLit(at.toISOString().replace("T", " ").replace("Z", ""))}, [${paths.map(quoteLit).join(", ")}], ${columnMap ? quoteLit(JSON.stringify(columnMap)) : "NULL"}, ${quoteLit(JSON.stringify(rowCounts))}, ${quoteLit(JSON.stringify(replaced))})`,
  );
  for (const t of typed) {
    const f = t.part.source;
    await conn.run(
      `INSERT INTO load_files VALUES (${loadId}, ${quoteLit(t.part.label)}, ${quoteLit(f.name)}, ${t.part.sheet ? quoteLit(t.part.sheet) : "NULL"}, ${quoteLit(t.part.table)}, ${quoteLit(f.sha256)}, ${quoteLit(archiveName(f))}, ${t.rows})`,
    );
  }
}

/** Read a column map file: JSON object of own header -> contract column (optionally per table). */
export function readColumnMap(path: string): ColumnMap {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UserError(`The column map ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new UserError(`The column map ${path} must be a JSON object of "your header": "contract column"`);
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const ok = typeof v === "string" || (v && typeof v === "object" && (TABLE_NAMES as readonly string[]).includes(k) && Object.values(v).every((x) => typeof x === "string"));
    if (!ok) throw new UserError(`The column map ${path}: key "${k}" must map to a contract column name (or, for a table name, to an object of header -> column)`);
  }
  return raw as ColumnMap;
}

export type { Db };
