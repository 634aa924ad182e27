/**
 * The linearised (delta-method) cluster variance of log R: the studentised statistic of the
 * permutation test and the Welch degrees of freedom of the small-sample corrections.
 *
 * @module
 */
import type { PreparedComparison } from "./prepare.ts";
import { accumulate } from "./accumulate.ts";

/** Scratch buffers of {@link linearise}, allocated once per test. */
export interface StudentScratch {
  /** Per stratum: count-weight coefficient, mean-deviation coefficient and mean; group then reference (6S). */
  coef: Float64Array;
  /** Output of {@link linearise}: log R, variance part of the group, of the reference, workers of each. */
  out: Float64Array;
}

export function newScratch(S: number): StudentScratch {
  return { coef: new Float64Array(6 * S), out: new Float64Array(5) };
}

/**
 * Linearised (delta-method) cluster variance of log R for the labels whose
 * sums are in `acc`. Each worker's influence on log R is
 * z_i = sum over their entries of k_s c_ie + a_s (n_ie - m_s d_ie), where for
 * a group worker k_s = (C_r/(C_g+C_r))^2 (m_g/A - m_r/B) and a_s = w_s/(D_g A),
 * and for a reference worker k_s = (C_g/(C_g+C_r))^2 (m_g/A - m_r/B) and
 * a_s = -w_s/(D_r B) (A and B the weighted sums of group and reference means,
 * C counts, D denominators, m means, w the Mantel-Haenszel weight). The
 * variance part of each group is n/(n-1) sum (z_i - mean z)^2 over its
 * workers in at least one stratum with both groups. Writes log R, the group
 * part, the reference part and both worker counts into `scr.out`; returns
 * false when R is undefined. No allocation.
 */
function linearise(p: PreparedComparison, labels: Uint8Array, acc: Float64Array, scr: StudentScratch): boolean {
  const S = p.S;
  const S2 = 2 * S;
  const S3 = 3 * S;
  let A = 0;
  let B = 0;
  let any = false;
  for (let s = 0; s < S; s++) {
    const gc = acc[S2 + s];
    const rc = acc[S3 + S2 + s];
    if (gc > 0 && rc > 0 && acc[S + s] > 0 && acc[S3 + S + s] > 0) {
      const w = (gc * rc) / (gc + rc);
      A += (w * acc[s]) / acc[S + s];
      B += (w * acc[S3 + s]) / acc[S3 + S + s];
      any = true;
    }
  }
  if (!any || !(A > 0) || !(B > 0)) return false;
  const coef = scr.coef;
  coef.fill(0);
  for (let s = 0; s < S; s++) {
    const gc = acc[S2 + s];
    const rc = acc[S3 + S2 + s];
    const gd = acc[S + s];
    const rd = acc[S3 + S + s];
    if (gc > 0 && rc > 0 && gd > 0 && rd > 0) {
      const tot = gc + rc;
      const w = (gc * rc) / tot;
      const mg = acc[s] / gd;
      const mr = acc[S3 + s] / rd;
      const diff = mg / A - mr / B;
      coef[s] = (rc / tot) * (rc / tot) * diff;
      coef[S + s] = w / (gd * A);
      coef[S2 + s] = mg;
      coef[S3 + s] = (gc / tot) * (gc / tot) * diff;
      coef[S3 + S + s] = -w / (rd * B);
      coef[S3 + S2 + s] = mr;
    }
  }
  let n1 = 0, s1 = 0, q1 = 0, n0 = 0, s0 = 0, q0 = 0;
  const { wStart, eStratum, eNum, eDen, eCnt } = p;
  for (let w = 0; w < p.W; w++) {
    const g = labels[w] === 1;
    const base = g ? 0 : S3;
    let z = 0;
    let touched = false;
    const e1 = wStart[w + 1];
    for (let e = wStart[w]; e < e1; e++) {
      const s = base + eStratum[e];
      const a = coef[s + S];
      if (a !== 0) {
        touched = true;
        z += coef[s] * eCnt[e] + a * (eNum[e] - coef[s + S2] * eDen[e]);
      }
    }
    if (!touched) continue;
    if (g) {
      n1++;
      s1 += z;
      q1 += z * z;
    } else {
      n0++;
      s0 += z;
      q0 += z * z;
    }
  }
  const out = scr.out;
  out[0] = Math.log(A / B);
  out[1] = n1 > 1 ? (n1 / (n1 - 1)) * Math.max(0, q1 - (s1 * s1) / n1) : 0;
  out[2] = n0 > 1 ? (n0 / (n0 - 1)) * Math.max(0, q0 - (s0 * s0) / n0) : 0;
  out[3] = n1;
  out[4] = n0;
  return true;
}

/** |log R| / linearised SE (NaN when R is undefined; Infinity when the SE is 0 and log R is not). */
export function studentisedStatistic(p: PreparedComparison, labels: Uint8Array, acc: Float64Array, scr: StudentScratch): number {
  if (!linearise(p, labels, acc, scr)) return NaN;
  const t = Math.abs(scr.out[0]);
  const v = scr.out[1] + scr.out[2];
  if (v === 0) return t === 0 ? 0 : Infinity;
  return t / Math.sqrt(v);
}

/**
 * Welch-Satterthwaite degrees of freedom of the linearised variance of log R
 * (group and reference parts with n - 1 degrees of freedom each): the
 * small-sample correction of the interval and the MDE. Infinity when the
 * variance is 0 or undefined; at least 1.
 *
 * @param p - the prepared comparison
 * @returns degrees of freedom
 */
export function welchDf(p: PreparedComparison): number {
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  if (!linearise(p, p.isGroup, acc, scr)) return Infinity;
  const [, vg, vr, ng, nr] = scr.out;
  const den = (ng > 1 ? (vg * vg) / (ng - 1) : 0) + (nr > 1 ? (vr * vr) / (nr - 1) : 0);
  if (!(den > 0)) return Infinity;
  return Math.max(1, ((vg + vr) * (vg + vr)) / den);
}

/**
 * The linearised (delta-method) standard error of log R for the observed labels: deterministic,
 * so a figure built on it (the minimum detectable ratio) does not move with the random seed.
 * Infinity when R is undefined.
 */
export function linearisedSe(p: PreparedComparison): number {
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  if (!linearise(p, p.isGroup, acc, scr)) return Infinity;
  return Math.sqrt(scr.out[1] + scr.out[2]);
}
