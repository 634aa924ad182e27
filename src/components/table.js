// Tables for reading: Inputs.table without the row-selection checkboxes (no page uses a
// selection, and the checkboxes have no labels: WCAG 4.1.2), with sortable column headers that
// a keyboard can reach and use (Tab, then Enter or Space). Reaching a header also lets a
// keyboard scroll the table's box, which scrolls when it has more rows than it shows (WCAG 2.1.1).
import * as Inputs from "npm:@observablehq/inputs";

export function dataTable(data, options = {}) {
  const table = Inputs.table(data, {...options, select: false});
  for (const th of table.querySelectorAll("thead th[title]")) {
    th.tabIndex = 0;
    th.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      th.click();
    });
  }
  return table;
}
