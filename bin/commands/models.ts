import { modelsOfWorkspace } from "../../app/workflow.ts";
import { type Command, jsonOption, openFromOptions, out, printedJson, workspaceOption } from "./common.ts";

export const modelsCommand: Command = {
  summary: "list every model fairload run and audit build: layer, grain, key, upstream, rows and build time (like dbt ls)",
  usage: "fairload models [--workspace DIR] [--json]",
  options: { ...workspaceOption, ...jsonOption },
  async run({ values }) {
    const models = await modelsOfWorkspace(openFromOptions(values));
    if (printedJson(values, models)) return 0;
    const width = Math.max(...models.map((m) => m.name.length));
    out(`${"layer".padEnd(12)} ${"model".padEnd(width)} ${"rows".padStart(9)} ${"built in".padStart(8)}  key | grain | upstream`);
    for (const m of models) {
      const rows = m.rows === null ? "-" : m.rows.toLocaleString("en-GB");
      const secs = m.build_seconds === null ? "-" : `${m.build_seconds.toFixed(2)} s`;
      const key = m.key.map((k) => (m.nullable_key.includes(k) ? `${k}?` : k)).join(", ");
      out(`${m.layer.padEnd(12)} ${m.name.padEnd(width)} ${rows.padStart(9)} ${secs.padStart(8)}  ${key} | ${m.grain} | ${m.upstream.join(", ") || "-"}`);
    }
    out(`${models.length} models (${models.filter((m) => m.kind.startsWith("sql")).length} SQL, ${models.filter((m) => m.kind === "compute").length} computed). Definitions: pipelines/models/ and pipelines/project.ts.`);
    return 0;
  },
};
