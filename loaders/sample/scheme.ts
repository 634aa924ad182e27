/**
 * Points schemes as case-mix distributions: the points of a case from its complexity, the
 * distribution of a service's new cases over (case type, complexity), and its exponential
 * tilting to a heavier or lighter mix (how roles, personal effects and the planted complexity
 * bias shape what a worker is allocated).
 */
import { round1 } from "./numbers.ts";
import type { ServiceSpec } from "./types.ts";

const COMPLEXITY_STEP = 0.25;
const COMPLEXITY_OFFSETS: ReadonlyArray<[number, number]> = [[-1, 0.25], [0, 0.5], [1, 0.2], [2, 0.05]];
/** Margin (in units of the service mean) kept inside the lightest and heaviest case of a scheme by tilting. */
const TILT_MARGIN = 0.02;

/**
 * Points of a case: the case type's default points adjusted by the case's
 * complexity relative to the type's default complexity, 25% per step:
 * points = round1(default x (1 + 0.25 x (complexity - default complexity))), floored at 0.
 */
export function casePoints(defaultPoints: number, defaultComplexity: number, complexity: number): number {
  return Math.max(0, round1(defaultPoints * (1 + COMPLEXITY_STEP * (complexity - defaultComplexity))));
}

/** One (case type, complexity) cell of a service's case distribution. */
export interface SchemeCell { typeIdx: number; complexity: number; points: number; p: number }

/**
 * Base distribution over (case type, complexity) of a service: type weights
 * times the complexity offsets around the type's default complexity (-1: 25%,
 * 0: 50%, +1: 20%, +2: 5%), clamped into 1-5.
 */
export function schemeCells(spec: ServiceSpec): SchemeCell[] {
  const totalW = spec.caseTypes.reduce((s, t) => s + t.weight, 0);
  const cells: SchemeCell[] = [];
  spec.caseTypes.forEach((t, typeIdx) => {
    const byCx = new Map<number, number>();
    for (const [off, p] of COMPLEXITY_OFFSETS) {
      const c = Math.min(5, Math.max(1, t.complexity + off));
      byCx.set(c, (byCx.get(c) ?? 0) + p);
    }
    for (const [c, p] of [...byCx.entries()].sort((a, b) => a[0] - b[0])) {
      cells.push({ typeIdx, complexity: c, points: casePoints(t.points, t.complexity, c), p: (t.weight / totalW) * p });
    }
  });
  return cells;
}

/** Expected points per case of a distribution over cells. */
export function meanPoints(cells: readonly SchemeCell[], probs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < cells.length; i++) s += cells[i].points * probs[i];
  return s;
}

/**
 * The range of expected points per case (as ratios to the service mean) that tilting a
 * scheme's case mix can reach: from just above its lightest cell to just below its
 * heaviest (`TILT_MARGIN` inside each).
 */
export function tiltReach(cells: readonly SchemeCell[]): { lo: number; hi: number } {
  const mu = meanPoints(cells, cells.map((c) => c.p));
  const xs = cells.map((c) => c.points / mu);
  return { lo: Math.min(...xs) + TILT_MARGIN, hi: Math.max(...xs) - TILT_MARGIN };
}

/**
 * Exponentially tilts the base cell distribution so that its expected points
 * per case equal `ratio` x the base expectation (clamped to `tiltReach`):
 * q_i proportional to p_i exp(theta (x_i - 1)), x_i = points_i / mean, the
 * minimum-relative-entropy distribution with that mean (Kullback's principle).
 * theta is found by Newton's method on the mean (whose derivative in theta is
 * the variance), safeguarded by bisection. Returns the tilted probabilities and
 * the ratio actually achieved.
 */
export function tiltedDistribution(cells: readonly SchemeCell[], ratio: number): { probs: Float64Array; achieved: number } {
  const n = cells.length;
  const base = Float64Array.from(cells, (c) => c.p);
  const mu = meanPoints(cells, base);
  const xs = Float64Array.from(cells, (c) => c.points / mu);
  const { lo, hi } = tiltReach(cells);
  const target = Math.min(hi, Math.max(lo, ratio));
  const q = new Float64Array(n);
  const xmax = Math.max(...xs), xmin = Math.min(...xs);
  /** fills q for theta; returns [mean, variance] of x under q (exponent shifted for stability) */
  const moments = (theta: number): [number, number] => {
    const shift = theta >= 0 ? theta * (xmax - 1) : theta * (xmin - 1);
    let z = 0, m1 = 0, m2 = 0;
    for (let i = 0; i < n; i++) {
      q[i] = base[i] * Math.exp(theta * (xs[i] - 1) - shift);
      z += q[i];
      m1 += q[i] * xs[i];
      m2 += q[i] * xs[i] * xs[i];
    }
    for (let i = 0; i < n; i++) q[i] /= z;
    const m = m1 / z;
    return [m, Math.max(0, m2 / z - m * m)];
  };
  let a = -200, b = 200, theta = 0;
  for (let it = 0; it < 100; it++) {
    const [m, v] = moments(theta);
    const err = m - target;
    if (Math.abs(err) < 1e-12) break;
    if (err < 0) a = theta;
    else b = theta;
    let next = v > 1e-15 ? theta - err / v : (a + b) / 2;
    if (!(next > a && next < b)) next = (a + b) / 2;
    theta = next;
  }
  moments(theta);
  return { probs: q, achieved: meanPoints(cells, q) / mu };
}

/**
 * Fits a complexity bias into a scheme's reach: the band [lo, hi] that role
 * factor x personal complexity effect must stay in so that multiplying by the
 * bias stays reachable (for bias > 1 the heaviest workers are held below
 * reach.hi / bias, for bias < 1 the lightest above reach.lo / bias), and the
 * bias applied, which is the requested one unless even the band collapses
 * (bias beyond reach.hi / reach.lo), when it is the largest reachable.
 */
export function fitComplexityBias(reach: { lo: number; hi: number }, bias: number): { applied: number; band: { lo: number; hi: number } } {
  if (bias >= 1) {
    const applied = Math.min(bias, reach.hi / reach.lo);
    return { applied, band: { lo: reach.lo, hi: Math.max(reach.lo, reach.hi / applied) } };
  }
  const applied = Math.max(bias, reach.lo / reach.hi);
  return { applied, band: { lo: Math.min(reach.hi, reach.lo / applied), hi: reach.hi } };
}
