/**
 * The workload health check: the 39 prompts of the Social Work Task Force workload health check,
 * the figures the monthly returns can give for twelve of them (and a thirteenth, prompt 31 "Annual
 * leave is taken", from the optional HR table leave when it is loaded), a suggested rating for each
 * of those against configurable thresholds, the team's own recorded rating from its latest check,
 * and roll-ups from team to service to employer.
 *
 * Reference: docs/health-check.md (prompts, definitions, thresholds); the input contract
 * docs/returns.md (`team_month`, `worker_month`, `health_check`). The prompt wording is
 * paraphrased, not the official text.
 *
 * - {@link PROMPTS}: number, heading and short text of each prompt.
 * - {@link healthCheck}: records per level (team, service, employer), month and prompt.
 * - {@link aggregateHealthCheck}: team records -> service and employer records (ratios of sums,
 *   rating counts).
 * - {@link compareChecks}: each team's latest check against its previous one, per prompt.
 * - {@link listDisagreements}: every recorded disagreement with its next step.
 * - {@link writeHealthCheckMarts}: `mart_health_check`, `mart_health_check_summary` and
 *   `mart_health_check_disagreements`, in one transaction.
 *
 * Every figure is a ratio of sums (numerator and denominator summed over the teams and months
 * in scope, each pair only over the teams where both are present), never a mean of ratios.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { z } from "zod";
import type { Config } from "../core/config.ts";
import { ensureSchema, inTransaction, openDb, queryRows, writeTable } from "../core/db.ts";
import type { ComputeStep } from "./registry.ts";
import { UserError } from "../core/errors.ts";
import type { Workspace } from "../core/workspace.ts";
import { ensureModels } from "./build.ts";
import { analyseSeries } from "./stats/analyze.ts";
import { calendarMonthName, monthEnd } from "../core/calendar.ts";
import { HEADINGS, PROMPTS, prompt, type Prompt } from "../core/health-check-prompts.ts";

export { HEADINGS, PROMPTS, prompt, type Prompt };

// ---------------------------------------------------------------------------------------------
// Ratings and thresholds
// ---------------------------------------------------------------------------------------------

export type Rating = "green" | "amber" | "red";
export type RecordedRating = Rating | "n/a";
const RATING_ORDER: Record<Rating, number> = { red: 1, amber: 2, green: 3 };

/**
 * A rating rule. `better: 'lower'`: red above `red`, amber from `amber` up to `red`, green below
 * `amber`. `better: 'higher'`: red below `red`, amber from `red` up to (not including) `amber`,
 * green from `amber` up.
 */
export interface Threshold {
  better: "lower" | "higher";
  amber: number;
  red: number;
}

/** Thresholds for every computed prompt, plus the rule that marks sickness as rising. */
export interface HealthCheckThresholds {
  prompts: Record<number, Threshold>;
  /** Prompt 34: rising when the 12-month rate is more than this % above the 12 months before. */
  sicknessRisingPct: number;
  /** Prompt 31: days of leave carried over per FTE, rated beside the share of entitlement taken (the worse of the two). */
  leaveCarriedOver: Threshold;
}

/**
 * Prompt 31, "Annual leave is taken": computed from the optional HR table leave (share of the
 * entitlement taken, days carried over per FTE), and only when that table has rows; without it the
 * prompt is left to the team's own rating, as before.
 */
export const LEAVE_PROMPT = 31;

/** The prompts the returns can answer ({@link LEAVE_PROMPT} only when the leave table is loaded). */
export const COMPUTED_PROMPTS = [1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 31, 34] as const;

/**
 * Default thresholds (docs/health-check.md gives the reasons). Prompt 5 is rated on caseload as
 * a percentage of the configured ceiling; prompt 11 on unallocated cases per case-holding FTE;
 * prompt 13 on the height of the largest seasonal peak (% above a typical month).
 */
export const DEFAULT_THRESHOLDS: HealthCheckThresholds = {
  prompts: {
    1: { better: "lower", amber: 10, red: 15 },
    2: { better: "lower", amber: 10, red: 20 },
    3: { better: "lower", amber: 5, red: 10 },
    4: { better: "lower", amber: 15, red: 20 },
    5: { better: "lower", amber: 90, red: 100 },
    7: { better: "lower", amber: 7.5, red: 15 },
    8: { better: "higher", amber: 90, red: 80 },
    11: { better: "lower", amber: 0.5, red: 1.5 },
    12: { better: "lower", amber: 22, red: 27 },
    13: { better: "lower", amber: 10, red: 25 },
    16: { better: "higher", amber: 85, red: 70 },
    31: { better: "higher", amber: 90, red: 80 },
    34: { better: "lower", amber: 8, red: 11 },
  },
  sicknessRisingPct: 10,
  leaveCarriedOver: { better: "lower", amber: 3, red: 5 },
};

const ThresholdSchema = z
  .object({ better: z.enum(["lower", "higher"]), amber: z.number().finite(), red: z.number().finite() })
  .strict()
  .refine((t) => (t.better === "lower" ? t.red >= t.amber : t.red <= t.amber), {
    message: "red must be beyond amber (above it when lower is better, below it when higher is better)",
  });

/** zod schema of a thresholds override: `{ prompts?: { "1": {...}, ... }, sicknessRisingPct?, leaveCarriedOver? }`. */
export const ThresholdsOverrideSchema = z
  .object({
    prompts: z.record(z.string().regex(/^\d+$/), ThresholdSchema).optional(),
    sicknessRisingPct: z.number().min(0).optional(),
    leaveCarriedOver: ThresholdSchema.optional(),
  })
  .strict();

/**
 * Merge an override (e.g. parsed from a JSON file) onto {@link DEFAULT_THRESHOLDS}. Unknown keys,
 * prompts the returns cannot answer, or an inconsistent rule are a UserError naming the key.
 */
export function resolveThresholds(override?: unknown): HealthCheckThresholds {
  if (override === undefined || override === null) return DEFAULT_THRESHOLDS;
  const parsed = ThresholdsOverrideSchema.safeParse(override);
  if (!parsed.success) {
    throw new UserError(`Health-check thresholds are not valid:\n${parsed.error.issues.map((i) => `  ${i.path.join(".") || "(top level)"}: ${i.message}`).join("\n")}`);
  }
  const prompts = { ...DEFAULT_THRESHOLDS.prompts };
  for (const [k, t] of Object.entries(parsed.data.prompts ?? {})) {
    const n = Number(k);
    if (!(COMPUTED_PROMPTS as readonly number[]).includes(n)) {
      throw new UserError(`Health-check thresholds: prompt ${k} is not computed from the returns (computed: ${COMPUTED_PROMPTS.join(", ")})`);
    }
    prompts[n] = t;
  }
  return {
    prompts,
    sicknessRisingPct: parsed.data.sicknessRisingPct ?? DEFAULT_THRESHOLDS.sicknessRisingPct,
    leaveCarriedOver: parsed.data.leaveCarriedOver ?? DEFAULT_THRESHOLDS.leaveCarriedOver,
  };
}

