/**
 * Tests of the synthetic sample employer (loaders/sample): determinism,
 * conformance to the input contract (/work/shared/spec/returns.md, restated
 * here as checks), the planted time patterns, the planted bias and the
 * senior-role likelihood ratio, sizes, speed, and the CSV/XLSX writers.
 * No answer-key fixtures are needed: every expectation is a planted fact
 * returned in `truth` or a rule of the contract.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ETHNICITY_MIX, ROLES, SENIOR_ROLES, TABLE_COLUMNS, TABLE_NAMES, casePoints, generateEmployer, generateEmployerStream,
  periodIndex, periodString, schemeCells, tiltedDistribution, tiltReach, fitComplexityBias, DEFAULT_SERVICES,
  DEFAULT_ETHNIC_MINORITY_SHARE, NATIONAL_ETHNIC_MINORITY_SHARE,
  type Row, type SampleEmployer, type SampleOptions,
} from "../../loaders/sample/generator.ts";
import { csvField, writeCsvFolder, writeXlsx } from "../../loaders/sample/write.ts";
import { DEFAULT_BIAS_RATIO } from "../../loaders/sample/options.ts";
import { tempDir } from "../support/helpers.ts";

const TODAY_PERIOD = "2026-11";

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

/** Reporting group of an ethnicity value: WB, WM (White minorities), EM (ethnic minorities excl. White minorities), NK. */
const GROUP = new Map<string, string>();
for (const e of ETHNICITY_MIX) {
  GROUP.set(e.code, e.group);
  if (e.label) GROUP.set(e.label, e.group);
}
GROUP.set("Other ethnic group: Arab", "EM");
function groupOf(ethnicity: unknown): string {
  if (ethnicity === null || ethnicity === "") return "NK";
  const g = GROUP.get(String(ethnicity));
  if (!g) throw new Error(`unknown ethnicity ${String(ethnicity)}`);
  return g;
}

