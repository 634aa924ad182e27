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

// ---------------------------------------------------------------------------------------------
// Across the monthly returns and the workforce census (issue 13).
//
// The census publishes workers in post at 30 September by census year, role and ONS broad group
// (census-representation.json); the monthly returns publish the workforce of every month, and of
// the latest month by reporting group (population.json, caseload.json). For a census year whose
// September the monthly returns cover, both count social workers at the same date, so a reader can
// set one against the other: census White against White British + White minorities, the four
// minority broad groups against Ethnic minorities, Not known against Not known, all against all.
// How far the two populations coincide the reader does not see (social work assistants are in the
// monthly returns and not in the census; the census has every registered role), so the attacker
// tries each hypothesis a reader could make and keeps those the published counts allow:
// - "same people": each link's two sides are equal;
// - "census within monthly": each monthly side is its census side plus an unknown number >= 0;
// - "monthly within census": the other way round.
// The other relations are the monthly ones of `attack` (groups partition All, teams add up to
// services and services to the employer) and the census's own (the broad groups add up to All in
// every role; the roles add up to All roles in every group).

/** A count of the census representation table: workers in post at 30 September (null: withheld). */
export interface CensusCountCell {
  year: number;
  role: string;
  group: string;
  value: number | null;
  source: string;
}

/** The census's groups: the ONS broad groups and Not known, which partition "All". */
export const CENSUS_GROUPS = ["White", "Mixed or Multiple", "Asian or Asian British", "Black, Black British, Caribbean or African", "Other ethnic group", "Not known"];
const CENSUS_TOTAL_ROLE = "All roles";

/** Which census groups count the same people as which monthly groups. */
export const CENSUS_LINKS: { monthly: string[]; census: string[] }[] = [
  { monthly: ["All"], census: ["All"] },
  { monthly: ["White British", "White minorities"], census: ["White"] },
  { monthly: ["Ethnic minorities"], census: ["Mixed or Multiple", "Asian or Asian British", "Black, Black British, Caribbean or African", "Other ethnic group"] },
  { monthly: ["Not known"], census: ["Not known"] },
];

export type Overlap = "same people" | "census within monthly" | "monthly within census";
export const OVERLAPS: Overlap[] = ["same people", "census within monthly", "monthly within census"];

export interface CrossFinding extends Finding {
  /** The hypothesis under which the range holds. */
  overlap: Overlap;
}

export interface CrossAttack {
  findings: CrossFinding[];
  /** The hypotheses the published counts allow (the others contradict them). */
  feasible: Overlap[];
  /** Census years whose September the monthly counts cover (the years linked). */
  years: number[];
  /** Every withheld cell (and sum) bounded, with its range, under each feasible hypothesis: for reports. */
  ranges: { overlap: Overlap; description: string; lo: number; hi: number }[];
}

/**
 * What a reader can work out by setting the census's published counts against the monthly
 * returns' (see above): findings for every withheld count, monthly or census, and every sum of
 * withheld counts in one relation, narrowed to fewer than `min` (and not exactly 0), under any
 * hypothesis of how the two populations overlap that the published counts allow.
 */
