/**
 * Preparation of one comparison: the window, the observations filtered to it and to the two
 * groups, and the per-worker, per-stratum sufficient statistics in typed arrays that every
 * resample reads ({@link PreparedComparison}).
 *
 * @module
 */
import { monthIndex } from "../../../core/calendar.ts";
import { isNum, FAIRNESS_MEASURE_DEFS, type FairnessMeasure } from "./measures.ts";
import type { AuditOptions, WorkerMonthObs } from "./types.ts";
import { mhFromSums } from "./ratio.ts";
import { bootstrapCells, modeKey, toCsr } from "./cells.ts";

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

/** Numerator and denominator of one observation for a measure, or null when not applicable. */
function numDen(o: WorkerMonthObs, measure: FairnessMeasure): [number, number, boolean] | null {
  const v = o.values[measure];
  if (!isNum(v)) return null;
  const n = o.num?.[measure];
  const d = o.den?.[measure];
  if (n !== undefined && d !== undefined) {
    if (!isNum(n) || !isNum(d) || !(d > 0)) return null;
    return [n, d, true];
  }
  return [v, 1, false];
}

/**
 * Filters the observations to the window and the two groups, checks them, and
 * builds the typed-array sufficient statistics used by every resample.
 *
 * @param obs - worker-months of one scope
 * @param opts - the comparison (group, reference, measure, window, adjust)
 * @returns the prepared comparison
 */
