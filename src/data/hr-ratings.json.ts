// Appraisal ratings by cycle and group: mart_hr_rating_distribution, or pub_hr_rating_distribution in a public build (withheld cells empty).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_hr_rating_distribution", `SELECT cycle, rating, rating_rank, "group", appraisals, share, withheld FROM pub_hr_rating_distribution ORDER BY cycle, rating_rank, "group"`)
  : await rowsOf("mart_hr_rating_distribution", `SELECT cycle, rating, rating_rank, "group", appraisals, share, false AS withheld FROM mart_hr_rating_distribution ORDER BY cycle, rating_rank, "group"`));
