/** The planted facts of a generated employer (`truth`), for tests and demos to check the analytics against. */
import { achievedBiasRatio, biasCovers } from "./bias.ts";
import { COMPLEXITY_BLANK_SHARE, MIX_BALANCING, MONTHLY_NOISE_SD } from "./caseload.ts";
import { CASELOAD_SEASONAL_DAMPING, SICKNESS_SEASONAL_FACTORS } from "./demand.ts";
import { HEALTH_CHECK_PROMPT_DRIVERS } from "./health-check.ts";
import type { Resolved } from "./options.ts";
import { ROLE_CASELOAD, ROLE_COMPLEXITY } from "./roles.ts";
import { SENIOR_ROLES, type SampleTruth } from "./types.ts";
import { LEAVE_AGENCY, LEAVE_PERMANENT, LEAVE_PERMANENT_BY_CLASS, PERSONAL_CX_SD, PERSONAL_SD } from "./workforce.ts";

/**
 * Builds the `truth` object (planted facts) for resolved options. `bias[].workers` and
 * `seniorLikelihoodRatioApplied` are known only once a simulation has run, and are filled in then.
 */
export function buildTruth(r: Resolved): SampleTruth {
  const mean = r.seasonal.reduce((s, f) => s + f, 0) / 12;
  return {
    synthetic: true,
    seasonalFactors: [...r.seasonal],
    peakMonths: r.seasonal.map((f, i) => [f, i + 1] as const).filter(([f]) => f >= mean * 1.05).map(([, i]) => i),
    troughMonths: r.seasonal.map((f, i) => [f, i + 1] as const).filter(([f]) => f <= mean * 0.9).map(([, i]) => i),
    caseloadSeasonalDamping: CASELOAD_SEASONAL_DAMPING,
    trendPerYear: r.trend,
    levelShift: r.levelShift ? { ...r.levelShift } : null,
    bias: r.bias.map((b) => {
      const teams = r.teams.filter((t) => biasCovers(b, t));
      return {
        ...b, teams: teams.map((t) => t.team), achievedRatio: achievedBiasRatio(r.bias, b, teams, r.services),
        workers: { ethnicMinority: 0, whiteBritish: 0, total: 0 },
      };
    }),
    seniorLikelihoodRatio: r.seniorLR,
    seniorLikelihoodRatioApplied: r.seniorLR,
    seniorRoles: SENIOR_ROLES,
    ethnicMinorityShare: r.emShare,
    personalEffectSd: PERSONAL_SD,
    personalComplexitySd: PERSONAL_CX_SD,
    mixBalancing: MIX_BALANCING,
    monthlyCaseloadNoiseSd: MONTHLY_NOISE_SD,
    complexityPointsRule: "points = round(default points x (1 + 0.25 x (complexity - default complexity)), 1 decimal), >= 0",
    complexityBlankShare: COMPLEXITY_BLANK_SHARE,
    roleCaseloadFactor: { ...ROLE_CASELOAD },
    roleComplexityFactor: { ...ROLE_COMPLEXITY },
    turnover: { permanentMonthly: LEAVE_PERMANENT, permanentMonthlyByPostClass: { ...LEAVE_PERMANENT_BY_CLASS }, agencyMonthly: LEAVE_AGENCY },
    sicknessSeasonalFactors: [...SICKNESS_SEASONAL_FACTORS],
    healthCheckPeriods: [...r.checkPeriods],
    healthCheckPromptDrivers: [...HEALTH_CHECK_PROMPT_DRIVERS],
    teams: r.teams.map((t) => ({ ...t })),
  };
}
