// Colours. Categorical: the UK Government Analysis Function palette (colour-blind-safe order).
// Control-chart meanings follow NHS "Making Data Count": blue improvement, orange concern,
// purple neutral special cause, grey common cause.
export const categorical = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"];
export const cause = {i: "#1F77B4", c: "#F46A25", n: "#801650", none: "#707070"};
export const causeLabel = {i: "special cause: improvement", c: "special cause: concern", n: "special cause: neutral", none: "common cause"};
export const ruleLabel = {o: "a point outside the limits", t: "a run of 7 rising or falling", "2": "2 of 3 close to a limit", s: "7 on one side of the mean"};
export const verdictColour = {
  "adverse disparity": "#F46A25",
  "favourable disparity": "#12436D",
  "possible disparity: watch": "#A285D1",
  "no evidence of disparity": "#28A197",
  "too few to tell": "#9E9E9E",
  suppressed: "#D0D0D0"
};
// Month names come from the pipeline's own calendar (core/calendar.ts, written here by the prebuild).
import {MONTH_ABBREVIATIONS, MONTH_NAMES, monthName as calendarMonthName} from "./calendar.js";
export {MONTH_NAMES};
export const MONTHS = MONTH_ABBREVIATIONS;
export function monthName(period) {
  return period ? calendarMonthName(String(period)) : "";
}
