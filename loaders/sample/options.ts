/** The generator's options, validated and with their defaults filled in. */
import { monthIndex, periodOf } from "../../core/calendar.ts";
import { DEFAULT_SEASONAL_FACTORS } from "./demand.ts";
import { DEFAULT_EMPLOYER, DEFAULT_SERVICES, resolveService, resolveTeams } from "./employer.ts";
import { DEFAULT_ETHNIC_MINORITY_SHARE } from "./ethnicity.ts";
import { type ResolvedHr, resolveHr } from "./hr.ts";
import type { BiasSpec, SampleOptions, ServiceSpec, TeamSpec } from "./types.ts";

const DEFAULT_SENIOR_LR = 0.7;
/** The demo's planted complexity bias in its first Safeguarding and Support team. */
export const DEFAULT_BIAS_RATIO = 1.5;

export interface Resolved {
  seed: number;
  employer: string;
  /** month index of the first month */
  start: number;
  months: number;
  services: ServiceSpec[];
  teams: TeamSpec[];
  bias: BiasSpec[];
  seniorLR: number;
  emShare: number;
  experience: { perYear: number; cap: number; ethnicMinorityExtraYears: number };
  levelShift: { service: string; period: string; factor: number } | null;
  trend: number;
  seasonal: number[];
  checkPeriods: string[];
  /** the HR tables' planted patterns; null = no HR tables */
  hr: ResolvedHr | null;
}

/** Validates and fills in defaults for all options. */
export function resolveOptions(opts: SampleOptions): Resolved {
  const seed = (opts.seed ?? 20261122) >>> 0;
  const months = opts.months ?? 36;
  if (!(Number.isInteger(months) && months >= 1)) throw new Error("months must be a positive integer");
  if (opts.startPeriod !== undefined && opts.endPeriod !== undefined) throw new Error("give startPeriod or endPeriod, not both");
  const start = opts.startPeriod !== undefined ? monthIndex(opts.startPeriod) : monthIndex(opts.endPeriod ?? "2026-09") - months + 1;
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const asOfIndex = monthIndex(asOf.slice(0, 7));
  if (start + months - 1 > asOfIndex) {
    throw new Error(`last period ${periodOf(start + months - 1)} is in the future (as of ${asOf})`);
  }
  const services = (opts.services ?? DEFAULT_SERVICES.map((s) => s.name)).map(resolveService);
  if (new Set(services.map((s) => s.name)).size !== services.length) throw new Error("service names must be unique");
  const teams = resolveTeams(opts, services);
  const usedServices = services.filter((s) => teams.some((t) => t.service === s.name));

  const hasService = (name: string) => usedServices.some((s) => s.name === name);
  // the default shift (Safeguarding and Support, +15% from 2025-04) applies only when that month is inside the data
  const defaultShiftInRange = monthIndex("2025-04") > start && monthIndex("2025-04") < start + months;
  const levelShift = opts.levelShift === undefined
    ? (hasService("Safeguarding and Support") && defaultShiftInRange ? { service: "Safeguarding and Support", period: "2025-04", factor: 1.15 } : null)
    : opts.levelShift;
  if (levelShift) {
    if (!hasService(levelShift.service)) throw new Error(`levelShift: unknown service "${levelShift.service}"`);
    monthIndex(levelShift.period);
    if (!(levelShift.factor > 0)) throw new Error("levelShift.factor must be > 0");
  }

  let bias: BiasSpec[];
  if (opts.bias === undefined) {
    const first = teams.find((t) => t.service === "Safeguarding and Support");
    // strong enough that the declared audit (new allocations, like with like, hierarchical family)
    // finds it in an employer of this size: the team, and its service driven by it
    // 1.25 throughout, and from the 25th month (the audit's last 12 of 36) 1.2 more on new
    // allocations (1.5 in all): strong enough that the declared audit finds it in an employer of
    // this size, and the data before it are those of the earlier sample, unchanged
    bias = first ? [
      { service: first.service, team: first.team, measure: "complexity", ratio: 1.25 },
      { service: first.service, team: first.team, measure: "complexity", ratio: DEFAULT_BIAS_RATIO / 1.25, fromMonth: Math.min(24, months - 1) },
    ] : [];
  } else bias = opts.bias.map((b) => ({ ...b }));
  for (const b of bias) {
    if (!hasService(b.service)) throw new Error(`bias: unknown service "${b.service}"`);
    if (b.team !== undefined && !teams.some((t) => t.service === b.service && t.team === b.team)) {
      throw new Error(`bias: no team "${b.team}" in service "${b.service}"`);
    }
    if (b.measure !== "complexity" && b.measure !== "caseload") throw new Error(`bias: measure must be complexity or caseload`);
    if (!(b.ratio > 0)) throw new Error("bias: ratio must be > 0");
    if (b.fromMonth !== undefined && !(Number.isInteger(b.fromMonth) && b.fromMonth >= 0 && b.fromMonth < months)) throw new Error(`bias: fromMonth must be a whole month from 0 to ${months - 1}`);
    if (b.fromMonth !== undefined && b.measure !== "complexity") throw new Error("bias: fromMonth applies to a complexity bias only");
  }

  const seniorLR = opts.seniorLikelihoodRatio ?? DEFAULT_SENIOR_LR;
  if (!(seniorLR > 0)) throw new Error("seniorLikelihoodRatio must be > 0");
  const emShare = opts.ethnicMinorityShare ?? DEFAULT_ETHNIC_MINORITY_SHARE;
  if (!(emShare > 0 && emShare < 1)) throw new Error("ethnicMinorityShare must be in (0, 1)");
  const seasonal = opts.seasonalFactors ? [...opts.seasonalFactors] : [...DEFAULT_SEASONAL_FACTORS];
  if (seasonal.length !== 12 || seasonal.some((f) => !(f > 0))) throw new Error("seasonalFactors must be 12 positive numbers");

  let checkPeriods = opts.healthCheckPeriods;
  if (!checkPeriods) {
    const marches: string[] = [];
    for (let i = start; i < start + months; i++) if (i % 12 === 2) marches.push(periodOf(i));
    checkPeriods = marches.length >= 2
      ? marches.slice(-2)
      : [periodOf(start + Math.floor((months - 1) / 2)), periodOf(start + months - 1)].filter((p, i, a) => a.indexOf(p) === i);
  }
  for (const p of checkPeriods) {
    const i = monthIndex(p);
    if (i < start || i >= start + months) throw new Error(`health check period ${p} is outside the data`);
  }
  const experience = { perYear: opts.experience?.perYear ?? 1, cap: opts.experience?.cap ?? 10, ethnicMinorityExtraYears: opts.experience?.ethnicMinorityExtraYears ?? 0 };
  if (!(experience.perYear > 0) || !(experience.cap >= 0) || !Number.isInteger(experience.ethnicMinorityExtraYears) || experience.ethnicMinorityExtraYears < 0) {
    throw new Error("experience: perYear must be > 0, cap >= 0 and ethnicMinorityExtraYears a whole number >= 0");
  }
  return {
    seed, employer: opts.employer ?? DEFAULT_EMPLOYER, start, months, services: usedServices, teams, bias, seniorLR, emShare, experience,
    levelShift, trend: opts.trendPerYear ?? 0.05, seasonal, checkPeriods, hr: resolveHr(opts.hr, usedServices),
  };
}
