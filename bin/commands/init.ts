import { UserError } from "../../core/errors.ts";
import { initWorkspace } from "../../core/workspace.ts";
import { type Command, out, str } from "./common.ts";

export const initCommand: Command = {
  summary: "create a workspace folder (database, archive, config)",
  usage: "fairload init DIR [--employer NAME]",
  options: { employer: { type: "string" } },
  async run({ values, positionals }) {
    const dir = positionals[0];
    if (!dir) throw new UserError("fairload init needs a folder: fairload init DIR");
    const ws = initWorkspace(dir, { employer: str(values, "employer") });
    out(`Workspace ready at ${ws.dir} (config: ${ws.configPath})`);
    return 0;
  },
};
