/**
 * The optional HR tables of the sample employer (docs/returns.md, "Optional HR tables"):
 * appraisal, progression, training, review_request and leave, with one planted pattern each
 * (docs/sample-employer.md, "HR tables"):
 *
 * - appraisal: ethnic-minority workers in one service are rated top (the scale's first rating)
 *   `ratingTopLR` times as often as others at the same workload (default 0.6);
 * - progression: ethnic-minority workers in that service who are shortlisted for a vacancy are
 *   appointed `appointLR` times as often (default 0.6);
 * - review_request: their requests for a caseload review lead to cases being reallocated
 *   `reviewReallocLR` times as often (default 0.6);
 * - training: requests approved `trainingApproveLR` times as often (default 1: none planted, a
 *   negative control);
 * - leave: days carried over rise with the team's caseload above the agreed level, so they rise
 *   in the busiest teams as their caseloads grow (`carryOverPerExcess` days per FTE for each
 *   unit of caseload above agreed; default 30).
 *
 * Every draw comes from the simulation's "hr" fork, and nothing here changes the simulation's
 * state: the other tables are exactly what they are without the HR tables. The records are
 * records only: an appointment does not change the worker's role in worker_month (promotions are
 * not modelled) and a reallocation does not move cases in case_month.
 */
import { dateOf, daysInMonth, monthEnd, periodOf } from "../../core/calendar.ts";
import { DEFAULT_APPRAISAL_RATINGS } from "../../core/defaults.ts";
import { GoldenStream, type Rng } from "./rng.ts";
import type { TeamState, Worker } from "./state.ts";
import type { HrOptions, Row, SampleChunk, ServiceSpec } from "./types.ts";

/** Defaults of the planted HR patterns. */
export const DEFAULT_HR = { ratingTopLR: 0.6, appointLR: 0.6, reviewReallocLR: 0.6, trainingApproveLR: 1, carryOverPerExcess: 30 } as const;
/** The service the HR patterns are planted in when the options name none (else the employer's first). */
export const DEFAULT_HR_SERVICE = "Safeguarding and Support";

/** The HR options, validated, with their defaults. */
export interface ResolvedHr {
  service: string;
  ratingTopLR: number;
  appointLR: number;
  reviewReallocLR: number;
  trainingApproveLR: number;
  carryOverPerExcess: number;
}

/**
 * Base rates of the records (before any planted ratio). Top rating by workload band: a worker's
 * case points per FTE relative to the mean of the same service and role that month (below 0.9,
 * 0.9 to 1.1, above 1.1); overloaded workers are rated top less often, whoever they are.
 */
export const HR_RATES = {
  topByBand: { low: 0.36, mid: 0.3, high: 0.24 },
  moderated: 0.7,
  vacancyMonthly: 0.03,
  shortlisted: 0.65,
  withdrawn: 0.05,
  appointed: 0.45,
  panelMonthly: 0.012,
  panelAppointed: 0.6,
  trainingMonthly: 0.03,
  approved: 0.75,
  reallocated: 0.45,
  /** days of leave a year, full time: under five years' service, then from five years */
  entitlement: [27, 32],
} as const;

/** A workload band for the rating: relative case points per FTE (see {@link HR_RATES}). */
export function workloadBand(relative: number): "low" | "mid" | "high" {
  return relative < 0.9 ? "low" : relative <= 1.1 ? "mid" : "high";
}

