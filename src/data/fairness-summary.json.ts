// The fairness findings a summary shows (the overview, the board paper, the notebook "This month's report" and the top
// of the Fairness page), from fairness_results with the public layer's marks, or pub_fairness_results in a public build:
// - window_end: the month the audit's window ends;
// - verdicts: the verdict of every primary comparison and whether the public layer withholds it (columnar, in runs),
//   which the pages count;
// - flagged: every disparity found (adverse or favourable, any comparison), with its sentence;
// - employer_and_services: the primary comparisons of the employer and its services that may be shown (the overview's
//   chart): the ratios, intervals and sentences.
// Everything else the Fairness page shows comes per measure (fairness-detail.zip.ts), and the team notebook's per team
// (fairness-team.zip.ts).
import { emit } from "./mart.ts";
import { compact, isDisparity, isPrimary, pageResults } from "./fairness-select.ts";

const results = await pageResults();
const primary = results.filter(isPrimary);
// in order of verdict, so that both columns come in a few runs
const byVerdict = [...primary].sort((a, b) => String(a.verdict).localeCompare(String(b.verdict)) || Number(a.suppressed) - Number(b.suppressed));
const pick = (r: Record<string, unknown>, columns: string[]) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]));

emit({
  window_end: primary.find((r) => r.window_end)?.window_end ?? results.find((r) => r.window_end)?.window_end ?? null,
  verdicts: compact(byVerdict, ["verdict", "suppressed"]),
  flagged: results.filter(isDisparity).map((r) => pick(r, ["scope", "scope_label", "service", "team", "comparison", "subgroup", "group", "measure", "verdict", "suppressed", "sentence"])),
  employer_and_services: primary
    .filter((r) => r.scope !== "team" && !r.suppressed)
    .map((r) => pick(r, ["scope", "scope_label", "service", "measure", "verdict", "ratio_unadjusted", "ratio_adjusted", "ci_low", "ci_high", "sentence"])),
});
