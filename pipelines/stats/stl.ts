/**
 * STL: Seasonal-Trend decomposition by Loess.
 *
 * A line-by-line port of the netlib Fortran STL as shipped with R
 * (`src/library/stats/src/stl.f`: subroutines stl, stlstp, stlss, stlfts,
 * stlma, stless, stlest, stlrwt) and of R's `stats::stl()` wrapper defaults
 * (R 4.2.2). Reference: R. B. Cleveland, W. S. Cleveland, J. E. McRae and
 * I. Terpenning (1990), "STL: A Seasonal-Trend Decomposition Procedure Based
 * on Loess", Journal of Official Statistics 6(1), 3-73.
 *
 * Porting notes (kept deliberately close to the Fortran so the numbers match
 * R to rounding error):
 * - Arrays are `Float64Array`s; Fortran's 1-based `a(i)` is `a[i - 1]` and
 *   passing `a(k)` to a subroutine is `a.subarray(k - 1)` (same memory, as in
 *   Fortran's pass-by-reference).
 * - R's stl.f was converted to double precision (B. D. Ripley, 1999): its
 *   literals are `0.999d0` and `0.001d0` (checked in the compiled R 4.2.2
 *   stats.so too), so they are plain doubles here, not single-precision
 *   `.999`/`.001` as in the original netlib source.
 * - `psort` is ported statement for statement ({@link psort}). It is NOT
 *   equivalent to sorting: stlrwt asks it for positions (n/2 + 1, n - n/2),
 *   a decreasing pair when n is even, which its index bookkeeping does not
 *   expect, so for many even n the two values it leaves there are not the two
 *   middle order statistics. R's robustness weights (and so every robust fit)
 *   depend on exactly those values.
 *
 * Pure computation: no I/O.
 */

/** Machine-readable reason why {@link stl} refused its input. */
export type StlErrorCode =
  | 'missing_values'
  | 'non_finite'
  | 'too_short'
  | 'bad_period'
  | 'bad_option';

/**
 * Error thrown by {@link stl} for input that R's `stl()` would also refuse
 * (missing values, fewer than two full periods, bad options). `code` lets a
 * caller turn it into a status message instead of crashing.
 */
export class StlInputError extends Error {
  readonly code: StlErrorCode;
  constructor(code: StlErrorCode, message: string) {
    super(message);
    this.name = 'StlInputError';
    this.code = code;
  }
}

/** Options of {@link stl}; names and defaults follow R's `stats::stl()`. */
export interface StlOptions {
  /** Seasonal loess span (odd, >= 7 recommended) or 'periodic'. R has no default; here 'periodic'. */
  sWindow?: number | 'periodic';
  /** Degree (0 or 1) of the seasonal loess. Default 0; forced to 0 when periodic. */
  sDegree?: number;
  /** Trend loess span. Default nextodd(ceiling(1.5 * period / (1 - 1.5 / sWindow))). */
  tWindow?: number;
  /** Degree (0 or 1) of the trend loess. Default 1. */
  tDegree?: number;
  /** Low-pass loess span. Default nextodd(period). */
  lWindow?: number;
  /** Degree (0 or 1) of the low-pass loess. Default tDegree. */
  lDegree?: number;
  /** Loess evaluation step of the seasonal smoother. Default ceiling(sWindow / 10). */
  sJump?: number;
  /** Loess evaluation step of the trend smoother. Default ceiling(tWindow / 10). */
  tJump?: number;
  /** Loess evaluation step of the low-pass smoother. Default ceiling(lWindow / 10). */
  lJump?: number;
  /** Use robustness iterations (only changes the defaults of inner and outer). Default false. */
  robust?: boolean;
  /** Inner-loop passes. Default 1 if robust else 2. */
  inner?: number;
  /** Outer (robustness) iterations. Default 15 if robust else 0. */
  outer?: number;
  /**
   * R refuses series with n <= 2 * period. The Fortran algorithm itself is
   * defined for n == 2 * period (every cycle-subseries has two points);
   * setting this to true accepts that one extra length. Default false (R).
   */
  allowTwoPeriods?: boolean;
}

/**
 * Parameters actually used, as R reports them in `$win`, `$deg`, `$jump`,
 * `$inner`, `$outer` (for `periodic`, R reports s.window = 10 n + 1 and
 * s.degree = 0, as here). See {@link resolveStlParams} and {@link stlParamsForR}.
 */