/** Validates the `hr` option; null when the HR tables are turned off. */
export function resolveHr(opts: HrOptions | false | undefined, services: readonly ServiceSpec[]): ResolvedHr | null {
  if (opts === false) return null;
  const o = opts ?? {};
  const service = o.service ?? (services.some((s) => s.name === DEFAULT_HR_SERVICE) ? DEFAULT_HR_SERVICE : services[0]?.name);
  if (service === undefined || !services.some((s) => s.name === service)) throw new Error(`hr: unknown service "${String(o.service)}"`);
  const r: ResolvedHr = {
    service,
    ratingTopLR: o.ratingTopLR ?? DEFAULT_HR.ratingTopLR,
    appointLR: o.appointLR ?? DEFAULT_HR.appointLR,
    reviewReallocLR: o.reviewReallocLR ?? DEFAULT_HR.reviewReallocLR,
    trainingApproveLR: o.trainingApproveLR ?? DEFAULT_HR.trainingApproveLR,
    carryOverPerExcess: o.carryOverPerExcess ?? DEFAULT_HR.carryOverPerExcess,
  };
  const top = (k: keyof ResolvedHr, base: number) => {
    const v = r[k] as number;
    if (!(v > 0 && v * base <= 1)) throw new Error(`hr: ${k} must be > 0 and at most ${Math.floor((1 / base) * 100) / 100}`);
  };
  top("ratingTopLR", HR_RATES.topByBand.low);
  top("appointLR", HR_RATES.appointed);
  top("reviewReallocLR", HR_RATES.reallocated);
  top("trainingApproveLR", HR_RATES.approved);
  if (!(r.carryOverPerExcess >= 0)) throw new Error("hr: carryOverPerExcess must be >= 0");
  return r;
}

interface HrState {
  appraisedYear: number;
  lastPanel: number;
  carryIn: number;
}

const round05 = (x: number) => Math.round(x * 2) / 2;

/** Writes the HR tables month by month from the "hr" random stream; reads the simulation, never changes it. */
export class HrRecords {
  private readonly state = new Map<string, HrState>();
  private readonly streams = new Map<string, GoldenStream>();
  private readonly ratings: readonly string[] = DEFAULT_APPRAISAL_RATINGS;
  /** last day of the data: a review not resolved by then is pending */
  private readonly lastDay: string;

  /** `start`: month index of the first month; `months`: how many. */
  constructor(private readonly rng: Rng, private readonly start: number, private readonly months: number, private readonly hr: ResolvedHr) {
    this.lastDay = monthEnd(periodOf(start + months - 1));
  }

  /**
   * A stratified uniform for a planted decision: one golden-ratio stream per decision, per
   * inside or outside the planted service and per ethnic group, so that each group's realised
   * rate is close to its intended rate even in a small employer (common random numbers, as the
   * workforce's personal effects).
   */
  private u(decision: string, w: Worker): number {
    const key = `${decision}|${w.post.team.spec.service === this.hr.service ? "in" : "out"}|${w.group}`;
    let s = this.streams.get(key);
    if (!s) {
      s = new GoldenStream(this.rng.next());
      this.streams.set(key, s);
    }
    return s.next();
  }

  /** The planted ratio for worker w: `lr` for ethnic-minority workers in the planted service, else 1. */
  private lr(w: Worker, lr: number): number {
    return w.group === "EM" && w.post.team.spec.service === this.hr.service ? lr : 1;
  }

  private stateOf(w: Worker): HrState {
    let s = this.state.get(w.id);
    if (!s) {
      s = { appraisedYear: -1, lastPanel: -99, carryIn: 0 };
      this.state.set(w.id, s);
    }
    return s;
  }

