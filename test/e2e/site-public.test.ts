/**
 * The public build (`buildSite(ws, { public: true })`, bin/site.ts) of the sample employer leaks
 * nothing that src/data/mart.ts promises to withhold:
 *
 * - no worker identifier (worker_month, staff) and no case reference (case_month) appears, as a
 *   whole token, in any file of the output (HTML, JS, JSON, CSV, everything);
 * - every count of people in the data files is null, 0 or at least the minimum group size, both
 *   the named count fields and the values of measures counted in workers (ref_measures unit
 *   "workers") wherever a series or headline publishes them;
 * - nothing withheld can be worked out by subtraction: for the fairness results (a service's
 *   teams add up to the service, services to the employer, the reporting groups of a scope to its
 *   headcount, the ONS groups to ethnic minorities, the subgroups of an intersection to the
 *   whole) and for caseload safety (the teams of a service in a month add up to the service), no
 *   constraint set has exactly one withheld cell (`recoverableCells`, pipelines/disclosure.ts;
 *   the small-cell rule of ONS / NHS Digital practice);
 * - the workers loader gives [], every page carries the public note and no worker-level table.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recoverableCells } from "../../pipelines/disclosure.ts";
import { query } from "../support/helpers.ts";
import { PAGES, type SiteFixture, browserSkipReason, buildSampleSite, findTokens, launchChromium, listFiles, newLoggedPage, offOrigin, openPage } from "../support/site-helpers.ts";

const skip = browserSkipReason();
if (skip) console.warn(`site-public: browser checks skipped: ${skip}`);

/** Fields that count people (src/data loaders). */
const COUNT_FIELDS = new Set([
  "n_workers_group",
  "n_workers_reference",
  "headcount",
  "workers_above_caseload_ceiling",
  "workers_above_points_ceiling",
  "reviews_requested",
  "group_total",
  "group_senior",
  "reference_total",
  "reference_senior",
  "not_known",
]);

const CASELOAD_COUNTS = ["headcount", "workers_above_caseload_ceiling", "workers_above_points_ceiling", "reviews_requested"] as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, Json>;

/** Every (path, value) of a count field anywhere in `value`; columnar arrays give one entry per element. */
function countsIn(value: Json, path = ""): { path: string; value: Json }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => countsIn(v, `${path}[${i}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${path}.${k}`;
    if (COUNT_FIELDS.has(k)) return Array.isArray(v) ? v.map((x, i) => ({ path: `${here}[${i}]`, value: x })) : [{ path: here, value: v }];
    return countsIn(v, here);
  });
}

/** A count may be published when it is null (withheld), 0 (describes nobody) or at least `min`. */
const publishable = (v: Json, min: number) => v === null || v === 0 || (typeof v === "number" && v >= min);

/** Columnar {col: [...]} back into rows (as src/components/format.js `rows`). */
function rowsOf(columnar: Record<string, Json[]>): Obj[] {
  const cols = Object.keys(columnar);
  const n = cols.length ? columnar[cols[0]].length : 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map((c) => [c, columnar[c][i]])));
}

/**
 * Cells of the published fairness results: one per measure, scope, group and subgroup, holding
 * the group's worker count (n_workers_group) or the reference's (n_workers_reference). A cell
 * is withheld when every row that carries it has it null; one published anywhere is known.
 */
