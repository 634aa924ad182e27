import { writeSample } from "../../loaders/sample/cli.ts";
import { type Command, num, out, str } from "./common.ts";

export const sampleCommand: Command = {
  summary: "write the synthetic sample employer's returns (CSV folder and/or .xlsx), seeded and reproducible",
  usage: "fairload sample --out DIR [--xlsx FILE] [--seed N] [--workers N] [--months N] [--no-bias]",
  options: { out: { type: "string", short: "o" }, xlsx: { type: "string" }, seed: { type: "string" }, workers: { type: "string" }, months: { type: "string" }, "no-bias": { type: "boolean" } },
  async run({ values }) {
    const written = await writeSample({
      out: str(values, "out"),
      xlsx: str(values, "xlsx"),
      seed: num(values, "seed"),
      workers: num(values, "workers"),
      months: num(values, "months"),
      noBias: Boolean(values["no-bias"]),
    });
    out(`Wrote ${written.join(" and ")} (synthetic data: see docs/sample-employer.md)`);
    return 0;
  },
};