/** Rate a value against a threshold (see {@link Threshold}); null for a missing value. */
export function rateValue(value: number | null, t: Threshold): Rating | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (t.better === "lower") return value > t.red ? "red" : value >= t.amber ? "amber" : "green";
  return value < t.red ? "red" : value < t.amber ? "amber" : "green";
}

/** One step worse (green -> amber -> red). */
function worsen(r: Rating | null): Rating | null {
  return r === "green" ? "amber" : r === "amber" ? "red" : r;
}

/** The worse of two ratings (a missing one gives way to the other). */
function worseOf(a: Rating | null, b: Rating | null): Rating | null {
  if (a === null) return b;
  if (b === null) return a;
  return RATING_ORDER[a] <= RATING_ORDER[b] ? a : b;
}

/** improved / worse / same by the order green > amber > red; null when either is not a colour. */
export function ratingChange(latest: string | null, previous: string | null): "improved" | "worse" | "same" | null {
  const a = RATING_ORDER[latest as Rating];
  const b = RATING_ORDER[previous as Rating];
  if (a === undefined || b === undefined) return null;
  return a > b ? "improved" : a < b ? "worse" : "same";
}

// ---------------------------------------------------------------------------------------------
// What each computed prompt is
// ---------------------------------------------------------------------------------------------

/** A ratio of two summed parts (`den` null: a count, the numerator alone), times `scale`. */
interface Ratio {
  num: string;
  den: string | null;
  scale: number;
}

interface PromptCalc {
  prompt: number;
  measure: string;
  unit: string;
  /** The headline figure. */
  value: Ratio;
  /** The month's own figure, for prompts whose headline is a 12-month figure (or vice versa). */
  month?: Ratio;
  twelve?: Ratio;
  /** What the rating compares with the thresholds, when not the headline value. */
  rating?: Ratio & { unit: string };
  /** The same figure a year earlier (prompt 34). */
  prev?: Ratio;
  /** The headline needs all 12 months of its window on record. */
  needsFullYear?: boolean;
  /** A second figure rated beside the headline; the suggested rating is the worse of the two (prompt 31: days carried over per FTE). */
  second?: Ratio & { unit: string };
  /** A figure shown in the detail only, not rated (prompt 31: days paid in lieu per FTE). */
  shown?: Ratio & { unit: string };
  /** Parts kept for the detail and the public layer, not ratios (prompt 31: the leave year, the workers in post at its end). */
  info?: string[];
}

const r = (num: string, den: string | null, scale = 1): Ratio => ({ num, den, scale });

/**
 * Definitions of the computed prompts (parts are columns of the team-month query below).
 * Prompt 13 (seasonality) is handled separately: it reads the series engine's results.
 */
const CALCS: PromptCalc[] = [
  { prompt: 1, measure: "vacancy_rate", unit: "% of establishment FTE", value: r("vacant_fte", "establishment_fte", 100) },
  { prompt: 2, measure: "agency_share", unit: "% of FTE on the return", value: r("agency_fte_worked", "fte", 100) },
  { prompt: 3, measure: "long_term_absence_rate", unit: "% of establishment FTE", value: r("long_term_absence_fte", "establishment_fte", 100) },
  { prompt: 4, measure: "turnover_12m", unit: "% of average headcount (12 months)", value: r("leavers_12m", "headcount_avg_12m", 100), needsFullYear: true },
  {
    prompt: 5, measure: "caseload_per_fte", unit: "cases per case-holding FTE", value: r("cases", "case_holder_fte"),
    rating: { ...r("cases_with_ceiling", "ceiling_capacity", 100), unit: "% of the caseload ceiling" },
  },
  { prompt: 7, measure: "toil_hours_per_fte", unit: "TOIL hours per FTE", value: r("toil_hours", "toil_fte") },
  { prompt: 8, measure: "supervision_held_12m", unit: "% of planned sessions held (12 months)", value: r("supervision_held_12m", "supervision_planned_12m", 100), month: r("supervision_held", "supervision_planned", 100) },
  {
    prompt: 11, measure: "unallocated_cases", unit: "cases at month end", value: r("unallocated_cases", null), twelve: r("unallocated_avg_12m", null),
    rating: { ...r("unallocated_cases", "case_holder_fte"), unit: "unallocated cases per case-holding FTE" },
  },
  { prompt: 12, measure: "re_referral_rate_12m", unit: "% of referrals (12 months)", value: r("re_referrals_12m", "referrals_12m", 100), month: r("re_referrals_m", "referrals_m", 100) },
  { prompt: 16, measure: "case_holder_share", unit: "% of team members holding cases", value: r("case_holders", "members", 100) },
  {
    prompt: 31, measure: "leave_taken_share", unit: "% of leave entitlement taken (latest leave year ended)", value: r("leave_taken_days", "leave_entitlement_days", 100),
    second: { ...r("leave_carried_over_days", "leave_carried_over_fte"), unit: "days of leave carried over per FTE" },
    shown: { ...r("leave_paid_in_lieu_days", "leave_paid_in_lieu_fte"), unit: "days paid in lieu per FTE" }, info: ["leave_year", "leave_workers"],
  },
  {
    prompt: 34, measure: "sickness_days_per_fte_12m", unit: "sickness days per FTE (12 months)", value: r("sickness_days_12m", "sickness_fte_avg_12m"),
    month: r("sickness_days", "sickness_fte"), prev: r("sickness_days_prev_12m", "sickness_fte_avg_prev_12m"), needsFullYear: true,
  },
];
const CALC_BY_PROMPT = new Map(CALCS.map((c) => [c.prompt, c]));



// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

export type Level = "team" | "service" | "employer";

/** Counts of ratings over the teams a record covers (a team record counts itself: 0 or 1). */
export interface RatingCounts {
  teams: number;
  recorded_green: number;
  recorded_amber: number;
  recorded_red: number;
  recorded_na: number;
  /** Teams with no rating for this prompt in their latest check (or no check). */
  recorded_missing: number;
  suggested_green: number;
  suggested_amber: number;
  suggested_red: number;
  /** Teams whose recorded and suggested ratings differ. */
  differing: number;
}

