/**
 * Observations encoded once as integer codes in typed arrays, so that every comparison prepared
 * from them (each measure, the monthly view, the adjustment variants, the leave-one-team-out
 * ratios, the Not known re-runs) reads codes instead of building and hashing strings for every
 * worker-month ({@link prepareComparison}, prepare.ts). A run encodes all its worker-months once
 * and takes each scope and comparison as a {@link EncodedObs.subset} (rows and their groups), so
 * that a measure's values are read from the observations once per run.
 *
 * An {@link EncodedObs} is a read-only snapshot of the observations it was made from: encode them
 * after building them, and do not change them afterwards.
 *
 * @module
 */
import { monthIndex } from "../../../core/calendar.ts";
import { isNum, type FairnessMeasure } from "./measures.ts";
import type { WorkerMonthObs } from "./types.ts";

/** Per-measure columns of an encoding: kind 0 not applicable, 1 num/den given, 2 value only. */
export interface MeasureColumns {
  kind: Int8Array;
  num: Float64Array;
  den: Float64Array;
}

/** A string table: each distinct string once, with its id. */
class Interner {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  id(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.index.set(s, i);
      this.values.push(s);
    }
    return i;
  }
}

/** What the rows' codes refer to, shared by an encoding and its subsets. */
interface Tables {
  workerIds: string[];
  /** Per cell (service, team, role): service id, (service, team) id, role id, and rank of its key "service\u0001team\u0001role" in string order. */
  cellService: Int32Array;
  cellTeam: Int32Array;
  cellRole: Int32Array;
  cellRank: Int32Array;
  nServices: number;
  nTeams: number;
  nRoles: number;
  nFte: number;
  nExp: number;
  nEmp: number;
  /** Per (service, team): the service and the team. */
  teamService: string[];
  teamName: string[];
  /** Per experience combination (service, role, band). */
  comboService: string[];
  comboRole: string[];
  comboBand: string[];
  projections: Map<number, { proj: Int32Array; n: number }>;
}

/** Per row: worker, month index (NaN: not a month), cell, fte band, experience band, employment, experience combination. */
interface RowCodes {
  worker: Int32Array;
  month: Float64Array;
  cell: Int32Array;
  fte: Int32Array;
  exp: Int32Array;
  emp: Int32Array;
  expCombo: Int32Array;
}

/** Where a subset's rows and measures come from. */
interface Source {
  root: EncodedObs;
  /** Row of the root of each row. */
  rows: Int32Array;
}

/** Observations as integer codes (see the module notes). */
export class EncodedObs {
  readonly n: number;
  /** Per row: group id (into `groups`). */
  readonly group: Int32Array;
  readonly groups: readonly string[];
  readonly worker: Int32Array;
  readonly month: Float64Array;
  readonly cell: Int32Array;
  readonly fte: Int32Array;
  readonly exp: Int32Array;
  readonly emp: Int32Array;
  readonly expCombo: Int32Array;
  readonly tables: Readonly<Tables>;
  private readonly groupIndex: Map<string, number>;
  private readonly measures = new Map<FairnessMeasure, MeasureColumns>();
  private observationsCache: readonly WorkerMonthObs[] | null;
  private readonly source: Source | null;

  private constructor(tables: Tables, codes: RowCodes, group: Int32Array, groups: readonly string[], obs: readonly WorkerMonthObs[] | null, source: Source | null) {
    this.tables = tables;
    this.n = group.length;
    this.group = group;
    this.groups = groups;
    this.groupIndex = new Map(groups.map((g, i) => [g, i]));
    this.worker = codes.worker;
    this.month = codes.month;
    this.cell = codes.cell;
    this.fte = codes.fte;
    this.exp = codes.exp;
    this.emp = codes.emp;
    this.expCombo = codes.expCombo;
    this.observationsCache = obs;
    this.source = source;
  }

