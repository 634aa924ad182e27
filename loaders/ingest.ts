/**
 * `fairload ingest`: returns in the contract of docs/returns.md -> validated, versioned tables.
 *
 * The order of work keeps the guarantees simple:
 * 1. find the files, hash them, and stop early if every one was loaded before (a no-op);
 * 2. the usual case, a clean return ({@link quickIngest}): each table is read, typed, checked
 *    (types, ranges, allowed values, personal data) and inserted into its history table in one
 *    scan, its keys checked for repeats beside it, all in ONE transaction; then the rows they
 *    replace are marked, references checked against the resulting current version, the load
 *    recorded, the raw files archived under their hash (content-addressed, so harmless if we stop
 *    here), and committed. Any problem rolls everything back;
 * 3. only then, for a return with a problem: each table staged as text and every row checked in
 *    SQL, the tables with a problem in detail, listing every problem (file, row, column, value,
 *    what was expected): any problem refuses the whole return (and a return that turns out
 *    clean after all is stored as in 2, in one transaction).
 * A crash or kill at any moment leaves the database as it was. A refused return is not archived,
 * and personal-data values it held are not logged. Copies made while reading (a sheet as CSV, a
 * UTF-16 file as UTF-8, the raw files before they are archived) stay in <workspace>/tmp.
 *
 * A workforce census (.xml), an Ofsted Annex A workbook or a worker key map takes another path
 * ({@link ingestSide}, docs/census-and-annex-a.md): each file is read into its minimised,
 * pseudonymised extract, and the extract, never the raw file, is stored and archived.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { copyFile as copyFileAsync } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CONTRACT, type ColumnSpec, DEFAULT_ROLES, HR_TABLE_NAMES, PERSONAL_VALUE_PATTERNS, type TableName, TABLE_NAMES, allowedValues, expectation, normaliseHeader, personalDataReason } from "../core/contract.ts";
import { DEFAULT_APPRAISAL_RATINGS } from "../core/defaults.ts";
import { DERIVED_COLUMNS, type Db, ensureSchema, inTransaction, openDb, queryRows, quoteIdent, quoteLit } from "../core/db.ts";
import { type InputProblem, MAX_VALUE_CHARS, RefusedError, UserError, safeText, toUserError } from "../core/errors.ts";
import { ETHNICITY_KEY_SQL } from "../core/ethnicity.ts";
import { type Progress, silentProgress } from "../core/progress.ts";
import { type Part, type SourceFile, type Staged, csvRecordLines, discoverFiles, forgetWorkbooks, isAnnexAWorkbook, listParts, parquetColumns, sha256File, stagePart } from "./sources.ts";
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

    const roles = ws.config.roles ?? DEFAULT_ROLES;
    const ratings = ws.config.appraisal_ratings ?? DEFAULT_APPRAISAL_RATINGS;
    const ordered = [...parts].sort((a, b) => LOAD_ORDER.indexOf(a.table) - LOAD_ORDER.indexOf(b.table));
    const accept = (stored: { loadId: number; tables: IngestSummary["tables"] }): IngestSummary => {
      const rows = stored.tables.reduce((s, t) => s + t.rows, 0);
      const replaced = stored.tables.reduce((s, t) => s + t.replaced, 0);
      const message = `Loaded ${rows.toLocaleString("en-GB")} rows from ${files.length} file${files.length === 1 ? "" : "s"} as load ${stored.loadId}` + (replaced ? `; ${replaced.toLocaleString("en-GB")} earlier rows replaced (kept in history)` : "") + ".";
      log({ at: startedAt.toISOString(), status: "accepted", load_id: stored.loadId, paths, files: fileInfo.map((f, i) => ({ ...f, name: files[i].name, archived_as: archiveName(files[i]) })), column_map: opts.columnMap ?? null, tables: stored.tables, warnings });
      return result("accepted", stored.loadId, fileInfo, stored.tables, [], 0, warnings, message);
    };

    // 3. the usual case, a clean return: each part read, typed, checked and written to the history
    // in one scan, all in one transaction; anything found (or a file the quick read cannot take)
    // rolls it back, and the parts are read again below to list every problem
    let flagged = new Set<Part>();
    if (problemCount === 0) {
      const fast = await quickIngest(db, files, ordered, scratch, ws, { ...opts, roles, ratings, cap, startedAt, paths: opts.replay?.paths ?? paths, progress });
      if (fast.kind === "stored") {
        warnings.push(...fast.warnings);
        return accept(fast);
      }
      if (fast.kind === "refused") {
        warnings.push(...fast.warnings);
        return refuse(log, startedAt, paths, fileInfo, fast.error.problems, fast.error.totalProblems, warnings);
      }
      flagged = fast.flagged;
    }

    // 4. stage and check every row, outside any transaction (temp tables only)
    const typed: { part: Part; table: string; rows: number }[] = [];
    for (const part of ordered) {
      progress.step(`reading ${safeText(part.label)}`);
      // the quick path first (unless the one-scan load above found a problem in this part);
      // only a part with a problem is read and checked again in detail
      let staged: Staged | undefined;
      let checked: Checked | undefined;
      if (!flagged.has(part)) {
        staged = await stagePart(db.conn, part, { scratchDir: scratch });
        if (!staged.failed && staged.headers.length > 0 && staged.problems.length === 0) {
          progress.step(`checking ${safeText(part.label)}`, 0, staged.rows);
          checked = await checkPart(db.conn, part, staged, { columnMap: opts.columnMap, roles, ratings, cap, detailed: false });
        }
      }
      if (!staged || staged.failed || checked?.needsDetail) {
        if (staged) await db.conn.run(`DROP TABLE IF EXISTS ${staged.tempTable}`);
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

    // 5. store, all or nothing
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
      warnings.push(...(await referenceWarnings(db.conn, loadId, new Set(typed.map((t) => t.part.table)))));
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
    return accept(stored);
  } finally {
    progress.done();
    forgetWorkbooks();
    db.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Thrown inside {@link quickIngest}'s transaction to roll it back: the parts need the detailed pass. */
