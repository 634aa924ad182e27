/**
 * The audit of one comparison (scope x measure x group vs reference): ties preparation, the
 * bootstrap, the permutation test, power and persistence into one result record.
 *
 * @module
 */
import { DEFAULT_MIN_GROUP_SIZE } from "../../../core/defaults.ts";
import { periodOf } from "../../../core/calendar.ts";
import { deriveSeed } from "../rng.ts";
import { createStream } from "./stream.ts";
import { DEFAULT_RULE, type VerdictRule } from "./rule.ts";
import type { AdjustKey, AuditOptions, FairnessResult } from "./types.ts";
import { encoded, type ObsInput } from "./encode.ts";
import { prepareComparison, windowOf, type PreparedComparison } from "./prepare.ts";
import { accumulate, monthlyFromAcc, ratioFromAcc } from "./accumulate.ts";
import { expandedAlpha, minimumDetectableRatio } from "./interval.ts";
import { bootstrap } from "./bootstrap.ts";
import { linearisedSe, welchDf } from "./linearise.ts";
import { permutationTest } from "./permutation.ts";
import { validateMc } from "./montecarlo.ts";
import { groupPhrase } from "./sentences.ts";
import { FAIRNESS_MEASURE_DEFS } from "./measures.ts";
import { settle } from "./verdict.ts";

/**
 * Bootstrap resamples for a test with too few compared workers for any verdict (with Monte Carlo
 * control): its interval is reported, never used, so a few hundred resamples give it.
 */
export const FEW_WORKERS_RESAMPLES = 399;

/**
 * Audits one comparison (scope x measure x group vs reference) over a window:
 * adjusted and unadjusted ratios, bootstrap CI, permutation p-value, MDE,
 * persistence, verdict and sentence. The q-value is set to the p-value (a
 * family of one); the caller places the tests of a run in the declared
 * families ({@link placeInFamilies}, family.ts), which applies
 * Benjamini-Hochberg within each family and settles the verdicts.
 *
 * Random streams are derived from `seed` and the test's identity (scope,
 * service, team, measure, group, reference), so one run seed can be passed to
 * every test and results do not depend on the order of the tests.
 *
 * With `options.mc`, the permutation test and the bootstrap each resample in
 * batches until the decisions at the declared thresholds are settled (see
 * pipelines/stats/fairness/montecarlo.ts); half of `mc.risk` is spent on
 * the p-value, half on the CI. The streams are the same as without `mc`.
 *
 * @param obs - worker-months of the scope (other groups and months are ignored)
 * @param options - see {@link AuditOptions}
 * @returns the result record
 */
