// Monthly values with control-chart limits and signals for every employer, service and team series (mart_series_points, or pub_series_points in a public build), columnar.
// Codes keep the file small: cause i(mprovement) c(oncern) n(eutral); rule o(utside limits) t(rend) 2(-in-3) s(hift);
// mark p(eak) t(rough) s(level shift). adj: the seasonally adjusted value (what a chart on it judges); seg: the control chart's segment.
import { PUBLIC, columnar, emit, rowsOf } from "./mart.ts";

const points = PUBLIC ? "pub_series_points" : "mart_series_points";
const series = PUBLIC ? "pub_series" : "mart_series";
const rows = await rowsOf(points, `SELECT p.series_id, p.period, p.value, p.deseasonalised AS adj, p.spc_mean AS mean, p.spc_ucl AS ucl, p.spc_lcl AS lcl, p.spc_segment AS seg,
    CASE p.special_cause WHEN 'improvement' THEN 'i' WHEN 'concern' THEN 'c' WHEN 'neutral' THEN 'n' END AS cause,
    CASE p.spc_rule WHEN 'outside_limits' THEN 'o' WHEN 'trend' THEN 't' WHEN 'two_in_three' THEN '2' WHEN 'shift' THEN 's' END AS rule,
    nullif(concat(CASE WHEN p.is_peak THEN 'p' ELSE '' END, CASE WHEN p.is_trough THEN 't' ELSE '' END, CASE WHEN p.is_level_shift THEN 's' ELSE '' END), '') AS mark
  FROM ${points} p JOIN ${series} s USING (series_id)
  WHERE s.level <> 'worker' ORDER BY p.series_id, p.period`);
emit(columnar(rows, ["series_id", "period", "value", "adj", "mean", "ucl", "lcl", "seg", "cause", "rule", "mark"]));
