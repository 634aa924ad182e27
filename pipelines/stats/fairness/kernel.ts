/**
 * What a resample needs of a prepared comparison, and nothing more. A stratum that can never hold
 * both groups contributes nothing to the ratio (nor to the linearised variance): leaving it out,
 * with every entry in it, changes no sum, since the sums over the strata that remain are taken
 * in the same order. In the bootstrap (workers keep their group) that is every stratum without
 * both groups in the data; under the permutation test (labels shuffled within cells) every
 * stratum that no shuffle can give both groups. On the large employer two thirds of the entries
 * and four fifths of the strata a bootstrap resample visited were of this kind.
 *
 * @module
 */
import type { PreparedComparison } from "./prepare.ts";

/**
 * The bootstrap's view of a comparison: the strata holding both groups (renumbered in order),
 * and for each worker with an entry in them (ascending) those entries, with the offset of their
 * group's sums in an accumulator of 6 per stratum (group num, den, count, reference num, den,
 * count).
 */
export interface ResampleKernel {
  S: number;
  /** Workers with at least one entry kept, ascending. */
  workers: Int32Array;
  /** Entries of workers[i]: start[i] .. start[i + 1] - 1. */
  start: Int32Array;
  offset: Int32Array;
  /** Each entry's numerator, denominator and count, side by side (3 per entry). */
  data: Float64Array;
}

/** Strata holding both groups in the data (with every worker once). */
export function strataWithBothGroups(p: PreparedComparison): Uint8Array {
  const hasG = new Uint8Array(p.S);
  const hasR = new Uint8Array(p.S);
  for (let w = 0; w < p.W; w++) {
    const mark = p.isGroup[w] === 1 ? hasG : hasR;
    for (let e = p.wStart[w]!; e < p.wStart[w + 1]!; e++) if (p.eCnt[e]! > 0) mark[p.eStratum[e]!] = 1;
  }
  const keep = new Uint8Array(p.S);
  for (let s = 0; s < p.S; s++) keep[s] = hasG[s]! & hasR[s]!;
  return keep;
}

/** The bootstrap's kernel of a comparison (see {@link ResampleKernel}). */
export function resampleKernel(p: PreparedComparison): ResampleKernel {
  const keep = strataWithBothGroups(p);
  const index = new Int32Array(p.S).fill(-1);
  let S = 0;
  for (let s = 0; s < p.S; s++) if (keep[s]) index[s] = S++;
  let nE = 0;
  let nW = 0;
  for (let w = 0; w < p.W; w++) {
    let any = false;
    for (let e = p.wStart[w]!; e < p.wStart[w + 1]!; e++) {
      if (index[p.eStratum[e]!]! >= 0) {
        nE++;
        any = true;
      }
    }
    if (any) nW++;
  }
  const k: ResampleKernel = { S, workers: new Int32Array(nW), start: new Int32Array(nW + 1), offset: new Int32Array(nE), data: new Float64Array(3 * nE) };
  let i = 0;
  let j = 0;
  for (let w = 0; w < p.W; w++) {
    const first = j;
    const side = p.isGroup[w] === 1 ? 0 : 3;
    for (let e = p.wStart[w]!; e < p.wStart[w + 1]!; e++) {
      const s = index[p.eStratum[e]!]!;
      if (s < 0) continue;
      k.offset[j] = 6 * s + side;
      k.data[3 * j] = p.eNum[e]!;
      k.data[3 * j + 1] = p.eDen[e]!;
      k.data[3 * j + 2] = p.eCnt[e]!;
      j++;
    }
    if (j > first) {
      k.workers[i] = w;
      k.start[i] = first;
      i++;
    }
  }
  k.start[nW] = j;
  return k;
}

/**
 * The Mantel-Haenszel ratio of one resample: the same sums, in the same order, as
 * `accumulate(p, p.isGroup, weights, acc)` then `ratioFromAcc` (accumulate.ts) over every
 * stratum. `acc` holds 6 per kernel stratum.
 */
