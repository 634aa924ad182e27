/**
 * Prebuild step for the Observable Framework site: fills Framework's npm cache
 * (`src/.observablehq/cache/_npm/`) from the local node_modules so that
 * `observable build` never needs the network.
 *
 * Framework 1.13.4 (`dist/npm.js`) resolves an `npm:<name>` import in two steps:
 *   1. version: an exact `x.y.z` range is used as is; otherwise the highest
 *      directory `_npm/<name>@<version>` in the cache that satisfies the range
 *      wins; only if none does it asks `https://registry.npmjs.org/<name>`.
 *   2. file: `/_npm/<name>@<version>/_esm.js`; if that file exists in the cache it
 *      is used as is, otherwise it is fetched from `https://cdn.jsdelivr.net/npm/`.
 *
 * So for every package listed in {@link BUNDLED_PACKAGES} this script writes a
 * browser ESM bundle (esbuild) to `_npm/<name>@<installed version>/_esm.js`; a
 * bundled package that imports another bundled package imports it by relative
 * path (as jsDelivr's `+esm` files do), so Framework copies both and d3 is not
 * duplicated inside Plot. For every other package that Framework's client
 * library merely *mentions* (e.g. `import("npm:lodash")` inside the standard
 * library) it creates an empty directory `_npm/<name>@0.0.0-offline`, which
 * answers the version lookup without the registry; such a package is not
 * available offline and a page that really uses it fails the build.
 *
 * Re-running is cheap: a manifest records a fingerprint (versions of the package
 * and of everything it inlines, esbuild version, externals) and the sha256 of each
 * bundle, and up-to-date bundles are skipped. See docs/offline-site.md.
 *
 * Usage: `npx tsx bin/prebuild-site.ts [--force] [--quiet]` from the repo root.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, transform, version as esbuildVersion, type Plugin } from "esbuild";

/**
 * Packages bundled from node_modules into Framework's npm cache, by npm name.
 * They cover the implicit globals `Plot`, `d3`, `html`/`htl`, the dependencies
 * Framework adds for `Inputs` (htl, isoformat; Inputs itself is bundled by
 * Framework from node_modules), `FileAttachment.csv/tsv` (d3-dsv) and
 * `FileAttachment.arrow` / `Arrow` (apache-arrow). To add one: append its name
 * here (it must be installed in node_modules) and rerun the prebuild.
 */
export const BUNDLED_PACKAGES: readonly string[] = [
  "@observablehq/plot",
  "d3",
  "d3-dsv",
  "htl",
  "isoformat",
  "apache-arrow",
];

/** Version used for placeholder cache directories of packages that are not bundled. */
export const PLACEHOLDER_VERSION = "0.0.0-offline";

/** Bump when the bundle format changes, to invalidate every cached bundle. */
const FORMAT_VERSION = 1;

/** Name of the manifest written next to `_npm/` (not inside it: Framework reads every entry of `_npm/` as `name@version`). */
const MANIFEST_FILE = "offline-npm-manifest.json";

/** A package as installed in node_modules. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** Absolute, real path of the package directory. */
  dir: string;
  /** Runtime dependency names (`dependencies` and `peerDependencies`). */
  dependencies: string[];
}

/** One bundle in the manifest. */
interface ManifestEntry {
  fingerprint: string;
  sha256: string;
  /** Other bundled packages it imports by relative path (informational). */
  imports: string[];
}

/** The manifest: `name@version` → entry. */
interface Manifest {
  formatVersion: number;
  bundles: Record<string, ManifestEntry>;
}

/** What one prebuild run did. */
export interface PrebuildReport {
  /** `name@version` of bundles written this run. */
  built: string[];
  /** `name@version` of bundles that were already up to date. */
  fresh: string[];
  /** Names given a placeholder version directory. */
  placeholders: string[];
  /** Cache entries removed because they are no longer expected. */
  removed: string[];
  /** Wall time in milliseconds. */
  ms: number;
}

/** Options of {@link prebuildSite}. */
export interface PrebuildOptions {
  /** Repository root containing node_modules (default: this script's parent). */
  projectRoot?: string;
  /** Framework source root (default: `<projectRoot>/src`). */
  siteRoot?: string;
  /** Packages to bundle (default: {@link BUNDLED_PACKAGES}). */
  packages?: readonly string[];
  /** Rebuild every bundle even if it is up to date. */
  force?: boolean;
  /** Log progress to stdout. */
  log?: (line: string) => void;
}

