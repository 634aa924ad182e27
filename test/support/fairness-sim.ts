/**
 * A small simulator for the fairness audit's statistics tests: teams of given sizes, workers with
 * persistent lognormal effects (sd 0.15) and monthly noise, roles with different complexity, and
 * a planted ratio for the group's workers in chosen teams. Shared by test/unit/fairness-core.test.ts
 * and test/unit/fairness-mc.test.ts.
 */
import { auditComparison, measureValues, type AuditOptions, type FairnessResult, type WorkerMonthObs } from "../../pipelines/stats/fairness.ts";
import { monthIndex, periodOf } from "../../core/calendar.ts";
import { createRng } from "../../pipelines/stats/rng.ts";

// ---------------------------------------------------------------------------
// A small simulator

export interface Role {
  role: string;
  /** Average points per case of the role. */
  complexity: number;
}

export const ROLES: Role[] = [
  { role: "Social Worker", complexity: 10 },
  { role: "Senior Practitioner", complexity: 13 },
  { role: "ASYE", complexity: 7 },
];

export interface Member {
  group: string;
  count: number;
  /** Multiplier of points per case for these workers (default 1). */
  planted?: number;
  /** Roles of these workers, cycled (default all ROLES, cycled). */
  roles?: Role[];
}

export interface TeamSpec {
  service: string;
  team: string;
  members: Member[];
}

export interface SimOptions {
  teams: TeamSpec[];
  seed: number;
  months?: number;
  asOf?: string;
  /** SD of the persistent lognormal worker effect (0.15). */
  workerSd?: number;
  /** SD of the lognormal worker-month noise (0.1). */
  monthSd?: number;
  /** Share of part-time (0.6 FTE) workers (0). */
  partTimeShare?: number;
  /** Months (0 = first of the window) in which the planted ratio applies (default all). */
  plantedMonths?: number[];
}

/** Worker-months of simulated teams, with every measure derived by measureValues. */
export function simulate(o: SimOptions): WorkerMonthObs[] {
  const rng = createRng(o.seed);
  const months = o.months ?? 12;
  const end = monthIndex(o.asOf ?? "2025-03");
  const wsd = o.workerSd ?? 0.15;
  const msd = o.monthSd ?? 0.1;
  const out: WorkerMonthObs[] = [];
  for (const t of o.teams) {
    let k = 0;
    for (const m of t.members) {
      const roles = m.roles ?? ROLES;
      for (let i = 0; i < m.count; i++, k++) {
        const role = roles[i % roles.length];
        const partTime = rng.nextFloat() < (o.partTimeShare ?? 0);
        const fte = partTime ? 0.6 : 1;
        const effect = Math.exp(wsd * rng.nextNormal() - (wsd * wsd) / 2);
        for (let mi = 0; mi < months; mi++) {
          const planted = !o.plantedMonths || o.plantedMonths.includes(mi) ? (m.planted ?? 1) : 1;
          const cases = Math.max(1, Math.round(fte * (12 + 4 * rng.nextFloat())));
          const noise = Math.exp(msd * rng.nextNormal() - (msd * msd) / 2);
          const ppc = role.complexity * effect * noise * planted;
          const mv = measureValues({
            cases,
            case_points: cases * ppc,
            non_case_points: 5,
            complex_cases: Math.round(cases * Math.min(1, 0.3 * effect * planted)),
            known_complexity_cases: cases,
            supervision_planned: 1,
            supervision_held: rng.nextFloat() < 0.85 ? 1 : 0,
            review_requested: rng.nextFloat() < 0.05,
            fte,
          });
          out.push({
            worker_id: `${t.team}/w${k}`,
            period: periodOf(end - months + 1 + mi),
            service: t.service,
            team: t.team,
            role: role.role,
            fte,
            fte_band: partTime ? "part-time" : "full-time",
            group: m.group,
            ...mv,
          });
        }
      }
    }
  }
  return out;
}

export const EM = "Ethnic minorities";
export const WB = "White British";
export const NK = "Not known";

/** A team with `g` group and `r` reference workers, roles cycled within each group. */
export function team(name: string, g: number, r: number, planted = 1, service = "Safeguarding and Support"): TeamSpec {
  return { service, team: name, members: [{ group: EM, count: g, planted }, { group: WB, count: r }] };
}

export const BASE: Omit<AuditOptions, "seed"> = {
  group: EM,
  reference: WB,
  measure: "points_per_case",
  windowMonths: 12,
  asOf: "2025-03",
  resamples: 999,
};

export function audit(obs: WorkerMonthObs[], seed: number, extra: Partial<AuditOptions> = {}): FairnessResult {
  return auditComparison(obs, { ...BASE, seed, ...extra });
}