class NeedsDetail extends Error {
  constructor(readonly flagged: Set<Part>) {
    super("the return needs the detailed check");
  }
}

type QuickResult =
  | { kind: "stored"; loadId: number; tables: IngestSummary["tables"]; warnings: string[] }
  /** A reference between tables failed (`warnings`: those of the parts, as the detailed path gives them). */
  | { kind: "refused"; error: RefusedError; warnings: string[] }
  /** Roll back and check part by part; `flagged` parts have bad rows or duplicate keys (straight to the detailed pass). */
  | { kind: "detail"; flagged: Set<Part> };

interface QuickOptions extends IngestOptions {
  roles: readonly string[];
  ratings: readonly string[];
  cap: number;
  startedAt: Date;
  paths: string[];
  progress: Progress;
}

/** A part ready for the one-scan load: where its cells come from and how they map onto the contract. */
interface QuickPart {
  part: Part;
  source: CellSource;
  mapped: Mapped;
  /** The staged table of its text (CSV and workbooks; a Parquet file is read in place). */
  temp?: string;
}

/** The attached in-memory database the quick path stages in, so that a second connection can read it too. */
const QUICK_SCHEMA = "fairload_quick";

/**
 * The one-scan load of a clean return. First, outside any transaction (DuckDB scans a table
 * made inside a transaction with one thread only), each CSV or sheet is staged as text, which
 * numbers its records, in an attached in-memory database: the largest on this connection and the
 * others meanwhile on a second one. A Parquet file is read in place, its typed columns never
 * staged as text. The headers are mapped. Anything the quick read cannot take (a structural or
 * header problem, a malformed line) ends it there: "detail".
 *
 * Then one transaction: each part typed, checked and inserted into its history table by a single
 * statement, the check of every row riding along as a mark on the rows that fail one
 * (`_superseded_by = -1`, counted after). Beside it, on the second connection, one scan per part
 * tells whether a key repeats within the part: it runs while this connection stages the largest
 * part and inserts the smaller ones, work that keeps one core only. No row marked and no key
 * repeated: the rows the load replaces are marked superseded, the references checked, the load
 * recorded, the raw files (copied into the scratch folder meanwhile) moved into the archive, and
 * committed.
 * Otherwise everything is rolled back ("detail", the parts concerned flagged), and the caller
 * checks the parts one by one, listing every problem as the detailed path always has. Database
 * failures (disk full, memory) are thrown.
 */
