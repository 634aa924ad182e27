// The primary comparisons of each team, for the notebook "Investigating one team", in TEAM_FILES files of one archive so
// that the notebook loads the file of the team chosen, not every team's: index.json says which file holds a team (the
// teams in order of service and team, dealt out in turn), and <n>.json holds its teams' comparisons, columnar (read with
// src/components/format.js `rows`): the ratios, intervals, verdicts and sentences the notebook shows. Every file is there
// even when it holds no team (a page names each file it may load). The rows are fairness-select.ts's; a public build's
// come from the public layer.
import { compact, isPrimary, pageResults, TEAM_FILES } from "./fairness-select.ts";
import { zip } from "./zip.ts";

const teamRows = (await pageResults()).filter((r) => isPrimary(r) && r.scope === "team");
const key = (r: Record<string, unknown>) => JSON.stringify([r.service, r.team]);
const teams = [...new Map(teamRows.map((r) => [key(r), { service: r.service, team: r.team }])).values()]
  .sort((a, b) => String(a.service).localeCompare(String(b.service)) || String(a.team).localeCompare(String(b.team)))
  .map((t, i) => ({ ...t, file: i % TEAM_FILES }));
const fileOf = new Map(teams.map((t) => [key(t), t.file]));
const COLUMNS = ["service", "team", "measure", "verdict", "suppressed", "ratio_unadjusted", "ratio_adjusted", "ci_low", "ci_high", "sentence"];

process.stdout.write(zip([
  { name: "index.json", data: JSON.stringify(compact(teams, ["service", "team", "file"])) },
  ...Array.from({ length: TEAM_FILES }, (_, n) => ({ name: `${n}.json`, data: JSON.stringify(compact(teamRows.filter((r) => fileOf.get(key(r)) === n), COLUMNS)) })),
]));
