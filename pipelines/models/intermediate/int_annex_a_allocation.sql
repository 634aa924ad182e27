-- model: int_annex_a_allocation
-- grain: one row per Annex A allocation (a child on one of Lists 3 to 9 with an allocated worker): the list's complexity markers and score, and the allocated worker's ethnic group and role (internal only)
-- key: list, sheet_row
-- materialized: table
-- relationships: list, sheet_row -> stg_annex_a_allocation
-- The complexity score (docs/census-and-annex-a.md, "The Annex A complexity score") counts the
-- objective markers the child's list carries, each 1 when the list says so and 0 otherwise
-- (a blank is 0):
--   every list: the child has a disability;
--   List 3 referrals: two or more referrals in the last 12 months (a repeat referral);
--   List 4 assessments: assessed as needing children's social care support;
--   List 5 section 47: two or more section 47 enquiries in 12 months; the ICPC led to a plan;
--   List 6 children in need: primary need N1, abuse or neglect;
--   List 7 child protection plans: a previous plan; an emergency protection order or police
--     protection in the last six months;
--   List 8 children looked after: unaccompanied asylum-seeking; a court order (legal status C1,
--     C2, D1, E1, J1-J3, L1-L3, not accommodation under section 20 or short breaks); three or more
--     placements in 12 months; missing from placement in 12 months; a second period of care in 12 months;
--   List 9 care leavers: not in touch (or refusing contact); unsuitable accommodation; not in
--     education, employment or training (activity G4, G5, G6).
-- Lists carry different markers, so scores are compared within a list (the audit holds the list
-- fixed). The worker's group is their staff record through the worker key map ('Not mapped'
-- without one); their role is their role in the latest census that has them (case holder, senior
-- practitioner...), else in the latest monthly return, else 'Role not known'.
WITH a AS (
  SELECT * FROM stg_annex_a_allocation
),
snapshot AS (
  -- the month the lists describe: the latest start date they carry (Lists 3 to 8)
  SELECT strftime(coalesce(max(start_date), (SELECT max(reference_date) FROM stg_census_la), current_date), '%Y-%m') AS annex_month FROM a
),
census_role AS (
  SELECT worker_id, arg_max(role, census_year) AS role FROM int_census_worker GROUP BY worker_id
),
monthly_role AS (
  SELECT worker_id, arg_max(role, period) AS role FROM int_worker_month GROUP BY worker_id
),
marked AS (
  SELECT
    a.list, a.list_name, a.sheet_row, a.child_ref, coalesce(a.team, 'Team not given') AS team, a.worker_ref, a.worker_id,
    coalesce(a.disability, false) AS m_disability,
    a.list = 3 AND coalesce(a.referrals_12m >= 2, false) AS m_repeat_referral,
    a.list = 4 AND coalesce(a.assessment_needs_support, false) AS m_needs_support,
    a.list = 5 AND coalesce(a.s47_12m >= 2, false) AS m_repeat_s47,
    a.list = 5 AND coalesce(a.icpc_led_to_plan, false) AS m_plan_from_icpc,
    a.list = 6 AND coalesce(a.primary_need_code = 'N1', false) AS m_abuse_or_neglect,
    a.list = 7 AND coalesce(a.previous_cpps >= 1, false) AS m_previous_plan,
    a.list = 7 AND coalesce(a.emergency_protection_6m, false) AS m_emergency_protection,
    a.list = 8 AND coalesce(a.uasc, false) AS m_uasc,
    a.list = 8 AND coalesce(a.legal_status_code IN ('C1', 'C2', 'D1', 'E1', 'J1', 'J2', 'J3', 'L1', 'L2', 'L3'), false) AS m_court_order,
    a.list = 8 AND coalesce(a.placements_12m >= 3, false) AS m_placement_moves,
    a.list = 8 AND coalesce(a.missing_episodes_12m >= 1, false) AS m_missing,
    a.list = 8 AND coalesce(a.second_period_12m, false) AS m_returned_to_care,
    a.list = 9 AND coalesce(a.in_touch_code IN ('NO', 'REFU'), false) AS m_not_in_touch,
    a.list = 9 AND coalesce(a.accommodation_suitable = false, false) AS m_unsuitable_accommodation,
    a.list = 9 AND coalesce(a.activity_code IN ('G4', 'G5', 'G6'), false) AS m_neet,
    CASE a.list WHEN 3 THEN 2 WHEN 4 THEN 2 WHEN 5 THEN 3 WHEN 6 THEN 2 WHEN 7 THEN 3 WHEN 8 THEN 6 WHEN 9 THEN 4 END AS markers_on_list
  FROM a
)
SELECT
  m.list, 'List ' || m.list AS list_label, m.list_name, m.sheet_row, m.child_ref, m.team, m.worker_ref, m.worker_id,
  s.annex_month,
  CASE WHEN m.worker_id IS NULL THEN 'Not mapped' ELSE coalesce(st.reporting_group, 'Not known') END AS reporting_group,
  CASE WHEN m.worker_id IS NULL THEN 'Not mapped' ELSE coalesce(st.ons_group, 'Not known') END AS ons_group,
  coalesce(c.role, w.role, 'Role not known') AS role,
  m.m_disability, m.m_repeat_referral, m.m_needs_support, m.m_repeat_s47, m.m_plan_from_icpc, m.m_abuse_or_neglect,
  m.m_previous_plan, m.m_emergency_protection, m.m_uasc, m.m_court_order, m.m_placement_moves, m.m_missing,
  m.m_returned_to_care, m.m_not_in_touch, m.m_unsuitable_accommodation, m.m_neet,
  CAST(m.m_disability AS INTEGER) + CAST(m.m_repeat_referral AS INTEGER) + CAST(m.m_needs_support AS INTEGER)
    + CAST(m.m_repeat_s47 AS INTEGER) + CAST(m.m_plan_from_icpc AS INTEGER) + CAST(m.m_abuse_or_neglect AS INTEGER)
    + CAST(m.m_previous_plan AS INTEGER) + CAST(m.m_emergency_protection AS INTEGER) + CAST(m.m_uasc AS INTEGER)
    + CAST(m.m_court_order AS INTEGER) + CAST(m.m_placement_moves AS INTEGER) + CAST(m.m_missing AS INTEGER)
    + CAST(m.m_returned_to_care AS INTEGER) + CAST(m.m_not_in_touch AS INTEGER) + CAST(m.m_unsuitable_accommodation AS INTEGER)
    + CAST(m.m_neet AS INTEGER) AS complexity_score,
  m.markers_on_list
FROM marked m
CROSS JOIN snapshot s
LEFT JOIN stg_staff st ON st.worker_id = m.worker_id
LEFT JOIN census_role c ON c.worker_id = m.worker_id
LEFT JOIN monthly_role w ON w.worker_id = m.worker_id
