// Relative likelihood of a senior role by group, with the DfE national figure: fairness_representation, or pub_representation in a public build (no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

const table = PUBLIC ? "pub_representation" : "fairness_representation";
emit(await rowsOf(table, `SELECT * FROM ${table} ORDER BY scope, service, "group"`));
