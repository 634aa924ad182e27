/**
 * The planted bias: which teams an entry covers, the complexity and caseload factors a team's
 * ethnic-minority workers get (a complexity bias fitted into what the points scheme can
 * express), the ratio actually planted, and the workers who were ever in scope.
 */
import { fitComplexityBias, schemeCells, tiltReach, type SchemeCell } from "./scheme.ts";
import type { Worker } from "./state.ts";
import type { BiasSpec, ServiceSpec, TeamSpec } from "./types.ts";

type TeamKey = Pick<TeamSpec, "service" | "team">;

/** Does bias entry `b` cover team `t` (its service, and its team when it names one)? */
export function biasCovers(b: BiasSpec, t: TeamKey): boolean {
  return b.service === t.service && (b.team === undefined || b.team === t.team);
}

/** The product of the ratios of the `measure` entries covering team `t`, in entry order. */
function combinedBias(bias: readonly BiasSpec[], t: TeamKey, measure: BiasSpec["measure"]): number {
  return bias.filter((b) => b.measure === measure && biasCovers(b, t)).reduce((p, b) => p * b.ratio, 1);
}

/**
 * The bias on team `t`'s ethnic-minority workers: the combined complexity bias as applied
 * (fitted into the reach of the service's scheme `cells`), the band that role factor x personal
 * complexity effect must stay in to leave room for it, and the combined caseload bias.
 */
export function teamBias(bias: readonly BiasSpec[], t: TeamKey, cells: readonly SchemeCell[]): {
  biasCx: number; cxBand: { lo: number; hi: number }; biasLoad: number; biasSteps: { from: number; factor: number }[];
} {
  const combined = combinedBias(bias, t, "complexity");
  const fit = fitComplexityBias(tiltReach(cells), combined);
  // each entry applies from its fromMonth (without one, always, to the cases held before the first
  // month too): the factor in force from each start is the product of the entries started by then,
  // scaled as the whole is fitted into the scheme's reach
  const entries = bias.filter((b) => b.measure === "complexity" && biasCovers(b, t));
  const starts = [...new Set(entries.map((b) => b.fromMonth ?? -Infinity))].sort((a, b) => a - b);
  const scale = combined > 0 ? fit.applied / combined : 1;
  const biasSteps = starts.map((from) => ({ from, factor: entries.filter((b) => (b.fromMonth ?? -Infinity) <= from).reduce((p, b) => p * b.ratio, 1) * scale }));
  return { biasCx: fit.applied, cxBand: fit.band, biasLoad: combinedBias(bias, t, "caseload"), biasSteps };
}

/**
 * The ratio a bias entry actually plants: its ratio, times (for a complexity
 * bias) the largest shortfall `fitComplexityBias` imposes in any team it
 * covers (teams where several entries combine are fitted on the product).
 */
export function achievedBiasRatio(bias: readonly BiasSpec[], b: BiasSpec, teams: readonly TeamSpec[], services: readonly ServiceSpec[]): number {
  if (b.measure !== "complexity") return b.ratio;
  let factor = 1;
  for (const t of teams) {
    const combined = combinedBias(bias, t, "complexity");
    const spec = services.find((s) => s.name === t.service)!;
    const f = teamBias(bias, t, schemeCells(spec)).biasCx / combined;
    if (Math.abs(Math.log(f)) > Math.abs(Math.log(factor))) factor = f;
  }
  return b.ratio * factor;
}

/** The distinct workers ever in the teams each bias entry covers, by group. */
export class BiasScope {
  private readonly sets: Array<{ em: Set<string>; wb: Set<string>; all: Set<string> }>;

  constructor(private readonly bias: readonly BiasSpec[]) {
    this.sets = bias.map(() => ({ em: new Set<string>(), wb: new Set<string>(), all: new Set<string>() }));
  }

  /** Records a worker as in scope of each planted bias that covers their team. */
  note(w: Worker): void {
    this.bias.forEach((b, i) => {
      if (biasCovers(b, w.post.team.spec)) {
        const s = this.sets[i];
        s.all.add(w.id);
        if (w.group === "EM") s.em.add(w.id);
        if (w.group === "WB") s.wb.add(w.id);
      }
    });
  }

  /** Counts of the workers in scope of each entry. */
  counts(): Array<{ ethnicMinority: number; whiteBritish: number; total: number }> {
    return this.sets.map((s) => ({ ethnicMinority: s.em.size, whiteBritish: s.wb.size, total: s.all.size }));
  }
}
