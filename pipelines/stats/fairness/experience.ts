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
import { FAIRNESS_MEASURE_DEFS, type FairnessMeasure } from "./measures.ts";
import { experienceKey } from "./prepare.ts";
import { encoded, type ObsInput } from "./encode.ts";

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
 * Sums are taken in the order of the observations (as ever: the factors are the same, bit for
 * bit, as when they were summed by string keys).
 *
 * @param obs - worker-months of every worker (any group) with num/den per measure (or their encoding)
 * @param measures - the measures to compute factors for
 * @returns factors keyed by experienceKey (prepare.ts)
 */
export function experienceFactors(obs: ObsInput, measures: readonly FairnessMeasure[]): Map<string, number> {
  const enc = encoded(obs);
  const tab = enc.tables;
  // each experience combination's (service, role)
  const nc = tab.comboService.length;
  const wholeOf = new Int32Array(nc);
  const wholeIds = new Map<string, number>();
  for (let x = 0; x < nc; x++) {
    const kw = `${tab.comboService[x]}\u0001${tab.comboRole[x]}`;
    let id = wholeIds.get(kw);
    if (id === undefined) wholeIds.set(kw, (id = wholeIds.size));
    wholeOf[x] = id;
  }
  const out = new Map<string, number>();
  const bandN = new Float64Array(nc);
  const bandD = new Float64Array(nc);
  const seen = new Uint8Array(nc);
  const wholeN = new Float64Array(wholeIds.size);
  const wholeD = new Float64Array(wholeIds.size);
  const order: number[] = [];
  for (const m of measures) {
    if (FAIRNESS_MEASURE_DEFS[m].level === "worker") continue;
    // sums in the order of the observations, over those with a numerator and a denominator
    const cols = enc.measureColumns(m);
    bandN.fill(0);
    bandD.fill(0);
    seen.fill(0);
    wholeN.fill(0);
    wholeD.fill(0);
    order.length = 0;
    for (let i = 0; i < enc.n; i++) {
      if (cols.kind[i] !== 1) continue;
      const n = cols.num[i]!;
      const d = cols.den[i]!;
      const x = enc.expCombo[i]!;
      if (!seen[x]) {
        seen[x] = 1;
        order.push(x);
      }
      bandN[x] += n;
      bandD[x] += d;
      wholeN[wholeOf[x]!] += n;
      wholeD[wholeOf[x]!] += d;
    }
    for (const x of order) {
      const r = wholeN[wholeOf[x]!]! / wholeD[wholeOf[x]!]!;
      const f = r > 0 && Number.isFinite(r) ? bandN[x]! / bandD[x]! / r : 1;
      out.set(experienceKey(tab.comboService[x]!, tab.comboRole[x]!, tab.comboBand[x]!, m), f > 0 && Number.isFinite(f) ? f : 1);
    }
  }
  return out;
}