export interface StlParams {
  /** Length of the decomposed series. */
  n: number;
  period: number;
  /** s.window = 'periodic' was asked for: the Fortran seasonal is replaced by its cycle means. */
  periodic: boolean;
  sWindow: number;
  tWindow: number;
  lWindow: number;
  sDegree: number;
  tDegree: number;
  lDegree: number;
  sJump: number;
  tJump: number;
  lJump: number;
  inner: number;
  outer: number;
  /** R's `robust` argument (it only sets the defaults of inner and outer). */
  robust: boolean;
}

/** {@link StlParams} under R's argument names, for reproducing a fit with `stats::stl()`. */
export interface StlParamsR {
  n: number;
  period: number;
  's.window': number;
  't.window': number;
  'l.window': number;
  's.degree': number;
  't.degree': number;
  'l.degree': number;
  's.jump': number;
  't.jump': number;
  'l.jump': number;
  inner: number;
  outer: number;
  robust: boolean;
  periodic: boolean;
  /** An R call that reproduces the fit for the same n values `x`. */
  r_call: string;
}

/** Result of {@link stl}: the three components (x = seasonal + trend + remainder) and robustness weights. */
export interface StlResult {
  seasonal: number[];
  trend: number[];
  remainder: number[];
  /**
   * Robustness weights as R's `$weights`: those used in the last pass, i.e.
   * computed from the fit before it (R does not recompute them from the final
   * fit); all 1 when outer = 0.
   */
  weights: number[];
  params: StlParams;
}

/** R's internal `nextodd()` in `stl()`: round, then add 1 if even. */
function nextodd(x: number): number {
  let r = roundHalfEven(x);
  if (r % 2 === 0) r += 1;
  return r;
}

/** R's `round(x)` (IEC 60559 round half to even). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Fortran `stlest`: loess estimate at abscissa `xs` from points
 * nleft..nright of y (tricube weights times optional robustness weights,
 * local constant or local linear). Returns undefined when all weights vanish
 * (Fortran `ok = .false.`). `w` is scratch of length >= nright.
 */
function stlest(
  y: Float64Array,
  n: number,
  len: number,
  ideg: number,
  xs: number,
  nleft: number,
  nright: number,
  w: Float64Array,
  userw: boolean,
  rw: Float64Array,
): number | undefined {
  const range = n - 1;
  let h = Math.max(xs - nleft, nright - xs);
  if (len > n) h += Math.trunc((len - n) / 2);
  const h9 = 0.999 * h;
  const h1 = 0.001 * h;
  let a = 0;
  for (let j = nleft; j <= nright; j++) {
    const r = Math.abs(j - xs);
    if (r <= h9) {
      if (r <= h1) {
        w[j - 1] = 1;
      } else {
        const q = r / h;
        const t = 1 - q * q * q;
        w[j - 1] = t * t * t;
      }
      if (userw) w[j - 1] = rw[j - 1] * w[j - 1];
      a += w[j - 1];
    } else {
      w[j - 1] = 0;
    }
  }
  if (a <= 0) return undefined;
  for (let j = nleft; j <= nright; j++) w[j - 1] = w[j - 1] / a;
  if (h > 0 && ideg > 0) {
    a = 0;
    for (let j = nleft; j <= nright; j++) a += w[j - 1] * j;
    let b = xs - a;
    let c = 0;
    for (let j = nleft; j <= nright; j++) c += w[j - 1] * ((j - a) * (j - a)); // Fortran: w(j)*(dble(j)-a)**2
    if (Math.sqrt(c) > 0.001 * range) {
      b = b / c;
      for (let j = nleft; j <= nright; j++) w[j - 1] = w[j - 1] * (b * (j - a) + 1.0);
    }
  }
  let ys = 0;
  for (let j = nleft; j <= nright; j++) ys += w[j - 1] * y[j - 1];
  return ys;
}

/**
 * Fortran `stless`: loess smooth of y(1..n) with span `len`, evaluated every
 * `njump` points and linearly interpolated in between. Output in ys; res is scratch.
 */
