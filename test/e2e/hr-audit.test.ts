/**
 * The HR part of `fairload audit` (pipelines/hr-audit.ts; docs/hr-analysis.md): calibration of its
 * three primary questions on simulated employers, the fast path against the true one, and the
 * sample employer's figures (the three primary questions, and caseload reviews: how many, whether
 * they helped, what was done), with what the public layer publishes of them.
 *
 * Calibration (40 seeds each, the generator's HR tables through the same SQL models and the same
 * HR step as `fairload audit`, test/support/hr-scenarios.ts; the primary family only, with the
 * production settings: settled Monte Carlo, 10,000 resamples at most):
 *
 * - no gap planted (ratios 1): an adverse verdict in at most 5% of employers for each question;
 * - a gap of 0.6 in the top rating and in review requests ending in reallocation, in an employer of
 *   140 posts (about 60 ethnic-minority and 60 White British; five years, five appraisal cycles):
 *   adverse in at least 80% for each; appointment from shortlisting there is too rare to be found
 *   (about 45 shortlisted decisions a group in five years), and must never read "no evidence";
 * - the same gap in appointment from shortlisting among about 60 ethnic-minority and 60 White
 *   British shortlisted workers (280 posts over five years): adverse in at least 80%;
 * - a team of 12: every primary question "too few to tell".
 *
 * The Not known re-runs of the primary family (as the main audit's), 20 seeds each: an employer
 * where most ethnic-minority workers' ethnicity is recorded as Not known (so the gap sits among the
 * Not known workers): counted with the ethnic-minority group the gap is found, and the verdict is
 * said to depend on where they are counted; with no gap planted, no re-run is adverse.
 *
 * The calibration figures are printed (and quoted in docs/hr-analysis.md).
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { auditWorkspace, runAll } from "../../app/workflow.ts";
import { defaultConfig } from "../../core/config.ts";
import { CONTRACT, TABLE_NAMES } from "../../core/contract.ts";
import { DERIVED_COLUMNS, ensureSchema, openDb, queryRows, quoteIdent, SQL_TYPE, writeTable } from "../../core/db.ts";
import { normaliseEthnicity } from "../../core/ethnicity.ts";
import type { Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { generateEmployer, type SampleOptions } from "../../loaders/sample/generator.ts";
import { HR_PRIMARY_QUESTIONS, type HrAuditOptions, type HrAuditRecord, type HrAuditRun, hrAuditStep } from "../../pipelines/hr-audit.ts";
import { registry } from "../../pipelines/project.ts";
import { upstreamOf } from "../../pipelines/registry.ts";
import { attack, type CountCell } from "../support/attacker.ts";
import { runModels } from "../../pipelines/run.ts";
import { relativeLikelihood } from "../../pipelines/stats/fairness.ts";
import { ROOT, tempWorkspace } from "../support/helpers.ts";
import { hrAuditGenerated, hrAuditGeneratedThroughIngest } from "../support/hr-scenarios.ts";

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
const SAS = "Safeguarding and Support";
const NULL_HR = { ratingTopLR: 1, appointLR: 1, reviewReallocLR: 1 };

/**
 * One service of five teams (so the gap is planted across the employer: the generator plants it
 * in a service), ethnic-minority share 0.43 (the generator splits the rest 77% White British, so
 * the two groups are about equal), no allocation bias, caseloads rising 25% a year (so that every
 * group asks for caseload reviews), five years of returns and a five-year HR window.
 */
const employer = (posts: number, hr: SampleOptions["hr"], seed: number): SampleOptions => ({
  seed, services: [SAS], teams: ["A", "B", "C", "D", "E"].map((t) => ({ service: SAS, team: `Team ${t}`, size: Math.round(posts / 5) })),
  bias: [], ethnicMinorityShare: 0.43, trendPerYear: 0.25, months: 60, hr,
});

