/**
 * The catalogue of monthly measures: what each is, its unit, which direction is good, and
 * whether it rests on workload points (then it is never compared across services).
 * Loaded into the database as `ref_measures`; the SQL marts and the site read it from there.
 */
export interface MeasureDef {
  measure: string;
  label: string;
  unit: string;
  /** count: a sum; ratio: numerator / denominator x scale. */
  kind: "count" | "ratio";
  scale: number;
  higher_is: "better" | "worse" | "neutral";
  points_based: boolean;
  description: string;
}

export const SERIES_MEASURES: MeasureDef[] = [
  { measure: "caseload", label: "Caseload", unit: "cases", kind: "count", scale: 1, higher_is: "worse", points_based: false, description: "Cases held at the month's return (all workers)." },
  { measure: "caseload_per_fte", label: "Caseload per FTE", unit: "cases per FTE", kind: "ratio", scale: 1, higher_is: "worse", points_based: false, description: "Cases / FTE of the workers holding at least one case (as the DfE's caseload per case-holding FTE)." },
  { measure: "points_per_fte", label: "Workload points per FTE", unit: "points per FTE", kind: "ratio", scale: 1, higher_is: "worse", points_based: true, description: "(Case points + non-case points) / FTE of every worker on the return. Service and team level only." },
  { measure: "points_per_case", label: "Average points per case", unit: "points per case", kind: "ratio", scale: 1, higher_is: "worse", points_based: true, description: "Case points / cases: how heavy the average case is. Service and team level only." },
  { measure: "high_complexity_share", label: "High-complexity cases", unit: "% of cases", kind: "ratio", scale: 100, higher_is: "worse", points_based: false, description: "Cases at complexity 4 or 5 / cases with a complexity (recorded, or derived from points within the service)." },
  { measure: "referrals", label: "Referrals", unit: "referrals", kind: "count", scale: 1, higher_is: "neutral", points_based: false, description: "New referrals in the month (team returns)." },
  { measure: "re_referral_rate", label: "Re-referral rate", unit: "% of referrals", kind: "ratio", scale: 100, higher_is: "worse", points_based: false, description: "Re-referrals within 12 months / referrals (teams reporting both)." },
  { measure: "unallocated_cases", label: "Unallocated cases", unit: "cases", kind: "count", scale: 1, higher_is: "worse", points_based: false, description: "Cases waiting for allocation at month end." },
  { measure: "sickness_days_per_fte", label: "Sickness days per FTE", unit: "days per FTE", kind: "ratio", scale: 1, higher_is: "worse", points_based: false, description: "Sickness days / FTE of every worker on the return." },
  { measure: "agency_share", label: "Agency share", unit: "% of FTE", kind: "ratio", scale: 100, higher_is: "worse", points_based: false, description: "FTE of agency workers / FTE of every worker on the return." },
  { measure: "vacancy_rate", label: "Vacancy rate", unit: "% of establishment", kind: "ratio", scale: 100, higher_is: "worse", points_based: false, description: "Vacant FTE / establishment FTE (teams reporting both)." },
  { measure: "turnover_12m", label: "Turnover (12 months)", unit: "% of headcount", kind: "ratio", scale: 100, higher_is: "worse", points_based: false, description: "Leavers over the 12 months to the month / average headcount over them; only when all 12 months are on record." },
  { measure: "supervision_held_share", label: "Supervision held", unit: "% of planned", kind: "ratio", scale: 100, higher_is: "better", points_based: false, description: "Supervision sessions held / sessions planned." },
  { measure: "reviews_requested", label: "Caseload reviews requested", unit: "workers", kind: "count", scale: 1, higher_is: "worse", points_based: false, description: "Workers who asked for their caseload to be re-evaluated as unsafe." },
];

export function measure(name: string): MeasureDef {
  const m = SERIES_MEASURES.find((x) => x.measure === name);
  if (!m) throw new Error(`unknown measure ${name}`);
  return m;
}