function fairnessCells(rows: Obj[]): { value: Map<string, number | null>; constraints: string[][] } {
  const scopeKey = (r: Obj) => (r.scope === "employer" ? "employer" : r.scope === "service" ? `service:${r.service}` : `team:${r.service}/${r.team}`);
  const id = (measure: Json, scope: string, group: Json, sub: Json) => `${measure}|${scope}|${group}|${sub ?? ""}`;
  const value = new Map<string, number | null>();
  // a suppressed row's counts are withheld whatever placeholder it carries
  const put = (key: string, v: Json, suppressed: boolean) => {
    if (!suppressed && typeof v === "number") value.set(key, v);
    else if (!value.has(key)) value.set(key, null);
  };
  for (const r of rows) {
    put(id(r.measure, scopeKey(r), r.group, r.subgroup), r.n_workers_group, r.suppressed === true);
    put(id(r.measure, scopeKey(r), r.reference_group, r.subgroup), r.n_workers_reference, r.suppressed === true);
  }
  const measures = [...new Set(rows.map((r) => String(r.measure)))];
  const subgroups = [...new Set(rows.map((r) => (r.subgroup ?? null) as string | null))];
  const scopes = [...new Set(rows.map(scopeKey))];
  const services = [...new Set(rows.filter((r) => r.scope === "service").map((r) => String(r.service)))];
  const teamsOf = (s: string) => [...new Set(rows.filter((r) => r.scope === "team" && r.service === s).map((r) => String(r.team)))];
  const reference = [...new Set(rows.map((r) => String(r.reference_group)))];
  const reporting = [...new Set([...rows.filter((r) => r.comparison !== "ons_group").map((r) => String(r.group)), ...reference])];
  const ons = [...new Set(rows.filter((r) => r.comparison === "ons_group").map((r) => String(r.group)))];
  const groups = [...new Set([...reporting, ...ons])];
  // the scope levels at which a group (with a subgroup) is reported at all: ONS groups and the
  // intersections stop at services, so their missing team cells are unknown, not zero
  const levels = new Map<string, Set<Json>>();
  for (const r of rows) {
    for (const g of [r.group, r.reference_group]) {
      const k = `${g}|${r.subgroup ?? ""}`;
      levels.set(k, (levels.get(k) ?? new Set()).add(r.scope));
    }
  }
  const reportedAt = (g: string, sub: string | null, level: string) => levels.get(`${g}|${sub ?? ""}`)?.has(level) ?? false;
  const constraints: string[][] = [];
  for (const m of measures) {
    for (const sub of subgroups) {
      for (const g of groups) {
        // services add up to the employer, a service's teams to the service
        if (reportedAt(g, sub, "service")) constraints.push([id(m, "employer", g, sub), ...services.map((s) => id(m, `service:${s}`, g, sub))]);
        if (reportedAt(g, sub, "team")) for (const s of services) constraints.push([id(m, `service:${s}`, g, sub), ...teamsOf(s).map((t) => id(m, `team:${s}/${t}`, g, sub))]);
      }
      for (const sc of scopes) {
        // the reporting groups of a scope add up to its headcount; the ONS groups to ethnic minorities
        constraints.push(reporting.map((g) => id(m, sc, g, sub)));
        if (ons.length) constraints.push([id(m, sc, "Ethnic minorities", sub), ...ons.map((g) => id(m, sc, g, sub))]);
      }
    }
    // the subgroups of one intersection (gender, or role) add up to the whole
    for (const kind of ["gender", "role"]) {
      const subs = [...new Set(rows.filter((r) => r.comparison === kind).map((r) => String(r.subgroup)))];
      if (!subs.length) continue;
      for (const sc of scopes) for (const g of reporting) constraints.push([id(m, sc, g, null), ...subs.map((s) => id(m, sc, g, s))]);
    }
  }
  // where a group is reported, a cell no row carries (nobody of that group there) is a known
  // zero, not a withheld cell; a set left with one cell says nothing
  return { value, constraints: constraints.map((set) => set.filter((c) => value.has(c))).filter((set) => set.length > 1) };
}

/**
 * Caseload cells per month, service and count field: a team's published count, or withheld when
 * it is null or when the team sent that month's return (returns.json lists it) but its row was
 * left out of caseload.json. The service's total is taken as known (mart.ts suppressCounts
 * assumes it is published; for reviews_requested the service series is).
 */
function caseloadSets(caseload: Obj[], received: Obj[], field: string): { withheld: Set<string>; constraints: string[][] } {
  const sets = new Map<string, Map<string, Json>>();
  const key = (r: Obj) => `${r.period}|${r.service}`;
  for (const r of received) {
    if (!r.worker_return) continue;
    const m = sets.get(key(r)) ?? new Map<string, Json>();
    m.set(`${key(r)}|${r.team}`, null);
    sets.set(key(r), m);
  }
  for (const r of caseload) {
    const m = sets.get(key(r)) ?? new Map<string, Json>();
    m.set(`${key(r)}|${r.team}`, r[field] ?? null);
    sets.set(key(r), m);
  }
  const withheld = new Set<string>();
  for (const m of sets.values()) for (const [id, v] of m) if (v === null) withheld.add(id);
  return { withheld, constraints: [...sets.values()].map((m) => [...m.keys()]) };
}

