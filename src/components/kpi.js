// KPI cards: a headline figure with its change on the month and the year, and its ceiling.
import {html} from "npm:htl";
import {fmt, pct} from "./format.js";

export function kpi({title, value, unit = "", digits = 1, change, changeLabel = "on the month", yearPct, ceiling, above, higherIs = "neutral", note}) {
  const dir = change === null || change === undefined || change === 0 ? "" : change > 0 ? "up" : "down";
  const bad = (higherIs === "worse" && dir === "up") || (higherIs === "better" && dir === "down");
  const good = (higherIs === "worse" && dir === "down") || (higherIs === "better" && dir === "up");
  return html`<div class="card kpi ${above ? "kpi-alert" : ""}">
    <h2>${title}</h2>
    <span class="big">${fmt(value, digits)}</span> <span class="muted">${unit}</span>
    ${change === undefined ? "" : html`<div class="kpi-change ${bad ? "kpi-bad" : good ? "kpi-good" : ""}">${dir === "up" ? "▲" : dir === "down" ? "▼" : "●"} ${fmt(Math.abs(change ?? 0), digits)} ${changeLabel}</div>`}
    ${yearPct === undefined || yearPct === null ? "" : html`<div class="muted">${pct(yearPct)} on a year ago</div>`}
    ${ceiling ? html`<div class="${above ? "kpi-bad" : "muted"}">ceiling ${fmt(ceiling, digits)}${above ? " – above it" : ""}</div>` : ""}
    ${note ? html`<div class="muted small">${note}</div>` : ""}
  </div>`;
}