const primaryOf = (r: HrAuditRun, q: string) => r.results.filter((x) => x.family === "primary" && x.measure === q);
const adverse = (r: HrAuditRun, q: string) => primaryOf(r, q).some((x) => x.verdict === "adverse disparity");

interface Tally {
  adverse: Record<string, number>;
  noEvidence: Record<string, number>;
  favourable: Record<string, number>;
  compared: Record<string, [number, number]>;
  decisions: Record<string, [number, number]>;
  ratio: Record<string, number[]>;
}

async function calibrate(name: string, sample: (seed: number) => SampleOptions): Promise<Tally> {
  const t: Tally = { adverse: {}, noEvidence: {}, favourable: {}, compared: {}, decisions: {}, ratio: {} };
  for (const q of HR_PRIMARY_QUESTIONS) {
    t.adverse[q] = t.noEvidence[q] = t.favourable[q] = 0;
    t.compared[q] = [0, 0];
    t.decisions[q] = [0, 0];
    t.ratio[q] = [];
  }
  const t0 = performance.now();
  for (const seed of SEEDS) {
    // the primary verdicts themselves (the Not known re-runs are calibrated below)
    const r = await hrAuditGenerated(sample(seed), { window: 60, sensitivity: false });
    for (const q of HR_PRIMARY_QUESTIONS) {
      const rows = primaryOf(r, q);
      if (adverse(r, q)) t.adverse[q]++;
      if (rows.some((x) => x.verdict === "no evidence of disparity")) t.noEvidence[q]++;
      if (rows.some((x) => x.verdict === "favourable disparity")) t.favourable[q]++;
      const e = rows.find((x) => x.scope === "employer");
      if (e) {
        t.compared[q] = [t.compared[q]![0] + e.n_workers_group_compared / SEEDS.length, t.compared[q]![1] + e.n_workers_reference_compared / SEEDS.length];
        t.decisions[q] = [t.decisions[q]![0] + e.n_decisions_group / SEEDS.length, t.decisions[q]![1] + e.n_decisions_reference / SEEDS.length];
        if (e.ratio_adjusted !== null) t.ratio[q]!.push(e.ratio_adjusted);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(`HR calibration, ${name} (${SEEDS.length} seeds, ${((performance.now() - t0) / 1000).toFixed(0)} s):`);
  for (const q of HR_PRIMARY_QUESTIONS) {
    console.log(`  ${q.padEnd(26)} adverse ${String(t.adverse[q]).padStart(2)}/${SEEDS.length}, no evidence ${t.noEvidence[q]}, favourable ${t.favourable[q]}; median ratio ${median(t.ratio[q]!).toFixed(2)}; workers compared ${t.compared[q]!.map((x) => x.toFixed(0)).join(" / ")}, decisions ${t.decisions[q]!.map((x) => x.toFixed(0)).join(" / ")} (ethnic-minority / White British, mean)`);
  }
  return t;
}

describe("calibration of the HR primary questions (40 seeds each, the same SQL models and HR step as fairload audit)", () => {
  it("no gap planted: an adverse verdict in at most 5% of employers for each primary question", async () => {
    const t = await calibrate("no gap planted, 140 posts, five years", (seed) => employer(140, NULL_HR, seed));
    for (const q of HR_PRIMARY_QUESTIONS) {
      expect(t.adverse[q], q).toBeLessThanOrEqual(2);
      expect(t.favourable[q], q).toBeLessThanOrEqual(2);
    }
  }, 1_800_000);

  it("a gap of 0.6 among about 60 ethnic-minority and 60 White British workers: the top rating and reallocation after a review request adverse in at least 80%", async () => {
    const t = await calibrate("gap 0.6 planted, 140 posts, five years", (seed) => employer(140, {}, seed));
    for (const q of ["top_rating", "review_reallocated"]) {
      expect(t.adverse[q], q).toBeGreaterThanOrEqual(32);
      // about 60 workers of each group compared
      expect(t.compared[q]![0], q).toBeGreaterThan(50);
      expect(t.compared[q]![1], q).toBeGreaterThan(50);
    }
    // appointments from shortlisting are too rare here to find the gap reliably; they must never be
    // called "no evidence" (or favourable) when a 40% gap is there
    expect(t.noEvidence.appointed_if_shortlisted).toBe(0);
    expect(t.favourable.appointed_if_shortlisted).toBe(0);
    for (const q of HR_PRIMARY_QUESTIONS) expect(t.noEvidence[q], q).toBe(0);
  }, 1_800_000);

  it("a gap of 0.6 in appointment from shortlisting among about 60 ethnic-minority and 60 White British shortlisted workers: adverse in at least 80%", async () => {
    const t = await calibrate("gap 0.6 planted, 280 posts, five years", (seed) => employer(280, {}, seed));
    expect(t.adverse.appointed_if_shortlisted).toBeGreaterThanOrEqual(32);
    expect(t.compared.appointed_if_shortlisted![0]).toBeGreaterThan(50);
    expect(t.compared.appointed_if_shortlisted![1]).toBeGreaterThan(50);
    for (const q of HR_PRIMARY_QUESTIONS) expect(t.adverse[q], q).toBeGreaterThanOrEqual(32);
  }, 2_400_000);

  it("small numbers (a team of 12): every primary question too few to tell", async () => {
    const verdicts = new Map<string, number>();
    let tested = 0;
    for (const seed of SEEDS) {
      const r = await hrAuditGenerated({ seed, services: [SAS], teams: [{ service: SAS, team: "Small Team", size: 12 }], bias: [], ethnicMinorityShare: 0.43, trendPerYear: 0.25, months: 36 });
      for (const x of r.results.filter((y) => y.family === "primary")) {
        tested++;
        verdicts.set(x.verdict, (verdicts.get(x.verdict) ?? 0) + 1);
      }
    }
    console.log(`HR calibration, a team of 12 (40 seeds, gap 0.6 planted): ${tested} primary tests: ${[...verdicts].map(([v, n]) => `${n} ${v}`).join(", ")}`);
    expect(tested).toBeGreaterThan(80);
    expect([...verdicts.keys()]).toEqual(["too few to tell"]);
  }, 600_000);
});

/**
 * As test/support/hr-scenarios.ts `hrAuditGenerated` (the generated rows straight into an in-memory
 * store, the SQL models the HR step reads, the HR step), with a share of the ethnic-minority
 * workers' ethnicity recorded as Not known ("Prefer not to say"), chosen by a hash of the seed and
 * the worker: the generator plants its gaps among ethnic-minority workers, so they then sit among
 * the Not known workers too.
 */
async function hrAuditWithNotKnown(sample: SampleOptions, share: number, opts: HrAuditOptions): Promise<HrAuditRun> {
  const { tables } = generateEmployer({ months: 36, ...sample });
  const hash = (x: string) => {
    let h = 2166136261;
    for (let i = 0; i < x.length; i++) h = Math.imul(h ^ x.charCodeAt(i), 16777619);
    return (h >>> 0) / 2 ** 32;
  };
  tables.staff = tables.staff.map((r) => (normaliseEthnicity(r.ethnicity as string | null)?.reporting_group === "Ethnic minorities" && hash(`${sample.seed}|${String(r.worker_id)}`) < share ? { ...r, ethnicity: "REFU" } : r));
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
  const conn = await instance.connect();
  try {
    await ensureSchema(conn);
    for (const t of TABLE_NAMES) {
      const rows = tables[t];
      if (!rows.length) continue;
      const columns = Object.fromEntries(CONTRACT[t].columns.map((c) => [c.name, SQL_TYPE[c.type]]));
      for (const d of DERIVED_COLUMNS[t] ?? []) columns[d.name] = d.sql;
      const typed = t === "staff" ? rows.map((r) => {
        const e = normaliseEthnicity(r.ethnicity as string | null)!;
        return { ...r, ethnicity_code: e.code, ethnicity_label: e.label, ons_group: e.ons_group, reporting_group: e.reporting_group };
      }) : rows;
      await writeTable(conn, `gen_${t}`, columns, typed);
      const cols = Object.keys(columns).map(quoteIdent).join(", ");
      await conn.run(`INSERT INTO hist_${t} (_load_id, _source, _row, ${cols}, extra, _superseded_by) SELECT 1, 'generated', row_number() OVER (), ${cols}, NULL, NULL FROM gen_${t}`);
      await conn.run(`DROP TABLE gen_${t}`);
    }
    await conn.run(`INSERT INTO loads VALUES (1, now(), ['generated'], NULL, NULL, NULL)`);
    const config = defaultConfig("Scenario");
    await runModels(conn, config, upstreamOf(registry(), hrAuditStep.upstream).filter((m) => m.kind === "sql" || m.step === "seeds"));
    return (await hrAuditStep.compute({ conn, config }, { secondary: false, figures: false, ...opts })).extra;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe("the Not known re-runs of the primary family (20 seeds each, as the main audit's)", () => {
  const NK_SEEDS = SEEDS.slice(0, 20);
  /** 80% of the ethnic-minority workers recorded as Not known: about a third of the workforce. */
  const NK_SHARE = 0.8;
  const tally = async (name: string, hr: SampleOptions["hr"]) => {
    const t = Object.fromEntries(HR_PRIMARY_QUESTIONS.map((q) => [q, { base: 0, asGroup: 0, asReference: 0, changes: 0, notKnown: 0, workers: 0 }]));
    const rows: HrAuditRecord[] = [];
    const t0 = performance.now();
    for (const seed of NK_SEEDS) {
      const r = await hrAuditWithNotKnown(employer(140, hr, seed), NK_SHARE, { window: 60 });
      for (const x of r.results.filter((y) => y.family === "primary" && y.scope === "employer")) {
        rows.push(x);
        const c = t[x.measure]!;
        if (x.verdict === "adverse disparity") c.base++;
        if (x.sensitivity_as_group === "adverse disparity") c.asGroup++;
        if (x.sensitivity_as_reference === "adverse disparity") c.asReference++;
        if (x.verdict_changes_if_not_known) c.changes++;
        c.workers += x.n_workers_group_compared / NK_SEEDS.length;
      }
    }
    console.log(`HR Not known re-runs, ${name} (${NK_SEEDS.length} seeds, ${((performance.now() - t0) / 1000).toFixed(0)} s; 80% of ethnic-minority workers recorded as Not known):`);
    for (const q of HR_PRIMARY_QUESTIONS) {
      const c = t[q]!;
      console.log(`  ${q.padEnd(26)} adverse as it stands ${c.base}/${NK_SEEDS.length}, counted with the group ${c.asGroup}, counted with the reference ${c.asReference}; verdict depends on them ${c.changes}; ethnic-minority workers compared ${c.workers.toFixed(0)} (mean)`);
    }
    return { t, rows };
  };
  const consistent = (rows: HrAuditRecord[]) => {
    for (const x of rows) {
      expect(x.sensitivity_as_group, x.measure).not.toBeNull();
      expect(x.sensitivity_as_reference, x.measure).not.toBeNull();
      expect(x.verdict_changes_if_not_known).toBe(x.sensitivity_as_group !== x.verdict || x.sensitivity_as_reference !== x.verdict);
      if (x.verdict_changes_if_not_known) expect(x.sentence).toMatch(/depends on where the workers whose ethnicity is not known are counted/);
      else if (x.verdict !== "too few to tell") expect(x.sentence).toMatch(/holds whether the workers whose ethnicity is not known are counted/);
    }
  };

  it("the gap among the Not known workers: counted with the ethnic-minority group it is found, and the verdict is said to depend on them", async () => {
    const { t, rows } = await tally("gap 0.6 planted, 140 posts, five years", {});
    consistent(rows);
    // few ethnic-minority workers of known ethnicity are left to compare: the top rating's gap is
    // rarely found without the Not known workers, and found counted with them
    expect(t.top_rating!.asGroup).toBeGreaterThanOrEqual(14);
    expect(t.top_rating!.base).toBeLessThanOrEqual(4);
    expect(t.top_rating!.changes).toBeGreaterThanOrEqual(14);
    // reallocation after a review request: requests are many, so the gap is found either way; counted with the group, always
    expect(t.review_reallocated!.asGroup).toBeGreaterThanOrEqual(16);
    // counted with the reference group, the gap they carry dilutes the comparison: never more adverse than counted with the group
    for (const q of HR_PRIMARY_QUESTIONS) expect(t[q]!.asReference, q).toBeLessThanOrEqual(t[q]!.asGroup);
  }, 900_000);

  it("no gap planted, the same Not known workers: no re-run is adverse in more than 2 of 20 employers", async () => {
    const { t, rows } = await tally("no gap planted, 140 posts, five years", NULL_HR);
    consistent(rows);
    for (const q of HR_PRIMARY_QUESTIONS) {
      expect(t[q]!.asGroup, q).toBeLessThanOrEqual(2);
      expect(t[q]!.asReference, q).toBeLessThanOrEqual(2);
    }
  }, 900_000);

  it("off on request (sensitivity: false), and the primary verdicts are the same either way", async () => {
    const sample = employer(140, {}, 5);
    const on = await hrAuditWithNotKnown(sample, NK_SHARE, { window: 60 });
    const off = await hrAuditWithNotKnown(sample, NK_SHARE, { window: 60, sensitivity: false });
    expect(off.results.map((x) => [x.measure, x.scope, x.verdict, x.ratio_adjusted, x.p_value])).toEqual(on.results.map((x) => [x.measure, x.scope, x.verdict, x.ratio_adjusted, x.p_value]));
    for (const x of off.results) expect([x.sensitivity_as_group, x.sensitivity_as_reference, x.verdict_changes_if_not_known]).toEqual([null, null, null]);
  }, 300_000);
});

describe("the fast path and the true one", () => {
  it("give the same HR results: generator -> CSV -> fairload ingest -> fairload run -> the audit's HR part", async () => {
    const sample: SampleOptions = { seed: 7, services: [SAS, "Children in Care"], teams: [{ service: SAS, team: "North", size: 24 }, { service: SAS, team: "South", size: 24 }, { service: "Children in Care", team: "East", size: 20 }], bias: [], ethnicMinorityShare: 0.43, trendPerYear: 0.25, months: 36 };
    const fast = await hrAuditGenerated(sample, { secondary: true });
    const slow = await hrAuditGeneratedThroughIngest(sample, { secondary: true });
    const key = (x: HrAuditRecord) => [x.measure, x.subgroup, x.scope, x.service, x.comparison, x.group, x.ratio_adjusted, x.ci_low, x.ci_high, x.p_value, x.q_value, x.verdict, x.relative_likelihood].join("|");
    expect(fast.results.length).toBeGreaterThan(20);
    expect(slow.results.map(key)).toEqual(fast.results.map(key));
    // the services are in the primary family (as the main audit's stage 1)
    expect(fast.results.some((x) => x.family === "primary" && x.scope === "service")).toBe(true);
    // the Not known re-runs: every primary test (the generator records some workers' ethnicity as Not known), no secondary one
    const nk = (x: HrAuditRecord) => [x.sensitivity_as_group, x.sensitivity_as_reference, x.verdict_changes_if_not_known].join("|");
    expect(slow.results.map(nk)).toEqual(fast.results.map(nk));
    for (const x of fast.results) expect(x.verdict_changes_if_not_known === null, `${x.measure} ${x.family}`).toBe(x.family !== "primary");
  }, 600_000);

  it("an employer without HR tables: no HR tests, and no error", async () => {
    const r = await hrAuditGenerated({ seed: 3, months: 24, hr: false }, { secondary: true, figures: true });
    // leaving in the year comes from the monthly returns alone
    expect(r.results.every((x) => x.table === "worker_month")).toBe(true);
    expect(r.records).toEqual({ appraisal: 0, progression: 0, training: 0, review_request: 0, leave: 0 });
    expect(r.review).toBeNull();
  }, 120_000);
});

describe("the sample employer (data/sample/returns)", () => {
  let ws: Workspace;
  let hr: HrAuditRun;
  const q = async <T>(sql: string) => {
    const db = await openDb(ws.dbPath, { readOnly: true });
    try {
      return JSON.parse(JSON.stringify(await queryRows<T>(db.conn, sql), (_k, v) => (typeof v === "bigint" ? Number(v) : v))) as T[];
    } finally {
      db.close();
    }
  };
  beforeAll(async () => {
    ws = tempWorkspace("Northshire (sample)");
    const s = await ingest(ws, [join(ROOT, "data", "sample", "returns")]);
    expect(s.status).toBe("accepted");
    await runAll(ws);
    hr = (await auditWorkspace(ws, { resamples: 999 })).hr;
  }, 600_000);

  it("tests the three primary questions for the whole employer and each service, with the WRES relative likelihood beside each", () => {
    const primary = hr.results.filter((x) => x.family === "primary");
    console.log("The sample's HR primary questions (ethnic-minority against White British, same role and service):");
    for (const x of primary) {
      console.log(`  ${x.measure.padEnd(26)} ${(x.service ?? "whole employer").padEnd(26)} ratio ${x.ratio_adjusted?.toFixed(2) ?? "-"} (${x.ci_low?.toFixed(2) ?? "-"} to ${x.ci_high?.toFixed(2) ?? "-"}), WRES RL ${x.relative_likelihood?.toFixed(2) ?? "-"} (${x.rl_ci_low?.toFixed(2) ?? "-"} to ${x.rl_ci_high?.toFixed(2) ?? "-"}), ${x.events_group}/${x.n_decisions_group} against ${x.events_reference}/${x.n_decisions_reference}, q ${x.q_value?.toPrecision(2) ?? "-"}: ${x.verdict}; Not known counted with the group: ${x.sensitivity_as_group}, with the reference: ${x.sensitivity_as_reference}`);
    }
    for (const m of HR_PRIMARY_QUESTIONS) expect(primary.some((x) => x.measure === m && x.scope === "employer"), m).toBe(true);
    expect(new Set(primary.map((x) => x.family_id))).toEqual(new Set(["HR: primary (employer and services)"]));
    // the family's size: the tests with at least 5 workers compared on each side
    const m = primary.filter((x) => x.n_workers_group_compared >= 5 && x.n_workers_reference_compared >= 5 && x.p_value !== null).length;
    for (const x of primary) expect(x.family_size).toBe(m);
    // the relative likelihood is the crude one, Katz interval, as WRES reports it
    for (const x of hr.results.filter((y) => y.relative_likelihood !== null)) {
      const rl = relativeLikelihood(x.events_group!, x.n_decisions_group, x.events_reference!, x.n_decisions_reference);
      expect(x.relative_likelihood).toBeCloseTo(rl.ratio, 10);
      expect(x.rl_ci_low).toBeCloseTo(rl.ci_low, 10);
    }
    // a secondary question is never a disparity
    for (const x of hr.results.filter((y) => y.family === "secondary")) expect(["adverse disparity", "favourable disparity"]).not.toContain(x.verdict);
    // every sentence names no count
    for (const x of hr.results) expect(x.sentence).not.toMatch(/(?<!than )\b\d+ (workers|requests|appraisals)\b/);
  });

  it("answers the staff side's three questions about caseload reviews: how many, whether it helped, and what was done", async () => {
    const s = hr.review as Record<string, number | string | null>;
    const ba = hr.before_after as Record<string, number | string | null>[];
    const all = ba.find((b) => b.measure === "caseload_per_fte" && b.subset === "all requests")!;
    const pts = ba.find((b) => b.measure === "points_per_fte" && b.subset === "all requests")!;
    const outcomes = await q<{ outcome: string; group: string; requests: number; share: number; median_days_to_outcome: number }>(`SELECT * FROM mart_hr_review_outcomes WHERE "group" = 'All' ORDER BY "order"`);
    console.log(`The sample's caseload reviews: ${s.requests} requests from ${s.requesters} workers (${s.requests_last_12} in the last 12 months), ${s.trend_direction} (${Number(s.trend_pct_per_year).toFixed(0)}% a year), ${s.chart_kind} chart, ${s.special_causes} special cause(s); median ${s.median_days_to_outcome} days to an outcome`);
    console.log(`  what was done: ${outcomes.map((o) => `${o.outcome} ${o.requests}`).join(", ")}`);
    for (const b of [all, pts]) console.log(`  ${b.measure}: before ${Number(b.before).toFixed(2)}, after ${Number(b.after).toFixed(2)}, change ${Number(b.change).toFixed(2)} (95% CI ${Number(b.ci_low).toFixed(2)} to ${Number(b.ci_high).toFixed(2)}) over ${b.workers} workers and ${b.requests} requests; against colleagues ${Number(b.change_vs_colleagues).toFixed(2)} (${Number(b.vs_colleagues_ci_low).toFixed(2)} to ${Number(b.vs_colleagues_ci_high).toFixed(2)})`);
    // how many: every request of the return, and the months add up to them
    const [{ n }] = await q<{ n: number }>(`SELECT count(*) AS n FROM review_request`);
    expect(s.requests).toBe(n);
    const monthly = await q<{ requests: number }>(`SELECT requests FROM mart_hr_review_monthly`);
    expect(monthly.reduce((t, m) => t + m.requests, 0)).toBe(n);
    expect(["increasing", "decreasing", "no trend"]).toContain(s.trend_direction);
    expect(String(s.chart_kind)).toMatch(/^(xmr|regression)/);
    // what was done: the outcomes add up to the requests
    expect(outcomes.filter((o) => o.outcome !== "All outcomes").reduce((t, o) => t + o.requests, 0)).toBe(n);
    // whether it helped: the change in caseload per FTE with an interval over workers
    for (const b of [all, pts]) {
      expect(Number(b.workers)).toBeGreaterThanOrEqual(10);
      expect(Number(b.ci_low)).toBeLessThanOrEqual(Number(b.change));
      expect(Number(b.ci_high)).toBeGreaterThanOrEqual(Number(b.change));
      expect(String(b.sentence)).toMatch(/three months before to the three after/);
    }
    // the sample's reallocations are records only (docs/sample-employer.md): they move no cases, so
    // caseloads did not fall after a request, not even against colleagues
    expect(Number(all.ci_high)).toBeGreaterThan(0);
    expect(Number(all.vs_colleagues_ci_high)).toBeGreaterThan(0);
  });

  it("publishes only what the disclosure rule allows", async () => {
    const min = ws.config.min_group_size;
    const cells = await q<{ frame: string; count: number | null; withheld: boolean }>(`SELECT frame, count, withheld FROM pub_hr_cells`);
    expect(cells.length).toBeGreaterThan(50);
    for (const c of cells) if (c.count !== null) expect(c.count).toBeGreaterThanOrEqual(min);
    expect(cells.some((c) => c.withheld)).toBe(true);
    // leave: each team (all groups together) and the employer by group; an attacker who knows
    // that teams add up to the employer, and so do the groups, narrows no withheld count
    const leave = await q<{ leave_year: number; level: string; service: string | null; team: string | null; group: string; workers: number | null }>(`SELECT leave_year, level, service, team, "group", workers FROM pub_hr_leave`);
    expect(leave.filter((l) => l.level === "team").length).toBeGreaterThan(0);
    expect(leave.filter((l) => l.level === "team" && l.group !== "All")).toEqual([]);
    expect(leave.some((l) => l.workers === null)).toBe(true);
    const leaveCells: CountCell[] = leave.map((l) => ({ period: String(l.leave_year), level: l.level as CountCell["level"], service: l.service, team: l.team, group: l.group, value: l.workers === null ? null : Number(l.workers), source: "pub_hr_leave" }));
    expect(await attack(leaveCells, min)).toEqual([]);
    // the public results: no counts, a ratio only where both groups had the minimum compared
    const pubCols = (await q<{ column_name: string }>(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'pub_hr_fairness_results'`)).map((c) => c.column_name);
    expect(pubCols.filter((c) => /^n_|events|decisions|rate_/.test(c))).toEqual([]);
    const joined = await q<{ published: boolean; enough: boolean; rl: boolean; nk: boolean }>(`
      SELECT p.ratio_adjusted IS NOT NULL OR p.verdict <> '[c]' AS published,
             h.n_workers_group_compared >= ${min} AND h.n_workers_reference_compared >= ${min} AS enough,
             p.relative_likelihood IS NOT NULL AS rl,
             p.sensitivity_as_group IS NOT DISTINCT FROM (CASE WHEN h.n_workers_group_compared >= ${min} AND h.n_workers_reference_compared >= ${min} THEN h.sensitivity_as_group END)
               AND p.verdict_changes_if_not_known IS NOT DISTINCT FROM (CASE WHEN h.n_workers_group_compared >= ${min} AND h.n_workers_reference_compared >= ${min} THEN h.verdict_changes_if_not_known END) AS nk
      FROM hr_fairness_results h JOIN pub_hr_fairness_results p USING (measure, scope, comparison, "group")
      WHERE p.subgroup IS NOT DISTINCT FROM h.subgroup AND p.service IS NOT DISTINCT FROM h.service`);
    expect(joined.length).toBe(hr.results.length);
    expect(joined.some((j) => j.published)).toBe(true);
    expect(joined.some((j) => !j.published)).toBe(true);
    for (const j of joined) {
      expect(j.published).toBe(j.enough);
      // the WRES relative likelihood can be worked back to its counts: never published with the tests
      expect(j.rl).toBe(false);
      // the Not known re-runs' verdicts: published with the test
      expect(j.nk).toBe(true);
    }
    // likelihoods only from published rating counts, and equal to the internal ones there
    const rates = await q<{ measure: string; subgroup: string; group: string; rate: number | null; relative_likelihood: number | null; internal_rate: number; internal_rl: number | null }>(`
      SELECT p.measure, p.subgroup, p."group", p.rate, p.relative_likelihood, m.rate AS internal_rate, m.relative_likelihood AS internal_rl
      FROM pub_hr_rates p JOIN mart_hr_rates m USING (measure, subgroup, "group")`);
    for (const r of rates) if (r.rate !== null) expect(["top_rating", "bottom_rating"], r.measure).toContain(r.measure);
    const published = rates.filter((r) => r.relative_likelihood !== null);
    expect(published.length).toBeGreaterThan(0);
    for (const r of rates.filter((x) => x.rate !== null)) expect(r.rate).toBeCloseTo(r.internal_rate, 10);
    for (const r of published) expect(r.relative_likelihood).toBeCloseTo(r.internal_rl!, 10);
    // the before-and-after means: only over at least the minimum workers
    const ba = await q<{ change: number | null; withheld: boolean }>(`SELECT change, withheld FROM pub_hr_review_before_after WHERE measure = 'caseload_per_fte' AND subset = 'all requests'`);
    expect(ba[0]!.withheld).toBe(false);
    expect(ba[0]!.change).not.toBeNull();
  });
});
