/**
 * Shared fixture and browser helpers for the site tests (test/site-browser.test.ts,
 * test/site-public.test.ts) and the site benchmark (bench/site.ts).
 *
 * - `buildSampleSite` makes a workspace from the sample returns (data/sample/returns, the
 *   synthetic employer of docs/sample-employer.md), runs the pipelines and the audit, and builds
 *   the site once into a temp dir with `buildSite` (bin/site.ts), internal or public.
 * - `buildSite` works in the shared checkout's `src/.observablehq/cache` (it clears the loader
 *   outputs and Framework writes them there), so two builds at once would read each other's
 *   loader output. `withSiteBuildLock` serialises the builds of these tests across vitest's
 *   worker processes.
 * - Chromium runs headless with the flags of test/site-offline.test.ts (docs/offline-site.md)
 *   and a dead proxy, so nothing can leave the machine.
 *
 * No vitest import here: the benchmark uses this module outside the test runner.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { buildSite, serveSite } from "../../bin/site.ts";
import { ingest } from "../../loaders/ingest.ts";
import { DEFAULT_EMPLOYER } from "../../loaders/sample/generator.ts";
import { initWorkspace, PROJECT_ROOT, type Workspace } from "../../core/workspace.ts";
import { auditWorkspace, ingestSample, runAll } from "../../app/workflow.ts";
import { tempDir } from "./helpers.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const SAMPLE_RETURNS = join(PROJECT_ROOT, "data", "sample", "returns");
export const AXE_PATH = join(PROJECT_ROOT, "node_modules", "axe-core", "axe.min.js");
export const SCREENSHOT_DIR = join(PROJECT_ROOT, "test-output", "screenshots");

/** The launch flags of test/site-offline.test.ts, plus a dead proxy: any non-loopback request fails. */
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

/** Every page of the site (observablehq.config.ts), with the file name its screenshot gets. */
export const PAGES: readonly { path: string; name: string }[] = [
  { path: "/", name: "index" },
  { path: "/trends", name: "trends" },
  { path: "/peaks", name: "peaks" },
  { path: "/fairness", name: "fairness" },
  { path: "/caseload", name: "caseload" },
  { path: "/health-check", name: "health-check" },
  { path: "/benchmark", name: "benchmark" },
  { path: "/data-quality", name: "data-quality" },
  { path: "/census", name: "census" },
  { path: "/recognition", name: "recognition" },
  { path: "/reviews", name: "reviews" },
  { path: "/board-paper", name: "board-paper" },
  { path: "/about", name: "about" },
  { path: "/notebooks/", name: "notebooks-index" },
  { path: "/notebooks/this-month", name: "notebooks-this-month" },
  { path: "/notebooks/one-team", name: "notebooks-one-team" },
];

/** Why Chromium cannot be used here, or undefined when it can. */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} not found (apt-get install chromium)`;
}

const LOCK_DIR = join(tmpdir(), "fairload-site-build.lock");

function lockHolderAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK_DIR, "pid"), "utf8"));
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` while holding a cross-process lock (a directory in the temp dir holding the owner's
 * pid). A lock whose owner has died, or that is older than 10 minutes, is taken over.
 */
