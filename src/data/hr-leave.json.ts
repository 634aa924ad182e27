// Leave taken, carried over and paid in lieu by leave year, team and group: mart_hr_leave, or pub_hr_leave in a public build (employer and teams; withheld cells empty).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_leave", `SELECT leave_year, level, service, team, "group", workers, share_taken, carried_over_per_fte, paid_in_lieu_per_fte, carried_over_per_worker, withheld FROM pub_hr_leave ORDER BY leave_year, level, service NULLS FIRST, team NULLS FIRST, "group"`)
  : await rowsOf("mart_hr_leave", `SELECT leave_year, level, service, team, "group", workers, share_taken, carried_over_per_fte, paid_in_lieu_per_fte, carried_over_per_worker, false AS withheld FROM mart_hr_leave ORDER BY leave_year, level, service NULLS FIRST, team NULLS FIRST, "group"`));