function key(...parts: unknown[]): string {
  return parts.map(String).join("\u0000");
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Case count and points per (period, worker). */
function caseTotals(e: SampleEmployer): Map<string, { n: number; pts: number }> {
  const out = new Map<string, { n: number; pts: number }>();
  for (const r of e.tables.case_month) {
    const k = key(r.period, r.worker_id);
    const a = out.get(k) ?? { n: 0, pts: 0 };
    a.n++;
    a.pts += r.points as number;
    out.set(k, a);
  }
  return out;
}

/** Cases per FTE of Social Workers (not on long-term absence) by service and period. */
function caseloadPerFte(e: SampleEmployer): Map<string, Map<string, number>> {
  const totals = caseTotals(e);
  const acc = new Map<string, { n: number; f: number }>();
  for (const w of e.tables.worker_month) {
    if (w.role !== "Social Worker") continue;
    const t = totals.get(key(w.period, w.worker_id));
    if (!t) continue; // long-term absence
    const k = key(w.service, w.period);
    const a = acc.get(k) ?? { n: 0, f: 0 };
    a.n += t.n;
    a.f += w.fte as number;
    acc.set(k, a);
  }
  const out = new Map<string, Map<string, number>>();
  for (const [k, a] of acc) {
    const [service, period] = k.split("\u0000");
    if (!out.has(service)) out.set(service, new Map());
    out.get(service)!.set(period, a.n / a.f);
  }
  return out;
}

/** Mean of a period->value map over periods in [from, to]. */
function meanOver(series: Map<string, number>, from: string, to: string): number {
  return mean([...series.entries()].filter(([p]) => p >= from && p <= to).map(([, v]) => v));
}

/**
 * Role-standardised ratio of a per-case measure between ethnic-minority and
 * White British workers of one team: sum over EM case-months of the measure
 * divided by what the White British role means would give for the same
 * case-months ("relative to otherwise identical White British workers").
 */
function standardisedRatio(e: SampleEmployer, team: string, measure: "points" | "caseload"): number {
  const group = new Map(e.tables.staff.map((s) => [s.worker_id as string, groupOf(s.ethnicity)]));
  const totals = caseTotals(e);
  // per (group, role): sum of measure numerator and denominator
  const acc = new Map<string, { num: number; den: number }>();
  for (const w of e.tables.worker_month) {
    if (w.team !== team) continue;
    const t = totals.get(key(w.period, w.worker_id));
    if (!t) continue;
    const k = key(group.get(w.worker_id as string), w.role);
    const a = acc.get(k) ?? { num: 0, den: 0 };
    if (measure === "points") {
      a.num += t.pts;
      a.den += t.n;
    } else {
      a.num += t.n;
      a.den += w.fte as number;
    }
    acc.set(k, a);
  }
  let observed = 0, expected = 0;
  for (const [k, a] of acc) {
    const [g, role] = k.split("\u0000");
    const wb = acc.get(key("WB", role));
    if (g !== "EM" || !wb || wb.den === 0) continue;
    observed += a.num;
    expected += a.den * (wb.num / wb.den);
  }
  return observed / expected;
}

/**
 * The bias as an audit sees it on held caseloads: within each role held by
 * both ethnic-minority (EM) and White British (WB) workers of `team` in
 * periods [from, to], the ratio of EM to WB mean points per case (total
 * points / total cases; or cases per FTE for "caseload"), pooled across roles
 * as a case-weighted average (weight = both groups' case-months in the role).
 */
function heldRatio(e: SampleEmployer, team: string, from: string, to: string, measure: "points" | "caseload" = "points"): { pooled: number; roles: Record<string, number> } {
  const group = new Map(e.tables.staff.map((s) => [s.worker_id as string, groupOf(s.ethnicity)]));
  const totals = caseTotals(e);
  const acc = new Map<string, { num: number; den: number; cases: number }>();
  for (const w of e.tables.worker_month) {
    const p = w.period as string;
    if (w.team !== team || p < from || p > to) continue;
    const t = totals.get(key(p, w.worker_id));
    if (!t) continue;
    const k = key(group.get(w.worker_id as string), w.role);
    const a = acc.get(k) ?? { num: 0, den: 0, cases: 0 };
    a.num += measure === "points" ? t.pts : t.n;
    a.den += measure === "points" ? t.n : (w.fte as number);
    a.cases += t.n;
    acc.set(k, a);
  }
  const roles: Record<string, number> = {};
  let weighted = 0, weights = 0;
  for (const role of ROLES) {
    const em = acc.get(key("EM", role)), wb = acc.get(key("WB", role));
    if (!em || !wb || !em.cases || !wb.cases) continue;
    roles[role] = (em.num / em.den) / (wb.num / wb.den);
    weighted += (em.cases + wb.cases) * roles[role];
    weights += em.cases + wb.cases;
  }
  return { pooled: weighted / weights, roles };
}

/** Distinct workers of a reporting group in `team` in periods [from, to]. */
function workersOf(e: SampleEmployer, team: string, g: string, from: string, to: string): number {
  const group = new Map(e.tables.staff.map((s) => [s.worker_id as string, groupOf(s.ethnicity)]));
  return new Set(e.tables.worker_month
    .filter((w) => w.team === team && (w.period as string) >= from && (w.period as string) <= to && group.get(w.worker_id as string) === g)
    .map((w) => w.worker_id)).size;
}

/** Minimal RFC 4180 parser (for checking the writer). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\n") { row.push(field); rows.push(row); row = []; field = ""; }
    else field += ch;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The planted-team scenario: a team of 40 and two others of 14 in its service. */
const PLANTED_TEAMS: SampleOptions["teams"] = [
  { service: "Safeguarding and Support", team: "Planted Team", size: 40 },
  { service: "Safeguarding and Support", team: "Other Team A", size: 14 },
  { service: "Safeguarding and Support", team: "Other Team B", size: 14 },
];
const PLANTED_COMPLEXITY = { service: "Safeguarding and Support", team: "Planted Team", measure: "complexity" as const, ratio: 1.25 };

const TWO_TEAMS: SampleOptions["teams"] = [
  { service: "Safeguarding and Support", team: "Big Team", size: 24 },
  { service: "Safeguarding and Support", team: "Small Team", size: 10 },
];

// ---------------------------------------------------------------------------

let demo: SampleEmployer;
beforeAll(() => {
  demo = generateEmployer();
});

describe("determinism", () => {
  it("same seed gives identical tables, a different seed different ones", () => {
    const again = generateEmployer({ seed: demo.meta.seed });
    expect(JSON.stringify(again.tables)).toBe(JSON.stringify(demo.tables));
    const other = generateEmployer({ seed: demo.meta.seed + 1 });
    expect(JSON.stringify(other.tables.case_month)).not.toBe(JSON.stringify(demo.tables.case_month));
    expect(JSON.stringify(other.tables.staff)).not.toBe(JSON.stringify(demo.tables.staff));
  });

  it("the stream replays the same rows as generateEmployer, every time it is iterated", () => {
    const stream = generateEmployerStream({ seed: 7, months: 6 });
    const collect = () => {
      const t: Record<string, Row[]> = {};
      for (const c of stream.chunks()) (t[c.table] ??= []).push(...c.rows);
      return JSON.stringify(TABLE_NAMES.map((n) => t[n] ?? []));
    };
    const first = collect();
    expect(collect()).toBe(first);
    const whole = generateEmployer({ seed: 7, months: 6 });
    expect(JSON.stringify(TABLE_NAMES.map((n) => whole.tables[n]))).toBe(first);
  });

  it("never calls Math.random", () => {
    const original = Math.random;
    Math.random = () => { throw new Error("Math.random used"); };
    try {
      expect(() => generateEmployer({ months: 3 })).not.toThrow();
    } finally {
      Math.random = original;
    }
  });
});

describe("contract conformance (returns.md)", () => {
  it("every row has exactly the contract columns", () => {
    for (const t of TABLE_NAMES) {
      expect(demo.tables[t].length, t).toBeGreaterThan(0);
      const want = TABLE_COLUMNS[t].join(",");
      const bad = demo.tables[t].filter((row) => Object.keys(row).join(",") !== want);
      expect(bad.slice(0, 3), t).toEqual([]);
    }
  });

  it("points_scheme: unique service/case type, points >= 0, complexity 1-5; Fostering and Adoption on its own scale", () => {
    const seen = new Set<string>();
    for (const r of demo.tables.points_scheme) {
      const k = key(r.service, r.case_type);
      expect(seen.has(k)).toBe(false);
      seen.add(k);
      expect(r.points as number).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(r.complexity) && (r.complexity as number) >= 1 && (r.complexity as number) <= 5).toBe(true);
    }
    const fa = demo.tables.points_scheme.filter((r) => r.service === "Fostering and Adoption").map((r) => r.points as number);
    const other = demo.tables.points_scheme.filter((r) => r.service !== "Fostering and Adoption").map((r) => r.points as number);
    expect(Math.min(...fa)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...fa)).toBeLessThanOrEqual(100);
    expect(Math.max(...other)).toBeLessThan(Math.min(...fa));
    const faTypes = demo.tables.points_scheme.filter((r) => r.service === "Fostering and Adoption").map((r) => r.case_type);
    expect(faTypes).toEqual(expect.arrayContaining(["Connected Carer Assessment", "Mainstream Foster Carer", "Adoption Assessment"]));
    const types = new Set(demo.tables.points_scheme.map((r) => r.case_type));
    for (const t of ["Child in Need", "Child Protection", "Looked After", "Court Proceedings", "Care Leaver", "Assessment", "Private Fostering"]) {
      expect(types.has(t), t).toBe(true);
    }
  });

  it("staff: unique ids, known ethnicity codes/labels in both styles, gender and qualified_year valid", () => {
    const ids = demo.tables.staff.map((r) => r.worker_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^W[0-9A-F]{5}$/);
    const codes = new Set(ETHNICITY_MIX.map((e) => e.code));
    let labelStyle = 0;
    for (const r of demo.tables.staff) {
      groupOf(r.ethnicity); // throws on unknown values
      if (r.ethnicity !== null && !codes.has(r.ethnicity as string)) labelStyle++;
      expect([null, "Female", "Male", "Other", "Prefer not to say"]).toContain(r.gender);
      if (r.qualified_year !== null) {
        expect(Number.isInteger(r.qualified_year)).toBe(true);
        expect(r.qualified_year as number).toBeLessThanOrEqual(2026);
        expect(r.qualified_year as number).toBeGreaterThan(1970);
      }
    }
    const share = labelStyle / ids.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.45);
  });

  it("ethnicity and gender mix resemble England's children's social work workforce (national share), the default an urban authority's", () => {
    expect(NATIONAL_ETHNIC_MINORITY_SHARE).toBe(0.23);
    const big = generateEmployer({ workers: 600, months: 12, bias: [], seed: 11, ethnicMinorityShare: NATIONAL_ETHNIC_MINORITY_SHARE });
    const n = big.tables.staff.length;
    const share = (g: string) => big.tables.staff.filter((s) => groupOf(s.ethnicity) === g).length / n;
    // the default (no share given) is an urban authority: about 35% ethnic minorities excluding White minorities
    const urban = generateEmployer({ workers: 600, months: 12, bias: [], seed: 11 });
    expect(urban.truth.ethnicMinorityShare).toBe(DEFAULT_ETHNIC_MINORITY_SHARE);
    const urbanEm = urban.tables.staff.filter((s) => groupOf(s.ethnicity) === "EM").length / urban.tables.staff.length;
    expect(urbanEm).toBeGreaterThan(0.3);
    expect(urbanEm).toBeLessThan(0.4);
    const broadWhite = share("WB") + share("WM");
    expect(broadWhite).toBeGreaterThan(0.62);
    expect(broadWhite).toBeLessThan(0.78);
    expect(share("EM")).toBeGreaterThan(0.17);
    expect(share("EM")).toBeLessThan(0.29);
    expect(share("NK")).toBeGreaterThan(0.04);
    expect(share("NK")).toBeLessThan(0.11);
    const female = big.tables.staff.filter((s) => s.gender === "Female").length / n;
    expect(female).toBeGreaterThan(0.77);
    expect(female).toBeLessThan(0.89);
  });

  it("worker_month: types, ranges, unique (period, worker_id), allowed roles, no future periods", () => {
    const staffIds = new Set(demo.tables.staff.map((r) => r.worker_id));
    const seen = new Set<string>();
    const teamService = new Map<string, string>();
    const bad: string[] = [];
    const check = (ok: boolean, what: string, r: Row) => { if (!ok) bad.push(`${what}: ${JSON.stringify(r)}`); };
    for (const r of demo.tables.worker_month) {
      check(/^\d{4}-(0[1-9]|1[0-2])$/.test(r.period as string) && (r.period as string) <= TODAY_PERIOD, "period", r);
      const k = key(r.period, r.worker_id);
      check(!seen.has(k), "duplicate (period, worker_id)", r);
      seen.add(k);
      check(staffIds.has(r.worker_id), "worker not in staff", r);
      check(ROLES.includes(r.role as never), "role", r);
      const fte = r.fte as number;
      check(typeof fte === "number" && fte > 0 && fte <= 1, "fte", r);
      check(r.employment === "permanent" || r.employment === "agency", "employment", r);
      check((r.non_case_points as number) >= 0, "non_case_points", r);
      check(Number.isInteger(r.supervision_planned) && Number.isInteger(r.supervision_held), "supervision integers", r);
      check((r.supervision_held as number) >= 0 && (r.supervision_held as number) <= (r.supervision_planned as number), "supervision_held", r);
      check((r.sickness_days as number) >= 0, "sickness_days", r);
      check(r.toil_hours === null ? r.employment === "agency" : (r.toil_hours as number) >= 0, "toil_hours", r);
      check(typeof r.review_requested === "boolean", "review_requested", r);
      const prev = teamService.get(r.team as string);
      check(!prev || prev === r.service, "team in two services", r);
      teamService.set(r.team as string, r.service as string);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it("case_month: references, unique (period, worker_id, case_ref), case types of the service, points, complexity, dates", () => {
    const wm = new Map(demo.tables.worker_month.map((r) => [key(r.period, r.worker_id), r]));
    const scheme = new Set(demo.tables.points_scheme.map((r) => key(r.service, r.case_type)));
    const seen = new Set<string>();
    const bad: string[] = [];
    const check = (ok: boolean, what: string, r: Row) => { if (!ok) bad.push(`${what}: ${JSON.stringify(r)}`); };
    let blank = 0;
    for (const r of demo.tables.case_month) {
      const w = wm.get(key(r.period, r.worker_id));
      check(w !== undefined, "no worker_month row", r);
      const k = key(r.period, r.worker_id, r.case_ref);
      check(!seen.has(k), "duplicate (period, worker_id, case_ref)", r);
      seen.add(k);
      check(/^C[0-9A-F]{7}$/.test(r.case_ref as string), "case_ref", r);
      check(w !== undefined && scheme.has(key(w.service, r.case_type)), "case type not in the service's scheme", r);
      check(typeof r.points === "number" && r.points >= 0, "points", r);
      if (r.complexity === null) blank++;
      else check(Number.isInteger(r.complexity) && (r.complexity as number) >= 1 && (r.complexity as number) <= 5, "complexity", r);
      const d = r.allocated_on as string;
      check(/^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)) && d.slice(0, 7) <= (r.period as string), "allocated_on", r);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    const share = blank / demo.tables.case_month.length;
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.15);
  });

  it("case points follow the documented complexity rule of the service's scheme", () => {
    const scheme = new Map(demo.tables.points_scheme.map((r) => [key(r.service, r.case_type), r]));
    const service = new Map(demo.tables.worker_month.map((r) => [key(r.period, r.worker_id), r.service]));
    const bad = demo.tables.case_month.filter((r) => {
      if (r.complexity === null) return false;
      const s = scheme.get(key(service.get(key(r.period, r.worker_id)), r.case_type))!;
      return r.points !== casePoints(s.points as number, s.complexity as number, r.complexity as number);
    });
    expect(bad.slice(0, 5)).toEqual([]);
    expect(casePoints(8, 3, 5)).toBe(12);
    expect(casePoints(8, 3, 2)).toBe(6);
    expect(casePoints(30, 2, 1)).toBe(22.5);
  });

  it("cases persist: a case held in consecutive months keeps its reference and allocation date with the same worker", () => {
    const byCase = new Map<string, Row[]>();
    for (const r of demo.tables.case_month) {
      const list = byCase.get(r.case_ref as string) ?? [];
      list.push(r);
      byCase.set(r.case_ref as string, list);
    }
    let multiMonth = 0;
    const bad: Row[] = [];
    for (const rows of byCase.values()) {
      if (rows.length > 1) multiMonth++;
      for (let i = 1; i < rows.length; i++) {
        const sameHolder = rows[i].worker_id === rows[i - 1].worker_id
          && periodIndex(rows[i].period as string) === periodIndex(rows[i - 1].period as string) + 1;
        if (sameHolder && (rows[i].allocated_on !== rows[i - 1].allocated_on || rows[i].case_type !== rows[i - 1].case_type)) bad.push(rows[i]);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(multiMonth / byCase.size).toBeGreaterThan(0.5);
  });

  it("team_month: one row per team and month, consistent staffing, leavers match worker_month", () => {
    const teams = new Set(demo.tables.worker_month.map((r) => key(r.service, r.team)));
    const periods = [...new Set(demo.tables.worker_month.map((r) => r.period as string))].sort();
    expect(demo.tables.team_month.length).toBe(teams.size * periods.length);
    const tmByKey = new Map(demo.tables.team_month.map((r) => [key(r.period, r.service, r.team), r]));
    for (const r of demo.tables.team_month) {
      for (const c of ["establishment_fte", "vacant_fte", "agency_fte", "long_term_absence_fte"]) expect(r[c] as number).toBeGreaterThanOrEqual(0);
      expect(r.vacant_fte as number).toBeLessThanOrEqual(r.establishment_fte as number);
      expect(r.re_referrals as number).toBeLessThanOrEqual(r.referrals as number);
      for (const c of ["leavers", "referrals", "re_referrals", "unallocated_cases"]) expect(Number.isInteger(r[c])).toBe(true);
    }
    // agency FTE equals the FTE of agency workers in worker_month; staffed FTE + vacant = establishment
    const staffed = new Map<string, { fte: number; agency: number }>();
    for (const w of demo.tables.worker_month) {
      const k = key(w.period, w.service, w.team);
      const a = staffed.get(k) ?? { fte: 0, agency: 0 };
      a.fte += w.fte as number;
      if (w.employment === "agency") a.agency += w.fte as number;
      staffed.set(k, a);
    }
    for (const [k, a] of staffed) {
      const t = tmByKey.get(k)!;
      expect(t.agency_fte as number).toBeCloseTo(a.agency, 6);
      expect((t.vacant_fte as number) + a.fte).toBeCloseTo(t.establishment_fte as number, 6);
    }
    // leavers: in the team in month p and in no team in month p + 1
    const present = new Map<string, Set<string>>();
    for (const w of demo.tables.worker_month) {
      if (!present.has(w.period as string)) present.set(w.period as string, new Set());
      present.get(w.period as string)!.add(w.worker_id as string);
    }
    let totalLeavers = 0;
    for (let i = 0; i < periods.length - 1; i++) {
      const counted = new Map<string, number>();
      for (const w of demo.tables.worker_month) {
        if (w.period !== periods[i] || present.get(periods[i + 1])!.has(w.worker_id as string)) continue;
        const k = key(w.period, w.service, w.team);
        counted.set(k, (counted.get(k) ?? 0) + 1);
      }
      for (const t of demo.tables.team_month.filter((r) => r.period === periods[i])) {
        expect(t.leavers, `${t.period} ${t.team}`).toBe(counted.get(key(t.period, t.service, t.team)) ?? 0);
        totalLeavers += t.leavers as number;
      }
    }
    // annual turnover around 15%
    const avgHeadcount = demo.tables.worker_month.length / periods.length;
    const annual = totalLeavers / ((periods.length - 1) / 12) / avgHeadcount;
    expect(annual).toBeGreaterThan(0.09);
    expect(annual).toBeLessThan(0.22);
    const rerefShare = demo.tables.team_month.reduce((s, r) => s + (r.re_referrals as number), 0)
      / demo.tables.team_month.reduce((s, r) => s + (r.referrals as number), 0);
    expect(rerefShare).toBeGreaterThan(0.17);
    expect(rerefShare).toBeLessThan(0.23);
  });

  it("health_check: every team has two checks with all 39 prompts, valid ratings, some notes and disagreements", () => {
    const teams = new Set(demo.tables.worker_month.map((r) => key(r.service, r.team)));
    const byTeamCheck = new Map<string, number[]>();
    for (const r of demo.tables.health_check) {
      const d = r.check_date as string;
      expect(d).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(demo.truth.healthCheckPeriods).toContain(d.slice(0, 7));
      expect(["green", "amber", "red", "n/a"]).toContain(r.rating);
      if (r.disagreement !== null) expect(r.next_step).not.toBeNull();
      const k = key(r.service, r.team, d.slice(0, 7));
      (byTeamCheck.get(k) ?? byTeamCheck.set(k, []).get(k)!).push(r.prompt as number);
    }
    expect(byTeamCheck.size).toBe(teams.size * 2);
    for (const prompts of byTeamCheck.values()) expect([...prompts].sort((a, b) => a - b)).toEqual(Array.from({ length: 39 }, (_, i) => i + 1));
    expect(demo.truth.healthCheckPeriods).toEqual(["2025-03", "2026-03"]);
    expect(demo.tables.health_check.filter((r) => r.notes).length).toBeGreaterThan(50);
    expect(demo.tables.health_check.filter((r) => r.disagreement).length).toBeGreaterThan(2);
    for (const rating of ["green", "amber", "red"]) expect(demo.tables.health_check.some((r) => r.rating === rating)).toBe(true);
  });

  it("health_check ratings follow the team's data: prompt 5 (caseload) is worse where caseloads are higher", () => {
    // many teams and a strong caseload gradient: Safeguarding after its level shift vs Fostering
    const e = generateEmployer({ workers: 400, seed: 3, bias: [] });
    const score = (r: Row) => ({ green: 0, amber: 1, red: 2 } as Record<string, number>)[r.rating as string] ?? NaN;
    const p5 = e.tables.health_check.filter((r) => r.prompt === 5 && r.rating !== "n/a" && (r.check_date as string).startsWith("2026-03"));
    const sg = mean(p5.filter((r) => r.service === "Safeguarding and Support").map(score));
    const rest = mean(p5.filter((r) => r.service !== "Safeguarding and Support").map(score));
    expect(sg).toBeGreaterThan(rest + 0.3);
  });

  it("roles: one Team Manager per team each month; managers and assistants hold few cases; ASYEs lighter; seniors more complex", () => {
    const tm = new Map<string, number>();
    for (const w of demo.tables.worker_month) if (w.role === "Team Manager") tm.set(key(w.period, w.team), (tm.get(key(w.period, w.team)) ?? 0) + 1);
    expect(tm.size).toBe(demo.tables.team_month.length);
    for (const v of tm.values()) expect(v).toBe(1);
    const totals = caseTotals(demo);
    const byRole = new Map<string, { n: number[]; ppc: number[] }>();
    for (const w of demo.tables.worker_month) {
      const t = totals.get(key(w.period, w.worker_id)) ?? { n: 0, pts: 0 };
      const a = byRole.get(w.role as string) ?? { n: [], ppc: [] };
      a.n.push(t.n / (w.fte as number));
      if (t.n && w.service !== "Fostering and Adoption") a.ppc.push(t.pts / t.n);
      byRole.set(w.role as string, a);
    }
    expect(Math.max(...byRole.get("Team Manager")!.n)).toBeLessThanOrEqual(5);
    expect(mean(byRole.get("Social Work Assistant")!.n)).toBeLessThan(mean(byRole.get("Social Worker")!.n) * 0.5);
    expect(mean(byRole.get("ASYE")!.n)).toBeLessThan(mean(byRole.get("Social Worker")!.n));
    expect(mean(byRole.get("Senior Practitioner")!.ppc)).toBeGreaterThan(mean(byRole.get("Social Worker")!.ppc) * 1.08);
    expect(mean(byRole.get("ASYE")!.ppc)).toBeLessThan(mean(byRole.get("Social Worker")!.ppc));
  });

  it("workforce mix: mostly full time with part-timers, about 15% agency, review requests rare", () => {
    const wm = demo.tables.worker_month;
    const ftes = new Set(wm.map((r) => r.fte));
    for (const f of [1, 0.8, 0.5]) expect(ftes.has(f)).toBe(true);
    const fullTime = wm.filter((r) => r.fte === 1).length / wm.length;
    expect(fullTime).toBeGreaterThan(0.65);
    expect(fullTime).toBeLessThan(0.92);
    const agency = wm.filter((r) => r.employment === "agency").length / wm.length;
    expect(agency).toBeGreaterThan(0.08);
    expect(agency).toBeLessThan(0.24);
    const reviews = wm.filter((r) => r.review_requested).length / wm.length;
    expect(reviews).toBeGreaterThan(0);
    expect(reviews).toBeLessThan(0.04);
    const sick = wm.filter((r) => (r.sickness_days as number) > 0).length / wm.length;
    expect(sick).toBeGreaterThan(0.03);
    expect(sick).toBeLessThan(0.2);
  });

  it("sickness has a winter bump and review requests come from heavier loads", () => {
    const e = generateEmployer({ workers: 400, seed: 21, bias: [] });
    const month = (r: Row) => periodIndex(r.period as string) % 12 + 1;
    const shortSick = (months: number[]) => {
      const rows = e.tables.worker_month.filter((r) => months.includes(month(r)) && (r.sickness_days as number) < 12);
      return rows.filter((r) => (r.sickness_days as number) > 0).length / rows.length;
    };
    expect(shortSick([12, 1, 2])).toBeGreaterThan(1.4 * shortSick([6, 7, 8]));
    const totals = caseTotals(e);
    const load = (requested: boolean) => mean(e.tables.worker_month
      .filter((r) => r.review_requested === requested && r.role === "Social Worker" && totals.has(key(r.period, r.worker_id)))
      .map((r) => totals.get(key(r.period, r.worker_id))!.n / (r.fte as number)));
    expect(load(true)).toBeGreaterThan(load(false) * 1.1);
  });

  it("Safeguarding caseloads of full-time Social Workers are mostly 12-22; Fostering lower", () => {
    const totals = caseTotals(demo);
    const sg: number[] = [], fa: number[] = [];
    for (const w of demo.tables.worker_month) {
      if (w.role !== "Social Worker" || w.fte !== 1) continue;
      const t = totals.get(key(w.period, w.worker_id));
      if (!t) continue;
      if (w.service === "Safeguarding and Support") sg.push(t.n);
      if (w.service === "Fostering and Adoption") fa.push(t.n);
    }
    const inRange = sg.filter((n) => n >= 12 && n <= 22).length / sg.length;
    expect(inRange).toBeGreaterThan(0.7);
    expect(mean(fa)).toBeLessThan(mean(sg) * 0.75);
  });
});

describe("sizes", () => {
  it("demo: 5 services, 12 teams, 120-160 workers every month, 36 months 2023-10 to 2026-09", () => {
    const services = new Set(demo.tables.worker_month.map((r) => r.service));
    expect(services.size).toBeGreaterThanOrEqual(4);
    expect(services.size).toBeLessThanOrEqual(5);
    const teams = new Set(demo.tables.worker_month.map((r) => key(r.service, r.team)));
    expect(teams.size).toBeGreaterThanOrEqual(10);
    expect(teams.size).toBeLessThanOrEqual(14);
    const perPeriod = new Map<string, number>();
    for (const r of demo.tables.worker_month) perPeriod.set(r.period as string, (perPeriod.get(r.period as string) ?? 0) + 1);
    expect(perPeriod.size).toBe(36);
    for (const n of perPeriod.values()) {
      expect(n).toBeGreaterThanOrEqual(120);
      expect(n).toBeLessThanOrEqual(160);
    }
    expect([...perPeriod.keys()].sort()[0]).toBe("2023-10");
    expect(demo.meta.startPeriod).toBe("2023-10");
    expect(demo.meta.endPeriod).toBe("2026-09");
    expect(demo.tables.team_month.some((r) => (r.team as string).includes(","))).toBe(true);
  });

  it("explicit teams with sizes are honoured (a team of 24 and a team of 10)", () => {
    const e = generateEmployer({ teams: TWO_TEAMS, months: 4, bias: [] });
    expect(e.tables.team_month.filter((r) => r.period === e.meta.startPeriod).map((r) => [r.team, r.establishment_fte])).toHaveLength(2);
    const posts = (team: string) => e.truth.teams.find((t) => t.team === team)!.size;
    expect(posts("Big Team")).toBe(24);
    expect(posts("Small Team")).toBe(10);
    for (const p of [e.meta.startPeriod, e.meta.endPeriod]) {
      const n = (team: string) => e.tables.worker_month.filter((r) => r.period === p && r.team === team).length;
      expect(n("Big Team")).toBeGreaterThanOrEqual(20);
      expect(n("Big Team")).toBeLessThanOrEqual(24);
      expect(n("Small Team")).toBeGreaterThanOrEqual(7);
      expect(n("Small Team")).toBeLessThanOrEqual(10);
    }
  });

  it("options change the shape: months, start, services, teams per service, workers", () => {
    const e = generateEmployer({ months: 12, startPeriod: "2024-01", services: ["First Response", "Leaving Care"], teamsPerService: 3, workers: 60, bias: [] });
    expect(new Set(e.tables.worker_month.map((r) => r.period)).size).toBe(12);
    expect(e.meta.endPeriod).toBe("2024-12");
    expect(new Set(e.tables.worker_month.map((r) => r.service))).toEqual(new Set(["First Response", "Leaving Care"]));
    expect(new Set(e.tables.team_month.map((r) => r.team)).size).toBe(6);
    expect(e.truth.teams.reduce((s, t) => s + t.size, 0)).toBe(60);
    expect(e.truth.levelShift).toBeNull();
    expect(generateEmployerStream({ months: 12, startPeriod: "2025-06" }).truth.levelShift).toBeNull();
    const e60 = generateEmployerStream({ months: 60 });
    expect(e60.meta.startPeriod).toBe("2021-10");
    expect(e60.meta.endPeriod).toBe("2026-09");
  });

  it("refuses bad options with a message", () => {
    expect(() => generateEmployer({ startPeriod: "2026-06", months: 12 })).toThrow(/future/);
    expect(() => generateEmployer({ services: ["Adult Mental Health"] })).toThrow(/unknown service/);
    expect(() => generateEmployer({ bias: [{ service: "Leaving Care", team: "Nope", measure: "complexity", ratio: 1.2 }] })).toThrow(/no team/);
    expect(() => generateEmployer({ startPeriod: "2024-13" })).toThrow(/YYYY-MM/);
  });

  it("the default employer generates in well under a second", () => {
    generateEmployer({ seed: 99 }); // warm-up
    const times: number[] = [];
    for (let s = 0; s < 3; s++) {
      const t0 = performance.now();
      generateEmployer({ seed: 100 + s });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(1000);
  });
});

describe("planted time patterns", () => {
  it("referrals peak in September-November and March and dip in August and December", () => {
    const totals = new Map<string, number>();
    for (const r of demo.tables.team_month) totals.set(r.period as string, (totals.get(r.period as string) ?? 0) + (r.referrals as number));
    const periods = [...totals.keys()].sort();
    const y = periods.map((p) => totals.get(p)!);
    // ratio to the centred 2x12 moving average, averaged by calendar month
    const byMonth = new Map<number, number[]>();
    for (let i = 6; i < y.length - 6; i++) {
      let ma = (y[i - 6] + y[i + 6]) / 2;
      for (let j = i - 5; j <= i + 5; j++) ma += y[j];
      ma /= 12;
      const month = (periodIndex(periods[i]) % 12) + 1;
      (byMonth.get(month) ?? byMonth.set(month, []).get(month)!).push(y[i] / ma);
    }
    const index = (m: number) => mean(byMonth.get(m)!);
    for (const m of [3, 9, 10, 11]) expect(index(m), `month ${m}`).toBeGreaterThan(1.02);
    for (const m of [8, 12]) expect(index(m), `month ${m}`).toBeLessThan(0.93);
    expect(demo.truth.peakMonths).toEqual([3, 9, 10, 11]);
    expect(demo.truth.troughMonths).toEqual([8, 12]);
    // the estimated seasonal index tracks the planted factors
    const est = Array.from({ length: 12 }, (_, i) => index(i + 1));
    const f = demo.truth.seasonalFactors;
    const me = mean(est), mf = mean(f);
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < 12; i++) { sxy += (est[i] - me) * (f[i] - mf); sxx += (est[i] - me) ** 2; syy += (f[i] - mf) ** 2; }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.8);
    for (let i = 0; i < 12; i++) expect(Math.abs(est[i] - f[i]), `month ${i + 1}`).toBeLessThan(0.12);
  });

  it("caseloads per FTE rise by about 5% a year outside the shifted service", () => {
    const cl = caseloadPerFte(demo);
    const ratios: number[] = [];
    for (const [service, series] of cl) {
      if (service === demo.truth.levelShift!.service || service === "Fostering and Adoption") continue;
      ratios.push(meanOver(series, "2025-10", "2026-09") / meanOver(series, "2023-10", "2024-09"));
    }
    const growth = mean(ratios);
    expect(demo.truth.trendPerYear).toBe(0.05);
    expect(growth).toBeGreaterThan(1.05);
    expect(growth).toBeLessThan(1.16);
  });

  it("the level shift: Safeguarding and Support caseloads step up about 15% from 2025-04 relative to other services", () => {
    expect(demo.truth.levelShift).toEqual({ service: "Safeguarding and Support", period: "2025-04", factor: 1.15 });
    const cl = caseloadPerFte(demo);
    const change = (s: string) => meanOver(cl.get(s)!, "2025-04", "2026-03") / meanOver(cl.get(s)!, "2024-04", "2025-03");
    const others = mean(["First Response", "Children in Care", "Leaving Care"].map(change));
    const relative = change("Safeguarding and Support") / others;
    expect(relative).toBeGreaterThan(1.08);
    expect(relative).toBeLessThan(1.22);
    // and it is a step: the month of the shift is well above the month before it, relative to others
    const sg = cl.get("Safeguarding and Support")!;
    const jump = sg.get("2025-04")! / sg.get("2025-03")!;
    const otherJump = mean(["First Response", "Children in Care", "Leaving Care"].map((s) => cl.get(s)!.get("2025-04")! / cl.get(s)!.get("2025-03")!));
    expect(jump / otherJump).toBeGreaterThan(1.05);
  });

  it("month-to-month caseloads are autocorrelated within workers", () => {
    const totals = caseTotals(demo);
    const pairs: Array<[number, number]> = [];
    for (const w of demo.tables.worker_month) {
      if (w.role !== "Social Worker") continue;
      const now = totals.get(key(w.period, w.worker_id));
      const next = totals.get(key(periodString(periodIndex(w.period as string) + 1), w.worker_id));
      if (now && next) pairs.push([now.n, next.n]);
    }
    const mx = mean(pairs.map((p) => p[0])), my = mean(pairs.map((p) => p[1]));
    let sxy = 0, sxx = 0, syy = 0;
    for (const [x, y] of pairs) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; syy += (y - my) ** 2; }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.8);
  });
});