/**
 * Splits a bare module specifier into package name and subpath
 * (`"@scope/pkg/a/b"` → `{name: "@scope/pkg", subpath: "a/b"}`), following npm's naming.
 */
export function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const n = specifier.startsWith("@") ? 2 : 1;
  return { name: parts.slice(0, n).join("/"), subpath: parts.slice(n).join("/") };
}

/**
 * Path of a bundle inside Framework's `_npm/` cache directory, as Framework
 * 1.13.4's `resolveNpmImport` computes it for `npm:<name>` (`<name>@<version>/_esm.js`).
 */
export function cacheEntryPath(name: string, version: string): string {
  return `${name}@${version}/_esm.js`;
}

/** Relative ES module specifier from one `_npm/` entry to another (always starts with `./` or `../`). */
export function relativeImport(fromEntry: string, toEntry: string): string {
  const rel = posix.relative(posix.dirname(fromEntry), toEntry);
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/**
 * Finds the directory of package `name` as Node would from `fromDir`: the first
 * `node_modules/<name>` walking up the directory tree. Returns undefined if none.
 */
export function findPackageDir(fromDir: string, name: string): string | undefined {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/** Reads name, version and runtime dependencies from the package.json in `dir`. */
export function readInstalledPackage(dir: string): InstalledPackage {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf-8")) as {
    name: string;
    version: string;
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  return {
    name: pkg.name,
    version: pkg.version,
    dir: realpathSync(dir),
    dependencies: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})],
  };
}

/**
 * Lists `name@version` of a package and its transitive runtime dependencies as
 * installed (resolved from each dependent's directory like Node does), sorted.
 * Used to fingerprint a bundle: if any of these versions changes, it is rebuilt.
 * Dependencies that are not installed (e.g. optional peers) are skipped.
 */
export function dependencyClosure(pkg: InstalledPackage): string[] {
  const seen = new Map<string, InstalledPackage>([[pkg.dir, pkg]]);
  const queue = [pkg];
  for (let p = queue.shift(); p; p = queue.shift()) {
    for (const dep of p.dependencies) {
      const dir = findPackageDir(p.dir, dep);
      if (!dir || seen.has(dir)) continue;
      const info = readInstalledPackage(dir);
      seen.set(dir, info);
      queue.push(info);
    }
  }
  return [...new Set([...seen.values()].map((p) => `${p.name}@${p.version}`))].sort();
}

/**
 * Collects the package names that Framework's browser code and implicit-import
 * tables mention as `npm:<name>` (files under `dist/client/` plus
 * `dist/libraries.js` of the installed @observablehq/framework). Each needs a
 * version answer from the cache, or Framework asks the npm registry while
 * bundling its standard library.
 */
export function frameworkNpmNames(frameworkDir: string): string[] {
  const files = [join(frameworkDir, "dist", "libraries.js"), ...listJsFiles(join(frameworkDir, "dist", "client"))];
  const names = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, "utf-8").matchAll(/["'`]npm:((?:@[\w.-]+\/)?[\w.-]+)/g)) {
      names.add(match[1]);
    }
  }
  return [...names].sort();
}

/** Recursively lists `.js` files under `dir`. */
function listJsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listJsFiles(join(dir, d.name)) : d.name.endsWith(".js") ? [join(dir, d.name)] : [],
  );
}

/**
 * Fingerprint of a bundle's inputs: format version, esbuild version, and the
 * installed `name@version`s of the package, of everything it may inline, and of
 * all bundled packages (which decide what it imports by relative path).
 */
export function bundleFingerprint(closure: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify({ FORMAT_VERSION, esbuildVersion, closure })).digest("hex");
}

/** sha256 (hex) of a string or buffer. */
function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Finds the directory of the package that contains `file` and is named `name`. */
function owningPackageDir(file: string, name: string): string | undefined {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    const pj = join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf-8")) as { name?: string }).name === name) {
      return realpathSync(dir);
    }
  }
  return undefined;
}

/**
 * esbuild plugin: an import of exactly `<name>` (no subpath) where `<name>` is
 * another bundled package, and Node would resolve it to that same installed
 * copy, becomes an external relative import of that package's `_esm.js`.
 * Anything else (other packages, subpaths, a different nested copy) is inlined.
 * Records which packages were externalised in `used`.
 */
