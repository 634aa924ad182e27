/**
 * The monthly returns: each worker's worker_month row (sickness, supervision, TOIL, caseload
 * reviews, non-case points) and case_month rows, the team's month summary kept for its health
 * checks, and the team_month row (establishment, vacancy, agency, absence, leavers, referrals,
 * unallocated cases).
 */
import type { Demand } from "./demand.ts";
import { round1, round2 } from "./numbers.ts";
import type { Rng } from "./rng.ts";
import { ROLE_CASELOAD, ROLE_COMPLEXITY, ROLE_NON_CASE_UNITS } from "./roles.ts";
import type { TeamMonthSummary, TeamState, Worker } from "./state.ts";
import type { Row } from "./types.ts";

/** Writes the monthly returns; `m` counts months from the first. */
export class MonthlyReturns {
  /** `start`: month index of the first month. */
  constructor(private readonly rng: Rng, private readonly start: number, private readonly demand: Demand) {}

  /** The worker_month and case_month rows of a team's `workers` for month m, and the team's month summary. */
  workerMonth(team: TeamState, workers: readonly Worker[], m: number, period: string, workerRows: Row[], caseRows: Row[]): void {
    const rng = this.rng;
    const abs = this.start + m;
    const svc = team.service;
    const agreedPts = svc.mean * svc.spec.caseloadPerFte;
    const history: TeamMonthSummary = {
      caseloadPerFte: 0, agreed: svc.spec.caseloadPerFte, overAgreed: 0, vacancyFte: 0, agencyFte: 0, ltaFte: 0, establishment: 0,
      supPlanned: 0, supHeld: 0, sickDays: 0, fteSum: 0, reviews: 0, unallocated: 0, toilMean: 0, asye: 0, students: 0,
    };
    const prev = team.history[team.history.length - 1];
    const pressure = prev ? Math.max(0, (prev.vacancyFte / Math.max(1, prev.establishment)) * 2 + (prev.caseloadPerFte / prev.agreed - 1)) : 0;
    let caseHoldingFte = 0, caseHoldingCases = 0, toilSum = 0, toilN = 0;
    for (const post of team.posts) {
      const h = post.holder;
      if (!h) history.vacancyFte += post.fte;
      else {
        if (h.employment === "agency") history.agencyFte += post.fte;
        if (h.lta) history.ltaFte += post.fte;
      }
    }
    for (const w of workers) {
      const types = svc.spec.caseTypes;
      let pts = 0;
      for (const c of w.cases) {
        pts += c.points;
        caseRows.push({
          period, worker_id: w.id, case_ref: c.ref, case_type: types[c.typeIdx].caseType, points: c.points,
          complexity: c.showComplexity ? c.complexity : null, allocated_on: c.allocatedOn,
        });
      }
      const fte = w.post.fte;
      const agreedOwn = Math.max(agreedPts * 0.2, agreedPts * ROLE_CASELOAD[w.role] * ROLE_COMPLEXITY[w.role]) * fte;
      const loadRatio = pts / agreedOwn;
      // sickness
      let sickness = 0;
      if (w.lta === "sick") sickness = Math.round(20 * fte * rng.uniform(0.75, 1));
      else if (!w.lta && rng.bernoulli(0.07 * this.demand.sicknessSeasonal(abs))) sickness = Math.min(10, 1 + rng.geometric(0.45));
      // supervision
      const planned = w.lta ? 0 : w.role === "ASYE" || w.extraSupervision ? 2 : 1;
      const pMiss = Math.min(0.7, 0.08 + 0.25 * pressure + (sickness > 3 ? 0.3 : 0));
      const held = planned - rng.binomial(planned, pMiss);
      // TOIL (not recorded for agency staff)
      let toil: number | null = null;
      if (w.employment === "permanent") {
        const accrue = w.lta ? 0 : Math.max(0, rng.normal(1.5 + 12 * (loadRatio - 1), 2));
        w.toil = w.toil * 0.55 + accrue;
        toil = Math.round(w.toil * 2) / 2;
        toilSum += toil;
        toilN++;
      }
      const review = !w.lta && rng.bernoulli(1 / (1 + Math.exp(-(-7.5 + 8 * (loadRatio - 1)))));
      const nonCase = w.lta ? 0 : round1(svc.mean * (ROLE_NON_CASE_UNITS[w.role] + (w.student ? 2 : 0)) * fte * rng.lognormalMultiplier(0.2));
      workerRows.push({
        period, worker_id: w.id, service: team.spec.service, team: team.spec.team, role: w.role, fte, employment: w.employment,
        non_case_points: nonCase, supervision_planned: planned, supervision_held: held, sickness_days: sickness,
        toil_hours: toil, review_requested: review,
      });
      if (w.role !== "Team Manager" && w.role !== "Social Work Assistant" && !w.lta) {
        caseHoldingFte += fte;
        caseHoldingCases += w.cases.length;
        if (w.cases.length / fte > svc.spec.caseloadPerFte * ROLE_CASELOAD[w.role] * 1.1) history.overAgreed++;
      }
      history.supPlanned += planned;
      history.supHeld += held;
      history.sickDays += sickness;
      history.fteSum += fte;
      history.reviews += review ? 1 : 0;
      if (w.role === "ASYE") history.asye++;
      if (w.student) history.students++;
    }
    history.caseloadPerFte = caseHoldingFte > 0 ? caseHoldingCases / caseHoldingFte : 0;
    history.toilMean = toilN ? toilSum / toilN : 0;
    team.history.push(history);
  }

  /** The team_month row for month m (after departures are decided). */
  teamMonth(team: TeamState, m: number, period: string): Row {
    const rng = this.rng;
    const abs = this.start + m;
    let establishment = 0, caseHoldingPosts = 0;
    for (const post of team.posts) {
      establishment += post.fte;
      if (post.roleClass !== "TM") caseHoldingPosts += post.fte;
    }
    // vacancy, agency and absence as they stood during the month (recorded before departures)
    const hist = team.history[team.history.length - 1];
    const vacant = hist.vacancyFte, agency = hist.agencyFte, lta = hist.ltaFte;
    const season = this.demand.seasonal(abs);
    const lambda = this.demand.referralRate(team.service.spec, caseHoldingPosts, m, abs) * Math.exp(rng.normal(0, 0.04));
    const referrals = rng.poisson(lambda);
    const reReferrals = rng.binomial(referrals, 0.2);
    const unallocated = team.pool.length + rng.poisson(0.04 * referrals * season * season * (1 + 3 * (vacant / Math.max(1, establishment))));
    hist.establishment = establishment;
    hist.unallocated = unallocated;
    return {
      period, service: team.spec.service, team: team.spec.team, establishment_fte: round2(establishment), vacant_fte: round2(vacant),
      agency_fte: round2(agency), long_term_absence_fte: round2(lta), leavers: team.leaversThisMonth, referrals,
      re_referrals: reReferrals, unallocated_cases: unallocated,
    };
  }
}
