/**
 * The quick start, as `npm start` runs it (`fairload demo`, here with --no-serve): the whole sample
 * is loaded (monthly returns and HR tables, the three workforce census returns, the Annex A workbook
 * with its worker key map), run, audited (the main audit, the census and Annex A part and the HR
 * part) and the dashboard built, so that every page of a fresh checkout's dashboard has data.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openWorkspace } from "../../core/workspace.ts";
import { type CliResult, ROOT, query, tempDir } from "../support/helpers.ts";

const dir = join(tempDir(), "ws");

/** The CLI in a child process, without blocking this worker (the demo takes minutes; vitest's worker must keep answering). */
function runCliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "fairload.js"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
let out: CliResult;
let loadsAfterFirst = 0;

beforeAll(async () => {
  // (the build takes bin/site.ts's own lock: it shares Framework's cache with the site tests)
  out = await runCliAsync(["demo", "--no-serve", "-w", dir]);
  if (out.status === 0) loadsAfterFirst = (await query<{ n: number }>(openWorkspace(dir), `SELECT count(*) AS n FROM loads`))[0]!.n;
}, 600_000);

describe("fairload demo (the quick start)", () => {
  it("runs every step and says what it loaded", () => {
    expect(out.stderr).not.toMatch(/at .+\.ts:\d+/); // no stack trace
    expect(out.status, out.stderr).toBe(0);
    for (const step of ["1/5", "2/5", "3/5", "4/5"]) expect(out.stdout).toContain(step);
    expect(out.stdout).toMatch(/the monthly returns and HR tables/);
    expect(out.stdout).toMatch(/the workforce census returns/);
    expect(out.stdout).toMatch(/the Annex A workbook/);
  });

  it("leaves every source loaded and every part of the audit run", async () => {
    const ws = openWorkspace(dir);
    const [c] = await query<{ census: number; years: number; annex: number; appraisal: number; tests: number; census_tests: number; hr_tests: number }>(ws, `
      SELECT (SELECT count(*) FROM census_worker) AS census, (SELECT count(DISTINCT census_year) FROM census_worker) AS years,
             (SELECT count(*) FROM annex_a_allocation) AS annex, (SELECT count(*) FROM appraisal) AS appraisal,
             (SELECT count(*) FROM fairness_results) AS tests, (SELECT count(*) FROM census_fairness_results) AS census_tests,
             (SELECT count(*) FROM hr_fairness_results) AS hr_tests`);
    expect(c!.years).toBe(3);
    expect(c!.census).toBeGreaterThan(300);
    expect(c!.annex).toBeGreaterThan(100);
    expect(c!.appraisal).toBeGreaterThan(100);
    expect(c!.tests).toBeGreaterThan(100);
    expect(c!.census_tests).toBeGreaterThan(0);
    expect(c!.hr_tests).toBeGreaterThan(0);
    // three loads: the monthly returns, the three census returns together, Annex A with its key map
    expect(loadsAfterFirst).toBe(3);
  });

  it("builds the dashboard with the census and HR pages", () => {
    const site = /pages in [\d.]+ s into (\S+)/.exec(out.stdout)?.[1];
    expect(site, out.stdout).toBeDefined();
    for (const page of ["index.html", "census.html", "recognition.html", "reviews.html", "fairness.html"]) expect(existsSync(join(site!, page)), page).toBe(true);
    expect(readFileSync(join(site!, "census.html"), "utf8")).toContain("From the census and Annex A");
  });
});