describe("planted bias and seniority", () => {
  it("the demo plants a complexity bias in exactly one team, its largest Safeguarding team: 1.25, and 1.5 on new allocations from its 25th month; bias: [] turns it off", () => {
    expect(demo.truth.bias).toHaveLength(2);
    expect(demo.truth.bias[0]).toMatchObject({ service: "Safeguarding and Support", team: "Family Safeguarding North", measure: "complexity", ratio: 1.25, achievedRatio: 1.25, teams: ["Family Safeguarding North"] });
    expect(demo.truth.bias[1]).toMatchObject({ service: "Safeguarding and Support", team: "Family Safeguarding North", measure: "complexity", ratio: DEFAULT_BIAS_RATIO / 1.25, fromMonth: 24, teams: ["Family Safeguarding North"] });
    expect(demo.truth.bias[0].workers.total).toBeGreaterThan(25);
    expect(demo.truth.bias[0].workers.ethnicMinority).toBeGreaterThanOrEqual(10);
    const sg = demo.truth.teams.filter((t) => t.service === "Safeguarding and Support");
    const planted = sg.find((t) => t.team === "Family Safeguarding North")!;
    expect(planted.size).toBeGreaterThanOrEqual(20);
    expect(planted.size).toBeLessThanOrEqual(24);
    expect(planted.size).toBe(Math.max(...sg.map((t) => t.size)));
    expect(demo.truth.ethnicMinorityShare).toBe(0.35);
    expect(generateEmployerStream({ bias: [] }).truth.bias).toEqual([]);
  });

  it("the tilted case mix reaches the requested expected points ratio exactly in every built-in scheme", () => {
    for (const spec of DEFAULT_SERVICES) {
      const cells = schemeCells(spec);
      for (const ratio of [0.8, 1, 1.25, 1.5]) expect(tiltedDistribution(cells, ratio).achieved).toBeCloseTo(ratio, 6);
    }
  });

  it.each([1, 2, 3])("complexity ratio 1.25 is realised within 0.1 in a team of 24 (seed %i), and not in its unbiased twin", (seed) => {
    const base = { seed, teams: TWO_TEAMS, ethnicMinorityShare: 0.5, seniorLikelihoodRatio: 1 };
    const biased = generateEmployer({ ...base, bias: [{ service: "Safeguarding and Support", team: "Big Team", measure: "complexity", ratio: 1.25 }] });
    expect(biased.truth.bias[0].workers.total).toBeGreaterThanOrEqual(24);
    expect(Math.abs(standardisedRatio(biased, "Big Team", "points") - 1.25)).toBeLessThan(0.1);
    const unbiased = generateEmployer({ ...base, bias: [] });
    expect(Math.abs(standardisedRatio(unbiased, "Big Team", "points") - 1)).toBeLessThan(0.1);
  });

  it("caseload bias multiplies cases per FTE of ethnic-minority workers", () => {
    const e = generateEmployer({ seed: 5, teams: TWO_TEAMS, ethnicMinorityShare: 0.5, seniorLikelihoodRatio: 1, bias: [{ service: "Safeguarding and Support", team: "Big Team", measure: "caseload", ratio: 1.25 }] });
    expect(Math.abs(standardisedRatio(e, "Big Team", "caseload") - 1.25)).toBeLessThan(0.1);
    expect(Math.abs(standardisedRatio(e, "Big Team", "points") - 1)).toBeLessThan(0.1);
  });

  it("seniorLikelihoodRatio = 3 is realised roughly, with a raw complexity gap but none within role", () => {
    const e = generateEmployer({ seed: 8, workers: 500, months: 18, bias: [], seniorLikelihoodRatio: 3, ethnicMinorityShare: 0.3 });
    expect(e.truth.seniorLikelihoodRatioApplied).toBe(3);
    const group = new Map(e.tables.staff.map((s) => [s.worker_id as string, groupOf(s.ethnicity)]));
    const senior = (g: string) => {
      const rows = e.tables.worker_month.filter((w) => group.get(w.worker_id as string) === g);
      return rows.filter((w) => SENIOR_ROLES.includes(w.role as never)).length / rows.length;
    };
    const lr = senior("EM") / senior("WB");
    expect(lr).toBeGreaterThan(2.3);
    expect(lr).toBeLessThan(3.8);
    // points per case relative to the service's average (points are comparable only within a service):
    // raw, EM above WB (more seniors); within role, no gap
    const wm = new Map(e.tables.worker_month.map((w) => [key(w.period, w.worker_id), w]));
    const serviceMean = new Map<string, { p: number; n: number }>();
    for (const c of e.tables.case_month) {
      const s = wm.get(key(c.period, c.worker_id))!.service as string;
      const a = serviceMean.get(s) ?? { p: 0, n: 0 };
      a.p += c.points as number;
      a.n++;
      serviceMean.set(s, a);
    }
    const acc = new Map<string, { p: number; n: number }>();
    for (const c of e.tables.case_month) {
      const w = wm.get(key(c.period, c.worker_id))!;
      const m = serviceMean.get(w.service as string)!;
      const g = group.get(w.worker_id as string);
      for (const k of [key(g, "all"), key(g, w.role)]) {
        const a = acc.get(k) ?? { p: 0, n: 0 };
        a.p += (c.points as number) / (m.p / m.n);
        a.n++;
        acc.set(k, a);
      }
    }
    const ppc = (g: string, r: string) => acc.get(key(g, r))!.p / acc.get(key(g, r))!.n;
    expect(ppc("EM", "all") / ppc("WB", "all")).toBeGreaterThan(1.04);
    for (const role of ["Social Worker", "Senior Practitioner"]) expect(Math.abs(ppc("EM", role) / ppc("WB", role) - 1), role).toBeLessThan(0.08);
  });

  it("by default ethnic-minority workers are somewhat less likely to be senior", () => {
    const e = generateEmployer({ seed: 4, workers: 600, months: 12, bias: [] });
    const group = new Map(e.tables.staff.map((s) => [s.worker_id as string, groupOf(s.ethnicity)]));
    const senior = (g: string) => {
      const rows = e.tables.worker_month.filter((w) => group.get(w.worker_id as string) === g);
      return rows.filter((w) => SENIOR_ROLES.includes(w.role as never)).length / rows.length;
    };
    const lr = senior("EM") / senior("WB");
    expect(e.truth.seniorLikelihoodRatio).toBe(0.7);
    expect(lr).toBeGreaterThan(0.45);
    expect(lr).toBeLessThan(0.95);
  });
});