function stless(
  y: Float64Array,
  n: number,
  len: number,
  ideg: number,
  njump: number,
  userw: boolean,
  rw: Float64Array,
  ys: Float64Array,
  res: Float64Array,
): void {
  if (n < 2) {
    ys[0] = y[0];
    return;
  }
  const newnj = Math.min(njump, n - 1);
  let nleft = 0;
  let nright = 0;
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (let i = 1; i <= n; i += newnj) {
      const v = stlest(y, n, len, ideg, i, nleft, nright, res, userw, rw);
      ys[i - 1] = v === undefined ? y[i - 1] : v;
    }
  } else if (newnj === 1) {
    const nsh = Math.trunc((len + 1) / 2);
    nleft = 1;
    nright = len;
    for (let i = 1; i <= n; i++) {
      if (i > nsh && nright !== n) {
        nleft += 1;
        nright += 1;
      }
      const v = stlest(y, n, len, ideg, i, nleft, nright, res, userw, rw);
      ys[i - 1] = v === undefined ? y[i - 1] : v;
    }
  } else {
    const nsh = Math.trunc((len + 1) / 2);
    for (let i = 1; i <= n; i += newnj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      const v = stlest(y, n, len, ideg, i, nleft, nright, res, userw, rw);
      ys[i - 1] = v === undefined ? y[i - 1] : v;
    }
  }
  if (newnj !== 1) {
    for (let i = 1; i <= n - newnj; i += newnj) {
      const delta = (ys[i + newnj - 1] - ys[i - 1]) / newnj;
      for (let j = i + 1; j <= i + newnj - 1; j++) ys[j - 1] = ys[i - 1] + delta * (j - i);
    }
    const k = Math.trunc((n - 1) / newnj) * newnj + 1;
    if (k !== n) {
      const v = stlest(y, n, len, ideg, n, nleft, nright, res, userw, rw);
      ys[n - 1] = v === undefined ? y[n - 1] : v;
      if (k !== n - 1) {
        const delta = (ys[n - 1] - ys[k - 1]) / (n - k);
        for (let j = k + 1; j <= n - 1; j++) ys[j - 1] = ys[k - 1] + delta * (j - k);
      }
    }
  }
}

/** Fortran `stlma`: moving average of length `len` over x(1..n), n - len + 1 outputs. */
function stlma(x: Float64Array, n: number, len: number, ave: Float64Array): void {
  const newn = n - len + 1;
  const flen = len;
  let v = 0;
  for (let i = 1; i <= len; i++) v += x[i - 1];
  ave[0] = v / flen;
  if (newn > 1) {
    let k = len;
    let m = 0;
    for (let j = 2; j <= newn; j++) {
      k += 1;
      m += 1;
      v = v - x[m - 1] + x[k - 1];
      ave[j - 1] = v / flen;
    }
  }
}

/** Fortran `stlfts`: the low-pass filter MA(np) o MA(np) o MA(3). */
function stlfts(x: Float64Array, n: number, np: number, trend: Float64Array, work: Float64Array): void {
  stlma(x, n, np, trend);
  stlma(trend, n - np + 1, np, work);
  stlma(work, n - 2 * np + 2, 3, trend);
}

/**
 * Fortran `stlss`: smooth each cycle-subseries with loess and extrapolate one
 * point at each end; result (length n + 2*np) in `season`.
 */
function stlss(
  y: Float64Array,
  n: number,
  np: number,
  ns: number,
  isdeg: number,
  nsjump: number,
  userw: boolean,
  rw: Float64Array,
  season: Float64Array,
  work1: Float64Array,
  work2: Float64Array,
  work3: Float64Array,
  work4: Float64Array,
): void {
  if (np < 1) return;
  for (let j = 1; j <= np; j++) {
    const k = Math.trunc((n - j) / np) + 1;
    for (let i = 1; i <= k; i++) work1[i - 1] = y[(i - 1) * np + j - 1];
    if (userw) {
      for (let i = 1; i <= k; i++) work3[i - 1] = rw[(i - 1) * np + j - 1];
    }
    stless(work1, k, ns, isdeg, nsjump, userw, work3, work2.subarray(1), work4);
    const nright = Math.min(ns, k);
    const first = stlest(work1, k, ns, isdeg, 0, 1, nright, work4, userw, work3);
    work2[0] = first === undefined ? work2[1] : first;
    const nleft = Math.max(1, k - ns + 1);
    const last = stlest(work1, k, ns, isdeg, k + 1, nleft, k, work4, userw, work3);
    work2[k + 1] = last === undefined ? work2[k] : last;
    for (let m = 1; m <= k + 2; m++) season[(m - 1) * np + j - 1] = work2[m - 1];
  }
}

