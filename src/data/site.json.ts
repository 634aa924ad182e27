// About this build: employer, public or internal, the latest month, when it was built.
import { PUBLIC, config, emit, rowsOf } from "./mart.ts";

const headlines = PUBLIC ? "pub_headlines" : "mart_headlines";
const [latest] = await rowsOf(headlines, `SELECT max(period) AS period FROM ${headlines}`);
const { employer, min_group_size, reference_group, analysis_plan } = config();
emit({ employer, min_group_size, reference_group, primary_measures: analysis_plan.primary_measures, adjust: analysis_plan.adjust, alpha: analysis_plan.alpha, public: PUBLIC, latest_period: latest?.period ?? null, built_at: new Date().toISOString().slice(0, 16).replace("T", " ") });
