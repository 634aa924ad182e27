/**
 * Peak and trough finding with the semantics of `scipy.signal.find_peaks`
 * (scipy 1.17), including `peak_prominences` and `peak_widths`.
 *
 * Pure TypeScript, no I/O. Indices are 0-based. The first and last sample are
 * never peaks (scipy needs a neighbour on both sides).
 *
 * Missing values: scipy silently mis-handles NaN (every comparison is false);
 * here any non-finite value is rejected with a {@link NonFiniteInputError}
 * naming the first offending index. Callers are expected to pass complete
 * series (or split a series at gaps) and to turn the error into a status.
 *
 * Reference: scipy/signal/_peak_finding.py and _peak_finding_utils.pyx
 * (`_local_maxima_1d`, `_select_by_peak_distance`, `_peak_prominences`,
 * `_peak_widths`).
 */

/** Thrown when a series holds NaN, Infinity, null or a non-number. */
export class NonFiniteInputError extends RangeError {
  /** 0-based index of the first non-finite value. */
  readonly index: number;
  constructor(index: number, what = "series") {
    super(`${what} has a missing or non-finite value at index ${index}`);
    this.name = "NonFiniteInputError";
    this.index = index;
  }
}

/**
 * Throws {@link NonFiniteInputError} unless every element is a finite number.
 * Shared by the peaks, change-point and SPC modules.
 */
export function assertFiniteSeries(x: readonly unknown[], what = "series"): asserts x is readonly number[] {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new NonFiniteInputError(i, what);
  }
}

/**
 * A scipy "condition": a lower bound alone (`number`) or an interval
 * `[min, max]` where either end may be `null` (open).
 */
export type Condition = number | readonly [number | null, number | null];

/** Options of {@link findPeaks}; names follow scipy's keyword arguments. */
export interface FindPeaksOptions {
  /** Required peak height `x[peak]`. */
  height?: Condition;
  /** Required vertical distance to both direct neighbours. */
  threshold?: Condition;
  /** Minimal horizontal distance (>= 1, rounded up) between kept peaks; higher peaks win. */
  distance?: number;
  /** Required prominence. */
  prominence?: Condition;
  /** Required width at `relHeight` of the prominence (computing widths is O(n) per peak). */
  width?: Condition;
  /** Window length for prominences (scipy `wlen`); must be > 1, floats are rounded up. */
  wlen?: number;
  /** Relative height at which widths are measured (scipy `rel_height`, default 0.5). */
  relHeight?: number;
  /** Required number of samples of a flat top. */
  plateauSize?: Condition;
}

/**
 * Properties of the returned peaks (each array aligned with `peaks`). The
 * plateau edges and sizes are always returned (scipy returns them only when
 * `plateau_size` is given); the others appear when the matching option is set,
 * as in scipy (prominences also when `width` is set).
 */
export interface PeakProperties {
  plateauSizes: number[];
  leftEdges: number[];
  rightEdges: number[];
  peakHeights?: number[];
  leftThresholds?: number[];
  rightThresholds?: number[];
  prominences?: number[];
  leftBases?: number[];
  rightBases?: number[];
  widths?: number[];
  widthHeights?: number[];
  leftIps?: number[];
  rightIps?: number[];
}

/** Result of {@link findPeaks} / {@link findTroughs}. */
export interface PeaksResult {
  peaks: number[];
  properties: PeakProperties;
}

/** Local maxima with their plateau edges (scipy `_local_maxima_1d`). */
export interface LocalMaxima {
  midpoints: number[];
  leftEdges: number[];
  rightEdges: number[];
}

/**
 * Finds all local maxima, including flat plateaus, as scipy's
 * `_local_maxima_1d`: a plateau counts when the samples either side are both
 * lower; its peak is the middle sample `floor((left + right) / 2)`. Plateaus
 * touching the first or last sample are not maxima.
 */
export function localMaxima(x: readonly number[]): LocalMaxima {
  const midpoints: number[] = [];
  const leftEdges: number[] = [];
  const rightEdges: number[] = [];
  const iMax = x.length - 1;
  let i = 1;
  while (i < iMax) {
    if (x[i - 1] < x[i]) {
      let ahead = i + 1;
      while (ahead < iMax && x[ahead] === x[i]) ahead++;
      if (x[ahead] < x[i]) {
        leftEdges.push(i);
        rightEdges.push(ahead - 1);
        midpoints.push(Math.floor((i + ahead - 1) / 2));
        i = ahead;
      }
    }
    i++;
  }
  return { midpoints, leftEdges, rightEdges };
}

/** Splits a {@link Condition} into `[min, max]` (scipy `_unpack_condition_args`). */
function unpackCondition(c: Condition): [number | null, number | null] {
  if (typeof c === "number") return [c, null];
  return [c[0], c[1]];
}

