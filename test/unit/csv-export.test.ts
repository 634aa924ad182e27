/** Every CSV the dashboard offers neutralises formula injection. */
import { describe, expect, it } from "vitest";
// @ts-expect-error plain JS module of the site
import { neutralise, toCsv } from "../../src/components/csv.js";

describe("CSV export", () => {
  it.each([["=1+1"], ["+44 7700"], ["-2+3"], ["@SUM(A1)"], ["\tx"], ["\rx"]])("%j opens as text", (v) => {
    expect(neutralise(v)).toBe(`'${v}`);
  });
  it("leaves ordinary values alone and quotes what CSV needs", () => {
    expect(neutralise("Team A")).toBe("Team A");
    expect(neutralise(12.5)).toBe("12.5");
    expect(neutralise(-0.25)).toBe("-0.25");
    expect(neutralise(null)).toBe("");
    expect(toCsv([{ team: "North, East", note: 'said "no"', f: "=HYPERLINK(\"x\")" }])).toBe(`team,note,f\r\n"North, East","said ""no""","'=HYPERLINK(""x"")"\r\n`);
  });
});
