/**
 * `fairload rebuild`: a new database from the archive of raw files, replaying every accepted
 * load of the ingest log in the order it was received, with its column map and its original
 * time, so that load numbers, history and current tables come out as they were. The new
 * database is written beside the old one and renamed over it only when complete. A census, Annex A
 * or worker-map load is replayed from its archived extract (pseudonymous ids already made), so the
 * workspace's pseudonymisation key is not needed.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { UserError, toUserError } from "../core/errors.ts";
import { type ColumnMap, ingest } from "./ingest.ts";
import { type Workspace, readLog } from "../core/workspace.ts";

interface LoggedFile {
  file: string;
  sha256: string;
  name?: string;
  archived_as?: string;
  /** Set for a census, Annex A or worker-map load: the archive holds its extract, replayed under the archived name. */
  extract?: string;
}

export interface RebuildSummary {
  loads: number;
  rows: number;
  database: string;
}

/**
 * Rebuild the workspace database from its archive and ingest log (also when the database file
 * was deleted). The copies of archived files it replays stay inside the workspace's tmp folder.
 * A disk or database failure part-way leaves the old database in place and is a UserError.
 */
export async function rebuild(ws: Workspace, opts: { onLoad?: (n: number, total: number) => void } = {}): Promise<RebuildSummary> {
  try {
    return await rebuildUnchecked(ws, opts);
  } catch (e) {
    rmSync(`${ws.dbPath}.rebuild`, { force: true });
    rmSync(`${ws.dbPath}.rebuild.wal`, { force: true });
    throw toUserError(e, "The rebuild") ?? e;
  }
}

async function rebuildUnchecked(ws: Workspace, opts: { onLoad?: (n: number, total: number) => void }): Promise<RebuildSummary> {
  const accepted = readLog(ws).filter((r) => r.status === "accepted") as { at: string; load_id: number; paths: string[]; files: LoggedFile[]; column_map: ColumnMap | null }[];
  if (accepted.length === 0) throw new UserError(`The ingest log ${ws.logPath} has no accepted loads to replay.`);
  const target = `${ws.dbPath}.rebuild`;
  rmSync(target, { force: true });
  rmSync(`${target}.wal`, { force: true });
  let rows = 0;
  accepted.sort((a, b) => a.load_id - b.load_id);
  for (const [i, load] of accepted.entries()) {
    // the files of one load, under their original names (the table comes from the name)
    mkdirSync(join(ws.dir, "tmp"), { recursive: true });
    const dir = mkdtempSync(join(ws.dir, "tmp", `rebuild-${process.pid}-`));
    try {
      const names = new Set<string>();
      for (const f of load.files) {
        const archived = join(ws.archiveDir, f.archived_as ?? `${f.sha256}${f.file.slice(f.file.lastIndexOf(".")).toLowerCase()}`);
        if (!existsSync(archived)) throw new UserError(`Cannot rebuild: load ${load.load_id} needs ${f.file}, but its archived copy ${archived} is missing.`);
        // an extract (the raw census or Annex A file is never archived) keeps its archive name, by which ingest knows it
        const name = f.extract && f.archived_as ? f.archived_as : (f.name ?? basename(f.file));
        if (names.has(name)) throw new UserError(`Cannot rebuild: load ${load.load_id} has two files named ${name}.`);
        names.add(name);
        mkdirSync(dir, { recursive: true });
        copyFileSync(archived, join(dir, name));
      }
      const s = await ingest(ws, [dir], { force: true, columnMap: load.column_map ?? undefined, replay: { loadedAt: new Date(load.at), paths: load.paths }, dbPath: target });
      if (s.status !== "accepted") throw new UserError(`Cannot rebuild: replaying load ${load.load_id} was ${s.status}: ${s.message}`);
      if (s.load_id !== load.load_id) throw new UserError(`Cannot rebuild: load ${load.load_id} came back as load ${s.load_id}; the log and the archive disagree.`);
      rows += s.tables.reduce((a, t) => a + t.rows, 0);
      opts.onLoad?.(i + 1, accepted.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // keep the damaged database aside rather than deleting it
  if (existsSync(ws.dbPath)) renameSync(ws.dbPath, `${ws.dbPath}.before-rebuild-${Date.now()}`);
  rmSync(`${ws.dbPath}.wal`, { force: true });
  renameSync(target, ws.dbPath);
  return { loads: accepted.length, rows, database: ws.dbPath };
}
