/**
 * core/progress.ts with a fake clock and a fake stream: on a terminal one redrawn bar with counts
 * and the time left; otherwise a first line, a line every few seconds with counts, and a summary
 * line, never the same line twice in a row; nothing with --json.
 */
import { describe, expect, it } from "vitest";
import { LINE_INTERVAL_MS, createProgress, formatDuration, type ProgressStream } from "../../core/progress.ts";

function fake(isTTY: boolean, columns = 200) {
  const writes: string[] = [];
  let t = 0;
  const stream: ProgressStream = { isTTY, columns, write: (s: string) => writes.push(s) };
  return {
    stream,
    writes,
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    /** What a log file would hold: the lines written. */
    lines: () => writes.join("").split("\n").filter((l) => l.length > 0),
  };
}

describe("progress not on a terminal", () => {
  it("prints counts every few seconds and a final summary, instead of the same word again and again", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    // the series engine reports every 200 series; the audit every 25 tests: 480 steps over 48 s
    for (let i = 0; i <= 480; i++) {
      p.step("analysing series", i, 480);
      f.advance(100);
    }
    p.done();
    const lines = f.lines();
    expect(lines[0]).toBe("analysing series 0/480 (0%)");
    expect(lines[1]).toBe("analysing series 50/480 (10%), 5.0 s");
    expect(lines[2]).toBe("analysing series 100/480 (20%), 10 s");
    expect(lines.at(-1)).toBe("analysing series 480/480 (100%), done in 48 s");
    // one line per 5 s of work, plus the first and the summary
    expect(lines.length).toBe(Math.floor(48_100 / LINE_INTERVAL_MS) + 2);
    for (let i = 1; i < lines.length; i++) expect(lines[i]).not.toBe(lines[i - 1]);
  });

  it("never repeats a step that has no counts, however often it is reported", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    for (let i = 0; i < 30; i++) {
      p.step("testing");
      f.advance(1_000);
    }
    p.done();
    expect(f.lines()).toEqual(["testing", "done in 30 s"]);
  });

  it("leaves a finished count to the summary line (the audit's last report is 369/369)", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("testing comparisons", 25, 369);
    f.advance(7_000);
    p.step("testing comparisons", 369, 369);
    p.done();
    expect(f.lines()).toEqual(["testing comparisons 25/369 (6%)", "testing comparisons 369/369 (100%), done in 7.0 s"]);
  });

  it("a quick task of many steps gives its first step and a summary naming the last", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    for (const s of ["reading files", "reading staff.csv", "checking staff.csv", "storing"]) {
      p.step(s);
      f.advance(300);
    }
    p.done();
    expect(f.lines()).toEqual(["reading files", "storing, done in 1.2 s (4 steps)"]);
  });

  it("a slow step of a multi-step task is reported when the interval has passed", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("reading files");
    f.advance(6_000);
    p.step("checking worker_month.csv", 0, 10_000_000);
    f.advance(6_000);
    p.step("checking worker_month.csv", 5_000_000, 10_000_000);
    p.done();
    expect(f.lines()).toEqual([
      "reading files",
      "checking worker_month.csv 0/10,000,000 (0%), 6.0 s",
      "checking worker_month.csv 5,000,000/10,000,000 (50%), 12 s",
      "checking worker_month.csv 5,000,000/10,000,000 (50%), done in 12 s",
    ]);
  });

  it("starts afresh after done(): the demo's ingest, run and audit on one progress", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("analysing series", 0, 10);
    f.advance(2_000);
    p.step("analysing series", 10, 10);
    p.done();
    p.done(); // a second done() says nothing
    f.advance(1_000);
    p.step("testing comparisons", 0, 50);
    f.advance(1_000);
    p.step("testing comparisons", 50, 50);
    p.done();
    expect(f.lines()).toEqual([
      "analysing series 0/10 (0%)",
      "analysing series 10/10 (100%), done in 2.0 s",
      "testing comparisons 0/50 (0%)",
      "testing comparisons 50/50 (100%), done in 1.0 s",
    ]);
  });

  it("writes no escape codes", () => {
    const f = fake(false);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("x", 1, 2);
    p.done();
    expect(f.writes.join("")).not.toMatch(/\x1b|\r/);
  });
});

describe("progress on a terminal", () => {
  it("redraws one line: a bar, counts, elapsed time and the time left, then the summary", () => {
    const f = fake(true);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("analysing series", 0, 480);
    f.advance(12_000);
    p.step("analysing series", 120, 480);
    f.advance(36_000);
    p.step("analysing series", 480, 480);
    p.done();
    const frames = f.writes.join("").split("\r\x1b[2K").filter(Boolean);
    expect(frames).toEqual([
      "[....................] 0/480 (0%) analysing series, 0.0 s",
      "[#####...............] 120/480 (25%) analysing series, 12 s, about 36 s left",
      "[####################] 480/480 (100%) analysing series, 48 s",
      "analysing series 480/480 (100%), done in 48 s\n",
    ]);
    // only the summary ends a line: everything else is redrawn in place
    expect(f.writes.join("").split("\n").length).toBe(2);
  });

  it("redraws at most every 100 ms for the same step", () => {
    const f = fake(true);
    const p = createProgress({ stream: f.stream, now: f.now });
    for (let i = 0; i < 1_000; i++) {
      p.step("testing comparisons", i, 1_000);
      f.advance(1);
    }
    expect(f.writes.length).toBeLessThanOrEqual(11);
  });

  it("fits the line to the terminal's width", () => {
    const f = fake(true, 40);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("checking a file with a very long name indeed.csv", 5, 10);
    expect(f.writes[0]!.replace("\r\x1b[2K", "").length).toBe(39);
  });

  it("takes 100 columns when a pseudo-terminal reports 0", () => {
    const f = fake(true, 0);
    const p = createProgress({ stream: f.stream, now: f.now });
    p.step("analysing series", 5, 10);
    expect(f.writes[0]).toBe("\r\x1b[2K[##########..........] 5/10 (50%) analysing series, 0.0 s");
  });
});

describe("progress with --json", () => {
  it("prints nothing", () => {
    const f = fake(false);
    const p = createProgress({ json: true, stream: f.stream, now: f.now });
    p.step("analysing series", 1, 2);
    p.done();
    expect(f.writes).toEqual([]);
  });
});

describe("formatDuration", () => {
  it("reads naturally", () => {
    expect([400, 9_949, 12_400, 59_400, 185_000, 3_720_000].map(formatDuration)).toEqual(["0.4 s", "9.9 s", "12 s", "59 s", "3 min 05 s", "1 h 02 min"]);
  });
});