export function auditComparison(input: ObsInput, options: AuditOptions): FairnessResult {
  const alpha = options.alpha ?? 0.05;
  const resamples = options.resamples ?? 10_000;
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const adjust = [...(options.adjust ?? ["service", "team", "role", "fte_band"])] as AdjustKey[];
  if (!adjust.includes("service")) adjust.unshift("service");
  const rule: VerdictRule = { ...DEFAULT_RULE, ...(options.rule ?? {}) };
  const early = options.earlyStopping ?? true;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const mc = options.mc;
  if (mc) validateMc(mc);

  // (encoded once: the monthly view below prepares the same observations again)
  const obs = encoded(input);
  const p = prepareComparison(obs, { ...options, adjust });
  const win = windowOf(options.asOf, options.windowMonths);
  const acc = new Float64Array(6 * p.S);
  accumulate(p, p.isGroup, null, acc);
  const rawR = ratioFromAcc(acc, p.S);
  const R = rawR > 0 && Number.isFinite(rawR) ? rawR : rawR === 0 || rawR === Infinity ? rawR : NaN;

  // compared workers: in at least one stratum with both groups (over the window, and month by month)
  let nGc = 0;
  let nRc = 0;
  const S = p.S;
  const monthlyGroup = new Array<number>(p.nMonths).fill(0);
  const monthlyRef = new Array<number>(p.nMonths).fill(0);
  for (let w = 0; w < p.W; w++) {
    let compared = false;
    for (let e = p.wStart[w]; e < p.wStart[w + 1]; e++) {
      const s = p.eStratum[e];
      if (acc[2 * S + s] > 0 && acc[5 * S + s] > 0) compared = true;
    }
    if (compared) {
      if (p.isGroup[w]) nGc++;
      else nRc++;
    }
  }
  countMonthly(p, acc, monthlyGroup, monthlyRef);

  let monthly = monthlyFromAcc(acc, p);
  if (FAIRNESS_MEASURE_DEFS[options.measure].strata === "window") {
    // the comparison holds the window fixed; the monthly view (descriptive) compares each month's allocations
    const pm = prepareComparison(obs, { ...options, adjust, monthStrata: true });
    const accM = new Float64Array(6 * pm.S);
    accumulate(pm, pm.isGroup, null, accM);
    monthly = monthlyFromAcc(accM, pm);
    monthlyGroup.fill(0);
    monthlyRef.fill(0);
    countMonthly(pm, accM, monthlyGroup, monthlyRef);
  }
  const observedMonths = monthly.filter((m): m is number => m !== null);
  const sameDir = Number.isNaN(R) || R === 1 ? 0 : observedMonths.filter((m) => (R > 1 ? m > 1 : m < 1)).length;
  const persistent = observedMonths.length >= rule.persistence_min_months && sameDir >= rule.persistence_share * observedMonths.length;

  const id = [options.scope ?? "", options.service ?? "", options.team ?? "", options.measure, options.group, options.reference];
  const fewWorkers = nGc < rule.min_workers || nRc < rule.min_workers;
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  let se = Infinity;
  let used = 0;
  let pValue: number | null = null;
  let permUsed = 0;
  let pLow: number | null = null;
  let pHigh: number | null = null;
  let pBelow: number | null = null;
  // with mc, a test or CI that is not computed (deterministically) has nothing left to settle
  let pSettled: boolean | null = mc ? true : null;
  let ciSettled: boolean | null = mc ? true : null;
  let ciUnsettledAt: number[] = [];
  const df = welchDf(p);
  // With settled Monte Carlo, the detectable ratio comes from the linearised standard error (so
  // that the "no evidence" gate, MDE <= 1.25, does not move with the seed), and it is known before
  // any resampling: resample only for the decisions the verdict can still use. Too few workers:
  // none. A detectable ratio above the gate: "no evidence" is out, so only "CI excludes 1".
  const mdeLinear = mc ? minimumDetectableRatio(linearisedSe(p), options.mdeAlpha ?? alpha, 0.8, df) : NaN;
  const ciThresholds = !mc ? [] : fewWorkers ? [] : mdeLinear <= rule.max_mde ? mc.ciThresholds : mc.ciThresholds.filter((t) => Math.abs(t - 1) < 1e-12);
  const pThresholds = !mc || fewWorkers ? [] : mc.pThresholds;
  if (Number.isFinite(Math.log(R)) || R === 0 || R === Infinity) {
    const boot = bootstrap(p, createStream(deriveSeed(options.seed, ...id, "bootstrap")), {
      max: mc ? (fewWorkers ? FEW_WORKERS_RESAMPLES : mc.maxResamples) : resamples,
      early,
      alpha,
      ciAlpha: expandedAlpha(alpha, df),
      df,
      fewWorkers,
      // too few workers for any verdict: nothing to settle, so the interval (reported, never
      // used) comes from the early-stopping path's first batch instead of Monte Carlo control
      mc: mc && !fewWorkers ? { thresholds: ciThresholds, risk: mc.risk / 2 } : undefined,
    });
    ciLow = boot.summary.low;
    ciHigh = boot.summary.high;
    se = boot.summary.se;
    used = boot.used;
    if (mc && !fewWorkers) {
      ciSettled = boot.settled;
      ciUnsettledAt = boot.unsettled;
    }
    const permMax = mc ? mc.maxPermutations : early && fewWorkers ? Math.min(resamples, 999) : resamples;
    const perm = permutationTest(
      p,
      createStream(deriveSeed(options.seed, ...id, "permutation")),
      permMax,
      early ? (options.stopAfterExceedances ?? 50) : Infinity,
      mc ? { thresholds: pThresholds, risk: mc.risk / 2 } : undefined,
    );
    if (perm) {
      pValue = perm.p;
      permUsed = perm.used;
      pLow = perm.low;
      pHigh = perm.high;
      pBelow = perm.below;
      if (mc) pSettled = perm.settled;
    }
  }
  // with settled Monte Carlo, the detectable ratio comes from the linearised standard error, so
  // that the "no evidence" gate (MDE <= 1.25) does not move with the seed
  const mde = mc ? mdeLinear : minimumDetectableRatio(se, options.mdeAlpha ?? alpha, 0.8, df);
  // events of a worker-level measure: workers of each group with it in the window
  let eventsGroup: number | null = null;
  let eventsRef: number | null = null;
  if (FAIRNESS_MEASURE_DEFS[options.measure].level === "worker") {
    eventsGroup = 0;
    eventsRef = 0;
    for (let w = 0; w < p.W; w++) {
      let n = 0;
      for (let e = p.wStart[w]; e < p.wStart[w + 1]; e++) n += p.eNum[e];
      if (n > 0) {
        if (p.isGroup[w]) eventsGroup++;
        else eventsRef++;
      }
    }
  }
  const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

  const result: FairnessResult = {
    scope: options.scope ?? "",
    service: options.service ?? null,
    team: options.team ?? null,
    measure: options.measure,
    group: options.group,
    reference_group: options.reference,
    window_start: periodOf(win.start),
    window_end: periodOf(win.end),
    window_months: options.windowMonths,
    n_workers_group: p.nWorkersGroup,
    n_workers_reference: p.nWorkersRef,
    n_workers_group_compared: nGc,
    n_workers_reference_compared: nRc,
    n_worker_months_group: p.nWmGroup,
    n_worker_months_reference: p.nWmRef,
    ratio_unadjusted: p.ratioUnadjusted !== null ? finiteOrNull(p.ratioUnadjusted) : null,
    ratio_adjusted: finiteOrNull(R),
    ci_low: ciLow,
    ci_high: ciHigh !== null ? finiteOrNull(ciHigh) : null,
    se_log_ratio: finiteOrNull(se),
    df: Number.isFinite(df) ? df : null,
    p_value: pValue,
    p_mc_low: pLow,
    p_mc_high: pHigh,
    p_below: pBelow,
    p_settled: pSettled,
    ci_settled: ciSettled,
    ci_unsettled_at: ciUnsettledAt,
    mc_settled: pSettled === null || ciSettled === null ? null : pSettled && ciSettled,
    q_value: pValue,
    mde_ratio: finiteOrNull(mde),
    events_group: eventsGroup,
    events_reference: eventsRef,
    months_same_direction: sameDir,
    months_observed: observedMonths.length,
    persistent,
    monthly_ratios: monthly,
    monthly_workers_group: monthlyGroup,
    monthly_workers_reference: monthlyRef,
    verdict: "too few to tell",
    verdict_reason: "inconclusive",
    suppressed: false,
    below_min_group_size: p.nWorkersGroup < minGroupSize || p.nWorkersRef < minGroupSize,
    sentence: "",
    resamples_used: used,
    permutations_used: permUsed,
    adjusted_for: adjust,
    alpha,
    min_group_size: minGroupSize,
    rule,
    group_label: options.labels?.group ?? groupPhrase(options.group, "group"),
    reference_label: options.labels?.reference ?? groupPhrase(options.reference, "reference"),
  };
  return settle(result);
}

/** Workers of each group compared in each month (in a stratum with both groups that month). */
function countMonthly(p: PreparedComparison, acc: Float64Array, monthlyGroup: number[], monthlyRef: number[]): void {
  const S = p.S;
  const seenMonth = new Int32Array(p.nMonths).fill(-1);
  for (let w = 0; w < p.W; w++) {
    for (let e = p.wStart[w]; e < p.wStart[w + 1]; e++) {
      const s = p.eStratum[e];
      if (acc[2 * S + s] > 0 && acc[5 * S + s] > 0) {
        const m = p.stratumMonth[s];
        if (seenMonth[m] !== w) {
          seenMonth[m] = w;
          if (p.isGroup[w]) monthlyGroup[m]++;
          else monthlyRef[m]++;
        }
      }
    }
  }
}