/** Fortran `stlstp`: `ni` passes of the STL inner loop, updating season and trend in place. */
function stlstp(
  y: Float64Array,
  n: number,
  np: number,
  ns: number,
  nt: number,
  nl: number,
  isdeg: number,
  itdeg: number,
  ildeg: number,
  nsjump: number,
  ntjump: number,
  nljump: number,
  ni: number,
  userw: boolean,
  rw: Float64Array,
  season: Float64Array,
  trend: Float64Array,
  work: Float64Array[],
): void {
  const [w1, w2, w3, w4, w5] = work;
  for (let j = 1; j <= ni; j++) {
    for (let i = 0; i < n; i++) w1[i] = y[i] - trend[i];
    stlss(w1, n, np, ns, isdeg, nsjump, userw, rw, w2, w3, w4, w5, season);
    stlfts(w2, n + 2 * np, np, w3, w1);
    stless(w3, n, nl, ildeg, nljump, false, w4, w1, w5);
    for (let i = 0; i < n; i++) season[i] = w2[np + i] - w1[i];
    for (let i = 0; i < n; i++) w1[i] = y[i] - season[i];
    stless(w1, n, nt, itdeg, ntjump, userw, rw, trend, w3);
  }
}

/**
 * Fortran `psort` (R's stl.f): Singleton-style partial quicksort that is
 * only meant to put the order statistics `ind(1..ni)` of a(1..n) in place.
 * Ported goto for goto, because the result is NOT always a correct partial
 * sort: the bookkeeping of which indices lie in which sub-array assumes `ind`
 * is increasing, while stlrwt passes mid = (n/2 + 1, n - n/2) which is
 * decreasing for even n. R's "median" in stlrwt is whatever this leaves in
 * a(mid(1)) and a(mid(2)), so it must be reproduced exactly (a full sort gives
 * a different, correct median and different robustness weights).
 * `a` is modified in place; `ind` holds 1-based positions.
 */
export function psort(a: Float64Array, n: number, ind: readonly number[], ni: number): void {
  if (n < 0 || ni < 0) return;
  if (n < 2 || ni === 0) return;
  const A = (x: number): number => a[x - 1];
  const S = (x: number, v: number): void => {
    a[x - 1] = v;
  };
  const IND = (x: number): number => ind[x - 1];
  const indu = new Int32Array(17);
  const indl = new Int32Array(17);
  const iu = new Int32Array(17);
  const il = new Int32Array(17);
  let p = 0;
  let k = 0;
  let ij = 0;
  let l = 0;
  let t = 0;
  let tt = 0;
  let jl = 1;
  let ju = ni;
  indl[1] = 1;
  indu[1] = ni;
  let i = 1;
  let j = n;
  let m = 1;
  let label = 161;
  for (;;) {
    switch (label) {
      case 161: // outer loop
        label = i < j ? 10 : 166;
        break;
      case 166:
        m = m - 1;
        if (m === 0) return;
        i = il[m];
        j = iu[m];
        jl = indl[m];
        ju = indu[m];
        label = jl <= ju ? 173 : 166;
        break;
      case 173: // while (j - i > 10)
        label = j - i > 10 ? 10 : 174;
        break;
      case 10:
        k = i;
        ij = Math.trunc((i + j) / 2);
        t = A(ij);
        if (A(i) > t) {
          S(ij, A(i));
          S(i, t);
          t = A(ij);
        }
        l = j;
        if (A(j) < t) {
          S(ij, A(j));
          S(j, t);
          t = A(ij);
          if (A(i) > t) {
            S(ij, A(i));
            S(i, t);
            t = A(ij);
          }
        }
        label = 181;
        break;
      case 181:
        l = l - 1;
        if (A(l) <= t) {
          tt = A(l);
          do {
            k = k + 1;
          } while (!(A(k) >= t));
          if (k > l) {
            label = 183;
            break;
          }
          S(l, A(k));
          S(k, tt);
        }
        label = 181;
        break;
      case 183:
        indl[m] = jl;
        indu[m] = ju;
        p = m;
        m = m + 1;
        label = 173;
        if (l - i <= j - k) {
          il[p] = k;
          iu[p] = j;
          j = l;
          for (;;) {
            if (jl > ju) {
              label = 166;
              break;
            }
            if (IND(ju) > j) {
              ju = ju - 1;
              continue;
            }
            break;
          }
          if (label === 166) break;
          indl[p] = ju + 1;
        } else {
          il[p] = i;
          iu[p] = l;
          i = k;
          for (;;) {
            if (jl > ju) {
              label = 166;
              break;
            }
            if (IND(jl) < i) {
              jl = jl + 1;
              continue;
            }
            break;
          }
          if (label === 166) break;
          indu[p] = jl - 1;
        }
        break;
      case 174:
        label = 161;
        if (i !== 1) {
          i = i - 1;
          for (;;) {
            i = i + 1;
            if (i === j) {
              label = 166;
              break;
            }
            t = A(i + 1);
            if (A(i) > t) {
              k = i;
              do {
                S(k + 1, A(k));
                k = k - 1;
              } while (!(t >= A(k)));
              S(k + 1, t);
            }
          }
        }
        break;
      default:
        throw new Error(`psort: bad label ${label}`);
    }
  }
}