export function prepareComparison(
  obs: readonly WorkerMonthObs[],
  opts: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "adjust" | "experienceFactors"> & { monthStrata?: boolean },
): PreparedComparison {
  if (opts.group === opts.reference) throw new RangeError("group and reference must differ");
  if (!(opts.measure in FAIRNESS_MEASURE_DEFS)) throw new RangeError(`unknown measure "${opts.measure}"`);
  const win = windowOf(opts.asOf, opts.windowMonths);
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

  /** n: the numerator as compared (experience-standardised when asked); raw: as recorded (for the unadjusted ratio). */
  interface Row { w: number; month: number; s: string; u: string; n: number; raw: number; d: number; extra: string }
  const rows: Row[] = [];
  const workerIndex = new Map<string, number>();
  const workerIds: string[] = [];
  const lastLabel: { month: number; lab: number }[] = [];
  const cellCounts: Map<string, { n: number; last: number }>[] = [];
  let withNumDen = 0;
  let withoutNumDen = 0;
  const monthOf = new Map<string, number>();
  for (const o of obs) {
    const lab = o.group === opts.group ? 1 : o.group === opts.reference ? 0 : -1;
    if (lab < 0) continue;
    let mi = monthOf.get(o.period);
    if (mi === undefined) monthOf.set(o.period, (mi = monthIndex(o.period)));
    if (mi < win.start || mi > win.end) continue;
    const nd = numDen(o, opts.measure);
    if (!nd) continue;
    if (nd[2]) withNumDen++;
    else withoutNumDen++;
    let w = workerIndex.get(o.worker_id);
    if (w === undefined) {
      w = workerIds.length;
      workerIndex.set(o.worker_id, w);
      workerIds.push(o.worker_id);
      lastLabel.push({ month: -Infinity, lab });
      cellCounts.push(new Map());
    }
    if (mi >= lastLabel[w].month) lastLabel[w] = { month: mi, lab };
    const cellKey = `${o.service}\u0001${o.team}\u0001${o.role}`;
    const cc = cellCounts[w].get(cellKey);
    if (cc) {
      cc.n++;
      cc.last = Math.max(cc.last, mi);
    } else cellCounts[w].set(cellKey, { n: 1, last: mi });
    const month = windowStrata ? win.end - win.start : mi - win.start;
    const extra = [useBand ? o.fte_band : "", useExperience ? (o.experience_band ?? "not recorded") : "", useEmployment ? (o.employment ?? "not recorded") : ""].join("\u0001");
    const s = [o.service, useTeam ? o.team : "", useRole ? o.role : "", extra, month].join("\u0001");
    const u = `${o.service}\u0001${month}`;
    const factor = stdExperience ? (opts.experienceFactors!.get(experienceKey(o.service, o.role, o.experience_band ?? "not recorded", opts.measure)) ?? 1) : 1;
    rows.push({ w, month, s, u, n: nd[0] / factor, raw: nd[0], d: nd[1], extra });
  }
  if (workerLevel) collapseToWorkers();

  /**
   * A worker-level measure (review_requested): one observation per worker over the window, 1 if
   * it happened in any month, in the stratum of the worker's modal service, team and role (and
   * latest adjusted characteristics), without month.
   */
  function collapseToWorkers(): void {
    const last = nMonthsOf();
    const byWorker = new Map<number, { n: number; extra: string; month: number }>();
    for (const r of rows) {
      const b = byWorker.get(r.w);
      if (!b) byWorker.set(r.w, { n: r.n > 0 ? 1 : 0, extra: r.extra, month: r.month });
      else {
        if (r.n > 0) b.n = 1;
        if (r.month >= b.month) {
          b.month = r.month;
          b.extra = r.extra;
        }
      }
    }
    rows.length = 0;
    for (const [w, b] of byWorker) {
      const [service, team, role] = modeKey(cellCounts[w]).split("\u0001");
      const s = [service, useTeam ? team : "", useRole ? role : "", b.extra, "worker"].join("\u0001");
      rows.push({ w, month: last - 1, s, u: `${service}\u0001worker`, n: b.n, raw: b.n, d: 1, extra: b.extra });
    }
  }
  function nMonthsOf(): number {
    return win.end - win.start + 1;
  }
  if (withNumDen > 0 && withoutNumDen > 0) {
    throw new RangeError(`measure ${opts.measure}: some worker-months give num/den and others only a value; give num/den for all or none`);
  }

  const W = workerIds.length;
  const isGroup = new Uint8Array(W);
  for (let w = 0; w < W; w++) isGroup[w] = lastLabel[w].lab;

  // strata ids
  const stratumIndex = new Map<string, number>();
  const stratumMonthList: number[] = [];
  const rowStratum = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let s = stratumIndex.get(r.s);
    if (s === undefined) {
      s = stratumMonthList.length;
      stratumIndex.set(r.s, s);
      stratumMonthList.push(r.month);
    }
    rowStratum[i] = s;
  });
  const S = stratumMonthList.length;

  // entries: (worker, stratum) sums, grouped by worker
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].w - rows[b].w || rowStratum[a] - rowStratum[b]);
  const eS: number[] = [];
  const eN: number[] = [];
  const eD: number[] = [];
  const eC: number[] = [];
  const wStart = new Int32Array(W + 1);
  let prevW = -1;
  let prevS = -1;
  for (const i of order) {
    const w = rows[i].w;
    const s = rowStratum[i];
    if (w !== prevW) {
      for (let k = prevW + 1; k <= w; k++) wStart[k] = eS.length;
      prevW = w;
      prevS = -1;
    }
    if (s !== prevS) {
      eS.push(s);
      eN.push(0);
      eD.push(0);
      eC.push(0);
      prevS = s;
    }
    const last = eS.length - 1;
    eN[last] += rows[i].n;
    eD[last] += rows[i].d;
    eC[last] += 1;
  }
  for (let k = prevW + 1; k <= W; k++) wStart[k] = eS.length;

  // unadjusted ratio: strata service x month
  const uIndex = new Map<string, number>();
  const uSums: number[][] = [];
  for (const r of rows) {
    let u = uIndex.get(r.u);
    if (u === undefined) {
      u = uSums.length;
      uIndex.set(r.u, u);
      uSums.push([0, 0, 0, 0, 0, 0]);
    }
    const base = isGroup[r.w] ? 0 : 3;
    uSums[u][base] += r.raw;
    uSums[u][base + 1] += r.d;
    uSums[u][base + 2] += 1;
  }
  const col = (j: number) => uSums.map((x) => x[j]);
  const ru = mhFromSums(col(0), col(1), col(2), col(3), col(4), col(5), uSums.length);

  // modal cells
  const cellOf: string[] = [];
  const teamOf: string[] = [];
  for (let w = 0; w < W; w++) {
    const k = modeKey(cellCounts[w]);
    cellOf.push(k);
    teamOf.push(k.slice(0, k.lastIndexOf("\u0001")));
  }
  const boot = toCsr(bootstrapCells(isGroup, teamOf, cellOf));
  const permMap = new Map<string, number[]>();
  for (let w = 0; w < W; w++) {
    const list = permMap.get(cellOf[w]);
    if (list) list.push(w);
    else permMap.set(cellOf[w], [w]);
  }
  const permCells = [...permMap.values()].filter((c) => c.some((w) => isGroup[w] === 1) && c.some((w) => isGroup[w] === 0));
  const perm = toCsr(permCells);

  let nWmGroup = 0;
  let nWmRef = 0;
  for (const r of rows) {
    if (isGroup[r.w]) nWmGroup++;
    else nWmRef++;
  }
  let nWorkersGroup = 0;
  for (let w = 0; w < W; w++) nWorkersGroup += isGroup[w];

  return {
    W,
    S,
    workerIds,
    isGroup,
    wStart,
    eStratum: Int32Array.from(eS),
    eNum: Float64Array.from(eN),
    eDen: Float64Array.from(eD),
    eCnt: Float64Array.from(eC),
    stratumMonth: Int32Array.from(stratumMonthList),
    nMonths: win.end - win.start + 1,
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
