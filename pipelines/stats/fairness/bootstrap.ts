/**
 * The stratified cluster bootstrap of the adjusted ratio (Rao-Wu rescaling) with early stopping.
 *
 * @module
 */
import type { Rng } from "../rng.ts";
import type { PreparedComparison } from "./prepare.ts";
import { accumulate, ratioFromAcc } from "./accumulate.ts";
import { minimumDetectableRatio, summariseBootstrap, type BootstrapSummary } from "./interval.ts";

/** Bootstrap settings. */
export interface BootSettings {
  max: number;
  early: boolean;
  /** Level of the test (for the MDE). */
  alpha: number;
  /** Level of the (expanded) percentile interval. */
  ciAlpha: number;
  /** Degrees of freedom for the MDE. */
  df: number;
  /** Stop at the first checkpoint (after this many) when the verdict cannot leave "too few to tell". */
  fewWorkers: boolean;
}

const CHECK_EVERY = 1000;
const MIN_STABLE = 2000;
const STABLE_TOL = 0.005;
const CLEARLY_TOO_FEW_MDE = 1.4;

/**
 * Stratified cluster bootstrap of the adjusted ratio with Rao-Wu rescaling:
 * in a cell of n workers, n - 1 workers are drawn with replacement and each
 * draw carries weight n / (n - 1). Early stopping (checked every 1,000):
 * after 1,000 if the verdict is already fixed by group size or the MDE
 * exceeds 1.4; from 2,000 on when both CI endpoints and the MDE moved by less
 * than 0.005 since the previous checkpoint.
 */
export function bootstrap(p: PreparedComparison, rng: Rng, set: BootSettings): { summary: BootstrapSummary; used: number } {
  const logs = new Float64Array(set.max);
  const weights = new Float64Array(p.W);
  const acc = new Float64Array(6 * p.S);
  const { bootCellStart, bootCellWorkers } = p;
  const nCells = bootCellStart.length - 1;
  let prev: BootstrapSummary | null = null;
  let used = 0;
  for (let b = 0; b < set.max; b++) {
    weights.fill(0);
    for (let k = 0; k < nCells; k++) {
      const c0 = bootCellStart[k];
      const n = bootCellStart[k + 1] - c0;
      if (n === 1) {
        weights[bootCellWorkers[c0]] = 1;
        continue;
      }
      const f = n / (n - 1);
      for (let d = 0; d < n - 1; d++) weights[bootCellWorkers[c0 + rng.nextInt(n)]] += f;
    }
    accumulate(p, p.isGroup, weights, acc);
    logs[b] = Math.log(ratioFromAcc(acc, p.S));
    used = b + 1;
    if (set.early && used % CHECK_EVERY === 0 && used < set.max) {
      const cur = summariseBootstrap(logs, used, set.ciAlpha);
      const mde = minimumDetectableRatio(cur.se, set.alpha, 0.8, set.df);
      if (used === CHECK_EVERY && (set.fewWorkers || mde > CLEARLY_TOO_FEW_MDE || cur.low === null)) return { summary: cur, used };
      if (used >= MIN_STABLE && prev && cur.low !== null && prev.low !== null && cur.high !== null && prev.high !== null) {
        const pm = minimumDetectableRatio(prev.se, set.alpha, 0.8, set.df);
        if (
          Math.abs(cur.low - prev.low) < STABLE_TOL &&
          Math.abs(cur.high - prev.high) < STABLE_TOL &&
          Math.abs(mde - pm) < STABLE_TOL
        ) return { summary: cur, used };
      }
      prev = cur;
    }
  }
  return { summary: summariseBootstrap(logs, used, set.ciAlpha), used };
}
