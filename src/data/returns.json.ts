// Returns received per team and month (mart_returns_received) and the ingest log's refused files (problem details only in an internal build).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PUBLIC, WORKSPACE, emit, rowsOf } from "./mart.ts";

const received = await rowsOf("mart_returns_received", `SELECT service, team, period, worker_return, team_return FROM mart_returns_received ORDER BY service, team, period`);
const log = join(WORKSPACE, "ingest-log.jsonl");
const attempts = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } }) : [];
const refused = attempts.filter((a) => a.status === "refused").map((a) => ({
  at: a.at,
  files: (a.files ?? []).map((f: { file: string }) => f.file.split("/").pop()),
  problem_count: a.problem_count,
  problems: PUBLIC ? [] : (a.problems ?? []).slice(0, 5),
}));
const loads = attempts.filter((a) => a.status === "accepted").map((a) => ({ at: a.at, load_id: a.load_id, files: (a.files ?? []).length, rows: (a.tables ?? []).reduce((s: number, t: { rows: number }) => s + t.rows, 0) }));
emit({ received, refused, loads });
