/**
 * The planted patterns of the sample's HR tables (loaders/sample/hr.ts), measured from the
 * generated rows alone, as an analyst would from the returns: each worker's ethnic group from
 * staff, their service, team, role and workload from worker_month and case_month.
 */
import { ETHNICITY_MIX, type Row, type SampleTables } from "../../loaders/sample/generator.ts";
import { workloadBand } from "../../loaders/sample/hr.ts";

/** Reporting group of a staff ethnicity value: WB, WM, EM or NK. */
const GROUP = new Map<string, string>();
for (const e of ETHNICITY_MIX) {
  GROUP.set(e.code, e.group);
  if (e.label) GROUP.set(e.label, e.group);
}
GROUP.set("Other ethnic group: Arab", "EM");

export function groupOf(ethnicity: unknown): string {
  if (ethnicity === null || ethnicity === "") return "NK";
  const g = GROUP.get(String(ethnicity));
  if (!g) throw new Error(`unknown ethnicity ${String(ethnicity)}`);
  return g;
}

/** Counts of events and of those with the outcome, for ethnic-minority (EM) and White British (WB) workers. */
export interface Counts {
  em: { n: number; yes: number };
  wb: { n: number; yes: number };
}

/** Risk ratio EM / WB of a count (NaN when undefined). */
export const riskRatio = (c: Counts) => c.em.yes / c.em.n / (c.wb.yes / c.wb.n);

/**
 * Mantel-Haenszel risk ratio over strata: sum(a_k n0_k / N_k) / sum(c_k n1_k / N_k), with a and
 * n1 the EM events and workers-events, c and n0 the WB ones.
 */
export function mantelHaenszel(strata: Iterable<Counts>): number {
  let num = 0, den = 0;
  for (const s of strata) {
    const N = s.em.n + s.wb.n;
    if (s.em.n === 0 || s.wb.n === 0) continue;
    num += (s.em.yes * s.wb.n) / N;
    den += (s.wb.yes * s.em.n) / N;
  }
  return num / den;
}

const empty = (): Counts => ({ em: { n: 0, yes: 0 }, wb: { n: 0, yes: 0 } });
const add = (c: Counts, group: string, yes: boolean) => {
  const g = group === "EM" ? c.em : group === "WB" ? c.wb : undefined;
  if (!g) return;
  g.n++;
  if (yes) g.yes++;
};

/** Lookups over the monthly tables: a worker's group, and their worker_month row and case points in a month. */
export class Returns {
  readonly group = new Map<string, string>();
  readonly wm = new Map<string, Row>();
  /** relative workload: case points per FTE over the mean of the same period, service and role */
  readonly relative = new Map<string, number>();

  constructor(readonly t: SampleTables) {
    for (const s of t.staff) this.group.set(s.worker_id as string, groupOf(s.ethnicity));
    const pts = new Map<string, number>();
    for (const c of t.case_month) {
      const k = `${c.period}|${c.worker_id}`;
      pts.set(k, (pts.get(k) ?? 0) + (c.points as number));
    }
    const sums = new Map<string, { s: number; n: number }>();
    const ppf = new Map<string, number>();
    for (const r of t.worker_month) {
      const k = `${r.period}|${r.worker_id}`;
      this.wm.set(k, r);
      const v = (pts.get(k) ?? 0) / (r.fte as number);
      ppf.set(k, v);
      const g = `${r.period}|${r.service}|${r.role}`;
      const a = sums.get(g) ?? { s: 0, n: 0 };
      a.s += v;
      a.n++;
      sums.set(g, a);
    }
    for (const r of t.worker_month) {
      const k = `${r.period}|${r.worker_id}`;
      const a = sums.get(`${r.period}|${r.service}|${r.role}`)!;
      this.relative.set(k, a.s > 0 ? ppf.get(k)! / (a.s / a.n) : 1);
    }
  }

  /** The worker's worker_month row in a month (their service, team and role then). */
  at(period: string, worker: string): Row {
    const r = this.wm.get(`${period}|${worker}`);
    if (!r) throw new Error(`no worker_month row for ${worker} in ${period}`);
    return r;
  }
}

/** Top rating (the scale's first) by workload band, in `service`; crude and Mantel-Haenszel risk ratios. */
export function appraisalTop(ret: Returns, service: string, top = "Exceeds"): { crude: number; adjusted: number; counts: Counts; bands: Record<string, Counts> } {
  const bands: Record<string, Counts> = { low: empty(), mid: empty(), high: empty() };
  const all = empty();
  for (const a of ret.t.appraisal) {
    const w = ret.at(a.period as string, a.worker_id as string);
    if (w.service !== service) continue;
    const g = ret.group.get(a.worker_id as string)!;
    const yes = a.rating === top;
    add(all, g, yes);
    add(bands[workloadBand(ret.relative.get(`${a.period}|${a.worker_id}`)!)], g, yes);
  }
  return { crude: riskRatio(all), adjusted: mantelHaenszel(Object.values(bands)), counts: all, bands };
}

/** Appointed among those shortlisted for a vacancy and decided (appointed or not appointed), in `service`. */
export function appointedFromShortlist(ret: Returns, service: string): { ratio: number; counts: Counts } {
  const c = empty();
  for (const p of ret.t.progression) {
    if (p.route !== "vacancy" || p.shortlisted !== true || (p.outcome !== "appointed" && p.outcome !== "not appointed")) continue;
    if (ret.at(p.period as string, p.worker_id as string).service !== service) continue;
    add(c, ret.group.get(p.worker_id as string)!, p.outcome === "appointed");
  }
  return { ratio: riskRatio(c), counts: c };
}

