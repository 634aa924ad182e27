/**
 * `fairload report`: the board paper as a PDF. It builds the site (internal, or with --public the
 * publishable build), serves it on 127.0.0.1, opens its print page `/board-paper`
 * (src/board-paper.md: headline figures, fairness findings, health check, the Standard 3
 * evidence of caseloads by team with small groups withheld, the DfE benchmark) in headless
 * Chromium (Debian's /usr/bin/chromium, driven by playwright-core with the browser tests' flags,
 * its only proxy a dead port so nothing leaves the machine) and prints it to A4 with a running
 * header (employer; "synthetic data" and "internal" or "public") and footer (the data's month,
 * the date printed, page X of Y).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../../core/errors.ts";
import { createProgress, type Progress } from "../../core/progress.ts";
import type { Workspace } from "../../core/workspace.ts";
import { buildSite, serveSite } from "../site.ts";
import { type Command, openFromOptions, out, str, workspaceOption } from "./common.ts";

/** Debian's Chromium, as the browser tests use it; FAIRLOAD_CHROMIUM names another binary. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * The flags of the browser tests (test/support/site-helpers.ts, docs/offline-site.md): headless,
 * no sandbox (CI runs as root), nothing fetched in the background, and a dead proxy, so that no
 * request can leave the machine.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--proxy-server=http://127.0.0.1:9",
];

/** The print page of the site. */
export const BOARD_PAPER_PATH = "/board-paper";

export interface BoardPaperOptions {
  /** The publishable build (small groups withheld, no worker data); default internal. */
  public?: boolean;
  /** The PDF to write (default board-paper.pdf in the current directory). */
  out?: string;
  /** Chromium binary (default FAIRLOAD_CHROMIUM or /usr/bin/chromium). */
  chromium?: string;
  progress?: Progress;
}

export interface BoardPaperResult {
  out: string;
  pages: number;
  employer: string;
  /** The latest month of the returns, YYYY-MM, and as words ("March 2026"). */
  period: string;
  month: string;
  /** e.g. "Synthetic data · Internal: not for publication". */
  marking: string;
  seconds: number;
}

interface PaperMeta {
  employer: string;
  period: string;
  month: string;
  marking: string;
  built: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Chromium's header and footer templates: inline styles only (they are rendered apart from the page). */
function templates(meta: PaperMeta, printed: string): { header: string; footer: string } {
  const box = "font-family: Helvetica, Arial, sans-serif; font-size: 8pt; color: #333; width: 100%; margin: 0 15mm; display: flex; justify-content: space-between;";
  return {
    header: `<div style="${box}"><span>${escapeHtml(meta.employer)}</span><span style="font-weight: bold; text-transform: uppercase; letter-spacing: .04em;">${escapeHtml(meta.marking)}</span></div>`,
    footer:
      `<div style="${box}"><span>Workload and fairness board paper · data to ${escapeHtml(meta.month || "–")} · printed ${escapeHtml(printed)}</span>` +
      `<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
  };
}

/** Pages of a PDF written by Chromium (its page objects are not compressed). */
export function countPdfPages(pdf: Buffer): number {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

async function loadPlaywright(): Promise<typeof import("playwright-core")> {
  try {
    return await import("playwright-core");
  } catch {
    throw new UserError("fairload report needs the npm package playwright-core (npm install).");
  }
}

/**
 * Build the site of `ws`, print its board paper to `opts.out` with headless Chromium and return
 * what was printed. The site is built into a temp dir, removed afterwards. A page whose cells fail
 * or that logs an error is not printed: the error is reported instead.
 */
export async function writeBoardPaper(ws: Workspace, opts: BoardPaperOptions = {}): Promise<BoardPaperResult> {
  const t0 = performance.now();
  const chromiumPath = opts.chromium ?? process.env.FAIRLOAD_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromiumPath)) {
    throw new UserError(`fairload report prints with headless Chromium, and ${chromiumPath} was not found (Debian: apt-get install chromium; or set FAIRLOAD_CHROMIUM).`);
  }
  const target = resolve(opts.out ?? "board-paper.pdf");
  if (!existsSync(dirname(target))) mkdirSync(dirname(target), { recursive: true });
  const progress = opts.progress ?? createProgress();
  const { chromium } = await loadPlaywright();
  const tmp = mkdtempSync(join(tmpdir(), "fairload-report-"));
  let server: Server | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    progress.step("building the site");
    const built = await buildSite(ws, { public: Boolean(opts.public), out: join(tmp, "site") });
    const served = await serveSite(built.out, 0);
    server = served.server;
    const origin = served.url.replace(/\/$/, "");
    progress.step("opening the board paper in Chromium");
    browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
    // about the width of A4 less its margins, so the page lays out as it will print
    const context = await browser.newContext({ viewport: { width: 800, height: 1100 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${String(e)}`));
    await page.goto(`${origin}${BOARD_PAPER_PATH}`, { waitUntil: "load" });
    await page.waitForLoadState("networkidle", { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0 && document.querySelector("#board-paper-meta"), undefined, { timeout: 60_000 });
    await page.waitForTimeout(200);
    const failed = await page.locator(".observablehq--error").allInnerTexts();
    if (failed.length || problems.length) {
      throw new UserError(`The board paper did not render cleanly, so it was not printed:\n${[...failed.map((f) => `cell: ${f}`), ...problems].map((p) => `  ${p}`).join("\n")}`);
    }
    const meta = await page.evaluate(() => {
      const d = (document.querySelector("#board-paper-meta") as HTMLElement).dataset;
      return { employer: d.employer ?? "", period: d.period ?? "", month: d.month ?? "", marking: d.marking ?? "", built: d.built ?? "" };
    });
    await page.evaluate((title) => (document.title = title), `Board paper: ${meta.employer}, ${meta.month}`);
    progress.step("printing to PDF");
    const printed = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
    const { header, footer } = templates(meta, printed);
    await page.emulateMedia({ media: "print" });
    await page.pdf({
      path: target,
      format: "A4",
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: header,
      footerTemplate: footer,
      margin: { top: "20mm", bottom: "18mm", left: "15mm", right: "15mm" },
      outline: true,
      tagged: true,
    });
    progress.done();
    return {
      out: target,
      pages: countPdfPages(readFileSync(target)),
      employer: meta.employer,
      period: meta.period,
      month: meta.month,
      marking: meta.marking,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await browser?.close().catch(() => undefined);
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

export const reportCommand: Command = {
  summary: "the board paper as a PDF: headline figures, fairness findings, health check and Standard 3 caseloads by team, printed with headless Chromium",
  usage: "fairload report [--workspace DIR] [--public] [--out board-paper.pdf]",
  options: { ...workspaceOption, public: { type: "boolean" }, out: { type: "string", short: "o" } },
  async run({ values }) {
    const r = await writeBoardPaper(openFromOptions(values), { public: Boolean(values.public), out: str(values, "out") });
    out(`Wrote ${r.out}: ${r.pages} page${r.pages === 1 ? "" : "s"}, ${r.employer}, ${r.month || "no month"} (${r.marking}), in ${r.seconds.toFixed(1)} s.`);
    return 0;
  },
};
