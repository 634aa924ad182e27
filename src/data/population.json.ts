// The workforce by ethnic group at the latest month, per scope (pub_population: the public layer's frame, withheld cells empty). The same in both builds.
import { emit, rowsOf } from "./mart.ts";

emit(await rowsOf("pub_population", `SELECT period, level, service, team, "group", workers FROM pub_population
  WHERE period = (SELECT max(period) FROM pub_population) ORDER BY level, service NULLS FIRST, team NULLS FIRST, "group"`));
