/**
 * The resampling cells of a comparison: each worker's modal (service, team, role) cell, the
 * pooling of bootstrap cells, and the flattening of cells into CSR typed arrays.
 *
 * @module
 */

export function modeKey(counts: Map<string, { n: number; last: number }>): string {
  let best = "";
  let bn = -1;
  let bl = -1;
  for (const [k, v] of counts) {
    if (v.n > bn || (v.n === bn && (v.last > bl || (v.last === bl && k < best)))) {
      best = k;
      bn = v.n;
      bl = v.last;
    }
  }
  return best;
}

/** Flattens a list of worker-index lists into CSR arrays. */
export function toCsr(cells: number[][]): { start: Int32Array; workers: Int32Array } {
  const start = new Int32Array(cells.length + 1);
  let total = 0;
  cells.forEach((c, i) => {
    start[i] = total;
    total += c.length;
  });
  start[cells.length] = total;
  const workers = new Int32Array(total);
  let p = 0;
  for (const c of cells) for (const w of c) workers[p++] = w;
  return { start, workers };
}

/**
 * Bootstrap cells: workers of one group with the same modal (service, team,
 * role). Cells of one worker cannot vary under resampling and would make the
 * interval too narrow, so singletons are pooled: first within group x team,
 * then within the group; a single worker left over joins the group's largest
 * cell.
 */
export function bootstrapCells(labelOf: Uint8Array, teamOf: ArrayLike<string | number>, cellOf: ArrayLike<string | number>): number[][] {
  const out: number[][] = [];
  for (const lab of [1, 0]) {
    const byCell = new Map<string | number, number[]>();
    for (let w = 0; w < labelOf.length; w++) {
      if (labelOf[w] !== lab) continue;
      const k = cellOf[w];
      const list = byCell.get(k);
      if (list) list.push(w);
      else byCell.set(k, [w]);
    }
    const mine: number[][] = [];
    const singles: number[] = [];
    for (const c of byCell.values()) {
      if (c.length >= 2) mine.push(c);
      else singles.push(c[0]);
    }
    const byTeam = new Map<string | number, number[]>();
    for (const w of singles) {
      const list = byTeam.get(teamOf[w]);
      if (list) list.push(w);
      else byTeam.set(teamOf[w], [w]);
    }
    const left: number[] = [];
    for (const c of byTeam.values()) {
      if (c.length >= 2) mine.push(c);
      else left.push(c[0]);
    }
    if (left.length >= 2) mine.push(left);
    else if (left.length === 1) {
      if (mine.length > 0) {
        let big = 0;
        for (let i = 1; i < mine.length; i++) if (mine[i].length > mine[big].length) big = i;
        mine[big].push(left[0]);
      } else mine.push(left);
    }
    out.push(...mine);
  }
  return out;
}
