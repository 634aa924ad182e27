// Relative likelihood of a senior role by group, with the DfE national figure (fairness_representation); counts withheld when small in a public build.
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const rows = await rowsOf("fairness_representation", `SELECT * FROM fairness_representation ORDER BY scope, service, "group"`);
emit(PUBLIC ? rows.map((r) => (r.suppressed ? { ...r, group_senior: null, group_total: null, reference_senior: null, reference_total: null, relative_likelihood: null, ci_low: null, ci_high: null, within_conventional_band: null } : r)) : rows);