/** Cases reallocated among resolved review requests (not pending), in `service`. */
export function reviewReallocated(ret: Returns, service: string): { ratio: number; counts: Counts } {
  const c = empty();
  for (const r of ret.t.review_request) {
    if (r.outcome === "pending" || r.outcome === null) continue;
    if (ret.at((r.requested_on as string).slice(0, 7), r.worker_id as string).service !== service) continue;
    add(c, ret.group.get(r.worker_id as string)!, r.outcome === "cases reallocated");
  }
  return { ratio: riskRatio(c), counts: c };
}

/** Training requests approved among those decided, in `service`. */
export function trainingApproved(ret: Returns, service: string): { ratio: number; counts: Counts } {
  const c = empty();
  for (const r of ret.t.training) {
    if (r.outcome === "pending") continue;
    if (ret.at(r.period as string, r.worker_id as string).service !== service) continue;
    add(c, ret.group.get(r.worker_id as string)!, r.outcome === "approved");
  }
  return { ratio: riskRatio(c), counts: c };
}

/**
 * Leave carried over per FTE by leave year and team (the worker's team in the March the leave
 * year ends; rows of leavers left out), and each team's caseload per case-holding FTE over
 * the leave year relative to the whole employer's.
 */
export function carryOverByTeam(ret: Returns): { year: number; team: string; carried: number; rows: number }[] {
  const acc = new Map<string, { year: number; team: string; s: number; n: number }>();
  for (const l of ret.t.leave) {
    const march = `${l.leave_year}-03`;
    const w = ret.wm.get(`${march}|${l.worker_id}`);
    if (!w || (l.paid_in_lieu_days as number) > 0) continue;
    const k = `${l.leave_year}|${w.team}`;
    const a = acc.get(k) ?? { year: l.leave_year as number, team: w.team as string, s: 0, n: 0 };
    a.s += (l.carried_over_days as number) / (w.fte as number);
    a.n++;
    acc.set(k, a);
  }
  return [...acc.values()].map((a) => ({ year: a.year, team: a.team, carried: a.s / a.n, rows: a.n })).sort((x, y) => x.year - y.year || x.team.localeCompare(y.team));
}

const CASE_HOLDING = new Set(["ASYE", "Social Worker", "Senior Practitioner", "Advanced Practitioner"]);

/**
 * Each team's caseload against the agreed level in each leave year (April to March, named after
 * the year it ends): per month, cases per FTE of its case-holding workers (social workers,
 * ASYEs, senior and advanced practitioners holding at least one case) over the service's agreed
 * caseload per FTE, averaged over the leave year's months. Keyed `year|team`.
 */
export function teamPressure(ret: Returns, agreed: ReadonlyMap<string, number>): Map<string, number> {
  const month = new Map<string, { cases: number; fte: number; service: string }>();
  const cases = new Map<string, number>();
  for (const c of ret.t.case_month) cases.set(`${c.period}|${c.worker_id}`, (cases.get(`${c.period}|${c.worker_id}`) ?? 0) + 1);
  for (const r of ret.t.worker_month) {
    const n = cases.get(`${r.period}|${r.worker_id}`) ?? 0;
    if (!CASE_HOLDING.has(r.role as string) || n === 0) continue;
    const k = `${r.period}|${r.team}`;
    const a = month.get(k) ?? { cases: 0, fte: 0, service: r.service as string };
    a.cases += n;
    a.fte += r.fte as number;
    month.set(k, a);
  }
  const acc = new Map<string, { s: number; n: number }>();
  for (const [k, a] of month) {
    const [period, team] = [k.slice(0, 7), k.slice(8)];
    const [y, m] = period.split("-").map(Number);
    const year = m >= 4 ? y + 1 : y;
    const key = `${year}|${team}`;
    const x = acc.get(key) ?? { s: 0, n: 0 };
    x.s += a.cases / a.fte / agreed.get(a.service)!;
    x.n++;
    acc.set(key, x);
  }
  return new Map([...acc].map(([k, x]) => [k, x.s / x.n]));
}

/**
 * Least-squares slope of the mean days carried over per FTE of a team's leave-year rows on the
 * team's caseload above the agreed level (max(0, pressure - 1)), over every team and leave year.
 */
export function carryOverSlope(ret: Returns, agreed: ReadonlyMap<string, number>): { slope: number; points: { year: number; team: string; excess: number; carried: number }[] } {
  const pressure = teamPressure(ret, agreed);
  const points = carryOverByTeam(ret).map((c) => ({ year: c.year, team: c.team, excess: Math.max(0, (pressure.get(`${c.year}|${c.team}`) ?? 1) - 1), carried: c.carried }));
  const mx = points.reduce((s, p) => s + p.excess, 0) / points.length;
  const my = points.reduce((s, p) => s + p.carried, 0) / points.length;
  const sxy = points.reduce((s, p) => s + (p.excess - mx) * (p.carried - my), 0);
  const sxx = points.reduce((s, p) => s + (p.excess - mx) ** 2, 0);
  return { slope: sxy / sxx, points };
}
