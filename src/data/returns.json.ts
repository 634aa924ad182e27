// Returns received per team and month (mart_returns_received, or pub_returns_received in a public build) and, internally, the ingest log's loads and refused files.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PUBLIC, WORKSPACE, columnar, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_returns_received" : "mart_returns_received";
// columnar (src/components/format.js `rows`): one row per team and month made this file 1 MB on a large employer
const received = columnar(await rowsOf(table, `SELECT service, team, period, worker_return, team_return FROM ${table} ORDER BY service, team, period`), ["service", "team", "period", "worker_return", "team_return"], ["service", "team", "worker_return", "team_return"], ["period"]);
const log = join(WORKSPACE, "ingest-log.jsonl");
// the ingest log is internal: a public build shows which returns arrived, not the loads
const attempts = !PUBLIC && existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } }) : [];
const refused = attempts.filter((a) => a.status === "refused").map((a) => ({
  at: a.at,
  files: (a.files ?? []).map((f: { file: string }) => f.file.split("/").pop()),
  problem_count: a.problem_count,
  problems: PUBLIC ? [] : (a.problems ?? []).slice(0, 5),
}));
const loads = attempts.filter((a) => a.status === "accepted").map((a) => ({ at: a.at, load_id: a.load_id, files: (a.files ?? []).length, rows: (a.tables ?? []).reduce((s: number, t: { rows: number }) => s + t.rows, 0) }));
emit({ received, refused, loads });
