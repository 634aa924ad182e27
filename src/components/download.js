// CSV export for every chart and table. Cells that a spreadsheet would run as a formula
// (starting with =, +, -, @, or a tab/carriage return) are prefixed with a quote so that they
// open as text (OWASP CSV injection guidance).
import {html} from "npm:htl";

export function neutralise(value) {
  if (value === null || value === undefined) return "";
  const s = typeof value === "object" ? JSON.stringify(value) : String(value);
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

export function downloadButton(rows, filename, label = "Download the data (CSV)") {
  const button = html`<button type="button" class="download">${label}</button>`;
  button.onclick = () => {
    const blob = new Blob([toCsv(rows)], {type: "text/csv;charset=utf-8"});
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return button;
}
