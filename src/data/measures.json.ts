// The measure catalogue: label, unit, which direction is good, definition (ref_measures).
import { emit, rowsOf } from "./mart.ts";

emit(await rowsOf("ref_measures", `SELECT * FROM ref_measures`));
