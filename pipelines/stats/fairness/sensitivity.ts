/**
 * Sensitivity of a verdict to Not known ethnicity: the comparison re-run with every Not known
 * worker put in the group and in the reference group.
 *
 * @module
 */
import type { Verdict } from "./rule.ts";
import type { AuditOptions, FairnessResult } from "./types.ts";
import { encoded, type ObsInput } from "./encode.ts";
import { auditComparison } from "./audit-comparison.ts";

/** Result of {@link sensitivity}. */
export interface SensitivityResult {
  /** Verdict with Not known workers left out (as given, or re-run). */
  base_verdict: Verdict;
  /** Every Not known worker put in the group. */
  as_group: FairnessResult;
  /** Every Not known worker put in the reference group. */
  as_reference: FairnessResult;
  /** Either re-run's verdict differs from the base verdict. */
  verdict_changes: boolean;
  /** Number of Not known workers moved. */
  n_not_known: number;
}

/**
 * Sensitivity of a verdict to Not known ethnicity: re-runs the comparison
 * with every Not known worker put (a) in the group and (b) in the reference
 * group, and says whether either verdict differs from the base verdict. Uses
 * 2,000 resamples unless told otherwise (a sensitivity check needs the
 * verdict, not a precise interval); verdicts treat each re-run as a family of
 * one (q = p).
 *
 * @param obs - worker-months of the scope
 * @param options - the comparison; `notKnown` is the Not known label ("Not known"); `baseVerdict` skips the base re-run
 * @returns both re-runs and whether the verdict changes
 */
export function sensitivity(
  input: ObsInput,
  options: AuditOptions & { notKnown?: string; baseVerdict?: Verdict },
): SensitivityResult {
  const nk = options.notKnown ?? "Not known";
  if (nk === options.group || nk === options.reference) throw new RangeError("the Not known label must differ from the group and the reference");
  const opts: AuditOptions = { ...options, resamples: options.resamples ?? 2000 };
  const enc = encoded(input);
  const relabel = (to: string) => enc.relabel(nk, to);
  const base = options.baseVerdict ?? auditComparison(enc, opts).verdict;
  const asGroup = auditComparison(relabel(options.group), opts);
  const asRef = auditComparison(relabel(options.reference), opts);
  const nk0 = enc.groupId(nk);
  const notKnown = new Set<number>();
  for (let i = 0; i < enc.n; i++) if (enc.group[i] === nk0) notKnown.add(enc.worker[i]!);
  const nNotKnown = notKnown.size;
  return {
    base_verdict: base,
    as_group: asGroup,
    as_reference: asRef,
    verdict_changes: asGroup.verdict !== base || asRef.verdict !== base,
    n_not_known: nNotKnown,
  };
}