async function quickIngest(db: Db, files: SourceFile[], parts: Part[], scratch: string, ws: Workspace, opts: QuickOptions): Promise<QuickResult> {
  const conn = db.conn;
  const ready = new Map<Part, QuickPart>();
  let copies: Promise<ArchiveCopy[]> | undefined;
  const warnings: string[] = [];
  let side: DuckDBConnection | undefined;
  // work for the side connection, one task after another
  let sideQueue: Promise<unknown> = Promise.resolve();
  const onSide = <T>(task: (c: DuckDBConnection) => Promise<T>): Promise<T> => {
    const c = side!;
    const p = sideQueue.then(() => task(c));
    sideQueue = p.catch(() => undefined);
    p.catch(() => undefined); // seen when awaited, never as an unhandled rejection
    return p;
  };
  const keyChecks: { part: Part; repeats: Promise<boolean> }[] = [];
  try {
    await conn.run(`ATTACH IF NOT EXISTS ':memory:' AS ${QUICK_SCHEMA}`);
    side = await db.instance.connect();
    // the largest part is staged here; the others meanwhile on the side connection, which then
    // checks their keys, and the largest's once it is staged
    const [largest, ...others] = [...parts].sort((a, b) => b.source.bytes - a.source.bytes);
    const prepared = others.map((part) => onSide((c) => prepareQuickPart(c, part, scratch, opts)));
    for (const [i, part] of others.entries()) {
      const repeats = prepared[i].then((q) => (q ? onSide((c) => keysRepeat(c, q, opts)) : false));
      repeats.catch(() => undefined); // seen when awaited, never as an unhandled rejection
      keyChecks.push({ part, repeats });
    }
    opts.progress.step(`reading ${safeText(largest.label)}`);
    const big = await prepareQuickPart(conn, largest, scratch, opts);
    if (big) keyChecks.push({ part: largest, repeats: onSide((c) => keysRepeat(c, big, opts)) });
    for (const [i, q] of (await Promise.all(prepared)).entries()) if (q) ready.set(others[i], q);
    if (!big || ready.size < others.length) return { kind: "detail", flagged: new Set() };
    ready.set(largest, big);

    const flagged = new Set<Part>();
    const stored = await inTransaction(conn, async () => {
      await ensureSideSchema(conn);
      const loadId = Number((await queryRows<{ id: number }>(conn, `SELECT coalesce(max(load_id), 0) + 1 AS id FROM loads`))[0].id);
      // the smaller parts first, while the side connection checks the keys; the largest once the
      // keys are checked (a repeat found: no need to load it; and the two scans would only share
      // the cores, and the memory)
      const rows = new Map<Part, number>();
      for (const q of [...others].reverse().map((p) => ready.get(p)!)) {
        opts.progress.step(`loading ${safeText(q.part.label)}`);
        const r = await insertQuickPart(conn, loadId, q, opts);
        if (r.bad > 0) flagged.add(q.part);
        rows.set(q.part, r.rows);
      }
      for (const k of keyChecks) if (await k.repeats) flagged.add(k.part);
      if (flagged.size > 0) throw new NeedsDetail(flagged);
      opts.progress.step(`loading ${safeText(largest.label)}`);
      const r = await insertQuickPart(conn, loadId, big, opts);
      if (r.bad > 0) throw new NeedsDetail(new Set([largest]));
      rows.set(largest, r.rows);
      // every row passed: the raw files are copied for the archive in the background, while the
      // database marks what the load replaces and checks the references
      copies = copyForArchive(ws, files, scratch);
      copies.catch(() => undefined);
      opts.progress.step("storing");
      // from here in the contract's order, as the detailed path
      const loaded = parts.map((part) => ({ part, rows: rows.get(part)! }));
      for (const p of parts) warnings.push(...ready.get(p)!.mapped.warnings);
      const tables: IngestSummary["tables"] = [];
      for (const t of loaded) {
        let replaced = await supersede(conn, loadId, t.part.table);
        if (t.part.table === "case_month") replaced += await supersedeCasesOfReplacedWorkerMonths(conn, loadId);
        tables.push({ table: t.part.table, source: safeText(t.part.label), rows: t.rows, replaced });
      }
      if (parts.some((p) => p.table === "case_month")) {
        const refs = await checkReferences(conn, loadId, opts.cap);
        if (refs.total > 0) throw new RefusedError(await toFileLines(refs.problems, parts), refs.total);
      }
      const refWarnings = await referenceWarnings(conn, loadId, new Set(parts.map((p) => p.table)));
      await recordLoad(conn, loadId, opts.startedAt, opts.paths, opts.columnMap, loaded, tables);
      // only an accepted return is archived, before COMMIT (see the detailed path's store)
      moveIntoArchive(await copies!);
      await opts.beforeCommit?.();
      return { loadId, tables, warnings: [...warnings, ...refWarnings] };
    });
    return { kind: "stored", ...stored };
  } catch (e) {
    if (e instanceof RefusedError) return { kind: "refused", error: e, warnings };
    if (e instanceof NeedsDetail) return { kind: "detail", flagged: e.flagged };
    // the disk, memory or the database failed: the detailed path would fail the same way
    if (toUserError(e)) throw e;
    // anything else (a file the quick read could not take, ...): the detailed path says what
    return { kind: "detail", flagged: new Set() };
  } finally {
    await sideQueue;
    side?.closeSync();
    await copies?.catch(() => undefined);
    await conn.run(`DETACH DATABASE IF EXISTS ${QUICK_SCHEMA}`).catch(() => undefined);
  }
}

