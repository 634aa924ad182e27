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

export function formatProblem(p: InputProblem): string {
  const where = [p.file, p.sheet ? `sheet ${p.sheet}` : undefined, p.row !== undefined ? `row ${p.row}` : undefined, p.column ? `column ${p.column}` : undefined]
    .filter(Boolean)
    .join(", ");
  const value = p.value === undefined ? "" : p.value === null ? "empty cell; " : `got ${JSON.stringify(truncate(p.value, 60))}; `;
  return `${where}: ${value}${p.expected}`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
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
