/**
 * The resampling kernel's random stream: the same xoshiro128** generator, seeded the same way
 * through splitmix32, as pipelines/stats/rng.ts `createRng(seed)` for a numeric seed, so it gives
 * the same numbers, draw for draw (test/unit/fairness-kernel.test.ts). It keeps its state in
 * fields, so that the bootstrap's and the permutation test's inner loops can draw without a call
 * per draw ({@link Xoshiro128ss.drawWeights}, {@link Xoshiro128ss.shuffleCells}).
 *
 * @module
 */
import { splitmix32, type Rng } from "../rng.ts";

const TWO32 = 4294967296;
const INV_TWO32 = 1 / TWO32;

/** xoshiro128** with its state in fields (see the module notes). */
export class Xoshiro128ss implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The stream of `createRng(seed)` for a numeric seed (low 32 bits used). */
  constructor(seed: number) {
    const sm = splitmix32(seed >>> 0);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 0x9e3779b9;
  }

  nextUint32(): number {
    const b = this.b;
    const r5 = Math.imul(b, 5);
    const result = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 0;
    const t = b << 9;
    let a = this.a;
    let c = this.c;
    let d = this.d;
    c ^= a;
    d ^= b;
    const nb = b ^ c;
    a ^= d;
    c ^= t;
    this.a = a;
    this.b = nb;
    this.c = c;
    this.d = (d << 11) | (d >>> 21);
    return result;
  }

  nextFloat(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  nextInt(n: number): number {
    if (n <= 1) return 0;
    if (n > 0x200000) {
      const bits = 32 - Math.clz32(n - 1);
      const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
      for (;;) {
        const v = (this.nextUint32() & mask) >>> 0;
        if (v < n) return v;
      }
    }
    let m = this.nextUint32() * n;
    let low = m % TWO32;
    if (low < n) {
      const threshold = (TWO32 - n) % n;
      while (low < threshold) {
        m = this.nextUint32() * n;
        low = m % TWO32;
      }
    }
    return Math.floor(m / TWO32);
  }

  nextNormal(): number {
    let u = this.nextFloat();
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * One Rao-Wu resample's worker weights, exactly as the loop
   * `weights.fill(0); for each cell of n: n = 1 ? weight 1 : n - 1 draws nextInt(n), each adding
   * n / (n - 1)` would give them, with the generator inlined. Cells must have fewer than 2^21
   * workers.
   */
  drawWeights(cellStart: Int32Array, cellWorkers: Int32Array, weights: Float64Array): void {
    weights.fill(0);
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    const nCells = cellStart.length - 1;
    for (let k = 0; k < nCells; k++) {
      const c0 = cellStart[k]!;
      const n = cellStart[k + 1]! - c0;
      if (n === 1) {
        weights[cellWorkers[c0]!] = 1;
        continue;
      }
      const f = n / (n - 1);
      for (let j = 0; j < n - 1; j++) {
        // nextInt(n): Lemire's multiply-shift with rejection (n <= 2^21, so x * n is exact)
        let hi: number;
        for (;;) {
          const r5 = Math.imul(b, 5);
          const x = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 0;
          const t = b << 9;
          c ^= a;
          d ^= b;
          b ^= c;
          a ^= d;
          c ^= t;
          d = (d << 11) | (d >>> 21);
          const m = x * n;
          hi = Math.floor(m * INV_TWO32);
          const low = m - hi * TWO32;
          if (low >= n || low >= (TWO32 - n) % n) break;
        }
        weights[cellWorkers[c0 + hi]!] += f;
      }
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /**
   * Shuffles the labels of each cell's workers in place, exactly as the Fisher-Yates loop
   * `for i = n - 1 down to 1: swap(i, nextInt(i + 1))` over each cell in turn would, with the
   * generator inlined. Cells must have at most 2^21 workers.
   */
  shuffleCells(cellStart: Int32Array, cellWorkers: Int32Array, labels: Uint8Array): void {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    const nCells = cellStart.length - 1;
    for (let k = 0; k < nCells; k++) {
      const c0 = cellStart[k]!;
      for (let i = cellStart[k + 1]! - c0 - 1; i > 0; i--) {
        // nextInt(i + 1), as in drawWeights
        const n = i + 1;
        let j: number;
        for (;;) {
          const r5 = Math.imul(b, 5);
          const x = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 0;
          const t = b << 9;
          c ^= a;
          d ^= b;
          b ^= c;
          a ^= d;
          c ^= t;
          d = (d << 11) | (d >>> 21);
          const m = x * n;
          j = Math.floor(m * INV_TWO32);
          const low = m - j * TWO32;
          if (low >= n || low >= (TWO32 - n) % n) break;
        }
        const wi = cellWorkers[c0 + i]!;
        const wj = cellWorkers[c0 + j]!;
        const tmp = labels[wi]!;
        labels[wi] = labels[wj]!;
        labels[wj] = tmp;
      }
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}

/** The kernel's stream for a numeric seed (the same numbers as `createRng(seed)`). */
export function createStream(seed: number): Xoshiro128ss {
  return new Xoshiro128ss(seed);
}
