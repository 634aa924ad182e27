/**
 * An employer with no monthly returns, only the returns it already makes (issue 13): the DfE
 * workforce census for three years and an Ofsted Annex A workbook with its worker key map.
 * `fairload run`, `fairload audit` and `fairload build` work on them alone: the census and Annex A
 * analysis runs, the monthly marts are empty, and every page of the site renders in Chromium with
 * no console error (skipped, saying why, only when /usr/bin/chromium is missing).
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initWorkspace, type Workspace } from "../../core/workspace.ts";
import { ROOT, query, runCli, tempDir } from "../support/helpers.ts";
import { PAGES, type SiteFixture, browserSkipReason, buildAndServe, launchChromium, newLoggedPage, openPage } from "../support/site-helpers.ts";

const skip = browserSkipReason();
const title = (t: string) => (skip ? `${t} (skipped: ${skip})` : t);
let ws: Workspace;
let site: SiteFixture;
let browser: Browser | undefined;
let auditJson: Record<string, unknown>[] = [];

beforeAll(async () => {
  const dir = tempDir("fairload-census-only-");
  ws = initWorkspace(join(dir, "ws"), { employer: "Census Only Council" });
  const sample = join(ROOT, "data", "sample");
  for (const y of [2024, 2025, 2026]) expect((await runCli(["ingest", join(sample, "census", `csww-${y}.xml`), "-w", ws.dir])).status).toBe(0);
  expect((await runCli(["ingest", join(sample, "annex-a", "annex-a.xlsx"), "--worker-map", join(sample, "annex-a", "worker-map.csv"), "-w", ws.dir])).status).toBe(0);
  const run = await runCli(["run", "-w", ws.dir]);
  expect(run.stderr).not.toMatch(/Nothing to analyse/);
  expect(run.status).toBe(0);
  const audit = await runCli(["audit", "-w", ws.dir, "--json"]);
  expect(audit.status).toBe(0);
  auditJson = JSON.parse(audit.stdout);
  site = await buildAndServe(ws, join(dir, "site"), { cleanup: dir });
  if (!skip) browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("a workspace with only the census and Annex A", () => {
  it("runs the census and Annex A analysis, with the monthly marts empty", async () => {
    const [w] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM worker_month`);
    expect(Number(w!.n)).toBe(0);
    const [c] = await query<{ n: bigint }>(ws, `SELECT count(*) AS n FROM mart_census_caseload`);
    expect(Number(c!.n)).toBeGreaterThan(0);
    expect(auditJson.some((r) => r.source === "annex_a" || r.measure === "allocation_complexity")).toBe(true);
    expect(auditJson.some((r) => r.source === "census")).toBe(true);
  });

  it("a workspace with nothing loaded is still a plain error", async () => {
    const empty = initWorkspace(join(tempDir(), "ws"), { employer: "Empty" });
    const r = await runCli(["run", "-w", empty.dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Nothing to analyse/);
  });

  for (const { path } of PAGES) {
    it.skipIf(skip !== undefined)(title(`${path} renders with no console error and no failed cell`), async () => {
      const { page, log } = await newLoggedPage(browser!);
      try {
        await openPage(page, site.origin, path);
        expect(await page.locator(".observablehq--error").allInnerTexts(), `${path}: a cell failed`).toEqual([]);
        expect(log.console, path).toEqual([]);
        expect(log.pageErrors, path).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
