/**
 * Disclosure control: the one rule and the one constraint system behind everything published.
 * Ethnicity is special-category personal data, and a published dashboard is read by anyone.
 *
 * **The rule.** A published figure about a group of people (a headcount, a ratio, a share, a
 * mean, a month's value) rests on at least `min` people in every cell it is computed from: the
 * workers compared in each group, each month of a monthly series, each role stratum it reports.
 * Otherwise it is withheld ({@link restsOnEnough}).
 *
 * **The counts of people.** Every count of people the public layer publishes comes from one
 * frame ({@link FrameCell}): headcounts by month for the employer, each service and each team,
 * and, at the snapshot month, by ethnic group. The frame's relations are what a reader knows
 * adds up ({@link frameRelations}): teams add up to their service and services to the employer
 * (a worker is in one team in a month), and the four groups add up to the headcount.
 *
 * **Suppression.** Primary: every cell under `min`, zero included, so that a withheld cell and a
 * structurally empty one look the same ("[c]"). Secondary ({@link protect}): cells are withheld
 * until no withheld cell, and no sum of withheld cells in a relation, can be worked out exactly
 * or narrowed to a range that lies within fewer than `min` people. A cheap pass handles the
 * common cases (a relation with one withheld cell; a relation whose withheld cells add up to
 * fewer than `min`); then every withheld cell and every relation's withheld sum is bounded by
 * linear programming (HiGHS), and a relation that still lets one be narrowed has another cell
 * withheld, until none does. The frame's relations never cross months, so each month is solved
 * on its own.
 *
 * A range [lo, hi] discloses when hi - lo < min, lo < min and hi > 0: proving that a cell is 0
 * says nothing about anyone, and proving that a group has 15 people reveals no small group.
 *
 * **Free cells.** A relation between two sources that count nearly the same people (the workforce
 * census's workers in post at 30 September and the monthly returns' workforce of September:
 * pipelines/census-public.ts) holds only up to the people one counts and the other does not. That
 * number is a cell of its own kind ({@link ProtectOptions.free}): never published, so a variable
 * of every program (at least 0), but not itself a count to protect; a relation holding one is left
 * to the linear programs, and its withheld sum is that of its other withheld parts.
 */
import highsModule from "highs";

/** The part of HiGHS (highs-js, WebAssembly) used here. */
interface Highs {
  solve(lp: string, options?: Record<string, unknown>): { Status: string; ObjectiveValue: number; Columns?: Record<string, { Primal?: number }> };
}
// highs ships CommonJS typings beside its ES module; at run time the default export is the loader
const loadHighs = highsModule as unknown as () => Promise<Highs>;

export const GROUPS = ["Ethnic minorities", "White British", "White minorities", "Not known"] as const;

/** Does a figure rest on at least `min` people in every cell it is computed from? */
export function restsOnEnough(counts: readonly (number | null | undefined)[], min: number): boolean {
  return counts.length > 0 && counts.every((c) => typeof c === "number" && c >= min);
}

/** One count of people in the frame. */
export interface FrameCell {
  period: string;
  level: "employer" | "service" | "team";
  service: string | null;
  team: string | null;
  /** "All", or one of {@link GROUPS}. */
  group: string;
  count: number;
}

export function cellKey(c: Pick<FrameCell, "period" | "level" | "service" | "team" | "group">): string {
  return JSON.stringify([c.period, c.level, c.service, c.team, c.group]);
}

/** A relation a reader knows: the parent equals the sum of the parts. */
export interface Relation {
  period: string;
  parent: string;
  parts: string[];
}

