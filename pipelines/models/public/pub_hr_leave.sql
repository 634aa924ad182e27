-- model: pub_hr_leave
-- grain: one row per leave year and team (group 'All'), and per leave year and group at the employer, of mart_hr_leave: leave taken, carried over and paid in lieu where a public build may show them
-- key: leave_year, level, service?, team?, group
-- materialized: table
-- built by: audit
-- A figure about a team or group's leave rests on its workers: published only where pub_hr_cells
-- publishes that count (frame 'leave': cells under the minimum withheld, and more until no
-- withheld count, or sum of withheld counts, can be worked out from the published ones; the days
-- of a withheld cell are hidden with it). Services are not published (a third way of adding up),
-- nor a team's workers by group (teams are small: nearly every such cell is under the minimum).
SELECT l.leave_year, l.level, l.service, l.team, l."group",
  c.count AS workers,
  CASE WHEN c.count IS NOT NULL THEN l.share_taken END AS share_taken,
  CASE WHEN c.count IS NOT NULL THEN l.carried_over_per_fte END AS carried_over_per_fte,
  CASE WHEN c.count IS NOT NULL THEN l.paid_in_lieu_per_fte END AS paid_in_lieu_per_fte,
  CASE WHEN c.count IS NOT NULL THEN l.carried_over_per_worker END AS carried_over_per_worker,
  c.count IS NULL AS withheld
FROM mart_hr_leave l
LEFT JOIN pub_hr_cells c
  ON c.frame = 'leave' AND c.table_id = CAST(l.leave_year AS VARCHAR) AND c."group" = l."group"
 AND c.row = CASE WHEN l.level = 'employer' THEN 'All teams' ELSE l.service || ' / ' || l.team END
WHERE l.level = 'employer' OR (l.level = 'team' AND l."group" = 'All')
