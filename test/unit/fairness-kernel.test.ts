/**
 * The audit's preparation and resampling kernel, rewritten for speed (issue 16), give exactly what
 * the code they replaced gave, bit for bit: the comparison prepared from integer codes (encode.ts,
 * prepare.ts) and from subsets of one encoding, the experience factors, the kernel's random stream
 * (stream.ts) against pipelines/stats/rng.ts, the bootstrap over the strata that can hold both
 * groups (kernel.ts) and the permutation test over the strata a shuffle can mix. Whatever the
 * characteristics held fixed, the measure (month, window and worker level), the monthly view,
 * other groups in the data, months outside the window and workers who move team. The replaced
 * code is kept at the end of this file as the reference.
 */
import { describe, expect, it } from "vitest";
import { monthIndex, periodOf } from "../../core/calendar.ts";
import { createRng, type Rng } from "../../pipelines/stats/rng.ts";
import { FAIRNESS_MEASURES, FAIRNESS_MEASURE_DEFS, measureValues, prepareComparison, experienceFactors, expandedAlpha, welchDf, type AdjustKey, type AuditOptions, type FairnessMeasure, type WorkerMonthObs } from "../../pipelines/stats/fairness.ts";
import { isNum } from "../../pipelines/stats/fairness/measures.ts";
import { experienceKey, windowOf, type PreparedComparison } from "../../pipelines/stats/fairness/prepare.ts";
import { mhFromSums } from "../../pipelines/stats/fairness/ratio.ts";
import { EncodedObs } from "../../pipelines/stats/fairness/encode.ts";
import { bootstrap, type BootSettings } from "../../pipelines/stats/fairness/bootstrap.ts";
import { permutationTest, type PermutationMc, type PermutationResult } from "../../pipelines/stats/fairness/permutation.ts";
import { createStream } from "../../pipelines/stats/fairness/stream.ts";
import { accumulate, ratioFromAcc } from "../../pipelines/stats/fairness/accumulate.ts";
import { keepStrata, strataAPermutationCanMix } from "../../pipelines/stats/fairness/kernel.ts";
import { minimumDetectableRatio, summariseBootstrap, type BootstrapSummary } from "../../pipelines/stats/fairness/interval.ts";
import { binomialQuantile } from "../../pipelines/stats/dist.ts";
import { checkpoints, ciSettled, clopperPearson, DEFAULT_MC_RISK, FIRST_BOOTSTRAP_BATCH, FIRST_PERMUTATION_BATCH, MAX_UNDEFINED_SHARE, pSettled, quantileInterval } from "../../pipelines/stats/fairness/montecarlo.ts";
import { newScratch, studentisedStatistic } from "../../pipelines/stats/fairness/linearise.ts";

const workerLevelOf = (m: FairnessMeasure) => FAIRNESS_MEASURE_DEFS[m].level === "worker";

/** Random worker-months: several services, teams and roles, moves, gaps, bands, other groups. */
function randomObs(seed: number): WorkerMonthObs[] {
  const rng = createRng(seed);
  const pick = <T,>(xs: readonly T[]) => xs[rng.nextInt(xs.length)]!;
  const services = ["Children in Need", "Looked After", "Adults"];
  const teams = ["North", "South", "East", "West"];
  const roles = ["Social Worker", "Senior Practitioner", "ASYE"];
  const groups = ["Ethnic minorities", "White British", "White minorities", "Not known"];
  const bands = ["under 2 years", "2 to 4 years", "5 to 9 years", undefined];
  const employment = ["permanent", "agency", undefined];
  const end = monthIndex("2025-03");
  const out: WorkerMonthObs[] = [];
  const nWorkers = 20 + rng.nextInt(60);
  const rows: WorkerMonthObs[][][] = [];
  for (let k = 0; k < nWorkers; k++) {
    let service = pick(services);
    let team = pick(teams);
    let role = pick(roles);
    let group = pick(groups);
    const band = pick(bands);
    const emp = pick(employment);
    const mine: WorkerMonthObs[][] = [];
    for (let m = -3; m < 14; m++) {
      mine.push([]);
      if (rng.nextFloat() < 0.15) continue;
      if (rng.nextFloat() < 0.08) team = pick(teams);
      if (rng.nextFloat() < 0.04) service = pick(services);
      if (rng.nextFloat() < 0.05) role = pick(roles);
      if (rng.nextFloat() < 0.03) group = pick(groups);
      const fte = rng.nextFloat() < 0.3 ? 0.6 : 1;
      const cases = rng.nextFloat() < 0.05 ? 0 : 1 + rng.nextInt(20);
      const newCases = rng.nextInt(4);
      const mv = measureValues({
        cases,
        case_points: cases * (5 + 10 * rng.nextFloat()),
        non_case_points: rng.nextFloat() < 0.1 ? null : 3 * rng.nextFloat(),
        complex_cases: Math.floor(cases * rng.nextFloat()),
        known_complexity_cases: cases,
        new_cases: newCases,
        new_case_points: newCases * (5 + 10 * rng.nextFloat()),
        new_complex_cases: Math.floor(newCases * rng.nextFloat()),
        new_known_complexity_cases: newCases,
        supervision_planned: rng.nextInt(3),
        supervision_held: rng.nextFloat() < 0.1 ? null : rng.nextInt(3),
        review_requested: rng.nextFloat() < 0.1 ? null : rng.nextFloat() < 0.1,
        fte,
      });
      // now and then a second row in the same month, in another team (a worker in two teams)
      const twice = rng.nextFloat() < 0.06 ? 2 : 1;
      for (let t = 0; t < twice; t++) mine[mine.length - 1]!.push({
        worker_id: `w${k}`,
        period: periodOf(end - 12 + m),
        service,
        team: t === 0 ? team : pick(teams),
        role,
        fte,
        fte_band: (fte < 0.9) !== (t === 1) ? "part-time" : "full-time",
        experience_band: band,
        employment: emp,
        group,
        ...mv,
      });
    }
    rows.push(mine);
  }
  // interleave workers month by month, as the audit reads them (ordered by period, worker)
  for (let m = 0; m < 17; m++) for (const r of rows) out.push(...r[m]!);
  return out;
}

