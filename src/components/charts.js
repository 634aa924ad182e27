// Charts, following Plot's idioms. Each has an ariaLabel and description, and pages pair it
// with a table or sentence as its text alternative.
import * as Plot from "npm:@observablehq/plot";
import {html} from "npm:htl";
import {cause, causeLabel, categorical, MONTHS, monthName, ruleLabel, verdictColour} from "./palette.js";

const toDate = (p) => new Date(`${p}-01T00:00:00Z`);

/**
 * Control chart of one series with Making Data Count colours, limits, level shifts, peaks and
 * troughs. `kind` is the series' chart (mart_series.spc_chart_kind; found from the points when
 * not given): on a regression chart the centre line and limits follow the trend, so they slope;
 * each segment (`seg`, recalculated at a confirmed level shift) is drawn on its own. On a chart
 * that allows for autocorrelation (`-ar1` kinds) each month has its own limits, about what was
 * expected given the month before (their midpoint, `(ucl + lcl) / 2`): they are drawn as a band
 * of steps, one step a month, with the expected value dotted and the centre line (the mean, or
 * the trend) solid. With `adjusted`, the chart judged the seasonally adjusted series: its values
 * (`adj`) are the dots, and the series as recorded is the grey line behind them.
 */
export function controlChart(points, {width: pageWidth, label, unit, title, kind, adjusted = false}) {
  const width = plotWidth(pageWidth);
  const data = points.map((d) => ({...d, date: toDate(d.period), charted: adjusted && d.adj !== null && d.adj !== undefined ? d.adj : d.value, colour: d.cause ?? "none",
    expected: d.ucl === null || d.ucl === undefined || d.lcl === null || d.lcl === undefined ? null : (d.ucl + d.lcl) / 2}));
  const withLimits = data.filter((d) => d.ucl !== null && d.ucl !== undefined);
  const signals = data.filter((d) => d.cause);
  const shifts = data.filter((d) => d.mark?.includes("s"));
  const tiny = (d) => 1e-9 * Math.max(1, Math.abs(d.mean));
  // without `kind` (a caller that predates it), a centre line that moves within a segment is a trend,
  // and limits that are not centred on it are about each month's expected value
  const regression = kind ? String(kind).startsWith("regression") : withLimits.some((d, i) => i > 0 && d.seg === withLimits[i - 1].seg && Math.abs(d.mean - withLimits[i - 1].mean) > tiny(d));
  const ar1 = kind ? String(kind).endsWith("-ar1") : withLimits.some((d) => Math.abs(d.expected - d.mean) > tiny(d));
  const curve = regression ? "linear" : "step";
  // each month's own limits: a step centred on the month (d3's curveStep changes value halfway between months)
  const limitCurve = ar1 ? "step" : curve;
  const kindText = ar1
    ? `${regression ? "Regression control chart allowing for persistence: the centre line follows the trend" : "XmR chart allowing for persistence: the centre line is the mean"}, and each month's limits are about what was expected given the month before. `
    : regression ? "Regression control chart: the centre line and limits follow the trend. " : "";
  const describe = `${title}. ${data.length} months from ${monthName(points[0]?.period)} to ${monthName(points.at(-1)?.period)}. ` +
    kindText +
    `${signals.length} special-cause point${signals.length === 1 ? "" : "s"}` + (shifts.length ? `; level shift${shifts.length > 1 ? "s" : ""} in ${shifts.map((d) => monthName(d.period)).join(", ")}.` : ".");
  const fmt = (v) => (v === null || v === undefined ? "–" : v.toFixed(2));
  const centreName = regression ? "trend" : "mean";
  return Plot.plot({
    width, height: 320, marginLeft: 56,
    ariaLabel: title, ariaDescription: describe,
    x: {type: "utc", label: null},
    y: {grid: true, label: `${label}${unit ? ` (${unit})` : ""}${adjusted ? ", seasonally adjusted" : ""}`, zero: false},
    color: {domain: ["i", "c", "n", "none"], range: [cause.i, cause.c, cause.n, cause.none], legend: true, tickFormat: (k) => causeLabel[k]},
    marks: [
      adjusted ? Plot.lineY(data, {x: "date", y: "value", stroke: "#BDBDBD", strokeWidth: 1}) : null,
      ar1 ? Plot.areaY(withLimits, {x: "date", y1: "lcl", y2: "ucl", z: "seg", fill: "#9E9E9E", fillOpacity: 0.12, curve: limitCurve}) : null,
      Plot.lineY(withLimits, {x: "date", y: "ucl", z: "seg", stroke: "#9E9E9E", strokeDasharray: "4,3", curve: limitCurve}),
      Plot.lineY(withLimits, {x: "date", y: "lcl", z: "seg", stroke: "#9E9E9E", strokeDasharray: "4,3", curve: limitCurve}),
      ar1 ? Plot.lineY(withLimits, {x: "date", y: "expected", z: "seg", stroke: "#757575", strokeDasharray: "1,2", curve: limitCurve}) : null,
      Plot.lineY(withLimits, {x: "date", y: "mean", z: "seg", stroke: "#3D3D3D", strokeWidth: 1, curve}),
      Plot.ruleX(shifts, {x: "date", stroke: categorical[2], strokeDasharray: "2,2"}),
      Plot.lineY(data, {x: "date", y: "charted", stroke: "#3D3D3D", strokeWidth: 1.2}),
      Plot.dot(data, {x: "date", y: "charted", fill: "colour", r: 3.5,
        title: (d) => `${monthName(d.period)}: ${fmt(d.value)}${adjusted ? ` (seasonally adjusted ${fmt(d.adj)})` : ""}${d.mean !== null && d.mean !== undefined ? `\n${centreName} ${fmt(d.mean)}${ar1 ? `, expected given the month before ${fmt(d.expected)}` : ""}, limits ${fmt(d.lcl)} to ${fmt(d.ucl)}` : ""}${d.cause ? `\n${causeLabel[d.cause]} (${ruleLabel[d.rule]})` : ""}${d.mark?.includes("p") ? "\npeak" : ""}${d.mark?.includes("t") ? "\ntrough" : ""}${d.mark?.includes("s") ? "\nlevel shift" : ""}`}),
      Plot.text(data.filter((d) => d.mark?.includes("p")), {x: "date", y: "value", text: () => "▲", dy: -10, fill: "#3D3D3D", fontSize: 9}),
      Plot.text(data.filter((d) => d.mark?.includes("t")), {x: "date", y: "value", text: () => "▼", dy: 10, fill: "#3D3D3D", fontSize: 9})
    ]
  });
}

