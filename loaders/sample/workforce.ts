/**
 * The workforce: who holds each post (recruits' ethnicity, gender, qualification, ASYE year,
 * agency or permanent, part-time posts, persistent personal workload effects), and how it
 * changes month by month: starters, leavers and their replacements, ASYE progression,
 * long-term absence and moves between teams.
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { BiasScope } from "./bias.ts";
import type { EthnicityDraw } from "./ethnicity.ts";
import { R2Stream, type Rng } from "./rng.ts";
import { isSenior, roleOf, type RoleClass } from "./roles.ts";
import { releaseCases, type Post, type TeamState, type Worker } from "./state.ts";
import type { Row } from "./types.ts";

/** Log-sd of the persistent personal caseload effect. */
export const PERSONAL_SD = 0.15;
/**
 * Log-sd of the personal complexity effect: smaller than the caseload one, because
 * same-role colleagues differ more in how many cases they hold than in their case mix
 * (which the role and the luck of which cases arrive mostly decide).
 */
export const PERSONAL_CX_SD = 0.08;
export const LEAVE_PERMANENT = 0.0102;
/** monthly leaving hazard of permanent staff by post class (juniors move on more often than seniors) */
export const LEAVE_PERMANENT_BY_CLASS: Record<string, number> = { SW: 0.012, SWA: 0.011, SP: 0.0075, AP: 0.0075, TM: 0.007 };
export const LEAVE_AGENCY = 0.0306;
const ASYE_RECRUIT_SHARE = 0.55;
const AGENCY_RECRUIT_SHARE = 0.35;
const MOVE_MONTHLY = 0.002;

/** FTE of a new post: mostly full time, some 0.5-0.9. */
export function drawPostFte(rng: Rng, rc: RoleClass): number {
  const u = rng.next();
  if (rc === "TM") return u < 0.9 ? 1 : 0.8;
  if (u < 0.78) return 1;
  if (u < 0.81) return 0.9;
  if (u < 0.9) return 0.8;
  if (u < 0.95) return 0.6;
  return 0.5;
}

/** Recruits, leavers and moves of the employer's posts; `m` counts months from the first. */
export class Workforce {
  private readonly workerIds = new Set<string>();
  private readonly effectStreams = new Map<string, R2Stream>();
  private readonly effectOffsets = new Map<string, [number, number]>();

  /** `start`: month index of the first month. */
  constructor(
    private readonly rng: Rng,
    private readonly start: number,
    private readonly ethnicity: EthnicityDraw,
    private readonly biasScope: BiasScope,
    /** ethnic-minority social workers qualified this many years earlier (a confounder for tests; default 0) */
    private readonly emExtraYears = 0,
  ) {}

  /**
   * The establishment before the first month: each post is left vacant (a few, recruitment
   * already under way) or filled, and `seed` is called on each holder as they are hired.
   * Returns the staff rows of the holders.
   */
  establish(teams: readonly TeamState[], seed: (w: Worker) => void): Row[] {
    const staffRows: Row[] = [];
    for (const team of teams) {
      for (const post of team.posts) {
        if (post.roleClass !== "TM" && this.rng.bernoulli(0.04)) {
          post.nextStart = 1 + this.rng.geometric(0.5);
          post.nextAgency = this.rng.bernoulli(AGENCY_RECRUIT_SHARE);
          continue;
        }
        const { worker, staff } = this.hire(post, 0, true, this.rng.bernoulli(0.15));
        staffRows.push(staff);
        seed(worker);
      }
    }
    return staffRows;
  }

  /** Hires the recruits due to start in month m; returns their staff rows. */
  starters(teams: readonly TeamState[], m: number): Row[] {
    const staffRows: Row[] = [];
    for (const team of teams) {
      for (const post of team.posts) {
        if (!post.holder && post.nextStart >= 0 && post.nextStart <= m) {
          staffRows.push(this.hire(post, m, false, post.nextAgency).staff);
        }
      }
    }
    return staffRows;
  }

