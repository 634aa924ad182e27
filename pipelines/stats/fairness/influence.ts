/**
 * How much of a service-level result one team drives: the adjusted ratio with each team left out
 * in turn (leave-one-team-out). A service-level difference that vanishes without one team is that
 * team's finding, not the service's.
 *
 * @module
 */
import { accumulate, ratioFromAcc } from "./accumulate.ts";
import { prepareComparison, type PreparedComparison } from "./prepare.ts";
import type { AdjustKey, AuditOptions } from "./types.ts";
import { encoded, type ObsInput } from "./encode.ts";
import { linearisedSe, welchDf } from "./linearise.ts";
import { tQuantile } from "../dist.ts";

export interface TeamInfluence {
  team: string;
  /** The team's service (team names are unique only within a service). */
  service: string;
  /** Adjusted ratio of the scope without this team (null when it cannot be computed). */
  ratio_without: number | null;
}

/** The adjusted ratio without each team of the observations, in team order. */
export function leaveOneTeamOut(obs: ObsInput, options: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "adjust" | "experienceFactors">): TeamInfluence[] {
  const enc = encoded(obs);
  const tab = enc.tables;
  const teamOfRow = Int32Array.from(enc.cell, (c) => tab.cellTeam[c]!);
  const key = (t: number) => `${tab.teamService[t]}\u0001${tab.teamName[t]}`;
  const teams = [...new Set(teamOfRow)].map((t) => [key(t), t] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (teams.length < 2) return [];
  const skipRow = new Uint8Array(enc.n);
  return teams.map(([, t]) => {
    const service = tab.teamService[t]!;
    const team = tab.teamName[t]!;
    for (let i = 0; i < enc.n; i++) skipRow[i] = teamOfRow[i] === t ? 1 : 0;
    const p = prepareComparison(enc, { ...options, skipRow });
    if (p.S === 0) return { team, service, ratio_without: null };
    const acc = new Float64Array(6 * p.S);
    accumulate(p, p.isGroup, null, acc);
    const r = ratioFromAcc(acc, p.S);
    return { team, service, ratio_without: r > 0 && Number.isFinite(r) ? r : null };
  });
}

/**
 * The team that drives the result: the one whose removal brings the ratio closest to 1, if that
 * takes away at least half of the difference on the log scale (|log R without| <= |log R| / 2);
 * otherwise none (the difference is spread over the teams).
 */
export function drivingTeam(ratio: number, influence: readonly TeamInfluence[]): TeamInfluence | null {
  let best: TeamInfluence | null = null;
  for (const t of influence) {
    if (t.ratio_without === null) continue;
    if (best === null || Math.abs(Math.log(t.ratio_without)) < Math.abs(Math.log(best.ratio_without!))) best = t;
  }
  return best !== null && Math.abs(Math.log(best.ratio_without!)) <= Math.abs(Math.log(ratio)) / 2 ? best : null;
}

/** Workers of each group compared (in a stratum with both groups): whether a test can reach a verdict, known before any resampling. */
export function comparedWorkers(obs: ObsInput, options: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "adjust" | "experienceFactors">): { group: number; reference: number } {
  return comparedIn(prepareComparison(obs, options));
}

/** {@link comparedWorkers} of a prepared comparison. */
export function comparedIn(p: PreparedComparison): { group: number; reference: number } {
  if (p.S === 0) return { group: 0, reference: 0 };
  const acc = new Float64Array(6 * p.S);
  accumulate(p, p.isGroup, null, acc);
  const S = p.S;
  let group = 0;
  let reference = 0;
  for (let w = 0; w < p.W; w++) {
    for (let e = p.wStart[w]!; e < p.wStart[w + 1]!; e++) {
      const s = p.eStratum[e]!;
      if (acc[2 * S + s]! > 0 && acc[5 * S + s]! > 0) {
        if (p.isGroup[w]) group++;
        else reference++;
        break;
      }
    }
  }
  return { group, reference };
}

/** The comparison with a different set of characteristics held fixed (deterministic: no resampling). */
export interface AdjustmentVariant {
  /** e.g. "without experience", "with employment type". */
  variant: string;
  adjusted_for: AdjustKey[];
  /** Adjusted ratio and its approximate 95% interval from the linearised standard error (t with Welch df). */
  ratio: number | null;
  ci_low: number | null;
  ci_high: number | null;
  n_workers_group_compared: number;
  n_workers_reference_compared: number;
}

/**
 * How the comparison moves when each characteristic is released or added: the ratio and an
 * approximate interval (linearised standard error, so it does not depend on a seed) under each
 * variant of `adjust`. The base comparison's own interval is the bootstrap's; these intervals are
 * for seeing whether a characteristic matters, not for verdicts.
 */
export function adjustmentSensitivity(
  obs: ObsInput,
  options: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "alpha" | "experienceFactors">,
  variants: readonly { variant: string; adjust: AdjustKey[] }[],
): AdjustmentVariant[] {
  const enc = encoded(obs);
  return variants.map(({ variant, adjust }) => {
    const p = prepareComparison(enc, { ...options, adjust });
    const n = comparedIn(p);
    const base = { variant, adjusted_for: adjust, n_workers_group_compared: n.group, n_workers_reference_compared: n.reference };
    if (p.S === 0) return { ...base, ratio: null, ci_low: null, ci_high: null };
    const acc = new Float64Array(6 * p.S);
    accumulate(p, p.isGroup, null, acc);
    const r = ratioFromAcc(acc, p.S);
    if (!(r > 0 && Number.isFinite(r))) return { ...base, ratio: null, ci_low: null, ci_high: null };
    const se = linearisedSe(p);
    const df = welchDf(p);
    if (!Number.isFinite(se) || n.group < 2 || n.reference < 2) return { ...base, ratio: r, ci_low: null, ci_high: null };
    const t = tQuantile(1 - (options.alpha ?? 0.05) / 2, Number.isFinite(df) ? df : 1e6);
    return { ...base, ratio: r, ci_low: Math.exp(Math.log(r) - t * se), ci_high: Math.exp(Math.log(r) + t * se) };
  });
}
