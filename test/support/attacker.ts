/**
 * A hostile reader of the public build, for tests.
 *
 * Given only the published people counts (withheld ones as null), it builds the linear relations a
 * reader knows hold between them (groups partition "All"; services sum to the employer, teams to
 * their service), then uses linear programming (HiGHS, via the `highs` package) to find the range
 * every withheld count, and every sum of withheld counts in one relation, can take. A range that is
 * narrow and can be small discloses a small group: that, a published count of 1..min-1, and
 * published numbers that contradict each other are the findings.
 *
 * Counts of distinct people over a window need not add up the hierarchy exactly (someone who moved
 * team is counted in both). Where the published "All" counts show that (children sum to more than
 * the parent), the relations at that parent allow an overlap >= 0 per group whose sum over the
 * groups is the "All" overlap; elsewhere the hierarchy is exact, as the publication implies.
 * Counts are integers, so LP bounds are rounded inwards (ceil lo, floor hi); the partition and
 * hierarchy constraints form a network-like (totally unimodular) system, so the LP bounds are the
 * integer ones. `integer: true` asks HiGHS for integer bounds anyway (MIP), at some cost in time.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import highsModule, { type Highs } from "highs";

// highs ships CommonJS typings beside its ES module; at run time the default export is the loader.
const highsLoader = highsModule as unknown as () => Promise<Highs>;

export interface CountCell {
  period: string; // a month "2026-09", or any label for a snapshot ("window")
  level: "employer" | "service" | "team";
  service: string | null; // null at employer level
  team: string | null; // null above team level
  group: string; // "All", or one of GROUPS
  value: number | null; // published count of people, or null when withheld ("[c]")
  source: string; // which file it came from, for messages
}

/** The groups that partition "All". */
export const GROUPS = ["Ethnic minorities", "White British", "White minorities", "Not known"];

export interface Finding {
  /** range: a withheld count (or a sum of them) pinned to a narrow, small range; published: a count
   *  of 1..min-1 on show; inconsistent: published numbers that cannot all be true. */
  kind: "range" | "published" | "inconsistent";
  description: string;
  lo: number;
  hi: number;
  sources: string[];
  /** The cells whose value (or sum) is bounded; empty for whole-component inconsistencies. */
  cells: CellRef[];
}

/** A cell without its value: what a finding is about. */
export type CellRef = Pick<CountCell, "period" | "level" | "service" | "team" | "group">;

export interface AttackOptions {
  /** Ask HiGHS for integer bounds (MIP) instead of rounding the LP bounds. */
  integer?: boolean;
}

type Level = CountCell["level"];
interface Node {
  period: string;
  level: Level;
  service: string | null;
  team: string | null;
}
interface Entry extends Node {
  group: string;
  key: string;
  /** The published value; null when withheld, missing (implicit) or published inconsistently. */
  value: number | null;
  /** Every published value seen for the key. */
  published: Set<number>;
  withheld: boolean;
  /** Not in the input at all: a count the relations imply exists. */
  implicit: boolean;
  sources: Set<string>;
}

/** A relation `parent = sum(children) - overlap` between cells (overlap only in hierarchy relations). */
export interface Relation {
  kind: "partition" | "hierarchy";
  /** Node and group of the parent, for descriptions. */
  parent: string;
  children: string[];
  group: string;
  /** Key of the parent node (without group), for the overlap variables of hierarchy relations. */
  nodeId: string;
}

const cellKey = (n: Node, group: string) => JSON.stringify([n.period, n.level, n.service, n.team, group]);
const nodeKey = (n: Node) => JSON.stringify([n.period, n.level, n.service, n.team]);

function nodeLabel(n: Node): string {
  if (n.level === "employer") return `${n.period} employer`;
  if (n.level === "service") return `${n.period} service ${n.service}`;
  return `${n.period} team ${n.service} / ${n.team}`;
}
const ref = (e: Entry): CellRef => ({ period: e.period, level: e.level, service: e.service, team: e.team, group: e.group });
const childName = (e: Entry) => (e.level === "team" ? (e.team ?? "") : e.level === "service" ? (e.service ?? "") : "employer");

export interface AttackModel {
  entries: Map<string, Entry>;
  relations: Relation[];
  findings: Finding[];
  /** Parent nodes whose published "All" counts show people counted in more than one child. */
  overlapNodes: Set<string>;
}

