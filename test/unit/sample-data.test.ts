/** The sample returns shipped in data/sample/ are exactly what the seeded generator writes, and load cleanly. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { makeSample, SAMPLE_DIR } from "../../bin/make-sample.ts";
import { ingest } from "../../loaders/ingest.ts";
import { currentCounts, tempDir, tempWorkspace } from "../support/helpers.ts";

describe("shipped sample returns", () => {
  it("come from the generator, byte for byte (CSV) and cell for cell (xlsx)", async () => {
    const dir = tempDir();
    await makeSample(dir);
    for (const f of readdirSync(join(SAMPLE_DIR, "returns"))) {
      expect(readFileSync(join(dir, "returns", f)).equals(readFileSync(join(SAMPLE_DIR, "returns", f))), f).toBe(true);
    }
    const cells = async (file: string) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(file);
      return wb.worksheets.map((w) => ({ name: w.name, rows: w.getSheetValues().map((r) => JSON.stringify(r)) }));
    };
    expect(await cells(join(dir, "one-month-return.xlsx"))).toEqual(await cells(join(SAMPLE_DIR, "one-month-return.xlsx")));
  });

  it("load with exact row counts, and a second load is a no-op", async () => {
    const ws = tempWorkspace();
    const lines = (t: string) => readFileSync(join(SAMPLE_DIR, "returns", `${t}.csv`), "utf8").trimEnd().split("\n").length - 1;
    const s = await ingest(ws, [join(SAMPLE_DIR, "returns")]);
    expect(s.status).toBe("accepted");
    const counts = await currentCounts(ws);
    for (const t of Object.keys(counts)) expect(counts[t], t).toBe(lines(t));
    expect((await ingest(ws, [join(SAMPLE_DIR, "returns")])).status).toBe("unchanged");
    // the one-month workbook, a resubmission of the last month, replaces that month and nothing else
    const x = await ingest(ws, [join(SAMPLE_DIR, "one-month-return.xlsx")]);
    expect(x.status).toBe("accepted");
    expect(await currentCounts(ws)).toEqual(counts);
  });
});