/**
 * Stage one part for {@link quickIngest} (a CSV or sheet as text; a Parquet file described) and
 * map its headers; undefined when the quick read cannot take it (the detailed path says why).
 */
async function prepareQuickPart(conn: DuckDBConnection, part: Part, scratch: string, opts: QuickOptions): Promise<QuickPart | undefined> {
  let source: CellSource;
  let temp: string | undefined;
  if (part.source.kind === "parquet") {
    const pq = await parquetColumns(conn, part, mkdtempSync(join(scratch, "parquet-")));
    const headers = pq?.columns.map((c) => c.name);
    // a column of the file's own with the name of the row number the reader adds: the detailed path
    if (!pq || !headers || headers.length === 0 || headers.some((h) => ["file_row_number", "__row"].includes(h.toLowerCase()))) return undefined;
    source = { from: `read_parquet(${quoteLit(pq.path)}, file_row_number = true) s`, rowExpr: "s.file_row_number + 1", headers, decimalComma: false, types: new Map(pq.columns.map((c) => [c.name, c.type])) };
  } else {
    const staged = await stagePart(conn, part, { scratchDir: scratch, schema: QUICK_SCHEMA });
    if (staged.failed || staged.headers.length === 0 || staged.problems.length > 0) {
      await conn.run(`DROP TABLE IF EXISTS ${staged.tempTable}`);
      return undefined;
    }
    temp = staged.tempTable;
    source = { from: `${staged.tempTable} s`, rowExpr: staged.rowExpr, headers: staged.headers, decimalComma: staged.decimalComma };
  }
  const mapped = mapHeaders(part, source.headers, opts.columnMap);
  if (mapped.problems.length > 0) {
    if (temp) await conn.run(`DROP TABLE IF EXISTS ${temp}`);
    return undefined;
  }
  return { part, source, mapped, temp };
}

/**
 * Does a key repeat within the part? One parallel scan that types only the key columns (with the
 * same expressions as the load, so the same values) and compares the number of keyed rows with
 * the number of distinct key hashes. Two keys with one hash (once in billions) look like a repeat:
 * the detailed pass then finds no problem and loads the return.
 */
async function keysRepeat(conn: DuckDBConnection, q: QuickPart, opts: QuickOptions): Promise<boolean> {
  const key = CONTRACT[q.part.table].key;
  // blank records (skipped by the load) have no key: no need to find and skip them here
  const { layer2 } = typedSelect(q.part, q.source, q.mapped, opts.roles, opts.ratings, { keepBlank: true, quick: true });
  const keyed = key.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(" AND ");
  const [r] = await queryRows<{ keyed: bigint; distinct_keys: bigint }>(
    conn,
    `SELECT count(*) FILTER (WHERE ${keyed}) AS keyed, count(DISTINCT CASE WHEN ${keyed} THEN hash(${key.map(quoteIdent).join(", ")}) END) AS distinct_keys FROM (${layer2})`,
  );
  return Number(r.keyed) !== Number(r.distinct_keys);
}

/**
 * Type, check and insert one part into its history table in one statement, as load `loadId`:
 * the number of rows, or "flagged" when a row fails a check (the transaction is then rolled back).
 */
