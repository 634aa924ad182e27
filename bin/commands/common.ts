/**
 * What every command file shares: the Command shape, the common options, reading option values
 * and opening the workspace they name.
 */
import type { ParseArgsConfig } from "node:util";
import { createProgress, type Progress } from "../../core/progress.ts";
import { openWorkspace, resolveWorkspaceDir, type Workspace } from "../../core/workspace.ts";
import { serveSite } from "../site.ts";

export type Values = Record<string, unknown>;

/** One subcommand: its help text, its options (parsed strictly by the dispatcher) and what it does. */
export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(args: { values: Values; positionals: string[] }): Promise<number>;
}

export const workspaceOption = { workspace: { type: "string" as const, short: "w" } };
export const jsonOption = { json: { type: "boolean" as const } };

export function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** The workspace named by --workspace (or FAIRLOAD_WORKSPACE, or the default). */
export function openFromOptions(values: Values, opts: { create?: boolean } = {}): Workspace {
  return openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined), opts);
}

/** A string option, or undefined when it was not given. */
export function str(values: Values, key: string): string | undefined {
  return values[key] as string | undefined;
}

/** A numeric option, or undefined when it was not given (not validated: NaN if it is not a number). */
export function num(values: Values, key: string): number | undefined {
  return values[key] === undefined ? undefined : Number(values[key]);
}

/** The progress display; with --json it stays out of stdout's way. */
export function progressFor(values: Values): Progress {
  return createProgress({ json: Boolean(values.json) });
}

/** With --json: print the value as JSON and say so (the caller returns 0); otherwise false. */
export function printedJson(values: Values, value: unknown): boolean {
  if (!values.json) return false;
  out(JSON.stringify(value, null, 2));
  return true;
}

export const portOption = { port: { type: "string" as const } };

/** Serve a built dashboard on --port (default 3000), say where, and keep serving until Ctrl+C. */
export async function serveUntilStopped(dir: string, values: Values, announce: (url: string) => void): Promise<number> {
  const { url } = await serveSite(dir, Number(values.port ?? 3000));
  announce(url);
  await new Promise(() => {});
  return 0;
}