/** One prompt for one team, service or the employer in one month. */
export interface HealthCheckRecord extends RatingCounts {
  level: Level;
  service: string | null;
  team: string | null;
  /** The month (YYYY-MM) the figures are for. */
  period: string;
  prompt: number;
  heading: string;
  prompt_text: string;
  /** True for the prompts the returns can answer. */
  computed: boolean;
  measure: string | null;
  unit: string | null;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** The month's own figure where the headline is a 12-month one (prompts 8, 12, 34). */
  value_month: number | null;
  /** The 12-month figure where the headline is the month's (prompt 11: mean month-end count). */
  value_12m: number | null;
  /** Months on record in the 12-month window (team records; the fewest of the teams for roll-ups). */
  months_12m: number | null;
  /** The figure compared with the thresholds, and its unit. */
  rating_value: number | null;
  rating_unit: string | null;
  suggested_rating: Rating | null;
  /** Prompt 34: the 12-month figure a year earlier, and whether the rate is rising. */
  value_prev_year: number | null;
  rising: boolean | null;
  /** A second figure rated beside the headline, and its unit (prompt 31: days of leave carried over per FTE); the suggested rating is the worse of the two. */
  second_value: number | null;
  second_unit: string | null;
  /** Prompt 13: months of seasonal peaks and troughs (1-12) and which series they come from. */
  peak_months: number[] | null;
  trough_months: number[] | null;
  series_scope: Level | null;
  /** Plain words on the figure (what it rests on, or why it is missing). */
  detail: string | null;
  /** Teams contributing to the figure (roll-ups) or 1/0 (team records). */
  contributors: number;
  /** The team's latest health check on or before the month's end (see docs). */
  check_date: string | null;
  check_period: string | null;
  recorded_rating: RecordedRating | null;
  /** Both ratings exist (recorded green/amber/red) and differ. */
  differs: boolean | null;
  /** The suggested rating for the month of that check, and whether the recorded one differs. */
  suggested_at_check: Rating | null;
  differs_at_check: boolean | null;
  notes: string | null;
  disagreement: string | null;
  next_step: string | null;
  previous_check_date: string | null;
  previous_rating: RecordedRating | null;
  change: "improved" | "worse" | "same" | null;
  /** The summed parts behind the figures (ratios of sums). */
  parts: Record<string, number | null>;
}

/** One row of the `health_check` table. */
export interface CheckRow {
  check_date: string;
  service: string;
  team: string;
  prompt: number;
  rating: RecordedRating | null;
  notes: string | null;
  disagreement: string | null;
  next_step: string | null;
}

/** Seasonal peaks and troughs of one referrals series, from the series engine. */
export interface Seasonality {
  code: string;
  peak_months: number[];
  trough_months: number[];
  /** Seasonal index of the highest peak month, % above a typical month. */
  peak_pct: number | null;
  n_observed: number;
  source: "mart_series" | "computed";
}

/** Key of a scope in a seasonality map. */
export function scopeKey(level: Level, service: string | null, team: string | null): string {
  return JSON.stringify([level, service, team]);
}

