/**
 * The month-by-month simulation of a sample employer: builds its teams and posts from resolved
 * options, then each month hires starters, closes and allocates cases, writes the monthly
 * returns, decides who leaves, writes the health checks when due, and moves the workforce on.
 * All draws come from one seeded stream (health checks and the HR tables from forks of it), in a
 * fixed order; the HR tables only read the simulation, so the other tables do not depend on them.
 */
import { periodOf } from "../../core/calendar.ts";
import { BiasScope, teamBias } from "./bias.ts";
import { Caseload } from "./caseload.ts";
import { Demand } from "./demand.ts";
import { pointsSchemeRows } from "./employer.ts";
import { EthnicityDraw } from "./ethnicity.ts";
import { HealthChecks } from "./health-check.ts";
import { HrRecords } from "./hr.ts";
import type { Resolved } from "./options.ts";
import { MonthlyReturns } from "./returns.ts";
import { Rng } from "./rng.ts";
import { isSenior, teamPostRoles } from "./roles.ts";
import { serviceState, type TeamState, type Worker } from "./state.ts";
import type { Row, SampleChunk } from "./types.ts";
import { drawPostFte, Workforce } from "./workforce.ts";

/** Runs the month-by-month simulation for resolved options, yielding row chunks. */
export class Simulation {
  /** the ratio P(senior | EM) / P(senior | WB) actually planted */
  readonly seniorApplied: number;
  /** the workers ever in scope of each planted bias */
  readonly biasScope: BiasScope;
  private readonly teams: TeamState[];
  private readonly workforce: Workforce;
  private readonly caseload: Caseload;
  private readonly returns: MonthlyReturns;
  private readonly healthChecks: HealthChecks;
  private readonly hr: HrRecords | null;

  constructor(private readonly r: Resolved) {
    const rng = new Rng(r.seed);
    const hcRng = rng.fork("health-check");
    const services = r.services.map(serviceState);
    this.teams = r.teams.map((spec, idx) => {
      const service = services.find((s) => s.spec.name === spec.service)!;
      return { idx, spec, service, posts: [], pool: [], ...teamBias(r.bias, spec, service.cells), effect: 0, history: [], leaversThisMonth: 0 };
    });
    for (const team of this.teams) {
      team.effect = hcRng.normal(0, 0.35);
      team.posts = teamPostRoles(team.spec.size).map((roleClass) => ({
        team, roleClass, fte: drawPostFte(rng, roleClass), holder: null, nextStart: -1, nextAgency: false,
      }));
    }
    const allPosts = this.teams.flatMap((t) => t.posts);
    const seniorShare = allPosts.filter((p) => isSenior(p.roleClass)).length / allPosts.length;
    const ethnicity = new EthnicityDraw(rng, r.emShare, r.seniorLR, seniorShare);
    this.seniorApplied = ethnicity.seniorApplied;
    this.biasScope = new BiasScope(r.bias);
    const demand = new Demand(r);
    this.workforce = new Workforce(rng, r.start, ethnicity, this.biasScope, r.experience.ethnicMinorityExtraYears);
    this.caseload = new Caseload(rng, r.start, demand, r.experience);
    this.returns = new MonthlyReturns(rng, r.start, demand);
    this.healthChecks = new HealthChecks(hcRng);
    this.hr = r.hr ? new HrRecords(rng.fork("hr"), r.start, r.months, r.hr) : null;
  }

  /** Yields the points scheme, then every month's rows. */
  *run(): Generator<SampleChunk, void, void> {
    const r = this.r;
    yield { table: "points_scheme", period: null, rows: pointsSchemeRows(r.services) };
    const initialStaff = this.workforce.establish(this.teams, (w) => this.caseload.seedCases(w, 0));

    for (let m = 0; m < r.months; m++) {
      const abs = r.start + m;
      const period = periodOf(abs);
      const staffRows = (m === 0 ? initialStaff : []).concat(this.workforce.starters(this.teams, m));
      const workerRows: Row[] = [];
      const caseRows: Row[] = [];
      const monthWorkers: Worker[] = [];
      for (const team of this.teams) {
        const workers = this.caseload.allocateMonth(team, m);
        this.returns.workerMonth(team, workers, m, period, workerRows, caseRows);
        monthWorkers.push(...workers);
      }
      this.workforce.decideDepartures(this.teams, m);
      const hrChunks = this.hr ? this.hr.month(m, period, monthWorkers, workerRows, caseRows) : [];
      const teamRows = this.teams.map((team) => this.returns.teamMonth(team, m, period));
      yield { table: "staff", period, rows: staffRows };
      yield { table: "worker_month", period, rows: workerRows };
      yield { table: "case_month", period, rows: caseRows };
      yield { table: "team_month", period, rows: teamRows };
      if (r.checkPeriods.includes(period)) {
        const hc: Row[] = [];
        for (const team of this.teams) this.healthChecks.rows(team, abs, hc);
        yield { table: "health_check", period, rows: hc };
      }
      yield* hrChunks;
      this.workforce.endOfMonth(this.teams, m);
    }
  }
}