/**
 * Fortran `stlrwt`: Tukey biweight robustness weights B(|y - fit| / (6 M)),
 * where M is meant to be the median absolute residual: the mean of the values
 * that R's {@link psort} leaves at positions n/2 + 1 and n - n/2 (1-based).
 */
function stlrwt(y: Float64Array, n: number, fit: Float64Array, rw: Float64Array): void {
  for (let i = 0; i < n; i++) rw[i] = Math.abs(y[i] - fit[i]);
  const mid1 = Math.trunc(n / 2) + 1;
  const mid2 = n - mid1 + 1;
  psort(rw, n, [mid1, mid2], 2);
  const cmad = 3.0 * (rw[mid1 - 1] + rw[mid2 - 1]);
  const c9 = 0.999 * cmad;
  const c1 = 0.001 * cmad;
  for (let i = 0; i < n; i++) {
    const r = Math.abs(y[i] - fit[i]);
    if (r <= c1) {
      rw[i] = 1;
    } else if (r <= c9) {
      const u = r / cmad;
      const t = 1 - u * u;
      rw[i] = t * t;
    } else {
      rw[i] = 0;
    }
  }
}

/**
 * Fortran `stl` driver: odd-ifies spans (at least 3), runs the inner loop
 * once plus `no` robustness iterations. Returns season, trend and weights.
 */
function stlDriver(
  y: Float64Array,
  np: number,
  ns: number,
  nt: number,
  nl: number,
  isdeg: number,
  itdeg: number,
  ildeg: number,
  nsjump: number,
  ntjump: number,
  nljump: number,
  ni: number,
  no: number,
): { season: Float64Array; trend: Float64Array; rw: Float64Array } {
  const n = y.length;
  const trend = new Float64Array(n);
  const season = new Float64Array(n);
  const rw = new Float64Array(n);
  const work = Array.from({ length: 5 }, () => new Float64Array(n + 2 * np));
  let newns = Math.max(3, ns);
  let newnt = Math.max(3, nt);
  let newnl = Math.max(3, nl);
  if (newns % 2 === 0) newns += 1;
  if (newnt % 2 === 0) newnt += 1;
  if (newnl % 2 === 0) newnl += 1;
  const newnp = Math.max(2, np);
  let userw = false;
  let k = 0;
  for (;;) {
    stlstp(y, n, newnp, newns, newnt, newnl, isdeg, itdeg, ildeg, nsjump, ntjump, nljump, ni, userw, rw, season, trend, work);
    k += 1;
    if (k > no) break;
    const fit = work[0];
    for (let i = 0; i < n; i++) fit[i] = trend[i] + season[i];
    stlrwt(y, n, fit, rw);
    userw = true;
  }
  if (no <= 0) rw.fill(1);
  return { season, trend, rw };
}

