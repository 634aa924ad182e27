-- model: stg_annex_a_allocation
-- grain: one row per child per Annex A list row with an allocated worker (Lists 3 to 9)
-- key: list, sheet_row
-- materialized: view
-- The annex_a_allocation source (a view that carries worker_id through the worker key map;
-- docs/census-and-annex-a.md): the columns the analysis uses, renamed and cast, nothing else.
SELECT
  CAST(list AS INTEGER) AS list,
  list_name,
  CAST(sheet_row AS INTEGER) AS sheet_row,
  child_ref,
  team,
  worker_ref,
  worker_id,
  disability,
  coalesce(referral_date, assessment_start_date, s47_start_date, cin_start_date, cpp_start_date, cla_start_date) AS start_date,
  CAST(referrals_12m AS INTEGER) AS referrals_12m,
  assessment_needs_support,
  icpc_led_to_plan,
  CAST(s47_12m AS INTEGER) AS s47_12m,
  primary_need_code,
  CAST(previous_cpps AS INTEGER) AS previous_cpps,
  emergency_protection_6m,
  uasc,
  second_period_12m,
  legal_status_code,
  CAST(placements_12m AS INTEGER) AS placements_12m,
  CAST(missing_episodes_12m AS INTEGER) AS missing_episodes_12m,
  in_touch_code,
  accommodation_suitable,
  activity_code
FROM annex_a_allocation
