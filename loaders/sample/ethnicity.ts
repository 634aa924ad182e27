/**
 * Ethnicity of the workforce: the national mix (DfE codes and ONS labels), its rescaling to an
 * employer's ethnic-minority share, the tilt that plants the senior-role likelihood ratio, and
 * the stratified draw that gives each recruit an ethnicity.
 */
import { cumulative } from "./numbers.ts";
import type { Rng } from "./rng.ts";

export type EthGroup = "WB" | "WM" | "EM" | "NK";
export interface EthnicityEntry { code: string; label: string | null; group: EthGroup; weight: number }

/**
 * Share of the ethnic minorities group (excluding White minorities) in `ETHNICITY_MIX`, i.e.
 * England's children's social workers (DfE CSWW 2025: 27% of those of known ethnicity are
 * not White; here 23% of all workers, 25% of those of known ethnicity).
 */
export const NATIONAL_ETHNIC_MINORITY_SHARE = 0.23;
/**
 * Default share of the ethnic minorities group: an urban authority. 0.35 of all workers is
 * 38% of those of known ethnicity, as in Manchester (37.7%) or the West Midlands (34.7%) in
 * the DfE children's social work workforce statistics for 2025.
 */
export const DEFAULT_ETHNIC_MINORITY_SHARE = 0.35;

/**
 * Ethnicity mix (percent of workers) loosely following England's children's
 * social work workforce (DfE CSWW): DfE main codes with the ONS 2021
 * (England) category labels used for a third of workers.
 */
export const ETHNICITY_MIX: readonly EthnicityEntry[] = [
  { code: "WBRI", label: "White: English, Welsh, Scottish, Northern Irish or British", group: "WB", weight: 59 },
  { code: "WIRI", label: "White: Irish", group: "WM", weight: 2.5 },
  { code: "WIRT", label: "White: Gypsy or Irish Traveller", group: "WM", weight: 0.2 },
  { code: "WROM", label: "White: Roma", group: "WM", weight: 0.3 },
  { code: "WOTH", label: "White: Other White", group: "WM", weight: 8 },
  { code: "MWBC", label: "Mixed or Multiple ethnic groups: White and Black Caribbean", group: "EM", weight: 1.5 },
  { code: "MWBA", label: "Mixed or Multiple ethnic groups: White and Black African", group: "EM", weight: 0.7 },
  { code: "MWAS", label: "Mixed or Multiple ethnic groups: White and Asian", group: "EM", weight: 0.8 },
  { code: "MOTH", label: "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", group: "EM", weight: 1.0 },
  { code: "AIND", label: "Asian or Asian British: Indian", group: "EM", weight: 2.2 },
  { code: "APKN", label: "Asian or Asian British: Pakistani", group: "EM", weight: 1.8 },
  { code: "ABAN", label: "Asian or Asian British: Bangladeshi", group: "EM", weight: 0.7 },
  { code: "CHNE", label: "Asian or Asian British: Chinese", group: "EM", weight: 0.3 },
  { code: "AOTH", label: "Asian or Asian British: Other Asian", group: "EM", weight: 1.0 },
  { code: "BCRB", label: "Black, Black British, Caribbean or African: Caribbean", group: "EM", weight: 3.5 },
  { code: "BAFR", label: "Black, Black British, Caribbean or African: African", group: "EM", weight: 6.5 },
  { code: "BOTH", label: "Black, Black British, Caribbean or African: Other Black", group: "EM", weight: 1.0 },
  { code: "OOTH", label: "Other ethnic group: Any other ethnic group", group: "EM", weight: 2.0 },
  { code: "REFU", label: "Prefer not to say", group: "NK", weight: 3.5 },
  { code: "NOBT", label: null, group: "NK", weight: 3.5 },
];

/**
 * Probability of each ethnicity entry given the seniority of the post, so
 * that P(senior | EM) / P(senior | WB) = r while the overall mix stays the
 * target mix (Bayes: P(g | senior) prop. to share_g r_g, P(g | other) prop.
 * to share_g (1 - r_g p), p = S / (1 - s_EM + s_EM r)).
 * Returns the two weight vectors and the ratio actually applied (r is
 * reduced if it would need P(senior | EM) > 1).
 */