describe("planted bias realised on held caseloads", () => {
  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
  const LAST12 = ["2025-10", "2026-09"] as const;
  const planted = (seed: number, bias: SampleOptions["bias"]) =>
    generateEmployer({ seed, months: 24, teams: PLANTED_TEAMS, ethnicMinorityShare: 0.5, bias });
  let biased: SampleEmployer[];
  let unbiased: SampleEmployer[];
  beforeAll(() => {
    biased = SEEDS.map((seed) => planted(seed, [PLANTED_COMPLEXITY]));
    unbiased = SEEDS.map((seed) => planted(seed, []));
  });

  it("complexity 1.25 in a team of 40: EM/WB points per case within role over the last 12 months is 1.25 +/- 0.08 in each seed, +/- 0.04 on average", () => {
    const ratios = biased.map((e) => heldRatio(e, "Planted Team", ...LAST12).pooled);
    for (const [i, r] of ratios.entries()) expect(Math.abs(r - 1.25), `seed ${SEEDS[i]}: ${r}`).toBeLessThan(0.08);
    expect(Math.abs(mean(ratios) - 1.25)).toBeLessThan(0.04);
    // the two big roles on their own, pooled over seeds
    for (const role of ["Social Worker", "Senior Practitioner"]) {
      const byRole = biased.map((e) => heldRatio(e, "Planted Team", ...LAST12).roles[role]).filter((r) => r !== undefined);
      expect(Math.abs(mean(byRole) - 1.25), role).toBeLessThan(0.05);
    }
  });

  it("with bias: [] the same ratio is 1 +/- 0.08 in each seed, +/- 0.04 on average", () => {
    const ratios = unbiased.map((e) => heldRatio(e, "Planted Team", ...LAST12).pooled);
    for (const [i, r] of ratios.entries()) expect(Math.abs(r - 1), `seed ${SEEDS[i]}: ${r}`).toBeLessThan(0.08);
    expect(Math.abs(mean(ratios) - 1)).toBeLessThan(0.04);
  });

  it("the ratio holds in every month after a 3-month ramp-up (each seed 1.25 +/- 0.12, the seeds' mean +/- 0.04)", () => {
    const periods = [...new Set(biased[0].tables.worker_month.map((w) => w.period as string))].sort().slice(3);
    expect(periods).toHaveLength(21);
    for (const p of periods) {
      const monthly = biased.map((e) => heldRatio(e, "Planted Team", p, p).pooled);
      for (const [i, r] of monthly.entries()) expect(Math.abs(r - 1.25), `${p} seed ${SEEDS[i]}: ${r}`).toBeLessThan(0.12);
      expect(Math.abs(mean(monthly) - 1.25), p).toBeLessThan(0.04);
    }
  });

  it("reallocated cases follow the receiver's mix: cases inherited from colleagues are heavier for EM workers in the biased team only", () => {
    /** points-per-case ratio EM/WB within role of cases a worker of the planted team took over from another worker */
    const inheritedRatio = (employers: SampleEmployer[]) => {
      const acc = new Map<string, { p: number; n: number }>();
      for (const e of employers) {
        const group = new Map(e.tables.staff.map((s) => [s.worker_id as string, groupOf(s.ethnicity)]));
        const wm = new Map(e.tables.worker_month.map((w) => [key(w.period, w.worker_id), w]));
        const firstHolder = new Map<string, unknown>();
        const counted = new Set<string>();
        for (const c of e.tables.case_month) {
          const first = firstHolder.get(c.case_ref as string);
          if (first === undefined) { firstHolder.set(c.case_ref as string, c.worker_id); continue; }
          if (first === c.worker_id || counted.has(key(c.case_ref, c.worker_id))) continue;
          counted.add(key(c.case_ref, c.worker_id));
          const w = wm.get(key(c.period, c.worker_id))!;
          if (w.team !== "Planted Team") continue;
          const k = key(group.get(c.worker_id as string), w.role);
          const a = acc.get(k) ?? { p: 0, n: 0 };
          a.p += c.points as number;
          a.n++;
          acc.set(k, a);
        }
      }
      let weighted = 0, weights = 0;
      for (const role of ["Social Worker", "Senior Practitioner"]) {
        const em = acc.get(key("EM", role))!, wb = acc.get(key("WB", role))!;
        expect(em.n + wb.n, role).toBeGreaterThan(100);
        weighted += (em.n + wb.n) * (em.p / em.n) / (wb.p / wb.n);
        weights += em.n + wb.n;
      }
      return weighted / weights;
    };
    expect(inheritedRatio(biased)).toBeGreaterThan(1.17);
    expect(Math.abs(inheritedRatio(unbiased) - 1)).toBeLessThan(0.06);
  });

  it("caseload 1.25: cases per FTE EM/WB within role is 1.25 on average over seeds (no dilution), points per case unbiased", () => {
    const es = SEEDS.map((seed) => planted(seed, [{ ...PLANTED_COMPLEXITY, measure: "caseload" }]));
    const load = es.map((e) => heldRatio(e, "Planted Team", ...LAST12, "caseload").pooled);
    // personal caseload effects (log-sd 0.15) make single seeds noisier than the complexity bias
    for (const [i, r] of load.entries()) expect(Math.abs(r - 1.25), `seed ${SEEDS[i]}: ${r}`).toBeLessThan(0.15);
    expect(Math.abs(mean(load) - 1.25)).toBeLessThan(0.04);
    for (const e of es) expect(Math.abs(heldRatio(e, "Planted Team", ...LAST12).pooled - 1)).toBeLessThan(0.08);
  });

  it("no saturation: the role and personal part is held inside the scheme's reach, so 1.6 is realised in senior roles too; a ratio beyond reach is clamped and reported", () => {
    // for the heavier Senior Practitioners, role factor 1.2 x personal effect x 1.6 would reach past the heaviest Safeguarding mix
    const es = [1, 2, 3, 4].map((seed) => planted(seed, [{ ...PLANTED_COMPLEXITY, ratio: 1.6 }]));
    const seniors: number[] = [];
    for (const e of es) {
      expect(e.truth.bias[0].achievedRatio).toBe(1.6);
      const r = heldRatio(e, "Planted Team", "2024-10", "2026-09");
      expect(Math.abs(r.pooled - 1.6)).toBeLessThan(0.1);
      seniors.push(r.roles["Senior Practitioner"]);
    }
    expect(Math.abs(mean(seniors) - 1.6)).toBeLessThan(0.08);
    // Safeguarding's scheme spans 3 to 15 points: a 6-fold ratio cannot be expressed
    const reach = tiltReach(schemeCells(DEFAULT_SERVICES.find((s) => s.name === "Safeguarding and Support")!));
    const fit = fitComplexityBias(reach, 6);
    expect(fit.applied).toBeCloseTo(reach.hi / reach.lo, 10);
    expect(fit.applied).toBeLessThan(6);
    expect(fitComplexityBias(reach, 1.25)).toEqual({ applied: 1.25, band: { lo: reach.lo, hi: reach.hi / 1.25 } });
    const clamped = generateEmployerStream({ seed: 1, months: 6, teams: PLANTED_TEAMS, bias: [{ ...PLANTED_COMPLEXITY, ratio: 6 }] });
    expect(clamped.truth.bias[0].achievedRatio).toBeCloseTo(fit.applied, 10);
  });

  it("the demo (default options): its planted team has 9+ EM and 10+ WB workers in the last 12 months, whose holdings move from 1.25 towards 1.5; unbiased 1 +/- 0.08", () => {
    const team = demo.truth.bias[0].team!;
    expect(workersOf(demo, team, "EM", ...LAST12)).toBeGreaterThanOrEqual(9);
    expect(workersOf(demo, team, "WB", ...LAST12)).toBeGreaterThanOrEqual(10);
    const held = heldRatio(demo, team, ...LAST12).pooled;
    expect(held).toBeGreaterThan(1.25);
    expect(held).toBeLessThan(DEFAULT_BIAS_RATIO + 0.1);
    expect(Math.abs(heldRatio(generateEmployer({ bias: [] }), team, ...LAST12).pooled - 1)).toBeLessThan(0.08);
  });

  it("the demo's configuration over seeds 1-8: holdings in the last 12 months between 1.25 and 1.5 on average, each seed within 1.2-1.6", () => {
    const ratios = SEEDS.map((seed) => heldRatio(generateEmployer({ seed }), "Family Safeguarding North", ...LAST12).pooled);
    for (const [i, r] of ratios.entries()) {
      expect(r, `seed ${SEEDS[i]}`).toBeGreaterThan(1.2);
      expect(r, `seed ${SEEDS[i]}`).toBeLessThan(1.6);
    }
    expect(mean(ratios)).toBeGreaterThan(1.25);
    expect(mean(ratios)).toBeLessThan(DEFAULT_BIAS_RATIO);
  });
});

