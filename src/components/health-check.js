// The health-check loader's file (src/data/health-check.json.ts) as the pages use it: each team row with its prompt's
// heading, text, unit, measure and whether it is computed (sent once per prompt, not once per team).
import {rows} from "./format.js";

export function healthCheck(hc) {
  const prompt = new Map(hc.prompts.map((p) => [p.prompt, p]));
  return {...hc, teams: rows(hc.teams).map((d) => ({...prompt.get(d.prompt), ...d, level: "team"}))};
}
