/**
 * `fairload series FILE.csv --date COL --value COL`: read any monthly or annual series from a
 * CSV (with DuckDB, so BOMs, quoting and odd delimiters are handled) and analyse it.
 */
import { existsSync } from "node:fs";
import { openDb, queryRows, quoteIdent, quoteLit } from "../core/db.ts";
import { UserError } from "../core/errors.ts";
import { type SeriesAnalysis, analyseSeries, describeSeries } from "./stats/analyze.ts";

export interface SeriesFileOptions {
  date: string;
  value: string;
  period: 12 | 1;
  higherIs?: "better" | "worse" | "neutral";
  /** COL=VALUE pairs: keep only rows where the column equals the value. */
  filters: string[];
  target?: number;
  /** Fix an XmR chart's mean and limits from the first N points (at least 12); not used when the series trends. */
  baseline?: number;
}

export async function analyseSeriesFile(file: string, opts: SeriesFileOptions): Promise<{ analysis: SeriesAnalysis; sentence: string }> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const db = await openDb(":memory:");
  try {
    const src = `read_csv(${quoteLit(file)}, header = true, all_varchar = true)`;
    let cols: string[];
    try {
      cols = (await queryRows<{ column_name: string }>(db.conn, `DESCRIBE SELECT * FROM ${src}`)).map((c) => c.column_name);
    } catch (e) {
      throw new UserError(`${file}: could not be read as CSV (${String((e as Error).message).split("\n")[0]})`);
    }
    for (const c of [opts.date, opts.value, ...opts.filters.map((f) => f.split("=")[0])]) {
      if (!cols.includes(c)) throw new UserError(`${file}: no column "${c}"; columns: ${cols.join(", ")}`);
    }
    const where = opts.filters.map((f) => {
      const i = f.indexOf("=");
      if (i < 1) throw new UserError(`--filter expects COLUMN=VALUE, got "${f}"`);
      return `${quoteIdent(f.slice(0, i))} = ${quoteLit(f.slice(i + 1))}`;
    });
    const rows = await queryRows<{ d: string; v: string | null }>(
      db.conn,
      `SELECT trim(${quoteIdent(opts.date)}) AS d, trim(${quoteIdent(opts.value)}) AS v FROM ${src} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
    );
    if (rows.length === 0) throw new UserError(`${file}: no rows${where.length ? " match the filters" : ""}`);
    const dates: string[] = [];
    const values: (number | null)[] = [];
    rows.forEach((r, i) => {
      const d = normaliseDate(r.d, opts.period);
      if (!d) throw new UserError(`${file}, row ${i + 2}, column ${opts.date}: got ${JSON.stringify(r.d)}; expected ${opts.period === 12 ? "a month (YYYY-MM or a date)" : "a year (YYYY)"}`);
      const v = r.v === null || r.v === "" ? null : Number(r.v.replace(/,/g, ""));
      if (v !== null && !Number.isFinite(v)) {
        if (/^(c|x|z|u|low|:|\.\.|n\/a|na)$/i.test(r.v!)) values.push(null);
        else throw new UserError(`${file}, row ${i + 2}, column ${opts.value}: got ${JSON.stringify(r.v)}; expected a number (or a suppression code such as c, x, z, u, low)`);
      } else values.push(v);
      dates.push(d);
    });
    let analysis: SeriesAnalysis;
    try {
      analysis = analyseSeries({ dates, values, period: opts.period, higherIs: opts.higherIs, target: opts.target, baseline: opts.baseline });
    } catch (e) {
      if (e instanceof RangeError) throw new UserError(`${file}: ${e.message}${/appears twice/.test(e.message) ? " (add --filter to pick one series)" : ""}`);
      throw e;
    }
    return { analysis, sentence: describeSeries(analysis, opts.value) };
  } finally {
    db.close();
  }
}

/** YYYY-MM from YYYY-MM, YYYY-MM-DD, DD/MM/YYYY or YYYYMM (monthly); YYYY from YYYY or YYYY/YY (annual). */
export function normaliseDate(raw: string, period: 12 | 1): string | null {
  const s = raw.trim();
  if (period === 1) {
    const m = /^(\d{4})(?:[/-]\d{2,4})?$/.exec(s);
    return m ? m[1] : null;
  }
  let m = /^(\d{4})-(\d{1,2})(?:-\d{1,2})?$/.exec(s);
  if (m) return valid(m[1], m[2]);
  m = /^\d{1,2}\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return valid(m[2], m[1]);
  m = /^(\d{4})(\d{2})$/.exec(s);
  if (m) return valid(m[1], m[2]);
  return null;
}

function valid(y: string, mo: string): string | null {
  const n = Number(mo);
  return n >= 1 && n <= 12 ? `${y}-${String(n).padStart(2, "0")}` : null;
}

/** A readable report of one analysis. */
export function formatSeriesReport(a: SeriesAnalysis, sentence: string): string {
  const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined ? "-" : x.toFixed(d));
  const lines = [sentence, "", `${a.n} points (${a.first} to ${a.last}), ${a.n_observed} observed${a.missing.length ? `, missing: ${a.missing.join(", ")}` : ""}`, `Status: ${a.status}`];
  const t = a.trend;
  if (t.mk) lines.push(`Trend: Mann-Kendall S=${t.mk.s}, z=${f(t.mk.z)}, p=${t.mk.p.toPrecision(3)}, tau=${f(t.mk.tau, 3)} (Hamed-Rao correction x${f(t.mk.correction_factor)}${t.deseasonalised ? ", deseasonalised" : ""}) -> ${t.direction}`);
  if (t.sen) lines.push(`Sen's slope: ${f(t.sen.slope_per_year, 3)} a year (95% CI ${f(t.sen.ci_low_per_year, 3)} to ${f(t.sen.ci_high_per_year, 3)})${t.pct_per_year !== null ? `, ${f(t.pct_per_year, 1)}% of the mean level a year` : ""}`);
  if (t.seasonal_mk) lines.push(`Seasonal Mann-Kendall: S=${t.seasonal_mk.s}, z=${f(t.seasonal_mk.z)}, p=${t.seasonal_mk.p.toPrecision(3)}; seasonal Sen slope ${f(t.seasonal_sen?.slope_per_year ?? null, 3)} a year`);
  lines.push(`Seasonality: ${a.seasonal.status}${a.seasonal.strength !== null ? ` (strength ${f(a.seasonal.strength)})` : ""}`);
  if (a.seasonal.indices.length) lines.push(`  index by month: ${a.seasonal.indices.map((m) => `${m.month}:${f(m.index, 1)}`).join(" ")}`);
  if (a.peaks.length) lines.push(`Peaks: ${a.peaks.map((p) => p.date).join(", ")}`);
  if (a.troughs.length) lines.push(`Troughs: ${a.troughs.map((p) => p.date).join(", ")}`);
  lines.push(`Level shifts: ${a.changepoints.points.length ? a.changepoints.points.map((c) => `${c.date} (${c.direction}, ${f(c.before)} -> ${f(c.after)})`).join(", ") : a.changepoints.status === "ok" ? "none" : a.changepoints.status}`);
  if (a.spc.status === "ok") {
    const centre = a.spc.slope === null ? "mean" : "trend at the latest point";
    lines.push(`Control chart (${a.spc.kind}, ${a.spc.on}): ${centre} ${f(a.spc.mean)}, limits ${f(a.spc.lcl)} to ${f(a.spc.ucl)}; ${a.spc.signals.length} special-cause point${a.spc.signals.length === 1 ? "" : "s"} in ${a.spc.special_causes} special cause${a.spc.special_causes === 1 ? "" : "s"}; ${a.spc.variation}${a.spc.assurance ? `; assurance: ${a.spc.assurance}` : ""}`);
    lines.push(`  ${a.spc.caption}`);
    for (const s of a.spc.signals.slice(-12)) lines.push(`  ${s.date}: ${s.rule.replace(/_/g, " ")}${s.special_cause ? ` (${s.special_cause})` : ""}`);
  } else lines.push(`Control chart: ${a.spc.status}`);
  return lines.join("\n");
}
