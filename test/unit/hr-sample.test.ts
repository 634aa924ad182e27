/**
 * The sample generator's HR tables (loaders/sample/hr.ts; docs/sample-employer.md, "HR tables"):
 * adding them leaves every other table exactly as it was; the rows are consistent with the
 * monthly returns; and each planted pattern is realised, measured from the rows alone
 * (test/support/hr-measures.ts), where it is planted and only there, and not when turned off.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { HR_TABLE_NAMES, TABLE_NAMES } from "../../core/contract.ts";
import { DEFAULT_SERVICES, generateEmployer, type SampleEmployer, type SampleOptions } from "../../loaders/sample/generator.ts";
import { DEFAULT_HR } from "../../loaders/sample/hr.ts";
import { resolveOptions } from "../../loaders/sample/options.ts";
import { Returns, appointedFromShortlist, appraisalTop, carryOverSlope, reviewReallocated, trainingApproved } from "../support/hr-measures.ts";

const MONTHLY = TABLE_NAMES.filter((t) => !(HR_TABLE_NAMES as readonly string[]).includes(t));
const SAS = "Safeguarding and Support";
const CIC = "Children in Care";
const AGREED = new Map(DEFAULT_SERVICES.map((s) => [s.name, s.caseloadPerFte]));

/**
 * An employer with the power to see the patterns: 240 posts, half ethnic minority, no
 * allocation bias, and caseloads rising 25% a year (so that every group asks for caseload reviews).
 */
const PLANTED: SampleOptions = {
  seed: 1, bias: [], trendPerYear: 0.25, ethnicMinorityShare: 0.5,
  teams: [
    { service: SAS, team: "A", size: 60 }, { service: SAS, team: "B", size: 60 },
    { service: SAS, team: "C", size: 60 }, { service: CIC, team: "D", size: 60 },
  ],
};

let demo: SampleEmployer;
beforeAll(() => {
  demo = generateEmployer();
});

describe("the HR tables beside the monthly returns", () => {
  it("leave every other table exactly as it is without them (their own random stream, the simulation only read)", () => {
    const without = generateEmployer({ hr: false });
    for (const t of MONTHLY) expect(JSON.stringify(demo.tables[t]), t).toBe(JSON.stringify(without.tables[t]));
    for (const t of HR_TABLE_NAMES) {
      expect(without.tables[t], t).toEqual([]);
      expect(demo.tables[t].length, t).toBeGreaterThan(50);
    }
  });

  it("are consistent with the monthly returns", () => {
    const ret = new Returns(demo.tables);
    // every HR row's worker is in worker_month that month (leave: in the leave year)
    for (const t of ["appraisal", "progression", "training"] as const) for (const r of demo.tables[t]) expect(ret.wm.has(`${r.period}|${r.worker_id}`), `${t} ${r.worker_id} ${r.period}`).toBe(true);
    // one request for each worker-month that flags review_requested, in that month
    const flagged = demo.tables.worker_month.filter((r) => r.review_requested === true).map((r) => `${r.period}|${r.worker_id}`).sort();
    expect(demo.tables.review_request.map((r) => `${(r.requested_on as string).slice(0, 7)}|${r.worker_id}`).sort()).toEqual(flagged);
    for (const r of demo.tables.review_request) {
      expect(r.outcome === "pending", JSON.stringify(r)).toBe(r.resolved_on === null);
      if (r.resolved_on !== null) expect(r.resolved_on >= r.requested_on!).toBe(true);
      expect(r.resolved_on === null || r.resolved_on <= "2026-09-30").toBe(true);
    }
    // appointments to vacancies only from the shortlist; each key once
    for (const p of demo.tables.progression) if (p.route === "vacancy" && p.outcome === "appointed") expect(p.shortlisted).toBe(true);
    const keys = (t: string, cols: string[]) => new Set(demo.tables[t].map((r) => cols.map((c) => r[c]).join("|"))).size;
    expect(keys("appraisal", ["worker_id", "period"])).toBe(demo.tables.appraisal.length);
    expect(keys("leave", ["worker_id", "leave_year"])).toBe(demo.tables.leave.length);
    // leave adds up: days taken and carried over are within what was available
    for (const l of demo.tables.leave) expect((l.taken_days as number) + (l.carried_over_days as number) + (l.paid_in_lieu_days as number)).toBeLessThanOrEqual((l.entitlement_days as number) + 366);
    // appraisals only in April to June, on the default scale
    for (const a of demo.tables.appraisal) {
      expect(["04", "05", "06"]).toContain((a.period as string).slice(5));
      expect(["Exceeds", "Fully meets", "Partly meets", "Does not meet"]).toContain(a.rating);
    }
  });

  it("refuses bad HR options with a message", () => {
    expect(() => generateEmployer({ months: 3, hr: { service: "Adult Mental Health" } })).toThrow(/hr: unknown service/);
    expect(() => generateEmployer({ months: 3, hr: { appointLR: 0 } })).toThrow(/hr: appointLR must be > 0/);
    expect(() => generateEmployer({ months: 3, hr: { ratingTopLR: 4 } })).toThrow(/hr: ratingTopLR must be > 0 and at most/);
    expect(() => generateEmployer({ months: 3, hr: { carryOverPerExcess: -1 } })).toThrow(/carryOverPerExcess/);
    expect(resolveOptions({}).hr).toEqual({ service: SAS, ...DEFAULT_HR });
    expect(resolveOptions({ services: [CIC] }).hr?.service).toBe(CIC);
  });
});