  /** A fresh unique pseudonymous worker id, `W` + 5 hex digits. */
  private newWorkerId(): string {
    for (;;) {
      const id = "W" + (this.rng.uint32() & 0xfffff).toString(16).toUpperCase().padStart(5, "0");
      if (!this.workerIds.has(id)) {
        this.workerIds.add(id);
        return id;
      }
    }
  }

  /** Hires a worker into `post`; returns the worker and their staff row. */
  private hire(post: Post, m: number, initial: boolean, agency: boolean): { worker: Worker; staff: Row } {
    const rng = this.rng;
    const eth = this.ethnicity.draw(post.team.idx, isSenior(post.roleClass));
    const labelStyle = rng.bernoulli(1 / 3);
    let ethnicity: string | null = labelStyle ? eth.label : eth.code;
    if (labelStyle && eth.code === "OOTH" && rng.bernoulli(0.3)) ethnicity = "Other ethnic group: Arab";
    const g = rng.next();
    const gender = g < 0.825 ? "Female" : g < 0.985 ? "Male" : g < 0.988 ? "Other" : g < 0.995 ? "Prefer not to say" : null;
    const employment: "permanent" | "agency" = agency ? "agency" : "permanent";
    let asyeMonths = 99;
    if (post.roleClass === "SW" && employment === "permanent") {
      if (initial ? rng.bernoulli(0.18) : rng.bernoulli(ASYE_RECRUIT_SHARE)) asyeMonths = initial ? rng.int(0, 11) : 0;
    }
    const tenure = initial
      ? (asyeMonths < 12 ? asyeMonths : employment === "agency" ? rng.geometric(1 / 12) : 6 + rng.geometric(1 / 40))
      : 0;
    const absStart = this.start + m - tenure;
    const startYear = Math.floor(absStart / 12);
    const role = roleOf(post.roleClass, asyeMonths);
    let qualifiedYear: number | null;
    switch (post.roleClass) {
      case "SWA": qualifiedYear = null; break;
      case "SW": qualifiedYear = asyeMonths < 12 ? (absStart % 12 >= 6 ? startYear : startYear - 1) : startYear - rng.int(1, 12); break;
      case "SP": qualifiedYear = startYear - rng.int(4, 18); break;
      default: qualifiedYear = startYear - rng.int(7, 25);
    }
    // a confounder for the audit's tests: ethnic-minority social workers qualified earlier
    if (qualifiedYear !== null && eth.group === "EM") qualifiedYear -= this.emExtraYears;
    const nowYear = Math.floor((this.start + m) / 12);
    if (qualifiedYear !== null && qualifiedYear > nowYear) qualifiedYear = nowYear;
    const worker: Worker = {
      id: this.newWorkerId(), post, role, employment, group: eth.group, asyeMonths, qualifiedYear, tenure,
      personalLoad: 1, personalCx: 1,
      cases: [], lta: null, ltaLeft: 0, female: gender === "Female", toil: employment === "agency" ? 0 : rng.uniform(0, 8),
      student: employment === "permanent" && (post.roleClass === "SW" || post.roleClass === "SP" || post.roleClass === "AP") && asyeMonths >= 12 && rng.bernoulli(0.12),
      probs: null, cdf: null, intendedRatio: 1, cdfKey: "", extraSupervision: rng.bernoulli(0.08),
    };
    this.drawPersonalEffects(worker);
    post.holder = worker;
    post.nextStart = -1;
    this.biasScope.note(worker);
    return { worker, staff: { worker_id: worker.id, ethnicity, gender, qualified_year: qualifiedYear } };
  }

