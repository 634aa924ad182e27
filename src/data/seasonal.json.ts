// Seasonal index (% of a typical month) by calendar month for every employer, service and team series (mart_seasonal_profile), columnar.
import { columnar, emit, publicMeasureFilter, rowsOf } from "./mart.ts";

emit(columnar(await rowsOf("mart_seasonal_profile", `SELECT p.series_id, p.month, round(p.seasonal_pct, 1) AS pct,
    CASE WHEN p.is_peak THEN 'p' WHEN p.is_trough THEN 't' END AS mark
  FROM mart_seasonal_profile p JOIN mart_series s USING (series_id) WHERE s.level <> 'worker' AND ${publicMeasureFilter("s.measure")} ORDER BY p.series_id, p.month`), ["series_id", "month", "pct", "mark"]));