const ZERO_COUNTS: RatingCounts = {
  teams: 0, recorded_green: 0, recorded_amber: 0, recorded_red: 0, recorded_na: 0, recorded_missing: 0,
  suggested_green: 0, suggested_amber: 0, suggested_red: 0, differing: 0,
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** num / den x scale; a count when `den` is null; NULL when a part is missing or den is 0. */
function ratioValue(parts: Record<string, number | null>, ratio: Ratio): { value: number | null; numerator: number | null; denominator: number | null } {
  const n = parts[ratio.num] ?? null;
  if (ratio.den === null) return { value: n, numerator: n, denominator: null };
  const d = parts[ratio.den] ?? null;
  if (n === null || d === null) return { value: null, numerator: n, denominator: d };
  return { value: d > 0 ? (n / d) * ratio.scale : null, numerator: n, denominator: d };
}

const monthsLabel = (ms: number[]) => ms.map(calendarMonthName).join(", ");

/** Values, rating and detail of one computed prompt from its parts. */
function evaluate(
  calc: PromptCalc,
  parts: Record<string, number | null>,
  thresholds: HealthCheckThresholds,
): Pick<HealthCheckRecord, "value" | "numerator" | "denominator" | "value_month" | "value_12m" | "rating_value" | "rating_unit" | "suggested_rating" | "value_prev_year" | "rising" | "second_value" | "second_unit" | "detail"> {
  const head = ratioValue(parts, calc.value);
  const rating = calc.rating ? ratioValue(parts, calc.rating) : head;
  const prev = calc.prev ? ratioValue(parts, calc.prev).value : null;
  const t = thresholds.prompts[calc.prompt]!;
  let suggested = rateValue(rating.value, t);
  let rising: boolean | null = null;
  if (calc.prev) {
    rising = head.value !== null && prev !== null ? head.value > prev * (1 + thresholds.sicknessRisingPct / 100) : null;
    if (rising) suggested = worsen(suggested);
  }
  let detail: string | null = null;
  if (head.value === null) detail = missingDetail(calc, parts);
  else if (calc.prompt === 5 && rating.value === null) detail = "no caseload ceiling configured for this team or service: not rated";
  else if (calc.rating) detail = rating.value === null ? null : `${round(rating.value, 2)} ${calc.rating.unit}`;
  if (rising) detail = `${detail ? `${detail}; ` : ""}rising: more than ${thresholds.sicknessRisingPct}% above the 12 months before (${round(prev!, 2)}), so rated one step worse`;
  // prompt 31: the days carried over are rated too, and the worse rating stands
  const second = calc.second ? ratioValue(parts, calc.second).value : null;
  if (calc.second) {
    const own = suggested;
    const t2 = thresholds.leaveCarriedOver;
    const secondRating = rateValue(second, t2);
    suggested = worseOf(suggested, secondRating);
    if (head.value !== null || second !== null) detail = leaveDetail(calc, parts, second, t2, secondRating !== null && secondRating !== own && suggested === secondRating);
  }
  return {
    ...head,
    value_month: calc.month ? ratioValue(parts, calc.month).value : calc.twelve ? head.value : null,
    value_12m: calc.twelve ? ratioValue(parts, calc.twelve).value : calc.month ? head.value : null,
    rating_value: rating.value,
    rating_unit: calc.rating?.unit ?? calc.unit,
    suggested_rating: suggested,
    value_prev_year: calc.prev ? prev : null,
    rising,
    second_value: second,
    second_unit: calc.second?.unit ?? null,
    detail,
  };
}

/**
 * Prompt 31's detail: the leave year, the workers in post at its end, the days carried over and
 * paid in lieu per FTE, and, when the days carried over set the rating, its rule.
 */
function leaveDetail(calc: PromptCalc, parts: Record<string, number | null>, carried: number | null, t: Threshold, ratedOnCarried: boolean): string {
  const first = parts.leave_year_first ?? parts.leave_year ?? null;
  const last = parts.leave_year ?? null;
  const year = last === null ? "the latest leave year" : first !== null && first !== last ? `the latest leave years (to March ${first} to March ${last})` : `the leave year to March ${last}`;
  const workers = parts.leave_workers ?? null;
  const paid = calc.shown ? ratioValue(parts, calc.shown).value : null;
  const figures = [
    carried === null ? "days carried over not recorded" : `${round(carried, 2)} days carried over per FTE`,
    ...(paid === null ? [] : [`${round(paid, 2)} paid in lieu per FTE`]),
  ];
  const rule = ratedOnCarried ? `; rated on the days carried over per FTE (amber from ${t.amber}, red above ${t.red})` : "";
  return `${year}, ${workers === null ? "the" : workers} worker${workers === 1 ? "" : "s"} in post at its end: ${figures.join(", ")}${rule}`;
}

function missingDetail(calc: PromptCalc, parts: Record<string, number | null>): string {
  if (calc.prompt === LEAVE_PROMPT) return "no leave year on record for this team ended in the 24 months to this month (with workers in post at its end)";
  if (calc.needsFullYear) return "needs all 12 months of the window (this month and the 11 before) on record";
  const missing = [calc.value.num, calc.value.den].filter((k): k is string => k !== null && (parts[k] ?? null) === null);
  if (missing.length) return `not recorded: ${missing.join(", ")}`;
  return "denominator is zero";
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** P13: rating and detail from a seasonality lookup (team, else service, else employer series). */
function evaluateSeasonality(
  found: { s: Seasonality; scope: Level } | null,
  thresholds: HealthCheckThresholds,
): Pick<HealthCheckRecord, "value" | "rating_value" | "rating_unit" | "suggested_rating" | "peak_months" | "trough_months" | "series_scope" | "detail"> {
  const unit = "% above a typical month (largest seasonal peak)";
  if (!found) {
    return { value: null, rating_value: null, rating_unit: unit, suggested_rating: null, peak_months: null, trough_months: null, series_scope: null, detail: "no referrals series long enough for a seasonal pattern (24 months)" };
  }
  const { s, scope } = found;
  const source = `${scope} referrals series, ${s.n_observed} months${s.source === "computed" ? ", computed now" : ""}`;
  if (s.code !== "ok") {
    return {
      value: 0, rating_value: 0, rating_unit: unit, suggested_rating: rateValue(0, thresholds.prompts[13]!),
      peak_months: [], trough_months: [], series_scope: scope, detail: `no clear seasonal pattern (${source})`,
    };
  }
  const v = s.peak_pct ?? 0;
  const words = s.peak_months.length ? `peaks in ${monthsLabel(s.peak_months)}` : "no clear peak";
  return {
    value: v, rating_value: v, rating_unit: unit, suggested_rating: rateValue(v, thresholds.prompts[13]!),
    peak_months: s.peak_months, trough_months: s.trough_months, series_scope: scope,
    detail: `${words}${s.trough_months.length ? `; troughs in ${monthsLabel(s.trough_months)}` : ""} (${source})`,
  };
}

/** The seasonality to use for a scope: its own series when long enough, else the wider scope's. */
function findSeasonality(map: Map<string, Seasonality>, service: string | null, team: string | null): { s: Seasonality; scope: Level } | null {
  const usable = (s: Seasonality | undefined) => s !== undefined && (s.code === "ok" || s.code === "no_clear_pattern");
  const chain: [Level, string | null, string | null][] = [];
  if (team !== null) chain.push(["team", service, team]);
  if (service !== null) chain.push(["service", service, null]);
  chain.push(["employer", null, null]);
  for (const [lvl, s, t] of chain) {
    const found = map.get(scopeKey(lvl, s, t));
    if (usable(found)) return { s: found!, scope: lvl };
  }
  return null;
}

/** The definition of a computed prompt, if it is computed here: prompt 31 only with the leave table loaded. */
function calcFor(promptNumber: number, leave: boolean): PromptCalc | undefined {
  return promptNumber === LEAVE_PROMPT && !leave ? undefined : CALC_BY_PROMPT.get(promptNumber);
}

function emptyRecord(level: Level, service: string | null, team: string | null, period: string, p: Prompt, leave = true): HealthCheckRecord {
  const calc = calcFor(p.number, leave);
  // ZERO_COUNTS written out (same keys, same order): a literal is far cheaper than a spread, and
  // a large employer's health check makes some 300,000 of these records
  return {
    teams: 0, recorded_green: 0, recorded_amber: 0, recorded_red: 0, recorded_na: 0, recorded_missing: 0,
    suggested_green: 0, suggested_amber: 0, suggested_red: 0, differing: 0,
    level, service, team, period, prompt: p.number, heading: p.heading, prompt_text: p.text,
    computed: (COMPUTED_PROMPTS as readonly number[]).includes(p.number) && (p.number !== LEAVE_PROMPT || leave),
    measure: p.number === 13 ? "referral_seasonality" : calc?.measure ?? null,
    unit: p.number === 13 ? "% above a typical month (largest seasonal peak)" : calc?.unit ?? null,
    value: null, numerator: null, denominator: null, value_month: null, value_12m: null, months_12m: null,
    rating_value: null, rating_unit: null, suggested_rating: null, value_prev_year: null, rising: null, second_value: null, second_unit: null,
    peak_months: null, trough_months: null, series_scope: null, detail: null, contributors: 0,
    check_date: null, check_period: null, recorded_rating: null, differs: null, suggested_at_check: null, differs_at_check: null,
    notes: null, disagreement: null, next_step: null, previous_check_date: null, previous_rating: null, change: null,
    parts: {},
  };
}

/** Fill a record's computed fields from its parts (and the seasonality lookup for prompt 13). */
function computeInto(rec: HealthCheckRecord, thresholds: HealthCheckThresholds, seasonality: Map<string, Seasonality>): void {
  if (rec.prompt === 13) {
    Object.assign(rec, evaluateSeasonality(findSeasonality(seasonality, rec.service, rec.team), thresholds));
    return;
  }
  const calc = calcFor(rec.prompt, rec.computed);
  if (!calc) return;
  Object.assign(rec, evaluate(calc, rec.parts, thresholds));
}

// ---------------------------------------------------------------------------------------------
// Recorded checks: attaching, comparing, disagreements
// ---------------------------------------------------------------------------------------------

/** A team's checks, oldest first, each with its rows by prompt. */
interface TeamChecks {
  dates: string[];
  byDate: Map<string, Map<number, CheckRow>>;
}

const teamKey = (service: string, team: string) => JSON.stringify([service, team]);

function groupChecks(rows: CheckRow[]): Map<string, TeamChecks> {
  const out = new Map<string, TeamChecks>();
  for (const row of rows) {
    const k = teamKey(row.service, row.team);
    let tc = out.get(k);
    if (!tc) out.set(k, (tc = { dates: [], byDate: new Map() }));
    let d = tc.byDate.get(row.check_date);
    if (!d) {
      tc.byDate.set(row.check_date, (d = new Map()));
      tc.dates.push(row.check_date);
    }
    d.set(row.prompt, row);
  }
  for (const tc of out.values()) tc.dates.sort();
  return out;
}

/** Index of the latest check on or before `date`, or -1. */
function latestOnOrBefore(dates: string[], date: string): number {
  let k = -1;
  for (let i = 0; i < dates.length; i++) if (dates[i]! <= date) k = i;
  return k;
}

/** Each team's latest check against its previous one, per prompt. */
export interface CheckComparison {
  service: string;
  team: string;
  prompt: number;
  heading: string;
  latest_check_date: string;
  latest_rating: RecordedRating | null;
  previous_check_date: string | null;
  previous_rating: RecordedRating | null;
  /** By the order green > amber > red; null when either rating is missing or n/a. */
  change: "improved" | "worse" | "same" | null;
}

/**
 * Compare each team's latest health check with its previous one, prompt by prompt (all 39, so
 * a prompt left unrated shows as null): improved, worse or same by green > amber > red.
 */
export function compareChecks(rows: CheckRow[]): CheckComparison[] {
  const out: CheckComparison[] = [];
  const grouped = groupChecks(rows);
  for (const [k, tc] of [...grouped.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [service, team] = JSON.parse(k) as [string, string];
    const latest = tc.dates[tc.dates.length - 1]!;
    const previous = tc.dates.length > 1 ? tc.dates[tc.dates.length - 2]! : null;
    for (const p of PROMPTS) {
      const a = tc.byDate.get(latest)!.get(p.number)?.rating ?? null;
      const b = previous ? tc.byDate.get(previous)!.get(p.number)?.rating ?? null : null;
      out.push({
        service, team, prompt: p.number, heading: p.heading, latest_check_date: latest, latest_rating: a,
        previous_check_date: previous, previous_rating: b, change: ratingChange(a, b),
      });
    }
  }
  return out;
}

/** One recorded disagreement. */
export interface DisagreementRecord {
  check_date: string;
  service: string;
  team: string;
  prompt: number;
  heading: string;
  prompt_text: string;
  rating: RecordedRating | null;
  notes: string | null;
  disagreement: string;
  next_step: string | null;
  /**
   * Always true: the contract says a recorded disagreement (staff do not agree with the
   * manager's assessment) is escalated, so recording one is taken as escalating it.
   */
  escalated: true;
  has_next_step: boolean;
  /** The row belongs to the team's latest check. */
  is_latest_check: boolean;
}

/** Every recorded disagreement (non-blank `disagreement`), newest check first. */
export function listDisagreements(rows: CheckRow[]): DisagreementRecord[] {
  const latest = new Map<string, string>();
  for (const row of rows) {
    const k = teamKey(row.service, row.team);
    if ((latest.get(k) ?? "") < row.check_date) latest.set(k, row.check_date);
  }
  return rows
    .filter((row) => (row.disagreement ?? "").trim() !== "")
    .map((row) => ({
      check_date: row.check_date, service: row.service, team: row.team, prompt: row.prompt,
      heading: prompt(row.prompt).heading, prompt_text: prompt(row.prompt).text,
      rating: row.rating, notes: row.notes, disagreement: row.disagreement!, next_step: row.next_step,
      escalated: true as const, has_next_step: (row.next_step ?? "").trim() !== "",
      is_latest_check: latest.get(teamKey(row.service, row.team)) === row.check_date,
    }))
    .sort((a, b) => b.check_date.localeCompare(a.check_date) || a.service.localeCompare(b.service) || a.team.localeCompare(b.team) || a.prompt - b.prompt);
}

/** Attach each team record's recorded rating (latest check as of the month) and counts. */
function attachChecks(records: HealthCheckRecord[], checks: Map<string, TeamChecks>, lastPeriod: Map<string, string>): void {
  for (const rec of records) {
    const k = teamKey(rec.service!, rec.team!);
    const tc = checks.get(k);
    rec.teams = 1;
    if (tc) {
      const idx = rec.period === lastPeriod.get(k) ? tc.dates.length - 1 : latestOnOrBefore(tc.dates, monthEnd(rec.period));
      if (idx >= 0) {
        const date = tc.dates[idx]!;
        const row = tc.byDate.get(date)!.get(rec.prompt);
        rec.check_date = date;
        rec.check_period = date.slice(0, 7);
        rec.recorded_rating = row?.rating ?? null;
        rec.notes = row?.notes ?? null;
        rec.disagreement = row?.disagreement ?? null;
        rec.next_step = row?.next_step ?? null;
        if (idx > 0) {
          rec.previous_check_date = tc.dates[idx - 1]!;
          rec.previous_rating = tc.byDate.get(rec.previous_check_date)!.get(rec.prompt)?.rating ?? null;
          rec.change = ratingChange(rec.recorded_rating, rec.previous_rating);
        }
      }
    }
    rec.differs = isColour(rec.recorded_rating) && rec.suggested_rating !== null ? rec.recorded_rating !== rec.suggested_rating : null;
    countInto(rec, rec);
  }
  // the suggested rating in the month of the check, for a like-for-like comparison
  const byKey = new Map(records.map((x) => [JSON.stringify([x.service, x.team, x.period, x.prompt]), x]));
  for (const rec of records) {
    if (!rec.check_period) continue;
    const atCheck = byKey.get(JSON.stringify([rec.service, rec.team, rec.check_period, rec.prompt]));
    rec.suggested_at_check = atCheck?.suggested_rating ?? null;
    rec.differs_at_check = isColour(rec.recorded_rating) && rec.suggested_at_check !== null ? rec.recorded_rating !== rec.suggested_at_check : null;
  }
}

function isColour(x: string | null): x is Rating {
  return x === "green" || x === "amber" || x === "red";
}

/** Add one team record's ratings to a set of counts. */
function countInto(target: RatingCounts, rec: HealthCheckRecord): void {
  const rr = rec.recorded_rating;
  if (rr === "green") target.recorded_green++;
  else if (rr === "amber") target.recorded_amber++;
  else if (rr === "red") target.recorded_red++;
  else if (rr === "n/a") target.recorded_na++;
  else target.recorded_missing++;
  if (rec.suggested_rating === "green") target.suggested_green++;
  else if (rec.suggested_rating === "amber") target.suggested_amber++;
  else if (rec.suggested_rating === "red") target.suggested_red++;
  if (rec.differs) target.differing++;
}

// ---------------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------------

/**
 * Roll team records up to service and employer records, per month and prompt: the parts are
 * summed (each numerator/denominator pair only over the teams where both are present, so every
 * figure is a ratio of sums: FTE- or headcount-weighted as its denominator is), the rating is
 * suggested from the rolled-up figure with the same thresholds, and the teams' recorded and
 * suggested ratings are counted (they add up across teams to the service and the employer).
 * Prompt 13 uses the service's or employer's own referrals series (`seasonality`).
 * Returns only the service and employer records.
 */
export function aggregateHealthCheck(
  teamRecords: HealthCheckRecord[],
  opts: { thresholds?: HealthCheckThresholds; seasonality?: Map<string, Seasonality> } = {},
): HealthCheckRecord[] {
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const seasonality = opts.seasonality ?? new Map<string, Seasonality>();
  const groups = new Map<string, { level: Level; service: string | null; period: string; prompt: number; members: HealthCheckRecord[] }>();
  for (const rec of teamRecords) {
    if (rec.level !== "team") continue;
    for (const [level, service] of [["service", rec.service], ["employer", null]] as [Level, string | null][]) {
      const k = JSON.stringify([level, service, rec.period, rec.prompt]);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { level, service, period: rec.period, prompt: rec.prompt, members: [] }));
      g.members.push(rec);
    }
  }
  const out: HealthCheckRecord[] = [];
  for (const g of groups.values()) {
    // prompt 31 is computed where its teams' is (the leave table is loaded)
    const leave = g.prompt !== LEAVE_PROMPT || g.members.some((m) => m.computed);
    const rec = emptyRecord(g.level, g.service, null, g.period, prompt(g.prompt), leave);
    for (const m of g.members) {
      rec.teams++;
      for (const key of Object.keys(ZERO_COUNTS) as (keyof RatingCounts)[]) if (key !== "teams") rec[key] += m[key];
    }
    const calc = calcFor(g.prompt, leave);
    if (calc) {
      rec.parts = sumParts(g.members, calc);
      const head = ratioValue(rec.parts, calc.value);
      rec.contributors = g.members.filter((m) => pairPresent(m.parts, calc.value)).length;
      const months = g.members.map((m) => m.months_12m).filter((x): x is number => x !== null);
      rec.months_12m = months.length ? Math.min(...months) : null;
      computeInto(rec, thresholds, seasonality);
      if (head.value === null && rec.contributors === 0) rec.detail = `no team has this figure: ${rec.detail ?? ""}`.trim();
      else if (rec.contributors < g.members.length) rec.detail = `${rec.detail ? `${rec.detail}; ` : ""}${rec.contributors} of ${g.members.length} teams have this figure`;
    } else if (g.prompt === 13) {
      computeInto(rec, thresholds, seasonality);
      rec.contributors = g.members.length;
    }
    out.push(rec);
  }
  const levelOrder = { team: 2, service: 1, employer: 0 };
  return out.sort((a, b) => a.period.localeCompare(b.period) || levelOrder[a.level] - levelOrder[b.level] || (a.service ?? "").localeCompare(b.service ?? "") || a.prompt - b.prompt);
}

function pairPresent(parts: Record<string, number | null>, ratio: Ratio): boolean {
  return (parts[ratio.num] ?? null) !== null && (ratio.den === null || (parts[ratio.den] ?? null) !== null);
}

/** The parts a prompt's ratios use, as recorded (missing stays null). */
function pickParts(parts: Record<string, number | null>, calc: PromptCalc): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const ratio of [calc.value, calc.month, calc.twelve, calc.rating, calc.prev, calc.second, calc.shown]) {
    if (!ratio) continue;
    out[ratio.num] = parts[ratio.num] ?? null;
    if (ratio.den !== null) out[ratio.den] = parts[ratio.den] ?? null;
  }
  for (const k of calc.info ?? []) out[k] = parts[k] ?? null;
  return out;
}

