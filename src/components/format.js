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
/** Columnar {col: [...]} from a loader back into rows. */
export function rows(columnar) {
  const cols = Object.keys(columnar);
  const n = cols.length ? columnar[cols[0]].length : 0;
  return Array.from({length: n}, (_, i) => Object.fromEntries(cols.map((c) => [c, columnar[c][i]])));
}
