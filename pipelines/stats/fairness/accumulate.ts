/**
 * The allocation-free inner loop of every resample: per-stratum sums for given labels and worker
 * weights, and the adjusted ratio and the monthly ratios computed from them.
 *
 * @module
 */
import type { PreparedComparison } from "./prepare.ts";

/**
 * Accumulates per-stratum sums into `acc` (layout: group num, den, count,
 * reference num, den, count; S each) for the given labels and worker weights
 * (null = every worker once). No allocation.
 */
export function accumulate(p: PreparedComparison, labels: Uint8Array, weights: Float64Array | null, acc: Float64Array): void {
  acc.fill(0);
  const S = p.S;
  const { wStart, eStratum, eNum, eDen, eCnt } = p;
  for (let w = 0; w < p.W; w++) {
    const wt = weights === null ? 1 : weights[w];
    if (wt === 0) continue;
    const base = labels[w] === 1 ? 0 : 3 * S;
    const e1 = wStart[w + 1];
    for (let e = wStart[w]; e < e1; e++) {
      const s = base + eStratum[e];
      acc[s] += wt * eNum[e];
      acc[s + S] += wt * eDen[e];
      acc[s + 2 * S] += wt * eCnt[e];
    }
  }
}

/** Mantel-Haenszel ratio from an accumulator (see {@link accumulate}). */
export function ratioFromAcc(acc: Float64Array, S: number): number {
  let a = 0;
  let b = 0;
  let any = false;
  const S2 = 2 * S;
  const S3 = 3 * S;
  for (let s = 0; s < S; s++) {
    const gc = acc[S2 + s];
    const rc = acc[S3 + S2 + s];
    if (gc > 0 && rc > 0) {
      const gd = acc[S + s];
      const rd = acc[S3 + S + s];
      if (gd > 0 && rd > 0) {
        const w = (gc * rc) / (gc + rc);
        a += (w * acc[s]) / gd;
        b += (w * acc[S3 + s]) / rd;
        any = true;
      }
    }
  }
  return any ? a / b : NaN;
}

/** Per-month adjusted ratios from an accumulator. */
export function monthlyFromAcc(acc: Float64Array, p: PreparedComparison): (number | null)[] {
  const S = p.S;
  const a = new Float64Array(p.nMonths);
  const b = new Float64Array(p.nMonths);
  const any = new Uint8Array(p.nMonths);
  for (let s = 0; s < S; s++) {
    const gc = acc[2 * S + s];
    const rc = acc[5 * S + s];
    const gd = acc[S + s];
    const rd = acc[4 * S + s];
    if (gc > 0 && rc > 0 && gd > 0 && rd > 0) {
      const m = p.stratumMonth[s];
      const w = (gc * rc) / (gc + rc);
      a[m] += (w * acc[s]) / gd;
      b[m] += (w * acc[3 * S + s]) / rd;
      any[m] = 1;
    }
  }
  return Array.from(a, (x, m) => {
    if (!any[m]) return null;
    const r = x / b[m];
    return Number.isNaN(r) ? null : r;
  });
}
