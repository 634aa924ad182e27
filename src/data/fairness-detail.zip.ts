// The Fairness page's detail, one file per measure in one archive (as trend.zip.ts does for the Trends page): the page
// loads the measure chosen (FileAttachment("data/fairness-detail/new_points_per_case.json")), not every measure's tests,
// months and variants at once. Each <measure>.json holds, columnar (read with src/components/format.js `rows`):
// - primary: the measure's primary comparisons at every scope, with the columns the page's chart and table show;
// - others: its other comparisons (ONS groups, White minorities, Not known, by gender and role) that may be shown;
// - monthly: the month-by-month adjusted ratios of its service and team comparisons (the persistence chart);
// - adjustment: its primary comparisons with one characteristic released or added, variant by variant.
// support.json: the primary comparisons of complexity (points per case) and support (supervision) that may be shown, for
// the chart of the one against the other. The rows are fairness-select.ts's; a public build's come from the public layer.
import { FAIRNESS_MEASURES } from "../../pipelines/stats/fairness/measures.ts";
import { PUBLIC } from "./mart.ts";
import { adjustmentVariants, compact, isPrimary, pageResults, primaryMonthly } from "./fairness-select.ts";
import { zip } from "./zip.ts";

const results = await pageResults();
const monthly = await primaryMonthly();
const variants = await adjustmentVariants();
const primary = results.filter(isPrimary);
const measureOf = new Map(primary.filter((r) => r.result_id !== null).map((r) => [r.result_id, r.measure]));
const beyondEmployer = new Set(primary.filter((r) => r.scope !== "employer" && r.result_id !== null).map((r) => r.result_id));

const PRIMARY_COLUMNS = [
  "result_id", "scope", "scope_label", "service", "team", "measure", "verdict", "suppressed", "sentence",
  ...(PUBLIC ? ["workers_compared"] : ["n_workers_group", "n_workers_group_without_comparator", "n_workers_reference", "n_workers_reference_without_comparator", "events_group", "events_reference"]),
  "ratio_unadjusted", "ratio_adjusted", "ci_low", "ci_high", "q_value", "mde_ratio", "months_same_direction", "months_observed", "family", "driven_by_team", "adjusted_for",
];
const OTHER_COLUMNS = ["scope", "scope_label", "comparison", "group", "subgroup", "verdict", "ratio_unadjusted", "ratio_adjusted", "ci_low", "ci_high", "sentence"];

// every measure the page may choose has its file, tested or not (an employer audited before a measure existed)
const measures = [...new Set([...FAIRNESS_MEASURES, ...results.map((r) => String(r.measure))])];
const files = measures.map((measure) => ({
  name: `${measure}.json`,
  data: JSON.stringify({
    measure,
    primary: compact(primary.filter((r) => r.measure === measure), PRIMARY_COLUMNS),
    others: compact(results.filter((r) => !isPrimary(r) && r.measure === measure && !r.suppressed), OTHER_COLUMNS),
    monthly: compact(monthly.filter((m) => measureOf.get(m.result_id) === measure && beyondEmployer.has(m.result_id)), ["result_id", "period", "ratio"], ["period"]),
    adjustment: compact(variants.filter((v) => measureOf.get(v.result_id) === measure), ["result_id", "variant", "adjusted_for", "ratio", "ci_low", "ci_high"]),
  }),
}));
const SUPPORT = ["points_per_case", "supervision_ratio"];
files.push({
  name: "support.json",
  data: JSON.stringify(compact(primary.filter((r) => SUPPORT.includes(String(r.measure)) && r.scope !== "employer" && !r.suppressed && r.ratio_adjusted), ["scope", "scope_label", "team", "measure", "ratio_adjusted"])),
});
process.stdout.write(zip(files));