/** Small multiples: one series per team on a shared scale. */
export function smallMultiples(points, {width: pageWidth, label}) {
  const width = plotWidth(pageWidth);
  const data = points.map((d) => ({...d, date: toDate(d.period)}));
  const teams = [...new Set(data.map((d) => d.team))];
  return Plot.plot({
    width, height: 120 * Math.ceil(teams.length / 3), marginLeft: 48,
    ariaLabel: `${label} by team`, ariaDescription: `${label} per month for ${teams.length} teams, each in its own panel on a shared scale.`,
    fx: {label: null, axis: null}, fy: {label: null, axis: null},
    x: {type: "utc", label: null, ticks: 4}, y: {grid: true, label, zero: false},
    facet: {data, x: (d) => teams.indexOf(d.team) % 3, y: (d) => Math.floor(teams.indexOf(d.team) / 3)},
    marks: [
      Plot.lineY(data, {x: "date", y: "value", stroke: categorical[0]}),
      Plot.text(teams, {fx: (t) => teams.indexOf(t) % 3, fy: (t) => Math.floor(teams.indexOf(t) / 3), frameAnchor: "top-left", text: (t) => t, dy: 4, dx: 4, fontWeight: "bold", lineWidth: Math.max(4, ((width - 48) / 3 - 16) / 12), textOverflow: "ellipsis"}),
      Plot.frame({stroke: "#ddd"})
    ]
  });
}

/** Month-by-year heat map of one series. */
export function heatmap(points, {width: pageWidth, label}) {
  const width = plotWidth(pageWidth);
  const data = points.filter((d) => d.value !== null).map((d) => ({year: d.period.slice(0, 4), month: Number(d.period.slice(5, 7)), value: d.value, period: d.period}));
  return Plot.plot({
    width, height: 60 + 34 * new Set(data.map((d) => d.year)).size, marginLeft: 48,
    ariaLabel: `${label}: month by year`, ariaDescription: `A grid of months (columns) by years (rows), darker where ${label.toLowerCase()} is higher.`,
    x: {domain: MONTHS.map((_, i) => i + 1), tickFormat: (m) => MONTHS[m - 1], label: null},
    y: {type: "band", label: null},
    color: {scheme: "blues", legend: true, label},
    marks: [
      Plot.cell(data, {x: "month", y: "year", fill: "value", inset: 0.5, title: (d) => `${monthName(d.period)}: ${d.value.toFixed(2)}`}),
      Plot.text(data, {x: "month", y: "year", text: (d) => d.value >= 100 ? d.value.toFixed(0) : d.value.toFixed(1), fill: "black", stroke: "white", strokeWidth: 2, fontSize: 10})
    ]
  });
}

