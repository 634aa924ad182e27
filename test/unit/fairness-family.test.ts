/** The declared analysis plan's families (pipelines/stats/fairness/family.ts) and the findings summary. */
import { describe, expect, it } from "vitest";
import { groupFindings, type AuditRecord } from "../../pipelines/audit.ts";
import { placeInFamilies, qInFamily, type PlannedTest } from "../../pipelines/stats/fairness.ts";
import type { FairnessResult } from "../../pipelines/stats/fairness.ts";
import { DEFAULT_RULE } from "../../pipelines/stats/fairness.ts";

function result(measure: string, p: number, ratio: number, ci: [number, number]): FairnessResult {
  return {
    measure, p_value: p, q_value: p, ratio_adjusted: ratio, ci_low: ci[0], ci_high: ci[1], mde_ratio: 1.2, df: 30, alpha: 0.05,
    n_workers_group_compared: 20, n_workers_reference_compared: 20, months_observed: 12, months_same_direction: 12, persistent: true,
    rule: DEFAULT_RULE, verdict: "too few to tell", verdict_reason: "inconclusive", sentence: "", scope: "", service: null, team: null,
    group: "Ethnic minorities", reference_group: "White British", group_label: "ethnic-minority workers", reference_label: "White British workers",
    window_start: "2025-10", window_end: "2026-09", window_months: 12, adjusted_for: ["service"], min_group_size: 10, monthly_ratios: [],
    monthly_workers_group: [], monthly_workers_reference: [],
  } as unknown as FairnessResult;
}
const t = (scope: PlannedTest["scope"], service: string | null, comparison: string, r: FairnessResult): PlannedTest => ({ scope, service, comparison, result: r, eligible: true });
const PLAN = { primaryMeasures: ["points_per_case"], alpha: 0.05 };

describe("placeInFamilies", () => {
  it("tests a service's teams in the primary family only when the service differs, and everything else as secondary", () => {
    const tests = [
      t("employer", null, "primary", result("points_per_case", 0.2, 1.05, [0.97, 1.12])),
      t("service", "A", "primary", result("points_per_case", 0.001, 1.2, [1.1, 1.3])),
      t("service", "B", "primary", result("points_per_case", 0.5, 1.0, [0.9, 1.1])),
      t("team", "A", "primary", result("points_per_case", 0.002, 1.3, [1.15, 1.45])),
      t("team", "B", "primary", result("points_per_case", 0.001, 1.4, [1.2, 1.6])),
      t("employer", null, "primary", result("caseload_per_fte", 0.001, 1.2, [1.1, 1.3])),
    ];
    const placed = placeInFamilies(tests, PLAN);
    expect(placed.map((p) => p.family_id)).toEqual([
      "primary: employer and services", "primary: employer and services", "primary: employer and services",
      "primary: teams of A (points_per_case)", "secondary", "secondary",
    ]);
    expect(placed[1]!.result.verdict).toBe("adverse disparity");
    expect(placed[3]!.result.verdict).toBe("adverse disparity");
    // a strong team in a service not found to differ, and a secondary measure, are only worth watching
    expect(placed[4]!.result.verdict).toBe("possible disparity: watch");
    expect(placed[5]!.result.verdict).toBe("possible disparity: watch");
    expect(placed[0]!.family_size).toBe(3);
  });

  it("leaves tests that cannot reach a verdict out of the correction", () => {
    const tests = [t("employer", null, "primary", result("points_per_case", 0.01, 1.2, [1.05, 1.3])), { ...t("service", "A", "primary", result("points_per_case", 0.001, 1.2, [1.1, 1.3])), eligible: false }];
    const placed = placeInFamilies(tests, PLAN);
    expect(placed[0]!.family_size).toBe(1);
    expect(placed[0]!.result.q_value).toBeCloseTo(0.01, 12);
    expect(placed[1]!.result.q_value).toBeNull();
  });

  it("qInFamily judges a re-run on the family's correction", () => {
    // BH over [0.01, 0.04, 0.5] with the second replaced by 0.02: q = 0.02 * 3 / 2 = 0.03
    expect(qInFamily([0.01, 0.04, 0.5], 1, 0.02)).toBeCloseTo(0.03, 12);
    expect(qInFamily([0.01, 0.04, 0.5], 1, null)).toBeNull();
  });
});

describe("groupFindings", () => {
  it("reports a team's measures as one finding and attaches the service rows it drives", () => {
    const rec = (id: number, scope: string, team: string | null, measure: string, driven: string | null) =>
      ({ result_id: id, scope, scope_label: team ?? "Service A", service: "A", team, measure, family: "primary", verdict: "adverse disparity", driven_by_team: driven }) as unknown as AuditRecord;
    const findings = groupFindings([rec(1, "service", null, "points_per_case", "T"), rec(2, "service", null, "high_complexity_share", "T"), rec(3, "team", "T", "points_per_case", null), rec(4, "team", "T", "high_complexity_share", null)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ team: "T", measures: ["points_per_case", "high_complexity_share"], result_ids: [3, 4], explains: [1, 2] });
  });
});
