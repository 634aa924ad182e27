/**
 * Case allocation and caseload dynamics: each worker's caseload target (role, FTE, personal
 * effect, trend, level shift, damped seasonality, new-starter ramp, any caseload bias), their
 * intended case mix (role, personal effect, any complexity bias), closures, reallocation of
 * pooled cases and new allocations that balance the mix a worker holds.
 */
import { dateOf, daysInMonth } from "../../core/calendar.ts";
import type { Demand } from "./demand.ts";
import { cumulative } from "./numbers.ts";
import { permute28, type Rng } from "./rng.ts";
import { ROLE_CASELOAD, ROLE_COMPLEXITY } from "./roles.ts";
import { tiltedDistribution } from "./scheme.ts";
import { teamWorkers, type Case, type ServiceState, type TeamState, type Worker } from "./state.ts";

/** Share of a worker's gap between held and intended points per case that new allocations close. */
export const MIX_BALANCING = 0.5;
/** Furthest a single new case's expected points may be pushed from the worker's intended level (x or /). */
const MIX_BALANCING_LIMIT = 1.5;
export const MONTHLY_NOISE_SD = 0.06;
export const COMPLEXITY_BLANK_SHARE = 0.07;

/** The cases of the employer's workers; `m` counts months from the first, `abs` is a month index. */
export class Caseload {
  private caseCounter = 0;
  private readonly caseKey: number;
  /** tilted case-mix CDFs by service and rounded expected points ratio (for mix-balancing draws) */
  private readonly tiltCache = new Map<string, Float64Array>();

  /** `start`: month index of the first month. */
  constructor(
    private readonly rng: Rng,
    private readonly start: number,
    private readonly demand: Demand,
    private readonly experience: { perYear: number; cap: number } = { perYear: 1, cap: 10 },
  ) {
    this.caseKey = rng.fork("case-refs").uint32();
  }

  /** A fresh unique pseudonymous case reference, `C` + 7 hex digits (bijective scramble of a counter). */
  private newCaseRef(): string {
    return "C" + permute28(this.caseCounter++, this.caseKey).toString(16).toUpperCase().padStart(7, "0");
  }

  /** A day (1-28) of month `abs` on which a case is allocated. */
  private allocationDate(abs: number): string {
    return dateOf(abs, this.rng.int(1, Math.min(28, daysInMonth(abs))));
  }

  /**
   * Computes (once per team and role) the worker's intended case mix: the
   * service distribution tilted to role factor x personal complexity effect
   * (kept inside the team's band, so the bias always has room) x any
   * complexity bias (once it applies, in month `abs`), x any experience effect. Sets `probs`, `cdf`
   * and `intendedRatio`.
   */
  private caseMix(w: Worker, abs: number): Worker {
    const team = w.post.team;
    let biasFactor = 1;
    if (w.group === "EM") for (const s of team.biasSteps) if (abs - this.start >= s.from) biasFactor = s.factor;
    // experience: perYear per year since qualifying, up to cap, centred on half the cap
    const years = this.experience.perYear === 1 || w.qualifiedYear === null ? null : Math.min(this.experience.cap, Math.max(0, Math.floor(abs / 12) - w.qualifiedYear));
    const key = `${team.idx}|${w.role}|${biasFactor}|${years ?? ""}`;
    if (w.cdf && w.cdfKey === key) return w;
    const expFactor = years === null ? 1 : this.experience.perYear ** (years - this.experience.cap / 2);
    const own = Math.min(team.cxBand.hi, Math.max(team.cxBand.lo, ROLE_COMPLEXITY[w.role] * w.personalCx));
    const { probs, achieved } = tiltedDistribution(team.service.cells, own * expFactor * biasFactor);
    w.probs = probs;
    w.cdf = cumulative(probs);
    w.intendedRatio = achieved;
    w.cdfKey = key;
    return w;
  }

  /** The service distribution tilted to expected points `ratio` x the service mean (ratio rounded to 0.005, cached). */
  private tiltedCdf(svc: ServiceState, ratio: number): Float64Array {
    const q = Math.round(ratio * 200) / 200;
    const key = `${svc.spec.name}|${q}`;
    let cdf = this.tiltCache.get(key);
    if (!cdf) {
      cdf = cumulative(tiltedDistribution(svc.cells, q).probs);
      this.tiltCache.set(key, cdf);
    }
    return cdf;
  }

  /** A new case from cumulative cell distribution `cdf` of the worker's service, allocated on a day of month `abs`. */
  private newCase(w: Worker, abs: number, cdf: Float64Array = this.caseMix(w, abs).cdf!): Case {
    const svc = w.post.team.service;
    const idx = this.rng.fromCdf(cdf);
    const cell = svc.cells[idx];
    return {
      cell: idx, ref: this.newCaseRef(), typeIdx: cell.typeIdx, complexity: cell.complexity,
      showComplexity: !this.rng.bernoulli(COMPLEXITY_BLANK_SHARE), points: cell.points,
      allocatedOn: this.allocationDate(abs),
    };
  }

