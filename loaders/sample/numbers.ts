/** Small numeric helpers of the sample generator: rounding, apportioning, cumulative sums. */

/** Round to one decimal place. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** Round to two decimal places. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Split `total` into integer parts proportional to `weights` (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const raw = weights.map((w) => (w / sum) * total);
  const out = raw.map(Math.floor);
  let left = total - out.reduce((s, v) => s + v, 0);
  const order = raw.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
  return out;
}

/** Cumulative sums of probabilities (last entry forced to 1). */
export function cumulative(probs: ArrayLike<number>): Float64Array {
  const out = new Float64Array(probs.length);
  let s = 0;
  for (let i = 0; i < probs.length; i++) {
    s += probs[i];
    out[i] = s;
  }
  out[out.length - 1] = 1;
  return out;
}
