/**
 * The workspace config (`fairload.json`), validated with zod. Errors name the key.
 */
import { z } from "zod";
import { DEFAULT_ROLES } from "./contract.ts";
import { ONS_GROUPS, REPORTING_GROUPS } from "./ethnicity.ts";
import { UserError } from "./errors.ts";
import { ADJUST_KEYS, DEFAULT_ANALYSIS_PLAN, DEFAULT_APPRAISAL_RATINGS, DEFAULT_EMPLOYER, DEFAULT_MAX_FILE_MB, DEFAULT_MAX_UNPACKED_MB, DEFAULT_MIN_GROUP_SIZE, DEFAULT_REFERENCE_GROUP, DEFAULT_SENIOR_ROLES } from "./defaults.ts";

const ceiling = z
  .object({
    service: z.string().min(1),
    team: z.string().min(1).optional(),
    caseload_per_fte: z.number().positive().optional(),
    points_per_fte: z.number().positive().optional(),
  })
  .strict()
  .refine((c) => c.caseload_per_fte !== undefined || c.points_per_fte !== undefined, {
    message: "give caseload_per_fte or points_per_fte (or both)",
  });

const referenceGroups = [...REPORTING_GROUPS.filter((g) => g !== "Not known"), ...ONS_GROUPS.filter((g) => g !== "Not known")] as [string, ...string[]];

export const ConfigSchema = z
  .object({
    employer: z.string().min(1).default(DEFAULT_EMPLOYER),
    reference_group: z.enum(referenceGroups).default(DEFAULT_REFERENCE_GROUP),
    min_group_size: z.number().int().min(2).default(DEFAULT_MIN_GROUP_SIZE),
    roles: z.array(z.string().min(1)).min(1).default([...DEFAULT_ROLES]),
    senior_roles: z.array(z.string().min(1)).default([...DEFAULT_SENIOR_ROLES]),
    /** The appraisal rating scale (the optional HR table `appraisal`), in order, best first. */
    appraisal_ratings: z
      .array(z.string().trim().min(1))
      .min(2, "give at least two ratings, best first")
      .refine((a) => new Set(a.map((r) => r.toLowerCase())).size === a.length, { message: "each rating once (ratings match case-insensitively)" })
      .default([...DEFAULT_APPRAISAL_RATINGS]),
    ceilings: z.array(ceiling).default([]),
    region: z.string().min(1).optional(),
    comparators: z.array(z.string().min(1)).default([]),
    max_file_mb: z.number().positive().default(DEFAULT_MAX_FILE_MB),
    /** Overrides of the health check's rating thresholds (checked by pipelines/healthcheck.ts). */
    health_check_thresholds: z.record(z.string(), z.unknown()).optional(),
    /** A workbook (.xlsx, a zip) whose entries would unpack to more than this is refused before it is opened. */
    max_unpacked_mb: z.number().positive().default(DEFAULT_MAX_UNPACKED_MB),
    /** The audit's declared analysis plan: the primary measures, the false discovery rate and what comparisons hold fixed (docs/fairness-method.md). */
    analysis_plan: z
      .object({
        primary_measures: z.array(z.string().min(1)).min(1).default([...DEFAULT_ANALYSIS_PLAN.primary_measures]),
        alpha: z.number().gt(0).lt(0.5).default(DEFAULT_ANALYSIS_PLAN.alpha),
        adjust: z.array(z.enum(ADJUST_KEYS)).min(1).default([...DEFAULT_ANALYSIS_PLAN.adjust]),
      })
      .strict()
      .default({ primary_measures: [...DEFAULT_ANALYSIS_PLAN.primary_measures], alpha: DEFAULT_ANALYSIS_PLAN.alpha, adjust: [...DEFAULT_ANALYSIS_PLAN.adjust] }),
    /** DuckDB's memory limit; beyond it temp data spills to <workspace>/tmp. Default: half the machine's memory. */
    memory_limit_mb: z.number().int().min(64).optional(),
    /**
     * The series engine's control charts (docs/series.md). `baseline_points`: per measure
     * (e.g. `{"caseload_per_fte": 12}`), fix an XmR chart's mean and limits from the first N months
     * (at least 12), Making Data Count's baseline; a trending series keeps its regression chart.
     * Measure names are checked against the catalogue when `fairload run` reads them.
     */
    series: z
      .object({
        baseline_points: z.record(z.string().min(1), z.number().int().min(12, "a baseline needs at least 12 points")).default({}),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export function defaultConfig(employer = DEFAULT_EMPLOYER): Config {
  return ConfigSchema.parse({ employer });
}

/** Parse a config object, turning zod issues into one message per key. */
export function parseConfig(raw: unknown, file: string): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const key = i.path.length ? i.path.join(".") : "(top level)";
    return `  ${key}: ${i.message}`;
  });
  throw new UserError(`The config file ${file} is not valid:\n${lines.join("\n")}`);
}
