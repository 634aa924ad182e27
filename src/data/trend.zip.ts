// Each measure's employer, service and team series with their points and seasonal profiles (mart_series,
// mart_series_points and mart_seasonal_profile, or their pub_ versions in a public build), one file per measure in one
// archive: the Trends and Peaks pages load the measure chosen (FileAttachment("data/trend/referrals.json")), not every
// measure at once. Points and profiles are columnar, with the encodings of series-sql.ts.
import { SERIES_MEASURES } from "../../pipelines/measures.ts";
import { columnar, rowsOf } from "./mart.ts";
import { POINT_FIELDS, POINT_MONTHS, POINT_RUNS, POINTS_TABLE, pointsSql, PROFILE_TABLE, SEASONAL_FIELDS, SEASONAL_RUNS, SERIES_COLUMNS, SERIES_TABLE, seasonalSql } from "./series-sql.ts";
import { zip } from "./zip.ts";

const series = await rowsOf(SERIES_TABLE, `SELECT ${SERIES_COLUMNS} FROM ${SERIES_TABLE} WHERE level <> 'worker' ORDER BY series_id`);
const points = await rowsOf(POINTS_TABLE, pointsSql("true"));
const seasonal = await rowsOf(PROFILE_TABLE, seasonalSql("true"));
const measureOf = new Map(series.map((s) => [s.series_id, s.measure]));
const files = SERIES_MEASURES.map(({ measure }) => ({
  name: `${measure}.json`,
  data: JSON.stringify({
    measure,
    series: series.filter((s) => s.measure === measure),
    points: columnar(points.filter((p) => measureOf.get(p.series_id) === measure), POINT_FIELDS, POINT_RUNS, POINT_MONTHS),
    seasonal: columnar(seasonal.filter((p) => measureOf.get(p.series_id) === measure), SEASONAL_FIELDS, SEASONAL_RUNS),
  }),
}));
process.stdout.write(zip(files));
