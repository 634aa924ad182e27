/**
 * Probability distributions used by fairload's statistics.
 *
 * Thin wrappers over the @stdlib distribution packages. These are the
 * project's only source of p-values and critical values: never use
 * simple-statistics' 4-digit normal table for inference.
 *
 * All functions are pure. Invalid arguments (NaN, a probability outside
 * [0, 1], non-positive degrees of freedom) yield NaN, as @stdlib does; they
 * do not throw.
 *
 * @module
 */
import stdNormalCdf from '@stdlib/stats-base-dists-normal-cdf';
import stdNormalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import stdChisqCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import stdTQuantile from '@stdlib/stats-base-dists-t-quantile';
import stdTCdf from '@stdlib/stats-base-dists-t-cdf';
import stdBetaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import stdBinomialQuantile from '@stdlib/stats-base-dists-binomial-quantile';

/**
 * Standard normal cumulative distribution function, Phi(z) = P(Z <= z).
 * Equivalent to R `pnorm(z)` and scipy `norm.cdf(z)`.
 *
 * @param z - value of the standard normal variable
 * @returns Phi(z) in [0, 1]; NaN for NaN input
 */
export function normalCdf(z: number): number {
  return stdNormalCdf(z, 0, 1);
}

/**
 * Standard normal quantile function, the inverse of {@link normalCdf}.
 * Equivalent to R `qnorm(p)` and scipy `norm.ppf(p)`; for example
 * `normalQuantile(0.975)` is 1.959963984540054.
 *
 * @param p - probability in [0, 1] (0 and 1 give -Infinity and +Infinity)
 * @returns z with Phi(z) = p; NaN if p is outside [0, 1]
 */
export function normalQuantile(p: number): number {
  return stdNormalQuantile(p, 0, 1);
}

/**
 * Two-sided p-value of a standard normal test statistic, 2 * Phi(-|z|).
 *
 * Computed from the lower tail, so it keeps full relative precision for
 * large |z| (e.g. 6.75e-47 at z = 14.38) where the textbook
 * 2 * (1 - Phi(|z|)) used by pyMannKendall cancels to 0 once Phi(|z|) rounds
 * to 1 (|z| > ~8.3). Matches R's `2 * pnorm(-abs(z))`.
 *
 * @param z - standard normal test statistic
 * @returns p in [0, 1]; NaN for NaN input
 */
export function twoSidedNormalP(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return Math.min(1, 2 * stdNormalCdf(-Math.abs(z), 0, 1));
}

/**
 * Chi-squared cumulative distribution function P(X <= x) with k degrees of
 * freedom. Equivalent to R `pchisq(x, k)`.
 *
 * @param x - value (negative x gives 0)
 * @param k - degrees of freedom, k >= 0
 * @returns the CDF in [0, 1]; NaN for invalid arguments
 */
export function chisqCdf(x: number, k: number): number {
  return stdChisqCdf(x, k);
}

/**
 * Quantile function of Student's t distribution with `df` degrees of
 * freedom. Equivalent to R `qt(p, df)`; for example `tQuantile(0.975, 10)`
 * is 2.228138851986274.
 *
 * @param p - probability in [0, 1]
 * @param df - degrees of freedom, df > 0
 * @returns t with P(T <= t) = p; NaN for invalid arguments
 */
export function tQuantile(p: number, df: number): number {
  return stdTQuantile(p, df);
}

/**
 * Cumulative distribution function of Student's t distribution with `df` degrees of freedom.
 * Equivalent to R `pt(t, df)`; for example `tCdf(-5, 10)` is 2.686668e-4.
 *
 * @param t - value
 * @param df - degrees of freedom, df > 0 (Infinity gives the normal CDF)
 * @returns P(T <= t); NaN for invalid arguments
 */
export function tCdf(t: number, df: number): number {
  return Number.isFinite(df) ? stdTCdf(t, df) : normalCdf(t);
}

/**
 * Quantile function of the beta distribution Beta(a, b). Equivalent to R
 * `qbeta(p, a, b)` and scipy `beta.ppf(p, a, b)`; for example
 * `betaQuantile(0.975, 3, 98)` is 0.07038393247107 (the 95% Clopper-Pearson
 * upper bound for 2 successes in 100 trials).
 *
 * @param p - probability in [0, 1]
 * @param a - first shape parameter, a > 0
 * @param b - second shape parameter, b > 0
 * @returns x with P(X <= x) = p; NaN for invalid arguments
 */
export function betaQuantile(p: number, a: number, b: number): number {
  return stdBetaQuantile(p, a, b);
}

/**
 * Quantile function of the binomial distribution Bin(n, q): the smallest
 * integer k with P(X <= k) >= p. Equivalent to R `qbinom(p, n, q)` and scipy
 * `binom.ppf(p, n, q)`.
 *
 * @param p - probability in [0, 1]
 * @param n - number of trials (non-negative integer)
 * @param q - success probability in [0, 1]
 * @returns k; NaN for invalid arguments
 */
export function binomialQuantile(p: number, n: number, q: number): number {
  return stdBinomialQuantile(p, n, q);
}
