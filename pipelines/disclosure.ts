/**
 * Disclosure control for published output. Ethnicity is special-category personal data:
 * a published cell never describes fewer than the minimum number of people (primary
 * suppression), and a suppressed cell can never be worked out from totals or from the other
 * cells (secondary suppression).
 *
 * Secondary suppression works on constraint sets: groups of cells whose sum is known to a
 * reader (the teams of a service add up to the service; the ethnic groups of a team add up to
 * the team's headcount, which is published). A set with exactly one suppressed cell gives that
 * cell away by subtraction, so another cell of the set (the smallest unsuppressed one, which
 * loses the least information) is suppressed too, and sets are revisited until none has exactly
 * one. This is the standard small-cell rule (e.g. ONS and NHS Digital practice); it removes
 * exact recovery. A set whose only other cell is a zero is completed with that zero too.
 */

export interface Cell {
  id: string;
  /** Number of people the cell describes. */
  count: number;
}

export interface SuppressionResult {
  /** Cells under the minimum. */
  primary: Set<string>;
  /** Cells suppressed so that the primary ones cannot be recovered. */
  secondary: Set<string>;
  /** primary and secondary together. */
  all: Set<string>;
}

/**
 * @param cells - every published cell with its count (a count of 0 describes nobody and is
 *   not suppressed for itself)
 * @param constraints - sets of cell ids whose sum a reader knows (a published total's own cell,
 *   if it is published, belongs in the set too)
 * @param min - the minimum group size (cells with 0 < count < min are suppressed)
 */
export function suppressCells(cells: Cell[], constraints: string[][], min: number): SuppressionResult {
  const count = new Map(cells.map((c) => [c.id, c.count]));
  const primary = new Set(cells.filter((c) => c.count > 0 && c.count < min).map((c) => c.id));
  const all = new Set(primary);
  const sets = constraints.map((s) => [...new Set(s)].filter((id) => count.has(id)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const set of sets) {
      const suppressed = set.filter((id) => all.has(id));
      if (suppressed.length !== 1) continue;
      const candidates = set.filter((id) => !all.has(id)).sort((a, b) => count.get(a)! - count.get(b)! || a.localeCompare(b));
      if (candidates.length === 0) continue;
      all.add(candidates[0]);
      changed = true;
    }
  }
  const secondary = new Set([...all].filter((id) => !primary.has(id)));
  return { primary, secondary, all };
}

/**
 * Whether any suppressed cell can still be recovered exactly: a constraint set with exactly one
 * suppressed cell. Used by tests and by the public build's own check.
 */
export function recoverableCells(constraints: string[][], suppressed: Set<string>): string[] {
  const out: string[] = [];
  for (const set of constraints) {
    const hidden = [...new Set(set)].filter((id) => suppressed.has(id));
    if (hidden.length === 1) out.push(hidden[0]);
  }
  return out;
}
