// "Download the data (CSV)" for every chart and table; the CSV itself (with formula
// neutralisation) is built by csv.js.
import {html} from "npm:htl";
import {toCsv} from "./csv.js";

export {neutralise, toCsv} from "./csv.js";

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