/** Merge the cells and build the relations a reader knows. Exported so tests can inspect them. */
export function buildModel(cells: CountCell[]): AttackModel {
  const entries = new Map<string, Entry>();
  const findings: Finding[] = [];
  for (const c of cells) {
    const node: Node = { period: c.period, level: c.level, service: c.level === "employer" ? null : c.service, team: c.level === "team" ? c.team : null };
    const key = cellKey(node, c.group);
    let e = entries.get(key);
    if (!e) {
      e = { ...node, group: c.group, key, value: null, published: new Set(), withheld: false, implicit: false, sources: new Set() };
      entries.set(key, e);
    }
    e.sources.add(c.source);
    if (c.value === null || c.value === undefined) e.withheld = true;
    else e.published.add(c.value);
  }
  for (const e of entries.values()) {
    if (e.published.size === 1) {
      e.value = [...e.published][0];
      e.withheld = false;
    } else if (e.published.size > 1) {
      const vs = [...e.published].sort((a, b) => a - b);
      findings.push({
        kind: "inconsistent",
        description: `${describeEntry(e)} published as ${vs.join(" and ")}`,
        lo: vs[0],
        hi: vs[vs.length - 1],
        sources: [...e.sources].sort(),
        cells: [ref(e)],
      });
      e.withheld = false; // neither withheld nor fixed: a variable between the published values
    }
  }

  const get = (n: Node, group: string): Entry => {
    const key = cellKey(n, group);
    let e = entries.get(key);
    if (!e) {
      e = { ...n, group, key, value: null, published: new Set(), withheld: false, implicit: true, sources: new Set() };
      entries.set(key, e);
    }
    return e;
  };

  // Nodes and groups present in the input (before implicit cells are added).
  const nodes = new Map<string, { node: Node; groups: Set<string> }>();
  const services = new Set<string>();
  const teamsOf = new Map<string, Set<string>>();
  const periods = new Set<string>();
  for (const e of entries.values()) {
    const id = nodeKey(e);
    if (!nodes.has(id)) nodes.set(id, { node: { period: e.period, level: e.level, service: e.service, team: e.team }, groups: new Set() });
    nodes.get(id)!.groups.add(e.group);
    periods.add(e.period);
    if (e.service !== null && e.level !== "employer") services.add(e.service);
    if (e.level === "team" && e.service !== null && e.team !== null) {
      if (!teamsOf.has(e.service)) teamsOf.set(e.service, new Set());
      teamsOf.get(e.service)!.add(e.team);
    }
  }

  const relations: Relation[] = [];
  for (const [id, { node, groups }] of nodes) {
    // Group partition.
    if (groups.has("All") && GROUPS.some((g) => groups.has(g))) {
      const parent = get(node, "All");
      relations.push({ kind: "partition", parent: parent.key, children: GROUPS.map((g) => get(node, g).key), group: "All", nodeId: id });
    }
    // Hierarchy, for every group whose parent cell exists.
    let children: Node[] = [];
    if (node.level === "employer") {
      children = [...services].sort().map((s) => ({ period: node.period, level: "service" as const, service: s, team: null }));
    } else if (node.level === "service" && node.service !== null) {
      children = [...(teamsOf.get(node.service) ?? [])].sort().map((t) => ({ period: node.period, level: "team" as const, service: node.service, team: t }));
    }
    if (children.length === 0) continue;
    for (const g of groups) {
      relations.push({ kind: "hierarchy", parent: get(node, g).key, children: children.map((c) => get(c, g).key), group: g, nodeId: id });
    }
  }

  // Fully published relations: check them, and detect double counting in the hierarchy.
  const overlapNodes = new Set<string>();
  for (const r of relations) {
    const cellsOf = [r.parent, ...r.children].map((k) => entries.get(k)!);
    if (cellsOf.some((e) => e.value === null)) continue;
    const parent = entries.get(r.parent)!.value!;
    const sum = r.children.reduce((s, k) => s + entries.get(k)!.value!, 0);
    if (sum === parent) continue;
    if (r.kind === "hierarchy" && r.group === "All" && sum > parent) {
      overlapNodes.add(r.nodeId);
      continue;
    }
    const p = entries.get(r.parent)!;
    findings.push({
      kind: "inconsistent",
      description: `${describeEntry(p)} is ${parent} but its ${r.kind === "partition" ? "groups" : "parts"} add up to ${sum}`,
      lo: Math.min(parent, sum),
      hi: Math.max(parent, sum),
      sources: sourcesOf(cellsOf),
      cells: cellsOf.map(ref),
    });
  }
  return { entries, relations, findings, overlapNodes };
}

