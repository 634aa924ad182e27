/**
 * Preparation of one comparison: the window, the observations filtered to it and to the two
 * groups, and the per-worker, per-stratum sufficient statistics in typed arrays that every
 * resample reads ({@link PreparedComparison}).
 *
 * @module
 */
import { monthIndex } from "../../../core/calendar.ts";
import { FAIRNESS_MEASURE_DEFS, type FairnessMeasure } from "./measures.ts";
import type { AuditOptions } from "./types.ts";
import { mhFromSums } from "./ratio.ts";
import { bootstrapCells, toCsr } from "./cells.ts";
import { encoded, type ObsInput } from "./encode.ts";

/** Workers, strata and per-worker per-stratum sums of one comparison, ready for resampling. */
export interface PreparedComparison {
  /** Number of workers and of strata. */
  W: number;
  S: number;
  workerIds: string[];
  /** 1 = group, 0 = reference. */
  isGroup: Uint8Array;
  /** Entries of worker w are wStart[w] .. wStart[w + 1] - 1. */
  wStart: Int32Array;
  eStratum: Int32Array;
  eNum: Float64Array;
  eDen: Float64Array;
  eCnt: Float64Array;
  /** Month (0 = first month of the window) of each stratum. */
  stratumMonth: Int32Array;
  nMonths: number;
  /** Bootstrap cells (group x modal team and role, small cells pooled): cellWorkers[cellStart[k] .. cellStart[k+1]-1]. */
  bootCellStart: Int32Array;
  bootCellWorkers: Int32Array;
  /** Permutation cells (modal team and role) that hold both groups. */
  permCellStart: Int32Array;
  permCellWorkers: Int32Array;
  ratioUnadjusted: number | null;
  nWorkersGroup: number;
  nWorkersRef: number;
  nWmGroup: number;
  nWmRef: number;
}

/** Working arrays of {@link prepareComparison}, one set per thread, grown as needed (prepareComparison is synchronous). */
interface Scratch {
  rW: Int32Array;
  rMonth: Int32Array;
  rCell: Int32Array;
  rExtra: Int32Array;
  byWorker: Int32Array;
  rowProj: Int32Array;
  rowService: Int32Array;
  rowStratum: Int32Array;
  eS: Int32Array;
  rN: Float64Array;
  rRaw: Float64Array;
  rD: Float64Array;
  rMi: Float64Array;
  eN: Float64Array;
  eD: Float64Array;
  eC: Float64Array;
}
let scratchArrays: Scratch | null = null;
function scratch(n: number): Scratch {
  if (scratchArrays === null || scratchArrays.rW.length < n) {
    const size = Math.max(n, 2 * (scratchArrays?.rW.length ?? 0), 1024);
    const i = () => new Int32Array(size);
    const f = () => new Float64Array(size);
    scratchArrays = { rW: i(), rMonth: i(), rCell: i(), rExtra: i(), byWorker: i(), rowProj: i(), rowService: i(), rowStratum: i(), eS: i(), rN: f(), rRaw: f(), rD: f(), rMi: f(), eN: f(), eD: f(), eC: f() };
  }
  return scratchArrays;
}

/** Key of an experience factor: service, role, experience band and measure. */
export function experienceKey(service: string, role: string, band: string, measure: string): string {
  return [service, role, band, measure].join("\u0001");
}

const workerLevelOf = (m: FairnessMeasure) => FAIRNESS_MEASURE_DEFS[m].level === "worker";

export interface WindowSpec {
  start: number;
  end: number;
}

export function windowOf(asOf: string, windowMonths: number): WindowSpec {
  if (!Number.isInteger(windowMonths) || windowMonths < 1) throw new RangeError(`windowMonths must be a positive integer, got ${windowMonths}`);
  const end = monthIndex(asOf);
  return { start: end - windowMonths + 1, end };
}

/**
 * Filters the observations to the window and the two groups, checks them, and
 * builds the typed-array sufficient statistics used by every resample.
 *
 * Workers are numbered in the order they first appear, strata likewise, and every sum is taken
 * in the order of the observations: the arithmetic is the same whether the observations come as
 * an array or already encoded ({@link EncodedObs}, encode.ts: encode once when preparing several
 * comparisons of the same observations).
 *
 * @param obs - worker-months of one scope (or their encoding)
 * @param opts - the comparison (group, reference, measure, window, adjust)
 * @returns the prepared comparison
 */