async function insertQuickPart(conn: DuckDBConnection, loadId: number, q: QuickPart, opts: QuickOptions): Promise<{ rows: number; bad: number }> {
  const t = q.part.table;
  const spec = CONTRACT[t];
  const { layer2, checks } = typedSelect(q.part, q.source, q.mapped, opts.roles, opts.ratings, { quick: true });
  const cols = [...spec.columns.map((c) => c.name), ...(DERIVED_COLUMNS[t] ?? []).map((c) => c.name)].map(quoteIdent);
  const inserted = await conn.run(
    `INSERT INTO hist_${t} (_load_id, _source, _row, ${cols.join(", ")}, extra, _superseded_by)
     SELECT ${loadId}, ${quoteLit(q.part.label)}, __row, ${cols.join(", ")}, extra, CASE WHEN ${anyCheckFails(checks)} THEN -1 END FROM (${layer2})`,
  );
  const [{ bad }] = await queryRows<{ bad: bigint }>(conn, `SELECT count(*) AS bad FROM hist_${t} WHERE _load_id = ${loadId} AND _superseded_by = -1`);
  return { rows: Number(inserted.rowsChanged), bad: Number(bad) };
}

/** Mark the rows of earlier loads that load `loadId` replaces (docs/returns.md). Returns how many. */
async function supersede(conn: DuckDBConnection, loadId: number, t: TableName): Promise<number> {
  // nothing current from earlier loads (a table's first load): nothing to replace
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM (SELECT 1 FROM hist_${t} WHERE _load_id < ${loadId} AND _superseded_by IS NULL LIMIT 1)`);
  if (Number(n) === 0) return 0;
  let replaced = 0;
  for (const scope of CONTRACT[t].replaceScopes) {
    const on = scope.map((c) => `h.${quoteIdent(c)} = n.${quoteIdent(c)}`).join(" AND ");
    const r = await conn.run(
      `UPDATE hist_${t} AS h SET _superseded_by = ${loadId}
       FROM (SELECT DISTINCT ${scope.map(quoteIdent).join(", ")} FROM hist_${t} WHERE _load_id = ${loadId}) AS n
       WHERE h._superseded_by IS NULL AND h._load_id < ${loadId} AND ${on}`,
    );
    replaced += Number(r.rowsChanged);
  }
  return replaced;
}

/** A raw file copied into the scratch folder, to be moved into the archive as `dest`. */
interface ArchiveCopy {
  tmp: string;
  dest: string;
  source: string;
}

/**
 * Start copying the raw files not yet archived into the scratch folder (in the background, while
 * the database works; only once every row has passed its checks, personal data included);
 * {@link moveIntoArchive} moves them in once the return is accepted. A copy left by a refusal or
 * a crash is removed with the scratch folder (by this ingest, or the next): a refused return is
 * never kept.
 */
async function copyForArchive(ws: Workspace, files: SourceFile[], scratch: string): Promise<ArchiveCopy[]> {
  const out: ArchiveCopy[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const dest = join(ws.archiveDir, archiveName(f));
    if (seen.has(dest) || existsSync(dest)) continue;
    seen.add(dest);
    out.push({ tmp: join(scratch, `archive-${archiveName(f)}`), dest, source: f.path });
  }
  // one at a time: the thread pool that copies also runs the database's statements
  for (const c of out) await copyFileAsync(c.source, c.tmp);
  return out;
}

function moveIntoArchive(copies: ArchiveCopy[]): void {
  for (const c of copies) {
    if (existsSync(c.dest)) continue;
    try {
      renameSync(c.tmp, c.dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
      // the archive on another file system: copy, then rename within it
      const tmp = `${c.dest}.${process.pid}.tmp`;
      copyFileSync(c.tmp, tmp);
      renameSync(tmp, c.dest);
    }
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

/**
 * The SQL expression for a cell as trimmed text, NULL when empty. DuckDB's trim (of Unicode
 * space separators) walks every character and copies the string, so text that cannot need it,
 * plain ASCII that neither starts nor ends with a space (the only ASCII space separator), is
 * taken as it is: the same value, at a fraction of the cost.
 */
const cell = (header: string) => trimmed(`CAST(s.${quoteIdent(header)} AS VARCHAR)`);
const trimmed = (v: string) => `CASE WHEN ${v} <> '' AND NOT starts_with(${v}, ' ') AND NOT ends_with(${v}, ' ') AND strlen(${v}) = length(${v}) THEN ${v} ELSE nullif(trim(${v}), '') END`;

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
    const folded = `CASE lower(${v}) ${allowed.map((a) => `WHEN ${quoteLit(a.toLowerCase())} THEN ${quoteLit(a)}`).join(" ")} END`;
    // a value sent in its own spelling (the usual case) is matched as it is, without lowering
    // every cell: only where that gives the same answer (ASCII values, distinct when lowered)
    const plain = allowed.every((a) => /^[\x20-\x7e]*$/.test(a)) && new Set(allowed.map((a) => a.toLowerCase())).size === allowed.length;
    return plain ? `CASE ${v} ${allowed.map((a) => `WHEN ${quoteLit(a)} THEN ${quoteLit(a)}`).join(" ")} ELSE ${folded} END` : folded;
  }
  switch (col.type) {
    case "string":
      return v;
    case "number":
      return `CASE WHEN isfinite(${num}) THEN ${num} END`;
    case "integer":
      return `CASE WHEN isfinite(${num}) AND ${num} = trunc(${num}) AND abs(${num}) < 1e15 THEN CAST(${num} AS BIGINT) END`;
    case "boolean":
      // the spellings as listed first, as they are; lowered only when they do not match
      return `CASE WHEN ${v} IN ('true', 'yes', 'y', '1') THEN true WHEN ${v} IN ('false', 'no', 'n', '0') THEN false
        WHEN lower(${v}) IN ('true', 'yes', 'y', '1') THEN true WHEN lower(${v}) IN ('false', 'no', 'n', '0') THEN false END`;
    case "period":
      // YYYY-MM as sent (the usual case) is checked with string tests; anything else is parsed.
      // The patterns first: they match only text the string tests accept, at a fraction of the
      // cost (substr counts characters)
      return `CASE WHEN ${v} GLOB '[0-9][0-9][0-9][0-9]-0[1-9]' OR ${v} GLOB '[0-9][0-9][0-9][0-9]-1[0-2]' THEN ${v}
        WHEN length(${v}) = 7 AND substr(${v}, 5, 1) = '-' AND substr(${v}, 6, 2) BETWEEN '01' AND '12' AND TRY_CAST(substr(${v}, 1, 4) AS INTEGER) IS NOT NULL THEN ${v}
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

/** The headers of a part mapped onto its contract table: which header gives each column, the extra columns, and any problem. */
interface Mapped {
  byContract: Map<string, string>;
  extras: { header: string; key: string }[];
  problems: InputProblem[];
  warnings: string[];
}

function mapHeaders(part: Part, headers: string[], columnMap: ColumnMap | undefined): Mapped {
  const spec = CONTRACT[part.table];
  const where = { file: part.source.name, sheet: part.sheet };
  const problems: InputProblem[] = [];
  const warnings: string[] = [];
  const map = columnMapFor(columnMap, part.table);
  const byContract = new Map<string, string>();
  const extras: { header: string; key: string }[] = [];
  for (const header of headers) {
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
      problems.push({ ...where, row: 1, column: c.name, expected: `missing required column "${c.name}" (${c.description}); expected a column headed ${c.name} (or mapped to it with --map); columns found: ${safeText(headers.join(", "), 300) || "none"}` });
    }
  }
  if (problems.length === 0 && extras.length) warnings.push(`${part.label}: extra column${extras.length > 1 ? "s" : ""} ${extras.map((e) => e.header).join(", ")} kept in "extra"`);
  return { byContract, extras, problems, warnings };
}