function describeEntry(e: Entry): string {
  return `${nodeLabel(e)}: ${e.group}${e.implicit ? " (not published)" : ""}`;
}

function sourcesOf(es: Iterable<Entry>): string[] {
  const s = new Set<string>();
  for (const e of es) for (const src of e.sources) s.add(src);
  return [...s].sort();
}

function describeSum(model: AttackModel, r: Relation, unknown: Entry[]): string {
  const p = model.entries.get(r.parent)!;
  if (r.kind === "partition") return `${nodeLabel(p)}: ${unknown.map((e) => e.group + (e.implicit ? " (not published)" : "")).join(" + ")}`;
  const what = p.level === "employer" ? "services" : "teams";
  return `${nodeLabel(p)}, ${r.group}, ${what} ${unknown.map((e) => childName(e) + (e.implicit ? " (not published)" : "")).join(" + ")}`;
}

let highsPromise: Promise<Highs> | null = null;
/** One HiGHS runtime for the whole process. */
function getHighs(): Promise<Highs> {
  highsPromise ??= highsLoader();
  return highsPromise;
}

const EPS = 1e-6;

/**
 * What a hostile reader can work out from the published counts: findings for every withheld count
 * (and every sum of withheld counts in one relation) whose feasible range is narrower than `min`
 * and reaches below `min` (without being exactly 0), for every published count of 1..min-1, and
 * for published numbers that contradict each other.
 */
