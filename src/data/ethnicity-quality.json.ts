// Share of workers whose ethnicity is Not known, per scope (fairness_data_quality); small counts withheld in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const rows = await rowsOf("fairness_data_quality", `SELECT * FROM fairness_data_quality ORDER BY scope, service, team`);
emit(PUBLIC ? rows.map((r) => (r.suppressed ? { ...r, not_known: null, share_not_known: null } : r)) : rows);