/** Sum each ratio's numerator and denominator over the records where both are present. */
function sumParts(members: HealthCheckRecord[], calc: PromptCalc): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const ratios = [calc.value, calc.month, calc.twelve, calc.rating, calc.prev, calc.second, calc.shown].filter((x): x is Ratio => x !== undefined);
  for (const ratio of ratios) {
    const present = members.filter((m) => pairPresent(m.parts, ratio));
    const sum = (k: string) => (present.length ? present.reduce((s, m) => s + m.parts[k]!, 0) : null);
    out[ratio.num] = sum(ratio.num);
    if (ratio.den !== null) out[ratio.den] = sum(ratio.den);
  }
  // prompt 31: the teams with the headline figure; their workers add up, their leave years may differ
  if (calc.info) {
    const present = members.filter((m) => pairPresent(m.parts, calc.value));
    for (const k of calc.info) {
      const xs = present.map((m) => m.parts[k] ?? null).filter((x): x is number => x !== null);
      out[k] = xs.length ? (k === "leave_year" ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0)) : null;
      if (k === "leave_year" && xs.length) {
        const firsts = present.map((m) => m.parts.leave_year_first ?? m.parts.leave_year ?? null).filter((x): x is number => x !== null);
        if (Math.min(...firsts) !== out[k]) out.leave_year_first = Math.min(...firsts);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading the workspace
// ---------------------------------------------------------------------------------------------

/** Options of {@link healthCheck}. */
export interface HealthCheckOptions {
  /** Only this month (YYYY-MM); `latest: true` for the latest month of the returns. */
  period?: string;
  latest?: boolean;
  service?: string;
  team?: string;
  level?: Level;
  /** Overrides of {@link DEFAULT_THRESHOLDS} (see {@link resolveThresholds}). */
  thresholds?: unknown;
}

/** Everything the health check computes (what {@link writeHealthCheckMarts} stores). */
export interface HealthCheckData {
  /** Team, service and employer records for every month and prompt. */
  records: HealthCheckRecord[];
  checks: CheckRow[];
  disagreements: DisagreementRecord[];
  comparisons: CheckComparison[];
  /** The latest month of the returns. */
  latestPeriod: string;
  /** Each team's latest month (key: JSON [service, team]). */
  teamLatestPeriod: Map<string, string>;
  /** Teams in the health_check table that are on no return (names that do not match). */
  unmatchedCheckTeams: { service: string; team: string }[];
  thresholds: HealthCheckThresholds;
}

/** Read the `health_check` table. */
export async function readChecks(conn: DuckDBConnection): Promise<CheckRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    conn,
    `SELECT strftime(check_date, '%Y-%m-%d') AS check_date, service, team, prompt, rating, notes, disagreement, next_step
     FROM health_check ORDER BY check_date, service, team, prompt`,
  );
  return rows.map((x) => ({
    check_date: String(x.check_date), service: String(x.service), team: String(x.team), prompt: Number(x.prompt),
    rating: (x.rating ?? null) as RecordedRating | null, notes: (x.notes ?? null) as string | null,
    disagreement: (x.disagreement ?? null) as string | null, next_step: (x.next_step ?? null) as string | null,
  }));
}