function checkDegree(name: string, deg: number): number {
  const d = Math.trunc(deg);
  if (!Number.isFinite(deg) || d < 0 || d > 1) {
    throw new StlInputError('bad_option', `${name} must be 0 or 1`);
  }
  return d;
}

function checkPositiveInt(name: string, v: number, min: number): number {
  if (!Number.isFinite(v) || Math.trunc(v) < min) {
    throw new StlInputError('bad_option', `${name} must be a number >= ${min}`);
  }
  return Math.trunc(v);
}

/** Mean as R's `mean.default` computes it (sum / n, then one refinement pass). */
function rMean(xs: number[]): number {
  const n = xs.length;
  let s = 0;
  for (const v of xs) s += v;
  s /= n;
  if (Number.isFinite(s)) {
    let t = 0;
    for (const v of xs) t += v - s;
    s += t / n;
  }
  return s;
}

/**
 * The parameters R's `stats::stl()` would use for a series of length `n`
 * with cycle length `period` and these options: the same defaults
 * (t.window = nextodd(ceiling(1.5 period / (1 - 1.5 / s.window))),
 * l.window = nextodd(period), l.degree = t.degree, jumps ceiling(window / 10),
 * inner = robust ? 1 : 2, outer = robust ? 15 : 0) and, for 'periodic',
 * s.window = 10 n + 1 and s.degree = 0. Windows are reported as given (as R
 * does); the Fortran raises them to at least 3 and to the next odd number.
 *
 * @throws {StlInputError} 'bad_period' or 'bad_option' for invalid input
 *   (the length itself is not checked here).
 */
export function resolveStlParams(n: number, period: number, opts: StlOptions = {}): StlParams {
  if (!Number.isFinite(period) || Math.trunc(period) < 2) {
    throw new StlInputError('bad_period', `period must be an integer >= 2 (got ${period})`);
  }
  const np = Math.trunc(period);
  const sw = opts.sWindow ?? 'periodic';
  let periodic = false;
  let sWindow: number;
  let sDegree = opts.sDegree ?? 0;
  if (sw === 'periodic') {
    periodic = true;
    sWindow = 10 * n + 1;
    sDegree = 0;
  } else {
    if (typeof sw !== 'number' || !Number.isFinite(sw)) {
      throw new StlInputError('bad_option', `sWindow must be a number or 'periodic'`);
    }
    sWindow = sw;
  }
  sDegree = checkDegree('sDegree', sDegree);
  const tDegree = checkDegree('tDegree', opts.tDegree ?? 1);
  const lDegree = checkDegree('lDegree', opts.lDegree ?? tDegree);
  const tWindow = opts.tWindow ?? nextodd(Math.ceil((1.5 * np) / (1 - 1.5 / sWindow)));
  const lWindow = opts.lWindow ?? nextodd(np);
  const sJump = opts.sJump ?? Math.ceil(sWindow / 10);
  const tJump = opts.tJump ?? Math.ceil(tWindow / 10);
  const lJump = opts.lJump ?? Math.ceil(lWindow / 10);
  const robust = opts.robust ?? false;
  const inner = opts.inner ?? (robust ? 1 : 2);
  const outer = opts.outer ?? (robust ? 15 : 0);

  checkPositiveInt('sWindow', sWindow, 1);
  checkPositiveInt('tWindow', tWindow, 1);
  checkPositiveInt('lWindow', lWindow, 1);
  checkPositiveInt('sJump', sJump, 1);
  checkPositiveInt('tJump', tJump, 1);
  checkPositiveInt('lJump', lJump, 1);
  return {
    n,
    period: np,
    periodic,
    sWindow,
    tWindow,
    lWindow,
    sDegree,
    tDegree,
    lDegree,
    sJump,
    tJump,
    lJump,
    inner: checkPositiveInt('inner', inner, 1),
    outer: checkPositiveInt('outer', outer, 0),
    robust,
  };
}

/**
 * {@link StlParams} under R's names (s.window, t.window, ...) plus an R call
 * that reproduces the fit: `stl(ts(x, frequency = period), s.window = ...)`.
 * For a periodic fit the call says s.window = "periodic" (R then uses
 * 10 n + 1 and degree 0 itself and averages the seasonal per cycle position);
 * 's.window' holds the number R reports in `$win`.
 */