export async function withSiteBuildLock<T>(fn: () => Promise<T>, waitMs = 600_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let age = 0;
      try {
        age = Date.now() - statSync(LOCK_DIR).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if ((age > 2_000 && !lockHolderAlive()) || age > 600_000) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - t0 > waitMs) throw new Error(`timed out waiting for ${LOCK_DIR}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * A workspace holding `returnsDir` loaded, the pipelines run and (unless `audit` is false) the
 * fairness audit run with `resamples` (999 keeps tests quick; the CLI's default is 10,000).
 */
export async function prepareWorkspace(
  dir: string,
  opts: { returnsDir?: string; employer?: string; audit?: boolean; resamples?: number } = {},
): Promise<Workspace> {
  const ws = initWorkspace(join(dir, "ws"), { employer: opts.employer ?? DEFAULT_EMPLOYER });
  // the sample as the quick start loads it (monthly returns and HR tables, census, Annex A); other returns alone
  const loads = opts.returnsDir ? [await ingest(ws, [opts.returnsDir])] : await ingestSample(ws);
  const refused = loads.find((l) => l.status === "refused");
  if (refused) throw new Error(`the returns were refused: ${JSON.stringify(refused).slice(0, 2000)}`);
  await runAll(ws);
  if (opts.audit !== false) await auditWorkspace(ws, opts.resamples === undefined ? {} : { resamples: opts.resamples });
  return ws;
}

/** A built site served on 127.0.0.1, and its workspace. */
export interface SiteFixture {
  ws: Workspace;
  /** The build's output directory. */
  out: string;
  /** Served origin, without the trailing slash, e.g. http://127.0.0.1:41234 */
  origin: string;
  buildSeconds: number;
  /** Stops the server and removes the temp dir. */
  close(): Promise<void>;
}

/** Builds the site of `ws` into `out` under the build lock, then serves it on 127.0.0.1. */
export async function buildAndServe(ws: Workspace, out: string, opts: { public?: boolean; cleanup?: string } = {}): Promise<SiteFixture> {
  const built = await withSiteBuildLock(() => buildSite(ws, { public: Boolean(opts.public), out }));
  const { server, url } = await serveSite(built.out, 0);
  return {
    ws,
    out: built.out,
    origin: url.replace(/\/$/, ""),
    buildSeconds: built.seconds,
    close: async () => {
      await new Promise<void>((r) => (server as Server).close(() => r()));
      if (opts.cleanup) rmSync(opts.cleanup, { recursive: true, force: true });
    },
  };
}

/** The sample employer's site (internal, or the public build), built once into a temp dir and served. */
export async function buildSampleSite(opts: { public?: boolean; resamples?: number } = {}): Promise<SiteFixture> {
  const dir = tempDir(opts.public ? "fairload-site-public-" : "fairload-site-internal-");
  const ws = await prepareWorkspace(dir, { resamples: opts.resamples ?? 999 });
  return buildAndServe(ws, join(dir, "site"), { public: opts.public, cleanup: dir });
}

/** Headless Chromium with the offline flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What a page did while it was open. */
export interface PageLog {
  /** console messages of type error or warning (Plot reports mistakes as warnings). */
  console: string[];
  /** Uncaught exceptions. */
  pageErrors: string[];
  /** Every URL requested. */
  requests: string[];
  /** Responses with status >= 400, and requests that failed. */
  failures: string[];
  /** alert/confirm/prompt dialogs opened (dismissed at once). */
  dialogs: string[];
}

/** A new page (its own context, so no cache is shared) with listeners recording into a PageLog. */
export async function newLoggedPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const log: PageLog = { console: [], pageErrors: [], requests: [], failures: [], dialogs: [] };
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("request", (r) => log.requests.push(r.url()));
  page.on("requestfailed", (r) => log.failures.push(`failed ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => {
    if (r.status() >= 400) log.failures.push(`HTTP ${r.status()} ${r.url()}`);
  });
  page.on("dialog", (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  page.on("close", () => void context.close().catch(() => undefined));
  return { page, log };
}

/** Requests that went anywhere but `origin` (data: and blob: URLs stay in the page). */
export function offOrigin(requests: string[], origin: string): string[] {
  return requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(u));
}

/**
 * Waits until Framework has rendered the page: no `<observablehq-loading>` placeholder is left,
 * the network has been idle, and nothing changed for a moment.
 */
export async function waitForRender(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForLoadState("networkidle", { timeout });
  await page.waitForFunction(() => document.querySelectorAll("observablehq-loading").length === 0, undefined, { timeout });
  await page.waitForTimeout(150);
}

/** Opens `origin + path` and waits for it to render. */
export async function openPage(page: Page, origin: string, path: string): Promise<void> {
  await page.goto(`${origin}${path}`, { waitUntil: "load" });
  await waitForRender(page);
}

/** One axe-core violation, trimmed for messages. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** A rule that may fail on elements matching `selector` only, and why (Framework markup we cannot change). */
export interface AxeAllowance {
  rule: string;
  selector: string;
  why: string;
}

/**
 * Runs axe-core (node_modules/axe-core, injected with addScriptTag) on the whole page and returns
 * its violations, less the nodes an allowance names (the rule still counts for every other node).
 */
export async function runAxe(page: Page, allow: readonly AxeAllowance[] = []): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (allowed) => {
    type AxeNode = { target: string[]; element?: Element };
    type AxeResult = { violations: { id: string; impact: string | null; help: string; nodes: AxeNode[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<AxeResult> } }).axe;
    const r = await axe.run(document, { resultTypes: ["violations"], elementRef: true });
    return r.violations
      .map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.filter((n) => !allowed.some((a) => a.rule === v.id && n.element?.matches(a.selector))).map((n) => n.target.join(" ")),
      }))
      .filter((v) => v.targets.length > 0);
  }, allow.map(({ rule, selector }) => ({ rule, selector })));
}

/** Saves a full-page screenshot to test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Every file under `dir`, as paths relative to it with `/` separators. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Which of `ids` occur in `text` as whole tokens: not preceded or followed by a letter, digit or
 * underscore, so "W12" does not match inside "W123" or "AW12", nor a hash inside a longer one.
 * Case-sensitive (identifiers are stored as received).
 */
export function findTokens(text: string, ids: Iterable<string>): string[] {
  const simple = new Set<string>();
  const other: string[] = [];
  for (const id of ids) {
    if (!id) continue;
    if (/^\w+$/.test(id)) simple.add(id);
    else other.push(id);
  }
  const found = new Set<string>();
  for (const m of text.matchAll(/\w+/g)) if (simple.has(m[0])) found.add(m[0]);
  for (const id of other) {
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (new RegExp(`(?<!\\w)${escaped}(?!\\w)`).test(text)) found.add(id);
  }
  return [...found];
}