export async function attack(cells: CountCell[], min: number, options: AttackOptions = {}): Promise<Finding[]> {
  const model = buildModel(cells);
  const { entries, relations } = model;
  const findings = [...model.findings];

  for (const e of entries.values()) {
    for (const v of e.published) {
      if (v >= 1 && v < min) findings.push({ kind: "published", description: `${describeEntry(e)} = ${v}`, lo: v, hi: v, sources: sourcesOf([e]), cells: [ref(e)] });
    }
  }

  // Variables: every cell without a single published value that appears in a relation, and one
  // overlap per hierarchy relation plus one total overlap per parent node.
  const varOf = new Map<string, number>();
  interface Var {
    lo: number;
    hi: number;
    entry?: Entry;
    /** Total overlap of a node: fixed at 0 unless double counting is shown (or assumed on infeasibility). */
    overlapNode?: string;
  }
  const vars: Var[] = [];
  const addVar = (v: Var) => vars.push(v) - 1;
  const cellVar = (k: string): number | null => {
    const e = entries.get(k)!;
    if (e.value !== null) return null;
    let i = varOf.get(k);
    if (i === undefined) {
      const vs = [...e.published];
      i = vs.length > 1 ? addVar({ lo: Math.min(...vs), hi: Math.max(...vs), entry: e }) : addVar({ lo: 0, hi: Infinity, entry: e });
      varOf.set(k, i);
    }
    return i;
  };
  interface Row {
    lo: number;
    hi: number;
    idx: number[];
    val: number[];
    hierarchy: boolean;
  }
  const rows: Row[] = [];
  const totalOverlap = new Map<string, number>();
  const groupOverlaps = new Map<string, { group: string; v: number }[]>();
  /** Relations with their unknown cells, for the sums. */
  const relUnknown: { r: Relation; vars: number[] }[] = [];
  for (const r of relations) {
    const idx: number[] = [];
    const val: number[] = [];
    let constant = 0; // published part of parent - sum(children)
    const pv = cellVar(r.parent);
    if (pv === null) constant += entries.get(r.parent)!.value!;
    else {
      idx.push(pv);
      val.push(1);
    }
    const childVars: number[] = [];
    for (const c of r.children) {
      const cv = cellVar(c);
      if (cv === null) constant -= entries.get(c)!.value!;
      else {
        idx.push(cv);
        val.push(-1);
        childVars.push(cv);
      }
    }
    if (r.kind === "hierarchy") {
      let t = totalOverlap.get(r.nodeId);
      if (t === undefined) {
        const shown = model.overlapNodes.has(r.nodeId);
        t = addVar({ lo: 0, hi: shown ? Infinity : 0, overlapNode: r.nodeId });
        totalOverlap.set(r.nodeId, t);
        groupOverlaps.set(r.nodeId, []);
      }
      const o = r.group === "All" ? t : addVar({ lo: 0, hi: Infinity });
      if (r.group !== "All") groupOverlaps.get(r.nodeId)!.push({ group: r.group, v: o });
      idx.push(o);
      val.push(1);
    }
    // sum(idx*val) + constant = 0
    if (idx.length > 0) rows.push({ lo: -constant, hi: -constant, idx, val, hierarchy: r.kind === "hierarchy" });
    if (childVars.length >= 2) relUnknown.push({ r, vars: childVars });
  }
  // Overlaps by group add up to the total overlap (each person counted twice has one group); any
  // other group's overlap is at most the total.
  for (const [id, list] of groupOverlaps) {
    const t = totalOverlap.get(id)!;
    const part = list.filter((o) => GROUPS.includes(o.group));
    if (part.length > 0) {
      const complete = GROUPS.every((g) => part.some((o) => o.group === g));
      rows.push({ lo: complete ? 0 : -Infinity, hi: 0, idx: [...part.map((o) => o.v), t], val: [...part.map(() => 1), -1], hierarchy: true });
    }
    for (const o of list.filter((o) => !GROUPS.includes(o.group))) rows.push({ lo: -Infinity, hi: 0, idx: [o.v, t], val: [1, -1], hierarchy: true });
  }

  // Connected components of variables linked by rows.
  const parent = vars.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const row of rows) for (let k = 1; k < row.idx.length; k++) parent[find(row.idx[k])] = find(row.idx[0]);
  const comps = new Map<number, { vars: number[]; rows: Row[]; sums: { r: Relation; vars: number[] }[] }>();
  const comp = (i: number) => {
    const root = find(i);
    if (!comps.has(root)) comps.set(root, { vars: [], rows: [], sums: [] });
    return comps.get(root)!;
  };
  for (let i = 0; i < vars.length; i++) comp(i).vars.push(i);
  for (const row of rows) comp(row.idx[0]).rows.push(row);
  for (const s of relUnknown) comp(s.vars[0]).sums.push(s);

  const highs = await getHighs();
  const { minimize, maximize } = highs.constants.objectiveSense;
  const status = highs.constants.modelStatus;
  const INF = highs.infinity;
  const bound = (x: number) => (x === Infinity ? INF : x === -Infinity ? -INF : x);
  const rangeFindings: Finding[] = [];

  for (const c of comps.values()) {
    const reported = c.vars.filter((i) => vars[i].entry);
    if (c.rows.length === 0 || reported.length === 0) continue; // unconstrained: [0, inf)
    const local = new Map<number, number>();
    c.vars.forEach((v, j) => local.set(v, j));
    const m = highs.createModel();
    try {
      m.options.set({ output_flag: false });
      m.addVars(
        c.vars.map((v) => bound(vars[v].lo)),
        c.vars.map((v) => bound(vars[v].hi)),
      );
      for (const row of c.rows) m.addRow(bound(row.lo), bound(row.hi), { indices: row.idx.map((v) => local.get(v)!), values: row.val });
      if (options.integer) for (const v of reported) m.changeColIntegrality(local.get(v)!, highs.constants.variableType.integer);
      const n = c.vars.length;
      const all = { kind: "range" as const, from: 0, to: n - 1 };
      // Feasible points found so far: a cost whose values over them already spread by >= min cannot
      // be a finding, so its LPs are skipped.
      const points: ArrayLike<number>[] = [];
      const solve = (cost: number[], sense: typeof minimize): number | null => {
        m.changeColsCost(all, cost);
        m.changeObjectiveSense(sense);
        let s = m.run().modelStatus;
        if (s === status.unknown || s === status.solveError) {
          // A warm start occasionally ends unclassified: solve again from scratch.
          m.clearSolver();
          s = m.run().modelStatus;
        }
        if (s === status.optimal) {
          points.push(m.getSolution().colValue);
          return m.getObjectiveValue();
        }
        if (s === status.unbounded || s === status.unboundedOrInfeasible) return sense === maximize ? Infinity : -Infinity;
        if (s === status.infeasible) return null;
        throw new Error(`attacker: HiGHS stopped with model status ${s}`);
      };
      const zero = new Array<number>(n).fill(0);
      const feasible = () => solve(zero, minimize) !== null;
      const compEntries = reported.map((v) => vars[v].entry!);
      const where = [...new Set(compEntries.map((e) => e.period))].sort().join(", ");
      if (!feasible()) {
        // Relax: allow double counting at every parent in this component.
        for (const v of c.vars) if (vars[v].overlapNode !== undefined) m.changeColBounds(local.get(v)!, 0, INF);
        const sources = sourcesOf(c.rows.flatMap((r) => r.idx.map((v) => vars[v].entry).filter((e): e is Entry => !!e)));
        if (feasible()) {
          findings.push({ kind: "inconsistent", description: `${where}: the published counts only add up if some people are counted in more than one team or service`, lo: NaN, hi: NaN, sources, cells: [] });
        } else {
          c.rows.forEach((row, j) => row.hierarchy && m.changeRowBounds(j, -INF, INF));
          const ok = feasible();
          findings.push({ kind: "inconsistent", description: `${where}: the published counts contradict each other${ok ? " (hierarchy ignored)" : ""}`, lo: NaN, hi: NaN, sources, cells: [] });
          if (!ok) continue;
        }
      }
      const isFinding = (lo: number, hi: number) => hi - lo < min && lo < min && hi > 0;
      /** The range of the sum of the given (local) columns, or null when it is certainly not a finding. */
      const range = (cols: number[]): [number, number] | null => {
        const cost = zero.slice();
        for (const j of cols) cost[j] = 1;
        let seenLo = Infinity;
        let seenHi = -Infinity;
        let checked = 0;
        const spread = () => {
          for (; checked < points.length; checked++) {
            const x = points[checked];
            let y = 0;
            for (const j of cols) y += x[j];
            seenLo = Math.min(seenLo, y);
            seenHi = Math.max(seenHi, y);
          }
          // Bounds are rounded inwards, so compare the rounded spread.
          return Math.floor(seenHi + EPS) - Math.ceil(seenLo - EPS) >= min;
        };
        if (spread()) return null;
        const hiRaw = solve(cost, maximize) ?? NaN;
        if (hiRaw === Infinity || hiRaw < 1 - EPS || spread()) return null;
        const loRaw = solve(cost, minimize) ?? NaN;
        // Counts are whole numbers; + 0 turns -0 into 0.
        const lo = Math.ceil(loRaw - EPS) + 0;
        const hi = Math.floor(hiRaw + EPS) + 0;
        return isFinding(lo, hi) ? [lo, hi] : null;
      };
      const relSources = (vs: number[]) => {
        const ks = new Set(vs.map((v) => vars[v].entry!.key));
        const involved = relations.filter((r) => ks.has(r.parent) || r.children.some((k) => ks.has(k)));
        return sourcesOf(involved.flatMap((r) => [r.parent, ...r.children].map((k) => entries.get(k)!)));
      };
      for (const v of reported) {
        const r = range([local.get(v)!]);
        if (r) rangeFindings.push({ kind: "range", description: describeEntry(vars[v].entry!), lo: r[0], hi: r[1], sources: relSources([v]), cells: [ref(vars[v].entry!)] });
      }
      const seen = new Set<string>();
      for (const s of c.sums) {
        const id = [...s.vars].sort((a, b) => a - b).join(",");
        if (seen.has(id)) continue;
        seen.add(id);
        const r = range(s.vars.map((v) => local.get(v)!));
        if (r) {
          rangeFindings.push({
            kind: "range",
            description: describeSum(model, s.r, s.vars.map((v) => vars[v].entry!)),
            lo: r[0],
            hi: r[1],
            sources: sourcesOf([s.r.parent, ...s.r.children].map((k) => entries.get(k)!)),
            cells: s.vars.map((v) => ref(vars[v].entry!)),
          });
        }
      }
    } finally {
      m.dispose();
    }
  }
  rangeFindings.sort((a, b) => a.hi - a.lo - (b.hi - b.lo) || a.lo - b.lo || a.description.localeCompare(b.description));
  return [...findings, ...rangeFindings];
}