export function stlParamsForR(p: StlParams): StlParamsR {
  const args = [
    `s.window = ${p.periodic ? '"periodic"' : p.sWindow}`,
    `s.degree = ${p.sDegree}`,
    `t.window = ${p.tWindow}`,
    `t.degree = ${p.tDegree}`,
    `l.window = ${p.lWindow}`,
    `l.degree = ${p.lDegree}`,
    `s.jump = ${p.sJump}`,
    `t.jump = ${p.tJump}`,
    `l.jump = ${p.lJump}`,
    `robust = ${p.robust ? 'TRUE' : 'FALSE'}`,
    `inner = ${p.inner}`,
    `outer = ${p.outer}`,
  ];
  return {
    n: p.n,
    period: p.period,
    's.window': p.sWindow,
    't.window': p.tWindow,
    'l.window': p.lWindow,
    's.degree': p.sDegree,
    't.degree': p.tDegree,
    'l.degree': p.lDegree,
    's.jump': p.sJump,
    't.jump': p.tJump,
    'l.jump': p.lJump,
    inner: p.inner,
    outer: p.outer,
    robust: p.robust,
    periodic: p.periodic,
    r_call: `stl(ts(x, frequency = ${p.period}), ${args.join(', ')})`,
  };
}

/**
 * Seasonal-trend decomposition of `x` (no missing values) with cycle length
 * `period`, reproducing R's `stats::stl(ts(x, frequency = period), ...)`:
 * same defaults ({@link resolveStlParams}), same Fortran algorithm, and for
 * `sWindow: 'periodic'` the same post-processing (s.window = 10 n + 1,
 * s.degree = 0, then the seasonal component replaced by its mean per cycle
 * position). Position i (0-based) belongs to cycle position i mod period.
 *
 * @throws {StlInputError} for missing or non-finite values (R: na.fail),
 *   period < 2 or n <= 2 * period (R: "series is not periodic or has less
 *   than two periods"), or invalid options.
 */
export function stl(x: readonly (number | null | undefined)[], period: number, opts: StlOptions = {}): StlResult {
  if (!Number.isFinite(period) || Math.trunc(period) < 2) {
    throw new StlInputError('bad_period', `period must be an integer >= 2 (got ${period})`);
  }
  const np = Math.trunc(period);
  const n = x.length;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === null || v === undefined || Number.isNaN(v)) {
      throw new StlInputError('missing_values', `STL needs a complete series: value at position ${i} is missing`);
    }
    if (!Number.isFinite(v)) {
      throw new StlInputError('non_finite', `STL needs finite values: value at position ${i} is ${v}`);
    }
    y[i] = v;
  }
  const tooShort = opts.allowTwoPeriods ? n < 2 * np : n <= 2 * np;
  if (tooShort) {
    throw new StlInputError(
      'too_short',
      `series is not periodic or has less than two periods (n = ${n}, period = ${np}; need n ${opts.allowTwoPeriods ? '>=' : '>'} ${2 * np})`,
    );
  }

  const params = resolveStlParams(n, np, opts);
  // R passes as.integer(window), as.integer(jump), ... to the Fortran
  const z = stlDriver(
    y,
    np,
    Math.trunc(params.sWindow),
    Math.trunc(params.tWindow),
    Math.trunc(params.lWindow),
    params.sDegree,
    params.tDegree,
    params.lDegree,
    Math.trunc(params.sJump),
    Math.trunc(params.tJump),
    Math.trunc(params.lJump),
    params.inner,
    params.outer,
  );

  let seasonal = Array.from(z.season);
  if (params.periodic) seasonal = cycleMeans(seasonal, np);
  const trend = Array.from(z.trend);
  const remainder = seasonal.map((s, i) => y[i] - s - trend[i]);
  return { seasonal, trend, remainder, weights: Array.from(z.rw), params };
}

/** R's `tapply(s, cycle(x), mean)[cycle(x)]`: replace each value by the mean of its cycle position. */
function cycleMeans(s: number[], np: number): number[] {
  const means: number[] = [];
  for (let p = 0; p < np; p++) {
    const group: number[] = [];
    for (let i = p; i < s.length; i += np) group.push(s[i]);
    means.push(rMean(group));
  }
  return s.map((_, i) => means[i % np]);
}