  /** Encodes an array of observations. */
  static of(obs: readonly WorkerMonthObs[]): EncodedObs {
    const n = obs.length;
    const groups = new Interner();
    const workers = new Interner();
    const services = new Interner();
    const teams = new Interner();
    const roles = new Interner();
    const ftes = new Interner();
    const exps = new Interner();
    const emps = new Interner();
    const teamService: string[] = [];
    const teamName: string[] = [];
    const teamOfPair = new Map<string, Map<string, number>>();
    const monthOf = new Map<string, number>();
    const group = new Int32Array(n);
    const codes: RowCodes = { worker: new Int32Array(n), month: new Float64Array(n), cell: new Int32Array(n), fte: new Int32Array(n), exp: new Int32Array(n), emp: new Int32Array(n), expCombo: new Int32Array(n) };
    const sv = new Int32Array(n);
    const tm = new Int32Array(n);
    const rl = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const o = obs[i]!;
      group[i] = groups.id(o.group);
      codes.worker[i] = workers.id(o.worker_id);
      let mi = monthOf.get(o.period);
      if (mi === undefined) {
        try {
          mi = monthIndex(o.period);
        } catch {
          mi = NaN; // thrown again if a comparison uses this row (as prepareComparison always did)
        }
        monthOf.set(o.period, mi);
      }
      codes.month[i] = mi;
      sv[i] = services.id(o.service);
      let byTeam = teamOfPair.get(o.service);
      if (!byTeam) teamOfPair.set(o.service, (byTeam = new Map()));
      let t = byTeam.get(o.team);
      if (t === undefined) {
        t = teams.id(`${o.service}\u0001${o.team}`);
        byTeam.set(o.team, t);
        teamService.push(o.service);
        teamName.push(o.team);
      }
      tm[i] = t;
      rl[i] = roles.id(o.role);
      codes.fte[i] = ftes.id(o.fte_band);
      codes.exp[i] = exps.id(o.experience_band ?? "not recorded");
      codes.emp[i] = emps.id(o.employment ?? "not recorded");
    }
    const nRoles = roles.values.length;
    const nExp = exps.values.length;
    const cells = new Map<number, number>();
    const combos = new Map<number, number>();
    const cellService: number[] = [];
    const cellTeam: number[] = [];
    const cellRole: number[] = [];
    const cellKey: string[] = [];
    const comboService: string[] = [];
    const comboRole: string[] = [];
    const comboBand: string[] = [];
    for (let i = 0; i < n; i++) {
      const ck = tm[i]! * (nRoles + 1) + rl[i]!;
      let c = cells.get(ck);
      if (c === undefined) {
        c = cellService.length;
        cells.set(ck, c);
        cellService.push(sv[i]!);
        cellTeam.push(tm[i]!);
        cellRole.push(rl[i]!);
        cellKey.push(`${teams.values[tm[i]!]}\u0001${roles.values[rl[i]!]}`);
      }
      codes.cell[i] = c;
      const xk = (sv[i]! * (nRoles + 1) + rl[i]!) * (nExp + 1) + codes.exp[i]!;
      let x = combos.get(xk);
      if (x === undefined) {
        x = comboService.length;
        combos.set(xk, x);
        comboService.push(services.values[sv[i]!]!);
        comboRole.push(roles.values[rl[i]!]!);
        comboBand.push(exps.values[codes.exp[i]!]!);
      }
      codes.expCombo[i] = x;
    }
    // rank of each cell's key in string order (the modal cell's tie-break)
    const byKey = cellKey.map((_, c) => c).sort((a, b) => (cellKey[a]! < cellKey[b]! ? -1 : cellKey[a]! > cellKey[b]! ? 1 : 0));
    const cellRank = new Int32Array(cellKey.length);
    byKey.forEach((c, r) => (cellRank[c] = r));
    const tables: Tables = {
      workerIds: workers.values, cellService: Int32Array.from(cellService), cellTeam: Int32Array.from(cellTeam), cellRole: Int32Array.from(cellRole), cellRank,
      nServices: services.values.length, nTeams: teams.values.length, nRoles, nFte: ftes.values.length, nExp, nEmp: emps.values.length,
      teamService, teamName, comboService, comboRole, comboBand, projections: new Map(),
    };
    return new EncodedObs(tables, codes, group, groups.values, obs, null);
  }

  /**
   * Some rows of these observations (in the order given), each in the group given: the
   * observations `rows.map((r, i) => ({ ...obs[r], group: groups[i] }))`, encoded without reading
   * them again.
   */
  subset(rows: Int32Array, groups: readonly string[]): EncodedObs {
    const n = rows.length;
    const names = new Interner();
    const group = new Int32Array(n);
    for (let i = 0; i < n; i++) group[i] = names.id(groups[i]!);
    const gather = <T extends Int32Array | Float64Array>(a: T): T => {
      const out = new (a.constructor as new (n: number) => T)(n);
      for (let i = 0; i < n; i++) out[i] = a[rows[i]!]!;
      return out;
    };
    const codes: RowCodes = { worker: gather(this.worker), month: gather(this.month), cell: gather(this.cell), fte: gather(this.fte), exp: gather(this.exp), emp: gather(this.emp), expCombo: gather(this.expCombo) };
    const root = this.source ? this.source.root : this;
    const rootRows = this.source ? Int32Array.from(rows, (r) => this.source!.rows[r]!) : rows;
    return new EncodedObs(this.tables as Tables, codes, group, names.values, null, { root, rows: rootRows });
  }

  /** The observations (for a subset, built when first asked for). */
  get obs(): readonly WorkerMonthObs[] {
    if (this.observationsCache === null) {
      const { root, rows } = this.source!;
      const all = root.obs;
      this.observationsCache = Array.from(rows, (r, i) => {
        const o = all[r]!;
        const g = this.groups[this.group[i]!]!;
        return o.group === g ? o : { ...o, group: g };
      });
    }
    return this.observationsCache;
  }

  /** The id of a group, or -1 when nobody is in it. */
  groupId(g: string): number {
    return this.groupIndex.get(g) ?? -1;
  }

  /** The same observations with every row of group `from` in group `to` (codes and measures shared). */
  relabel(from: string, to: string): EncodedObs {
    const groups = [...this.groups];
    let toId = groups.indexOf(to);
    if (toId < 0) {
      toId = groups.length;
      groups.push(to);
    }
    const fromId = this.groupIndex.get(from);
    const group = Int32Array.from(this.group, (g) => (g === fromId ? toId : g));
    const e = new EncodedObs(this.tables as Tables, this, group, groups, null, this.source ?? { root: this, rows: Int32Array.from({ length: this.n }, (_, i) => i) });
    for (const [m, c] of this.measures) e.measures.set(m, c);
    return e;
  }

  /** The measure's numerators and denominators per row (read from the observations once per measure). */
  measureColumns(measure: FairnessMeasure): MeasureColumns {
    let c = this.measures.get(measure);
    if (c) return c;
    const n = this.n;
    if (this.source) {
      const from = this.source.root.measureColumns(measure);
      const rows = this.source.rows;
      c = { kind: new Int8Array(n), num: new Float64Array(n), den: new Float64Array(n) };
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        c.kind[i] = from.kind[r]!;
        c.num[i] = from.num[r]!;
        c.den[i] = from.den[r]!;
      }
    } else {
      c = { kind: new Int8Array(n), num: new Float64Array(n), den: new Float64Array(n) };
      const obs = this.obs;
      for (let i = 0; i < n; i++) {
        const o = obs[i]!;
        const v = o.values[measure];
        if (!isNum(v)) continue;
        const nu = o.num?.[measure];
        const d = o.den?.[measure];
        if (nu !== undefined && d !== undefined) {
          if (!isNum(nu) || !isNum(d) || !(d > 0)) continue;
          c.kind[i] = 1;
          c.num[i] = nu;
          c.den[i] = d;
        } else {
          c.kind[i] = 2;
          c.num[i] = v;
          c.den[i] = 1;
        }
      }
    }
    this.measures.set(measure, c);
    return c;
  }

  /** A row's period (only to report a row that is not a month). */
  period(i: number): string {
    return this.obs[i]!.period;
  }

  /**
   * Cells projected onto what a stratum holds fixed: (service, team) or service alone, and role
   * or not. Returns each cell's projected id and the number of ids.
   */
  projection(useTeam: boolean, useRole: boolean): { proj: Int32Array; n: number } {
    const t = this.tables;
    const key = (useTeam ? 2 : 0) + (useRole ? 1 : 0);
    let p = t.projections.get(key);
    if (p) return p;
    const nc = t.cellService.length;
    const proj = new Int32Array(nc);
    const ids = new Map<number, number>();
    for (let c = 0; c < nc; c++) {
      const k = (useTeam ? t.cellTeam[c]! : t.nTeams + t.cellService[c]!) * (t.nRoles + 1) + (useRole ? t.cellRole[c]! : t.nRoles);
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = ids.size));
      proj[c] = id;
    }
    p = { proj, n: ids.size };
    t.projections.set(key, p);
    return p;
  }
}

/** Observations as given, or already encoded. */
export type ObsInput = readonly WorkerMonthObs[] | EncodedObs;

/** The encoding of `obs` (itself when already encoded). */
export function encoded(obs: ObsInput): EncodedObs {
  return obs instanceof EncodedObs ? obs : EncodedObs.of(obs);
}