/** Where a part's cells come from: a staged table or a file read in place, aliased `s`. */
interface CellSource {
  /** SQL for the FROM clause, aliasing the source `s`. */
  from: string;
  /** The columns' own types, for a file read in place (Parquet); otherwise every column is text. */
  types?: Map<string, string>;
  /** SQL (over `s`) for each record's row number. */
  rowExpr: string;
  headers: string[];
  decimalComma: boolean;
}

/**
 * The SELECT that types every cell of a part (`layer2`: each contract column's trimmed text as
 * `raw__<name>` and its parsed value, the derived columns and `extra`), the names it outputs,
 * and every per-row check over them.
 */
function typedSelect(part: Part, source: CellSource, mapped: Mapped, roles: readonly string[], ratings: readonly string[], opts: { keepBlank?: boolean; quick?: boolean } = {}): { layer2: string; parsed: string[]; checks: Check[] } {
  const spec = CONTRACT[part.table];
  const { byContract, extras } = mapped;
  // columns whose text a row rule reads: their raw__ text is always the trimmed cell
  const ruleText = (spec.rules ?? []).map((r) => r.bad).join(" ");
  // three layers, inlined by DuckDB: (1) trimmed text and numbers, (2) parsed values,
  // (3) a row-level flag that ORs every check (the quick path keeps only (2) and the flag)
  const raw: string[] = [`${source.rowExpr} AS __row`];
  const parsed: string[] = ["__row"];
  // the one-scan load's text of a number or date, trimmed only where it is needed (between (1) and (2))
  const lazyText: string[] = [];
  for (const c of spec.columns) {
    const header = byContract.get(c.name);
    const rawCol = quoteIdent(`raw__${c.name}`);
    const numCol = quoteIdent(`num__${c.name}`);
    const quickable = opts.quick && header !== undefined && !c.allowed && !c.allowedFromConfig && !ruleText.includes(`raw__${c.name}`);
    const sourceType = header === undefined ? undefined : source.types?.get(header);
    if (quickable && sourceType && typedAsIs(c, sourceType)) {
      // a Parquet column already of the type (no text): its value as it is, the same value the
      // text would give (a double's text is its shortest exact spelling, a whole number's its
      // digits, a date's ISO date), and a raw__ that says only whether the cell is empty
      const valCol = quoteIdent(`val__${c.name}`);
      raw.push(`${c.type === "number" || c.type === "integer" ? `CAST(s.${quoteIdent(header!)} AS DOUBLE)` : `s.${quoteIdent(header!)}`} AS ${valCol}`);
      lazyText.push(`CASE WHEN ${valCol} IS NOT NULL THEN '' END AS ${rawCol}`);
      if (c.type === "number" || c.type === "integer") parsed.push(rawCol, `${parseSql(c, rawCol, valCol, roles, ratings)} AS ${quoteIdent(c.name)}`);
      else parsed.push(rawCol, `${valCol} AS ${quoteIdent(c.name)}`);
      continue;
    }
    const lazy = quickable && (c.type === "number" || c.type === "integer" || c.type === "date");
    if (lazy) {
      // the one-scan load reads a number or a date from the cell as it is and trims it only when
      // that fails: the same value (the casts skip spaces, and trimming takes away nothing else
      // that a cast accepts), without the trim's cost on every cell. Its raw__ text is then the
      // cell as sent, which the checks only test for being empty (it cannot be, once read)
      const text = `CAST(s.${quoteIdent(header)} AS VARCHAR)`;
      const txtCol = quoteIdent(`txt__${c.name}`);
      raw.push(`${text} AS ${txtCol}`);
      // (each trimmed text is written once, in its own layer: a repeated expression would be
      // computed once for every row, before the CASE that needs it only for some)
      if (c.type === "date") {
        const dtCol = quoteIdent(`dt__${c.name}`);
        raw.push(`TRY_CAST(${text} AS DATE) AS ${dtCol}`);
        lazyText.push(`CASE WHEN ${dtCol} IS NOT NULL THEN ${txtCol} ELSE ${trimmed(txtCol)} END AS ${rawCol}`);
        parsed.push(rawCol, `coalesce(${dtCol}, ${parseSql(c, rawCol, numCol, roles, ratings)}) AS ${quoteIdent(c.name)}`);
      } else {
        raw.push(`coalesce(${numberSql(text, source.decimalComma)}, ${numberSql(cell(header), source.decimalComma)}) AS ${numCol}`);
        lazyText.push(`CASE WHEN ${numCol} IS NOT NULL THEN ${txtCol} ELSE ${trimmed(txtCol)} END AS ${rawCol}`);
        parsed.push(rawCol, `${parseSql(c, rawCol, numCol, roles, ratings)} AS ${quoteIdent(c.name)}`);
      }
      continue;
    }
    raw.push(`${header === undefined ? "CAST(NULL AS VARCHAR)" : cell(header)} AS ${rawCol}`);
    if (c.type === "number" || c.type === "integer") raw.push(`${numberSql(header === undefined ? "CAST(NULL AS VARCHAR)" : cell(header), source.decimalComma)} AS ${numCol}`);
    parsed.push(rawCol, `${parseSql(c, rawCol, numCol, roles, ratings)} AS ${quoteIdent(c.name)}`);
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
  // a record whose cells are all blank is skipped; a first cell that starts with a printable
  // character settles it for the usual record without trimming anything
  const anyValue = [`ascii(CAST(s.${quoteIdent(source.headers[0])} AS VARCHAR)) BETWEEN 33 AND 126`, ...source.headers.map((h) => `${cell(h)} IS NOT NULL`)].join(" OR ");
  const layer1 = `SELECT ${raw.join(", ")} FROM ${source.from} ${join}${opts.keepBlank ? "" : ` WHERE ${anyValue}`}`;
  const layer2 = `SELECT ${parsed.join(", ")} FROM (${lazyText.length ? `SELECT *, ${lazyText.join(", ")} FROM (${layer1})` : layer1})`;

  const checks = columnChecks(spec.columns, roles, ratings);
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
  return { layer2, parsed, checks };
}

/**
 * Whether a column of a Parquet file of type `sourceType` gives contract column `c` its value as
 * it is: exactly the value that its text, parsed, would give. Whole numbers (to BIGINT, whose
 * conversion to a double rounds as the text's parsing does) and doubles for a number (not FLOAT,
 * whose text is its own shortest spelling, nor DECIMAL or HUGEINT), a DATE for a date, a BOOLEAN
 * for a boolean.
 */
function typedAsIs(c: ColumnSpec, sourceType: string): boolean {
  if (c.type === "number" || c.type === "integer") return /^(DOUBLE|U?(TINYINT|SMALLINT|INTEGER|BIGINT))$/.test(sourceType);
  if (c.type === "date") return sourceType === "DATE";
  if (c.type === "boolean") return sourceType === "BOOLEAN";
  return false;
}

/**
 * SQL condition true for a row that fails any of `checks` (a check that gives NULL passes), for
 * a CASE WHEN, where DuckDB evaluates a condition lazily: each check only on the rows that passed
 * the ones before it, and the right of an AND only where its left holds (so a regular expression
 * behind `contains(x, '@') AND` runs only on values with an @). In a plain expression it would
 * evaluate every part of every check on every row.
 */
const anyCheckFails = (checks: Check[]) => (checks.length ? checks.map((c) => `(${c.bad})`).join(" OR ") : "false");

/**
 * Map headers onto the contract, type every cell into a temp table, and list every problem.
 * The typed table keeps each contract column's raw text as `raw__<name>`.
 */
async function checkPart(conn: DuckDBConnection, part: Part, staged: Staged, opts: { columnMap?: ColumnMap; roles: readonly string[]; ratings: readonly string[]; cap: number; detailed: boolean }): Promise<Checked> {
  const spec = CONTRACT[part.table];
  const where = { file: part.source.name, sheet: part.sheet };
  const mapped = mapHeaders(part, staged.headers, opts.columnMap);
  const warnings = mapped.warnings;
  if (mapped.problems.length > 0) return { rows: staged.rows, problems: mapped.problems, total: mapped.problems.length, warnings };
  const { layer2, parsed, checks } = typedSelect(part, { from: `${staged.tempTable} s`, rowExpr: staged.rowExpr, headers: staged.headers, decimalComma: staged.decimalComma }, mapped, opts.roles, opts.ratings);

  const typedTable = `${staged.tempTable}_typed`;
  if (!opts.detailed) {
    const keep = parsed.filter((p) => !(p.startsWith('"raw__') && !p.includes(" AS ")));
    const names = keep.map((p) => (p.includes(" AS ") ? p.slice(p.lastIndexOf(" AS ") + 4) : p));
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${typedTable} AS SELECT ${names.join(", ")}, CASE WHEN ${anyCheckFails(checks)} THEN true ELSE false END AS __bad FROM (${layer2})`);
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
  // no current cases from earlier loads: nothing to replace
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM (SELECT 1 FROM hist_case_month WHERE _load_id < ${loadId} AND _superseded_by IS NULL LIMIT 1)`);
  if (Number(n) === 0) return 0;
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
async function referenceWarnings(conn: DuckDBConnection, loadId: number, loaded: ReadonlySet<TableName>): Promise<string[]> {
  const out: string[] = [];
  // (a table this load brought no rows for has nothing to warn about: it is not looked at)
  const noStaff = loaded.has("worker_month")
    ? await queryRows<{ n: bigint }>(conn, `SELECT count(DISTINCT worker_id) AS n FROM hist_worker_month w WHERE w._load_id = ${loadId} AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.worker_id = w.worker_id)`)
    : [{ n: 0n }];
  const n = Number(noStaff[0].n);
  if (n > 0) out.push(`${n} worker${n === 1 ? "" : "s"} in worker_month ha${n === 1 ? "s" : "ve"} no staff row yet (their ethnicity counts as Not known until one is loaded)`);
  // the optional HR tables: the same, for the workers they name
  for (const t of HR_TABLE_NAMES) {
    if (!loaded.has(t)) continue;
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
