/**
 * Small, fast, seedable pseudo-random number generator for the synthetic
 * sample employer. Nothing here touches `Math.random`: every draw is a pure
 * function of the seed, so the same seed always gives the same employer.
 *
 * - Seeding: splitmix32 (Vigna's splitmix64 reduced to 32 bits, constants of
 *   the "mix32" variant used by the PractRand community) expands one 32-bit
 *   seed into the four state words.
 * - Generator: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator,
 *   PractRand), period >= 2^32, passes PractRand to 2^40+ bytes.
 * - Normal deviates: Box-Muller (Box & Muller 1958), polar-free form.
 * - Poisson: Knuth's multiplication method for small means, a rounded normal
 *   approximation above 30.
 */

/**
 * splitmix32: returns a function that yields successive 32-bit unsigned
 * integers from `seed`. Used only to seed sfc32 and to hash labels.
 */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a 32-bit hash of a string (Fowler, Noll, Vo), used to derive sub-stream seeds from labels. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A seeded sfc32 generator with the distributions the sample generator needs.
 * Instances are independent streams; `fork(label)` derives a new stream whose
 * draws do not disturb this one.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;
  private readonly seedValue: number;

  /** Seeds the four sfc32 state words from `seed` via splitmix32 and discards 15 outputs. */
  constructor(seed: number) {
    this.seedValue = seed >>> 0;
    const sm = splitmix32(this.seedValue);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = 1;
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** Next 32-bit unsigned integer (sfc32 step). */
  uint32(): number {
    const a = this.a, b = this.b, c = this.c, d = this.d;
    const t = (((a + b) >>> 0) + d) >>> 0;
    this.d = (d + 1) >>> 0;
    this.a = (b ^ (b >>> 9)) >>> 0;
    this.b = (c + (c << 3)) >>> 0;
    const cr = ((c << 21) | (c >>> 11)) >>> 0;
    this.c = (cr + t) >>> 0;
    return t;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal deviate scaled to N(mean, sd^2), Box-Muller with a cached spare. */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + sd * z;
    }
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Lognormal multiplier with mean exactly 1: exp(N(-sd^2/2, sd^2)).
   * `sd` is the standard deviation on the log scale.
   */
  lognormalMultiplier(sd: number): number {
    return Math.exp(this.normal(-0.5 * sd * sd, sd));
  }

  /** Poisson deviate with mean `lambda` (Knuth below 30, rounded normal approximation above). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Number of failures before the first success, success probability p (mean (1-p)/p). */
  geometric(p: number): number {
    if (p >= 1) return 0;
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    return Math.floor(Math.log(u) / Math.log(1 - p));
  }

  /** Binomial(n, p) by direct summation (n is small wherever this is used). */
  binomial(n: number, p: number): number {
    let k = 0;
    for (let i = 0; i < n; i++) if (this.next() < p) k++;
    return k;
  }

  /** Uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index drawn with probability proportional to the non-negative `weights`. */
  weightedIndex(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Index drawn from a cumulative distribution (last entry = 1). */
  fromCdf(cdf: ArrayLike<number>): number {
    const u = this.next();
    for (let i = 0; i < cdf.length; i++) if (u < cdf[i]) return i;
    return cdf.length - 1;
  }

  /** In-place Fisher-Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** An independent stream derived from this stream's seed and `label` (does not advance this stream). */
  fork(label: string): Rng {
    return new Rng((hashString(label) ^ Math.imul(this.seedValue, 0x9e3779b1)) >>> 0);
  }
}

/**
 * A bijection on 28-bit integers (odd multiplier mod 2^28 and xorshifts,
 * keyed by `key`), used to turn a case counter into a unique pseudonymous
 * case reference without storing the references already issued.
 */
export function permute28(x: number, key: number): number {
  const mask = 0x0fffffff;
  let v = (x ^ (key & mask)) & mask;
  v = Math.imul(v, 0x2c1b3c6d | 1) & mask;
  v ^= v >>> 14;
  v = Math.imul(v, 0x297a2d39 | 1) & mask;
  v ^= v >>> 13;
  v = (v + ((key >>> 4) & mask)) & mask;
  return v >>> 0;
}

/**
 * A stratified (low-discrepancy) stream of uniforms: the golden-ratio
 * additive recurrence u_k = frac(offset + k / phi). Successive values are
 * spread evenly over (0, 1), so the mean of any run of them is close to 1/2.
 */
export class GoldenStream {
  private k = 0;
  /** `offset` in [0, 1) rotates the sequence. */
  constructor(private readonly offset: number) {}
  /** Next uniform in (0, 1). */
  next(): number {
    const u = (this.offset + 0.6180339887498949 * ++this.k) % 1;
    return Math.min(1 - 1e-9, Math.max(1e-9, u));
  }
}

/**
 * Roberts' R2 quasirandom sequence in two dimensions (Roberts 2018, "The
 * unreasonable effectiveness of quasirandom sequences"): point k is
 * (o1 + k / g, o2 + k / g^2) mod 1 with g the plastic number, the 2-D
 * analogue of the golden-ratio sequence. Any run of consecutive points is
 * evenly spread over the unit square, so both coordinates are stratified and
 * unrelated to each other.
 */
export class R2Stream {
  private k = 0;
  private static readonly A1 = 1 / 1.324717957244746;
  private static readonly A2 = 1 / (1.324717957244746 * 1.324717957244746);
  /** `o1`, `o2` in [0, 1) rotate the sequence. */
  constructor(private readonly o1: number, private readonly o2: number) {}
  /** Next point, both coordinates in (0, 1). */
  next(): [number, number] {
    this.k++;
    const clamp = (u: number) => Math.min(1 - 1e-9, Math.max(1e-9, u));
    return [clamp((this.o1 + R2Stream.A1 * this.k) % 1), clamp((this.o2 + R2Stream.A2 * this.k) % 1)];
  }
}
