/**
 * Plain English: the phrases for groups and the sentence that states a result.
 *
 * @module
 */
import { monthName } from "../../../core/calendar.ts";
import { FAIRNESS_MEASURE_DEFS, type MeasureInfo } from "./measures.ts";
import type { AdjustKey, FairnessResult } from "./types.ts";

const PHRASES: Record<string, string> = {
  "Ethnic minorities": "ethnic-minority social workers",
  "White British": "White British social workers",
  "White minorities": "White-minority social workers",
  "Not known": "social workers whose ethnicity is not known",
  White: "White social workers",
  "Mixed or Multiple": "social workers of Mixed or Multiple ethnicity",
  "Asian or Asian British": "Asian or Asian British social workers",
  "Black, Black British, Caribbean or African": "Black, Black British, Caribbean or African social workers",
  "Other ethnic group": "social workers of another ethnic group",
};

/**
 * Plain-English phrase for a group in a sentence: the group under audit as
 * "... social workers", the reference as "... colleagues".
 *
 * @param label - the group label (a fairness reporting group or an ONS broad group)
 * @param as - "group" or "reference"
 * @returns the phrase
 */
export function groupPhrase(label: string, as: "group" | "reference"): string {
  const base = PHRASES[label] ?? `${label} social workers`;
  return as === "reference" ? base.replace("social workers", "colleagues") : base;
}

function pct(r: number): number {
  return Math.round(Math.abs(r - 1) * 100);
}

function ciText(info: MeasureInfo, lo: number | null, hi: number | null): string {
  if (lo === null || hi === null || !Number.isFinite(hi) || !(lo > 0)) return "95% CI could not be estimated";
  if (lo >= 1) return `95% CI ${pct(lo)}% to ${pct(hi)}%`;
  if (hi <= 1) return `95% CI ${pct(hi)}% to ${pct(lo)}%`;
  return `95% CI from ${pct(lo)}% ${info.lessWord} to ${pct(hi)}% ${info.moreWord}`;
}

function clause(info: MeasureInfo, r: number): { text: string; prep: string } {
  const p = pct(r);
  if (p === 0) return { text: info.same, prep: "as" };
  return { text: r > 1 ? info.more(`${p}%`) : info.less(`${p}%`), prep: "than" };
}

function likeFor(adjusted: AdjustKey[]): string {
  const parts: string[] = [];
  parts.push(adjusted.includes("team") ? "team" : "service");
  if (adjusted.includes("role")) parts.push("role");
  if (adjusted.includes("experience")) parts.push("experience band");
  if (adjusted.includes("employment")) parts.push("employment type");
  if (adjusted.includes("fte_band")) parts.push("working pattern");
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
  return `in the same ${list}`;
}

function scopePhrase(r: Pick<FairnessResult, "scope" | "service" | "team">): string {
  if (r.team) return `In ${r.team}${r.service ? ` (${r.service})` : ""}`;
  if (r.service) return `In ${r.service}`;
  return `Across ${r.scope || "the employer"}`;
}

/**
 * The plain-English sentence for a result, as an equality lead could paste
 * it into a report (one template per verdict and reason; month names, not
 * YYYY-MM). Group sizes are never printed.
 *
 * @param r - the result (verdict already decided)
 * @returns the sentence
 */
export function describeResult(r: FairnessResult): string {
  const info = FAIRNESS_MEASURE_DEFS[r.measure];
  const scope = scopePhrase(r);
  if (r.verdict === "suppressed") {
    return `${scope}: the comparison of ${info.noun} between ${r.group_label} and ${r.reference_label} is not published because a group has fewer than ${r.min_group_size} workers.`;
  }
  const pre = `${scope}, over the ${r.window_months} months to ${monthName(r.window_end)}, `;
  const G = r.group_label;
  const Rf = r.reference_label;
  const like = likeFor(r.adjusted_for);
  const R = r.ratio_adjusted;
  const ci = ciText(info, r.ci_low, r.ci_high);
  const cl = R !== null && R > 0 && Number.isFinite(R) ? clause(info, R) : null;
  const mdePct = r.mde_ratio !== null && Number.isFinite(r.mde_ratio) ? `${Math.ceil((r.mde_ratio - 1) * 100 - 1e-9)}%` : null;
  switch (r.verdict_reason) {
    case "significant-and-persistent":
    case "significant-in-primary-family":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci})${r.months_observed >= 2 ? `; the difference pointed this way in ${r.months_same_direction} of ${r.months_observed} months` : ""}.`;
    case "monte-carlo-unsettled":
      return `${pre}${G} ${cl ? `${cl.text} ${cl.prep} ${Rf}` : "could not be compared with"} ${like} (${ci}), but this lies so close to a threshold of the rule that the audit's resampling could not settle which side it is on; it is reported as too few to tell rather than a verdict that could change with the random seed (run the audit with more resamples to settle it).`;
    case "secondary-question":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci}). This is not one of the audit's declared primary questions, so it is reported as worth watching, not as a finding.`;
    case "rules-out-disparity":
      return `${pre}there was no evidence of a disparity in ${info.noun} between ${G} and ${Rf} ${like}: they ${cl!.text} (${ci}), which rules out a difference of ${Math.round((r.rule.equivalence_margin - 1) * 100)}% or more.`;
    case "no-comparable-workers":
      return `${pre}no ${G} worked ${like} as ${Rf} in the same month, so ${info.noun} could not be compared.`;
    case "few-workers": {
      const groupShort = r.n_workers_group_compared < r.rule.min_workers;
      return `${pre}there were too few ${groupShort ? G : Rf} (fewer than ${r.rule.min_workers}) ${like} as ${groupShort ? Rf : G} to tell whether ${info.noun} differed.`;
    }
    case "low-power":
      return mdePct
        ? `${pre}there were too few workers to tell whether ${G} and ${Rf} ${like} differed in ${info.noun}: even a difference of ${mdePct} would be found only four times in five.`
        : `${pre}the data were too sparse to tell whether ${G} and ${Rf} ${like} differed in ${info.noun}.`;
    case "short-window":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci}), but only ${r.months_observed} months could be compared, too few to tell whether this is a persistent disparity (at least ${r.rule.persistence_min_months} are needed).`;
    case "not-persistent":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} overall (${ci}), but this was so in only ${r.months_same_direction} of ${r.months_observed} months, so the audit cannot tell whether it is a persistent disparity.`;
    case "cannot-rule-out":
      return `${pre}there was no clear difference in ${info.noun} between ${G} and ${Rf} ${like}: they ${cl!.text} (${ci}), but there were too few workers to rule out a disparity of ${Math.round((r.rule.equivalence_margin - 1) * 100)}% or more.`;
    case "not-significant-after-correction":
      return `${pre}${G} ${cl!.text} ${cl!.prep} ${Rf} ${like} (${ci}), but this difference did not stand up once the audit allowed for the number of comparisons it made (q = ${(r.q_value ?? r.p_value ?? 1).toPrecision(2)}), so it cannot yet be called a disparity; it is worth watching.`;
    case "inconclusive":
    default:
      return `${pre}the audit cannot tell whether ${G} and ${Rf} ${like} differed in ${info.noun}: ${G} ${cl ? `${cl.text} ${cl.prep} ${Rf}` : "could not be compared"} (${ci}), a range that includes both no difference and a difference of ${Math.round((r.rule.equivalence_margin - 1) * 100)}% or more.`;
  }
}
