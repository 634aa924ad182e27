/**
 * An attacker reads only a public build's files, builds every linear relation between the counts
 * of people they publish (teams add up to services and services to the employer; ethnic groups
 * add up to the headcount) and bounds every withheld cell, and every sum of withheld cells, by
 * linear programming (test/support/attacker.ts, HiGHS). A range that narrows a group to fewer
 * than min_group_size people fails the test. Run on the shipped sample and on simulated
 * employers of different shapes; the attacker itself is shown to find what the public build
 * gave away before the public layer existed (test/fixtures/leaky-public).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { auditWorkspace, runAll } from "../../app/workflow.ts";
import { queryRows, openDb } from "../../core/db.ts";
import type { Workspace } from "../../core/workspace.ts";
import { ingest } from "../../loaders/ingest.ts";
import { generateEmployer, type SampleOptions } from "../../loaders/sample/generator.ts";
import { writeCsvFolder } from "../../loaders/sample/write.ts";
import { buildSite } from "../../bin/site.ts";
import { attack, cellsFromLeakyBuild, cellsFromPublicBuild } from "../support/attacker.ts";
import { ROOT, tempDir, tempWorkspace } from "../support/helpers.ts";

const MIN = 10;

/** Load, run, audit and build the public site of a workspace; return the site folder. */
async function publicBuild(ws: Workspace, returns: string): Promise<string> {
  const s = await ingest(ws, [returns]);
  if (s.status !== "accepted") throw new Error(`refused: ${JSON.stringify(s.problems.slice(0, 3))}`);
  await runAll(ws);
  await auditWorkspace(ws, { resamples: 999 });
  const out = join(tempDir(), "site");
  await buildSite(ws, { public: true, out });
  return out;
}

/** A generated employer, its staff edited by `edit`, written as a CSV return. */
async function generated(opts: SampleOptions, edit?: (staff: Record<string, unknown>[], workerMonth: Record<string, unknown>[]) => void): Promise<string> {
  const employer = generateEmployer({ months: 24, ...opts });
  edit?.(employer.tables.staff as Record<string, unknown>[], employer.tables.worker_month as Record<string, unknown>[]);
  const dir = join(tempDir(), "returns");
  await writeCsvFolder(employer, dir);
  return dir;
}

/** Every text file of a built site, concatenated (for searching it). */
function siteText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(json|html|js|csv)$/.test(f)) out.push(readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out.join("\n");
}

describe("the attacker", () => {
  it("finds what the public build gave away before the public layer (the leaky fixture)", async () => {
    const findings = await attack(cellsFromLeakyBuild(join(ROOT, "test", "fixtures", "leaky-public")), MIN);
    expect(findings.length).toBeGreaterThan(10);
    expect(findings.some((f) => /service Children in Care: White minorities \+ Not known/.test(f.description) && f.lo === 6 && f.hi === 6)).toBe(true);
  });
});

describe("the shipped sample's public build", () => {
  let ws: Workspace;
  let site: string;
  beforeAll(async () => {
    ws = tempWorkspace("Northshire (sample)");
    site = await publicBuild(ws, join(ROOT, "data", "sample", "returns"));
  }, 300_000);

  it("lets no withheld count be worked out or narrowed below the minimum", async () => {
    const cells = cellsFromPublicBuild(site);
    expect(cells.filter((c) => c.value !== null).length).toBeGreaterThan(100);
    expect(cells.some((c) => c.value === null)).toBe(true);
    expect(await attack(cells, MIN)).toEqual([]);
  });

  it("holds no worker id, case ref or health-check free text, and no published count under the minimum", async () => {
    const text = siteText(site);
    const db = await openDb(ws.dbPath, { readOnly: true });
    try {
      const ids = (await queryRows<{ v: string }>(db.conn, `SELECT DISTINCT worker_id AS v FROM worker_month UNION SELECT DISTINCT case_ref FROM case_month`)).map((r) => r.v);
      for (const id of ids) expect(text.includes(`"${id}"`), id).toBe(false);
      const notes = (await queryRows<{ v: string }>(db.conn, `SELECT DISTINCT v FROM (SELECT notes AS v FROM health_check UNION SELECT disagreement FROM health_check UNION SELECT next_step FROM health_check) WHERE length(v) > 12`)).map((r) => r.v);
      expect(notes.length).toBeGreaterThan(0);
      for (const n of notes) expect(text.includes(n), n).toBe(false);
    } finally {
      db.close();
    }
    for (const c of cellsFromPublicBuild(site)) if (c.value !== null) expect(c.value === 0 || c.value >= MIN, JSON.stringify(c)).toBe(true);
  });
});

/** Simulated employers of different shapes. */
const SHAPES: { name: string; opts: SampleOptions; edit?: (staff: Record<string, unknown>[], wm: Record<string, unknown>[]) => void }[] = [
  {
    name: "a small employer: 2 services, 3 teams, about 30 workers",
    opts: { seed: 11, teams: [{ service: "Safeguarding and Support", team: "North", size: 12 }, { service: "Safeguarding and Support", team: "South", size: 9 }, { service: "Children in Care", team: "Care", size: 10 }] },
  },
  {
    name: "many small teams (5 to 9 workers)",
    opts: { seed: 12, teams: [5, 6, 7, 8, 9, 7].map((size, i) => ({ service: i < 3 ? "Safeguarding and Support" : "First Response", team: `Small ${i + 1}`, size })) },
  },
  {
    name: "a team with one ethnic-minority worker",
    opts: { seed: 13, ethnicMinorityShare: 0.3 },
    edit: (staff, wm) => {
      const team = String(wm[0]!.team);
      const inTeam = new Set(wm.filter((r) => r.team === team).map((r) => String(r.worker_id)));
      let kept = 0;
      for (const s of staff) {
        if (!inTeam.has(String(s.worker_id))) continue;
        const code = String(s.ethnicity ?? "");
        const minority = code !== "" && !/^W/.test(code) && !/^(NOBT|REFU)$/.test(code) && !/white|prefer|not/i.test(code);
        if (minority && kept++ > 0) s.ethnicity = "WBRI";
      }
    },
  },
  {
    name: "a service whose ethnicity is entirely Not known",
    opts: { seed: 14 },
    edit: (staff, wm) => {
      const service = String(wm[0]!.service);
      const inService = new Set(wm.filter((r) => r.service === service).map((r) => String(r.worker_id)));
      for (const s of staff) if (inService.has(String(s.worker_id))) s.ethnicity = "";
    },
  },
  { name: "a larger employer (400 workers)", opts: { seed: 15, workers: 400 } },
];

describe.each(SHAPES)("a simulated employer: $name", ({ opts, edit }) => {
  it("lets no withheld count be worked out or narrowed below the minimum", async () => {
    const site = await publicBuild(tempWorkspace("Simulated"), await generated(opts, edit));
    const cells = cellsFromPublicBuild(site);
    expect(cells.length).toBeGreaterThan(20);
    expect(await attack(cells, MIN)).toEqual([]);
  }, 300_000);
});