export function weightedRatio(k: ResampleKernel, weights: Float64Array, acc: Float64Array): number {
  acc.fill(0);
  const { workers, start, offset, data } = k;
  const nW = workers.length;
  for (let i = 0; i < nW; i++) {
    const wt = weights[workers[i]!]!;
    if (wt === 0) continue;
    const e1 = start[i + 1]!;
    for (let e = start[i]!; e < e1; e++) {
      const o = offset[e]!;
      const x = 3 * e;
      acc[o] += wt * data[x]!;
      acc[o + 1] += wt * data[x + 1]!;
      acc[o + 2] += wt * data[x + 2]!;
    }
  }
  let a = 0;
  let b = 0;
  let any = false;
  const end = 6 * k.S;
  for (let o = 0; o < end; o += 6) {
    const gc = acc[o + 2]!;
    const rc = acc[o + 5]!;
    if (gc > 0 && rc > 0) {
      const gd = acc[o + 1]!;
      const rd = acc[o + 4]!;
      if (gd > 0 && rd > 0) {
        const w = (gc * rc) / (gc + rc);
        a += (w * acc[o]!) / gd;
        b += (w * acc[o + 3]!) / rd;
        any = true;
      }
    }
  }
  return any ? a / b : NaN;
}

/**
 * Strata that some shuffle of the labels within the permutation cells can give both groups: at
 * least two workers, one of whom can be in the group (in the group, or in a cell that is
 * shuffled) and one in the reference. Every other stratum holds one group whatever the shuffle.
 */
export function strataAPermutationCanMix(p: PreparedComparison): Uint8Array {
  const shuffled = new Uint8Array(p.W);
  for (let k = 0; k < p.permCellWorkers.length; k++) shuffled[p.permCellWorkers[k]!] = 1;
  const workers = new Int32Array(p.S);
  const canG = new Uint8Array(p.S);
  const canR = new Uint8Array(p.S);
  for (let w = 0; w < p.W; w++) {
    const g = shuffled[w] === 1 || p.isGroup[w] === 1;
    const r = shuffled[w] === 1 || p.isGroup[w] === 0;
    for (let e = p.wStart[w]!; e < p.wStart[w + 1]!; e++) {
      if (!(p.eCnt[e]! > 0)) continue;
      const s = p.eStratum[e]!;
      workers[s]++;
      if (g) canG[s] = 1;
      if (r) canR[s] = 1;
    }
  }
  const keep = new Uint8Array(p.S);
  for (let s = 0; s < p.S; s++) keep[s] = workers[s]! >= 2 && canG[s] && canR[s] ? 1 : 0;
  return keep;
}

/**
 * The comparison restricted to the strata kept (renumbered in order) and the entries in them;
 * workers, labels and cells unchanged. Sums over the strata kept are those of the whole.
 */
export function keepStrata(p: PreparedComparison, keep: Uint8Array): PreparedComparison {
  const index = new Int32Array(p.S).fill(-1);
  const months: number[] = [];
  for (let s = 0; s < p.S; s++) {
    if (keep[s]) {
      index[s] = months.length;
      months.push(p.stratumMonth[s]!);
    }
  }
  if (months.length === p.S) return p;
  let nE = 0;
  for (let e = 0; e < p.eStratum.length; e++) if (index[p.eStratum[e]!]! >= 0) nE++;
  const wStart = new Int32Array(p.W + 1);
  const eStratum = new Int32Array(nE);
  const eNum = new Float64Array(nE);
  const eDen = new Float64Array(nE);
  const eCnt = new Float64Array(nE);
  let j = 0;
  for (let w = 0; w < p.W; w++) {
    wStart[w] = j;
    for (let e = p.wStart[w]!; e < p.wStart[w + 1]!; e++) {
      const s = index[p.eStratum[e]!]!;
      if (s < 0) continue;
      eStratum[j] = s;
      eNum[j] = p.eNum[e]!;
      eDen[j] = p.eDen[e]!;
      eCnt[j] = p.eCnt[e]!;
      j++;
    }
  }
  wStart[p.W] = j;
  return { ...p, S: months.length, wStart, eStratum, eNum, eDen, eCnt, stratumMonth: Int32Array.from(months) };
}
