/**
 * Change points in the mean of a series with the Normal (known unit variance)
 * cost, reproducing R package `changepoint` (Killick & Eckley; version 2.3):
 * `cpt.mean(x, test.stat = "Normal", method = "PELT" | "BinSeg", penalty = ...)`
 * and the CROPS range of penalties (`penalty = "CROPS"`).
 *
 * Conventions (as R):
 * - segment cost = residual sum of squares `sum(x^2) - (sum x)^2 / m`; the data
 *   are NOT rescaled, so pass a series with unit noise variance (see
 *   {@link scaleForChangepoint});
 * - with `penalty = "MBIC"` (the default) the per-change penalty is `3 log n`
 *   and `log(m)` is added to the cost of every segment of length m (R's
 *   `mean.norm.mbic` cost);
 * - a change point `cpt` is the last 1-based index of a segment (n itself is
 *   not reported). The 0-based index of the first point of the next segment is
 *   the same number; both are returned (`cpts`, `indices`).
 *
 * Pure TypeScript, no I/O. Non-finite input is rejected with
 * {@link NonFiniteInputError}.
 *
 * References: Killick, Fearnhead & Eckley (2012) "Optimal detection of
 * changepoints with a linear computational cost", JASA 107:1590;
 * Haynes, Eckley & Fearnhead (2017) "Computationally efficient changepoint
 * detection for a range of penalties" (CROPS), JCGS 26:134; R sources
 * `src/PELT_one_func_minseglen.c`, `src/BinSeg_one_func_minseglen.c`,
 * `src/cost_general_functions.c`, `R/penalty_decision.R`,
 * `R/range_of_penalties.R`.
 */
import { assertFiniteSeries, NonFiniteInputError } from "./peaks.ts";

export { NonFiniteInputError };

/** Penalty names accepted by R's `penalty_decision` for `cpt.mean`. */
export type PenaltyType =
  | "MBIC"
  | "BIC"
  | "SIC"
  | "BIC0"
  | "SIC0"
  | "AIC"
  | "AIC0"
  | "Hannan-Quinn"
  | "Hannan-Quinn0"
  | "None"
  | "Asymptotic"
  | "Manual";

/** Number of parameters that change at a change in mean (R `diffparam`). */
const DIFFPARAM_MEAN = 1;

/**
 * Penalty per change point for a change in mean, as R `penalty_decision`
 * with `diffparam = 1`: SIC/BIC = 2 log n, SIC0/BIC0 = log n, MBIC = 3 log n,
 * AIC = 4, AIC0 = 2, Hannan-Quinn = 4 log log n, Hannan-Quinn0 = 2 log log n,
 * None = 0, Manual = `penValue`, Asymptotic = the `mean.norm` asymptotic
 * penalty for type-I error `penValue` in (0, 1] (R warns it is only accurate for
 * one change; it needs n >= 16).
 */
export function penaltyValue(penalty: PenaltyType, n: number, penValue?: number): number {
  const d = DIFFPARAM_MEAN;
  let pen: number;
  switch (penalty) {
    case "SIC0":
    case "BIC0":
      pen = d * Math.log(n);
      break;
    case "SIC":
    case "BIC":
      pen = (d + 1) * Math.log(n);
      break;
    case "MBIC":
      pen = (d + 2) * Math.log(n);
      break;
    case "AIC0":
      pen = 2 * d;
      break;
    case "AIC":
      pen = 2 * (d + 1);
      break;
    case "Hannan-Quinn0":
      pen = 2 * d * Math.log(Math.log(n));
      break;
    case "Hannan-Quinn":
      pen = 2 * (d + 1) * Math.log(Math.log(n));
      break;
    case "None":
      pen = 0;
      break;
    case "Manual":
      if (penValue === undefined || !Number.isFinite(penValue)) throw new RangeError("Manual penalty needs a finite penValue");
      pen = penValue;
      break;
    case "Asymptotic": {
      const alpha = penValue ?? 0.05;
      if (!(alpha > 0 && alpha <= 1)) throw new RangeError("Asymptotic penalty values must be > 0 and <= 1");
      const alogn = (2 * Math.log(Math.log(n))) ** -0.5;
      const blogn = 1 / alogn + 0.5 * alogn * Math.log(Math.log(Math.log(n)));
      const sqrtPi = Math.sqrt(Math.PI);
      pen =
        (-alogn * Math.log(Math.log((1 - alpha + Math.exp(-2 * sqrtPi * Math.exp(blogn / alogn))) ** (-1 / (2 * sqrtPi)))) +
          blogn) **
        2;
      if (!Number.isFinite(pen)) throw new RangeError(`Asymptotic penalty undefined for n = ${n} (needs n >= 16)`);
      break;
    }
    default:
      throw new RangeError(`Unknown penalty ${String(penalty)}`);
  }
  if (pen < 0) throw new RangeError("pen.value cannot be negative");
  return pen;
}

