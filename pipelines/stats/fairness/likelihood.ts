/**
 * Representation (WRES style): the relative likelihood of being in senior roles, with a Katz
 * log-method interval.
 *
 * @module
 */
import { normalQuantile } from "../dist.ts";

/** Result of {@link relativeLikelihood}. */
export interface RelativeLikelihood {
  /** (a / A) / (b / B), after the continuity correction when it applied. */
  ratio: number;
  ci_low: number;
  ci_high: number;
  /** SE of log ratio (Katz). */
  se_log: number;
  /** 0.5 was added to each cell because a cell was 0. */
  continuity_corrected: boolean;
  /** The ratio lies in the conventional non-adverse band 0.80-1.25. */
  within_band: boolean;
}

/**
 * Relative likelihood of group A being in senior roles compared with group
 * B, as in the NHS Workforce Race Equality Standard (WRES): (a/A) / (b/B),
 * with a Katz log-method interval: SE(log) = sqrt(1/a - 1/A + 1/b - 1/B)
 * (Katz et al. 1978). When any of the four cells (a, A - a, b, B - b) is 0,
 * 0.5 is added to each cell (so A and B grow by 1) for both the estimate and
 * the interval. `within_band` flags the conventional non-adverse range 0.80
 * to 1.25 (inclusive).
 *
 * @param aSenior - seniors in group A
 * @param aTotal - all of group A
 * @param bSenior - seniors in group B
 * @param bTotal - all of group B
 * @param alpha - 1 - confidence level (0.05)
 * @returns ratio, interval and flags (NaN ratio if a total is 0)
 */
export function relativeLikelihood(aSenior: number, aTotal: number, bSenior: number, bTotal: number, alpha = 0.05): RelativeLikelihood {
  for (const [name, v] of [["aSenior", aSenior], ["aTotal", aTotal], ["bSenior", bSenior], ["bTotal", bTotal]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a non-negative number, got ${v}`);
  }
  if (aSenior > aTotal || bSenior > bTotal) throw new RangeError("seniors cannot exceed the total");
  if (aTotal === 0 || bTotal === 0) {
    return { ratio: NaN, ci_low: NaN, ci_high: NaN, se_log: NaN, continuity_corrected: false, within_band: false };
  }
  const corrected = aSenior === 0 || bSenior === 0 || aSenior === aTotal || bSenior === bTotal;
  const a = corrected ? aSenior + 0.5 : aSenior;
  const A = corrected ? aTotal + 1 : aTotal;
  const b = corrected ? bSenior + 0.5 : bSenior;
  const B = corrected ? bTotal + 1 : bTotal;
  const ratio = a / A / (b / B);
  const se = Math.sqrt(1 / a - 1 / A + 1 / b - 1 / B);
  const z = normalQuantile(1 - alpha / 2);
  return {
    ratio,
    ci_low: Math.exp(Math.log(ratio) - z * se),
    ci_high: Math.exp(Math.log(ratio) + z * se),
    se_log: se,
    continuity_corrected: corrected,
    within_band: ratio >= 0.8 && ratio <= 1.25,
  };
}