/**
 * Seasonal peaks and troughs of the referrals series at every level, from the series engine:
 * `mart_series` (+ `mart_seasonal_profile`) when it was built from the same months as the
 * current `mart_monthly_measures`, else the same engine (`analyseSeries`, period 12) run now.
 */
export async function referralSeasonality(conn: DuckDBConnection): Promise<Map<string, Seasonality>> {
  const series = await queryRows<{ level: Level; service: string | null; team: string | null; dates: string[]; values: (number | null)[] }>(
    conn,
    `SELECT level, service, team, list(period ORDER BY period) AS dates, list(value ORDER BY period) AS values
     FROM mart_monthly_measures WHERE measure = 'referrals' GROUP BY ALL HAVING count(value) > 0`,
  );
  const stored = new Map<string, Seasonality & { first: string; last: string }>();
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('mart_series', 'mart_seasonal_profile')`);
  if (Number(n) === 2) {
    const rows = await queryRows<Record<string, unknown>>(
      conn,
      `SELECT s.level, s.service, s.team, s.seasonal_code, s.peak_months, s.trough_months, s.n_observed, s.first_period, s.last_period,
              (SELECT max(p.seasonal_pct) FROM mart_seasonal_profile p WHERE p.series_id = s.series_id AND p.is_peak) AS peak_pct
       FROM mart_series s WHERE s.measure = 'referrals' AND s.level <> 'worker'`,
    );
    for (const x of rows) {
      stored.set(scopeKey(x.level as Level, (x.service ?? null) as string | null, (x.team ?? null) as string | null), {
        code: String(x.seasonal_code), peak_months: [...((x.peak_months as number[]) ?? [])].map(Number),
        trough_months: [...((x.trough_months as number[]) ?? [])].map(Number), peak_pct: num(x.peak_pct),
        n_observed: Number(x.n_observed), source: "mart_series", first: String(x.first_period), last: String(x.last_period),
      });
    }
  }
  const out = new Map<string, Seasonality>();
  for (const s of series) {
    const key = scopeKey(s.level, s.service, s.team);
    const dates = [...s.dates];
    const values = [...s.values].map((v) => (v === null ? null : Number(v)));
    const observed = values.filter((v) => v !== null).length;
    const st = stored.get(key);
    if (st && st.first === dates[0] && st.last === dates[dates.length - 1] && st.n_observed === observed) {
      const { first: _f, last: _l, ...rest } = st;
      out.set(key, rest);
      continue;
    }
    const a = analyseSeries({ dates, values, period: 12, higherIs: "neutral" });
    const peakPct = a.seasonal.indices.filter((m) => a.seasonal.peak_months.includes(m.month)).map((m) => m.percent ?? -Infinity);
    out.set(key, {
      code: a.seasonal.code, peak_months: a.seasonal.peak_months, trough_months: a.seasonal.trough_months,
      peak_pct: peakPct.length ? Math.max(...peakPct) : null, n_observed: a.n_observed, source: "computed",
    });
  }
  return out;
}

/** Team-level records (all 39 prompts) for the given team-month rows, before checks are attached; `leave`: the leave table is loaded (prompt 31). */
function teamRecords(rows: Record<string, unknown>[], thresholds: HealthCheckThresholds, seasonality: Map<string, Seasonality>, leave: boolean): HealthCheckRecord[] {
  const out: HealthCheckRecord[] = [];
  for (const row of rows) {
    const parts: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(row)) if (!["period", "service", "team", "months_12m"].includes(k)) parts[k] = num(v);
    for (const p of PROMPTS) {
      const rec = emptyRecord("team", String(row.service), String(row.team), String(row.period), p, leave);
      const calc = calcFor(p.number, leave);
      if (calc) {
        rec.parts = pickParts(parts, calc);
        rec.months_12m = num(row.months_12m);
        rec.contributors = pairPresent(parts, calc.value) ? 1 : 0;
      }
      computeInto(rec, thresholds, seasonality);
      if (p.number === 13) rec.contributors = 1;
      out.push(rec);
    }
  }
  return out;
}

/**
 * Compute the health check from an open connection (the models are built if stale): team
 * records for every team, month and prompt with the recorded ratings attached, their roll-ups
 * to service and employer, the disagreements and the latest-vs-previous comparison.
 * `periods` (default "all") limits the records to those months plus the ones the marts need
 * (each team's latest month, the latest month, the months of the checks): 39 records per team
 * and month add up for a large employer over many years.
 */
export async function healthCheckData(conn: DuckDBConnection, config: Config, opts: { thresholds?: unknown; periods?: string[] | "all" } = {}): Promise<HealthCheckData> {
  const thresholds = resolveThresholds(opts.thresholds);
  await ensureSchema(conn);
  const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM (SELECT 1 FROM worker_month UNION ALL SELECT 1 FROM team_month)`);
  if (Number(n) === 0) throw new UserError("Nothing to check: the workspace has no returns yet. Load some with: fairload ingest PATH");
  await ensureModels(conn, config);
  const seasonality = await referralSeasonality(conn);
  // prompt 31 is computed only when the optional HR table leave has rows
  const [{ l }] = await queryRows<{ l: bigint }>(conn, `SELECT count(*) AS l FROM leave`);
  const leave = Number(l) > 0;
  const rows = await queryRows<Record<string, unknown>>(conn, `SELECT * FROM int_health_check_team_parts ORDER BY service, team, period`);
  const checks = await readChecks(conn);
  const lastPeriod = new Map<string, string>();
  for (const row of rows) {
    const k = teamKey(String(row.service), String(row.team));
    if ((lastPeriod.get(k) ?? "") < String(row.period)) lastPeriod.set(k, String(row.period));
  }
  const latestPeriod = [...lastPeriod.values()].sort().pop()!;
  let kept = rows;
  if (opts.periods !== undefined && opts.periods !== "all") {
    // the months asked for, plus what the marts and the at-check comparison need
    const keep = new Set([...opts.periods, latestPeriod, ...lastPeriod.values(), ...checks.map((c) => c.check_date.slice(0, 7))]);
    kept = rows.filter((row) => keep.has(String(row.period)));
  }
  const teams = teamRecords(kept, thresholds, seasonality, leave);
  const grouped = groupChecks(checks);
  attachChecks(teams, grouped, lastPeriod);
  const aggregated = aggregateHealthCheck(teams, { thresholds, seasonality });
  const unmatched = [...grouped.keys()].filter((k) => !lastPeriod.has(k)).map((k) => {
    const [service, team] = JSON.parse(k) as [string, string];
    return { service, team };
  });
  return {
    records: [...aggregated, ...teams],
    checks,
    disagreements: listDisagreements(checks),
    comparisons: compareChecks(checks),
    latestPeriod,
    teamLatestPeriod: lastPeriod,
    unmatchedCheckTeams: unmatched,
    thresholds,
  };
}