/** Prefix sums `S[k] = sum x[0..k-1]`, `S2[k] = sum x^2` (R `SumStats`, columns 1-2). */
interface SumStats {
  n: number;
  s: Float64Array;
  s2: Float64Array;
}

function sumStats(x: readonly number[]): SumStats {
  const n = x.length;
  const s = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    s[i + 1] = s[i] + x[i];
    s2[i + 1] = s2[i] + x[i] * x[i];
  }
  return { n, s, s2 };
}

/**
 * Cost of the segment of points `a..b-1` (prefix indices a < b): R `mll_mean`
 * `x2 - x^2/m`, plus `log(m)` for `mbic_mean`.
 */
function segCost(st: SumStats, a: number, b: number, mbic: boolean): number {
  const m = b - a;
  const x = st.s[b] - st.s[a];
  const c = st.s2[b] - st.s2[a] - (x * x) / m;
  return mbic ? c + Math.log(m) : c;
}

/** Output of {@link peltMean}: R's `PELT()` list. */
export interface PeltRaw {
  /** Change points, 1-based last index of each segment, ending with n (R `cpts`). */
  cpts: number[];
  /** Optimal penalised cost F(t), t = 0..n (R `lastchangelike`). */
  lastChangeLike: number[];
  /** Last change before t on the optimal path (R `lastchangecpts`). */
  lastChangeCpts: number[];
  /** Number of segments on the optimal path to t (R `numchangecpts`). */
  numChangeCpts: number[];
}

/**
 * PELT for a change in mean with penalty `pen` per change point, a line-by-line
 * port of R changepoint's `PELTC` (including its pruning rule
 * `F(tau) + C(tau, t) + pen <= F(t) + pen`, its first-minimum tie breaking and
 * its `minseglen` handling). Exact for the plain cost; with `mbic` the segment
 * log-length term makes pruning heuristic, as in R.
 */
export function peltMean(
  x: readonly number[],
  pen: number,
  opts: { mbic?: boolean; minseglen?: number } = {},
): PeltRaw {
  assertFiniteSeries(x);
  const mbic = opts.mbic ?? false;
  const msl = opts.minseglen ?? 1;
  const n = x.length;
  if (n < 2) throw new RangeError("Data must have atleast 2 observations to fit a changepoint model.");
  if (!Number.isInteger(msl) || msl < 1) throw new RangeError("minseglen must be a positive integer");
  if (n < 2 * msl) throw new RangeError("Minimum segment length is too large to include a change in this data");
  const st = sumStats(x);
  const F = new Array<number>(n + 1).fill(0);
  const last = new Array<number>(n + 1).fill(0);
  const num = new Array<number>(n + 1).fill(0);
  F[0] = -pen;
  for (let j = msl; j < 2 * msl; j++) {
    F[j] = segCost(st, 0, j, mbic);
    last[j] = 0;
    num[j] = 1;
  }
  let check: number[] = [0, msl];
  for (let t = 2 * msl; t <= n; t++) {
    const like = check.map((tau) => F[tau] + segCost(st, tau, t, mbic) + pen);
    let best = 0;
    for (let i = 1; i < like.length; i++) if (like[i] < like[best]) best = i;
    F[t] = like[best];
    last[t] = check[best];
    num[t] = num[last[t]] + 1;
    check = check.filter((_, i) => like[i] <= F[t] + pen);
    check.push(t - (msl - 1));
  }
  const cpts: number[] = [];
  for (let t = n; t !== 0; t = last[t]) cpts.push(t);
  cpts.sort((a, b) => a - b);
  return { cpts, lastChangeLike: F, lastChangeCpts: last, numChangeCpts: num };
}

/**
 * Exact optimal partitioning (Jackson et al. 2005), O(n^2): minimises
 * `sum of segment costs + pen * (number of changes)` over all segmentations
 * with segments of at least `minseglen` points. Used to check PELT (notably
 * with the MBIC cost, where PELT's pruning is not guaranteed exact).
 * Returns change points as R does (1-based segment ends, n excluded).
 */
