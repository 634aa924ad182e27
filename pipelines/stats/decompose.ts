/**
 * Classical seasonal decomposition by moving averages: a port of R's
 * `stats::decompose()` (R 4.2.2, `src/library/stats/R/decompose.R`), see
 * M. Kendall and A. Stuart (1983), The Advanced Theory of Statistics, vol. 3,
 * 410-414. Missing values are `null` (R's NA). Pure computation: no I/O.
 */

/** Additive (x = T + S + e) or multiplicative (x = T * S * e) model, as R's `type`. */
export type DecomposeType = 'additive' | 'multiplicative';

/** Result of {@link decompose}; arrays have the length of the input, `null` where R gives NA. */
export interface DecomposeResult {
  type: DecomposeType;
  period: number;
  /** Centred moving average (R `$trend`); null for the first and last floor(period/2) points. */
  trend: (number | null)[];
  /** The seasonal figure repeated along the series (R `$seasonal`). */
  seasonal: number[];
  /** x - seasonal - trend (additive) or x / seasonal / trend (multiplicative) (R `$random`). */
  random: (number | null)[];
  /** One value per position in the cycle, starting at the first observation (R `$figure`). */
  figure: number[];
}

/** Error thrown by {@link decompose} for input R's `decompose()` also refuses. */
export class DecomposeInputError extends Error {
  readonly code: 'too_short' | 'bad_period' | 'bad_filter';
  constructor(code: 'too_short' | 'bad_period' | 'bad_filter', message: string) {
    super(message);
    this.name = 'DecomposeInputError';
    this.code = code;
  }
}

const isNum = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The default decompose filter: for even period c(0.5, rep(1, period - 1), 0.5) / period
 * (the centred 2 x period moving average), for odd period rep(1, period) / period.
 */
export function centredMovingAverageFilter(period: number): number[] {
  if (period % 2 === 0) {
    return [0.5 / period, ...Array.from({ length: period - 1 }, () => 1 / period), 0.5 / period];
  }
  return Array.from({ length: period }, () => 1 / period);
}

/**
 * Two-sided convolution filter as R's `stats::filter(x, f, method = "convolution", sides = 2)`:
 * y[i] = sum_j f[j] * x[i + o - j] with o = floor(length(f) / 2); null when the window
 * runs off either end or contains a missing value. Summation order follows R's C code.
 */
export function convolutionFilter(x: readonly (number | null)[], f: readonly number[]): (number | null)[] {
  const n = x.length;
  const nf = f.length;
  const o = Math.floor(nf / 2);
  const out: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    if (i + o - (nf - 1) < 0 || i + o >= n) continue;
    let z = 0;
    let ok = true;
    for (let j = 0; j < nf; j++) {
      const v = x[i + o - j];
      if (!isNum(v)) {
        ok = false;
        break;
      }
      z += f[j] * v;
    }
    out[i] = ok ? z : null;
  }
  return out;
}

/** Mean of the non-missing values as R's `mean(x, na.rm = TRUE)` (sum / n plus one refinement pass); NaN when none. */
function meanNaRm(xs: readonly (number | null)[]): number {
  const v = xs.filter(isNum);
  const n = v.length;
  if (n === 0) return NaN;
  let s = 0;
  for (const a of v) s += a;
  s /= n;
  if (Number.isFinite(s)) {
    let t = 0;
    for (const a of v) t += a - s;
    s += t / n;
  }
  return s;
}

/**
 * Classical decomposition of a series with cycle length `period`, exactly as
 * R's `decompose(ts(x, frequency = period), type)`: trend by the centred
 * moving average (2 x period for even period), seasonal figure = mean of the
 * detrended values (x - trend or x / trend) per cycle position, centred to
 * sum 0 (additive) or mean 1 (multiplicative); random = the rest. The figure
 * is indexed by position from the first observation, as in R.
 *
 * @throws {DecomposeInputError} when period <= 1 or fewer than 2 * period
 *   non-missing values (R: "time series has no or less than 2 periods").
 */
export function decompose(
  x: readonly (number | null)[],
  period: number,
  type: DecomposeType = 'additive',
  filter?: readonly number[],
): DecomposeResult {
  if (!Number.isInteger(period) || period <= 1) {
    throw new DecomposeInputError('bad_period', `period must be an integer > 1 (got ${period})`);
  }
  const l = x.length;
  const observed = x.filter(isNum).length;
  if (observed < 2 * period) {
    throw new DecomposeInputError(
      'too_short',
      `time series has no or less than 2 periods (${observed} values, need ${2 * period})`,
    );
  }
  const f = filter ?? centredMovingAverageFilter(period);
  if (f.length === 0 || !f.every(Number.isFinite)) {
    throw new DecomposeInputError('bad_filter', 'filter must be a non-empty vector of finite numbers');
  }
  const trend = convolutionFilter(x, f);
  const season = x.map((v, i) => {
    const t = trend[i];
    if (!isNum(v) || t === null) return null;
    return type === 'additive' ? v - t : v / t;
  });

  const figure: number[] = [];
  for (let p = 0; p < period; p++) {
    const group: (number | null)[] = [];
    for (let i = p; i < l; i += period) group.push(season[i]);
    figure.push(meanNaRm(group));
  }
  // R: mean(figure) without na.rm, so a cycle position with no detrended value makes everything NaN, as in R.
  const mf = figure.some(Number.isNaN) ? NaN : meanNaRm(figure);
  const centred = type === 'additive' ? figure.map((v) => v - mf) : figure.map((v) => v / mf);

  const seasonal = x.map((_, i) => centred[i % period]);
  const random = x.map((v, i) => {
    const t = trend[i];
    if (!isNum(v) || t === null) return null;
    return type === 'additive' ? v - seasonal[i] - t : v / seasonal[i] / t;
  });
  return { type, period, trend, seasonal, random, figure: centred };
}