  /**
   * New cases for a worker's deficit, allocated with an eye on the mix they
   * already hold: each case is drawn from the service distribution tilted to
   * the worker's intended points per case, moved by `MIX_BALANCING` of the
   * gap between what they would hold at their intended level after these
   * allocations and what they hold, per case still to allocate (at most
   * `MIX_BALANCING_LIMIT` times or over the intended level). So a worker who
   * inherited lighter or heavier cases than intended drifts back to their
   * intended mix; the bias is realised on held caseloads.
   */
  private allocateNew(w: Worker, n: number, abs: number): void {
    const svc = w.post.team.service;
    const intended = this.caseMix(w, abs).intendedRatio * svc.mean;
    const before = w.cases.length;
    let held = 0;
    for (const c of w.cases) held += c.points;
    for (let i = 0; i < n; i++) {
      const perCase = (intended * (before + n) - held) / (n - i);
      const want = Math.min(intended * MIX_BALANCING_LIMIT, Math.max(intended / MIX_BALANCING_LIMIT, intended + MIX_BALANCING * (perCase - intended)));
      const c = this.newCase(w, abs, this.tiltedCdf(svc, want / svc.mean));
      held += c.points;
      w.cases.push(c);
    }
  }

  /** Caseload target of a worker in month m (0 on long-term absence). */
  private target(w: Worker, m: number, noise: boolean): number {
    if (w.lta) return 0;
    const team = w.post.team;
    const abs = this.start + m;
    const ramp = w.tenure === 0 ? 0.4 : w.tenure === 1 ? 0.7 : w.tenure === 2 ? 0.9 : 1;
    const seasonalCase = this.demand.caseloadSeasonal(abs);
    const bias = w.group === "EM" ? team.biasLoad : 1;
    const base = team.service.spec.caseloadPerFte * ROLE_CASELOAD[w.role] * w.post.fte * w.personalLoad
      * this.demand.trend(m) * this.demand.shift(team.spec.service, abs) * seasonalCase * ramp * bias;
    return noise ? base * Math.exp(this.rng.normal(0, MONTHLY_NOISE_SD)) : base;
  }

  /** Initial caseload of a worker already in post before the first month. */
  seedCases(w: Worker, m: number): void {
    const t = this.target(w, m, false);
    const n = Math.floor(t + this.rng.next());
    const mean = w.post.team.service.spec.meanCaseMonths;
    for (let i = 0; i < n; i++) {
      const age = Math.min(w.tenure, this.rng.geometric(1 / mean), 60);
      const abs = this.start + m - age;
      w.cases.push(this.newCase(w, abs));
    }
  }

  /**
   * Reallocation is allocation too: each pooled case (of a leaver, an absent
   * worker or a mover) goes to a worker with more than half a case of
   * headroom (up to 110% of target), chosen with probability proportional to
   * headroom x how much more likely that worker's intended case mix is to
   * contain such a case than the service's (q_w(cell) / p(cell)). Heavier
   * cases therefore go mostly to those who get heavier new cases (seniors,
   * and in a biased team ethnic-minority workers), and each worker's
   * inherited cases follow their own mix. Cases nobody has room for wait.
   */
  private reallocatePool(team: TeamState, workers: Worker[], targets: Map<Worker, number>, abs: number): void {
    const rng = this.rng;
    const cells = team.service.cells;
    const weights = new Float64Array(workers.length);
    const keep: Case[] = [];
    for (const c of team.pool) {
      let total = 0;
      for (let i = 0; i < workers.length; i++) {
        const w = workers[i];
        const free = targets.get(w)! * 1.1 - w.cases.length;
        weights[i] = free > 0.5 ? free * this.caseMix(w, abs).probs![c.cell] / cells[c.cell].p : 0;
        total += weights[i];
      }
      if (total > 0) workers[rng.weightedIndex(weights)].cases.push({ ...c, allocatedOn: this.allocationDate(abs) });
      else keep.push(c);
    }
    team.pool = keep;
  }

  /** Closures and allocation of one team for month m; returns the team's workers, in post order. */
  allocateMonth(team: TeamState, m: number): Worker[] {
    const rng = this.rng;
    const abs = this.start + m;
    const svc = team.service;
    const workers = teamWorkers(team);
    // closures (hazard 1 / mean case months), including cases waiting in the pool
    for (const w of workers) w.cases = w.cases.filter(() => rng.next() >= svc.hazard);
    team.pool = team.pool.filter(() => rng.next() >= svc.hazard);
    const targets = new Map<Worker, number>();
    for (const w of workers) {
      const t = this.target(w, m, true);
      targets.set(w, t);
      const cap = Math.ceil(t * 1.3) + 1;
      if (w.cases.length > cap) {
        rng.shuffle(w.cases);
        w.cases.length = cap;
      }
    }
    // reallocate pooled cases (leavers, absences, moves) to workers with headroom up to 110% of target
    if (team.pool.length) this.reallocatePool(team, workers, targets, abs);
    // new cases fill each worker's remaining deficit (stochastic rounding), balancing the mix they hold
    for (const w of workers) {
      const deficit = targets.get(w)! - w.cases.length;
      const n = deficit > 0 ? Math.floor(deficit + rng.next()) : 0;
      if (n > 0) this.allocateNew(w, n, abs);
    }
    return workers;
  }
}