export function optimalPartitioningMean(
  x: readonly number[],
  pen: number,
  opts: { mbic?: boolean; minseglen?: number } = {},
): { cpts: number[]; cost: number } {
  assertFiniteSeries(x);
  const mbic = opts.mbic ?? false;
  const msl = opts.minseglen ?? 1;
  const n = x.length;
  const st = sumStats(x);
  const F = new Array<number>(n + 1).fill(Infinity);
  const last = new Array<number>(n + 1).fill(0);
  F[0] = -pen;
  for (let t = msl; t <= n; t++) {
    for (let tau = 0; tau <= t - msl; tau++) {
      if (tau !== 0 && tau < msl) continue;
      const v = F[tau] + segCost(st, tau, t, mbic) + pen;
      if (v < F[t]) {
        F[t] = v;
        last[t] = tau;
      }
    }
  }
  const cpts: number[] = [];
  for (let t = last[n]; t !== 0; t = last[t]) cpts.push(t);
  cpts.sort((a, b) => a - b);
  return { cpts, cost: F[n] - pen * cpts.length };
}

/** Output of {@link binSegMean}. */
export interface BinSegRaw {
  /** Change points in the order they were found (R `cps[1, ]`). */
  order: number[];
  /** Twice the (monotone non-increasing) likelihood-ratio gains (R `cps[2, ]`). */
  gains: number[];
  /** Number of change points kept for the penalty (R `op.cpts`). */
  opCpts: number;
  /** Kept change points, sorted (n excluded). */
  cpts: number[];
}

/**
 * Binary segmentation for a change in mean, a port of R changepoint's C
 * `binseg` (which scans candidate positions 2..n-3 and requires
 * `j - st >= minseglen` and `end - j >= minseglen` with `st` the 1-based
 * segment start). Up to `Q` changes are found greedily; the first `k` are kept
 * while `2 * gain >= pen`.
 */
export function binSegMean(
  x: readonly number[],
  pen: number,
  opts: { Q?: number; mbic?: boolean; minseglen?: number } = {},
): BinSegRaw {
  assertFiniteSeries(x);
  const Q = opts.Q ?? 5;
  const mbic = opts.mbic ?? false;
  const msl = opts.minseglen ?? 1;
  const n = x.length;
  if (n < 2) throw new RangeError("Data must have at least 2 observations to fit a changepoint model.");
  if (Q > n / msl + 1) throw new RangeError(`Q is larger than the maximum number of segments ${n / msl + 1}`);
  if (Q > n) throw new RangeError("Q is larger than the length of the data length");
  if (!(Q > 0)) throw new RangeError("Q is the maximum number of changepoints so should be greater than 0");
  const st = sumStats(x);
  const half = (a: number, b: number) => -0.5 * segCost(st, a, b, mbic);
  const tau: number[] = [0, n];
  const order: number[] = [];
  const gains: number[] = [];
  let oldmax = 1.7e308;
  for (let q = 0; q < Q; q++) {
    const lambda = new Array<number>(n).fill(0);
    let i = 1;
    let s = tau[0] + 1;
    let end = tau[1];
    let nul = half(s - 1, end);
    for (let j = 2; j < n - 2; j++) {
      if (j === end) {
        s = end + 1;
        i++;
        end = tau[i];
        nul = half(s - 1, end);
      } else if (j - s >= msl && end - j >= msl) {
        lambda[j] = half(s - 1, j) + half(j, end) - nul;
      }
    }
    let which = 0;
    for (let k = 1; k < n; k++) if (lambda[k] > lambda[which]) which = k;
    const like = Math.min(oldmax, lambda[which]);
    order.push(which);
    gains.push(2 * like);
    oldmax = like;
    tau.push(which);
    tau.sort((a, b) => a - b);
  }
  let op = 0;
  while (op < Q && gains[op] >= pen) op++;
  return { order, gains, opCpts: op, cpts: order.slice(0, op).sort((a, b) => a - b) };
}

/** Options of {@link cptMean}. */
export interface CptMeanOptions {
  /** "PELT" (default) or "BinSeg". */
  method?: "PELT" | "BinSeg";
  /** Penalty type; default "MBIC" as R. */
  penalty?: PenaltyType;
  /** Value for "Manual" (the penalty) or "Asymptotic" (type-I error, e.g. 0.01). */
  penValue?: number;
  /** Minimum segment length; R's default for cpt.mean is 1. */
  minseglen?: number;
  /** Maximum number of changes for BinSeg (default 5). */
  Q?: number;
}

/** One segment between change points, 0-based half-open `[start, end)`. */
export interface Segment {
  start: number;
  end: number;
  mean: number;
}

