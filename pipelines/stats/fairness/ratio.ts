/**
 * The Mantel-Haenszel-type combined ratio of means from per-stratum sums (see the notes of
 * pipelines/stats/fairness.ts).
 *
 * @module
 */

/** Mantel-Haenszel-weighted ratio from per-stratum group and reference sums (see module notes). */
export function mhFromSums(
  gNum: ArrayLike<number>, gDen: ArrayLike<number>, gCnt: ArrayLike<number>,
  rNum: ArrayLike<number>, rDen: ArrayLike<number>, rCnt: ArrayLike<number>,
  n: number,
): number {
  let a = 0;
  let b = 0;
  let any = false;
  for (let s = 0; s < n; s++) {
    const gc = gCnt[s];
    const rc = rCnt[s];
    if (gc > 0 && rc > 0) {
      const gd = gDen[s];
      const rd = rDen[s];
      if (gd > 0 && rd > 0) {
        const w = (gc * rc) / (gc + rc);
        a += (w * gNum[s]) / gd;
        b += (w * rNum[s]) / rd;
        any = true;
      }
    }
  }
  return any ? a / b : NaN;
}

/** One stratum's group and reference summaries for {@link mantelHaenszelRatio}. */
export interface StratumSummary {
  /** Worker-months of the group and of the reference in the stratum. */
  n_group: number;
  n_reference: number;
  /** Group and reference means (ratios of sums) in the stratum. */
  mean_group: number;
  mean_reference: number;
}

/**
 * Mantel-Haenszel-type combined ratio of means:
 * R = sum_s w_s m_g,s / sum_s w_s m_r,s with w_s = n_g,s n_r,s / (n_g,s + n_r,s);
 * strata lacking either group are skipped. NaN when no stratum has both.
 * (Mantel & Haenszel 1959; the weights are those of the MH rate ratio with
 * worker-months as person-time.)
 *
 * @param strata - per-stratum counts and means
 * @returns the combined ratio
 */
export function mantelHaenszelRatio(strata: StratumSummary[]): number {
  const k = strata.length;
  const gNum = new Float64Array(k);
  const gDen = new Float64Array(k);
  const gCnt = new Float64Array(k);
  const rNum = new Float64Array(k);
  const rDen = new Float64Array(k);
  const rCnt = new Float64Array(k);
  strata.forEach((s, i) => {
    gNum[i] = s.mean_group;
    gDen[i] = 1;
    gCnt[i] = s.n_group;
    rNum[i] = s.mean_reference;
    rDen[i] = 1;
    rCnt[i] = s.n_reference;
  });
  return mhFromSums(gNum, gDen, gCnt, rNum, rDen, rCnt, k);
}
