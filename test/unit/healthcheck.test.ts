/**
 * The workload health check (pipelines/healthcheck.ts) and its template
 * (loaders/healthcheck-template.ts) on the shipped sample employer: computed prompts against
 * figures recomputed here by hand with SQL on the contract tables, roll-ups that add up,
 * recorded ratings, disagreements, latest-vs-previous comparison, marts, an empty health_check
 * table, annual leave (prompt 31, from the optional HR table leave: no leave table changes
 * nothing, a team with high carry-over is flagged), and a filled-in template that ingests and
 * reads back.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../core/db.ts";
import { buildHealthCheckTemplate, HEALTH_CHECK_COLUMNS, writeHealthCheckTemplate } from "../../loaders/healthcheck-template.ts";
import { ingest } from "../../loaders/ingest.ts";
import type { Workspace } from "../../core/workspace.ts";
import {
  COMPUTED_PROMPTS,
  DEFAULT_THRESHOLDS,
  HEADINGS,
  LEAVE_PROMPT,
  PROMPTS,
  aggregateHealthCheck,
  compareChecks,
  healthCheck,
  healthCheckData,
  rateValue,
  ratingChange,
  readChecks,
  resolveThresholds,
  writeHealthCheckMarts,
  type HealthCheckData,
  type HealthCheckRecord,
} from "../../pipelines/healthcheck.ts";
import { runAll } from "../../app/workflow.ts";
import { ROOT, query, tempDir, tempWorkspace } from "../support/helpers.ts";

const SAMPLE = join(ROOT, "data", "sample", "returns");
const SAFEGUARDING = "Safeguarding and Support";
const FSN = "Family Safeguarding North";
const REL = 1e-9;

let ws: Workspace;
let data: HealthCheckData;

/** Relative closeness for figures recomputed from the same sums in another order. */
function close(a: number | null, b: number | null, rel = REL): void {
  expect(a).not.toBeNull();
  expect(b).not.toBeNull();
  expect(Math.abs(a! - b!)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b!)));
}

let byTeam: Map<string, HealthCheckRecord>;
const teamRec = (team: string, period: string, p: number) => {
  const r = byTeam.get(JSON.stringify([team, period, p]));
  if (!r) throw new Error(`no record for ${team} ${period} prompt ${p}`);
  return r;
};

beforeAll(async () => {
  ws = tempWorkspace("Northshire");
  ws.config = { ...ws.config, ceilings: [{ service: SAFEGUARDING, caseload_per_fte: 18 }] };
  await ingest(ws, [SAMPLE]);
  await runAll(ws, undefined, { workers: false });
  const db = await openDb(ws.dbPath);
  try {
    data = await healthCheckData(db.conn, ws.config);
    byTeam = new Map(data.records.filter((x) => x.level === "team").map((x) => [JSON.stringify([x.team, x.period, x.prompt]), x]));
    await writeHealthCheckMarts(db.conn, data);
  } finally {
    db.close();
  }
}, 60_000);