/** Boolean mask `min <= v <= max` (scipy `_select_by_property`). */
function selectByProperty(values: readonly number[], c: Condition): boolean[] {
  const [lo, hi] = unpackCondition(c);
  return values.map((v) => (lo === null || lo <= v) && (hi === null || v <= hi));
}

/**
 * Marks the peaks to keep so that kept peaks are at least `distance` samples
 * apart, visiting peaks from highest to lowest priority (scipy
 * `_select_by_peak_distance`). Ties in priority: the later peak is visited first
 * (a stable ascending sort visited backwards). scipy uses numpy's default,
 * unstable `argsort`, so for peaks of exactly equal height it may pick the
 * other one (in practice it agrees for small arrays).
 */
export function selectByPeakDistance(peaks: readonly number[], priority: readonly number[], distance: number): boolean[] {
  const d = Math.ceil(distance);
  const n = peaks.length;
  const keep = new Array<boolean>(n).fill(true);
  const order = peaks.map((_, i) => i).sort((a, b) => priority[a] - priority[b] || a - b);
  for (let r = n - 1; r >= 0; r--) {
    const j = order[r];
    if (!keep[j]) continue;
    for (let k = j - 1; k >= 0 && peaks[j] - peaks[k] < d; k--) keep[k] = false;
    for (let k = j + 1; k < n && peaks[k] - peaks[j] < d; k++) keep[k] = false;
  }
  return keep;
}

/** Normalises `wlen` as scipy `_arg_wlen_as_expected`: undefined -> -1, else ceil, must exceed 1. */
function normaliseWlen(wlen: number | undefined): number {
  if (wlen === undefined) return -1;
  if (!(wlen > 1)) throw new RangeError(`wlen must be larger than 1, was ${wlen}`);
  return Math.ceil(wlen);
}

/** Prominences and their bases for each peak. */
export interface Prominences {
  prominences: number[];
  leftBases: number[];
  rightBases: number[];
}

/**
 * Topographic prominence of each peak (scipy `peak_prominences`): from the peak
 * walk left and right until a higher sample (or the window/series end) and take
 * the lowest sample on each side; prominence = height minus the higher of the
 * two minima. With `wlen` the search is limited to `peak +/- floor(wlen/2)`.
 * Bases are the positions of those minima (first occurrence nearest the peak).
 */
export function peakProminences(x: readonly number[], peaks: readonly number[], wlen?: number): Prominences {
  const w = normaliseWlen(wlen);
  const prominences: number[] = [];
  const leftBases: number[] = [];
  const rightBases: number[] = [];
  for (const peak of peaks) {
    if (!Number.isInteger(peak) || peak < 0 || peak >= x.length) throw new RangeError(`peak ${peak} is not a valid index`);
    let iMin = 0;
    let iMax = x.length - 1;
    if (w >= 2) {
      iMin = Math.max(peak - Math.floor(w / 2), iMin);
      iMax = Math.min(peak + Math.floor(w / 2), iMax);
    }
    let leftBase = peak;
    let leftMin = x[peak];
    for (let i = peak; iMin <= i && x[i] <= x[peak]; i--) {
      if (x[i] < leftMin) {
        leftMin = x[i];
        leftBase = i;
      }
    }
    let rightBase = peak;
    let rightMin = x[peak];
    for (let i = peak; i <= iMax && x[i] <= x[peak]; i++) {
      if (x[i] < rightMin) {
        rightMin = x[i];
        rightBase = i;
      }
    }
    prominences.push(x[peak] - Math.max(leftMin, rightMin));
    leftBases.push(leftBase);
    rightBases.push(rightBase);
  }
  return { prominences, leftBases, rightBases };
}

/** Widths of peaks with their interpolated crossing positions. */
export interface PeakWidths {
  widths: number[];
  widthHeights: number[];
  leftIps: number[];
  rightIps: number[];
}

/**
 * Width of each peak at `x[peak] - relHeight * prominence` (scipy
 * `peak_widths`), searching no further than the prominence bases and
 * interpolating linearly between samples.
 */
export function peakWidths(
  x: readonly number[],
  peaks: readonly number[],
  relHeight: number,
  prom: Prominences,
): PeakWidths {
  if (!(relHeight >= 0)) throw new RangeError("relHeight must be greater or equal to 0");
  const out: PeakWidths = { widths: [], widthHeights: [], leftIps: [], rightIps: [] };
  peaks.forEach((peak, p) => {
    const iMin = prom.leftBases[p];
    const iMax = prom.rightBases[p];
    const height = x[peak] - prom.prominences[p] * relHeight;
    let i = peak;
    while (iMin < i && height < x[i]) i--;
    let leftIp = i;
    if (x[i] < height) leftIp += (height - x[i]) / (x[i + 1] - x[i]);
    i = peak;
    while (i < iMax && height < x[i]) i++;
    let rightIp = i;
    if (x[i] < height) rightIp -= (height - x[i]) / (x[i - 1] - x[i]);
    out.widths.push(rightIp - leftIp);
    out.widthHeights.push(height);
    out.leftIps.push(leftIp);
    out.rightIps.push(rightIp);
  });
  return out;
}