/** Result of {@link cptMean}. */
export interface ChangepointResult {
  /** R convention: 1-based index of the last point of each segment but the final one. */
  cpts: number[];
  /** 0-based index of the first point of each new segment (numerically equal to `cpts`). */
  indices: number[];
  /** All segments with their means. */
  segments: Segment[];
  /** Penalty per change point actually used. */
  penalty: number;
  penaltyType: PenaltyType;
  method: "PELT" | "BinSeg";
  /** Unpenalised cost of the segmentation (MBIC log-length terms included when MBIC). */
  cost: number;
}

/** Segments and their means for sorted R-style change points. */
export function segmentsFromCpts(x: readonly number[], cpts: readonly number[]): Segment[] {
  const bounds = [0, ...cpts, x.length];
  const out: Segment[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const start = bounds[k];
    const end = bounds[k + 1];
    let sum = 0;
    for (let i = start; i < end; i++) sum += x[i];
    out.push({ start, end, mean: sum / (end - start) });
  }
  return out;
}

/** Unpenalised cost of a segmentation under the (optionally MBIC) mean cost. */
function segmentationCost(x: readonly number[], cpts: readonly number[], mbic: boolean): number {
  const st = sumStats(x);
  const b = [0, ...cpts, x.length];
  let c = 0;
  for (let k = 0; k + 1 < b.length; k++) c += segCost(st, b[k], b[k + 1], mbic);
  return c;
}

/**
 * Change points in the mean, as R `cpt.mean(x, method, penalty, pen.value,
 * minseglen, Q, test.stat = "Normal")`. Defaults: PELT, MBIC, minseglen 1.
 * The series is used as given (unit noise variance assumed): scale it first,
 * e.g. with {@link scaleForChangepoint}.
 *
 * @throws NonFiniteInputError for missing values; RangeError for bad options.
 */
export function cptMean(x: readonly number[], opts: CptMeanOptions = {}): ChangepointResult {
  assertFiniteSeries(x);
  const method = opts.method ?? "PELT";
  const penaltyType = opts.penalty ?? "MBIC";
  const minseglen = opts.minseglen ?? 1;
  const n = x.length;
  if (n < 2 * minseglen) throw new RangeError("Minimum segment length is too large to include a change in this data");
  const pen = penaltyValue(penaltyType, n, opts.penValue);
  const mbic = penaltyType === "MBIC";
  let cpts: number[];
  if (method === "PELT") {
    cpts = peltMean(x, pen, { mbic, minseglen }).cpts.slice(0, -1);
  } else if (method === "BinSeg") {
    cpts = binSegMean(x, pen, { Q: opts.Q, mbic, minseglen }).cpts;
  } else {
    throw new RangeError(`Multiple Method is not recognised: ${String(method)}`);
  }
  return {
    cpts,
    indices: cpts.slice(),
    segments: segmentsFromCpts(x, cpts),
    penalty: pen,
    penaltyType,
    method,
    cost: segmentationCost(x, cpts, mbic),
  };
}

/** One optimal segmentation of a CROPS run and the penalty interval where it is optimal. */
export interface CropsSegmentation {
  /** Lower end of the penalty interval. */
  penFrom: number;
  /** Upper end of the penalty interval. */
  penTo: number;
  /** Change points (R convention, n excluded). */
  cpts: number[];
  /** Unpenalised cost (residual sum of squares). */
  cost: number;
}

/** Result of {@link cropsMean}. */
export interface CropsResult {
  /**
   * Interval boundaries, from `penMin` to `penMax`: segmentation k is optimal
   * for penalties between `penalties[k]` and `penalties[k + 1]`. All but the
   * last entry equal R's `pen.value.full(cpt.mean(..., penalty = "CROPS"))`.
   */
  penalties: number[];
  /** Segmentations from most to fewest change points. */
  segmentations: CropsSegmentation[];
  /** Number of PELT runs performed. */
  runs: number;
}

/** R's `isTRUE(all.equal(a, b))` for two numbers (relative tolerance 1.5e-8). */
function allEqual(a: number, b: number): boolean {
  const scale = Math.abs(a);
  const diff = Math.abs(a - b);
  return scale > 0 ? diff / scale < 1.5e-8 : diff < 1.5e-8;
}

/**
 * CROPS: every segmentation that PELT (mean.norm cost, no MBIC term) returns
 * for some penalty in `[penMin, penMax]`, with the penalty interval of each.
 * Follows R `range_of_penalties`: run PELT at both ends; wherever two adjacent
 * runs differ by more than one change point, run again at the penalty where
 * their penalised costs are equal; stop when nothing new is needed; keep one
 * segmentation per number of change points (the one found at the smallest
 * penalty); interval ends are the intersections of adjacent penalised costs.
 */
