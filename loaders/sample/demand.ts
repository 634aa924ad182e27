/**
 * Demand over time: the seasonality of referrals (and, damped, of caseloads), the yearly
 * workload trend, a service's level shift, and the winter bump in short-term sickness.
 */
import { monthIndex } from "../../core/calendar.ts";
import type { Resolved } from "./options.ts";
import type { ServiceSpec } from "./types.ts";

/** Referral seasonal factors Jan..Dec (mean 1): peaks Sep-Nov and March, troughs August and December. */
export const DEFAULT_SEASONAL_FACTORS: readonly number[] = [0.97, 1.0, 1.1, 0.98, 1.0, 0.99, 0.95, 0.82, 1.1, 1.15, 1.1, 0.84];
/** Short-term sickness seasonal factors Jan..Dec (winter bump). */
export const SICKNESS_SEASONAL_FACTORS: readonly number[] = [1.6, 1.4, 1.1, 0.9, 0.8, 0.75, 0.7, 0.7, 0.9, 1.0, 1.2, 1.5];
/** Share of the referral seasonality that caseloads follow. */
export const CASELOAD_SEASONAL_DAMPING = 0.35;

/** Demand factors of resolved options; `m` counts months from the first, `abs` is a month index. */
export class Demand {
  private readonly shiftFrom: number;

  constructor(private readonly r: Pick<Resolved, "trend" | "levelShift" | "seasonal">) {
    this.shiftFrom = r.levelShift ? monthIndex(r.levelShift.period) : Infinity;
  }

  /** Workload growth factor `m` months after the first month. */
  trend(m: number): number {
    return Math.pow(1 + this.r.trend, m / 12);
  }

  /** Level-shift factor of `service` in month `abs`. */
  shift(service: string, abs: number): number {
    const ls = this.r.levelShift;
    return ls && ls.service === service && abs >= this.shiftFrom ? ls.factor : 1;
  }

  /** Referral seasonal factor of month `abs`. */
  seasonal(abs: number): number {
    return this.r.seasonal[abs % 12];
  }

  /** Caseload seasonal factor of month `abs` (the referral one, damped). */
  caseloadSeasonal(abs: number): number {
    return 1 + CASELOAD_SEASONAL_DAMPING * (this.seasonal(abs) - 1);
  }

  /** Short-term sickness seasonal factor of month `abs`. */
  sicknessSeasonal(abs: number): number {
    return SICKNESS_SEASONAL_FACTORS[abs % 12];
  }

  /** Expected referrals to a team of `service` with `fte` case-holding FTE in month `abs` (`m` months in), before noise. */
  referralRate(service: ServiceSpec, fte: number, m: number, abs: number): number {
    return service.referralsPerFte * fte * this.seasonal(abs) * this.trend(m) * this.shift(service.name, abs);
  }
}