/** The relations among the frame's cells (only among cells present). */
export function frameRelations(cells: readonly FrameCell[]): Relation[] {
  const have = new Set(cells.map(cellKey));
  const out: Relation[] = [];
  const add = (period: string, parent: string, parts: string[]) => {
    const present = parts.filter((p) => have.has(p));
    if (have.has(parent) && present.length > 0) out.push({ period, parent, parts: present });
  };
  const servicesOf = new Map<string, Set<string>>();
  const teamsOf = new Map<string, Set<string>>();
  for (const c of cells) {
    if (c.level === "service") servicesOf.set(c.period + c.group, (servicesOf.get(c.period + c.group) ?? new Set()).add(c.service!));
    if (c.level === "team") teamsOf.set(JSON.stringify([c.period, c.group, c.service]), (teamsOf.get(JSON.stringify([c.period, c.group, c.service])) ?? new Set()).add(c.team!));
  }
  const seen = new Set<string>();
  for (const c of cells) {
    const k = JSON.stringify([c.period, c.group]);
    if (!seen.has(k)) {
      seen.add(k);
      const services = [...(servicesOf.get(c.period + c.group) ?? [])];
      add(c.period, cellKey({ period: c.period, level: "employer", service: null, team: null, group: c.group }), services.map((s) => cellKey({ period: c.period, level: "service", service: s, team: null, group: c.group })));
      for (const s of services) {
        const teams = [...(teamsOf.get(JSON.stringify([c.period, c.group, s])) ?? [])];
        add(c.period, cellKey({ period: c.period, level: "service", service: s, team: null, group: c.group }), teams.map((t) => cellKey({ period: c.period, level: "team", service: s, team: t, group: c.group })));
      }
    }
    if (c.group === "All") add(c.period, cellKey(c), GROUPS.map((g) => cellKey({ ...c, group: g })));
  }
  return out;
}

/** Does the range [lo, hi] of a withheld cell or sum narrow it to a small group? */
export function discloses(lo: number, hi: number, min: number): boolean {
  const eps = 1e-6;
  return hi - lo < min - eps && lo < min - eps && hi > eps;
}

export interface ProtectOptions {
  /**
   * Keys of free cells (see the module comment): given with their true counts among the cells,
   * never published, never in the result's withheld set, and never checked themselves.
   */
  free?: Iterable<string>;
}

export interface ProtectResult {
  /** Keys of the withheld cells (free cells not among them). */
  withheld: Set<string>;
  primary: number;
  secondary: number;
  /** Linear programs solved to verify (and repair) the pattern. */
  lps: number;
}

/**
 * Choose the cells to withhold: primary (count < min) and secondary, so that nothing withheld can
 * be worked out or narrowed (see the module comment). Deterministic: ties go to the smaller
 * count, then the key.
 */
export async function protect(cells: readonly FrameCell[], relations: readonly Relation[], min: number, options: ProtectOptions = {}): Promise<ProtectResult> {
  const count = new Map(cells.map((c) => [cellKey(c), c.count]));
  const free = new Set(options.free ?? []);
  const withheld = new Set(cells.filter((c) => c.count < min && !free.has(cellKey(c))).map(cellKey));
  const primary = withheld.size;
  // a free cell is never published: withheld from the start, like a primary
  for (const k of free) withheld.add(k);
  const byPeriod = new Map<string, Relation[]>();
  for (const r of relations) byPeriod.set(r.period, [...(byPeriod.get(r.period) ?? []), r]);

  /** Withhold one more cell of a relation: the smallest published part, else the parent. */
  const widen = (r: Relation): boolean => {
    const candidates = r.parts.filter((p) => !withheld.has(p)).sort((a, b) => count.get(a)! - count.get(b)! || a.localeCompare(b));
    const pick = candidates[0] ?? (withheld.has(r.parent) ? undefined : r.parent);
    if (pick === undefined) return false;
    withheld.add(pick);
    return true;
  };

  // the cheap pass: no relation with exactly one withheld cell (unless it is a zero), and no
  // relation whose withheld cells add up to fewer than min people
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of relations) {
      const all = [r.parent, ...r.parts];
      const hidden = all.filter((k) => withheld.has(k));
      if (hidden.length === 0) continue;
      // with a free cell, the relation pins no withheld cell or sum by itself: the programs decide
      if (free.size > 0 && all.some((k) => free.has(k))) continue;
      // with the parent published, the withheld parts' sum is known exactly
      const hiddenSum = r.parts.filter((k) => withheld.has(k)).reduce((s, k) => s + count.get(k)!, 0);
      const single = hidden.length === 1 && count.get(hidden[0]!)! > 0;
      const small = !withheld.has(r.parent) && hiddenSum > 0 && hiddenSum < min;
      if ((single || small) && widen(r)) changed = true;
    }
  }

  // verification by linear programming, month by month, repairing until nothing discloses
  const highs = await loadHighs();
  let lps = 0;
  for (const [, rels] of [...byPeriod].sort(([a], [b]) => a.localeCompare(b))) {
    const seen = new FeasiblePoints(count);
    for (let round = 0; round < 1000; round++) {
      const leak = findLeak(highs, rels, count, withheld, min, seen, free);
      lps += leak.lps;
      if (!leak.relation) break;
      if (widen(leak.relation)) continue;
      // every cell of the leaking relation is already withheld: the narrowing comes from a
      // relation it shares a cell with (e.g. a service whose groups are all withheld while its
      // total and its Not known are published), so widen one of those
      const cellsOf = (r: Relation) => [r.parent, ...r.parts];
      const hidden = new Set(cellsOf(leak.relation).filter((k) => withheld.has(k)));
      const neighbour = rels.find((r) => r !== leak.relation && cellsOf(r).some((k) => hidden.has(k)) && cellsOf(r).some((k) => !withheld.has(k)));
      if (!neighbour || !widen(neighbour)) break;
    }
  }
  for (const k of free) withheld.delete(k);
  return { withheld, primary, secondary: withheld.size - primary, lps };
}

