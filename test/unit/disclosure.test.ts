/** pipelines/disclosure.ts: the rule, the frame's relations and the protected pattern. */
import { describe, expect, it } from "vitest";
import { cellKey, discloses, type FrameCell, frameRelations, protect, restsOnEnough } from "../../pipelines/disclosure.ts";

const P = "2026-09";
const cell = (level: FrameCell["level"], service: string | null, team: string | null, group: string, count: number): FrameCell => ({ period: P, level, service, team, group, count });
const key = (level: FrameCell["level"], service: string | null, team: string | null, group: string) => cellKey({ period: P, level, service, team, group });

describe("the rule", () => {
  it("a figure rests on enough people only when every cell it is computed from does", () => {
    expect(restsOnEnough([10, 25], 10)).toBe(true);
    expect(restsOnEnough([9, 25], 10)).toBe(false);
    expect(restsOnEnough([10, null], 10)).toBe(false);
    expect(restsOnEnough([], 10)).toBe(false);
  });

  it("a range discloses when it is narrow and can be small, not when it proves 0 or a large group", () => {
    expect(discloses(6, 6, 10)).toBe(true);
    expect(discloses(0, 8, 10)).toBe(true);
    expect(discloses(5, 14, 10)).toBe(true);
    expect(discloses(0, 0, 10)).toBe(false);
    expect(discloses(15, 15, 10)).toBe(false);
    expect(discloses(0, 15, 10)).toBe(false);
  });
});

describe("protect", () => {
  it("withholds a small team and enough others that neither it nor their sum can be worked out", async () => {
    const cells = [cell("service", "S", null, "All", 40), cell("team", "S", "A", "All", 4), cell("team", "S", "B", "All", 12), cell("team", "S", "C", "All", 24)];
    const r = await protect(cells, frameRelations(cells), 10);
    expect(r.primary).toBe(1);
    expect(r.withheld.has(key("team", "S", "A", "All"))).toBe(true);
    // A alone would be 40 - 12 - 24; with B withheld too, A + B = 16 and each ranges over [0, 16]
    expect(r.withheld.has(key("team", "S", "B", "All"))).toBe(true);
    expect(r.withheld.has(key("team", "S", "C", "All"))).toBe(false);
  });

  it("withholds more when the withheld parts of a known total add up to fewer than the minimum (the issue's example)", async () => {
    const cells = [cell("service", "S", null, "All", 32), cell("service", "S", null, "Ethnic minorities", 10), cell("service", "S", null, "White British", 16), cell("service", "S", null, "White minorities", 4), cell("service", "S", null, "Not known", 2)];
    const r = await protect(cells, frameRelations(cells), 10);
    // 4 + 2 = 6 would be known: the smallest published group goes too
    expect(r.withheld.has(key("service", "S", null, "Ethnic minorities"))).toBe(true);
    expect(r.withheld.has(key("service", "S", null, "White British"))).toBe(false);
  });

  it("repairs by linear programming what one relation at a time misses (a loop across teams and groups)", async () => {
    // two teams x two groups + the teams' totals and the service's: each relation has two withheld
    // cells, yet the service's group totals pin them unless another cell goes
    const cells = [
      cell("service", "S", null, "All", 60), cell("team", "S", "A", "All", 30), cell("team", "S", "B", "All", 30),
      cell("service", "S", null, "Ethnic minorities", 7), cell("team", "S", "A", "Ethnic minorities", 3), cell("team", "S", "B", "Ethnic minorities", 4),
      cell("service", "S", null, "White British", 53), cell("team", "S", "A", "White British", 27), cell("team", "S", "B", "White British", 26),
      cell("service", "S", null, "White minorities", 0), cell("team", "S", "A", "White minorities", 0), cell("team", "S", "B", "White minorities", 0),
      cell("service", "S", null, "Not known", 0), cell("team", "S", "A", "Not known", 0), cell("team", "S", "B", "Not known", 0),
    ];
    const r = await protect(cells, frameRelations(cells), 10);
    expect(r.lps).toBeGreaterThan(0);
    // the service's ethnic-minority total (7) is small: withheld, and nothing pins it
    expect(r.withheld.has(key("service", "S", null, "Ethnic minorities"))).toBe(true);
    expect(r.withheld.has(key("team", "S", "A", "Ethnic minorities"))).toBe(true);
  });

  it("is deterministic", async () => {
    const cells = [cell("service", "S", null, "All", 40), cell("team", "S", "A", "All", 4), cell("team", "S", "B", "All", 12), cell("team", "S", "C", "All", 12), cell("team", "S", "D", "All", 12)];
    const a = await protect(cells, frameRelations(cells), 10);
    const b = await protect([...cells].reverse(), frameRelations([...cells].reverse()), 10);
    expect([...a.withheld].sort()).toEqual([...b.withheld].sort());
  });
});
