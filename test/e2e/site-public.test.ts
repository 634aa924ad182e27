/**
 * The public build (`buildSite(ws, { public: true })`, bin/site.ts) of the sample employer leaks
 * nothing that the public layer (pub_* models, pipelines/disclosure.ts) withholds:
 *
 * - no worker identifier (worker_month, staff) and no case reference (case_month) appears, as a
 *   whole token, in any file of the output (HTML, JS, JSON, CSV, everything);
 * - every count of people in the data files is null, 0 or at least the minimum group size, both
 *   the named count fields and the values of measures counted in workers (ref_measures unit
 *   "workers") wherever a series or headline publishes them;
 * - nothing withheld can be worked out or narrowed from the published counts: that is the
 *   attacker's test (test/e2e/disclosure-attack.test.ts, linear programming over every relation);
 * - a public build publishes no count of a subset of workers and no worker count of a fairness test;
 * - the workers loader gives [], every page carries the public note and no worker-level table.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../support/helpers.ts";
import { PAGES, type SiteFixture, browserSkipReason, buildSampleSite, findTokens, launchChromium, listFiles, newLoggedPage, offOrigin, openPage } from "../support/site-helpers.ts";

const skip = browserSkipReason();
if (skip) console.warn(`site-public: browser checks skipped: ${skip}`);

/** Fields that count people (src/data loaders). */
const COUNT_FIELDS = new Set([
  "workers",
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

/** Columnar {col: [...]} back into rows (as src/components/format.js `rows`: a column may be {runs} or {months}). */
function rowsOf(columnar: Record<string, Json>): Obj[] {
  const decode = (v: Json): Json[] => {
    if (Array.isArray(v)) return v;
    const o = v as { runs?: [Json, number][]; months?: [string, number][] };
    if (o.runs) return o.runs.flatMap(([value, count]) => Array<Json>(count).fill(value));
    return o.months!.flatMap(([start, count]) => {
      const [y, m] = start.split("-").map(Number);
      return Array.from({ length: count }, (_, k) => { const i = y * 12 + m - 1 + k; return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`; });
    });
  };
  const cols = Object.fromEntries(Object.entries(columnar).map(([c, v]) => [c, decode(v)]));
  const names = Object.keys(cols);
  const n = names.length ? cols[names[0]].length : 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((c) => [c, cols[c][i]])));
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
    // headcounts (team-months and the workforce by group) and data-quality counts: several hundred
    expect(seen.length).toBeGreaterThan(300);
    expect(bad.slice(0, 20), `${bad.length} counts under ${min}`).toEqual([]);
  });

  it("measures that count workers are not published at all, in any series, headline or measure list", () => {
    const measures = new Set(file<Obj[]>("measures").map((m) => String(m.measure)));
    expect(measures.has("reviews_requested")).toBe(false);
    expect(measures.has("caseload_per_fte")).toBe(true);
    for (const s of file<Obj[]>("series")) expect(s.measure).not.toBe("reviews_requested");
    for (const h of file<Obj[]>("headlines")) expect(h.measure).not.toBe("reviews_requested");
  });

  it("a team-month withheld from caseload.json publishes nothing in the team's series either", () => {
    // teams' series and points are in the files of each measure (trend/<measure>-overview.json with every series and the
    // teams' values, trend/<measure>-teams.json with the teams' series and points in full);
    // caseload.json is columnar
    const trends = [...data.keys()].filter((k) => k.startsWith("trend/")).map((k) => data.get(k) as { series?: Obj[]; points: Record<string, Json> });
    expect(trends.length).toBeGreaterThan(5);
    expect([...data.keys()].filter((k) => /^trend\/.+-teams$/.test(k)).length).toBeGreaterThan(5);
    const series = trends.flatMap((t) => t.series ?? []).filter((s) => s.level === "team");
    const byTeam = new Map<string, Json[]>();
    for (const s of series) byTeam.set(`${s.service}|${s.team}`, [...(byTeam.get(`${s.service}|${s.team}`) ?? []), s.series_id]);
    // a series' month is in several files: every value of it, from each file
    const value = new Map<string, Json[]>();
    for (const p of trends.flatMap((t) => rowsOf(t.points))) value.set(`${p.series_id}|${p.period}`, [...(value.get(`${p.series_id}|${p.period}`) ?? []), p.value]);
    const withheld = rowsOf(file<Record<string, Json>>("caseload")).filter((r) => r.withheld);
    expect(withheld.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const r of withheld) {
      expect([r.headcount, r.caseload_per_fte, r.cases], `${r.service}/${r.team} ${r.period}`).toEqual([null, null, null]);
      for (const id of byTeam.get(`${r.service}|${r.team}`) ?? []) {
        for (const v of value.get(`${id}|${r.period}`) ?? []) if (v !== null) leaks.push(`${r.service}/${r.team} ${r.period}: series ${id} = ${v}`);
      }
    }
    expect(leaks.slice(0, 20), `${leaks.length} withheld team-months published in a series`).toEqual([]);
    // and counts of subsets of workers are not in the file at all
    for (const r of rowsOf(file<Record<string, Json>>("caseload"))) for (const f of ["workers_above_caseload_ceiling", "workers_above_points_ceiling", "reviews_requested"]) expect(r).not.toHaveProperty(f);
  });

  it("a withheld fairness row keeps its identity and publishes nothing else; no row publishes a count of workers", () => {
    const rows = file<Obj[]>("fairness");
    expect(rows.length).toBeGreaterThan(100);
    const withheld = rows.filter((r) => r.suppressed);
    expect(withheld.length).toBeGreaterThan(0);
    for (const r of withheld) expect([r.ratio_unadjusted, r.ratio_adjusted, r.ci_low, r.ci_high, r.workers_compared], `${r.scope_label} ${r.group} ${r.measure}`).toEqual([null, null, null, null, null]);
    for (const r of rows) {
      expect(r).not.toHaveProperty("n_workers_group");
      expect(r).not.toHaveProperty("n_workers_reference");
    }
    expect(rows.filter((r) => !r.suppressed).every((r) => r.workers_compared === `at least ${min}`)).toBe(true);
  });

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
