/**
 * Observable Framework 1.13.4 configuration for the fairload site, set up to
 * build and run with no network at all (see docs/offline-site.md):
 *
 * - `globalStylesheets: []` drops the default Google Fonts stylesheet
 *   (fonts.googleapis.com) and with it the fonts.gstatic.com preconnect link;
 *   the theme falls back to local serif/sans-serif fonts.
 * - `footer` replaces the default footer, which links to observablehq.com.
 * - `head` declares an empty inline favicon so browsers do not request
 *   /favicon.ico (a 404 on a static host, and a stray request offline).
 * - npm imports (Plot, d3, Inputs' htl/isoformat, d3-dsv for CSV, apache-arrow)
 *   are served from `src/.observablehq/cache/_npm/`, filled from node_modules by
 *   `bin/prebuild-site.ts`, which must run before `observable build`/`preview`.
 * - Telemetry is disabled unless the caller explicitly set the variable: Framework
 *   reads `OBSERVABLE_TELEMETRY_DISABLE` when it first records an event, which
 *   happens after this file is loaded. Setting it in the environment is still
 *   the documented way (`OBSERVABLE_TELEMETRY_DISABLE=true`).
 * - `output` can be redirected with `FAIRLOAD_SITE_OUTPUT` (Framework 1.13.4's
 *   `observable build` has no `--output` flag); the offline test uses this.
 */
process.env.OBSERVABLE_TELEMETRY_DISABLE ??= "true";

/** The subset of Framework's config options this project sets (Framework ships no types). */
interface FrameworkConfig {
  root: string;
  output: string;
  title: string;
  globalStylesheets: string[];
  style: string;
  footer: string;
  head: string;
  search: boolean;
  pager: boolean;
  pages: ({ name: string; path: string } | { name: string; open?: boolean; pages: { name: string; path: string }[] })[];
}

/** Site configuration read by `observable build` / `observable preview`. */
const config: FrameworkConfig = {
  root: "src",
  output: process.env.FAIRLOAD_SITE_OUTPUT ?? "dist",
  title: "fairload",
  globalStylesheets: [],
  style: "style.css",
  pager: false,
  pages: [
    { name: "Overview", path: "/" },
    { name: "Trends", path: "/trends" },
    { name: "Peaks and troughs", path: "/peaks" },
    { name: "Fairness", path: "/fairness" },
    { name: "From the census and Annex A", path: "/census" },
    { name: "Recognition and progression", path: "/recognition" },
    { name: "Caseload reviews", path: "/reviews" },
    { name: "Caseload safety", path: "/caseload" },
    { name: "Health check", path: "/health-check" },
    { name: "National benchmark", path: "/benchmark" },
    { name: "Data quality", path: "/data-quality" },
    { name: "About the data", path: "/about" },
    { name: "Board paper", path: "/board-paper" },
    {
      name: "Notebooks",
      open: true,
      pages: [
        { name: "Writing a notebook", path: "/notebooks/" },
        { name: "This month's report", path: "/notebooks/this-month" },
        { name: "Investigating one team", path: "/notebooks/one-team" },
      ],
    },
  ],
  footer: "fairload: workload returns, trends and fairness audit. Built offline with Observable Framework.",
  head: '<link rel="icon" href="data:,">',
  search: false,
};

export default config;
