/** Errors the user can act on: printed as plain messages, never as stack traces. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** One problem with one cell, row or file of a return. */
export interface InputProblem {
  file: string;
  sheet?: string;
  row?: number;
  column?: string;
  value?: string | null;
  expected: string;
}

/**
 * One problem as one line: `file, sheet S, row R, column C: got "V"; expected ...`. File, sheet
 * and column names are shown with control characters escaped (a name is data from outside and
 * must not drive the terminal), values as JSON strings cut to 60 characters.
 */
export function formatProblem(p: InputProblem): string {
  const where = [safeText(p.file), p.sheet ? `sheet ${safeText(p.sheet)}` : undefined, p.row !== undefined ? `row ${p.row}` : undefined, p.column ? `column ${safeText(p.column)}` : undefined]
    .filter(Boolean)
    .join(", ");
  const value = p.value === undefined ? "" : p.value === null ? "empty cell; " : `got ${JSON.stringify(truncate(p.value, 60))}; `;
  return `${where}: ${value}${p.expected}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

/**
 * Text from outside (file, sheet and column names) made safe to print: C0/C1 control
 * characters and DEL become `\u{..}` escapes, and anything over `max` characters is cut.
 */
export function safeText(s: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
  return truncate(escaped, max);
}

/** A problem value as stored and reported: long cells are cut so that logs and JSON stay small. */
export const MAX_VALUE_CHARS = 200;

/**
 * The first line of an error's message without DuckDB's `Invalid Input Error: ` style prefix,
 * so that messages shown to people never read like a stack trace.
 */
export function plainMessage(e: unknown): string {
  const msg = String((e as Error)?.message ?? e).split("\n")[0];
  return msg.replace(/^(?:[A-Z][A-Za-z]*\s)*(?:Error|Exception):\s*/, "").trim();
}

/**
 * Errors from the database or the file system that a person can act on (disk full, not
 * writable, out of memory, database damaged), as a UserError with a plain message; undefined
 * for anything else (a bug). `what` names the operation, e.g. "The ingest" (so: "The ingest
 * stopped: the disk is full (...)").
 */
export function toUserError(e: unknown, what = "It"): UserError | undefined {
  if (e instanceof UserError) return e;
  const msg = String((e as Error)?.message ?? e);
  const code = (e as NodeJS.ErrnoException)?.code;
  const first = plainMessage(e);
  if (code === "ENOSPC" || /no space left on device|disk is full|not enough space/i.test(msg)) {
    return new UserError(`${what} stopped: the disk is full (${first}). Nothing was changed; free some space and try again.`);
  }
  if (code === "EACCES" || code === "EPERM" || code === "EROFS" || /read-only file system|permission denied/i.test(msg)) {
    return new UserError(`${what} stopped: the workspace cannot be written (${first}). Nothing was changed; check the folder's permissions and free space.`);
  }
  if (/out of memory|could not allocate|memory_limit/i.test(msg)) {
    return new UserError(`${what} stopped: it ran out of memory (${first}). Nothing was changed; close other programs or raise memory_limit_mb in fairload.json.`);
  }
  if (/^IO Error|^FATAL Error|database has been invalidated|Corrupt|checksum/i.test(msg)) {
    return new UserError(`${what} stopped: the workspace database could not be read or written (${first}). Nothing was changed. If this persists, rebuild it from the archive with: fairload rebuild`);
  }
  return undefined;
}

/** A return refused as a whole, with every problem found. */
export class RefusedError extends UserError {
  constructor(
    readonly problems: InputProblem[],
    readonly totalProblems: number,
  ) {
    super(`Refused: ${totalProblems} problem${totalProblems === 1 ? "" : "s"} found; nothing was loaded.`);
    this.name = "RefusedError";
  }
}