export function ethnicityWeightsBySeniority(
  mix: readonly EthnicityEntry[], seniorShare: number, r: number,
): { senior: number[]; other: number[]; applied: number } {
  const total = mix.reduce((s, e) => s + e.weight, 0);
  const sEM = mix.filter((e) => e.group === "EM").reduce((s, e) => s + e.weight, 0) / total;
  let applied = r;
  let p = seniorShare / (1 - sEM + sEM * applied);
  if (applied * p > 0.98) {
    // cap P(senior | EM) at 0.98: solve r p = 0.98 with p = S / (1 - sEM + sEM r)
    applied = (0.98 * (1 - sEM)) / Math.max(1e-9, seniorShare - 0.98 * sEM);
    p = seniorShare / (1 - sEM + sEM * applied);
  }
  const senior = mix.map((e) => e.weight * (e.group === "EM" ? applied : 1));
  const other = mix.map((e) => e.weight * Math.max(0, 1 - (e.group === "EM" ? applied : 1) * p));
  return { senior, other, applied };
}

/** The ethnicity mix rescaled so the ethnic-minority group has share `share`. */
function mixWithMinorityShare(share: number): EthnicityEntry[] {
  const total = ETHNICITY_MIX.reduce((s, e) => s + e.weight, 0);
  const em = ETHNICITY_MIX.filter((e) => e.group === "EM").reduce((s, e) => s + e.weight, 0);
  return ETHNICITY_MIX.map((e) => ({
    ...e,
    weight: e.group === "EM" ? (e.weight / em) * share : (e.weight / (total - em)) * (1 - share),
  }));
}

/** Fractional part of the golden ratio, the step of the one-dimensional golden-ratio (Kronecker) sequence. */
const GOLDEN = 0.6180339887498949;

/** The ethnicities of an employer's recruits: its mix, split by the seniority of the post. */
export class EthnicityDraw {
  /** the ratio P(senior | EM) / P(senior | WB) actually planted (see `ethnicityWeightsBySeniority`) */
  readonly seniorApplied: number;
  private readonly mix: EthnicityEntry[];
  private readonly seniorCdf: Float64Array;
  private readonly otherCdf: Float64Array;
  private readonly streams = new Map<string, { offset: number; k: number }>();

  /** `seniorShare`: the share of the employer's posts that are senior. */
  constructor(private readonly rng: Rng, emShare: number, seniorLR: number, seniorShare: number) {
    this.mix = mixWithMinorityShare(emShare);
    const w = ethnicityWeightsBySeniority(this.mix, seniorShare, seniorLR);
    const norm = (xs: number[]) => { const t = xs.reduce((a, b) => a + b, 0); return xs.map((x) => x / t); };
    this.seniorCdf = cumulative(norm(w.senior));
    this.otherCdf = cumulative(norm(w.other));
    this.seniorApplied = w.applied;
  }

  /**
   * Ethnicity of a recruit to a senior (or other) post of team `teamIdx`,
   * from the mix for the post's seniority, by stratified sampling: successive
   * recruits to a team's senior (or other) posts take successive points of a
   * randomly rotated golden-ratio sequence mapped through the mix's cumulative
   * weights. Each team's ethnic mix so follows the employer's closely
   * (real teams vary more), and the demo's planted team is not left with
   * too few ethnic-minority workers to test by the luck of the draw.
   */
  draw(teamIdx: number, senior: boolean): EthnicityEntry {
    const key = `${teamIdx}|${senior}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { offset: this.rng.next(), k: 0 };
      this.streams.set(key, stream);
    }
    const u = (stream.offset + GOLDEN * ++stream.k) % 1;
    const cdf = senior ? this.seniorCdf : this.otherCdf;
    let i = 0;
    while (i < cdf.length - 1 && u >= cdf[i]) i++;
    return this.mix[i];
  }
}
