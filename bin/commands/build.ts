import { buildSite } from "../site.ts";
import { type Command, openFromOptions, out, str, workspaceOption } from "./common.ts";

export const buildCommand: Command = {
  summary: "build the dashboard (an Observable Framework site) from the marts, offline; --public for a publishable build",
  usage: "fairload build [--workspace DIR] [--public] [--out DIR]",
  options: { ...workspaceOption, public: { type: "boolean" }, out: { type: "string", short: "o" } },
  async run({ values }) {
    const r = await buildSite(openFromOptions(values), { public: Boolean(values.public), out: str(values, "out") });
    out(`Built ${r.pages} pages into ${r.out} in ${r.seconds.toFixed(1)} s${values.public ? " (public: small groups suppressed, no worker data)" : " (internal)"}.`);
    return 0;
  },
};
