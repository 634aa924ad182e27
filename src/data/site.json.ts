// About this build: employer, public or internal, the latest month, when it was built.
import { PUBLIC, config, emit, rowsOf } from "./mart.ts";

const [latest] = await rowsOf("mart_headlines", `SELECT max(period) AS period FROM mart_headlines`);
emit({ ...config(), public: PUBLIC, latest_period: latest?.period ?? null, built_at: new Date().toISOString().slice(0, 16).replace("T", " ") });
