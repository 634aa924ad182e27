// CSV for downloads and exports, pure (no browser or Framework imports, so node tests can use it).
// Cells that a spreadsheet would run as a formula (starting with =, +, -, @, or a tab or carriage
// return) are prefixed with a quote so that they open as text (OWASP CSV injection guidance).

export function neutralise(value) {
  if (value === null || value === undefined) return "";
  // a number is never a formula: negative values stay numbers ("-2+3" is still neutralised)
  if (typeof value === "number") return String(value);
  const s = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return s;
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function toCsv(rows, columns) {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const field = (v) => {
    const s = neutralise(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(field).join(","), ...rows.map((r) => cols.map((c) => field(r[c])).join(","))].join("\r\n") + "\r\n";
}