function externalsPlugin(
  self: InstalledPackage,
  others: ReadonlyMap<string, InstalledPackage>,
  used: Set<string>,
): Plugin {
  const fromEntry = cacheEntryPath(self.name, self.version);
  return {
    name: "fairload-offline-npm-externals",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if ((args.pluginData as { inner?: boolean } | undefined)?.inner) return undefined;
        const { name, subpath } = splitSpecifier(args.path);
        const target = others.get(name);
        if (!target || subpath) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { inner: true },
        });
        if (resolved.errors.length > 0 || owningPackageDir(resolved.path, name) !== target.dir) return undefined;
        used.add(`${target.name}@${target.version}`);
        return { path: relativeImport(fromEntry, cacheEntryPath(target.name, target.version)), external: true };
      });
    },
  };
}

/**
 * Bundles one installed package for the browser as a single ES module (esbuild,
 * minified, `process.env.NODE_ENV` = "production"), importing the other bundled
 * packages by relative path. Returns the code and the externalised `name@version`s.
 */
export async function bundlePackage(
  projectRoot: string,
  pkg: InstalledPackage,
  others: ReadonlyMap<string, InstalledPackage>,
): Promise<{ code: string; externals: string[] }> {
  const used = new Set<string>();
  const result = await build({
    entryPoints: [pkg.name],
    absWorkingDir: projectRoot,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    legalComments: "eof",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [externalsPlugin(pkg, others, used)],
  });
  const code = `// ${pkg.name}@${pkg.version} bundled from node_modules by bin/prebuild-site.ts for offline use\n${result.outputFiles[0].text}`;
  return { code, externals: [...used].sort() };
}

/** Reads the manifest, or an empty one if missing, unreadable or of another format. */
async function readManifest(path: string): Promise<Manifest> {
  try {
    const m = JSON.parse(await readFile(path, "utf-8")) as Manifest;
    if (m.formatVersion === FORMAT_VERSION && m.bundles) return m;
  } catch {
    // missing or corrupt: start afresh
  }
  return { formatVersion: FORMAT_VERSION, bundles: {} };
}

/** Writes a file atomically (temp file + rename) so a concurrent build never sees half a bundle. */
async function writeAtomic(path: string, contents: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, path);
}

/** Lists `name@version` directory entries of the `_npm/` cache (scoped ones as `@scope/name@version`). */
async function listCacheEntries(npmDir: string): Promise<string[]> {
  if (!existsSync(npmDir)) return [];
  const entries: string[] = [];
  for (const entry of existsSync(npmDir) ? await readdir(npmDir) : []) {
    if (entry.startsWith("@") && statSync(join(npmDir, entry)).isDirectory()) {
      for (const sub of await readdir(join(npmDir, entry))) entries.push(`${entry}/${sub}`);
    } else {
      entries.push(entry);
    }
  }
  return entries;
}

/** Where a bundle goes and what its fingerprint covers. */
interface Planned {
  /** Absolute path of the bundle in the cache. */
  path: string;
  /** See {@link dependencyClosure}, plus the set of all bundled packages. */
  closure: string[];
}

/** True if the bundle exists, its sha256 matches the manifest, and its inputs' fingerprint is unchanged. */
async function isFresh(p: Planned, entry: ManifestEntry | undefined): Promise<boolean> {
  if (!entry || entry.fingerprint !== bundleFingerprint(p.closure) || !existsSync(p.path)) return false;
  return sha256(await readFile(p.path)) === entry.sha256;
}

/**
 * Fills `<siteRoot>/.observablehq/cache/_npm/` so that Framework resolves every
 * `npm:` import it needs without the network: bundles each package of
 * `options.packages` at its installed version, creates placeholder version
 * directories for the other packages Framework mentions, removes everything
 * else from `_npm/`, and skips bundles whose fingerprint and hash are unchanged.
 */