  /**
   * Persistent personal multipliers on caseload and complexity: lognormal
   * with mean 1 and log-sd PERSONAL_SD (caseload) and PERSONAL_CX_SD
   * (complexity), drawn by stratified sampling with common random numbers:
   * the k-th worker of each ethnic group hired into a team's post class gets
   * the k-th point of the same randomly rotated two-dimensional R2 sequence.
   * So within a group workers differ with the stated spread (and the two
   * effects are unrelated), but a team's groups are not, by the luck of a
   * small draw, heavier or lighter than one another in the same role.
   */
  private drawPersonalEffects(w: Worker): void {
    const cls = `${w.post.team.idx}|${w.post.roleClass}`;
    const key = `${cls}|${w.group}`;
    let s = this.effectStreams.get(key);
    if (!s) {
      let offset = this.effectOffsets.get(cls);
      if (!offset) {
        offset = [this.rng.next(), this.rng.next()];
        this.effectOffsets.set(cls, offset);
      }
      s = new R2Stream(offset[0], offset[1]);
      this.effectStreams.set(key, s);
    }
    const lognormal = (u: number, sd: number) => Math.exp(sd * normalQuantile(u, 0, 1) - 0.5 * sd * sd);
    const [uLoad, uCx] = s.next();
    w.personalLoad = lognormal(uLoad, PERSONAL_SD);
    w.personalCx = lognormal(uCx, PERSONAL_CX_SD);
  }

  /** Starts recruiting to a post vacated in month m: agency cover comes sooner than a permanent recruit. */
  private recruit(post: Post, m: number): void {
    const rng = this.rng;
    post.nextAgency = rng.bernoulli(AGENCY_RECRUIT_SHARE);
    post.nextStart = m + (post.nextAgency ? 1 + rng.geometric(0.6) : 2 + rng.geometric(0.4));
  }

  /** Decides who leaves at the end of month m and counts leavers per team. */
  decideDepartures(teams: readonly TeamState[], m: number): void {
    for (const team of teams) {
      team.leaversThisMonth = 0;
      for (const post of team.posts) {
        const w = post.holder;
        if (!w) continue;
        const hazard = w.employment === "agency" ? LEAVE_AGENCY : LEAVE_PERMANENT_BY_CLASS[post.roleClass];
        if (this.rng.bernoulli(hazard)) {
          team.leaversThisMonth++;
          releaseCases(w);
          post.holder = null;
          if (post.roleClass === "TM") {
            post.nextStart = m + 1;
            post.nextAgency = this.rng.bernoulli(0.3);
          } else this.recruit(post, m);
        }
      }
    }
  }

  /** Progression, absences and moves at the end of month m. */
  endOfMonth(teams: readonly TeamState[], m: number): void {
    const rng = this.rng;
    for (const team of teams) {
      for (const post of team.posts) {
        const w = post.holder;
        if (!w) continue;
        w.tenure++;
        if (w.asyeMonths < 12) {
          w.asyeMonths++;
          w.role = roleOf(post.roleClass, w.asyeMonths);
        }
        if (w.lta) {
          if (--w.ltaLeft <= 0) w.lta = null;
        } else if (rng.bernoulli(0.0025)) {
          w.lta = "sick";
          w.ltaLeft = 2 + rng.int(0, 4);
          releaseCases(w);
        } else if (w.female && rng.bernoulli(0.0025)) {
          w.lta = "maternity";
          w.ltaLeft = 6 + rng.int(0, 6);
          releaseCases(w);
        }
      }
    }
    // team moves into posts still waiting for a permanent recruit
    for (const team of teams) {
      for (const post of team.posts) {
        const w = post.holder;
        if (!w || w.lta || w.employment !== "permanent" || post.roleClass === "TM" || !rng.bernoulli(MOVE_MONTHLY)) continue;
        const candidates = teams.flatMap((t) => t === team ? [] : t.posts.filter((p) => !p.holder && p.roleClass === post.roleClass && p.nextStart > m + 1));
        if (!candidates.length) continue;
        const same = candidates.filter((p) => p.team.spec.service === team.spec.service);
        const dest = same.length && rng.bernoulli(0.7) ? rng.pick(same) : rng.pick(candidates);
        releaseCases(w);
        post.holder = null;
        this.recruit(post, m);
        dest.holder = w;
        dest.nextStart = -1;
        w.post = dest;
        w.cdf = null;
        this.biasScope.note(w);
      }
    }
  }
}
