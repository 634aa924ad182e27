import { UserError } from "../../core/errors.ts";
import type { AuditRecord, AuditRun } from "../../pipelines/audit.ts";
import { auditWorkspace, publishedAudit, publishedCensusAudit, publishedHrAudit } from "../../app/workflow.ts";
import { type Command, jsonOption, num, openFromOptions, out, printedJson, progressFor, str, workspaceOption } from "./common.ts";

export const auditCommand: Command = {
  summary: "fairness audit: are ethnic-minority workers given more complex work, or more of it, with less support?",
  usage: "fairload audit [--workspace DIR] [--as-of YYYY-MM] [--window 12] [--resamples 10000] [--seed N] [--public] [--all] [--json]",
  options: { ...workspaceOption, ...jsonOption, "as-of": { type: "string" }, window: { type: "string" }, resamples: { type: "string" }, seed: { type: "string" }, public: { type: "boolean" }, all: { type: "boolean" } },
  async run({ values }) {
    const ws = openFromOptions(values);
    const resamples = num(values, "resamples");
    if (resamples !== undefined && (!Number.isInteger(resamples) || resamples < 99)) throw new UserError("--resamples must be a whole number of at least 99");
    const seed = num(values, "seed");
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) throw new UserError("--seed must be a whole number of 0 or more");
    const run = await auditWorkspace(ws, { asOf: str(values, "as-of"), window: num(values, "window"), resamples, seed }, progressFor(values));
    // published: the public layer's rows (withheld tests empty, no worker counts); internal: every
    // test, marked * where the public layer withholds it
    const published = await publishedAudit(ws);
    const withheld = new Set(published.filter((r) => r.suppressed).map((r) => JSON.stringify([r.scope, r.service, r.team, r.comparison, r.subgroup, r.group, r.measure])));
    const records = values.public
      ? (published as unknown as AuditRecord[])
      : run.results.map((r) => ({ ...r, suppressed: withheld.has(JSON.stringify([r.scope, r.service, r.team, r.comparison, r.subgroup, r.group, r.measure])) }));
    // the census and Annex A tests (their own family; none without those returns), after the main ones
    const censusPublished = await publishedCensusAudit(ws);
    const censusKey = (r: Record<string, unknown>) => JSON.stringify([r.source, r.census_year, r.scope, r.team, r.comparison, r.group, r.measure]);
    const censusWithheld = new Set(censusPublished.filter((r) => r.suppressed).map(censusKey));
    const census = values.public ? censusPublished : run.census.results.map((r) => ({ ...r, suppressed: censusWithheld.has(censusKey(r as unknown as Record<string, unknown>)) }));
    // the HR tables' tests (their own family: family_id "HR: ..."; each names its HR table in `table`)
    const hrPublished = await publishedHrAudit(ws);
    const hrKey = (r: Record<string, unknown>) => JSON.stringify([r.measure, r.subgroup, r.scope, r.service, r.comparison, r.group]);
    const hrWithheld = new Set(hrPublished.filter((r) => r.suppressed).map(hrKey));
    const hr = values.public ? hrPublished : run.hr.results.map((r) => ({ ...r, suppressed: hrWithheld.has(hrKey(r as unknown as Record<string, unknown>)) }));
    if (printedJson(values, [...records.map(({ monthly_ratios: _m, monthly_workers_group: _g, monthly_workers_reference: _r, ...r }) => r), ...census, ...hr])) return 0;
    printAudit(records, run, Boolean(values.all), Boolean(values.public));
    if (!values.public) printFindings(run.findings);
    printCensusAudit(census as unknown as CensusRow[], Boolean(values.all), Boolean(values.public));
    printHrAudit(hr as unknown as HrRow[], Boolean(values.all), Boolean(values.public));
    return 0;
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

/** The primary family's findings: one per team (or service), with the service rows a team explains. */
function printFindings(findings: AuditRun["findings"]): void {
  out("");
  out(`Findings of the declared primary question: ${findings.length}`);
  for (const f of findings) {
    out(`- ${f.where}: ${f.verdict} in ${f.measures.map((m) => m.replaceAll("_", " ")).join(" and ")}${f.explains.length ? ` (this team also drives ${f.explains.length} service-level result${f.explains.length === 1 ? "" : "s"})` : ""}`);
  }
}

type CensusRow = { source: string; census_year: number | null; scope: string; scope_label: string; team: string | null; measure: string; group: string; ratio_adjusted: number | null; ci_low: number | null; ci_high: number | null; q_value: number | null; verdict: string; sentence: string; comparison: string; suppressed: boolean };

/** The census and Annex A tests (pipelines/census-audit.ts): the primary comparisons and every disparity; --all prints every test. */
function printCensusAudit(rows: CensusRow[], all: boolean, published: boolean): void {
  if (rows.length === 0) return;
  out("");
  out(`From the census and Annex A: ${rows.length} tests (their own family, "census and Annex A")`);
  const shown = all ? rows : rows.filter((r) => r.comparison === "primary" || r.verdict === "adverse disparity" || r.verdict === "favourable disparity");
  const f = (x: number | null) => (x === null ? "    -" : x.toFixed(2).padStart(5));
  for (const r of shown) {
    const where = (r.source === "census" ? `census ${r.census_year}` : r.scope === "team" ? `Annex A, ${r.team}` : "Annex A").slice(0, 43);
    out(`${(where + (r.suppressed && !published ? " *" : "")).padEnd(44)} ${r.measure.padEnd(22)} ${r.group.slice(0, 19).padEnd(20)} ${f(r.ratio_adjusted)} (${f(r.ci_low)} to ${f(r.ci_high)}) ${r.q_value === null ? "    -" : r.q_value.toPrecision(2).padStart(6)}  ${r.verdict}`);
  }
  for (const r of rows.filter((x) => x.verdict === "adverse disparity" || x.verdict === "favourable disparity")) out(`- ${r.sentence}`);
}

type HrRow = { measure: string; subgroup: string | null; scope: string; scope_label: string; service: string | null; comparison: string; group: string; ratio_adjusted: number | null; ci_low: number | null; ci_high: number | null; relative_likelihood: number | null; q_value: number | null; family: string | null; verdict: string; sentence: string; suppressed: boolean };

/** The HR tests (pipelines/hr-audit.ts): the primary family and every disparity or watch; --all prints every test. */
function printHrAudit(rows: HrRow[], all: boolean, published: boolean): void {
  if (rows.length === 0) return;
  out("");
  out(`From the HR tables: ${rows.length} tests (their own family, "HR"; ratio like with like, then the relative likelihood as WRES reports it)`);
  const shown = all ? rows : rows.filter((r) => r.family === "primary" || r.verdict === "adverse disparity" || r.verdict === "favourable disparity" || r.verdict === "possible disparity: watch");
  const f = (x: number | null) => (x === null ? "    -" : x.toFixed(2).padStart(5));
  out(`${"scope".padEnd(31)} ${"question".padEnd(39)} ${"group".padEnd(18)} ratio  (95% CI)        WRES RL   q      verdict`);
  for (const r of shown) {
    const where = (r.scope === "service" ? r.service! : r.scope_label).slice(0, 30);
    const what = (r.subgroup ? `${r.measure}, ${r.subgroup}` : r.measure).slice(0, 38);
    out(`${(where + (r.suppressed && !published ? " *" : "")).padEnd(31)} ${what.padEnd(39)} ${r.group.slice(0, 17).padEnd(18)} ${f(r.ratio_adjusted)} (${f(r.ci_low)} to ${f(r.ci_high)}) RL ${f(r.relative_likelihood)} ${r.q_value === null ? "    -" : r.q_value.toPrecision(2).padStart(6)}  ${r.verdict}`);
  }
  for (const r of rows.filter((x) => x.verdict === "adverse disparity" || x.verdict === "favourable disparity")) out(`- ${r.sentence}`);
}
