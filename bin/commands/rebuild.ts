import { createProgress } from "../../core/progress.ts";
import { rebuild } from "../../loaders/rebuild.ts";
import { type Command, openFromOptions, out, workspaceOption } from "./common.ts";

export const rebuildCommand: Command = {
  summary: "rebuild the database from the archive of raw files, replaying every accepted load in order",
  usage: "fairload rebuild [--workspace DIR]",
  options: { ...workspaceOption },
  async run({ values }) {
    const ws = openFromOptions(values);
    const progress = createProgress();
    const r = await rebuild(ws, { onLoad: (n, total) => progress.step("replaying loads", n, total) });
    progress.done();
    out(`Rebuilt ${r.database} from ${r.loads} load${r.loads === 1 ? "" : "s"} (${r.rows.toLocaleString("en-GB")} rows).`);
    return 0;
  },
};
