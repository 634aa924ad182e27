/**
 * The fairload command line. Each subcommand is a small function over the library code in
 * loaders/ and pipelines/; user mistakes become one clear message and a non-zero exit code,
 * never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { formatProblem, toUserError, UserError } from "../core/errors.ts";
import { type IngestSummary, ingest, readColumnMap } from "../loaders/ingest.ts";
import { createProgress } from "../core/progress.ts";
import { initWorkspace, openWorkspace, resolveWorkspaceDir } from "../core/workspace.ts";
import { summarise, formatSummary } from "../loaders/summary.ts";
import { writeTemplate } from "../loaders/template.ts";
import { analyseSeriesFile, formatSeriesReport } from "../pipelines/series-file.ts";
import { writeSample } from "../loaders/sample/cli.ts";
import { rebuild } from "../loaders/rebuild.ts";
import { type AuditRecord, publicRecord } from "../pipelines/audit.ts";
import { buildSite, serveSite } from "./site.ts";
import { healthCheck } from "../pipelines/healthcheck.ts";
import { auditWorkspace, benchmarkWorkspace, runAll } from "../app/workflow.ts";
import { writeHealthCheckTemplate } from "../loaders/healthcheck-template.ts";
import { join } from "node:path";
import { PROJECT_ROOT } from "../core/workspace.ts";

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}

const workspaceOption = { workspace: { type: "string" as const, short: "w" } };
const jsonOption = { json: { type: "boolean" as const } };

function out(line = ""): void {
  process.stdout.write(`${line}\n`);
}

const commands: Record<string, Command> = {
  demo: {
    summary: "the quick start: load the sample returns, run the pipelines and the audit, build the dashboard and serve it",
    usage: "fairload demo [--workspace DIR] [--port 3000] [--no-serve]",
    options: { ...workspaceOption, port: { type: "string" }, "no-serve": { type: "boolean" } },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined), { create: true });
      const sample = join(PROJECT_ROOT, "data", "sample", "returns");
      const progress = createProgress();
      out(`1/5 Loading the sample returns (synthetic) from ${sample} into ${ws.dir}`);
      const s = await ingest(ws, [sample], { progress });
      printIngest(s);
      if (s.status === "refused") return 2;
      out("2/5 Building the models, analysing every series, the health check and the national benchmark");
      const r = await runAll(ws, progress);
      out(`    ${r.series.toLocaleString("en-GB")} series in ${r.seconds.toFixed(1)} s`);
      out("3/5 Auditing the fairness of allocation");
      const a = await auditWorkspace(ws, {}, progress);
      out(`    ${a.tests} tests in ${a.seconds.toFixed(1)} s`);
      out("4/5 Building the dashboard (offline)");
      const b = await buildSite(ws, {});
      out(`    ${b.pages} pages in ${b.seconds.toFixed(1)} s into ${b.out}`);
      out("");
      out(formatSummary(await summarise(ws)));
      if (values["no-serve"]) return 0;
      const { url } = await serveSite(b.out, Number(values.port ?? 3000));
      out("");
      out(`5/5 The dashboard is at ${url} (Ctrl+C to stop)`);
      await new Promise(() => {});
      return 0;
    },
  },
  init: {
    summary: "create a workspace folder (database, archive, config)",
    usage: "fairload init DIR [--employer NAME]",
    options: { employer: { type: "string" } },
    async run({ values, positionals }) {
      const dir = positionals[0];
      if (!dir) throw new UserError("fairload init needs a folder: fairload init DIR");
      const ws = initWorkspace(dir, { employer: values.employer as string | undefined });
      out(`Workspace ready at ${ws.dir} (config: ${ws.configPath})`);
      return 0;
    },
  },
  ingest: {
    summary: "load monthly workload returns (CSV folder, .xlsx or Parquet), validated and versioned",
    usage: "fairload ingest PATH... [--workspace DIR] [--map COLUMN_MAP.json] [--force] [--json]",
    options: { ...workspaceOption, ...jsonOption, map: { type: "string" }, force: { type: "boolean" } },
    async run({ values, positionals }) {
      if (positionals.length === 0) throw new UserError("fairload ingest needs at least one file or folder: fairload ingest PATH...");
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const columnMap = values.map ? readColumnMap(values.map as string) : undefined;
      const summary = await ingest(ws, positionals, {
        columnMap,
        force: Boolean(values.force),
        progress: createProgress({ json: Boolean(values.json) }),
        beforeCommit: holdBeforeCommit(),
      });
      if (values.json) out(JSON.stringify(summary, null, 2));
      else printIngest(summary);
      return summary.status === "refused" ? 2 : 0;
    },
  },
  sample: {
    summary: "write the synthetic sample employer's returns (CSV folder and/or .xlsx), seeded and reproducible",
    usage: "fairload sample --out DIR [--xlsx FILE] [--seed N] [--workers N] [--months N] [--no-bias]",
    options: { out: { type: "string", short: "o" }, xlsx: { type: "string" }, seed: { type: "string" }, workers: { type: "string" }, months: { type: "string" }, "no-bias": { type: "boolean" } },
    async run({ values }) {
      const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
      const written = await writeSample({ out: values.out as string | undefined, xlsx: values.xlsx as string | undefined, seed: num("seed"), workers: num("workers"), months: num("months"), noBias: Boolean(values["no-bias"]) });
      out(`Wrote ${written.join(" and ")} (synthetic data: see docs/sample-employer.md)`);
      return 0;
    },
  },
  template: {
    summary: "write an Excel workbook for team managers to fill in (drop-downs, hints)",
    usage: "fairload template --out returns.xlsx [--workspace DIR] [--health-check [--check-date YYYY-MM-DD]]",
    options: { ...workspaceOption, out: { type: "string", short: "o" }, "health-check": { type: "boolean" }, "check-date": { type: "string" } },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      if (values["health-check"]) {
        const outFile = (values.out as string | undefined) ?? "health-check.xlsx";
        const r = await writeHealthCheckTemplate(ws, outFile, { checkDate: values["check-date"] as string | undefined });
        out(`Wrote ${outFile}: the 39 prompts for ${r.teams} team${r.teams === 1 ? "" : "s"} (${r.rows} rows), with rating drop-downs`);
        return 0;
      }
      const outFile = (values.out as string | undefined) ?? "returns-template.xlsx";
      await writeTemplate(ws, outFile);
      out(`Wrote ${outFile}`);
      return 0;
    },
  },
  series: {
    summary: "analyse any monthly or annual series in a CSV: trend, seasonality, peaks, level shifts, control chart",
    usage: "fairload series FILE.csv --date COL --value COL [--period 12|1] [--higher-is better|worse] [--filter COL=VALUE]... [--target N] [--json]",
    options: {
      ...jsonOption,
      date: { type: "string" },
      value: { type: "string" },
      period: { type: "string", default: "12" },
      "higher-is": { type: "string" },
      filter: { type: "string", multiple: true },
      target: { type: "string" },
    },
    async run({ values, positionals }) {
      const file = positionals[0];
      if (!file || !values.date || !values.value) throw new UserError("fairload series needs a file, --date COL and --value COL");
      const period = Number(values.period);
      if (period !== 12 && period !== 1) throw new UserError(`--period must be 12 (monthly) or 1 (annual), got ${values.period}`);
      const higher = values["higher-is"] as string | undefined;
      if (higher && !["better", "worse", "neutral"].includes(higher)) throw new UserError(`--higher-is must be better, worse or neutral, got ${higher}`);
      const target = values.target === undefined ? undefined : Number(values.target);
      if (target !== undefined && !Number.isFinite(target)) throw new UserError(`--target must be a number`);
      const { analysis, sentence } = await analyseSeriesFile(file, {
        date: values.date as string,
        value: values.value as string,
        period,
        higherIs: higher as "better" | "worse" | "neutral" | undefined,
        filters: (values.filter as string[] | undefined) ?? [],
        target,
      });
      out(values.json ? JSON.stringify({ ...analysis, summary: sentence }, null, 2) : formatSeriesReport(analysis, sentence));
      return 0;
    },
  },
  run: {
    summary: "build the SQL models and run the time-series engine on every series (trends, peaks, shifts, control charts)",
    usage: "fairload run [--workspace DIR] [--json]",
    options: { ...workspaceOption, ...jsonOption },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const progress = createProgress({ json: Boolean(values.json) });
      const r = await runAll(ws, progress);
      if (values.json) out(JSON.stringify(r, null, 2));
      else {
        out(`Built ${r.models} models and analysed ${r.series.toLocaleString("en-GB")} series in ${r.seconds.toFixed(1)} s (${r.bySeriesStatus.ok ?? 0} with every method, ${r.bySeriesStatus.limited ?? 0} with stated limitations). Results: mart_series, mart_series_points, mart_seasonal_profile, mart_health_check, mart_benchmark.`);
        for (const n of r.benchmarkNotes) out(`  note: ${n}`);
      }
      return 0;
    },
  },
  audit: {
    summary: "fairness audit: are ethnic-minority workers given more complex work, or more of it, with less support?",
    usage: "fairload audit [--workspace DIR] [--as-of YYYY-MM] [--window 12] [--resamples 10000] [--public] [--all] [--json]",
    options: { ...workspaceOption, ...jsonOption, "as-of": { type: "string" }, window: { type: "string" }, resamples: { type: "string" }, public: { type: "boolean" }, all: { type: "boolean" } },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
      const resamples = num("resamples");
      if (resamples !== undefined && (!Number.isInteger(resamples) || resamples < 99)) throw new UserError("--resamples must be a whole number of at least 99");
      const progress = createProgress({ json: Boolean(values.json) });
      const run = await auditWorkspace(ws, { asOf: values["as-of"] as string | undefined, window: num("window"), resamples }, progress);
      const records = values.public ? run.results.map((r) => publicRecord(r, ws.config.min_group_size)) : run.results;
      if (values.json) {
        out(JSON.stringify(records.map(({ monthly_ratios: _m, ...r }) => r), null, 2));
        return 0;
      }
      printAudit(records, run, Boolean(values.all), Boolean(values.public));
      return 0;
    },
  },
  build: {
    summary: "build the dashboard (an Observable Framework site) from the marts, offline; --public for a publishable build",
    usage: "fairload build [--workspace DIR] [--public] [--out DIR]",
    options: { ...workspaceOption, public: { type: "boolean" }, out: { type: "string", short: "o" } },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const r = await buildSite(ws, { public: Boolean(values.public), out: values.out as string | undefined });
      out(`Built ${r.pages} pages into ${r.out} in ${r.seconds.toFixed(1)} s${values.public ? " (public: small groups suppressed, no worker data)" : " (internal)"}.`);
      return 0;
    },
  },
  preview: {
    summary: "serve a built dashboard on this machine (127.0.0.1) and print its address",
    usage: "fairload preview [--out DIR] [--port 3000]",
    options: { out: { type: "string", short: "o" }, port: { type: "string" } },
    async run({ values }) {
      const { url } = await serveSite((values.out as string | undefined) ?? join(PROJECT_ROOT, "dist"), Number(values.port ?? 3000));
      out(`Serving the dashboard at ${url} (Ctrl+C to stop)`);
      await new Promise(() => {});
      return 0;
    },
  },
  healthcheck: {
    summary: "the 39-prompt workload health check: prompts computed from the returns beside the teams' own ratings",
    usage: "fairload healthcheck [--workspace DIR] [--period YYYY-MM] [--level team|service|employer] [--service S] [--team T] [--json]",
    options: { ...workspaceOption, ...jsonOption, period: { type: "string" }, level: { type: "string" }, service: { type: "string" }, team: { type: "string" } },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const level = values.level as "team" | "service" | "employer" | undefined;
      if (level && !["team", "service", "employer"].includes(level)) throw new UserError(`--level must be team, service or employer, got ${level}`);
      const records = await healthCheck(ws, { period: values.period as string | undefined, latest: !values.period, level, service: values.service as string | undefined, team: values.team as string | undefined, thresholds: ws.config.health_check_thresholds });
      if (values.json) {
        out(JSON.stringify(records, null, 2));
        return 0;
      }
      out(`Workload health check, ${records[0]?.period ?? "no data"}: ${records.length} prompt ratings`);
      for (const r of records.filter((x) => x.computed || x.recorded_rating)) {
        const where = r.level === "employer" ? ws.config.employer : r.level === "service" ? r.service : `${r.team} (${r.service})`;
        out(`  ${String(where).slice(0, 40).padEnd(40)} ${String(r.prompt).padStart(2)} ${String(r.heading).slice(0, 28).padEnd(28)} ${r.value === null || r.value === undefined ? "-".padStart(8) : Number(r.value).toFixed(2).padStart(8)} suggested ${String(r.suggested_rating ?? "-").padEnd(5)} recorded ${String(r.recorded_rating ?? "-").padEnd(5)}${r.differs ? "  differs" : ""}`);
      }
      return 0;
    },
  },
  benchmark: {
    summary: "the national benchmark: turnover, agency, vacancy, caseload and absence against England, the region and comparators (DfE)",
    usage: "fairload benchmark [--workspace DIR] [--json]",
    options: { ...workspaceOption, ...jsonOption },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const report = await benchmarkWorkspace(ws);
      if (values.json) {
        out(JSON.stringify(report.records, null, 2));
        return 0;
      }
      const years = [...new Set(report.records.map((r) => r.year))].sort();
      const areas = [...new Set(report.records.map((r) => r.area))];
      for (const m of [...new Set(report.records.map((r) => r.measure))]) {
        out(`\n${m}`);
        out(`  ${"area".padEnd(44)} ${years.map((y) => String(y).padStart(6)).join(" ")}`);
        for (const a of areas) {
          const row = years.map((y) => report.records.find((r) => r.area === a && r.year === y && r.measure === m)?.value);
          if (row.every((v) => v === undefined)) continue;
          out(`  ${a.slice(0, 44).padEnd(44)} ${row.map((v) => (v === undefined || v === null ? "-" : Number(v).toFixed(1)).padStart(6)).join(" ")}`);
        }
      }
      for (const n of report.notes) out(`note: ${n}`);
      out("Source: DfE Children's social work workforce statistics; contains public sector information licensed under the Open Government Licence v3.0.");
      return 0;
    },
  },
  rebuild: {
    summary: "rebuild the database from the archive of raw files, replaying every accepted load in order",
    usage: "fairload rebuild [--workspace DIR]",
    options: { ...workspaceOption },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const progress = createProgress();
      const r = await rebuild(ws, { onLoad: (n, total) => progress.step(`replayed load ${n} of ${total}`, n, total) });
      progress.done();
      out(`Rebuilt ${r.database} from ${r.loads} load${r.loads === 1 ? "" : "s"} (${r.rows.toLocaleString("en-GB")} rows).`);
      return 0;
    },
  },
  summary: {
    summary: "print what the workspace holds: tables, months, services, teams, loads",
    usage: "fairload summary [--workspace DIR] [--json]",
    options: { ...workspaceOption, ...jsonOption },
    async run({ values }) {
      const ws = openWorkspace(resolveWorkspaceDir(values.workspace as string | undefined));
      const s = await summarise(ws);
      out(values.json ? JSON.stringify(s, null, 2) : formatSummary(s));
      return 0;
    },
  },
};

/** A short table of the verdicts that matter and their sentences; --all prints every test. */
function printAudit(records: AuditRecord[], run: { as_of: string; window_start: string; tests: number; seconds: number }, all: boolean, published: boolean): void {
  out(`Fairness audit, ${run.window_start} to ${run.as_of}: ${run.tests} tests in ${run.seconds.toFixed(1)} s${published ? " (as published: small groups suppressed)" : " (internal: rows marked * would be suppressed in published output)"}`);
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  out(`Verdicts: ${[...counts].map(([v, n]) => `${n} ${v}`).join(", ")}`);
  const shown = all ? records : records.filter((r) => r.comparison === "primary" || r.verdict === "adverse disparity" || r.verdict === "favourable disparity");
  const f = (x: number | null) => (x === null ? "    -" : x.toFixed(2).padStart(5));
  out("");
  out(`${"scope".padEnd(44)} ${"measure".padEnd(22)} ${"group".padEnd(20)} ratio  (95% CI)        q      verdict`);
  for (const r of shown) {
    const where = (r.scope === "team" ? `${r.team} (${r.service})` : r.scope_label).slice(0, 43);
    const group = (r.subgroup ? `${r.group}, ${r.subgroup}` : r.group).slice(0, 19);
    out(`${(where + (r.suppressed && !published ? " *" : "")).padEnd(44)} ${r.measure.padEnd(22)} ${group.padEnd(20)} ${f(r.ratio_adjusted)} (${f(r.ci_low)} to ${f(r.ci_high)}) ${r.q_value === null ? "    -" : r.q_value.toPrecision(2).padStart(6)}  ${r.verdict}`);
  }
  const sentences = records.filter((r) => r.verdict === "adverse disparity" || r.verdict === "favourable disparity");
  if (sentences.length) {
    out("");
    for (const r of sentences) out(`- ${r.sentence}`);
  }
}

/**
 * For the crash tests only: FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS makes ingest announce and wait
 * inside its transaction, after every row is written and before COMMIT, so a test can kill it there.
 */
function holdBeforeCommit(): (() => Promise<void>) | undefined {
  const ms = Number(process.env.FAIRLOAD_TEST_HOLD_BEFORE_COMMIT_MS ?? 0);
  if (!ms) return undefined;
  return async () => {
    process.stderr.write("holding before commit\n");
    await new Promise((r) => setTimeout(r, ms));
  };
}

function printIngest(s: IngestSummary): void {
  out(s.message);
  for (const t of s.tables) out(`  ${t.table.padEnd(14)} ${String(t.rows).padStart(9)} rows  from ${t.source}${t.replaced ? `  (replaced ${t.replaced})` : ""}`);
  if (s.problems.length) {
    out("");
    for (const p of s.problems) out(`  ${formatProblem(p)}`);
    if (s.problem_count > s.problems.length) out(`  ... and ${s.problem_count - s.problems.length} more problem${s.problem_count - s.problems.length === 1 ? "" : "s"}`);
  }
  for (const w of s.warnings) out(`  note: ${w}`);
}

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