/** Keeps the entries of every property array (and `peaks`) where `keep` is true. */
function applyMask(peaks: number[], props: PeakProperties, keep: readonly boolean[]): number[] {
  const record = props as unknown as Record<string, number[] | undefined>;
  for (const key of Object.keys(record)) {
    const arr = record[key];
    if (arr) record[key] = arr.filter((_, i) => keep[i]);
  }
  return peaks.filter((_, i) => keep[i]);
}

/**
 * Finds peaks as `scipy.signal.find_peaks(x, height, threshold, distance,
 * prominence, width, wlen, rel_height, plateau_size)`. Filters apply in scipy's
 * order: plateau size, height, threshold, distance, prominence, width.
 *
 * @throws NonFiniteInputError on NaN/Infinity/null; RangeError on bad options.
 */
export function findPeaks(x: readonly number[], opts: FindPeaksOptions = {}): PeaksResult {
  assertFiniteSeries(x);
  if (opts.distance !== undefined && !(opts.distance >= 1)) {
    throw new RangeError("distance must be greater or equal to 1");
  }
  const lm = localMaxima(x);
  let peaks = lm.midpoints;
  const properties: PeakProperties = {
    plateauSizes: lm.leftEdges.map((l, i) => lm.rightEdges[i] - l + 1),
    leftEdges: lm.leftEdges,
    rightEdges: lm.rightEdges,
  };

  if (opts.plateauSize !== undefined) {
    peaks = applyMask(peaks, properties, selectByProperty(properties.plateauSizes, opts.plateauSize));
  }
  if (opts.height !== undefined) {
    properties.peakHeights = peaks.map((p) => x[p]);
    peaks = applyMask(peaks, properties, selectByProperty(properties.peakHeights, opts.height));
  }
  if (opts.threshold !== undefined) {
    const [tmin, tmax] = unpackCondition(opts.threshold);
    properties.leftThresholds = peaks.map((p) => x[p] - x[p - 1]);
    properties.rightThresholds = peaks.map((p) => x[p] - x[p + 1]);
    const lt = properties.leftThresholds;
    const rt = properties.rightThresholds;
    const keep = peaks.map(
      (_, i) =>
        (tmin === null || tmin <= Math.min(lt[i], rt[i])) && (tmax === null || Math.max(lt[i], rt[i]) <= tmax),
    );
    peaks = applyMask(peaks, properties, keep);
  }
  if (opts.distance !== undefined) {
    const keep = selectByPeakDistance(
      peaks,
      peaks.map((p) => x[p]),
      opts.distance,
    );
    peaks = applyMask(peaks, properties, keep);
  }
  if (opts.prominence !== undefined || opts.width !== undefined) {
    Object.assign(properties, peakProminences(x, peaks, opts.wlen));
  }
  if (opts.prominence !== undefined) {
    peaks = applyMask(peaks, properties, selectByProperty(properties.prominences!, opts.prominence));
  }
  if (opts.width !== undefined) {
    const prom: Prominences = {
      prominences: properties.prominences!,
      leftBases: properties.leftBases!,
      rightBases: properties.rightBases!,
    };
    Object.assign(properties, peakWidths(x, peaks, opts.relHeight ?? 0.5, prom));
    peaks = applyMask(peaks, properties, selectByProperty(properties.widths!, opts.width));
  }
  return { peaks, properties };
}

/**
 * Finds troughs as the peaks of `-x` (`find_peaks(-x, ...)`): every option is
 * applied to the negated series, so `height: h` keeps troughs with
 * `x <= -h` and `prominence`/`threshold`/`width` measure depth. Reported
 * prominences and thresholds are therefore positive depths; `peakHeights` and
 * `widthHeights` are mapped back to the original scale (values of `x`).
 */
export function findTroughs(x: readonly number[], opts: FindPeaksOptions = {}): PeaksResult {
  assertFiniteSeries(x);
  const res = findPeaks(
    x.map((v) => -v),
    opts,
  );
  const p = res.properties;
  if (p.peakHeights) p.peakHeights = p.peakHeights.map((v) => -v);
  if (p.widthHeights) p.widthHeights = p.widthHeights.map((v) => -v);
  return res;
}