/** Seasonal profile: how far above or below a typical month each calendar month is. */
export function seasonalProfile(rows, {width: pageWidth, label}) {
  const width = plotWidth(pageWidth);
  return Plot.plot({
    width, height: 240, marginLeft: 48,
    ariaLabel: `Seasonal profile of ${label}`, ariaDescription: `Bars for each calendar month: percent above (positive) or below (negative) a typical month; peak and trough months are highlighted.`,
    x: {domain: MONTHS.map((_, i) => i + 1), tickFormat: (m) => MONTHS[m - 1], label: null},
    y: {grid: true, label: "% vs a typical month"},
    color: {domain: ["peak", "trough", "other"], range: [categorical[3], categorical[0], "#BDBDBD"], legend: true},
    marks: [
      Plot.barY(rows, {x: "month", y: "pct", fill: (d) => (d.mark === "p" ? "peak" : d.mark === "t" ? "trough" : "other"), title: (d) => `${MONTHS[d.month - 1]}: ${d.pct > 0 ? "+" : ""}${d.pct}%`}),
      Plot.ruleY([0])
    ]
  });
}

/**
 * Plot's default margins (20 top, 30 bottom with an x axis) leave no room for rows when a chart is
 * shorter than this; an empty chart sized by its row count would get a negative inner height
 * (`<rect> attribute height: A negative value`), as on a small employer with nothing to compare.
 */
const MIN_CHART_HEIGHT = 90;

/** What a chart says instead of drawing when it has no row (the figure keeps its caption). */
function noRows(title, why) {
  return html`<p class="muted">${title}: ${why}</p>`;
}

/** Ratios with 95% intervals on a log scale centred on parity, the 0.80-1.25 band shaded. */
/** The page's width can be 0 for a moment while it lays out: never draw narrower than `min` px, or Plot gets a negative plot area. */
export function plotWidth(width, min = 360) {
  return Math.max(min, width ?? 640);
}

