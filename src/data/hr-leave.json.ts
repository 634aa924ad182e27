// Leave taken, carried over and paid in lieu by leave year: the employer by group and each team (all groups together), what the Recognition page shows; mart_hr_leave, or pub_hr_leave in a public build (withheld cells empty). Shares to 4 decimals, days to 2.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const cols = (workers: string, withheld: string) => `leave_year, level, service, team, "group", ${workers}, round(share_taken, 4) AS share_taken, round(carried_over_per_fte, 2) AS carried_over_per_fte, round(paid_in_lieu_per_fte, 2) AS paid_in_lieu_per_fte, round(carried_over_per_worker, 2) AS carried_over_per_worker, ${withheld}`;
const order = `ORDER BY leave_year, level, service NULLS FIRST, team NULLS FIRST, "group"`;
emit(PUBLIC
  ? await rowsOf("pub_hr_leave", `SELECT ${cols("workers", "withheld")} FROM pub_hr_leave ${order}`)
  : await rowsOf("mart_hr_leave", `SELECT ${cols("workers", "false AS withheld")} FROM mart_hr_leave WHERE level = 'employer' OR (level = 'team' AND "group" = 'All') ${order}`));