/**
 * Values that the withheld cells of one month can take together, seen so far: the true counts
 * and every optimal solution of a bounding program. Each point stays feasible as more cells are
 * withheld (a newly withheld cell keeps its true count in it), so when the points already show
 * a cell, or a sum of cells, taking values at least `min` apart, its range [lo, hi] is at least
 * that wide and cannot disclose: its two programs need not be solved. Only that conclusion is
 * drawn from the points; a range that might disclose is always solved.
 */
class FeasiblePoints {
  private readonly points: Map<string, number>[] = [];
  private readonly lo = new Map<string, number>();
  private readonly hi = new Map<string, number>();
  constructor(private readonly count: Map<string, number>) {}
  add(point: Map<string, number>): void {
    this.points.push(point);
    for (const [k, x] of point) {
      const c = this.count.get(k)!;
      this.lo.set(k, Math.min(this.lo.get(k) ?? c, x));
      this.hi.set(k, Math.max(this.hi.get(k) ?? c, x));
    }
  }
  /** The widest spread of the sum of `keys` over the points seen (0 when only the true counts are). */
  spread(keys: readonly string[]): number {
    if (keys.length === 1) {
      const c = this.count.get(keys[0]!)!;
      return (this.hi.get(keys[0]!) ?? c) - (this.lo.get(keys[0]!) ?? c);
    }
    const truth = keys.reduce((s, k) => s + this.count.get(k)!, 0);
    let lo = truth;
    let hi = truth;
    for (const p of this.points) {
      let sum = 0;
      for (const k of keys) sum += p.get(k) ?? this.count.get(k)!;
      if (sum < lo) lo = sum;
      if (sum > hi) hi = sum;
    }
    return hi - lo;
  }
}

/**
 * The first relation that lets a withheld cell, or the withheld sum of a relation, be narrowed.
 * Each bound is solved over the connected component of the system that holds its cells (the
 * relations linked through shared withheld cells): the other components constrain none of its
 * variables, so the bound is the same as over the whole month's system, and the programs stay
 * small (a month's whole system at the snapshot month made each solve several milliseconds; on
 * 1,500 workers x 60 months that was most of `fairload run`).
 */
