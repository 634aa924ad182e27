import { join } from "node:path";
import { PROJECT_ROOT } from "../../core/workspace.ts";
import { type Command, out, portOption, serveUntilStopped, str } from "./common.ts";

export const previewCommand: Command = {
  summary: "serve a built dashboard on this machine (127.0.0.1) and print its address",
  usage: "fairload preview [--out DIR] [--port 3000]",
  options: { out: { type: "string", short: "o" }, ...portOption },
  async run({ values }) {
    return serveUntilStopped(str(values, "out") ?? join(PROJECT_ROOT, "dist"), values, (url) => out(`Serving the dashboard at ${url} (Ctrl+C to stop)`));
  },
};
