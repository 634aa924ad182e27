/**
 * The workforce census reader as pure functions: safe XML (no DTD, no entities), every year's
 * layout 2021-2025 from an independent writer (test/support/csww-writer.ts) with its variants
 * (namespace prefix, BOM, CRLF, no declaration, padded text), refusals naming record and element,
 * data-quality queries that do not refuse, and the keyed-hash pseudonyms.
 */
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../core/errors.ts";
import { canonicalValue, pseudonymiser, workspaceSecret } from "../../core/pseudonym.ts";
import { isCensusTree, parseXsDate, readCensus } from "../../loaders/census/parse.ts";
import { XmlRefused, decodeXml, parseXml } from "../../loaders/census/xml.ts";
import { billionLaughsXml, censusXml, type FixtureWorker, fixtureWorkers, xxeXml } from "../support/csww-writer.ts";

const pseudo = pseudonymiser(Buffer.alloc(32, 7));
const read = (xml: string, name = "census.xml") => readCensus(parseXml(decodeXml(Buffer.from(xml, "utf8"))), name, pseudo, { today: new Date("2025-11-01") });
const problemText = (r: { problems: Parameters<typeof formatProblem>[0][] }) => r.problems.map(formatProblem).join("\n");

describe("safe XML", () => {
  it("refuses a DOCTYPE (XXE) at once, without reading the entity's target", () => {
    const t0 = performance.now();
    expect(() => parseXml(xxeXml())).toThrow(XmlRefused);
    expect(() => parseXml(xxeXml())).toThrow(/declares a DTD/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("refuses billion laughs quickly, before any expansion", () => {
    const t0 = performance.now();
    expect(() => parseXml(billionLaughsXml())).toThrow(/declares a DTD/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("refuses an undefined entity and malformed XML with a plain message and the line", () => {
    expect(() => parseXml("<Message>\n<A>&lol;</A></Message>")).toThrow(/entity reference that is not one of XML's own five/);
    try {
      parseXml("<Message>\n<A>1</B></Message>");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(XmlRefused);
      expect((e as XmlRefused).message).toMatch(/^not well-formed XML \(/);
      expect((e as XmlRefused).line).toBe(2);
    }
    expect(() => parseXml("")).toThrow(/not well-formed XML \(document must contain a root element\)/);
  });

  it("keeps the five predefined entities and character references, drops prefixes, reads CDATA", () => {
    const root = parseXml(`<x:Message xmlns:x="u"><x:A>a &amp; b &#65;</x:A><B><![CDATA[c < d]]></B></x:Message>`);
    expect(root.name).toBe("Message");
    expect(root.children.map((c) => [c.name, c.text])).toEqual([["A", "a & b A"], ["B", "c < d"]]);
  });

  it("decodes UTF-8 with and without BOM, UTF-16 with BOM and declared Latin-1; refuses invalid UTF-8", () => {
    const xml = `<?xml version="1.0"?><Message><A>é</A></Message>`;
    expect(decodeXml(Buffer.from(`\uFEFF${xml}`, "utf8"))).toBe(xml);
    expect(decodeXml(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, "utf16le")]))).toBe(xml);
    const latin = `<?xml version="1.0" encoding="ISO-8859-1"?><Message><A>é</A></Message>`;
    expect(parseXml(decodeXml(Buffer.from(latin, "latin1"))).children[0]!.text).toBe("é");
    expect(() => decodeXml(Buffer.from([0x3c, 0x41, 0x3e, 0xff, 0x3c, 0x2f, 0x41, 0x3e]))).toThrow(/not valid UTF-8/);
    expect(() => decodeXml(Buffer.from(`<?xml version="1.0" encoding="EBCDIC"?><A/>`))).toThrow(/does not read/);
  });
});

describe("census returns of every year", () => {
  const cases: { year: number; n: number; variant: Partial<Parameters<typeof censusXml>[0]> }[] = [
    { year: 2021, n: 23, variant: {} },
    { year: 2022, n: 31, variant: { prefix: "csww" } },
    { year: 2023, n: 17, variant: { bom: true, crlf: true } },
    { year: 2024, n: 40, variant: { noDeclaration: true, padded: true } },
    { year: 2025, n: 28, variant: { prefix: "d", bom: true, crlf: true } },
  ];
  for (const c of cases) {
    it(`${c.year}: exact worker count, codes with labels, ${JSON.stringify(c.variant)}`, () => {
      const workers = fixtureWorkers(c.year, c.n);
      const r = read(censusXml({ year: c.year, workers, lea: "213", ...c.variant }));
      expect(problemText(r)).toBe("");
      const rows = r.rows!;
      expect(rows.censusYear).toBe(c.year);
      expect(rows.laCode).toBe("213");
      expect(rows.referenceDate).toBe(`${c.year}-09-30`);
      expect(rows.census_worker).toHaveLength(c.n);
      expect(rows.staff).toHaveLength(c.n);
      expect(new Set(rows.census_worker.map((w) => w.worker_id)).size).toBe(c.n);
      const w0 = rows.census_worker[0]!;
      expect(w0).toMatchObject({ la_code: "213", census_year: c.year, record: 1, agency: false, fte: 1, role_code: "5", role_label: "Case holder", qual_level_code: "1", qual_level_label: "Undergraduate" });
      expect(String(w0.worker_id)).toMatch(/^cw_[0-9a-f]{20}$/);
      // every agency worker flagged
      expect(rows.census_worker.filter((w) => w.agency === true)).toHaveLength(workers.filter((w) => w.agency === 1).length);
      // leavers: end date and reason with label; FTE at 30 September 0
      const leaver = rows.census_worker[3]!;
      expect(leaver.role_end_date).toBe(workers[3]!.roleEnd);
      expect(leaver.reason_leave_label).toBeTruthy();
      expect(leaver.fte30).toBe(0);
      // ethnicity and sex go to staff
      expect(rows.staff[3]).toMatchObject({ ethnicity: workers[3]!.ethnicity });
      const gender = rows.staff[1]!.gender;
      expect(gender).toBe(c.year >= 2024 ? "Female" : "Female");
      if (c.year >= 2025) {
        expect(w0.base_salary).toBe(38000);
        expect(w0.rr_payments).toBe(1500);
        expect(rows.census_la[0]).toMatchObject({ recruitment_bonus: 1, retention_bonus: 2, performance_award: 0, other_allowances: "Market supplement for hard-to-fill posts" });
      } else {
        expect(w0.base_salary).toBeNull();
        expect(rows.census_la[0]!.recruitment_bonus).toBeNull();
      }
      expect(rows.census_la[0]).toMatchObject({ vacancies: 4.5, agency_fte: 3, agency_headcount: 3, workers: c.n });
    });
  }

  it("the same SWE number gives the same worker id every year, and other spellings of it too", () => {
    const a = read(censusXml({ year: 2023, workers: fixtureWorkers(2023, 5) })).rows!;
    const b = read(censusXml({ year: 2024, workers: fixtureWorkers(2024, 5).map((w) => ({ ...w, swe: ` ${w.swe.toLowerCase()} ` })) })).rows!;
    expect(b.census_worker.map((w) => w.worker_id)).toEqual(a.census_worker.map((w) => w.worker_id));
    expect(canonicalValue("swe", "sw 0000012345")).toBe("SW12345");
  });

  it("an older return that omits every optional element still loads (ethnicity Not known, fields empty)", () => {
    const r = read(censusXml({ year: 2017, workers: [{ swe: "SW0000000042", agency: 0 }, { swe: "SW0000000043", agency: 1 }] }));
    expect(problemText(r)).toBe("");
    expect(r.rows!.census_worker.map((w) => [w.agency, w.fte, w.role_code, w.cases30])).toEqual([[false, null, null, null], [true, null, null, null]]);
    expect(r.rows!.staff.map((s) => s.ethnicity)).toEqual(["NOBT", "NOBT"]);
    expect(r.rows!.data_quality_queries.map((q) => q.element)).toEqual(["OrgRole", "OrgRole"]);
  });

  it("GenderCurrent: 1 male, 2 female; 0 and 9 are not known (no gender in staff)", () => {
    const ws = fixtureWorkers(2022, 5);
    const r = read(censusXml({ year: 2022, workers: ws })).rows!;
    expect(r.staff.map((s) => s.gender)).toEqual(["Male", "Female", "Female", null, null]);
    expect(r.staff.map((s) => s.sex_code)).toEqual(["1", "2", "2", "0", "9"]);
  });

  it("is recognised by its content; another XML document is not a census", () => {
    expect(isCensusTree(parseXml(censusXml({ year: 2024, workers: fixtureWorkers(2024, 1) })))).toBe(true);
    expect(isCensusTree(parseXml(`<Message><Header/></Message>`))).toBe(false);
    expect(isCensusTree(parseXml(`<rss><channel/></rss>`))).toBe(false);
    const r = read(`<Message><Header><CollectionDetails><Collection>CIN</Collection></CollectionDetails></Header><CSWWWorker/></Message>`);
    expect(problemText(r)).toMatch(/this is a CIN return, not a children's social work workforce census/);
  });
});

describe("refusals name the worker record and the element", () => {
  const one = (patch: Partial<FixtureWorker>, year = 2024) => {
    const workers = fixtureWorkers(year, 3);
    workers[1] = { ...workers[1]!, ...patch };
    return read(censusXml({ year, workers }));
  };

  it("a wrong code", () => {
    const r = one({ ethnicity: "WXYZ" });
    expect(r.rows).toBeUndefined();
    expect(problemText(r)).toMatch(/^census\.xml, worker record 2 \(line \d+\), element Ethnicity: got "WXYZ"; expected a DfE ethnicity main code: one of the codes WBRI, /);
    expect(problemText(one({ orgRole: "7" }))).toMatch(/worker record 2 .*element OrgRole: got "7"; expected organisational role: one of the codes 1, 2, 3, 4, 5 or 6/);
    expect(problemText(one({ sex: "X" }))).toMatch(/element Sex: got "X"; expected sex: one of the codes M or F/);
    expect(problemText(one({ gender: "3" }, 2023))).toMatch(/element GenderCurrent: got "3"/);
    expect(problemText(one({ reasonAbsence: "HOL", absent: "1" }))).toMatch(/element ReasonAbsence: got "HOL"/);
  });

  it("an FTE outside 0 to 1, a malformed date, a negative count", () => {
    expect(problemText(one({ fte: "1.200000" }))).toMatch(/worker record 2 .*element FTE: got "1.200000"; expected a full-time equivalent from 0 to 1/);
    expect(problemText(one({ fte30: "-0.5" }))).toMatch(/element FTE30: got "-0.5"/);
    expect(problemText(one({ roleStart: "31/02/2020" }))).toMatch(/element RoleStartDate: got "31\/02\/2020"; expected a date as YYYY-MM-DD/);
    expect(problemText(one({ roleStart: "2020-02-30" }))).toMatch(/element RoleStartDate: got "2020-02-30"/);
    expect(problemText(one({ cases30: "-3" }))).toMatch(/element Cases30: got "-3"/);
  });

  it("an SWE number is never shown, whether malformed or duplicated", () => {
    const bad = one({ swe: "SWX123" });
    expect(problemText(bad)).toMatch(/worker record 2 .*element SWENo: expected an SWE registration number/);
    expect(problemText(bad)).not.toMatch(/SWX123/);
    const workers = fixtureWorkers(2024, 3);
    workers[2]!.swe = workers[0]!.swe;
    const dup = read(censusXml({ year: 2024, workers }));
    expect(problemText(dup)).toMatch(/worker record 3 .*element SWENo: expected one record per worker: worker record 1 has the same SWE registration number/);
    expect(problemText(dup)).not.toContain(workers[0]!.swe);
  });

  it("a date of birth is never read: a malformed one does not refuse and is not shown", () => {
    const r = one({ dob: "not a date at all" });
    expect(r.problems).toEqual([]);
    expect(JSON.stringify(r.rows)).not.toContain("not a date at all");
    expect(JSON.stringify(r.rows)).not.toContain(fixtureWorkers(2024, 3)[0]!.dob);
  });

  it("a missing SWE number, agency flag or authority code; a missing year and reference date", () => {
    expect(problemText(one({ swe: "" }))).toMatch(/element SWENo: the worker's Social Work England registration number is required/);
    const noLea = censusXml({ year: 2024, workers: fixtureWorkers(2024, 2) }).replace(/<LEA>999<\/LEA>/, "");
    expect(problemText(read(noLea))).toMatch(/element Header\/Source\/LEA: the authority's 3-digit local authority code \(LEA\) is required/);
    const noYear = censusXml({ year: 2024, workers: fixtureWorkers(2024, 2) }).replace(/<Year>2024<\/Year>/, "").replace(/<ReferenceDate>[^<]*<\/ReferenceDate>/, "");
    expect(problemText(read(noYear))).toMatch(/the census Year or ReferenceDate is required/);
  });

  it("lists every problem, up to the cap, and counts them all", () => {
    const workers = fixtureWorkers(2024, 80).map((w) => ({ ...w, fte: "2.000000" }));
    const r = readCensus(parseXml(censusXml({ year: 2024, workers })), "c.xml", pseudo, { cap: 10 });
    expect(r.problems).toHaveLength(10);
    expect(r.total).toBe(80);
  });
});

describe("data-quality queries are accepted, not refused", () => {
  it("cases held with FTE 0, a role end date after the reference date, a year that disagrees with its reference date", () => {
    const workers = fixtureWorkers(2024, 4);
    workers[0] = { ...workers[0]!, fte30: "0.000000", cases30: "12" };
    workers[1] = { ...workers[1]!, roleEnd: "2024-12-01", reasonLeave: "1" };
    const r = read(censusXml({ year: 2024, referenceDate: "2023-09-30", workers }));
    expect(r.problems).toEqual([]);
    const q = r.rows!.data_quality_queries.map((x) => `${x.location} ${x.element}: ${x.query}`);
    expect(q).toContain("return ReferenceDate: the census year 2024 disagrees with the reference date 2023-09-30 (expected 30 September of the census year); the year 2024 is used");
    expect(q).toContain("worker record 1 Cases30: cases held at 30 September (12) with FTE 0");
    expect(q.some((s) => s.startsWith("worker record 2 RoleEndDate: role end date 2024-12-01 is after the reference date 2023-09-30"))).toBe(true);
    expect(r.rows!.censusYear).toBe(2024);
    expect(r.rows!.data_quality_queries.every((x) => x.source === "csww" && x.scope === "999/2024")).toBe(true);
  });

  it("a clean return raises none; an unknown element is a note", () => {
    const workers = fixtureWorkers(2025, 6);
    workers[0]!.extra = [["FavouriteColour", "blue"]];
    const r = read(censusXml({ year: 2025, workers }));
    expect(r.rows!.data_quality_queries).toEqual([]);
    expect(r.notes.join()).toMatch(/not recognised in worker records, ignored: FavouriteColour/);
  });
});

describe("xs:date", () => {
  it("accepts dates, time zones and dateTimes; refuses impossible dates", () => {
    expect(parseXsDate("2024-09-30")).toBe("2024-09-30");
    expect(parseXsDate("2024-09-30Z")).toBe("2024-09-30");
    expect(parseXsDate("2024-09-30+01:00")).toBe("2024-09-30");
    expect(parseXsDate("2024-09-30T00:00:00")).toBe("2024-09-30");
    expect(parseXsDate("2024-02-30")).toBeUndefined();
    expect(parseXsDate("30/09/2024")).toBeUndefined();
  });
});

describe("the keyed hash", () => {
  it("is keyed: another key gives other ids; kinds never collide; the key file is 0600 and stable", () => {
    const other = pseudonymiser(Buffer.alloc(32, 8));
    expect(pseudo.id("swe", "SW0000012345")).not.toBe(other.id("swe", "SW0000012345"));
    expect(pseudo.id("swe", "SW0000012345")).toBe(pseudo.id("swe", "sw12345"));
    expect(pseudo.id("worker_source", "12345")).not.toBe(pseudo.id("child", "12345"));
    expect(pseudo.id("worker_source", "Jane  SMITH ")).toBe(pseudo.id("worker_source", "jane smith"));
    const dir = mkdtempSync(join(tmpdir(), "fairload-key-"));
    const k1 = workspaceSecret(dir);
    expect(k1).toHaveLength(32);
    expect(statSync(join(dir, "pseudonym.key")).mode & 0o777).toBe(0o600);
    expect(workspaceSecret(dir).equals(k1)).toBe(true);
  });
});