  /**
   * The HR rows of month m: `workers` are the month's workers (after departures were decided: a
   * leaver no longer holds their post), `workerRows` and `caseRows` the month's returns.
   */
  month(m: number, period: string, workers: readonly Worker[], workerRows: readonly Row[], caseRows: readonly Row[]): SampleChunk[] {
    const abs = this.start + m;
    const calMonth = abs % 12; // 0 = January
    const last = m === this.months - 1;
    const byId = new Map(workers.map((w) => [w.id, w]));
    const appraisal: Row[] = [], progression: Row[] = [], training: Row[] = [], review: Row[] = [], leave: Row[] = [];

    // workload relative to the same service and role this month (case points per FTE)
    const points = new Map<string, number>();
    for (const c of caseRows) points.set(c.worker_id as string, (points.get(c.worker_id as string) ?? 0) + (c.points as number));
    const groupSum = new Map<string, { s: number; n: number }>();
    const ppf = new Map<string, number>();
    for (const r of workerRows) {
      const v = (points.get(r.worker_id as string) ?? 0) / (r.fte as number);
      ppf.set(r.worker_id as string, v);
      const k = `${r.service}|${r.role}`;
      const g = groupSum.get(k) ?? { s: 0, n: 0 };
      g.s += v;
      g.n++;
      groupSum.set(k, g);
    }
    const relative = (r: Row) => {
      const g = groupSum.get(`${r.service}|${r.role}`)!;
      const mean = g.s / g.n;
      return mean > 0 ? ppf.get(r.worker_id as string)! / mean : 1;
    };

    for (const r of workerRows) {
      const w = byId.get(r.worker_id as string)!;
      const s = this.stateOf(w);
      const left = w.post.holder !== w;
      const permanent = w.employment === "permanent";
      const year = Math.floor(abs / 12);

      // appraisal: once a year, concluded April to June, for permanent staff past their ASYE and six months in post
      if (calMonth >= 3 && calMonth <= 5 && permanent && !w.lta && !left && w.role !== "ASYE" && w.tenure >= 6 && s.appraisedYear !== year) {
        if (this.rng.next() < 1 / (6 - calMonth)) {
          s.appraisedYear = year;
          const p = HR_RATES.topByBand[workloadBand(relative(r))] * this.lr(w, this.hr.ratingTopLR);
          const rating = this.u("top", w) < p ? this.ratings[0] : this.ratings[1 + this.rng.weightedIndex([0.8, 0.15, 0.05].slice(0, this.ratings.length - 1))];
          appraisal.push({ worker_id: w.id, period, rating, moderated: this.rng.bernoulli(HR_RATES.moderated), reviewer_role: w.role === "Team Manager" ? "Service Manager" : "Team Manager" });
        }
      }

      // progression: applications to advertised senior posts, and progression panels
      if (permanent && !w.lta && !left && w.tenure >= 6 && (w.role === "Social Worker" || w.role === "Senior Practitioner" || w.role === "Advanced Practitioner")) {
        if (this.rng.bernoulli(HR_RATES.vacancyMonthly)) {
          const toRole = w.role === "Social Worker" ? "Senior Practitioner" : w.role === "Senior Practitioner" && this.rng.bernoulli(0.6) ? "Advanced Practitioner" : "Team Manager";
          const shortlisted = this.rng.bernoulli(HR_RATES.shortlisted);
          let outcome: string;
          if (!shortlisted) outcome = "not appointed";
          else if (this.rng.bernoulli(HR_RATES.withdrawn)) outcome = "withdrawn";
          else if (last && this.rng.bernoulli(0.5)) outcome = "pending";
          else outcome = this.u("appoint", w) < HR_RATES.appointed * this.lr(w, this.hr.appointLR) ? "appointed" : "not appointed";
          progression.push({ worker_id: w.id, period, route: "vacancy", to_role: toRole, shortlisted, outcome });
        }
        if (w.role === "Social Worker" && w.tenure >= 12 && w.qualifiedYear !== null && w.qualifiedYear <= year - 2 && m - s.lastPanel >= 12 && this.rng.bernoulli(HR_RATES.panelMonthly)) {
          s.lastPanel = m;
          const outcome = last && this.rng.bernoulli(0.5) ? "pending" : this.rng.bernoulli(HR_RATES.panelAppointed) ? "appointed" : "not appointed";
          progression.push({ worker_id: w.id, period, route: "panel", to_role: "Senior Practitioner", shortlisted: null, outcome });
        }
      }

      // training: requests beyond mandatory training
      if (permanent && !w.lta && !left && this.rng.bernoulli(HR_RATES.trainingMonthly)) {
        const assistant = w.role === "Social Work Assistant";
        const k = this.rng.weightedIndex(assistant ? [0, 0.8, 0.2, 0] : [0.25, 0.55, 0.12, 0.08]);
        const kind = (["post-qualifying", "non-mandatory CPD", "study leave", "secondment"] as const)[k];
        const days = kind === "post-qualifying" ? this.rng.int(5, 20) : kind === "non-mandatory CPD" ? this.rng.int(1, 3) : kind === "study leave" ? this.rng.int(3, 10) : this.rng.int(20, 60);
        const outcome = last && this.rng.bernoulli(0.5) ? "pending" : this.u("approve", w) < HR_RATES.approved * this.lr(w, this.hr.trainingApproveLR) ? "approved" : "declined";
        training.push({ worker_id: w.id, period, kind, days, outcome });
      }

      // review requests: one for each worker-month that flags review_requested
      if (r.review_requested === true) {
        const day = this.rng.int(1, Math.min(28, daysInMonth(abs)));
        const requestedOn = dateOf(abs, day);
        const reason = (["unsafe caseload", "complexity", "wellbeing", "other"] as const)[this.rng.weightedIndex([0.6, 0.2, 0.15, 0.05])];
        const resolvedOn = addDays(requestedOn, 3 + this.rng.geometric(0.12));
        let outcome: string;
        let resolved: string | null = resolvedOn;
        if (resolvedOn > this.lastDay) {
          outcome = "pending";
          resolved = null;
        } else if (this.u("realloc", w) < HR_RATES.reallocated * this.lr(w, this.hr.reviewReallocLR)) outcome = "cases reallocated";
        else outcome = this.rng.bernoulli(0.6) ? "support added" : "no change";
        review.push({ worker_id: w.id, requested_on: requestedOn, reason, outcome, resolved_on: resolved });
      }

      // leave: a row for each permanent worker at the end of the leave year (April to March, named
      // after the year it ends), or when they leave
      if (permanent && (calMonth === 2 || left)) {
        const leaveYear = calMonth >= 3 ? year + 1 : year;
        const monthsInYear = Math.min(12, w.tenure + 1, calMonth >= 3 ? calMonth - 2 : calMonth + 10);
        const full = HR_RATES.entitlement[w.tenure >= 60 ? 1 : 0];
        const entitlement = round05(full * (r.fte as number) * (monthsInYear / 12));
        const available = entitlement + s.carryIn;
        if (left) {
          const taken = round05(available * this.rng.uniform(0.5, 1));
          leave.push({ worker_id: w.id, leave_year: leaveYear, entitlement_days: entitlement, taken_days: taken, carried_over_days: 0, paid_in_lieu_days: round05(available - taken) });
        } else {
          const base = this.rng.bernoulli(0.45) ? 0 : this.rng.int(1, 5);
          const excess = Math.max(0, this.pressure(w.post.team, leaveYear) - 1);
          const carried = Math.min(round05(available / 2), round05((base + this.hr.carryOverPerExcess * excess * this.rng.uniform(0.7, 1.3)) * (r.fte as number)));
          const lost = this.rng.bernoulli(0.1) ? this.rng.int(1, 2) : 0;
          const taken = Math.max(0, round05(available - carried - lost));
          leave.push({ worker_id: w.id, leave_year: leaveYear, entitlement_days: entitlement, taken_days: taken, carried_over_days: carried, paid_in_lieu_days: 0 });
          s.carryIn = carried;
        }
      }
    }
    const out: SampleChunk[] = [];
    for (const [table, rows] of [["appraisal", appraisal], ["progression", progression], ["training", training], ["review_request", review], ["leave", leave]] as const) {
      if (rows.length) out.push({ table, period, rows });
    }
    return out;
  }

  /** A team's caseload per case-holding FTE relative to the agreed level, averaged over the leave year's months in the data. */
  private pressure(team: TeamState, leaveYear: number): number {
    const first = Math.max(leaveYear * 12 - 9, this.start); // April of the year before
    const lastAbs = Math.min(leaveYear * 12 + 2, this.start + team.history.length - 1);
    let s = 0, n = 0;
    for (let a = first; a <= lastAbs; a++) {
      const h = team.history[a - this.start];
      if (h && h.agreed > 0) {
        s += h.caseloadPerFte / h.agreed;
        n++;
      }
    }
    return n ? s / n : 1;
  }
}

/** `YYYY-MM-DD` plus `days` days. */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
