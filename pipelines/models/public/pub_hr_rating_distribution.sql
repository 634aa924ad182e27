-- model: pub_hr_rating_distribution
-- grain: one row per appraisal cycle ('All cycles' too), rating ('All ratings' too) and group of mart_hr_rating_distribution: appraisals and share where a public build may show them
-- key: cycle, rating, group
-- materialized: table
-- built by: audit
-- The counts are pub_hr_cells' (frame 'ratings': the window's, every cycle together, protected with
-- the relations a reader knows: groups add up to All, ratings to All ratings); a share only where
-- both its count and the group's total are published. Single cycles are not published (their
-- cells adding up to the window's would force most cells to be withheld).
WITH c AS (
  SELECT split_part(row, ' | ', 1) AS cycle, split_part(row, ' | ', 2) AS rating, "group", count, withheld
  FROM pub_hr_cells WHERE frame = 'ratings'
)
SELECT d.cycle, d.rating, d.rating_rank, d."group",
  c.count AS appraisals,
  CASE WHEN c.count IS NOT NULL AND t.count IS NOT NULL AND t.count > 0 THEN c.count / t.count END AS share,
  coalesce(c.withheld, true) AS withheld
FROM mart_hr_rating_distribution d
LEFT JOIN c ON c.cycle = d.cycle AND c.rating = d.rating AND c."group" = d."group"
LEFT JOIN c t ON t.cycle = d.cycle AND t.rating = 'All ratings' AND t."group" = d."group"