export function ratioForest(results, {width: pageWidth, title = "Adjusted ratio (group / reference)", y = "label"}) {
  // the page's width can be 0 for a moment while it lays out: never draw narrower than 360 px
  const width = Math.max(360, pageWidth ?? 640);
  const shown = results.filter((d) => d.ratio_adjusted !== null && d.ratio_adjusted > 0);
  if (!shown.length) return noRows(title, "no comparison has a ratio to chart (too few workers in the groups compared; the tables give each comparison's verdict).");
  const lo = Math.min(0.5, ...shown.map((d) => d.ci_low ?? d.ratio_adjusted).filter((x) => x > 0));
  const hi = Math.max(2, ...shown.map((d) => d.ci_high ?? d.ratio_adjusted).filter((x) => Number.isFinite(x)));
  // at most 4 either way, so that one very wide interval does not squeeze every other row into a
  // sliver around 1; anything beyond is drawn at the edge (its tooltip gives the value)
  // a ratio with no interval is never drawn at the edge (it would read as clipped with no
  // interval): the axis widens to hold it, up to 16 either way
  const bare = shown.filter((d) => d.ci_low === null || d.ci_low === undefined).map((d) => Math.max(d.ratio_adjusted, 1 / d.ratio_adjusted));
  const lim = Math.min(16, Math.max(Math.min(4, Math.max(1 / lo, hi)), ...bare.map((x) => x * 1.05)));
  const edge = (x) => Math.min(lim, Math.max(1 / lim, x));
  // never more than 40% of the width, so the plot area never gets a negative width on a narrow page
  const marginLeft = Math.min(320, 0.45 * width, 8 + 6.2 * Math.max(10, ...shown.map((d) => String(d[y]).length)));
  return Plot.plot({
    width, height: Math.max(MIN_CHART_HEIGHT, 40 + 22 * shown.length), marginLeft,
    ariaLabel: title, ariaDescription: `For each comparison, the adjusted ratio of the group to the reference with its 95% interval, on a log scale where 1 is parity; the band 0.80 to 1.25 is shaded; a ratio beyond ${(1 / lim).toFixed(2)} to ${lim.toFixed(2)} is a triangle at the edge and an interval beyond it runs to the edge.`,
    x: {type: "log", domain: [1 / lim, lim], label: title, tickFormat: (x) => x.toFixed(2)},
    y: {label: null, domain: shown.map((d) => d[y])},
    color: {domain: Object.keys(verdictColour), range: Object.values(verdictColour), legend: true},
    marks: [
      // labels too long for the margin end in "…" (the full label is its tooltip) instead of being cut off
      Plot.axisY({label: null, lineWidth: (marginLeft - 12) / 6, textOverflow: "ellipsis-middle"}),
      Plot.rectX([0], {x1: 0.8, x2: 1.25, fill: "#EEEEEE"}),
      Plot.ruleX([1], {stroke: "#3D3D3D"}),
      // an interval open at one end (e.g. no reference event: up to infinity) runs to the edge
      Plot.ruleY(shown.filter((d) => d.ci_low !== null && d.ci_low !== undefined), {y: y, x1: (d) => Math.max(d.ci_low, 1 / lim), x2: (d) => Math.min(d.ci_high ?? Infinity, lim), stroke: "verdict", strokeWidth: 2}),
      // a point beyond the edge is never drawn as if it were at the edge: a triangle says "beyond"
      Plot.dot(shown.filter((d) => d.ratio_adjusted <= lim && d.ratio_adjusted >= 1 / lim), {y: y, x: "ratio_adjusted", fill: "verdict", r: 4, title: (d) => d.sentence}),
      Plot.dot(shown.filter((d) => d.ratio_adjusted > lim || d.ratio_adjusted < 1 / lim), {y: y, x: (d) => edge(d.ratio_adjusted), fill: "verdict", r: 5, symbol: "triangle", title: (d) => `ratio ${d.ratio_adjusted.toFixed(2)}, beyond the axis. ${d.sentence}`}),
      Plot.dot(shown.filter((d) => d.ratio_unadjusted), {y: y, x: (d) => edge(d.ratio_unadjusted), stroke: "#3D3D3D", fill: "none", r: 3, symbol: "diamond", title: (d) => `unadjusted ${d.ratio_unadjusted?.toFixed(2)}`})
    ]
  });
}

/** Team-by-month persistence: each month's adjusted ratio on a diverging scale centred on parity. */
export function persistence(rows, {width: pageWidth, label = "Adjusted ratio"}) {
  const width = plotWidth(pageWidth);
  const data = rows.filter((d) => d.ratio !== null && d.ratio > 0);
  if (!data.length) return noRows(`${label} month by month`, "no month has a ratio to chart.");
  return Plot.plot({
    width, height: Math.max(MIN_CHART_HEIGHT, 40 + 24 * new Set(data.map((d) => d.row)).size), marginLeft: 220,
    ariaLabel: `${label} month by month`, ariaDescription: `A row per team and measure, a column per month; orange above parity, blue below, white at parity.`,
    x: {type: "band", label: null, tickFormat: (p) => p.slice(2)}, y: {label: null},
    color: {type: "log", scheme: "rdbu", reverse: true, domain: [0.5, 2], pivot: 1, legend: true, label, tickFormat: (x) => x.toFixed(2)},
    marks: [Plot.cell(data, {x: "period", y: "row", fill: "ratio", inset: 0.5, title: (d) => `${d.row}, ${monthName(d.period)}: ${d.ratio.toFixed(2)}`})]
  });
}

/**
 * Plot names each mark's <g> with aria-label ("line", "dot", ...) but gives it no role, and ARIA
 * prohibits a name on an element without one (axe: aria-prohibited-attr). SVG-AAM maps a named <g>
 * to the group role, so say so explicitly.
 */
export function groupRoles(chart) {
  chart.querySelectorAll?.("svg g[aria-label]:not([role])").forEach((g) => g.setAttribute("role", "group"));
  return chart;
}

/** A chart with its caption and text alternative. */
export function figure(chart, {caption, alternative}) {
  return html`<figure>${groupRoles(chart)}<figcaption>${caption}</figcaption>${alternative ? html`<details><summary>Text alternative</summary>${alternative}</details>` : ""}</figure>`;
}