describe("the demo's planted patterns (Safeguarding and Support)", () => {
  it("top ratings: about 0.6 at the same workload, lower still before workload is allowed for", () => {
    const a = appraisalTop(new Returns(demo.tables), SAS);
    expect(a.adjusted).toBeGreaterThan(0.45);
    expect(a.adjusted).toBeLessThan(0.75);
    // the planted team's ethnic-minority workers carry heavier caseloads, and overloaded workers are rated top less often
    expect(a.crude).toBeLessThan(a.adjusted);
    expect(a.bands.high.em.n).toBeGreaterThan(a.bands.high.wb.n);
  });

  it("appointments from shortlisting and reallocations after review requests are rarer for ethnic-minority workers", () => {
    const ret = new Returns(demo.tables);
    // the demo has a score of appointment decisions in the service, too few for the planted 0.6 to
    // show reliably (it does in the larger employer below); here only that there are some
    const p = appointedFromShortlist(ret, SAS);
    expect(Number.isFinite(p.ratio)).toBe(true);
    // almost every review request comes from the planted team's overloaded ethnic-minority workers:
    // their reallocation rate is the planted 0.45 x 0.6
    const r = reviewReallocated(ret, SAS);
    expect(r.counts.em.n).toBeGreaterThan(40);
    expect(r.counts.em.yes / r.counts.em.n).toBeCloseTo(0.45 * 0.6, 1);
  });

  it("leave carried over rises with the team's caseload above the agreed level: in the busiest teams", () => {
    const { slope, points } = carryOverSlope(new Returns(demo.tables), AGREED);
    expect(slope).toBeGreaterThan(15);
    expect(slope).toBeLessThan(40);
    const last = Math.max(...points.map((p) => p.year));
    const first = Math.min(...points.map((p) => p.year));
    const busiest = points.filter((p) => p.year === last).sort((a, b) => b.excess - a.excess).slice(0, 3).map((p) => p.team);
    expect(busiest.length).toBe(3);
    const mean = (year: number, inBusiest: boolean) => {
      const xs = points.filter((p) => p.year === year && busiest.includes(p.team) === inBusiest);
      return xs.reduce((s, p) => s + p.carried, 0) / xs.length;
    };
    expect(mean(last, true)).toBeGreaterThan(2 * mean(first, true));
    expect(mean(last, true)).toBeGreaterThan(2 * mean(last, false));
    // turned off, it is gone
    const off = carryOverSlope(new Returns(generateEmployer({ hr: { carryOverPerExcess: 0 } }).tables), AGREED);
    expect(Math.abs(off.slope)).toBeLessThan(8);
  });
});

describe("planted in another employer, measured from its rows", () => {
  it("each ratio as planted in its service (and training, not planted, about 1)", () => {
    const ret = new Returns(generateEmployer(PLANTED).tables);
    const a = appraisalTop(ret, SAS);
    expect(a.adjusted).toBeGreaterThan(0.5);
    expect(a.adjusted).toBeLessThan(0.7);
    const p = appointedFromShortlist(ret, SAS);
    expect(p.counts.em.n + p.counts.wb.n).toBeGreaterThan(60);
    expect(p.ratio).toBeGreaterThan(0.45);
    expect(p.ratio).toBeLessThan(0.75);
    expect(reviewReallocated(ret, SAS).ratio).toBeCloseTo(0.6, 1);
    expect(Math.abs(trainingApproved(ret, SAS).ratio - 1)).toBeLessThan(0.1);
    // not in the other service
    expect(Math.abs(reviewReallocated(ret, CIC).ratio - 1)).toBeLessThan(0.1);
  });

  it("turned off, each is about 1; a training ratio can be planted too", () => {
    const ret = new Returns(generateEmployer({ ...PLANTED, hr: { ratingTopLR: 1, appointLR: 1, reviewReallocLR: 1, trainingApproveLR: 0.6 } }).tables);
    expect(Math.abs(appraisalTop(ret, SAS).adjusted - 1)).toBeLessThan(0.15);
    expect(Math.abs(appointedFromShortlist(ret, SAS).ratio - 1)).toBeLessThan(0.2);
    expect(Math.abs(reviewReallocated(ret, SAS).ratio - 1)).toBeLessThan(0.05);
    expect(trainingApproved(ret, SAS).ratio).toBeCloseTo(0.6, 1);
  });

  it("planted in another service, it moves there", () => {
    const ret = new Returns(generateEmployer({ ...PLANTED, hr: { service: CIC } }).tables);
    expect(reviewReallocated(ret, CIC).ratio).toBeCloseTo(0.6, 1);
    expect(appraisalTop(ret, CIC).adjusted).toBeLessThan(0.8);
    expect(Math.abs(reviewReallocated(ret, SAS).ratio - 1)).toBeLessThan(0.05);
    expect(Math.abs(appraisalTop(ret, SAS).adjusted - 1)).toBeLessThan(0.25);
  });
});