describe("the prompts", () => {
  it("are 39, numbered 1-39, under the five headings with the stated ranges", () => {
    expect(PROMPTS.map((p) => p.number)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
    const counts = HEADINGS.map((h) => PROMPTS.filter((p) => p.heading === h.heading).length);
    expect(counts).toEqual([10, 10, 4, 10, 5]);
    expect(PROMPTS[12]!.heading).toBe("Proactive workflow management");
    expect(PROMPTS[33]!.heading).toBe("A healthy workplace");
    expect(new Set(PROMPTS.map((p) => p.text)).size).toBe(39);
  });
});

describe("thresholds", () => {
  it("rate lower-is-better and higher-is-better figures at the documented boundaries", () => {
    const vac = DEFAULT_THRESHOLDS.prompts[1]!;
    expect([9.99, 10, 15, 15.01].map((v) => rateValue(v, vac))).toEqual(["green", "amber", "amber", "red"]);
    const sup = DEFAULT_THRESHOLDS.prompts[8]!;
    expect([95, 90, 89.9, 80, 79.9].map((v) => rateValue(v, sup))).toEqual(["green", "green", "amber", "amber", "red"]);
    expect(rateValue(null, vac)).toBeNull();
  });

  it("prompt 31: the share of leave taken and the days carried over per FTE, each against its own rule", () => {
    const share = DEFAULT_THRESHOLDS.prompts[31]!;
    expect([100, 90, 89.9, 80, 79.9].map((v) => rateValue(v, share))).toEqual(["green", "green", "amber", "amber", "red"]);
    const carried = DEFAULT_THRESHOLDS.leaveCarriedOver;
    expect([2.99, 3, 5, 5.01].map((v) => rateValue(v, carried))).toEqual(["green", "amber", "amber", "red"]);
    const t = resolveThresholds({ leaveCarriedOver: { better: "lower", amber: 2, red: 4 }, prompts: { "31": { better: "higher", amber: 95, red: 85 } } });
    expect(t.leaveCarriedOver).toEqual({ better: "lower", amber: 2, red: 4 });
    expect(t.prompts[31]).toEqual({ better: "higher", amber: 95, red: 85 });
    expect(resolveThresholds({}).leaveCarriedOver).toEqual(carried);
    expect(() => resolveThresholds({ leaveCarriedOver: { better: "lower", amber: 5, red: 3 } })).toThrow(/leaveCarriedOver/);
  });

  it("can be overridden, and a bad override names the key", () => {
    const t = resolveThresholds({ prompts: { "1": { better: "lower", amber: 5, red: 8 } } });
    expect(t.prompts[1]).toEqual({ better: "lower", amber: 5, red: 8 });
    expect(t.prompts[2]).toEqual(DEFAULT_THRESHOLDS.prompts[2]);
    expect(() => resolveThresholds({ prompts: { "6": { better: "lower", amber: 1, red: 2 } } })).toThrow(/prompt 6 is not computed/);
    expect(() => resolveThresholds({ prompts: { "1": { better: "lower", amber: 15, red: 10 } } })).toThrow(/prompts\.1/);
    expect(() => resolveThresholds({ colour: 1 })).toThrow(/colour|Unrecognized/);
  });

  it("order ratings green > amber > red", () => {
    expect(ratingChange("green", "red")).toBe("improved");
    expect(ratingChange("red", "amber")).toBe("worse");
    expect(ratingChange("amber", "amber")).toBe("same");
    expect(ratingChange("n/a", "green")).toBeNull();
    expect(ratingChange("green", null)).toBeNull();
  });
});

describe("computed prompts match figures recomputed from the contract tables", () => {
  it("prompt 1: vacancy rate = vacant_fte / establishment_fte", async () => {
    const [raw] = await query<{ team: string; period: string; v: number }>(ws, `
      SELECT team, period, vacant_fte / establishment_fte * 100 AS v FROM team_month WHERE vacant_fte > 0 ORDER BY period DESC, team LIMIT 1`);
    const rec = teamRec(raw.team, raw.period, 1);
    close(rec.value, raw.v);
    expect(rec.suggested_rating).toBe(rateValue(raw.v, DEFAULT_THRESHOLDS.prompts[1]!));
  });

  it("prompt 2: agency share = agency FTE / FTE on the workers' return (0, not missing, without agency staff)", async () => {
    const rows = await query<{ team: string; v: number }>(ws, `
      SELECT team, sum(CASE WHEN employment = 'agency' THEN fte ELSE 0 END) / sum(fte) * 100 AS v
      FROM worker_month WHERE period = '2026-09' GROUP BY team`);
    for (const r of rows) close(teamRec(r.team, "2026-09", 2).value, r.v);
    const none = await query<{ team: string; period: string }>(ws, `
      SELECT team, period FROM worker_month GROUP BY team, period HAVING count(*) FILTER (WHERE employment = 'agency') = 0 LIMIT 5`);
    for (const r of none) expect(teamRec(r.team, r.period, 2).value).toBe(0);
  });

  it("prompt 3: long-term absence = long_term_absence_fte / establishment_fte", async () => {
    const [raw] = await query<{ team: string; v: number }>(ws, `
      SELECT team, long_term_absence_fte / establishment_fte * 100 AS v FROM team_month
      WHERE period = '2025-12' AND long_term_absence_fte > 0 ORDER BY team LIMIT 1`);
    close(teamRec(raw.team, "2025-12", 3).value, raw.v);
  });

  it("prompt 4: turnover = leavers over 12 months / average monthly headcount", async () => {
    const [raw] = await query<{ v: number }>(ws, `
      SELECT (SELECT sum(leavers) FROM team_month WHERE team = '${FSN}' AND period BETWEEN '2025-10' AND '2026-09')
           / (SELECT count(*) / 12.0 FROM worker_month WHERE team = '${FSN}' AND period BETWEEN '2025-10' AND '2026-09') * 100 AS v`);
    close(teamRec(FSN, "2026-09", 4).value, raw.v);
    // the first 11 months of the data have no complete 12-month window
    expect(teamRec(FSN, "2024-08", 4).value).toBeNull();
    expect(teamRec(FSN, "2024-08", 4).detail).toMatch(/12 months/);
    expect(teamRec(FSN, "2024-09", 4).value).not.toBeNull();
  });

  it("prompt 5: cases per case-holding FTE, rated against the configured ceiling", async () => {
    const [raw] = await query<{ v: number }>(ws, `
      WITH c AS (SELECT worker_id, count(*) AS n FROM case_month WHERE period = '2026-09' GROUP BY worker_id)
      SELECT sum(c.n) / sum(w.fte) AS v FROM worker_month w JOIN c USING (worker_id) WHERE w.period = '2026-09' AND w.team = '${FSN}'`);
    const rec = teamRec(FSN, "2026-09", 5);
    close(rec.value, raw.v);
    close(rec.rating_value, (raw.v / 18) * 100);
    expect(rec.suggested_rating).toBe(rateValue((raw.v / 18) * 100, DEFAULT_THRESHOLDS.prompts[5]!));
    // no ceiling configured for First Response: a figure, but no suggested rating
    const fr = teamRec("Front Door and MASH", "2026-09", 5);
    expect(fr.value).not.toBeNull();
    expect(fr.suggested_rating).toBeNull();
    expect(fr.detail).toMatch(/no caseload ceiling/);
  });

  it("prompt 7: TOIL hours per FTE of the workers with TOIL recorded", async () => {
    const [raw] = await query<{ v: number }>(ws, `
      SELECT sum(toil_hours) / sum(fte) FILTER (WHERE toil_hours IS NOT NULL) AS v FROM worker_month WHERE period = '2026-09' AND team = '${FSN}'`);
    close(teamRec(FSN, "2026-09", 7).value, raw.v);
  });

  it("prompt 8: supervision held / planned over the 12 months to the month", async () => {
    const [raw] = await query<{ v: number; m: number }>(ws, `
      SELECT sum(supervision_held) FILTER (WHERE supervision_planned IS NOT NULL) / sum(supervision_planned) * 100 AS v,
             (SELECT sum(supervision_held) FILTER (WHERE supervision_planned IS NOT NULL) / sum(supervision_planned) * 100 FROM worker_month WHERE team = '${FSN}' AND period = '2026-09') AS m
      FROM worker_month WHERE team = '${FSN}' AND period BETWEEN '2025-10' AND '2026-09'`);
    const rec = teamRec(FSN, "2026-09", 8);
    close(rec.value, raw.v);
    close(rec.value_month, raw.m);
    expect(rec.months_12m).toBe(12);
  });

  it("prompt 11: unallocated cases now and their 12-month mean; rated per case-holding FTE", async () => {
    const [raw] = await query<{ now: number; avg: number }>(ws, `
      SELECT (SELECT unallocated_cases FROM team_month WHERE team = 'Assessment Team North' AND period = '2026-09') AS now,
             avg(unallocated_cases) AS avg FROM team_month WHERE team = 'Assessment Team North' AND period BETWEEN '2025-10' AND '2026-09'`);
    const rec = teamRec("Assessment Team North", "2026-09", 11);
    expect(rec.value).toBe(raw.now);
    close(rec.value_12m, raw.avg);
  });

  it("prompt 12: re-referral rate over 12 months (ratio of sums, not a mean of monthly rates)", async () => {
    const [raw] = await query<{ v: number }>(ws, `
      SELECT sum(re_referrals) / sum(referrals) * 100 AS v FROM team_month WHERE team = '${FSN}' AND period BETWEEN '2025-10' AND '2026-09'`);
    close(teamRec(FSN, "2026-09", 12).value, raw.v);
  });

  it("prompt 13: peaks and troughs from the series engine (the team's series, or the service's)", async () => {
    const [s] = await query<{ peak_months: number[]; trough_months: number[] }>(ws, `
      SELECT peak_months, trough_months FROM mart_series WHERE level = 'team' AND team = '${FSN}' AND measure = 'referrals'`);
    const rec = teamRec(FSN, "2026-09", 13);
    expect(rec.series_scope).toBe("team");
    expect(rec.peak_months).toEqual(s.peak_months);
    expect(rec.trough_months).toEqual(s.trough_months);
    expect(rec.detail).toMatch(/team referrals series/);
    // the employer record reads the employer's own series
    const [e] = await query<{ peak_months: number[]; trough_months: number[] }>(ws, `
      SELECT peak_months, trough_months FROM mart_series WHERE level = 'employer' AND measure = 'referrals'`);
    const emp = data.records.find((x) => x.level === "employer" && x.period === "2026-09" && x.prompt === 13)!;
    expect([emp.peak_months, emp.trough_months, emp.series_scope]).toEqual([e.peak_months, e.trough_months, "employer"]);
    expect(emp.peak_months!.length).toBeGreaterThan(0); // the sample plants a seasonal pattern
  });

  it("prompt 16: share of team members holding at least one case", async () => {
    const [raw] = await query<{ v: number }>(ws, `
      SELECT count(DISTINCT c.worker_id) / count(DISTINCT w.worker_id) * 100 AS v
      FROM worker_month w LEFT JOIN case_month c ON c.worker_id = w.worker_id AND c.period = w.period
      WHERE w.period = '2026-09' AND w.team = 'Children in Care (City)'`);
    close(teamRec("Children in Care (City)", "2026-09", 16).value, raw.v);
  });

  it("prompt 31: share of leave entitlement taken and days carried over per FTE, workers in post at the end of the latest leave year; the worse rule rates it", async () => {
    // the leave year ending in the 12 months to 2026-09 ends in March 2026; its workers in post
    // at its end are those with a return in FSN that March
    const leaveOf = async (team: string, year: number) => (await query<{ share: number; carried: number; paid: number; workers: number }>(ws, `
      SELECT sum(l.taken_days) / sum(l.entitlement_days) * 100 AS share, sum(l.carried_over_days) / sum(w.fte) AS carried,
             sum(l.paid_in_lieu_days) / sum(w.fte) AS paid, count(*) AS workers
      FROM leave l JOIN worker_month w ON w.worker_id = l.worker_id AND w.period = '${year}-03'
      WHERE l.leave_year = ${year} AND w.team = '${team}'`))[0]!;
    const worse = (a: string | null, b: string | null) => (a === "red" || b === "red" ? "red" : a === "amber" || b === "amber" ? "amber" : a ?? b);
    for (const team of [FSN, "Assessment Team North", "Kinship and Adoption"]) {
      const raw = await leaveOf(team, 2026);
      const rec = teamRec(team, "2026-09", LEAVE_PROMPT);
      expect([rec.computed, rec.measure, rec.second_unit]).toEqual([true, "leave_taken_share", "days of leave carried over per FTE"]);
      close(rec.value, raw.share);
      close(rec.second_value, raw.carried);
      expect(rec.parts.leave_workers).toBe(raw.workers);
      expect(rec.parts.leave_year).toBe(2026);
      expect(rec.suggested_rating).toBe(worse(rateValue(raw.share, DEFAULT_THRESHOLDS.prompts[31]!), rateValue(raw.carried, DEFAULT_THRESHOLDS.leaveCarriedOver)));
      expect(rec.detail).toMatch(/leave year to March 2026/);
      expect(rec.detail).toMatch(/days carried over per FTE/);
    }
    // the sample plants carry-over rising with caseload in Safeguarding and Support: FSN carries
    // more than a working week per FTE (red)
    expect(teamRec(FSN, "2026-09", LEAVE_PROMPT).suggested_rating).toBe("red");
    // before March 2026, the leave year to March 2025; the figure stays a ratio of sums in roll-ups
    close(teamRec(FSN, "2026-02", LEAVE_PROMPT).value, (await leaveOf(FSN, 2025)).share);
    const emp = data.records.find((x) => x.level === "employer" && x.period === "2026-09" && x.prompt === LEAVE_PROMPT)!;
    const [all] = await query<{ share: number; workers: number }>(ws, `
      SELECT sum(l.taken_days) / sum(l.entitlement_days) * 100 AS share, count(*) AS workers
      FROM leave l JOIN worker_month w ON w.worker_id = l.worker_id AND w.period = '2026-03' WHERE l.leave_year = 2026`);
    close(emp.value, all.share);
    expect(emp.parts.leave_workers).toBe(all.workers);
    // a leave year that ended before the returns' first March has nobody in post at its end
    // recorded: no figure, and a plain reason
    const first = teamRec(FSN, "2023-12", LEAVE_PROMPT);
    expect(first.value).toBeNull();
    expect(first.suggested_rating).toBeNull();
    expect(first.detail).toMatch(/no leave year on record/);
  });

  it("prompt 34: sickness days per FTE over 12 months, and rising against the 12 months before", async () => {
    const sick = async (from: string, to: string) =>
      (await query<{ v: number }>(ws, `
        SELECT sum(sickness_days) / (sum(fte) FILTER (WHERE sickness_days IS NOT NULL) / 12) AS v
        FROM worker_month WHERE team = '${FSN}' AND period BETWEEN '${from}' AND '${to}'`))[0]!.v;
    const now = await sick("2025-10", "2026-09");
    const before = await sick("2024-10", "2025-09");
    const rec = teamRec(FSN, "2026-09", 34);
    close(rec.value, now);
    close(rec.value_prev_year, before);
    expect(rec.rising).toBe(now > before * 1.1);
  });
});

describe("roll-up from team to service to employer", () => {
  const latest = () => data.records.filter((x) => x.period === data.latestPeriod);
  const countKeys = ["teams", "recorded_green", "recorded_amber", "recorded_red", "recorded_na", "recorded_missing", "suggested_green", "suggested_amber", "suggested_red", "differing"] as const;

  it("rating counts add up across teams to each service and across services to the employer", () => {
    const recs = latest();
    for (const p of PROMPTS) {
      const emp = recs.find((x) => x.level === "employer" && x.prompt === p.number)!;
      const services = recs.filter((x) => x.level === "service" && x.prompt === p.number);
      const teams = recs.filter((x) => x.level === "team" && x.prompt === p.number);
      expect(emp.teams).toBe(12);
      for (const k of countKeys) {
        expect(services.reduce((s, x) => s + x[k], 0), `${k} prompt ${p.number}`).toBe(emp[k]);
        for (const svc of services) expect(teams.filter((t) => t.service === svc.service).reduce((s, x) => s + x[k], 0)).toBe(svc[k]);
      }
      expect(emp.recorded_green + emp.recorded_amber + emp.recorded_red + emp.recorded_na + emp.recorded_missing).toBe(12);
    }
  });

  it("figures are ratios of sums: the employer's vacancy rate and supervision from the contract tables", async () => {
    const emp = (p: number) => data.records.find((x) => x.level === "employer" && x.period === "2026-01" && x.prompt === p)!;
    const [v] = await query<{ v: number }>(ws, `SELECT sum(vacant_fte) / sum(establishment_fte) * 100 AS v FROM team_month WHERE period = '2026-01'`);
    close(emp(1).value, v.v);
    const [s] = await query<{ v: number }>(ws, `
      SELECT sum(supervision_held) FILTER (WHERE supervision_planned IS NOT NULL) / sum(supervision_planned) * 100 AS v
      FROM worker_month WHERE period BETWEEN '2025-02' AND '2026-01'`);
    close(emp(8).value, s.v);
    expect(emp(8).suggested_rating).toBe(rateValue(s.v, DEFAULT_THRESHOLDS.prompts[8]!));
  });

  it("aggregateHealthCheck is pure: the same team records give the same roll-up", () => {
    const teams = data.records.filter((x) => x.level === "team" && x.period === data.latestPeriod && x.prompt !== 13);
    const again = aggregateHealthCheck(teams, { thresholds: data.thresholds });
    const before = data.records.filter((x) => x.level !== "team" && x.period === data.latestPeriod && x.prompt !== 13);
    const key = (x: HealthCheckRecord) => `${x.level}|${x.service}|${x.prompt}`;
    expect(new Map(again.map((x) => [key(x), [x.value, x.suggested_rating, x.recorded_red]]))).toEqual(new Map(before.map((x) => [key(x), [x.value, x.suggested_rating, x.recorded_red]])));
  });
});

describe("recorded ratings, disagreements and the comparison of checks", () => {
  it("each team record carries its latest check's rating, and differs when both ratings exist and differ", async () => {
    const rows = await query<{ team: string; prompt: number; rating: string; d: string }>(ws, `
      SELECT team, prompt, rating, strftime(check_date, '%Y-%m-%d') AS d FROM health_check h
      WHERE check_date = (SELECT max(check_date) FROM health_check h2 WHERE h2.team = h.team AND h2.service = h.service)`);
    expect(rows.length).toBe(12 * 39);
    for (const r of rows) {
      const rec = teamRec(r.team, "2026-09", r.prompt);
      expect(rec.recorded_rating).toBe(r.rating);
      expect(rec.check_date).toBe(r.d);
      const colour = ["green", "amber", "red"].includes(r.rating);
      expect(rec.differs).toBe(colour && rec.suggested_rating !== null ? r.rating !== rec.suggested_rating : null);
    }
    // before any check, nothing is recorded; between checks, the earlier one applies
    const [c] = await query<{ first: string; before: string; between: string }>(ws, `
      SELECT strftime(min(check_date), '%Y-%m-%d') AS first, strftime(min(check_date) - INTERVAL 1 MONTH, '%Y-%m') AS before,
             strftime(min(check_date) + INTERVAL 1 MONTH, '%Y-%m') AS between
      FROM health_check WHERE team = '${FSN}'`);
    expect(teamRec(FSN, c.before, 1).recorded_rating).toBeNull();
    expect(teamRec(FSN, c.between, 1).check_date).toBe(c.first);
  });

  it("lists every recorded disagreement with its next step, as escalated", async () => {
    const rows = await query<{ n: number }>(ws, `SELECT count(*) AS n FROM health_check WHERE trim(coalesce(disagreement, '')) <> ''`);
    expect(data.disagreements.length).toBe(rows[0].n);
    expect(data.disagreements.length).toBeGreaterThan(0);
    expect(data.disagreements.every((d) => d.escalated === true && d.disagreement.length > 0)).toBe(true);
    const d = data.disagreements[0]!;
    const [raw] = await query<{ next_step: string | null }>(ws, `
      SELECT next_step FROM health_check WHERE check_date = DATE '${d.check_date}' AND team = '${d.team.replace(/'/g, "''")}' AND prompt = ${d.prompt}`);
    expect(d.next_step).toBe(raw.next_step);
    expect(d.has_next_step).toBe(raw.next_step !== null);
    const [mart] = await query<{ n: number }>(ws, `SELECT count(*) AS n FROM mart_health_check_disagreements`);
    expect(mart.n).toBe(data.disagreements.length);
  });

  it("compares each team's latest check with its previous one, prompt by prompt", async () => {
    const rows = await query<{ team: string; prompt: number; a: string | null; b: string | null }>(ws, `
      WITH d AS (SELECT service, team, check_date, dense_rank() OVER (PARTITION BY service, team ORDER BY check_date DESC) AS k FROM (SELECT DISTINCT service, team, check_date FROM health_check))
      SELECT l.team, l.prompt, l.rating AS a, p.rating AS b
      FROM health_check l JOIN d dl ON dl.service = l.service AND dl.team = l.team AND dl.check_date = l.check_date AND dl.k = 1
      LEFT JOIN d dp ON dp.service = l.service AND dp.team = l.team AND dp.k = 2
      LEFT JOIN health_check p ON p.service = l.service AND p.team = l.team AND p.check_date = dp.check_date AND p.prompt = l.prompt`);
    const cmp = compareChecks(data.checks);
    expect(cmp.length).toBe(12 * 39);
    const order: Record<string, number> = { red: 1, amber: 2, green: 3 };
    let improved = 0;
    let worse = 0;
    for (const r of rows) {
      const c = cmp.find((x) => x.team === r.team && x.prompt === r.prompt)!;
      expect([c.latest_rating, c.previous_rating]).toEqual([r.a, r.b]);
      const want = order[r.a ?? ""] && order[r.b ?? ""] ? (order[r.a!]! > order[r.b!]! ? "improved" : order[r.a!]! < order[r.b!]! ? "worse" : "same") : null;
      expect(c.change).toBe(want);
      if (want === "improved") improved++;
      if (want === "worse") worse++;
      expect(teamRec(r.team, "2026-09", r.prompt).change).toBe(want);
    }
    expect(improved).toBeGreaterThan(0);
    expect(worse).toBeGreaterThan(0);
  });
});

describe("marts", () => {
  it("store the stated grains", async () => {
    const [hc] = await query<{ n: number; k: number; lvl: number }>(ws, `SELECT count(*) AS n, count(DISTINCT (service, team, prompt)) AS k, count(DISTINCT level) AS lvl FROM mart_health_check`);
    expect(hc).toEqual({ n: 12 * 39, k: 12 * 39, lvl: 1 });
    const [sm] = await query<{ n: number; k: number; p: number }>(ws, `SELECT count(*) AS n, count(DISTINCT (level, service, team, prompt)) AS k, count(DISTINCT period) AS p FROM mart_health_check_summary`);
    expect(sm).toEqual({ n: (12 + 5 + 1) * 39, k: (12 + 5 + 1) * 39, p: 1 });
    const [vals] = await query<{ peaks: number[]; parts: string }>(ws, `SELECT peak_months AS peaks, CAST(parts AS VARCHAR) AS parts FROM mart_health_check WHERE team = '${FSN}' AND prompt = 13`);
    expect(vals.peaks).toEqual(teamRec(FSN, "2026-09", 13).peak_months);
    const [p1] = await query<{ parts: string; value: number }>(ws, `SELECT CAST(parts AS VARCHAR) AS parts, value FROM mart_health_check WHERE team = '${FSN}' AND prompt = 1`);
    expect(JSON.parse(p1.parts)).toEqual(teamRec(FSN, "2026-09", 1).parts);
  });
});

describe("with an empty health_check table", () => {
  it("computed prompts still work and every recorded field is null", async () => {
    const dir = join(tempDir(), "returns");
    mkdirSync(dir);
    for (const f of readdirSync(SAMPLE).filter((f) => f !== "health_check.csv")) copyFileSync(join(SAMPLE, f), join(dir, f));
    const bare = tempWorkspace("Bare");
    bare.config = ws.config;
    await ingest(bare, [dir]);
    const recs = await healthCheck(bare, { latest: true });
    expect(recs.length).toBe((12 + 5 + 1) * 39);
    expect(recs.every((x) => x.recorded_rating === null && x.check_date === null && x.differs === null && x.disagreement === null)).toBe(true);
    const emp = recs.filter((x) => x.level === "employer");
    expect(emp.every((x) => x.recorded_missing === 12)).toBe(true);
    for (const p of COMPUTED_PROMPTS) {
      const a = recs.find((x) => x.level === "team" && x.team === FSN && x.prompt === p)!;
      const b = teamRec(FSN, "2026-09", p);
      expect([a.value, a.suggested_rating, a.peak_months], `prompt ${p}`).toEqual([b.value, b.suggested_rating, b.peak_months]);
    }
    // no mart_series here: prompt 13 came from the same engine, run on the spot
    expect(recs.find((x) => x.team === FSN && x.prompt === 13)!.detail).toMatch(/computed now/);
  });
});

describe("annual leave (prompt 31) is computed only from the optional HR table leave", () => {
  // the sample without its leave table: nothing changes but prompt 31, left to the team's own
  // rating as before; then a leave table in which one team carries over a lot
  let bare: Workspace;
  let before: HealthCheckRecord[];
  const HIGH = "Assessment Team North";
  beforeAll(async () => {
    const dir = join(tempDir(), "returns");
    mkdirSync(dir);
    for (const f of readdirSync(SAMPLE).filter((f) => f !== "leave.csv")) copyFileSync(join(SAMPLE, f), join(dir, f));
    bare = tempWorkspace("No leave");
    bare.config = ws.config;
    const s = await ingest(bare, [dir]);
    expect(s.status, s.message).toBe("accepted");
    before = await healthCheck(bare, { latest: true });
  }, 120_000);

  it("no leave table: prompt 31 is not computed, and every other prompt is as with it", () => {
    expect(before.length).toBe((12 + 5 + 1) * 39);
    for (const x of before.filter((y) => y.prompt === LEAVE_PROMPT)) {
      expect([x.computed, x.measure, x.unit, x.value, x.second_value, x.second_unit, x.suggested_rating, x.detail, x.contributors], `${x.level} ${x.team}`).toEqual([false, null, null, null, null, null, null, null, 0]);
      expect(x.parts).toEqual({});
    }
    const key = (x: HealthCheckRecord) => JSON.stringify([x.level, x.service, x.team, x.prompt]);
    const withLeave = new Map(data.records.filter((x) => x.period === data.latestPeriod).map((x) => [key(x), x]));
    for (const x of before.filter((y) => y.prompt !== LEAVE_PROMPT)) {
      const y = withLeave.get(key(x))!;
      expect([x.computed, x.measure, x.value, x.second_value, x.suggested_rating, x.recorded_rating, x.differs, x.suggested_green, x.suggested_amber, x.suggested_red], key(x))
        .toEqual([y.computed, y.measure, y.value, y.second_value, y.suggested_rating, y.recorded_rating, y.differs, y.suggested_green, y.suggested_amber, y.suggested_red]);
    }
  });

  it("a team with high carry-over is flagged, on the days carried over alone", async () => {
    // the sample's leave, with every worker in post in HIGH at the end of the leave year to March
    // 2026 carrying 8 days over (days taken unchanged: the share taken stays green)
    const inTeam = new Set((await query<{ worker_id: string }>(ws, `SELECT worker_id FROM worker_month WHERE period = '2026-03' AND team = '${HIGH}'`)).map((r) => r.worker_id));
    const green = teamRec(HIGH, "2026-09", LEAVE_PROMPT);
    expect(green.suggested_rating).toBe("green");
    const lines = readFileSync(join(SAMPLE, "leave.csv"), "utf8").trimEnd().split(/\r?\n/);
    const cols = lines[0]!.split(",");
    const [iw, iy, ic] = ["worker_id", "leave_year", "carried_over_days"].map((c) => cols.indexOf(c));
    const edited = lines.map((l, i) => {
      const f = l.split(",");
      if (i > 0 && f[iy!] === "2026" && inTeam.has(f[iw!]!)) f[ic!] = "8";
      return f.join(",");
    });
    const dir = join(tempDir(), "leave");
    mkdirSync(dir);
    writeFileSync(join(dir, "leave.csv"), `${edited.join("\n")}\n`);
    const s = await ingest(bare, [dir]);
    expect(s.status, s.message).toBe("accepted");
    const after = await healthCheck(bare, { latest: true });
    const rec = after.find((x) => x.level === "team" && x.team === HIGH && x.prompt === LEAVE_PROMPT)!;
    expect(rec.computed).toBe(true);
    expect(rec.second_value).toBeGreaterThan(DEFAULT_THRESHOLDS.leaveCarriedOver.red);
    close(rec.value, green.value);
    expect(rateValue(rec.value, DEFAULT_THRESHOLDS.prompts[31]!)).toBe("green");
    expect(rec.suggested_rating).toBe("red");
    expect(rec.detail).toMatch(/rated on the days carried over per FTE \(amber from 3, red above 5\)/);
    // the other teams are as on the sample
    for (const x of after.filter((y) => y.level === "team" && y.prompt === LEAVE_PROMPT && y.team !== HIGH)) {
      const y = teamRec(x.team!, "2026-09", LEAVE_PROMPT);
      expect([x.value, x.second_value, x.suggested_rating], x.team!).toEqual([y.value, y.second_value, y.suggested_rating]);
    }
    // and the service's and employer's roll-ups count it
    const svc = after.find((x) => x.level === "service" && x.service === "First Response" && x.prompt === LEAVE_PROMPT)!;
    expect(svc.suggested_red).toBe(1);
  });
});

// Last on purpose: the round trip below adds a check to the shared workspace.
describe("the template", () => {
  it("lists every team x prompt with exactly the contract's columns, rating drop-downs and a guidance sheet", async () => {
    const file = join(tempDir(), "hc.xlsx");
    const written = await writeHealthCheckTemplate(ws, file);
    expect(written).toEqual({ teams: 12, rows: 12 * 39 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet("health_check")!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(["check_date", "service", "team", "prompt", "rating", "notes", "disagreement", "next_step"]);
    expect(HEALTH_CHECK_COLUMNS).toEqual(["check_date", "service", "team", "prompt", "rating", "notes", "disagreement", "next_step"]);
    expect(sheet.actualRowCount).toBe(1 + 12 * 39);
    expect(sheet.getCell("D2").value).toBe(1);
    expect(sheet.getCell("D40").value).toBe(39);
    expect(String(sheet.getCell("D14").note)).toMatch(/Proactive workflow management/);
    expect(sheet.getCell("E2").dataValidation).toMatchObject({ type: "list", formulae: ['"green,amber,red,n/a"'] });
    const guide = wb.getWorksheet("guidance")!;
    const texts = guide.getColumn(3).values.filter((v) => typeof v === "string");
    for (const p of PROMPTS) expect(texts).toContain(p.text);
  });

  it("filled in for one team, ingests cleanly and reads back", async () => {
    const file = join(tempDir(), "hc-one.xlsx");
    const [before] = await query<{ d: string }>(ws, `SELECT strftime(max(check_date), '%Y-%m-%d') AS d FROM health_check WHERE team = 'Kinship and Adoption'`);
    await writeHealthCheckTemplate(ws, file, { team: "Kinship and Adoption", checkDate: "2026-10-14" });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet("health_check")!;
    const ratings = ["green", "amber", "red", "n/a"];
    for (let i = 0; i < 39; i++) {
      const row = sheet.getRow(i + 2);
      row.getCell(5).value = ratings[i % 4]!;
      if (i === 4) {
        row.getCell(6).value = "Caseloads high after two leavers";
        row.getCell(7).value = "Staff rate this red";
        row.getCell(8).value = "Escalated to Head of Service";
      }
    }
    await wb.xlsx.writeFile(file);
    const s = await ingest(ws, [file]);
    expect(s.status, s.message).toBe("accepted");
    const back = await query<{ prompt: number; rating: string; notes: string | null; disagreement: string | null; next_step: string | null; service: string }>(
      ws, `SELECT prompt, rating, notes, disagreement, next_step, service FROM health_check WHERE team = 'Kinship and Adoption' AND check_date = DATE '2026-10-14' ORDER BY prompt`);
    expect(back.map((b) => b.prompt)).toEqual(PROMPTS.map((p) => p.number));
    expect(back.map((b) => b.rating)).toEqual(PROMPTS.map((_, i) => ratings[i % 4]));
    expect(back[4]).toMatchObject({ notes: "Caseloads high after two leavers", disagreement: "Staff rate this red", next_step: "Escalated to Head of Service", service: "Fostering and Adoption" });
    // the new check is now the team's latest; the March one is its previous
    const db = await openDb(ws.dbPath);
    const cmp = compareChecks(await readChecks(db.conn).finally(() => db.close()));
    const k = cmp.find((c) => c.team === "Kinship and Adoption" && c.prompt === 1)!;
    expect(k.latest_check_date).toBe("2026-10-14");
    expect(k.previous_check_date).toBe(before.d);
  });

  it("refuses a bad date and an empty team list", () => {
    expect(() => buildHealthCheckTemplate([{ service: "S", team: "T" }], { checkDate: "2026-02-30" })).toThrow(/real date/);
    expect(() => buildHealthCheckTemplate([])).toThrow(/No teams/);
  });
});