// ---------------------------------------------------------------------------------------------
// Adapter for the leaky public build kept in test/fixtures/leaky-public.

type Json = Record<string, unknown>;
const readRows = (dir: string, file: string): Json[] => JSON.parse(readFileSync(join(dir, file), "utf8")) as Json[];
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
function level(scope: unknown): Level {
  if (scope === "employer" || scope === "service" || scope === "team") return scope;
  throw new Error(`leaky build: unknown scope ${String(scope)}`);
}

/** The people counts an earlier, leaky public build published, as cells. */
export function cellsFromLeakyBuild(dir: string): CountCell[] {
  const cells: CountCell[] = [];
  const at = (r: Json, period: string, group: string, value: unknown, source: string) => {
    const lv = level(r.scope ?? "team");
    cells.push({
      period,
      level: lv,
      service: lv === "employer" ? null : str(r.service),
      team: lv === "team" ? str(r.team) : null,
      group,
      value: num(value),
      source,
    });
  };
  for (const r of readRows(dir, "ethnicity-quality.json")) {
    at(r, "window", "All", r.workers, "ethnicity-quality.json");
    at(r, "window", "Not known", r.not_known, "ethnicity-quality.json");
  }
  // Counts for a group and its reference group, at each scope ("primary": Ethnic minorities vs
  // White British; "white_minorities" and "not_known" likewise). Subgroup rows count subsets: skip.
  for (const r of readRows(dir, "fairness.json")) {
    if (r.subgroup !== null && r.subgroup !== undefined) continue;
    const group = str(r.group);
    if (group === null || !GROUPS.includes(group)) continue;
    at(r, "window", group, r.n_workers_group, "fairness.json");
    const ref = str(r.reference_group);
    if (ref !== null && GROUPS.includes(ref)) at(r, "window", ref, r.n_workers_reference, "fairness.json");
  }
  for (const r of readRows(dir, "caseload.json")) {
    const period = str(r.period);
    if (period === null) continue;
    at({ ...r, scope: "team" }, period, "All", r.headcount, "caseload.json");
  }
  return cells;
}

