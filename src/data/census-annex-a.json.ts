// Annex A: the mean complexity score of the children allocated, by list, team and the allocated worker's group: mart_annex_a_complexity, or pub_annex_a_complexity in a public build (withheld cells empty, no counts).
import { PUBLIC, emit, rowsOf } from "./mart.ts";

emit(PUBLIC
  ? await rowsOf("pub_annex_a_complexity", `SELECT list, list_name, team, "group", mean_score, share_with_a_marker, markers_on_list, ratio_to_reference, reference_group, withheld FROM pub_annex_a_complexity ORDER BY list, team, "group"`)
  : await rowsOf("mart_annex_a_complexity", `SELECT list, list_name, team, "group", allocations, workers, mean_score, share_with_a_marker, markers_on_list, ratio_to_reference, reference_group FROM mart_annex_a_complexity ORDER BY list, team, "group"`));
