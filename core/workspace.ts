/**
 * A workspace folder holds all state: the DuckDB database, the archive of every raw file
 * received, the ingest log and the config. The default is `data/` in the checkout.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, defaultConfig, parseConfig } from "./config.ts";
import { UserError } from "./errors.ts";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_WORKSPACE = join(PROJECT_ROOT, "data");

export interface Workspace {
  dir: string;
  dbPath: string;
  archiveDir: string;
  configPath: string;
  logPath: string;
  config: Config;
}

/** --workspace beats FAIRLOAD_WORKSPACE beats data/ in the checkout. */
export function resolveWorkspaceDir(option?: string): string {
  return resolve(option ?? process.env.FAIRLOAD_WORKSPACE ?? DEFAULT_WORKSPACE);
}

function paths(dir: string) {
  return {
    dir,
    dbPath: join(dir, "fairload.duckdb"),
    archiveDir: join(dir, "archive"),
    configPath: join(dir, "fairload.json"),
    logPath: join(dir, "ingest-log.jsonl"),
  };
}

/** Create a workspace (idempotent: an existing config is kept). */
export function initWorkspace(dir: string, opts: { employer?: string } = {}): Workspace {
  const p = paths(resolve(dir));
  mkdirSync(p.archiveDir, { recursive: true });
  if (!existsSync(p.configPath)) {
    writeAtomic(p.configPath, `${JSON.stringify(defaultConfig(opts.employer), null, 2)}\n`);
  }
  return openWorkspace(p.dir);
}

/**
 * Open a workspace. The default workspace is created on first use; any other must exist
 * (a typo in --workspace should not silently start an empty one).
 */
export function openWorkspace(dir: string, opts: { create?: boolean } = {}): Workspace {
  const p = paths(resolve(dir));
  if (!existsSync(p.configPath)) {
    if (opts.create || p.dir === DEFAULT_WORKSPACE) return initWorkspace(p.dir);
    throw new UserError(`${p.dir} is not a fairload workspace (no fairload.json). Create it with: fairload init ${dir}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p.configPath, "utf8"));
  } catch (e) {
    throw new UserError(`The config file ${p.configPath} is not valid JSON: ${(e as Error).message}`);
  }
  mkdirSync(p.archiveDir, { recursive: true });
  return { ...p, config: parseConfig(raw, p.configPath) };
}

/** Write a file so that a reader sees the old or the new content, never half of it. */
export function writeAtomic(file: string, content: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** Append one JSON record to the workspace's ingest log. */
export function appendLog(ws: Workspace, record: object): void {
  appendFileSync(ws.logPath, `${JSON.stringify(record)}\n`);
}

export function readLog(ws: Workspace): Record<string, unknown>[] {
  if (!existsSync(ws.logPath)) return [];
  return readFileSync(ws.logPath, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return []; // a line cut short by a crash is skipped, not fatal
      }
    });
}
