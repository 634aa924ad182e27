// The measure catalogue: label, unit, which direction is good, definition (ref_measures, or pub_measures in a public build).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_measures" : "ref_measures";
emit(await rowsOf(table, `SELECT * FROM ${table}`));
