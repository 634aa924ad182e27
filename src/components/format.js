// Number formatting shared by pages and components.
export function fmt(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return Number(x).toLocaleString("en-GB", {maximumFractionDigits: digits, minimumFractionDigits: Math.abs(x) < 10 && digits > 0 ? digits : 0});
}
export function pct(x, digits = 0) {
  return x === null || x === undefined ? "–" : `${x > 0 ? "+" : ""}${fmt(x, digits)}%`;
}
export function ratioPct(r) {
  if (r === null || r === undefined) return "–";
  const p = (r - 1) * 100;
  return `${p > 0 ? "+" : ""}${p.toFixed(0)}%`;
}
/**
 * Columnar {col: [...]} from a loader back into rows. A column may be encoded (src/data/mart.ts `columnar`): run-length,
 * {runs: [[value, count], ...]}, or periods as runs of consecutive months, {months: [["2021-10", 60], ...]}.
 */
export function rows(columnar) {
  const decode = (v) => {
    if (Array.isArray(v)) return v;
    if (v.runs) return v.runs.flatMap(([value, count]) => Array(count).fill(value));
    return v.months.flatMap(([start, count]) => {
      const [y, m] = start.split("-").map(Number);
      return Array.from({length: count}, (_, k) => {
        const i = y * 12 + (m - 1) + k;
        return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
      });
    });
  };
  const decoded = Object.fromEntries(Object.entries(columnar).map(([c, v]) => [c, decode(v)]));
  const cols = Object.keys(decoded);
  const n = cols.length ? decoded[cols[0]].length : 0;
  return Array.from({length: n}, (_, i) => Object.fromEntries(cols.map((c) => [c, decoded[c][i]])));
}

/** Control-chart points from a series loader (src/data/series-sql.ts): rows, with the limits from the centre line and the widths about it. */
export function pointRows(columnar) {
  return rows(columnar).map(({uw, lw, ...d}) => ({...d, ucl: d.mean === null || uw === null ? null : d.mean + uw, lcl: d.mean === null || lw === null ? null : d.mean - lw}));
}