export function cropsMean(
  x: readonly number[],
  [penMin, penMax]: readonly [number, number],
  opts: { minseglen?: number } = {},
): CropsResult {
  assertFiniteSeries(x);
  if (!(penMin >= 0 && penMax > penMin)) throw new RangeError("CROPS needs 0 <= penMin < penMax");
  const n = x.length;
  const minseglen = opts.minseglen ?? 1;
  interface Run {
    pen: number;
    nseg: number;
    cost: number;
    cpts: number[];
  }
  const runs: Run[] = [];
  let toTest: number[] = [penMin, penMax];
  while (toTest.length > 0) {
    for (const pen of toTest) {
      const r = peltMean(x, pen, { minseglen });
      const nseg = r.numChangeCpts[n];
      runs.push({ pen, nseg, cost: r.lastChangeLike[n] - (nseg - 1) * pen, cpts: r.cpts.slice(0, -1) });
    }
    runs.sort((a, b) => a.pen - b.pen);
    const next: number[] = [];
    for (let i = 0; i + 1 < runs.length; i++) {
      const a = runs[i];
      const b = runs[i + 1];
      if (Math.abs(a.nseg - b.nseg) > 1) next.push((b.cost - a.cost) / (a.nseg - b.nseg));
    }
    toTest = next.filter((p) => {
      let nearest = runs[0].pen;
      for (const r of runs) if (Math.abs(p - r.pen) < Math.abs(p - nearest)) nearest = r.pen;
      return !allEqual(p, nearest);
    });
  }
  const kept: Run[] = [];
  for (const r of runs) if (kept.length === 0 || kept[kept.length - 1].nseg !== r.nseg) kept.push(r);
  const penalties: number[] = [penMin];
  for (let k = 0; k + 1 < kept.length; k++) {
    penalties.push((kept[k + 1].cost - kept[k].cost) / (kept[k].nseg - kept[k + 1].nseg));
  }
  penalties.push(penMax);
  const segmentations = kept.map((r, k) => ({
    penFrom: penalties[k],
    penTo: penalties[k + 1],
    cpts: r.cpts,
    cost: r.cost,
  }));
  return { penalties, segmentations, runs: runs.length };
}

/** Median of a non-empty array (average of the two middle values when even). */
function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Result of {@link scaleForChangepoint}. */
export interface ScaledSeries {
  /** `(x - center) / sigma`. */
  scaled: number[];
  /** Median of x (subtracted only for numerical stability; the mean cost ignores shifts). */
  center: number;
  /** Noise standard deviation estimate used as the scale. */
  sigma: number;
  /**
   * "mad_diff": `mad(diff(x)) / sqrt(2)` with R's `mad` (constant 1.4826);
   * "sd_diff": fallback `sd(diff(x)) / sqrt(2)` when the MAD is 0;
   * "degenerate": first differences are constant (e.g. a constant series), sigma set to 1.
   */
  method: "mad_diff" | "sd_diff" | "degenerate";
}

/**
 * Scales a (deseasonalised) series to unit noise variance for {@link cptMean},
 * whose Normal cost assumes variance 1 (R's `cpt.mean` does not rescale).
 * The noise sd is estimated robustly from first differences: for independent
 * noise `var(x[t] - x[t-1]) = 2 sigma^2`, and level shifts only affect a few
 * differences, so `sigma = mad(diff(x)) / sqrt(2)` (Fryzlewicz 2014, WBS).
 * Needs at least 2 points.
 */
export function scaleForChangepoint(x: readonly number[]): ScaledSeries {
  assertFiniteSeries(x);
  if (x.length < 2) throw new RangeError("need at least 2 points to estimate the noise scale");
  const d: number[] = [];
  for (let i = 1; i < x.length; i++) d.push(x[i] - x[i - 1]);
  const md = median(d);
  let sigma = (1.4826 * median(d.map((v) => Math.abs(v - md)))) / Math.SQRT2;
  let method: ScaledSeries["method"] = "mad_diff";
  if (!(sigma > 0)) {
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = d.length > 1 ? Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1)) : 0;
    sigma = sd / Math.SQRT2;
    method = "sd_diff";
  }
  if (!(sigma > 0)) {
    sigma = 1;
    method = "degenerate";
  }
  const center = median(x);
  return { scaled: x.map((v) => (v - center) / sigma), center, sigma, method };
}
