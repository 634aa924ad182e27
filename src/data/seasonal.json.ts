// Seasonal index (% of a typical month) by calendar month for every employer, service and team series (mart_seasonal_profile, or pub_seasonal_profile in a public build), columnar.
import { PUBLIC, columnar, emit, rowsOf } from "./mart.ts";

const profile = PUBLIC ? "pub_seasonal_profile" : "mart_seasonal_profile";
const series = PUBLIC ? "pub_series" : "mart_series";
emit(columnar(await rowsOf(profile, `SELECT p.series_id, p.month, round(p.seasonal_pct, 1) AS pct,
    CASE WHEN p.is_peak THEN 'p' WHEN p.is_trough THEN 't' END AS mark
  FROM ${profile} p JOIN ${series} s USING (series_id) WHERE s.level <> 'worker' ORDER BY p.series_id, p.month`), ["series_id", "month", "pct", "mark"]));
