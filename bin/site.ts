/**
 * `fairload build` and `fairload preview`: the Observable Framework site over a workspace's marts.
 * The build is offline (see docs/offline-site.md): the prebuild bundles the browser packages from
 * node_modules into Framework's cache, loader output from any earlier build is cleared (Framework
 * would otherwise reuse it), and FAIRLOAD_WORKSPACE / FAIRLOAD_PUBLIC tell the loaders what to read
 * and what to withhold. Preview serves the built files on 127.0.0.1 only.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { openDb, queryRows } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import { PROJECT_ROOT, type Workspace } from "../core/workspace.ts";
import { prebuildSite } from "./prebuild-site.ts";

export interface BuildOptions {
  public?: boolean;
  out?: string;
  log?: (line: string) => void;
}

const REQUIRED = ["mart_monthly_measures", "mart_series", "mart_headlines"];

/**
 * Builds share Framework's cache under src/.observablehq (loader output included), so two at once
 * could mix one build's data into another's (an internal file into a public build). One at a time.
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(PROJECT_ROOT, "src", ".observablehq", "build.lock");
  mkdirSync(dirname(lock), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock left by a killed build is stale after ten minutes
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 900_000) throw new UserError(`Another site build holds ${lock}; try again when it has finished.`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function buildSite(ws: Workspace, opts: BuildOptions = {}): Promise<{ out: string; seconds: number; pages: number }> {
  return withBuildLock(() => buildSiteUnlocked(ws, opts));
}

async function buildSiteUnlocked(ws: Workspace, opts: BuildOptions): Promise<{ out: string; seconds: number; pages: number }> {
  const t0 = performance.now();
  const out = resolve(opts.out ?? join(PROJECT_ROOT, opts.public ? "dist-public" : "dist"));
  const db = await openDb(ws.dbPath, { readOnly: true });
  try {
    const have = new Set((await queryRows<{ table_name: string }>(db.conn, `SELECT table_name FROM duckdb_tables()`)).map((r) => r.table_name));
    const missing = REQUIRED.filter((t) => !have.has(t));
    if (missing.length) throw new UserError(`The workspace has no ${missing.join(", ")} yet: run "fairload run" (and "fairload audit") before building the site.`);
  } finally {
    db.close();
  }
  await prebuildSite({ log: opts.log });
  rmSync(join(PROJECT_ROOT, "src", ".observablehq", "cache", "data"), { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  const observable = join(PROJECT_ROOT, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  const env = {
    ...process.env,
    OBSERVABLE_TELEMETRY_DISABLE: "true",
    NO_COLOR: "1",
    FAIRLOAD_WORKSPACE: ws.dir,
    FAIRLOAD_PUBLIC: opts.public ? "1" : "0",
    FAIRLOAD_SITE_OUTPUT: out,
    PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
  };
  const output = await new Promise<string>((resolveRun, reject) => {
    const child = spawn(process.execPath, [observable, "build"], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolveRun(text) : reject(new UserError(`The site build failed:\n${text.split("\n").slice(-25).join("\n")}`))));
  });
  if (/\berror\b/i.test(output) && /load .* (error|failed)/i.test(output)) throw new UserError(`A data loader failed:\n${output}`);
  // Framework 1.13 writes <html> without a language: say it is British English (WCAG 3.1.1);
  // and its viewport forbids zooming (maximum-scale=1): let people zoom (WCAG 1.4.4)
  let pages = 0;
  for (const file of walk(out)) {
    if (!file.endsWith(".html")) continue;
    const html = readFileSync(file, "utf8");
    writeFileSync(file, html.replace(/<html>/, '<html lang="en-GB">').replace(/(<meta name="viewport" content="[^"]*?),\s*maximum-scale=1(\.0)?/, "$1"));
    pages++;
  }
  return { out, seconds: (performance.now() - t0) / 1000, pages };
}

export function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".arrow": "application/vnd.apache.arrow.file",
};

/** Serve a built site on 127.0.0.1 (never on other interfaces). `/trends` serves trends.html. */
export function serveSite(dir: string, port = 3000): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  if (!existsSync(join(root, "index.html"))) throw new UserError(`${root} has no built site: run "fairload build" first.`);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let path = normalize(decodeURIComponent(url.pathname));
    if (path.endsWith("/")) path += "index";
    let file = join(root, path);
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = existsSync(`${file}.html`) ? `${file}.html` : join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "x-content-type-options": "nosniff" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveServe, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolveServe({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}
