/**
 * The dashboard on employers of other shapes than the demo's: a small simulated employer (2
 * services, 3 teams, 30 posts) and a large one (5 services, 33 teams, 400 posts), each generated
 * by the sample generator (test/support/small-employer.ts), ingested, run, audited and built
 * (internal). Every page of the site opens in headless Chromium with no console error or warning,
 * no page error and no failed cell. A chart sized by its row count once got a negative height on
 * the small employer (`<rect> attribute height: A negative value is not valid ("-10")` on the
 * Overview and Fairness pages, when no comparison had a ratio to chart).
 *
 * On the Fairness page every measure is chosen, with and without teams, since each choice redraws
 * the charts with other rows. Skipped, saying why, only when /usr/bin/chromium is missing.
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/helpers.ts";
import {
  PAGES,
  type SiteFixture,
  browserSkipReason,
  buildAndServe,
  launchChromium,
  newLoggedPage,
  openPage,
  prepareWorkspace,
  waitForRender,
} from "../support/site-helpers.ts";
import { LARGE_EMPLOYER, SMALL_EMPLOYER, writeEmployer } from "../support/small-employer.ts";

const skip = browserSkipReason();
if (skip) console.warn(`site-shapes: browser checks skipped: ${skip}`);
const title = (t: string) => (skip ? `${t} (skipped: ${skip})` : t);

/** Pages of the site beyond the config's list that must also render (the print page of `fairload report`). */
const EXTRA_PAGES: string[] = []; // every page is in PAGES now

for (const shape of [SMALL_EMPLOYER, LARGE_EMPLOYER]) {
  describe(`the site for a ${shape.name} simulated employer`, () => {
    let site: SiteFixture;
    let browser: Browser | undefined;

    beforeAll(async () => {
      const dir = tempDir(`fairload-shape-${shape.name}-`);
      const returns = await writeEmployer(shape, join(dir, "returns"));
      const ws = await prepareWorkspace(dir, { returnsDir: returns, employer: shape.options.employer, resamples: 999 });
      site = await buildAndServe(ws, join(dir, "site"), { cleanup: dir });
      if (!skip) browser = await launchChromium();
    }, 600_000);

    afterAll(async () => {
      await browser?.close();
      await site?.close();
    });

    it("has the intended shape", async () => {
      const { queryRows, openDb } = await import("../../core/db.ts");
      const db = await openDb(site.ws.dbPath, { readOnly: true });
      try {
        const [r] = await queryRows<{ services: bigint; teams: bigint; posts: bigint }>(
          db.conn,
          `SELECT count(DISTINCT service) AS services, count(DISTINCT service || '/' || team) AS teams, ` +
            `(SELECT max(n) FROM (SELECT count(*) AS n FROM worker_month GROUP BY period)) AS posts FROM team_month`,
        );
        const got = { services: Number(r!.services), teams: Number(r!.teams), posts: Number(r!.posts) };
        if (shape === SMALL_EMPLOYER) {
          expect(got.services).toBe(2);
          expect(got.teams).toBe(3);
          expect(got.posts).toBeLessThanOrEqual(30); // posts = 30; some are vacant in a month
          expect(got.posts).toBeGreaterThanOrEqual(20);
        } else {
          expect(got.services).toBe(5);
          expect(got.teams).toBeGreaterThanOrEqual(30);
          expect(got.posts).toBeGreaterThanOrEqual(300);
        }
      } finally {
        db.close();
      }
    });

    for (const path of [...PAGES.map((p) => p.path), ...EXTRA_PAGES]) {
      it.skipIf(skip !== undefined)(title(`${path} renders with no console error or warning and no failed cell`), async () => {
        const { page, log } = await newLoggedPage(browser!);
        try {
          await openPage(page, site.origin, path);
          expect(await page.locator(".observablehq--error").allInnerTexts(), `${path}: a cell failed`).toEqual([]);
          expect(log.console, path).toEqual([]);
          expect(log.pageErrors, path).toEqual([]);
          expect(log.failures, path).toEqual([]);
          expect(await page.locator("#observablehq-main h1").count(), path).toBeGreaterThanOrEqual(1);
          const negative = await page.evaluate(() =>
            Array.from(document.querySelectorAll("svg rect")).filter((r) => Number(r.getAttribute("height")) < 0 || Number(r.getAttribute("width")) < 0).length,
          );
          expect(negative, `${path}: rects with a negative size`).toBe(0);
        } finally {
          await page.close();
        }
      });
    }

    it.skipIf(skip !== undefined)(title("/fairness: every measure, with and without teams, draws with no console error"), async () => {
      const { page, log } = await newLoggedPage(browser!);
      try {
        await openPage(page, site.origin, "/fairness");
        const select = page.getByLabel("Measure", { exact: true });
        const measures = await select.locator("option").allTextContents();
        expect(measures.length).toBeGreaterThanOrEqual(5);
        const toggle = page.getByLabel("Include teams", { exact: true });
        for (const teams of [true, false]) {
          if ((await toggle.isChecked()) !== teams) await toggle.setChecked(teams);
          for (const m of measures) {
            await select.selectOption({ label: m });
            await waitForRender(page);
          }
        }
        expect(await page.locator(".observablehq--error").allInnerTexts()).toEqual([]);
        expect(log.console).toEqual([]);
        expect(log.pageErrors).toEqual([]);
      } finally {
        await page.close();
      }
    });

  });
}

