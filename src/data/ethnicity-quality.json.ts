// Share of workers whose ethnicity is Not known, per scope: fairness_data_quality, or pub_data_quality in a public build (counts from pub_population).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_data_quality", `SELECT level AS scope, service, team, period, workers, not_known, share_not_known, withheld AS suppressed FROM pub_data_quality ORDER BY scope, service, team`)
  : await rowsOf("fairness_data_quality", `SELECT * FROM fairness_data_quality ORDER BY scope, service, team`));
