/**
 * The Observable Framework site builds and runs with no network (docs/offline-site.md).
 *
 * 1. bin/prebuild-site.ts fills src/.observablehq/cache/_npm from node_modules at
 *    the installed versions, a second run does nothing, stale versions go.
 * 2. `observable build` (running the TypeScript data loader afresh) writes to a
 *    temp dir with every non-loopback `fetch` of the build rejected by an
 *    `--import` guard, inside a network namespace with no interfaces when
 *    `unshare -n` is permitted (root).
 * 3. No built HTML/JS/CSS names an external URL (XML namespace identifiers
 *    aside), and every static import / stylesheet / modulepreload target exists.
 * 4. If /usr/bin/chromium and playwright-core are available: the page, served by
 *    a tiny static server on 127.0.0.1 to Chromium whose only proxy is a dead
 *    port, renders the Plot charts without Plot warnings, reacts to
 *    Inputs.select, logs no console error, gets no 404 and requests nothing but
 *    127.0.0.1. A screenshot goes to test-output/site-offline.png.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, symlinkSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, posix, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_PACKAGES, PLACEHOLDER_VERSION, cacheEntryPath, prebuildSite } from "../../bin/prebuild-site.ts";
import { tempDir } from "../support/helpers.ts";

// A throwaway Framework project (test/fixtures/offline-site) with the real node_modules linked in,
// so this test shares no cache with the real site's builds (which run in parallel).
const realRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const projectRoot = tempDir("fairload-offline-project-");
cpSync(join(realRoot, "test", "fixtures", "offline-site"), projectRoot, { recursive: true });
symlinkSync(join(realRoot, "node_modules"), join(projectRoot, "node_modules"), "dir");
const npmCache = join(projectRoot, "src", ".observablehq", "cache", "_npm");
const chromiumPath = "/usr/bin/chromium";

/** XML namespace identifiers: URLs that appear in d3/htl/CSS as names, never fetched. */
const NAMESPACE_URIS = new Set([
  "http://www.w3.org/1999/xhtml",
  "http://www.w3.org/1999/xlink",
  "http://www.w3.org/2000/svg",
  "http://www.w3.org/2000/xmlns/",
  "http://www.w3.org/XML/1998/namespace",
]);

