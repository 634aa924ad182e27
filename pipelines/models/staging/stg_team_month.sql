-- model: stg_team_month
-- grain: one row per team per month (management data)
-- key: period, service, team
-- materialized: view
SELECT
  period,
  CAST(period || '-01' AS DATE) AS month_start,
  service,
  team,
  establishment_fte,
  vacant_fte,
  agency_fte,
  long_term_absence_fte,
  leavers,
  referrals,
  re_referrals,
  unallocated_cases
FROM team_month
