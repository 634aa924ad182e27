/**
 * `fairload report`: the board paper as a PDF, printed with headless Chromium from the built site
 * (bin/commands/report.ts, src/board-paper.md). On the sample employer (data/sample/returns):
 * the command writes a PDF whose text (pdftotext, Debian's poppler-utils) holds the employer, the
 * latest month, the headline caseload per FTE, the Standard 3 evidence, the marking (synthetic,
 * internal) in the running header and page numbers and the date in the footer; with --public the
 * marking says so and the internal-only wording is gone.
 *
 * Skipped, saying why, when /usr/bin/chromium (apt-get install chromium) or pdftotext (apt-get
 * install poppler-utils) is missing; .ci/run installs both.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countPdfPages, writeBoardPaper } from "../../bin/commands/report.ts";
import { openDb, queryRows } from "../../core/db.ts";
import { monthName } from "../../core/calendar.ts";
import { PROJECT_ROOT, type Workspace } from "../../core/workspace.ts";
import { tempDir } from "../support/helpers.ts";
import { CHROMIUM_PATH, prepareWorkspace, withSiteBuildLock } from "../support/site-helpers.ts";

const ROOT = PROJECT_ROOT;

function pdftotextMissing(): string | undefined {
  const r = spawnSync("pdftotext", ["-v"], { encoding: "utf8" });
  return r.error ? "pdftotext not found (apt-get install poppler-utils)" : undefined;
}
const skip = !existsSync(CHROMIUM_PATH) ? `${CHROMIUM_PATH} not found (apt-get install chromium)` : pdftotextMissing();
if (skip) console.warn(`report: skipped: ${skip}`);
const title = (t: string) => (skip ? `${t} (skipped: ${skip})` : t);

/** Run the CLI without blocking the worker (vitest's RPC must keep answering). */
function runCliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "fairload.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolveRun({ status, stdout, stderr }));
  });
}

/** The text of a PDF, laid out as printed. */
function pdfText(file: string): string {
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

/** The headline caseload per FTE as the site writes it (src/components/format.js `fmt(x, 1)`). */
function asShown(x: number): string {
  return x.toLocaleString("en-GB", { maximumFractionDigits: 1, minimumFractionDigits: Math.abs(x) < 10 ? 1 : 0 });
}

describe.skipIf(skip !== undefined)(title("fairload report on the sample employer"), () => {
  let dir: string;
  let ws: Workspace;
  let latest: { period: string; caseload: number };

  beforeAll(async () => {
    dir = tempDir("fairload-report-");
    ws = await prepareWorkspace(dir, { resamples: 999 });
    const db = await openDb(ws.dbPath, { readOnly: true });
    try {
      const [r] = await queryRows<{ period: string; value: number }>(db.conn, `SELECT period, value FROM mart_headlines WHERE level = 'employer' AND measure = 'caseload_per_fte'`);
      latest = { period: String(r!.period), caseload: Number(r!.value) };
    } finally {
      db.close();
    }
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes a PDF whose text holds the employer, the latest month, the headline caseload per FTE and the Standard 3 evidence", async () => {
    const out = join(dir, "papers", "board-paper.pdf");
    const r = await withSiteBuildLock(() => runCliAsync(["report", "-w", ws.dir, "--out", out]));
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^Wrote .*board-paper\.pdf: \d+ pages?, /);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const pages = countPdfPages(pdf);
    expect(pages).toBeGreaterThanOrEqual(2);
    const text = pdfText(out);
    const month = monthName(latest.period);
    expect(text).toContain(ws.config.employer);
    expect(text).toContain(month);
    expect(text).toContain(`Average caseload: ${asShown(latest.caseload)} cases per case-holding FTE in ${month}`);
    // the sections of the paper
    for (const heading of ["Headline figures", "Fairness of case allocation", "Workload health check", "Standard 3 evidence", "Against England"]) expect(text).toContain(heading);
    expect(text).toMatch(/Complexity-weighted/);
    // running header and footer: marking, employer, the data's month, the date printed, page numbers
    expect(text).toContain("SYNTHETIC DATA · INTERNAL: NOT FOR PUBLICATION");
    expect(text).toContain(`data to ${month}`);
    const printed = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    expect(text).toContain(`printed ${printed}`);
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Page ${p} of ${pages}`);
    expect(text.split("\f").filter((page) => page.trim()).every((page) => page.includes(ws.config.employer))).toBe(true);
    // the stderr progress: a line per step at most, a final summary, no word repeated
    const progress = r.stderr.trim().split("\n");
    expect(progress.at(-1)).toMatch(/done in /);
    expect(new Set(progress).size).toBe(progress.length);
  }, 300_000);

  it("--public marks the paper public and drops the internal wording", async () => {
    const out = join(dir, "board-paper-public.pdf");
    const r = await withSiteBuildLock(() => writeBoardPaper(ws, { public: true, out, progress: { step() {}, done() {} } }));
    expect(r.marking).toBe("Synthetic data · Public");
    const text = pdfText(out);
    expect(text).toContain("SYNTHETIC DATA · PUBLIC");
    expect(text).not.toMatch(/not for publication/i);
    expect(text).toContain(ws.config.employer);
    expect(text).toContain(monthName(latest.period));
    expect(text).toContain("Standard 3 evidence");
  }, 300_000);
});

describe("fairload report without a browser", () => {
  it("says what is missing instead of failing obscurely", async () => {
    const dir = tempDir("fairload-report-nochrome-");
    try {
      const { initWorkspace } = await import("../../core/workspace.ts");
      const ws = initWorkspace(join(dir, "ws"), {});
      await expect(writeBoardPaper(ws, { chromium: join(dir, "no-such-chromium"), out: join(dir, "x.pdf") })).rejects.toThrow(/was not found \(Debian: apt-get install chromium/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
