/** `fairload sample`: write the synthetic sample employer's returns (CSV folder and/or .xlsx). */
import { mkdirSync } from "node:fs";
import { UserError } from "../../core/errors.ts";
import { generateEmployer, generateEmployerStream, type SampleOptions } from "./generator.ts";
import { writeCsvFolder, writeXlsx } from "./write.ts";

export interface SampleCliOptions {
  out?: string;
  xlsx?: string;
  seed?: number;
  workers?: number;
  months?: number;
  noBias?: boolean;
}

export async function writeSample(o: SampleCliOptions): Promise<string[]> {
  if (!o.out && !o.xlsx) throw new UserError("fairload sample needs --out DIR (CSV folder) and/or --xlsx FILE");
  for (const [k, v] of Object.entries({ seed: o.seed, workers: o.workers, months: o.months })) {
    if (v !== undefined && (!Number.isInteger(v) || v <= 0)) throw new UserError(`--${k} must be a positive whole number`);
  }
  const opts: SampleOptions = { seed: o.seed, workers: o.workers, months: o.months, ...(o.noBias ? { bias: [] } : {}) };
  const written: string[] = [];
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    await writeCsvFolder(generateEmployerStream(opts), o.out);
    written.push(o.out);
  }
  if (o.xlsx) {
    await writeXlsx(generateEmployer(opts), o.xlsx);
    written.push(o.xlsx);
  }
  return written;
}
