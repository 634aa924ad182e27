/**
 * Experience, allowed for by standardisation: how much more (or less) complex the work of workers
 * of each experience band is, in each service and role, than the work of that service and role
 * as a whole, whoever they are. Estimated from every worker of the service (both groups and the
 * rest, so the factors do not depend on who is in which group). Each worker-month's numerator is divided by its factor before the
 * like-with-like comparison (team, role and month), so experience is allowed for without
 * splitting small teams' strata by band (which left many workers with nobody to compare with).
 *
 * @module
 */
import { FAIRNESS_MEASURE_DEFS, type FairnessMeasure, isNum } from "./measures.ts";
import { experienceKey } from "./prepare.ts";
import type { WorkerMonthObs } from "./types.ts";

/**
 * No shrinkage towards the service-and-role rate: in simulation (ethnic-minority workers four
 * years more experienced, complexity rising 4% a year) a pseudo-count of 20 cases left a third of
 * the experience difference in the comparison (employer ratio 1.03 on points per new case, 1.08 on
 * the high-complexity share, against 1.00 and 1.02 without it). A band with one worker in it
 * standardises that worker against themselves, which costs power, never validity.
 */
/**
 * Factors by service, role, experience band and measure:
 * f = (N_b / D_b) / (N / D), with N_b, D_b the band's sums and N, D those of the service and
 * role. Worker-level measures get none.
 *
 * @param obs - worker-months of every worker (any group) with num/den per measure
 * @param measures - the measures to compute factors for
 * @returns factors keyed by experienceKey (prepare.ts)
 */
export function experienceFactors(obs: readonly WorkerMonthObs[], measures: readonly FairnessMeasure[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of measures) {
    if (FAIRNESS_MEASURE_DEFS[m].level === "worker") continue;
    const band = new Map<string, [number, number]>();
    const whole = new Map<string, [number, number]>();
    for (const o of obs) {
      const n = o.num?.[m];
      const d = o.den?.[m];
      if (!isNum(n) || !isNum(d) || !(d > 0) || !isNum(o.values[m] ?? null)) continue;
      const kb = experienceKey(o.service, o.role, o.experience_band ?? "not recorded", m);
      const kw = `${o.service}\u0001${o.role}`;
      const b = band.get(kb) ?? [0, 0];
      b[0] += n;
      b[1] += d;
      band.set(kb, b);
      const w = whole.get(kw) ?? [0, 0];
      w[0] += n;
      w[1] += d;
      whole.set(kw, w);
    }
    for (const [kb, [nb, db]] of band) {
      const [service, role] = kb.split("\u0001");
      const [nw, dw] = whole.get(`${service}\u0001${role}`)!;
      const r = nw / dw;
      const f = r > 0 && Number.isFinite(r) ? nb / db / r : 1;
      out.set(kb, f > 0 && Number.isFinite(f) ? f : 1);
    }
  }
  return out;
}
