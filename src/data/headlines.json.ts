// Latest month per level, service, team and measure, with its change and ceiling (mart_headlines).
import { dropSmallTeams, emit, publicMeasureFilter, rowsOf, teamHeadcounts } from "./mart.ts";

emit(dropSmallTeams(await rowsOf("mart_headlines", `SELECT * FROM mart_headlines WHERE ${publicMeasureFilter()} ORDER BY level, service, team, measure`), await teamHeadcounts()));