/** Apply the {@link HealthCheckOptions} filters to records. */
export function filterRecords(records: HealthCheckRecord[], opts: HealthCheckOptions, latestPeriod: string): HealthCheckRecord[] {
  const period = opts.latest ? latestPeriod : opts.period;
  if (period !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new UserError(`--period must be a month as YYYY-MM, got "${period}"`);
  return records.filter(
    (x) =>
      (period === undefined || x.period === period) &&
      (opts.level === undefined || x.level === opts.level) &&
      (opts.service === undefined || x.service === opts.service) &&
      (opts.team === undefined || x.team === opts.team),
  );
}

/**
 * `fairload health-check`: the workload health check for every team (and service and the
 * employer), month and prompt, filtered by `opts`. Records carry the computed figure, the
 * suggested rating, the team's recorded rating from its latest check and whether they differ.
 * Opens the workspace database itself.
 */
export async function healthCheck(ws: Workspace, opts: HealthCheckOptions = {}): Promise<HealthCheckRecord[]> {
  const db = await openDb(ws.dbPath);
  try {
    const wanted = opts.latest ? [] : opts.period !== undefined ? [opts.period] : "all";
    const data = await healthCheckData(db.conn, ws.config, { thresholds: opts.thresholds, periods: wanted });
    return filterRecords(data.records, opts, data.latestPeriod);
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Marts
// ---------------------------------------------------------------------------------------------

/** Column types of the record marts. */
const RECORD_COLUMNS: Record<string, string> = {
  level: "VARCHAR", service: "VARCHAR", team: "VARCHAR", period: "VARCHAR", prompt: "INTEGER", heading: "VARCHAR", prompt_text: "VARCHAR",
  computed: "BOOLEAN", measure: "VARCHAR", unit: "VARCHAR", value: "DOUBLE", numerator: "DOUBLE", denominator: "DOUBLE",
  value_month: "DOUBLE", value_12m: "DOUBLE", months_12m: "INTEGER", rating_value: "DOUBLE", rating_unit: "VARCHAR", suggested_rating: "VARCHAR",
  value_prev_year: "DOUBLE", rising: "BOOLEAN", second_value: "DOUBLE", second_unit: "VARCHAR", peak_months: "INTEGER[]", trough_months: "INTEGER[]", series_scope: "VARCHAR", detail: "VARCHAR",
  contributors: "INTEGER", check_date: "DATE", check_period: "VARCHAR", recorded_rating: "VARCHAR", differs: "BOOLEAN",
  suggested_at_check: "VARCHAR", differs_at_check: "BOOLEAN", notes: "VARCHAR", disagreement: "VARCHAR", next_step: "VARCHAR",
  previous_check_date: "DATE", previous_rating: "VARCHAR", change: "VARCHAR",
  teams: "INTEGER", recorded_green: "INTEGER", recorded_amber: "INTEGER", recorded_red: "INTEGER", recorded_na: "INTEGER", recorded_missing: "INTEGER",
  suggested_green: "INTEGER", suggested_amber: "INTEGER", suggested_red: "INTEGER", differing: "INTEGER", parts: "JSON",
};

const DISAGREEMENT_COLUMNS: Record<string, string> = {
  check_date: "DATE", service: "VARCHAR", team: "VARCHAR", prompt: "INTEGER", heading: "VARCHAR", prompt_text: "VARCHAR", rating: "VARCHAR",
  notes: "VARCHAR", disagreement: "VARCHAR", next_step: "VARCHAR", escalated: "BOOLEAN", has_next_step: "BOOLEAN", is_latest_check: "BOOLEAN",
};

/**
 * Store the health check in three marts, in one transaction (all or nothing):
 * - `mart_health_check` (grain: team x prompt, at each team's latest month, with its latest check);
 * - `mart_health_check_summary` (grain: level x service x team x prompt, at the latest month of
 *   the returns: team, service and employer rows with rating counts and ratio-of-sums figures);
 * - `mart_health_check_disagreements` (grain: one row per recorded disagreement).
 * Returns the number of rows written to each.
 */
export async function writeHealthCheckMarts(conn: DuckDBConnection, data: HealthCheckData): Promise<{ mart_health_check: number; mart_health_check_summary: number; mart_health_check_disagreements: number }> {
  const tables = healthCheckTables(data);
  await inTransaction(conn, async () => {
    for (const o of healthCheckStep.outputs) await writeTable(conn, o.name, o.columns, tables[o.name]!);
  });
  return { mart_health_check: tables.mart_health_check!.length, mart_health_check_summary: tables.mart_health_check_summary!.length, mart_health_check_disagreements: data.disagreements.length };
}

/** The three marts' rows from the health check's data. */
function healthCheckTables(data: HealthCheckData): Record<string, readonly object[]> {
  return {
    mart_health_check: data.records.filter((x) => x.level === "team" && data.teamLatestPeriod.get(teamKey(x.service!, x.team!)) === x.period),
    mart_health_check_summary: data.records.filter((x) => x.period === data.latestPeriod),
    mart_health_check_disagreements: data.disagreements,
  };
}

/** The health-check step of `fairload run`: its three marts, at each team's latest month. */
export const healthCheckStep: ComputeStep<unknown, void> = {
  name: "health_check",
  writtenBy: "run",
  upstream: ["int_health_check_team_parts", "mart_monthly_measures", "mart_series", "mart_seasonal_profile", "health_check", "worker_month", "team_month", "leave"],
  outputs: [
    { name: "mart_health_check", grain: "one row per team and prompt, at the team's latest month, with its latest check", key: ["service", "team", "prompt"], columns: RECORD_COLUMNS },
    {
      name: "mart_health_check_summary", grain: "one row per level (team, service, employer), service, team and prompt, at the latest month of the returns",
      key: ["level", "service?", "team?", "prompt"], columns: RECORD_COLUMNS,
    },
    { name: "mart_health_check_disagreements", grain: "one row per recorded disagreement (a team's check and prompt)", key: ["check_date", "service", "team", "prompt"], columns: DISAGREEMENT_COLUMNS },
  ],
  async compute({ conn, config }) {
    // a workspace with only the workforce census or Annex A has no monthly returns to check:
    // the marts are empty tables
    const [{ n }] = await queryRows<{ n: bigint }>(conn, `SELECT count(*) AS n FROM (SELECT 1 FROM worker_month UNION ALL SELECT 1 FROM team_month)`);
    if (Number(n) === 0) return { tables: { mart_health_check: [], mart_health_check_summary: [], mart_health_check_disagreements: [] }, extra: undefined };
    const data = await healthCheckData(conn, config, { thresholds: config.health_check_thresholds, periods: [] });
    return { tables: healthCheckTables(data), extra: undefined };
  },
};

/**
 * Open the workspace, compute the health check and store its marts (for `fairload health-check
 * --write` or `fairload run`). Returns the data and the rows written.
 */
export async function buildHealthCheckMarts(ws: Workspace, opts: { thresholds?: unknown } = {}): Promise<{ data: HealthCheckData; written: Awaited<ReturnType<typeof writeHealthCheckMarts>> }> {
  const db = await openDb(ws.dbPath);
  try {
    const data = await healthCheckData(db.conn, ws.config, { ...opts, periods: [] });
    const written = await writeHealthCheckMarts(db.conn, data);
    return { data, written };
  } finally {
    db.close();
  }
}