describe("writers", () => {
  let dir: string;
  let small: SampleEmployer;
  beforeAll(() => {
    dir = tempDir("fairload-sample-");
    small = generateEmployer({ months: 3, seed: 2, healthCheckPeriods: ["2026-08"] });
  });

  it("csvField quotes per RFC 4180 and writes nulls empty, booleans true/false", () => {
    expect(csvField(null)).toBe("");
    expect(csvField(true)).toBe("true");
    expect(csvField(false)).toBe("false");
    expect(csvField(2.5)).toBe("2.5");
    expect(csvField("Family Safeguarding East, Coast")).toBe('"Family Safeguarding East, Coast"');
    expect(csvField('say "no"')).toBe('"say ""no"""');
    expect(csvField("plain")).toBe("plain");
  });

  it("writeCsvFolder writes one CSV per table that parses back to the rows", async () => {
    const out = join(dir, "csv");
    await writeCsvFolder(small, out);
    expect(readdirSync(out).sort()).toEqual(TABLE_NAMES.map((t) => `${t}.csv`).sort());
    for (const t of TABLE_NAMES) {
      const text = readFileSync(join(out, `${t}.csv`), "utf8");
      expect(text.includes("\r")).toBe(false);
      const rows = parseCsv(text);
      expect(rows[0]).toEqual([...TABLE_COLUMNS[t]]);
      expect(rows.length - 1).toBe(small.tables[t].length);
      rows.slice(1).forEach((cells, i) => {
        const expected = TABLE_COLUMNS[t].map((c) => {
          const v = small.tables[t][i][c];
          return v === null ? "" : String(v);
        });
        expect(cells).toEqual(expected);
      });
    }
    expect(readFileSync(join(out, "team_month.csv"), "utf8")).toContain('"Family Safeguarding East, Coast"');
  });

  it("writing the stream gives byte-identical files", async () => {
    const a = join(dir, "a"), b = join(dir, "b");
    await writeCsvFolder(generateEmployer({ months: 3, seed: 9 }), a);
    await writeCsvFolder(generateEmployerStream({ months: 3, seed: 9 }), b);
    for (const t of TABLE_NAMES) expect(readFileSync(join(b, `${t}.csv`), "utf8")).toBe(readFileSync(join(a, `${t}.csv`), "utf8"));
  });

  it("writeXlsx writes one sheet per table with numbers, real dates and text periods", async () => {
    const file = join(dir, "sample.xlsx");
    await writeXlsx(small, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name).sort()).toEqual([...TABLE_NAMES].sort());
    const cm = wb.getWorksheet("case_month")!;
    expect(cm.getRow(1).values).toEqual([undefined, ...TABLE_COLUMNS.case_month]);
    expect(cm.rowCount - 1).toBe(small.tables.case_month.length);
    const first = cm.getRow(2);
    expect(first.getCell(1).value).toBe(small.tables.case_month[0].period);
    expect(typeof first.getCell(5).value).toBe("number");
    const allocated = first.getCell(7).value;
    expect(allocated).toBeInstanceOf(Date);
    expect((allocated as Date).toISOString().slice(0, 10)).toBe(small.tables.case_month[0].allocated_on);
    const hc = wb.getWorksheet("health_check")!;
    expect(hc.getRow(2).getCell(1).value).toBeInstanceOf(Date);
    const wm = wb.getWorksheet("worker_month")!;
    expect(typeof wm.getRow(2).getCell(13).value).toBe("boolean");
  });
});