function findLeak(highs: Highs, rels: readonly Relation[], count: Map<string, number>, withheld: Set<string>, min: number, seen: FeasiblePoints, free: ReadonlySet<string>): { relation: Relation | null; lps: number } {
  const vars = new Map<string, string>();
  const cellOf = new Map<string, string>();
  const v = (k: string) => {
    if (!vars.has(k)) {
      vars.set(k, `x${vars.size}`);
      cellOf.set(`x${vars.size - 1}`, k);
    }
    return vars.get(k)!;
  };
  const rows: { text: string; vars: string[] }[] = [];
  for (const [i, r] of rels.entries()) {
    const all = [r.parent, ...r.parts];
    if (!all.some((k) => withheld.has(k))) continue;
    // parent - sum(parts) = 0, with the published cells moved to the right-hand side
    let rhs = 0;
    const terms: string[] = [];
    const rowVars: string[] = [];
    if (withheld.has(r.parent)) {
      terms.push(`+ ${v(r.parent)}`);
      rowVars.push(v(r.parent));
    } else rhs -= count.get(r.parent)!;
    for (const p of r.parts) {
      if (withheld.has(p)) {
        terms.push(`- ${v(p)}`);
        rowVars.push(v(p));
      } else rhs += count.get(p)!;
    }
    rows.push({ text: ` r${i}: ${terms.join(" ")} = ${rhs}`, vars: rowVars });
  }
  if (rows.length === 0) return { relation: null, lps: 0 };
  // connected components of the variables (union-find over the rows)
  const up = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (up.has(r) && up.get(r) !== r) r = up.get(r)!;
    up.set(x, r);
    return r;
  };
  for (const row of rows) for (const x of row.vars.slice(1)) up.set(find(x), find(row.vars[0]!));
  const rowsOf = new Map<string, string[]>();
  const varsOf = new Map<string, string[]>();
  for (const row of rows) {
    const c = find(row.vars[0]!);
    rowsOf.set(c, [...(rowsOf.get(c) ?? []), row.text]);
  }
  for (const x of vars.values()) {
    const c = find(x);
    varsOf.set(c, [...(varsOf.get(c) ?? []), x]);
  }
  let lps = 0;
  /** The range of the sum of these withheld cells, or null when the points seen show it is wide (it cannot disclose). */
  const range = (cells: string[]): [number, number] | null => {
    const wide = () => seen.spread(cells) >= min + 1e-6;
    if (wide()) return null;
    const objective = cells.map(v);
    const c = find(objective[0]!);
    const bounds = varsOf.get(c)!.map((x) => ` ${x} >= 0`).join("\n");
    const solve = (sense: "Minimize" | "Maximize") => {
      lps++;
      const res = highs.solve(`${sense}\n obj: ${objective.join(" + ")}\nSubject To\n${rowsOf.get(c)!.join("\n")}\nBounds\n${bounds}\nEnd`, { output_flag: false });
      if (res.Status === "Unbounded") return Number.POSITIVE_INFINITY;
      if (res.Status !== "Optimal") throw new Error(`disclosure check: the linear program is ${res.Status}`);
      const point = new Map<string, number>();
      for (const [x, col] of Object.entries(res.Columns ?? {})) if (cellOf.has(x) && typeof col.Primal === "number") point.set(cellOf.get(x)!, col.Primal);
      seen.add(point);
      return res.ObjectiveValue;
    };
    // the maximum first: an unbounded range, or a wide one with the point it found, needs no minimum
    const hi = solve("Maximize");
    return hi === Number.POSITIVE_INFINITY || wide() ? null : [solve("Minimize"), hi];
  };
  for (const r of rels) {
    // free cells are variables, never checked: the withheld parts are the others
    const hasFree = free.size > 0 && r.parts.some((k) => free.has(k));
    const hiddenParts = r.parts.filter((k) => withheld.has(k) && !free.has(k));
    const hidden = withheld.has(r.parent) && !free.has(r.parent) ? [r.parent, ...hiddenParts] : hiddenParts;
    if (hidden.length === 0) continue;
    // each withheld cell of the relation, then the withheld parts' sum
    for (const k of hidden) {
      const b = range([k]);
      if (b && discloses(b[0], b[1], min)) return { relation: r, lps };
    }
    if (hiddenParts.length > 1) {
      // with the parent published (and no free part), the relation itself pins the withheld parts' sum: no program needed
      const pinned = withheld.has(r.parent) || hasFree ? null : hiddenParts.reduce((sum, k) => sum + count.get(k)!, 0);
      const b = pinned === null ? range(hiddenParts) : ([pinned, pinned] as [number, number]);
      if (b && discloses(b[0], b[1], min)) return { relation: r, lps };
    }
  }
  return { relation: null, lps };
}

/**
 * A single set of cells whose total a reader knows (e.g. the ethnic groups of the employer's
 * workforce): cells under `min` are withheld, and while the withheld cells are one, or add up to
 * fewer than `min`, the smallest published cell is withheld too.
 */
export function suppressCells(cells: { id: string; count: number }[], sets: string[][], min: number): { all: Set<string> } {
  const count = new Map(cells.map((c) => [c.id, c.count]));
  const all = new Set(cells.filter((c) => c.count > 0 && c.count < min).map((c) => c.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const set of sets) {
      const ids = [...new Set(set)].filter((id) => count.has(id));
      const hidden = ids.filter((id) => all.has(id));
      const sum = hidden.reduce((s, id) => s + count.get(id)!, 0);
      if (hidden.length === 0 || (hidden.length > 1 && (sum === 0 || sum >= min))) continue;
      const next = ids.filter((id) => !all.has(id)).sort((a, b) => count.get(a)! - count.get(b)! || a.localeCompare(b))[0];
      if (next === undefined) continue;
      all.add(next);
      changed = true;
    }
  }
  return { all };
}