function plain(p: PreparedComparison): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v]));
}

const ADJUSTS: AdjustKey[][] = [
  ["service", "team", "role", "experience"],
  ["service", "team", "role", "fte_band"],
  ["service", "role"],
  ["service"],
  ["service", "team", "role", "experience", "employment", "fte_band"],
  ["service", "team", "experience", "employment"],
];

describe("prepareComparison from integer codes", () => {
  it("equals the string-keyed preparation it replaced, bit for bit", () => {
    let compared = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const obs = randomObs(seed);
      const enc = EncodedObs.of(obs);
      const factors = experienceFactors(obs, FAIRNESS_MEASURES);
      for (const measure of FAIRNESS_MEASURES) {
        for (const adjust of ADJUSTS) {
          for (const [group, reference] of [["Ethnic minorities", "White British"], ["Not known", "White British"], ["White minorities", "Ethnic minorities"]]) {
            for (const extra of [{}, { experienceFactors: factors }, { monthStrata: true, experienceFactors: factors }]) {
              const opts = { group, reference, measure, windowMonths: seed % 3 === 0 ? 6 : 12, asOf: "2025-03", adjust, ...extra };
              const want = plain(referencePrepare(obs, opts));
              expect(plain(prepareComparison(obs, opts))).toEqual(want);
              expect(plain(prepareComparison(enc, opts))).toEqual(want);
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBe(8 * FAIRNESS_MEASURES.length * ADJUSTS.length * 3 * 3);
  });

  it("leaves out skipped rows as if they were not there", () => {
    const obs = randomObs(99);
    const enc = EncodedObs.of(obs);
    const skipRow = Uint8Array.from(obs, (o) => (o.team === "North" ? 1 : 0));
    const rest = obs.filter((o) => o.team !== "North");
    for (const measure of FAIRNESS_MEASURES) {
      const opts = { group: "Ethnic minorities", reference: "White British", measure, windowMonths: 12, asOf: "2025-03" };
      expect(plain(prepareComparison(enc, { ...opts, skipRow }))).toEqual(plain(referencePrepare(rest, opts)));
    }
  });

  it("still refuses a month that is not a month, and a mix of num/den and values", () => {
    const obs = randomObs(5);
    const bad = [...obs, { ...obs[0]!, period: "2025-13" }];
    const opts = { group: obs[0]!.group, reference: obs[0]!.group === "White British" ? "Ethnic minorities" : "White British", measure: "points_per_case" as FairnessMeasure, windowMonths: 12, asOf: "2025-03" };
    expect(() => prepareComparison(bad, opts)).toThrow();
    expect(() => referencePrepare(bad, opts)).toThrow();
    const mixed = obs.map((o, i) => (i % 2 ? { ...o, num: undefined, den: undefined } : o));
    expect(() => prepareComparison(mixed, opts)).toThrow(/num\/den/);
  });
});

describe("subsets and experience factors", () => {
  it("a subset of an encoding prepares as the array it stands for", () => {
    for (let seed = 20; seed <= 23; seed++) {
      const obs = randomObs(seed);
      const all = EncodedObs.of(obs.map((o) => ({ ...o, group: "" })));
      const rng = createRng(seed);
      const rows = Int32Array.from(obs.flatMap((_, i) => (rng.nextFloat() < 0.8 ? [i] : [])));
      const groups = Array.from(rows, (i) => obs[i]!.group);
      const sub = all.subset(rows, groups);
      const again = sub.subset(Int32Array.from({ length: rows.length }, (_, k) => k), groups);
      const asArray = Array.from(rows, (i) => obs[i]!);
      for (const measure of FAIRNESS_MEASURES) {
        const opts = { group: "Ethnic minorities", reference: "White British", measure, windowMonths: 12, asOf: "2025-03", adjust: ADJUSTS[seed % ADJUSTS.length]! };
        const want = plain(referencePrepare(asArray, opts));
        expect(plain(prepareComparison(sub, opts))).toEqual(want);
        expect(plain(prepareComparison(again, opts))).toEqual(want);
        expect(plain(prepareComparison(sub.relabel("Not known", "Ethnic minorities"), opts))).toEqual(plain(referencePrepare(asArray.map((o) => (o.group === "Not known" ? { ...o, group: "Ethnic minorities" } : o)), opts)));
      }
      expect(sub.obs).toEqual(asArray);
    }
  });

  it("experience factors are those summed by string keys, in the same order", () => {
    for (let seed = 30; seed <= 33; seed++) {
      const obs = randomObs(seed);
      const want = referenceExperienceFactors(obs, FAIRNESS_MEASURES);
      const got = experienceFactors(obs, FAIRNESS_MEASURES);
      expect([...got.entries()]).toEqual([...want.entries()]);
      expect([...experienceFactors(EncodedObs.of(obs), FAIRNESS_MEASURES).entries()]).toEqual([...want.entries()]);
    }
  });
});

describe("the resampling kernel", () => {
  it("draws the numbers of createRng", () => {
    for (const seed of [0, 1, 72, 20261122, 0xffffffff]) {
      const a = createRng(seed);
      const b = createStream(seed);
      for (let k = 0; k < 2000; k++) {
        const n = [1, 2, 3, 7, 1000, 0x1fffff, 0x200000, 0x200001, 0x7fffffff, 4294967296][k % 10]!;
        expect(b.nextInt(n)).toBe(a.nextInt(n));
        if (k % 97 === 0) expect(b.nextUint32()).toBe(a.nextUint32());
        if (k % 101 === 0) expect(b.nextFloat()).toBe(a.nextFloat());
        if (k % 103 === 0) expect(b.nextNormal()).toBe(a.nextNormal());
      }
    }
  });

  it("draws a resample's weights as the loop over nextInt did", () => {
    const cells = [1, 2, 5, 1, 30, 3, 1000];
    const start = Int32Array.from([0, ...cells.map((_, i) => cells.slice(0, i + 1).reduce((x, y) => x + y, 0))]);
    const W = start[start.length - 1]!;
    const workers = Int32Array.from({ length: W }, (_, i) => (i * 7919) % W);
    const a = createRng(5);
    const b = createStream(5);
    const want = new Float64Array(W);
    const got = new Float64Array(W);
    for (let rep = 0; rep < 50; rep++) {
      want.fill(0);
      for (let k = 0; k < cells.length; k++) {
        const c0 = start[k]!;
        const n = start[k + 1]! - c0;
        if (n === 1) {
          want[workers[c0]!] = 1;
          continue;
        }
        const f = n / (n - 1);
        for (let d = 0; d < n - 1; d++) want[workers[c0 + a.nextInt(n)]!] += f;
      }
      b.drawWeights(start, workers, got);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it("the bootstrap and the permutation test give what they gave over every stratum", () => {
    const mc = { thresholds: [0.8, 1, 1.25], risk: 5e-5 };
    let compared = 0;
    for (let seed = 40; seed <= 45; seed++) {
      const obs = randomObs(seed);
      const factors = experienceFactors(obs, FAIRNESS_MEASURES);
      for (const measure of FAIRNESS_MEASURES) {
        for (const [group, reference] of [["Ethnic minorities", "White British"], ["Not known", "White British"]]) {
          const p = prepareComparison(obs, { group, reference, measure, windowMonths: 12, asOf: "2025-03", adjust: ADJUSTS[(seed + compared) % ADJUSTS.length]!, experienceFactors: factors });
          if (p.W < 2) continue;
          const df = welchDf(p);
          const set = { max: 1999, early: true, alpha: 0.05, ciAlpha: expandedAlpha(0.05, df), df, fewWorkers: false };
          for (const settings of [set, { ...set, mc }, { ...set, max: 3000, early: false }]) {
            const want = referenceBootstrap(p, createRng(seed), settings);
            expect(bootstrap(p, createStream(seed), settings)).toEqual(want);
            expect(bootstrap(p, createRng(seed), settings)).toEqual(want);
          }
          for (const [max, stopAt, pmc] of [[399, 50, undefined], [999, Infinity, { thresholds: [0.01, 0.05], risk: 5e-5 }], [199, Infinity, undefined]] as const) {
            const want = referencePermutationTest(p, createRng(seed + 1), max, stopAt, pmc);
            expect(permutationTest(p, createStream(seed + 1), max, stopAt, pmc)).toEqual(want);
          }
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(80);
  });

  it("leaves out only strata that no shuffle can give both groups", () => {
    for (let seed = 50; seed <= 53; seed++) {
      const obs = randomObs(seed);
      for (const measure of ["points_per_case", "new_points_per_case", "review_requested"] as FairnessMeasure[]) {
        const p = prepareComparison(obs, { group: "Ethnic minorities", reference: "White British", measure, windowMonths: 12, asOf: "2025-03" });
        const keep = strataAPermutationCanMix(p);
        const rng = createRng(seed);
        const labels = Uint8Array.from(p.isGroup);
        const acc = new Float64Array(6 * p.S);
        for (let rep = 0; rep < 300; rep++) {
          for (let k = 0; k + 1 < p.permCellStart.length; k++) {
            const c0 = p.permCellStart[k]!;
            for (let i = p.permCellStart[k + 1]! - c0 - 1; i > 0; i--) {
              const j = rng.nextInt(i + 1);
              const wi = p.permCellWorkers[c0 + i]!;
              const wj = p.permCellWorkers[c0 + j]!;
              [labels[wi], labels[wj]] = [labels[wj]!, labels[wi]!];
            }
          }
          accumulate(p, labels, null, acc);
          for (let s = 0; s < p.S; s++) if (acc[2 * p.S + s]! > 0 && acc[5 * p.S + s]! > 0) expect(keep[s]).toBe(1);
        }
        const kept = keepStrata(p, keep);
        accumulate(p, p.isGroup, null, acc);
        const accK = new Float64Array(6 * kept.S);
        accumulate(kept, kept.isGroup, null, accK);
        expect(ratioFromAcc(accK, kept.S)).toBe(ratioFromAcc(acc, p.S));
      }
    }
  });
});

// ---------------------------------------------------------------------------
// The reference: prepareComparison as it was before issue 16 (string keys), unchanged.

/** Numerator and denominator of one observation for a measure, or null when not applicable. */
function numDen(o: WorkerMonthObs, measure: FairnessMeasure): [number, number, boolean] | null {
  const v = o.values[measure];
  if (!isNum(v)) return null;
  const n = o.num?.[measure];
  const d = o.den?.[measure];
  if (n !== undefined && d !== undefined) {
    if (!isNum(n) || !isNum(d) || !(d > 0)) return null;
    return [n, d, true];
  }
  return [v, 1, false];
}

/**
 * Filters the observations to the window and the two groups, checks them, and
 * builds the typed-array sufficient statistics used by every resample.
 *
 * @param obs - worker-months of one scope
 * @param opts - the comparison (group, reference, measure, window, adjust)
 * @returns the prepared comparison
 */
function referencePrepare(
  obs: readonly WorkerMonthObs[],
  opts: Pick<AuditOptions, "group" | "reference" | "measure" | "windowMonths" | "asOf" | "adjust" | "experienceFactors"> & { monthStrata?: boolean },
): PreparedComparison {
  if (opts.group === opts.reference) throw new RangeError("group and reference must differ");
  if (!(opts.measure in FAIRNESS_MEASURE_DEFS)) throw new RangeError(`unknown measure "${opts.measure}"`);
  const win = windowOf(opts.asOf, opts.windowMonths);
  const adjust = opts.adjust ?? ["service", "team", "role", "fte_band"];
  const useTeam = adjust.includes("team");
  const useRole = adjust.includes("role");
  const useBand = adjust.includes("fte_band");
  // experience: standardised by the factors when given (no strata split), else strata by band
  const stdExperience = adjust.includes("experience") && opts.experienceFactors !== undefined && !workerLevelOf(opts.measure);
  const useExperience = adjust.includes("experience") && !stdExperience;
  const useEmployment = adjust.includes("employment");
  const workerLevel = FAIRNESS_MEASURE_DEFS[opts.measure].level === "worker";
  // window strata (new allocations): one stratum over the window, placed in its last month
  const windowStrata = FAIRNESS_MEASURE_DEFS[opts.measure].strata === "window" && !opts.monthStrata;

  /** n: the numerator as compared (experience-standardised when asked); raw: as recorded (for the unadjusted ratio). */
  interface Row { w: number; month: number; s: string; u: string; n: number; raw: number; d: number; extra: string }
  const rows: Row[] = [];
  const workerIndex = new Map<string, number>();
  const workerIds: string[] = [];
  const lastLabel: { month: number; lab: number }[] = [];
  const cellCounts: Map<string, { n: number; last: number }>[] = [];
  let withNumDen = 0;
  let withoutNumDen = 0;
  const monthOf = new Map<string, number>();
  for (const o of obs) {
    const lab = o.group === opts.group ? 1 : o.group === opts.reference ? 0 : -1;
    if (lab < 0) continue;
    let mi = monthOf.get(o.period);
    if (mi === undefined) monthOf.set(o.period, (mi = monthIndex(o.period)));
    if (mi < win.start || mi > win.end) continue;
    const nd = numDen(o, opts.measure);
    if (!nd) continue;
    if (nd[2]) withNumDen++;
    else withoutNumDen++;
    let w = workerIndex.get(o.worker_id);
    if (w === undefined) {
      w = workerIds.length;
      workerIndex.set(o.worker_id, w);
      workerIds.push(o.worker_id);
      lastLabel.push({ month: -Infinity, lab });
      cellCounts.push(new Map());
    }
    if (mi >= lastLabel[w].month) lastLabel[w] = { month: mi, lab };
    const cellKey = `${o.service}\u0001${o.team}\u0001${o.role}`;
    const cc = cellCounts[w].get(cellKey);
    if (cc) {
      cc.n++;
      cc.last = Math.max(cc.last, mi);
    } else cellCounts[w].set(cellKey, { n: 1, last: mi });
    const month = windowStrata ? win.end - win.start : mi - win.start;
    const extra = [useBand ? o.fte_band : "", useExperience ? (o.experience_band ?? "not recorded") : "", useEmployment ? (o.employment ?? "not recorded") : ""].join("\u0001");
    const s = [o.service, useTeam ? o.team : "", useRole ? o.role : "", extra, month].join("\u0001");
    const u = `${o.service}\u0001${month}`;
    const factor = stdExperience ? (opts.experienceFactors!.get(experienceKey(o.service, o.role, o.experience_band ?? "not recorded", opts.measure)) ?? 1) : 1;
    rows.push({ w, month, s, u, n: nd[0] / factor, raw: nd[0], d: nd[1], extra });
  }
  if (workerLevel) collapseToWorkers();

  /**
   * A worker-level measure (review_requested): one observation per worker over the window, 1 if
   * it happened in any month, in the stratum of the worker's modal service, team and role (and
   * latest adjusted characteristics), without month.
   */
  function collapseToWorkers(): void {
    const last = nMonthsOf();
    const byWorker = new Map<number, { n: number; extra: string; month: number }>();
    for (const r of rows) {
      const b = byWorker.get(r.w);
      if (!b) byWorker.set(r.w, { n: r.n > 0 ? 1 : 0, extra: r.extra, month: r.month });
      else {
        if (r.n > 0) b.n = 1;
        if (r.month >= b.month) {
          b.month = r.month;
          b.extra = r.extra;
        }
      }
    }
    rows.length = 0;
    for (const [w, b] of byWorker) {
      const [service, team, role] = modeKey(cellCounts[w]).split("\u0001");
      const s = [service, useTeam ? team : "", useRole ? role : "", b.extra, "worker"].join("\u0001");
      rows.push({ w, month: last - 1, s, u: `${service}\u0001worker`, n: b.n, raw: b.n, d: 1, extra: b.extra });
    }
  }
  function nMonthsOf(): number {
    return win.end - win.start + 1;
  }
  if (withNumDen > 0 && withoutNumDen > 0) {
    throw new RangeError(`measure ${opts.measure}: some worker-months give num/den and others only a value; give num/den for all or none`);
  }

  const W = workerIds.length;
  const isGroup = new Uint8Array(W);
  for (let w = 0; w < W; w++) isGroup[w] = lastLabel[w].lab;

  // strata ids
  const stratumIndex = new Map<string, number>();
  const stratumMonthList: number[] = [];
  const rowStratum = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    let s = stratumIndex.get(r.s);
    if (s === undefined) {
      s = stratumMonthList.length;
      stratumIndex.set(r.s, s);
      stratumMonthList.push(r.month);
    }
    rowStratum[i] = s;
  });
  const S = stratumMonthList.length;

  // entries: (worker, stratum) sums, grouped by worker
  const order = rows.map((_, i) => i).sort((a, b) => rows[a].w - rows[b].w || rowStratum[a] - rowStratum[b]);
  const eS: number[] = [];
  const eN: number[] = [];
  const eD: number[] = [];
  const eC: number[] = [];
  const wStart = new Int32Array(W + 1);
  let prevW = -1;
  let prevS = -1;
  for (const i of order) {
    const w = rows[i].w;
    const s = rowStratum[i];
    if (w !== prevW) {
      for (let k = prevW + 1; k <= w; k++) wStart[k] = eS.length;
      prevW = w;
      prevS = -1;
    }
    if (s !== prevS) {
      eS.push(s);
      eN.push(0);
      eD.push(0);
      eC.push(0);
      prevS = s;
    }
    const last = eS.length - 1;
    eN[last] += rows[i].n;
    eD[last] += rows[i].d;
    eC[last] += 1;
  }
  for (let k = prevW + 1; k <= W; k++) wStart[k] = eS.length;

  // unadjusted ratio: strata service x month
  const uIndex = new Map<string, number>();
  const uSums: number[][] = [];
  for (const r of rows) {
    let u = uIndex.get(r.u);
    if (u === undefined) {
      u = uSums.length;
      uIndex.set(r.u, u);
      uSums.push([0, 0, 0, 0, 0, 0]);
    }
    const base = isGroup[r.w] ? 0 : 3;
    uSums[u][base] += r.raw;
    uSums[u][base + 1] += r.d;
    uSums[u][base + 2] += 1;
  }
  const col = (j: number) => uSums.map((x) => x[j]);
  const ru = mhFromSums(col(0), col(1), col(2), col(3), col(4), col(5), uSums.length);

  // modal cells
  const cellOf: string[] = [];
  const teamOf: string[] = [];
  for (let w = 0; w < W; w++) {
    const k = modeKey(cellCounts[w]);
    cellOf.push(k);
    teamOf.push(k.slice(0, k.lastIndexOf("\u0001")));
  }
  const boot = toCsr(bootstrapCells(isGroup, teamOf, cellOf));
  const permMap = new Map<string, number[]>();
  for (let w = 0; w < W; w++) {
    const list = permMap.get(cellOf[w]);
    if (list) list.push(w);
    else permMap.set(cellOf[w], [w]);
  }
  const permCells = [...permMap.values()].filter((c) => c.some((w) => isGroup[w] === 1) && c.some((w) => isGroup[w] === 0));
  const perm = toCsr(permCells);

  let nWmGroup = 0;
  let nWmRef = 0;
  for (const r of rows) {
    if (isGroup[r.w]) nWmGroup++;
    else nWmRef++;
  }
  let nWorkersGroup = 0;
  for (let w = 0; w < W; w++) nWorkersGroup += isGroup[w];

  return {
    W,
    S,
    workerIds,
    isGroup,
    wStart,
    eStratum: Int32Array.from(eS),
    eNum: Float64Array.from(eN),
    eDen: Float64Array.from(eD),
    eCnt: Float64Array.from(eC),
    stratumMonth: Int32Array.from(stratumMonthList),
    nMonths: win.end - win.start + 1,
    bootCellStart: boot.start,
    bootCellWorkers: boot.workers,
    permCellStart: perm.start,
    permCellWorkers: perm.workers,
    ratioUnadjusted: Number.isFinite(ru) || ru === Infinity ? ru : null,
    nWorkersGroup,
    nWorkersRef: W - nWorkersGroup,
    nWmGroup,
    nWmRef,
  };
}

function modeKey(counts: Map<string, { n: number; last: number }>): string {
  let best = "";
  let bn = -1;
  let bl = -1;
  for (const [k, v] of counts) {
    if (v.n > bn || (v.n === bn && (v.last > bl || (v.last === bl && k < best)))) {
      best = k;
      bn = v.n;
      bl = v.last;
    }
  }
  return best;
}

/** Flattens a list of worker-index lists into CSR arrays. */
function toCsr(cells: number[][]): { start: Int32Array; workers: Int32Array } {
  const start = new Int32Array(cells.length + 1);
  let total = 0;
  cells.forEach((c, i) => {
    start[i] = total;
    total += c.length;
  });
  start[cells.length] = total;
  const workers = new Int32Array(total);
  let p = 0;
  for (const c of cells) for (const w of c) workers[p++] = w;
  return { start, workers };
}

/**
 * Bootstrap cells: workers of one group with the same modal (service, team,
 * role). Cells of one worker cannot vary under resampling and would make the
 * interval too narrow, so singletons are pooled: first within group x team,
 * then within the group; a single worker left over joins the group's largest
 * cell.
 */
function bootstrapCells(labelOf: Uint8Array, teamOf: string[], cellOf: string[]): number[][] {
  const out: number[][] = [];
  for (const lab of [1, 0]) {
    const byCell = new Map<string, number[]>();
    for (let w = 0; w < labelOf.length; w++) {
      if (labelOf[w] !== lab) continue;
      const k = cellOf[w];
      const list = byCell.get(k);
      if (list) list.push(w);
      else byCell.set(k, [w]);
    }
    const mine: number[][] = [];
    const singles: number[] = [];
    for (const c of byCell.values()) {
      if (c.length >= 2) mine.push(c);
      else singles.push(c[0]);
    }
    const byTeam = new Map<string, number[]>();
    for (const w of singles) {
      const list = byTeam.get(teamOf[w]);
      if (list) list.push(w);
      else byTeam.set(teamOf[w], [w]);
    }
    const left: number[] = [];
    for (const c of byTeam.values()) {
      if (c.length >= 2) mine.push(c);
      else left.push(c[0]);
    }
    if (left.length >= 2) mine.push(left);
    else if (left.length === 1) {
      if (mine.length > 0) {
        let big = 0;
        for (let i = 1; i < mine.length; i++) if (mine[i].length > mine[big].length) big = i;
        mine[big].push(left[0]);
      } else mine.push(left);
    }
    out.push(...mine);
  }
  return out;
}

// The bootstrap, permutation test and experience factors as they were before issue 16.

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
 *
 * With `set.mc` (Gandy 2009 applied to quantiles): resamples are drawn in
 * batches (checkpoints 999, 1999, 3999, ..., `max`); at each checkpoint,
 * for each percentile endpoint (the ciAlpha/2 and 1 - ciAlpha/2 quantiles of
 * log R*), the distribution-free interval for the ideal (infinite-resample)
 * quantile from the order statistics ({@link quantileInterval}), at
 * confidence 1 - mc.risk / (3 x number of checkpoints); the bootstrap stops
 * as soon as no threshold lies inside either endpoint's interval (every
 * comparison "endpoint > t" is then known), or at `max` (`settled` false).
 * When some replicates are undefined, the share's Clopper-Pearson interval
 * must also lie on one side of the 1% above which no CI is reported (with no
 * undefined replicate this check is skipped: at the 999 replicates of the
 * first checkpoint a true share of 1% would show none with probability
 * 4e-5). It also stops, unsettled, when an unsettled threshold could only be
 * settled by an order statistic of rank 0 or above `max` (the extreme
 * quantiles of the expanded interval for very few workers: no resampling
 * within the budget can settle it). The resampling itself is unchanged, so
 * the same stream gives the same replicates with or without `mc`.
 *
 * @returns the summary, the resamples drawn and (with `mc`) whether every threshold is settled
 */
function referenceBootstrap(p: PreparedComparison, rng: Rng, set: BootSettings): { summary: BootstrapSummary; used: number; settled: boolean | null; unsettled: number[] } {
  const mc = set.mc;
  const checks = mc ? checkpoints(FIRST_BOOTSTRAP_BATCH, set.max) : [];
  const lookRisk = mc ? mc.risk / (3 * checks.length) : 0;
  const logThresholds = mc ? mc.thresholds.map(Math.log) : [];
  let next = 0;
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
    if (mc) {
      if (used === checks[next]) {
        next++;
        const summary = summariseBootstrap(logs, used, set.ciAlpha);
        const { state, unsettled } = bootstrapState(logs, used, summary, set.ciAlpha, logThresholds, lookRisk, set.max);
        if (state !== "open" || used === set.max) return { summary, used, settled: state === "settled", unsettled: unsettled.map(Math.exp) };
      }
      continue;
    }
    if (set.early && used % CHECK_EVERY === 0 && used < set.max) {
      const cur = summariseBootstrap(logs, used, set.ciAlpha);
      const mde = minimumDetectableRatio(cur.se, set.alpha, 0.8, set.df);
      if (used === CHECK_EVERY && (set.fewWorkers || mde > CLEARLY_TOO_FEW_MDE || cur.low === null)) return { summary: cur, used, settled: null, unsettled: [] };
      if (used >= MIN_STABLE && prev && cur.low !== null && prev.low !== null && cur.high !== null && prev.high !== null) {
        const pm = minimumDetectableRatio(prev.se, set.alpha, 0.8, set.df);
        if (
          Math.abs(cur.low - prev.low) < STABLE_TOL &&
          Math.abs(cur.high - prev.high) < STABLE_TOL &&
          Math.abs(mde - pm) < STABLE_TOL
        ) return { summary: cur, used, settled: null, unsettled: [] };
      }
      prev = cur;
    }
  }
  return { summary: summariseBootstrap(logs, used, set.ciAlpha), used, settled: null, unsettled: [] };
}

/**
 * State of the stopping rule (thresholds on the log scale), see {@link bootstrap}: "settled"
 * when every threshold is settled for both endpoints; "futile" when some threshold is unsettled
 * and the bound that would settle it is an order statistic of rank outside 1..max even at the
 * budget (an extreme expanded level, q < ~ln(1/risk)/max: no number of resamples within the budget
 * can settle it, so the bootstrap stops and reports it unsettled); else "open". `unsettled`: the
 * thresholds some endpoint is not yet settled against (all of them while the undefined share is),
 * so that a verdict can use the decisions that are settled.
 */
function bootstrapState(
  logs: Float64Array,
  count: number,
  summary: BootstrapSummary,
  ciAlpha: number,
  logThresholds: readonly number[],
  risk: number,
  max: number,
): { state: "settled" | "open" | "futile"; unsettled: number[] } {
  const nUndefined = count - summary.valid;
  const all = [...logThresholds];
  if (summary.low === null || summary.high === null) {
    // no CI reported: settled when the undefined share is surely above the limit
    if (nUndefined === 0) return { state: "open", unsettled: all };
    return clopperPearson(nUndefined, count, risk)[0] > MAX_UNDEFINED_SHARE ? { state: "settled", unsettled: [] } : { state: "open", unsettled: all };
  }
  if (nUndefined > 0 && !(clopperPearson(nUndefined, count, risk)[1] <= MAX_UNDEFINED_SHARE)) return { state: "open", unsettled: all };
  if (logThresholds.length === 0) return { state: "settled", unsettled: [] };
  const sorted = new Float64Array(summary.valid);
  let n = 0;
  for (let i = 0; i < count; i++) if (!Number.isNaN(logs[i])) sorted[n++] = logs[i];
  sorted.sort();
  const ends: [number, number][] = [
    [ciAlpha / 2, Math.log(summary.low)],
    [1 - ciAlpha / 2, Math.log(summary.high)],
  ];
  let state: "settled" | "open" | "futile" = "settled";
  const unsettled = new Set<number>();
  for (const [q, est] of ends) {
    const [lo, hi] = quantileInterval(sorted, n, q, risk);
    for (const t of logThresholds) if (!ciSettled(est, lo, hi, [t])) unsettled.add(t);
    if (ciSettled(est, lo, hi, logThresholds)) continue;
    if (state === "settled") state = "open";
    const noLowAtBudget = binomialQuantile(risk / 2, max, q) < 1;
    const noHighAtBudget = binomialQuantile(1 - risk / 2, max, q) + 1 > max;
    if (logThresholds.some((t) => (est > t && !(lo > t) && noLowAtBudget) || (est < t && !(hi < t) && noHighAtBudget))) state = "futile";
  }
  return { state, unsettled: [...unsettled].sort((a, b) => a - b) };
}

function referencePermutationTest(p: PreparedComparison, rng: Rng, max: number, stopAt: number, mc?: PermutationMc): PermutationResult | null {
  const acc = new Float64Array(6 * p.S);
  const scr = newScratch(p.S);
  accumulate(p, p.isGroup, null, acc);
  const t0 = studentisedStatistic(p, p.isGroup, acc, scr);
  if (Number.isNaN(t0)) return null;
  const thr = Number.isFinite(t0) ? t0 - 1e-9 * Math.max(1, t0) : t0;
  const labels = Uint8Array.from(p.isGroup);
  const { permCellStart, permCellWorkers } = p;
  const nCells = permCellStart.length - 1;
  const checks = mc ? checkpoints(FIRST_PERMUTATION_BATCH, max) : [max];
  const lookRisk = mc ? mc.risk / checks.length : DEFAULT_MC_RISK;
  let next = 0;
  let exceed = 0;
  for (let b = 1; b <= max; b++) {
    for (let k = 0; k < nCells; k++) {
      const c0 = permCellStart[k];
      for (let i = permCellStart[k + 1] - c0 - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const wi = permCellWorkers[c0 + i];
        const wj = permCellWorkers[c0 + j];
        const t = labels[wi];
        labels[wi] = labels[wj];
        labels[wj] = t;
      }
    }
    accumulate(p, labels, null, acc);
    const t = studentisedStatistic(p, labels, acc, scr);
    if (!(t < thr)) exceed++; // NaN counts as an exceedance
    if (mc) {
      if (b === checks[next]) {
        next++;
        const est = (1 + exceed) / (1 + b);
        const [low, high] = clopperPearson(exceed, b, lookRisk);
        const settled = pSettled(est, low, high, mc.thresholds);
        if (settled || b === max) return { p: est, used: b, exceed, low, high, below: exceed === 0 ? high : null, settled };
      }
    } else if (exceed >= stopAt && b < max) {
      const [low, high] = clopperPearson(exceed, b, lookRisk);
      return { p: exceed / b, used: b, exceed, low, high, below: null, settled: null };
    }
  }
  const [low, high] = clopperPearson(exceed, max, lookRisk);
  return { p: (1 + exceed) / (1 + max), used: max, exceed, low, high, below: exceed === 0 ? high : null, settled: null };
}

function referenceExperienceFactors(obs: readonly WorkerMonthObs[], measures: readonly FairnessMeasure[]): Map<string, number> {
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
