// Each measure's employer, service and team series with their points and seasonal profiles (mart_series,
// mart_series_points and mart_seasonal_profile, or their pub_ versions in a public build), two files per measure in one
// archive, so that a page loads the measure chosen, not every measure at once, and only as much of it as it shows:
// - <measure>-overview.json, what the Trends and Peaks pages show of a measure: every series of it (employer, service and
//   team rows), the employer's and services' points in full with their seasonal profiles, and the teams' points with
//   only what the teams' small multiples and the unusual months need (period, value, cause and rule; the other point
//   columns are null, and run-length encode to nothing);
// - <measure>-teams.json, the teams' series, their points in full and their seasonal profiles, which the Trends page
//   loads when a team is chosen (FileAttachment("data/trend/referrals-teams.json")), and the team notebook (alone) for
//   its control chart.
// Points and profiles are columnar, with the encodings of series-sql.ts.
import { SERIES_MEASURES } from "../../pipelines/measures.ts";
import { columnar, type Row, rowsOf } from "./mart.ts";
import { POINT_FIELDS, POINT_MONTHS, POINT_RUNS, POINTS_TABLE, pointsSql, PROFILE_TABLE, SEASONAL_FIELDS, SEASONAL_RUNS, SERIES_COLUMNS, SERIES_TABLE, seasonalSql } from "./series-sql.ts";
import { zip } from "./zip.ts";

const series = await rowsOf(SERIES_TABLE, `SELECT ${SERIES_COLUMNS} FROM ${SERIES_TABLE} WHERE level <> 'worker' ORDER BY series_id`);
const points = await rowsOf(POINTS_TABLE, pointsSql("true"));
const seasonal = await rowsOf(PROFILE_TABLE, seasonalSql("true"));
const measureOf = new Map(series.map((s) => [s.series_id, s.measure]));
const isTeam = new Set(series.filter((s) => s.level === "team").map((s) => s.series_id));
/** What the overview keeps of a team's point: the small multiples' period and value, the unusual months' cause and rule. */
const OVERVIEW_TEAM_FIELDS = new Set(["series_id", "period", "value", "cause", "rule"]);
const slim = (p: Row): Row => Object.fromEntries(POINT_FIELDS.map((f) => [f, OVERVIEW_TEAM_FIELDS.has(f) ? p[f] : null]));
const pointsOf = (rows: Row[]) => columnar(rows, POINT_FIELDS, POINT_RUNS, POINT_MONTHS);
const seasonalOf = (rows: Row[]) => columnar(rows, SEASONAL_FIELDS, SEASONAL_RUNS);

const files = SERIES_MEASURES.flatMap(({ measure }) => {
  const mine = (p: Row) => measureOf.get(p.series_id) === measure;
  const measurePoints = points.filter(mine);
  const measureSeasonal = seasonal.filter(mine);
  const top = (p: Row) => !isTeam.has(p.series_id);
  const team = (p: Row) => isTeam.has(p.series_id);
  return [
    {
      // the teams' points after the employer's and services', so that their empty columns make one run each
      name: `${measure}-overview.json`,
      data: JSON.stringify({
        measure,
        series: series.filter(mine),
        points: pointsOf([...measurePoints.filter(top), ...measurePoints.filter(team).map(slim)]),
        seasonal: seasonalOf(measureSeasonal.filter(top)),
      }),
    },
    {
      name: `${measure}-teams.json`,
      data: JSON.stringify({ measure, series: series.filter((x) => mine(x) && isTeam.has(x.series_id)), points: pointsOf(measurePoints.filter(team)), seasonal: seasonalOf(measureSeasonal.filter(team)) }),
    },
  ];
});
process.stdout.write(zip(files));
