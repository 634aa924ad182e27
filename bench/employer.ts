/**
 * The benchmarks' synthetic employers: the CSV folder of `generateEmployerStream({ workers, months })`
 * in bench/out/employer-<workers>x<months>/csv, generated once and generated again whenever the
 * generator's code changes. Without that check a folder made before the generator wrote the HR
 * tables went on being measured as if it were today's employer (on 3 December 2026 the 1,500-worker
 * folder had no HR tables while the 5,000-worker one had them). The folder's `generator.sha256` is
 * the hash of every file of loaders/sample/; any other difference removes the whole folder (the
 * ingest benchmark's Parquet copies too).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../core/workspace.ts";

/** The hash of the generator's code (every file of loaders/sample/, in name order). */
export function generatorStamp(): string {
  const dir = join(PROJECT_ROOT, "loaders", "sample");
  const h = createHash("sha256");
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith(".ts")) continue;
    h.update(f);
    h.update(readFileSync(join(dir, f)));
  }
  return h.digest("hex");
}

/** The employer's folder (bench/out/employer-<workers>x<months>), its CSVs generated if missing or made by other generator code. */
export async function employerCsv(workers: number, months: number, log: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<string> {
  const root = join(PROJECT_ROOT, "bench", "out", `employer-${workers}x${months}`);
  const csvDir = join(root, "csv");
  const stampFile = join(root, "generator.sha256");
  const stamp = generatorStamp();
  const current = existsSync(join(csvDir, "case_month.csv")) && existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === stamp;
  if (!current) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(csvDir, { recursive: true });
    log(`generating ${workers} workers x ${months} months into ${csvDir} ...`);
    const { generateEmployerStream } = await import("../loaders/sample/generator.ts");
    const { writeCsvFolder } = await import("../loaders/sample/write.ts");
    const t = performance.now();
    await writeCsvFolder(generateEmployerStream({ workers, months }), csvDir);
    writeFileSync(stampFile, `${stamp}\n`);
    log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return csvDir;
}