/** The slice of playwright-core's API this test uses (typed here so type-checking works without it installed). */
interface Playwright {
  chromium: { launch(options: { executablePath: string; args: string[] }): Promise<PwBrowser> };
}
interface PwBrowser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<PwPage>;
  close(): Promise<void>;
}
interface PwLocator {
  count(): Promise<number>;
  textContent(): Promise<string | null>;
}
interface PwPage {
  on(event: "request", listener: (request: { url(): string }) => void): void;
  on(event: "console", listener: (message: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", listener: (error: Error) => void): void;
  on(event: "response", listener: (response: { url(): string; status(): number }) => void): void;
  goto(url: string, options: { waitUntil: "load" }): Promise<unknown>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  waitForFunction(fn: () => boolean | undefined): Promise<unknown>;
  selectOption(selector: string, value: string): Promise<unknown>;
  locator(selector: string): PwLocator;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}

/** Why the browser check cannot run here, or undefined if it can. */
function browserSkipReason(): string | undefined {
  if (!existsSync(chromiumPath)) return `${chromiumPath} not found (apt-get install chromium)`;
  try {
    createRequire(import.meta.url).resolve("playwright-core");
  } catch {
    return "playwright-core is not installed (add it as a devDependency)";
  }
  return undefined;
}

/** True if this process may create a network namespace (root, or unprivileged user namespaces). */
function canUnshareNetwork(): boolean {
  return spawnSync("unshare", ["-n", "true"], { stdio: "ignore" }).status === 0;
}

/** Lists files under `dir`, recursively, as paths relative to `dir` with `/` separators. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (d.isFile()) out.push(relative(dir, join(d.parentPath, d.name)).split(sep).join("/"));
  }
  return out.sort();
}

/** Absolute http(s) URLs in `text`, and protocol-relative `//host` references in src/href/url()/import positions. */
function externalReferences(text: string): string[] {
  const urls = [...text.matchAll(/\bhttps?:\/\/[^\s"'`)<>\\]+/g)].map((m) => m[0]).filter((u) => !NAMESPACE_URIS.has(u));
  const protocolRelative = [...text.matchAll(/(?:src=|href=|url\(|from|import)\s*["'(]?\/\/[\w.-]+/g)].map((m) => m[0]);
  return [...urls, ...protocolRelative];
}

/** Static ES import/export specifiers (`from "x"`, `import "x"`) in module code; dynamic `import()` is excluded (lazy). */
function staticImports(code: string): string[] {
  return [...code.matchAll(/\b(?:from|import)\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

/** `href`/`src` attribute values in HTML. */
function htmlReferences(html: string): string[] {
  return [...html.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]);
}

/** Runs a command, resolving with its exit code and combined output. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("error", reject);
    // CI=true makes Framework colour its log; match on the plain text
    child.on("close", (code) => resolvePromise({ code, output: output.replace(/\u001b\[[0-9;]*m/g, "") }));
  });
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** A minimal static file server for `root` on 127.0.0.1 (directory → index.html; extensionless → .html). */
async function serveStatic(root: string): Promise<{ server: Server; origin: string; notFound: string[] }> {
  const notFound: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      let path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
      if (path.endsWith("/")) path += "index.html";
      else if (!extname(path)) path += ".html";
      const file = normalize(join(root, path));
      if (!file.startsWith(root + sep) || !existsSync(file)) {
        notFound.push(path);
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" });
      res.end(await readFile(file));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, notFound };
}

describe("offline Observable Framework site", () => {
  let tmp: string;
  let outDir: string;
  let build: { code: number | null; output: string; isolation: string };

  beforeAll(async () => {
    await prebuildSite({ projectRoot });
    // `observable build` reuses a cached loader output even when stale; remove it so
    // the TypeScript data loader really runs (with tsx) inside the offline build.
    await rm(join(projectRoot, "src", ".observablehq", "cache", "data", "demo.json"), { force: true });
    tmp = tempDir("fairload-site-");
    outDir = join(tmp, "dist");
    const guard = join(tmp, "offline-guard.mjs");
    await writeFile(
      guard,
      `const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    return Promise.reject(new Error("offline guard: blocked fetch " + url.href));
  }
  return realFetch(input, init);
};
`,
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OBSERVABLE_TELEMETRY_DISABLE: "true",
      NO_COLOR: "1",
      FAIRLOAD_SITE_OUTPUT: outDir,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${pathToFileURL(guard).href}`.trim(),
      PATH: `${join(projectRoot, "node_modules", ".bin")}${posix.delimiter}${process.env.PATH ?? ""}`,
    };
    const observable = join(projectRoot, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
    const isolation = canUnshareNetwork() ? "network namespace (unshare -n) + fetch guard" : "fetch guard only";
    const result = canUnshareNetwork()
      ? await run("unshare", ["-n", process.execPath, observable, "build"], env)
      : await run(process.execPath, [observable, "build"], env);
    build = { ...result, isolation };
    console.info(`site build isolation: ${isolation}`);
  });

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it("prebuild caches each bundled package at its installed version and is a no-op when nothing changed", async () => {
    for (const name of BUNDLED_PACKAGES) {
      const { version } = JSON.parse(readFileSync(join(projectRoot, "node_modules", name, "package.json"), "utf-8")) as {
        version: string;
      };
      expect(existsSync(join(npmCache, cacheEntryPath(name, version))), `${name}@${version}`).toBe(true);
    }
    expect(existsSync(join(npmCache, `lodash@${PLACEHOLDER_VERSION}`))).toBe(true);
    const again = await prebuildSite({ projectRoot });
    expect(again.built).toEqual([]);
    expect(again.fresh).toHaveLength(BUNDLED_PACKAGES.length);
  });

  it("prebuild removes stale versions from the npm cache", async () => {
    const stale = join(npmCache, "d3@0.0.1");
    await mkdir(stale, { recursive: true });
    const report = await prebuildSite({ projectRoot });
    expect(report.removed).toContain("d3@0.0.1");
    expect(existsSync(stale)).toBe(false);
  });

  it("observable build succeeds without the network", () => {
    expect(build.output).not.toMatch(/offline guard: blocked fetch/);
    expect(build.code, build.output).toBe(0);
    expect(existsSync(join(outDir, "index.html"))).toBe(true);
    expect(build.output).toMatch(/load \/data\/demo\.json → .*\[missing\].*success/);
  });

  it("the built site references no external host", async () => {
    const files = (await listFiles(outDir)).filter((f) => /\.(html|js|css)$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    const offenders: string[] = [];
    for (const f of files) {
      const text = await readFile(join(outDir, f), "utf-8");
      for (const ref of externalReferences(text)) offenders.push(`${f}: ${ref}`);
      if (/cdn\.jsdelivr\.net|jsdelivr\.com|fonts\.googleapis\.com|fonts\.gstatic\.com|unpkg\.com|esm\.sh/.test(text)) {
        offenders.push(`${f}: names a CDN host`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("every statically loaded module, stylesheet and preload of the page exists in the output", async () => {
    const html = await readFile(join(outDir, "index.html"), "utf-8");
    const pending = [
      ...htmlReferences(html).filter((r) => r.startsWith("./_")),
      ...staticImports(html).filter((s) => s.startsWith(".")),
    ].map((r) => posix.normalize(r));
    const seen = new Set<string>();
    const missing: string[] = [];
    for (let ref = pending.shift(); ref !== undefined; ref = pending.shift()) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      const file = join(outDir, ref);
      if (!existsSync(file)) {
        missing.push(ref);
        continue;
      }
      if (ref.endsWith(".js")) {
        for (const s of staticImports(await readFile(file, "utf-8"))) {
          if (s.startsWith(".")) pending.push(posix.join(posix.dirname(ref), s));
        }
      }
    }
    expect(missing).toEqual([]);
    expect([...seen].some((r) => r.includes("_npm/@observablehq/plot@"))).toBe(true);
    expect([...seen].some((r) => r.includes("_npm/d3@"))).toBe(true);
  });

  const skipBrowser = browserSkipReason();
  if (skipBrowser) console.warn(`site-offline: browser check skipped: ${skipBrowser}`);
  it.skipIf(skipBrowser !== undefined)(
    `renders in Chromium with no network${skipBrowser ? ` (skipped: ${skipBrowser})` : ""}`,
    async () => {
      const playwrightCore = "playwright-core";
      const { chromium } = (await import(playwrightCore)) as Playwright;
      const { server, origin, notFound } = await serveStatic(outDir);
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          // Any non-loopback request goes to a dead proxy and fails.
          "--proxy-server=http://127.0.0.1:9",
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        const requests: string[] = [];
        const errors: string[] = [];
        page.on("request", (r) => requests.push(r.url()));
        page.on("console", (m) => {
          // Plot reports problems (e.g. a mis-specified scale) as console warnings.
          if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
        });
        page.on("pageerror", (e) => errors.push(String(e)));
        page.on("response", (r) => {
          if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
        });
        await page.goto(`${origin}/`, { waitUntil: "load" });
        await page.waitForSelector('#trend-chart svg g[aria-label="line"] path', { timeout: 15_000 });
        await page.waitForSelector('#loader-chart svg g[aria-label="rect"] rect', { timeout: 15_000 });
        await page.waitForSelector("#summary", { timeout: 15_000 });
        expect(await page.locator('#trend-chart svg g[aria-label="line"] path').count()).toBe(3);
        expect(await page.locator('#loader-chart svg g[aria-label="rect"] rect').count()).toBe(12);
        expect(await page.locator("#summary").textContent()).toContain("18 team-months");
        expect(await page.locator("table tbody tr").count()).toBeGreaterThan(0);

        await page.selectOption("form select", "Assessment");
        await page.waitForFunction(() => document.querySelector("#summary")?.textContent?.includes("6 team-months"));
        expect(await page.locator('#trend-chart svg g[aria-label="line"] path').count()).toBe(1);
        await page.selectOption("form select", "All teams");
        await page.waitForFunction(() => document.querySelector("#summary")?.textContent?.includes("18 team-months"));

        await mkdir(join(realRoot, "test-output"), { recursive: true });
        await page.screenshot({ path: join(realRoot, "test-output", "site-offline.png"), fullPage: true });

        const external = requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
        expect(external).toEqual([]);
        expect(notFound).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        await new Promise((r) => server.close(r));
      }
    },
    60_000,
  );
});
