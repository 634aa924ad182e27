-- model: pub_annex_a_complexity
-- grain: one row per Annex A list, team ('All teams') and allocated worker's ethnic group, every cell of the grid: the mean complexity score of the children allocated, where published, without counts
-- key: list, team, group
-- materialized: table
-- A cell's mean rests on its workers (and their children): published where pub_census_cells (frame
-- 'annex a workers') publishes the cell; the ratio to the reference needs the reference's cell too.
WITH cells AS (
  SELECT * FROM pub_census_cells WHERE frame = 'annex a workers'
)
SELECT
  c.row AS list, lists.list_name, c.team, c."group",
  CASE WHEN NOT c.withheld THEN m.mean_score END AS mean_score,
  CASE WHEN NOT c.withheld THEN m.share_with_a_marker END AS share_with_a_marker,
  lists.markers_on_list,
  cfg.reference_group,
  CASE WHEN NOT c.withheld AND NOT r.withheld THEN m.ratio_to_reference END AS ratio_to_reference,
  c.withheld
FROM cells c
CROSS JOIN cfg_census_reference cfg
LEFT JOIN cells r ON r.row = c.row AND r.team = c.team AND r."group" = cfg.reference_group
LEFT JOIN mart_annex_a_complexity m ON m.list = c.row AND m.team = c.team AND m."group" = c."group"
LEFT JOIN (SELECT list, max(list_name) AS list_name, max(markers_on_list) AS markers_on_list FROM mart_annex_a_complexity GROUP BY list) lists ON lists.list = c.row