describe("public build of the sample employer", () => {
  let site: SiteFixture;
  let min: number;
  const data = new Map<string, Json>();

  beforeAll(async () => {
    site = await buildSampleSite({ public: true, resamples: 999 });
    min = site.ws.config.min_group_size;
    for (const f of listFiles(join(site.out, "_file", "data"))) {
      if (f.endsWith(".json")) data.set(f.replace(/\.[0-9a-f]{8}\.json$/, ""), JSON.parse(readFileSync(join(site.out, "_file", "data", f), "utf8")));
    }
  }, 240_000);

  afterAll(async () => {
    await site?.close();
  });

  const file = <T = Json>(name: string): T => {
    expect(data.has(name), `data file ${name} in the build`).toBe(true);
    return data.get(name) as T;
  };

  it("is a public build with the workspace's minimum group size", () => {
    const s = file<Obj>("site");
    expect(s.public).toBe(true);
    expect(s.min_group_size).toBe(min);
    expect(min).toBe(10);
  });

  it("no worker identifier or case reference appears anywhere in the output", async () => {
    const workerIds = (await query<{ id: string }>(site.ws, `SELECT DISTINCT worker_id AS id FROM worker_month UNION SELECT DISTINCT worker_id FROM staff`)).map((r) => r.id);
    const caseRefs = (await query<{ id: string }>(site.ws, `SELECT DISTINCT case_ref AS id FROM case_month`)).map((r) => r.id);
    expect(workerIds.length).toBeGreaterThan(100);
    expect(caseRefs.length).toBeGreaterThan(1000);
    // the matcher finds a token where one is, and not inside a longer one
    expect(findTokens(`{"worker_id":"${workerIds[0]}"}`, workerIds)).toEqual([workerIds[0]]);
    expect(findTokens(`x${workerIds[0]}9 ${workerIds[0]}_`, workerIds)).toEqual([]);
    const ids = [...workerIds, ...caseRefs];
    const files = listFiles(site.out);
    expect(files.filter((f) => f.startsWith("_file/data/")).length).toBeGreaterThanOrEqual(15);
    const offenders: string[] = [];
    for (const f of files) {
      const found = findTokens(readFileSync(join(site.out, f)).toString("utf8"), ids);
      if (found.length) offenders.push(`${f}: ${found.slice(0, 5).join(", ")}${found.length > 5 ? ` and ${found.length - 5} more` : ""}`);
    }
    expect(offenders).toEqual([]);
  });

  it("the workers loader gives [] and no file has a worker_id field", () => {
    expect(file("workers")).toEqual([]);
    for (const [name, json] of data) expect(JSON.stringify(json), name).not.toMatch(/"worker_id"/);
  });

  it("every count of people in the data files is null, 0 or at least the minimum group size", () => {
    const seen: string[] = [];
    const bad: string[] = [];
    for (const [name, json] of data) {
      for (const { path, value } of countsIn(json)) {
        seen.push(path);
        if (!publishable(value, min)) bad.push(`${name}${path} = ${JSON.stringify(value)}`);
      }
    }
    expect(seen.length).toBeGreaterThan(1000);
    expect(bad.slice(0, 20), `${bad.length} counts under ${min}`).toEqual([]);
  });

  it("measures that count workers are withheld when small wherever a series or headline publishes them", () => {
    const peopleMeasures = new Set(file<Obj[]>("measures").filter((m) => m.unit === "workers").map((m) => String(m.measure)));
    expect(peopleMeasures.has("reviews_requested")).toBe(true);
    const series = file<Obj[]>("series");
    const measureOf = new Map(series.map((s) => [s.series_id, s]));
    const bad: string[] = [];
    for (const p of rowsOf(file<Record<string, Json[]>>("points"))) {
      const s = measureOf.get(p.series_id);
      if (s && peopleMeasures.has(String(s.measure)) && !publishable(p.value, min)) bad.push(`points: ${s.level} ${s.service ?? ""}/${s.team ?? ""} ${s.measure} ${p.period} = ${p.value}`);
    }
    for (const s of series) if (peopleMeasures.has(String(s.measure)) && !publishable(s.latest_value, min)) bad.push(`series: ${s.level} ${s.service ?? ""}/${s.team ?? ""} ${s.measure} latest = ${s.latest_value}`);
    for (const h of file<Obj[]>("headlines")) {
      for (const k of ["value", "previous_month_value", "year_ago_value"]) {
        if (peopleMeasures.has(String(h.measure)) && !publishable(h[k], min)) bad.push(`headlines: ${h.level} ${h.service ?? ""}/${h.team ?? ""} ${h.measure} ${k} = ${h[k]}`);
      }
    }
    expect(bad.slice(0, 20), `${bad.length} small counts of workers published`).toEqual([]);
  });

  it("a count withheld from caseload.json is not published in the team's series either", () => {
    const series = file<Obj[]>("series").filter((s) => s.level === "team");
    const seriesId = new Map(series.map((s) => [`${s.service}|${s.team}|${s.measure}`, s.series_id]));
    const value = new Map(rowsOf(file<Record<string, Json[]>>("points")).map((p) => [`${p.series_id}|${p.period}`, p.value]));
    const leaks: string[] = [];
    for (const r of file<Obj[]>("caseload")) {
      for (const field of CASELOAD_COUNTS) {
        if (r[field] !== null) continue;
        const v = value.get(`${seriesId.get(`${r.service}|${r.team}|${field}`)}|${r.period}`);
        if (v !== undefined && v !== null) leaks.push(`${r.service}/${r.team} ${r.period} ${field}: withheld in caseload.json, ${v} in points.json`);
      }
    }
    expect(leaks.slice(0, 20), `${leaks.length} withheld counts published elsewhere`).toEqual([]);
  });

  it("a withheld fairness row says its counts are withheld (null), not that nobody was there (0)", () => {
    const rows = file<Obj[]>("fairness").filter((r) => r.suppressed);
    expect(rows.length).toBeGreaterThan(0);
    const zeroed = rows.filter((r) => r.n_workers_group !== null || r.n_workers_reference !== null);
    expect(zeroed.slice(0, 5).map((r) => `row ${r.result_id} (${r.scope_label}, ${r.group}, ${r.measure}): ${r.n_workers_group} / ${r.n_workers_reference}`), `${zeroed.length} of ${rows.length} withheld rows publish numbers`).toEqual([]);
  });

  it("no withheld fairness count can be worked out from the published ones", () => {
    const rows = file<Obj[]>("fairness");
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.some((r) => r.suppressed)).toBe(true);
    for (const r of rows.filter((x) => x.suppressed)) {
      // a withheld row keeps its identity and loses its results
      expect([r.ratio_unadjusted, r.ratio_adjusted, r.ci_low, r.ci_high], `row ${r.result_id}`).toEqual([null, null, null, null]);
    }
    const { value, constraints } = fairnessCells(rows);
    const withheld = new Set([...value].filter(([, v]) => v === null).map(([k]) => k));
    expect(withheld.size).toBeGreaterThan(0);
    expect(constraints.length).toBeGreaterThan(100);
    // the check can fail: publish one of two withheld cells of a set and the other is given away
    const pair = constraints.find((set) => set.filter((c) => withheld.has(c)).length === 2);
    if (pair) {
      const [shown, other] = pair.filter((c) => withheld.has(c));
      expect(recoverableCells(constraints, new Set([...withheld].filter((c) => c !== shown)))).toContain(other);
    }
    const recoverable = recoverableCells(constraints, withheld);
    const explain = [...new Set(recoverable)].slice(0, 10).map((cell) => {
      const set = constraints.find((s) => s.includes(cell) && s.filter((c) => withheld.has(c)).length === 1)!;
      return `${cell} from {${set.map((c) => `${c}=${value.get(c)}`).join(", ")}}`;
    });
    expect(explain, `${new Set(recoverable).size} withheld cells recoverable`).toEqual([]);
  });

  for (const field of CASELOAD_COUNTS) {
    it(`no withheld caseload count (${field}) can be worked out from its service's other teams`, () => {
      const { withheld, constraints } = caseloadSets(file<Obj[]>("caseload"), file<{ received: Obj[] }>("returns").received, field);
      const recoverable = [...new Set(recoverableCells(constraints, withheld))];
      expect(recoverable.slice(0, 10), `${recoverable.length} team-months recoverable (period|service|team)`).toEqual([]);
    });
  }

  it.skipIf(skip !== undefined)(`every page carries the public note and no worker-level table${skip ? ` (skipped: ${skip})` : ""}`, async () => {
    const browser: Browser = await launchChromium();
    try {
      for (const { path } of PAGES) {
        const { page, log } = await newLoggedPage(browser);
        try {
          await openPage(page, site.origin, path);
          const note = page.locator(".banner-public");
          expect(await note.count(), `${path}: public note`).toBe(1);
          expect(await note.innerText(), path).toMatch(/Published version: no worker is shown/);
          const main = await page.locator("#observablehq-main").innerText();
          expect(main, path).not.toMatch(/Internal version|Workers above a ceiling \(internal only\)/);
          const headers = await page.locator("#observablehq-main th").allTextContents();
          expect(headers.filter((h) => /worker_id|case_ref/.test(h)), path).toEqual([]);
          expect(offOrigin(log.requests, site.origin), path).toEqual([]);
          expect(log.pageErrors, path).toEqual([]);
        } finally {
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
  });
  it("every page declares its language and lets people zoom", () => {
    for (const f of listFiles(site.out).filter((x) => x.endsWith(".html"))) {
      const html = readFileSync(join(site.out, f), "utf8");
      expect(html, f).toMatch(/<html lang="en-GB">/);
      expect(html, f).not.toMatch(/maximum-scale|user-scalable=no/);
    }
  });
});