export function prepareComparison(
  obs: ObsInput,
  opts: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "adjust" | "experienceFactors"> & { monthStrata?: boolean; skipRow?: Uint8Array },
): PreparedComparison {
  if (opts.group === opts.reference) throw new RangeError("group and reference must differ");
  if (!(opts.measure in FAIRNESS_MEASURE_DEFS)) throw new RangeError(`unknown measure "${opts.measure}"`);
  const win = windowOf(opts.asOf, opts.windowMonths);
  const enc = encoded(obs);
  const tab = enc.tables;
  const adjust = opts.adjust ?? ["service", "team", "role", "fte_band"];
  const useTeam = adjust.includes("team");
  const useRole = adjust.includes("role");
  const useBand = adjust.includes("fte_band");
  // experience: standardised by the factors when given (no strata split), else strata by band
  const stdExperience = adjust.includes("experience") && opts.experienceFactors !== undefined && !workerLevelOf(opts.measure);
  const useExperience = adjust.includes("experience") && !stdExperience;
  const useEmployment = adjust.includes("employment");
  const workerLevel = FAIRNESS_MEASURE_DEFS[opts.measure].level === "worker";
  // window strata (new allocations): one stratum over the window, placed in its last month
  const windowStrata = FAIRNESS_MEASURE_DEFS[opts.measure].strata === "window" && !opts.monthStrata;
  const nMonths = win.end - win.start + 1;

  const cols = enc.measureColumns(opts.measure);
  const gid = enc.groupId(opts.group);
  const rid = enc.groupId(opts.reference);
  const { proj: cellProj, n: nProj } = enc.projection(useTeam, useRole);
  // experience factors by (service, role, band), looked up once per combination
  let factorOf: Float64Array | null = null;
  if (stdExperience) {
    const nc = tab.comboService.length;
    factorOf = new Float64Array(nc);
    for (let x = 0; x < nc; x++) factorOf[x] = opts.experienceFactors!.get(experienceKey(tab.comboService[x]!, tab.comboRole[x]!, tab.comboBand[x]!, opts.measure)) ?? 1;
  }
  // the characteristics a stratum holds fixed besides cell and month, as one number
  const radixEmp = tab.nEmp + 1;
  const radixExp = tab.nExp + 1;
  const nExtra = (tab.nFte + 1) * radixExp * radixEmp;
  const extraOf = (i: number) => ((useBand ? enc.fte[i]! + 1 : 0) * radixExp + (useExperience ? enc.exp[i]! + 1 : 0)) * radixEmp + (useEmployment ? enc.emp[i]! + 1 : 0);
  // month slots: the window's months, and one for worker-level observations
  const nSlots = nMonths + 1;
  const exact = nProj * nExtra * nSlots < Number.MAX_SAFE_INTEGER;

  // the observations compared, in order (n: the numerator as compared, experience-standardised
  // when asked; raw: as recorded, for the unadjusted ratio)
  const N = enc.n;
  const sc = scratch(N);
  const { rW, rMonth, rCell, rExtra, rN, rRaw, rD, rMi } = sc;
  let nr = 0;
  const workerOf = new Int32Array(tab.workerIds.length).fill(-1);
  const workerIds: string[] = [];
  const lastMonth: number[] = [];
  const lastLab: number[] = [];
  let withNumDen = 0;
  let withoutNumDen = 0;
  const skip = opts.skipRow;
  for (let i = 0; i < N; i++) {
    if (skip && skip[i]) continue;
    const g = enc.group[i]!;
    const lab = g === gid ? 1 : g === rid ? 0 : -1;
    if (lab < 0) continue;
    let mi = enc.month[i]!;
    if (Number.isNaN(mi)) mi = monthIndex(enc.period(i)); // throws, as it always did
    if (mi < win.start || mi > win.end) continue;
    const kind = cols.kind[i]!;
    if (kind === 0) continue;
    if (kind === 1) withNumDen++;
    else withoutNumDen++;
    const wid = enc.worker[i]!;
    let w = workerOf[wid]!;
    if (w < 0) {
      w = workerIds.length;
      workerOf[wid] = w;
      workerIds.push(tab.workerIds[wid]!);
      lastMonth.push(-Infinity);
      lastLab.push(lab);
    }
    if (mi >= lastMonth[w]!) {
      lastMonth[w] = mi;
      lastLab[w] = lab;
    }
    const num = cols.num[i]!;
    rW[nr] = w;
    rMonth[nr] = windowStrata ? win.end - win.start : mi - win.start;
    rCell[nr] = enc.cell[i]!;
    rExtra[nr] = extraOf(i);
    rN[nr] = num / (factorOf ? factorOf[enc.expCombo[i]!]! : 1);
    rRaw[nr] = num;
    rD[nr] = cols.den[i]!;
    rMi[nr] = mi;
    nr++;
  }
  if (withNumDen > 0 && withoutNumDen > 0) {
    throw new RangeError(`measure ${opts.measure}: some worker-months give num/den and others only a value; give num/den for all or none`);
  }

  const W = workerIds.length;
  const isGroup = new Uint8Array(W);
  for (let w = 0; w < W; w++) isGroup[w] = lastLab[w]!;

  // the rows of each worker, in order (a stable counting sort by worker)
  const byWorkerStart = new Int32Array(W + 1);
  for (let r = 0; r < nr; r++) byWorkerStart[rW[r]! + 1]++;
  for (let w = 0; w < W; w++) byWorkerStart[w + 1] += byWorkerStart[w]!;
  const byWorker = sc.byWorker;
  {
    const fill = byWorkerStart.slice(0, W);
    for (let r = 0; r < nr; r++) byWorker[fill[rW[r]!]!++] = r;
  }

  // modal cell of each worker: most observations, then the latest, then the first key in string order
  const cellOf = new Int32Array(W);
  {
    const cells: number[] = [];
    const counts: number[] = [];
    const lasts: number[] = [];
    for (let w = 0; w < W; w++) {
      cells.length = 0;
      counts.length = 0;
      lasts.length = 0;
      for (let k = byWorkerStart[w]!; k < byWorkerStart[w + 1]!; k++) {
        const r = byWorker[k]!;
        const c = rCell[r]!;
        const j = cells.indexOf(c);
        if (j < 0) {
          cells.push(c);
          counts.push(1);
          lasts.push(rMi[r]!);
        } else {
          counts[j]!++;
          lasts[j] = Math.max(lasts[j]!, rMi[r]!);
        }
      }
      let best = -1;
      for (let j = 0; j < cells.length; j++) {
        if (best < 0 || counts[j]! > counts[best]! || (counts[j] === counts[best] && (lasts[j]! > lasts[best]! || (lasts[j] === lasts[best] && tab.cellRank[cells[j]!]! < tab.cellRank[cells[best]!]!)))) best = j;
      }
      cellOf[w] = cells[best]!;
    }
  }

  // observation rows as compared: worker-months, or (a worker-level measure: review_requested) one
  // observation per worker over the window, 1 if it happened in any month, in the stratum of the
  // worker's modal service, team and role (and latest adjusted characteristics), without month
  let R = nr;
  let rowW = rW;
  let rowMonth = rMonth;
  let rowProj: Int32Array;
  let rowService: Int32Array;
  let rowExtra = rExtra;
  let rowN = rN;
  let rowRaw = rRaw;
  let rowD = rD;
  let rowSlot: Int32Array;
  if (workerLevel) {
    R = W;
    rowW = new Int32Array(W);
    rowMonth = new Int32Array(W).fill(nMonths - 1);
    rowProj = new Int32Array(W);
    rowService = new Int32Array(W);
    rowExtra = new Int32Array(W);
    rowN = new Float64Array(W);
    rowD = new Float64Array(W).fill(1);
    rowSlot = new Int32Array(W).fill(nMonths);
    for (let w = 0; w < W; w++) {
      let any = 0;
      let bm = -1;
      let extra = 0;
      for (let k = byWorkerStart[w]!; k < byWorkerStart[w + 1]!; k++) {
        const r = byWorker[k]!;
        if (rN[r]! > 0) any = 1;
        if (bm < 0 || rMonth[r]! >= bm) {
          bm = rMonth[r]!;
          extra = rExtra[r]!;
        }
      }
      rowW[w] = w;
      rowProj[w] = cellProj[cellOf[w]!]!;
      rowService[w] = tab.cellService[cellOf[w]!]!;
      rowExtra[w] = extra;
      rowN[w] = any;
    }
    rowRaw = rowN;
    // (each worker's one row, in worker order)
    for (let w = 0; w < W; w++) {
      byWorkerStart[w] = w;
      byWorker[w] = w;
    }
    byWorkerStart[W] = W;
  } else {
    rowProj = sc.rowProj;
    rowService = sc.rowService;
    rowSlot = rMonth;
    for (let r = 0; r < nr; r++) {
      rowProj[r] = cellProj[rCell[r]!]!;
      rowService[r] = tab.cellService[rCell[r]!]!;
    }
  }

  // strata ids, in order of first appearance
  const stratumIndex = new Map<number | string, number>();
  const stratumMonthList: number[] = [];
  const rowStratum = sc.rowStratum;
  for (let r = 0; r < R; r++) {
    const k = exact ? (rowProj[r]! * nExtra + rowExtra[r]!) * nSlots + rowSlot[r]! : `${rowProj[r]},${rowExtra[r]},${rowSlot[r]}`;
    let s = stratumIndex.get(k);
    if (s === undefined) {
      s = stratumMonthList.length;
      stratumIndex.set(k, s);
      stratumMonthList.push(rowMonth[r]!);
    }
    rowStratum[r] = s;
  }
  const S = stratumMonthList.length;

  // entries: (worker, stratum) sums, grouped by worker, strata ascending, rows in order
  const { eS, eN, eD, eC } = sc;
  let nE = 0;
  const wStart = new Int32Array(W + 1);
  const seg: number[] = [];
  for (let w = 0; w < W; w++) {
    wStart[w] = nE;
    seg.length = 0;
    for (let k = byWorkerStart[w]!; k < byWorkerStart[w + 1]!; k++) {
      // stable insertion by stratum
      const r = byWorker[k]!;
      const s = rowStratum[r]!;
      let j = seg.length;
      seg.push(r);
      while (j > 0 && rowStratum[seg[j - 1]!]! > s) {
        seg[j] = seg[j - 1]!;
        j--;
      }
      seg[j] = r;
    }
    let prevS = -1;
    for (const r of seg) {
      const s = rowStratum[r]!;
      if (s !== prevS) {
        eS[nE] = s;
        eN[nE] = 0;
        eD[nE] = 0;
        eC[nE] = 0;
        nE++;
        prevS = s;
      }
      const last = nE - 1;
      eN[last] += rowN[r]!;
      eD[last] += rowD[r]!;
      eC[last] += 1;
    }
  }
  wStart[W] = nE;

  // unadjusted ratio: strata service x month
  const uIndex = new Map<number, number>();
  const uSums: number[] = [];
  for (let r = 0; r < R; r++) {
    const key = rowService[r]! * nSlots + rowSlot[r]!;
    let u = uIndex.get(key);
    if (u === undefined) {
      u = uIndex.size;
      uIndex.set(key, u);
      uSums.push(0, 0, 0, 0, 0, 0);
    }
    const base = 6 * u + (isGroup[rowW[r]!] ? 0 : 3);
    uSums[base] += rowRaw[r]!;
    uSums[base + 1] += rowD[r]!;
    uSums[base + 2] += 1;
  }
  const nU = uIndex.size;
  const col = (j: number) => Float64Array.from({ length: nU }, (_, u) => uSums[6 * u + j]!);
  const ru = mhFromSums(col(0), col(1), col(2), col(3), col(4), col(5), nU);

  // modal cells: bootstrap cells (group x cell, singletons pooled) and permutation cells
  const teamOf = Int32Array.from(cellOf, (c) => tab.cellTeam[c]!);
  const boot = toCsr(bootstrapCells(isGroup, teamOf, cellOf));
  const permMap = new Map<number, number[]>();
  for (let w = 0; w < W; w++) {
    const list = permMap.get(cellOf[w]!);
    if (list) list.push(w);
    else permMap.set(cellOf[w]!, [w]);
  }
  const permCells = [...permMap.values()].filter((c) => c.some((w) => isGroup[w] === 1) && c.some((w) => isGroup[w] === 0));
  const perm = toCsr(permCells);

  let nWmGroup = 0;
  let nWmRef = 0;
  for (let r = 0; r < R; r++) {
    if (isGroup[rowW[r]!]) nWmGroup++;
    else nWmRef++;
  }
  let nWorkersGroup = 0;
  for (let w = 0; w < W; w++) nWorkersGroup += isGroup[w]!;

  return {
    W,
    S,
    workerIds,
    isGroup,
    wStart,
    eStratum: eS.slice(0, nE),
    eNum: eN.slice(0, nE),
    eDen: eD.slice(0, nE),
    eCnt: eC.slice(0, nE),
    stratumMonth: Int32Array.from(stratumMonthList),
    nMonths,
    bootCellStart: boot.start,
    bootCellWorkers: boot.workers,
    permCellStart: perm.start,
    permCellWorkers: perm.workers,
    ratioUnadjusted: Number.isFinite(ru) || ru === Infinity ? ru : null,
    nWorkersGroup,
    nWorkersRef: W - nWorkersGroup,
    nWmGroup,
    nWmRef,
  };
}