export async function attackAcross(monthly: CountCell[], census: CensusCountCell[], min: number, overlaps: Overlap[] = OVERLAPS): Promise<CrossAttack> {
  // the employer (and its services) of every September linked, even where the monthly counts
  // publish only teams (caseload.json): teams add up to them
  const years = [...new Set(census.map((c) => c.year))].filter((y) => monthly.some((m) => m.period === `${y}-09`)).sort();
  // only the Septembers linked: the other months are `attack`'s
  monthly = monthly.filter((m) => years.some((y) => m.period === `${y}-09`));
  const extra: CountCell[] = [];
  for (const y of years) {
    const period = `${y}-09`;
    const at = monthly.filter((m) => m.period === period);
    if (!at.some((m) => m.level === "employer" && m.group === "All")) extra.push({ period, level: "employer", service: null, team: null, group: "All", value: null, source: "(implied)" });
    for (const s of new Set(at.filter((m) => m.level === "team").map((m) => m.service))) {
      if (!at.some((m) => m.level === "service" && m.service === s && m.group === "All")) extra.push({ period, level: "service", service: s, team: null, group: "All", value: null, source: "(implied)" });
    }
  }
  const model = buildModel([...monthly, ...extra]);

  // variables: cells without a single published value; constants: the published ones
  interface Term { key: string; label: string; ref: CellRef | null; value: number | null }
  const terms = new Map<string, Term>();
  for (const e of model.entries.values()) terms.set(`m${e.key}`, { key: `m${e.key}`, label: describeEntry(e), ref: ref(e), value: e.value });
  const censusKey = (year: number, role: string, group: string) => `c${JSON.stringify([year, role, group])}`;
  const censusTerm = (year: number, role: string, group: string): Term => {
    const k = censusKey(year, role, group);
    let t = terms.get(k);
    if (!t) {
      t = { key: k, label: `census ${year} ${role}: ${group} (not published)`, ref: { period: `census ${year}`, level: role === CENSUS_TOTAL_ROLE ? "employer" : "service", service: role === CENSUS_TOTAL_ROLE ? null : role, team: null, group }, value: null };
      terms.set(k, t);
    }
    return t;
  };
  const findings: CrossFinding[] = [];
  const censusValues = new Map<string, Set<number>>();
  for (const c of census) {
    const t = censusTerm(c.year, c.role, c.group);
    t.label = `census ${c.year} ${c.role}: ${c.group}`;
    if (c.value !== null) censusValues.set(t.key, (censusValues.get(t.key) ?? new Set()).add(c.value));
  }
  for (const [k, vs] of censusValues) {
    const t = terms.get(k)!;
    if (vs.size === 1) t.value = [...vs][0]!;
    for (const v of vs) if (v >= 1 && v < min) for (const overlap of overlaps) findings.push({ kind: "published", description: `${t.label} = ${v}`, lo: v, hi: v, sources: ["census-representation.json"], cells: t.ref ? [t.ref] : [], overlap });
  }

  // relations: sum(plus) - sum(minus) (+ slack) = 0
  interface Eq { plus: string[]; minus: string[]; label: string; slack?: "overlap" | "link"; link?: boolean }
  const eqs: Eq[] = [];
  for (const r of model.relations) {
    eqs.push({ plus: [`m${r.parent}`], minus: r.children.map((k) => `m${k}`), label: r.kind, slack: r.kind === "hierarchy" && model.overlapNodes.has(r.nodeId) ? "overlap" : undefined });
  }
  for (const y of [...new Set(census.map((c) => c.year))]) {
    const roles = [...new Set(census.filter((c) => c.year === y).map((c) => c.role))].sort();
    for (const role of roles) eqs.push({ plus: [censusTerm(y, role, "All").key], minus: CENSUS_GROUPS.map((g) => censusTerm(y, role, g).key), label: `census ${y} ${role}: groups` });
    const parts = roles.filter((r) => r !== CENSUS_TOTAL_ROLE);
    if (parts.length > 0) for (const g of ["All", ...CENSUS_GROUPS]) eqs.push({ plus: [censusTerm(y, CENSUS_TOTAL_ROLE, g).key], minus: parts.map((r) => censusTerm(y, r, g).key), label: `census ${y} roles: ${g}` });
  }
  const links: Eq[] = [];
  for (const y of years) {
    const node: Node = { period: `${y}-09`, level: "employer", service: null, team: null };
    for (const l of CENSUS_LINKS) {
      const m = l.monthly.map((g) => `m${cellKey(node, g)}`);
      if (!m.every((k) => terms.has(k))) continue; // groups only where the monthly counts have them
      links.push({ plus: m, minus: l.census.map((g) => censusTerm(y, CENSUS_TOTAL_ROLE, g).key), label: `${y}: monthly ${l.monthly.join(" + ")} against census ${l.census.join(" + ")}`, link: true });
    }
  }

  const highs = await getHighs();
  const { minimize, maximize } = highs.constants.objectiveSense;
  const status = highs.constants.modelStatus;
  const INF = highs.infinity;
  const feasible: Overlap[] = [];
  const ranges: CrossAttack["ranges"] = [];
  const isFinding = (lo: number, hi: number) => hi - lo < min && lo < min && hi > 0;
  for (const overlap of overlaps) {
    const varOf = new Map<string, number>();
    const lo: number[] = [];
    const hi: number[] = [];
    const addVar = (l: number, h: number) => {
      lo.push(l);
      hi.push(h);
      return lo.length - 1;
    };
    const v = (k: string) => {
      if (terms.get(k)!.value !== null) return null;
      if (!varOf.has(k)) varOf.set(k, addVar(0, INF));
      return varOf.get(k)!;
    };
    const rows: { lo: number; hi: number; idx: number[]; val: number[] }[] = [];
    const sums: { label: string; cells: string[] }[] = [];
    for (const eq of [...eqs, ...links]) {
      const idx: number[] = [];
      const val: number[] = [];
      let constant = 0;
      for (const [list, sign] of [[eq.plus, 1], [eq.minus, -1]] as const) {
        for (const k of list) {
          const i = v(k);
          if (i === null) constant += sign * terms.get(k)!.value!;
          else {
            idx.push(i);
            val.push(sign);
          }
        }
      }
      if (eq.slack === "overlap") {
        idx.push(addVar(0, INF));
        val.push(1);
      }
      if (eq.link && overlap !== "same people") {
        // census within monthly: monthly - census = d >= 0; monthly within census: census - monthly = d >= 0
        idx.push(addVar(0, INF));
        val.push(overlap === "census within monthly" ? -1 : 1);
      }
      if (idx.length === 0) {
        if (Math.abs(constant) > EPS && !eq.link && overlap === overlaps[0]) findings.push({ kind: "inconsistent", description: `${eq.label}: published counts do not add up`, lo: NaN, hi: NaN, sources: [], cells: [], overlap });
        if (eq.link && overlap === "same people" && Math.abs(constant) > EPS) rows.push({ lo: 1, hi: 1, idx: [], val: [] }); // contradiction: marks the hypothesis infeasible below
        continue;
      }
      rows.push({ lo: -constant, hi: -constant, idx, val });
      for (const side of [eq.plus, eq.minus]) {
        const hidden = side.filter((k) => terms.get(k)!.value === null);
        if (hidden.length > 1) sums.push({ label: `${eq.label}: ${hidden.map((k) => terms.get(k)!.label).join(" + ")}`, cells: hidden });
      }
    }
    if (rows.some((r) => r.idx.length === 0)) continue; // published counts contradict the hypothesis
    const n = lo.length;
    if (n === 0) {
      feasible.push(overlap);
      continue;
    }
    const m = highs.createModel();
    try {
      m.options.set({ output_flag: false });
      m.addVars(lo, hi);
      for (const r of rows) m.addRow(r.lo, r.hi, { indices: r.idx, values: r.val });
      const all = { kind: "range" as const, from: 0, to: n - 1 };
      const solve = (cost: number[], sense: typeof minimize): number | null => {
        m.changeColsCost(all, cost);
        m.changeObjectiveSense(sense);
        let s = m.run().modelStatus;
        if (s === status.unknown || s === status.solveError) {
          m.clearSolver();
          s = m.run().modelStatus;
        }
        if (s === status.optimal) return m.getObjectiveValue();
        if (s === status.unbounded || s === status.unboundedOrInfeasible) return sense === maximize ? Infinity : -Infinity;
        if (s === status.infeasible) return null;
        throw new Error(`attacker: HiGHS stopped with model status ${s}`);
      };
      const zero = new Array<number>(n).fill(0);
      if (solve(zero, minimize) === null) continue;
      feasible.push(overlap);
      const bound = (cells: string[], description: string, refs: CellRef[]) => {
        const cost = zero.slice();
        for (const k of cells) cost[varOf.get(k)!] = 1;
        const hiRaw = solve(cost, maximize) ?? NaN;
        const loRaw = solve(cost, minimize) ?? NaN;
        const l = Math.ceil(loRaw - EPS) + 0;
        const h = hiRaw === Infinity ? Infinity : Math.floor(hiRaw + EPS) + 0;
        ranges.push({ overlap, description, lo: l, hi: h });
        if (isFinding(l, h)) findings.push({ kind: "range", description: `${description} (if ${overlap})`, lo: l, hi: h, sources: ["population.json", "caseload.json", "census-representation.json"], cells: refs, overlap });
      };
      for (const [k] of varOf) {
        const t = terms.get(k)!;
        bound([k], t.label, t.ref ? [t.ref] : []);
      }
      const seen = new Set<string>();
      for (const s of sums) {
        const id = [...s.cells].sort().join("|");
        if (seen.has(id)) continue;
        seen.add(id);
        bound(s.cells, s.label, s.cells.map((k) => terms.get(k)!.ref).filter((r): r is CellRef => r !== null));
      }
    } finally {
      m.dispose();
    }
  }
  return { findings, feasible, years, ranges };
}

/** The census representation counts a built public site publishes (census-representation.json). */
export function censusCellsFromPublicBuild(site: string): CensusCountCell[] {
  return censusCellsFromRows(builtData(site, "census-representation") as Record<string, unknown>[], "census-representation.json");
}

/** Census representation counts from rows of pub_census_representation (census_year, role, group, headcount). */
export function censusCellsFromRows(rows: Record<string, unknown>[], source = "pub_census_representation"): CensusCountCell[] {
  return rows.map((r) => ({ year: Number(r.census_year), role: String(r.role), group: String(r.group), value: r.headcount === null || r.headcount === undefined ? null : Number(r.headcount), source }));
}

/** Monthly counts from rows of pub_population (period, level, service, team, group, workers): every month it holds. */
export function cellsFromPopulationRows(rows: Record<string, unknown>[], source = "pub_population"): CountCell[] {
  return rows.map((r) => ({ period: String(r.period), level: String(r.level) as CountCell["level"], service: (r.service as string | null) ?? null, team: (r.team as string | null) ?? null, group: String(r.group), value: r.workers === null || r.workers === undefined ? null : Number(r.workers), source }));
}