/**
 * A data file's rows: as they are, or from columns (src/data/mart.ts `columnar`, read as src/components/format.js `rows`
 * reads it: a column may be run-length encoded, {runs: [[value, count]]}, or periods as runs of months, {months}).
 */
function columnRows(data: unknown): Record<string, unknown>[] {
  if (Array.isArray(data)) return data as Record<string, unknown>[];
  const decode = (v: unknown): unknown[] => {
    if (Array.isArray(v)) return v;
    const o = v as { runs?: [unknown, number][]; months?: [string, number][] };
    if (o.runs) return o.runs.flatMap(([value, count]) => Array<unknown>(count).fill(value));
    return (o.months ?? []).flatMap(([start, count]) => {
      const [y, m] = start.split("-").map(Number) as [number, number];
      return Array.from({ length: count }, (_, k) => { const i = y * 12 + m - 1 + k; return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`; });
    });
  };
  const cols = Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([c, v]) => [c, decode(v)]));
  const names = Object.keys(cols);
  const n = names.length ? cols[names[0]!]!.length : 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((c) => [c, cols[c]![i]])));
}

/** The latest file of a data loader in a built site (`<site>/_file/data/<name>.<hash>.json`). */
function builtData(site: string, name: string): unknown {
  const dir = join(site, "_file", "data");
  const file = readdirSync(dir).find((f) => f.startsWith(`${name}.`) && f.endsWith(".json"));
  return file ? JSON.parse(readFileSync(join(dir, file), "utf8")) : [];
}

/**
 * Every count of people a built public site publishes, read from its files alone: the workforce by
 * group (population.json), the data-quality counts (ethnicity-quality.json: workers and Not known
 * per scope) and the team-month headcounts (caseload.json). Withheld values are nulls.
 */
export function cellsFromPublicBuild(site: string): CountCell[] {
  const cells: CountCell[] = [];
  const level = (x: unknown) => String(x) as CountCell["level"];
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const r of builtData(site, "population") as Record<string, unknown>[]) {
    cells.push({ period: String(r.period), level: level(r.level), service: (r.service as string) ?? null, team: (r.team as string) ?? null, group: String(r.group), value: num(r.workers), source: "population.json" });
  }
  for (const r of builtData(site, "ethnicity-quality") as Record<string, unknown>[]) {
    const base = { period: String(r.period), level: level(r.scope), service: (r.service as string) ?? null, team: (r.team as string) ?? null, source: "ethnicity-quality.json" };
    cells.push({ ...base, group: "All", value: num(r.workers) }, { ...base, group: "Not known", value: num(r.not_known) });
  }
  for (const r of columnRows(builtData(site, "caseload")) as Record<string, unknown>[]) {
    cells.push({ period: String(r.period), level: "team", service: String(r.service), team: String(r.team), group: "All", value: num(r.headcount), source: "caseload.json" });
  }
  return cells;
}
