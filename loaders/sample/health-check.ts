/**
 * The health-check returns: each team's 39 prompts rated green, amber, red or n/a from its last
 * three months (caseloads, vacancies, supervision, sickness, reviews, TOIL, ASYEs, students),
 * with notes, disagreements and next steps.
 */
import { dateOf } from "../../core/calendar.ts";
import type { RATINGS } from "../../core/contract.ts";
import { round1 } from "./numbers.ts";
import type { Rng } from "./rng.ts";
import type { TeamMonthSummary, TeamState } from "./state.ts";
import type { Row } from "./types.ts";

type Rating = (typeof RATINGS)[number];

/** Which team measure drives each of the 39 health-check prompts (index 0 = prompt 1). Synthetic assumption. */
export const HEALTH_CHECK_PROMPT_DRIVERS: readonly string[] = [
  "general", "general", "vacancy", "vacancy", "caseload", "caseload", "caseload", "unallocated", "vacancy", "reviews",
  "reviews", "supervision", "supervision", "supervision", "general", "general", "toil", "general", "asye", "asye",
  "students", "general", "general", "general", "general", "general", "general", "general", "general", "sickness",
  "sickness", "sickness", "toil", "general", "vacancy", "general", "general", "general", "general",
];

const GENERAL_NOTES: readonly string[] = [
  "Discussed at the team meeting; no new concerns raised.",
  "Some improvement since the last check.",
  "Staff asked for more business support with minutes and letters.",
  "Laptop and case recording system problems raised again.",
  "Hot-desking makes confidential calls difficult.",
  "Team values peer support and group supervision.",
  "Travel time across the county not reflected in the workload scheme.",
  "Induction for new starters described as good.",
];

const NEXT_STEPS: Readonly<Record<string, readonly string[]>> = {
  caseload: ["Service manager to review allocations and cap new allocations for staff above the agreed level.", "Request agency cover to bring caseloads back to the agreed level."],
  unallocated: ["Weekly unallocated-cases meeting with the service manager until the list is cleared."],
  vacancy: ["Recruitment campaign agreed; interim agency cover approved."],
  supervision: ["Supervision dates fixed for the next six months and monitored monthly."],
  sickness: ["Wellbeing check-ins and occupational health referrals offered."],
  reviews: ["Caseload reviews to be completed within two weeks of the request."],
  toil: ["TOIL to be taken within three months; manager to agree dates."],
  general: ["Action plan agreed with the team; review at the next health check."],
};

/** Health-check rows from the health-check random stream (separate from the simulation's). */
export class HealthChecks {
  constructor(private readonly rng: Rng) {}

  /** Health-check rows (39 prompts) for a team at month `abs`, rated from its last three months. */
  rows(team: TeamState, abs: number, out: Row[]): void {
    const rng = this.rng;
    const h = team.history.slice(-3);
    const avg = (f: (x: TeamMonthSummary) => number) => h.reduce((s, x) => s + f(x), 0) / h.length;
    const cpf = avg((x) => x.caseloadPerFte);
    const agreed = team.service.spec.caseloadPerFte;
    const fte = Math.max(1, avg((x) => x.fteSum));
    const est = Math.max(1, avg((x) => x.establishment));
    const vac = avg((x) => x.vacancyFte), ag = avg((x) => x.agencyFte);
    const supRate = h.reduce((s, x) => s + x.supHeld, 0) / Math.max(1, h.reduce((s, x) => s + x.supPlanned, 0));
    const sick = h.reduce((s, x) => s + x.sickDays, 0) / fte;
    const reviews = h.reduce((s, x) => s + x.reviews, 0);
    const unalloc = h[h.length - 1].unallocated;
    const toil = avg((x) => x.toilMean);
    const asye = avg((x) => x.asye), students = avg((x) => x.students);
    const over = h[h.length - 1].overAgreed;
    const stress: Record<string, number> = {
      caseload: (cpf / agreed - 1) / 0.12,
      unallocated: unalloc / fte / 0.5 - 0.5,
      vacancy: ((vac + 0.5 * ag) / est) / 0.08 - 0.5,
      supervision: (1 - supRate) / 0.1 - 0.5,
      sickness: (sick - 1.5) / 1.0,
      reviews: (reviews / (fte * 3)) / 0.02 - 0.5,
      toil: (toil - 4) / 3,
      asye: 0,
      students: 0,
      general: 0,
    };
    const day = this.checkDay(abs);
    const checkDate = dateOf(abs, day);
    const notesFor: Record<string, () => string> = {
      caseload: () => `Average caseload ${round1(cpf)} per FTE against an agreed ${agreed}; ${over} staff above the agreed level.`,
      unallocated: () => `${unalloc} cases unallocated at month end.`,
      vacancy: () => `${round1(vac)} FTE vacant and ${round1(ag)} FTE agency cover in a team of ${round1(est)} FTE.`,
      supervision: () => `${Math.round(supRate * 100)}% of planned supervision sessions held over the last three months.`,
      sickness: () => `${round1(sick)} sickness days per FTE over the last three months.`,
      reviews: () => `${reviews} caseload reviews requested over the last three months.`,
      toil: () => `Average TOIL balance ${round1(toil)} hours.`,
      asye: () => `${Math.round(asye)} ASYE(s); protected caseloads discussed.`,
      students: () => `${Math.round(students)} practice educator(s) supporting students.`,
      general: () => rng.pick(GENERAL_NOTES),
    };
    HEALTH_CHECK_PROMPT_DRIVERS.forEach((driver, i) => {
      let rating: Rating;
      let notes: string | null = null;
      if ((driver === "asye" && asye < 0.5) || (driver === "students" && students < 0.5) || (driver === "general" && rng.bernoulli(0.015))) {
        rating = "n/a";
        notes = driver === "asye" ? "No ASYEs in the team." : driver === "students" ? "No students placed this year." : null;
      } else {
        const score = 0.2 + 0.9 * stress[driver] + team.effect + rng.normal(0, 0.45);
        rating = score < 0.8 ? "green" : score < 1.6 ? "amber" : "red";
        const pNote = rating === "red" ? 0.8 : rating === "amber" ? 0.5 : 0.15;
        if (rng.bernoulli(pNote)) notes = notesFor[driver]();
      }
      let disagreement: string | null = null;
      let nextStep: string | null = null;
      if (rating !== "n/a" && rating !== "red" && rng.bernoulli(stress[driver] > 0.8 ? 0.15 : 0.015)) {
        const worse = rating === "green" ? "amber" : "red";
        disagreement = `Practitioners rated this ${worse}; the manager's assessment was ${rating}.`;
        nextStep = "Escalated to the Head of Service; to be revisited at the next health check.";
      } else if (rating === "red" && rng.bernoulli(0.7)) {
        nextStep = rng.pick(NEXT_STEPS[driver] ?? NEXT_STEPS.general);
      } else if (rating === "amber" && rng.bernoulli(0.2)) {
        nextStep = "Team manager to monitor and report back in three months.";
      }
      out.push({
        check_date: checkDate, service: team.spec.service, team: team.spec.team, prompt: i + 1, rating, notes, disagreement, next_step: nextStep,
      });
    });
  }

  /** A Tuesday-Thursday between the 8th and 26th of month `abs` for the team's health-check session. */
  private checkDay(abs: number): number {
    const y = Math.floor(abs / 12), mo = abs - y * 12;
    for (let tries = 0; tries < 50; tries++) {
      const d = this.rng.int(8, 26);
      const dow = new Date(Date.UTC(y, mo, d)).getUTCDay();
      if (dow >= 2 && dow <= 4) return d;
    }
    return 15;
  }
}
