// About this build: employer, public or internal, the latest month, when it was built.
import { PUBLIC, config, emit, rowsOf } from "./mart.ts";

const [latest] = await rowsOf("mart_headlines", `SELECT max(period) AS period FROM mart_headlines`);
const { employer, min_group_size, reference_group } = config();
emit({ employer, min_group_size, reference_group, public: PUBLIC, latest_period: latest?.period ?? null, built_at: new Date().toISOString().slice(0, 16).replace("T", " ") });