export async function prebuildSite(options: PrebuildOptions = {}): Promise<PrebuildReport> {
  const start = performance.now();
  const projectRoot = resolve(options.projectRoot ?? join(dirname(fileURLToPath(import.meta.url)), ".."));
  const siteRoot = resolve(options.siteRoot ?? join(projectRoot, "src"));
  const log = options.log ?? (() => {});
  const cacheDir = join(siteRoot, ".observablehq", "cache");
  const npmDir = join(cacheDir, "_npm");
  const manifestPath = join(cacheDir, MANIFEST_FILE);

  const installed = new Map<string, InstalledPackage>();
  for (const name of options.packages ?? BUNDLED_PACKAGES) {
    const dir = findPackageDir(projectRoot, name);
    if (!dir) throw new Error(`prebuild-site: package ${name} is not installed in ${projectRoot}/node_modules`);
    installed.set(name, readInstalledPackage(dir));
  }
  // Every bundled package may be imported by every other one, so the set of
  // bundled name@versions is part of each closure's fingerprint.
  const bundledSet = [...installed.values()].map((p) => `${p.name}@${p.version}`).sort();

  const manifest = await readManifest(manifestPath);
  const next: Manifest = { formatVersion: FORMAT_VERSION, bundles: {} };
  const report: PrebuildReport = { built: [], fresh: [], placeholders: [], removed: [], ms: 0 };

  for (const pkg of installed.values()) {
    const key = `${pkg.name}@${pkg.version}`;
    const p: Planned = {
      path: join(npmDir, cacheEntryPath(pkg.name, pkg.version)),
      closure: [...dependencyClosure(pkg), "|", ...bundledSet],
    };
    const old = manifest.bundles[key];
    if (!options.force && (await isFresh(p, old))) {
      next.bundles[key] = old!;
      report.fresh.push(key);
      continue;
    }
    const others = new Map([...installed].filter(([name]) => name !== pkg.name));
    const t = performance.now();
    const { code, externals } = await bundlePackage(projectRoot, pkg, others);
    await writeAtomic(p.path, code);
    next.bundles[key] = { fingerprint: bundleFingerprint(p.closure), sha256: sha256(code), imports: externals };
    report.built.push(key);
    log(`bundled npm:${key} (${(code.length / 1024).toFixed(0)} KiB${externals.length ? `, imports ${externals.join(", ")}` : ""}) in ${Math.round(performance.now() - t)} ms`);
  }

  const frameworkDir = findPackageDir(projectRoot, "@observablehq/framework");
  if (!frameworkDir) throw new Error("prebuild-site: @observablehq/framework is not installed");
  for (const name of frameworkNpmNames(frameworkDir)) {
    if (installed.has(name)) continue;
    await mkdir(join(npmDir, `${name}@${PLACEHOLDER_VERSION}`), { recursive: true });
    report.placeholders.push(name);
  }

  const expected = new Set([...Object.keys(next.bundles), ...report.placeholders.map((n) => `${n}@${PLACEHOLDER_VERSION}`)]);
  for (const entry of await listCacheEntries(npmDir)) {
    if (expected.has(entry)) continue;
    await rm(join(npmDir, entry), { recursive: true, force: true });
    report.removed.push(entry);
  }
  for (const entry of existsSync(npmDir) ? await readdir(npmDir) : []) {
    if (entry.startsWith("@") && (await readdir(join(npmDir, entry))).length === 0) await rm(join(npmDir, entry), { recursive: true });
  }

  await writeAtomic(manifestPath, `${JSON.stringify(next, null, 2)}\n`);
  await writeSharedModules(siteRoot);
  report.ms = Math.round(performance.now() - start);
  return report;
}

/**
 * Pure modules the pages share with the pipeline, written into the site as JavaScript so that
 * pages and pipeline use one definition (Framework serves only what is under src/). Generated,
 * not committed (.gitignore).
 */
export const SHARED_MODULES: readonly { from: string; to: string }[] = [{ from: "core/calendar.ts", to: "components/calendar.js" }];

async function writeSharedModules(siteRoot: string): Promise<void> {
  const fairloadRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
  for (const m of SHARED_MODULES) {
    const source = await readFile(join(fairloadRoot, m.from), "utf8");
    const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2022" });
    const out = join(siteRoot, m.to);
    const text = `// Generated from ${m.from} by bin/prebuild-site.ts: edit that file, not this one.\n${code}`;
    if (existsSync(out) && (await readFile(out, "utf8")) === text) continue;
    await mkdir(dirname(out), { recursive: true });
    await writeAtomic(out, text);
  }
}

/** CLI entry point: `tsx bin/prebuild-site.ts [--force] [--quiet]`. */
async function main(argv: readonly string[]): Promise<void> {
  const quiet = argv.includes("--quiet");
  const log = quiet ? () => {} : (line: string) => console.log(line);
  const report = await prebuildSite({ force: argv.includes("--force"), log });
  log(
    `prebuild-site: ${report.built.length} bundled, ${report.fresh.length} up to date, ` +
      `${report.placeholders.length} placeholders, ${report.removed.length} stale removed, ${report.ms} ms`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
