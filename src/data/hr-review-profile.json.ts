// Requesters' caseload and points per FTE month by month around a review request, and their colleagues': mart_hr_review_profile (internal only: a public build shows the before-and-after means instead).
import { emit, internalOnly } from "./mart.ts";

emit(await internalOnly("mart_hr_review_profile", `SELECT measure, subset, "offset", requests, workers, mean, colleagues_mean FROM mart_hr_review_profile ORDER BY measure, subset, "offset"`));
