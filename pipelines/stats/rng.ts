/**
 * A small seeded pseudo-random number generator for resampling (bootstrap
 * and permutation tests in the fairness audit).
 *
 * - Generator: xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear
 *   pseudorandom number generators", ACM TOMS 2021; reference C code at
 *   https://prng.di.unimi.it/xoshiro128starstar.c), 128-bit state, 32-bit
 *   outputs, period 2^128 - 1.
 * - Seeding: the four state words are the first four outputs of splitmix32
 *   (a Weyl sequence with increment 0x9e3779b9 passed through the MurmurHash3
 *   32-bit finaliser), as the xoshiro authors recommend for filling the state
 *   from a single seed. The all-zero state cannot arise in practice; it is
 *   guarded anyway.
 * - String seeds are hashed with 32-bit FNV-1a, so that a test can derive an
 *   independent stream from (run seed, scope, measure, group) and get the
 *   same numbers whatever order the tests run in.
 *
 * Pure TypeScript with `Math.imul`, no I/O, no dependence on `Math.random`.
 * Independent of any other random number code in the project.
 *
 * @module
 */

/** A seeded stream of pseudo-random numbers. */
export interface Rng {
  /** Next 32-bit unsigned integer, uniform on [0, 2^32). */
  nextUint32(): number;
  /** Next double, uniform on [0, 1), with 53 random bits. */
  nextFloat(): number;
  /**
   * Next integer uniform on [0, n) without modulo bias (Lemire's
   * multiply-shift with rejection). `n` must be an integer in [1, 2^32].
   */
  nextInt(n: number): number;
  /** Next standard normal deviate (Box-Muller, the cosine branch only). */
  nextNormal(): number;
}

/**
 * splitmix32: returns a function producing the sequence of 32-bit outputs for
 * a seed (state += 0x9e3779b9; MurmurHash3 fmix32 of the state).
 *
 * @param seed - any number; only its low 32 bits are used
 * @returns a generator of unsigned 32-bit integers
 */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * 32-bit FNV-1a hash of a string (UTF-16 code units folded to bytes by
 * taking the low and high byte of each unit).
 *
 * @param text - the string to hash
 * @returns an unsigned 32-bit hash
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h = Math.imul(h ^ (c & 0xff), 0x01000193);
    h = Math.imul(h ^ (c >>> 8), 0x01000193);
  }
  return h >>> 0;
}

/**
 * Derives a 32-bit seed from a base seed and any number of labels, so that
 * independent streams (one per test, one for the bootstrap and one for the
 * permutation test) do not depend on the order in which they are used.
 *
 * @param seed - base seed (low 32 bits used)
 * @param parts - labels, e.g. scope, measure, group, "bootstrap"
 * @returns an unsigned 32-bit seed
 */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let h = splitmix32(seed >>> 0)();
  for (const p of parts) {
    h = splitmix32((h ^ fnv1a32(String(p))) >>> 0)();
  }
  return h >>> 0;
}

/**
 * xoshiro128** from an explicit 128-bit state (four 32-bit words, not all
 * zero). Exposed for testing against the reference C implementation; use
 * {@link createRng} otherwise.
 *
 * @param s0 - state word 0
 * @param s1 - state word 1
 * @param s2 - state word 2
 * @param s3 - state word 3
 * @returns the generator
 */
export function xoshiro128ss(s0: number, s1: number, s2: number, s3: number): Rng {
  let a = s0 >>> 0;
  let b = s1 >>> 0;
  let c = s2 >>> 0;
  let d = s3 >>> 0;
  if ((a | b | c | d) === 0) a = 0x9e3779b9; // the one forbidden state
  const nextUint32 = (): number => {
    const r5 = Math.imul(b, 5);
    const result = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = (d << 11) | (d >>> 21);
    return result;
  };
  const nextFloat = (): number => {
    // 27 + 26 bits, as in the usual 53-bit construction
    const hi = nextUint32() >>> 5;
    const lo = nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  const nextInt = (n: number): number => {
    // Lemire (2019), "Fast random integer generation in an interval", with 32-bit words.
    if (n <= 1) return 0;
    if (n > 0x200000) {
      // x * n could exceed 2^53: use exact rejection on a power-of-two mask instead
      const bits = 32 - Math.clz32(n - 1);
      const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
      for (;;) {
        const v = (nextUint32() & mask) >>> 0;
        if (v < n) return v;
      }
    }
    let m = nextUint32() * n; // exact in a double because n <= 2^21
    let low = m % 4294967296;
    if (low < n) {
      const threshold = (4294967296 - n) % n;
      while (low < threshold) {
        m = nextUint32() * n;
        low = m % 4294967296;
      }
    }
    return Math.floor(m / 4294967296);
  };
  const nextNormal = (): number => {
    let u = nextFloat();
    while (u === 0) u = nextFloat();
    const v = nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return { nextUint32, nextFloat, nextInt, nextNormal };
}

/**
 * Creates a seeded xoshiro128** generator whose state is filled by
 * splitmix32 (see module notes). The same seed always gives the same stream.
 *
 * @param seed - a number (low 32 bits used) or a string (hashed with FNV-1a)
 * @returns the generator
 */
export function createRng(seed: number | string): Rng {
  const s = typeof seed === "string" ? fnv1a32(seed) : seed >>> 0;
  const sm = splitmix32(s);
  return xoshiro128ss(sm(), sm(), sm(), sm());
}
