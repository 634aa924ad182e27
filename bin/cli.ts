/**
 * The fairload command line: the dispatcher. Each subcommand lives in bin/commands/<name>.ts and
 * calls one use case; user mistakes become one clear message and a non-zero exit code, never a
 * stack trace.
 */
import { parseArgs } from "node:util";
import { toUserError, UserError } from "../core/errors.ts";
import { auditCommand } from "./commands/audit.ts";
import { benchmarkCommand } from "./commands/benchmark.ts";
import { buildCommand } from "./commands/build.ts";
import { type Command, out } from "./commands/common.ts";
import { demoCommand } from "./commands/demo.ts";
import { healthcheckCommand } from "./commands/healthcheck.ts";
import { ingestCommand } from "./commands/ingest.ts";
import { modelsCommand } from "./commands/models.ts";
import { initCommand } from "./commands/init.ts";
import { previewCommand } from "./commands/preview.ts";
import { rebuildCommand } from "./commands/rebuild.ts";
import { reportCommand } from "./commands/report.ts";
import { runCommand } from "./commands/run.ts";
import { sampleCommand } from "./commands/sample.ts";
import { seriesCommand } from "./commands/series.ts";
import { summaryCommand } from "./commands/summary.ts";
import { templateCommand } from "./commands/template.ts";

export type { Command } from "./commands/common.ts";

/** Every command, in the order help lists them. */
const commands: Record<string, Command> = {
  demo: demoCommand,
  init: initCommand,
  ingest: ingestCommand,
  sample: sampleCommand,
  template: templateCommand,
  series: seriesCommand,
  run: runCommand,
  models: modelsCommand,
  audit: auditCommand,
  build: buildCommand,
  preview: previewCommand,
  healthcheck: healthcheckCommand,
  benchmark: benchmarkCommand,
  report: reportCommand,
  rebuild: rebuildCommand,
  summary: summaryCommand,
};

export function registerCommand(name: string, command: Command): void {
  commands[name] = command;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    "fairload: workload returns -> DuckDB -> trends, peaks and troughs, fairness audit, dashboard",
    "",
    "Usage: fairload <command> [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    "",
    "Every command takes --workspace DIR (or FAIRLOAD_WORKSPACE); the default is data/ in the checkout.",
    "Run fairload <command> --help for its options.",
  ].join("\n");
}

// `fairload audit --json | head`: the reader went away, which is not an error
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(help());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`fairload: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      out(`${command.summary}\n\nUsage: ${command.usage}`);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UserError(`${(e as Error).message}\nUsage: ${command.usage}`);
    }
    return await command.run(parsed as { values: Record<string, unknown>; positionals: string[] });
  } catch (e) {
    // a user's mistake, a full disk or a damaged database: a plain message, never a stack trace
    const user = e instanceof UserError ? e : toUserError(e, `fairload ${name}`);
    if (user) {
      process.stderr.write(`fairload ${name}: ${user.message}\n`);
      return user.exitCode;
    }
    const err = e as Error;
    process.stderr.write(`fairload ${name}: unexpected error: ${err.message?.split("\n")[0] ?? err}\n`);
    if (process.env.FAIRLOAD_DEBUG) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write("(set FAIRLOAD_DEBUG=1 for details; this is a bug in fairload, please report it)\n");
    return 70;
  }
}
