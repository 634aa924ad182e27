/**
 * Hostile files: zip bombs dressed as workbooks are refused before they are unpacked (by the
 * declared sizes in the zip's directory, by the real inflated size when the directory lies, and
 * by the number of entries); files over max_file_mb are refused before they are read; a CSV of
 * 10 million rows streams through bounded memory; file and sheet names with path separators or
 * control characters cannot write outside the workspace; CSV exports neutralise formulas.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createDeflateRaw, crc32, deflateRawSync, inflateRawSync } from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblem } from "../../core/errors.ts";
import { ingest } from "../../loaders/ingest.ts";
import { readZipDirectory } from "../../loaders/sources.ts";
import { initWorkspace, openWorkspace, readLog, type Workspace } from "../../core/workspace.ts";
// @ts-expect-error: a plain JS module of the dashboard, without type declarations
import { neutralise, toCsv } from "../../src/components/csv.js";
import { ROOT, currentCounts, query, runCli, smallReturn, tempDir, tempWorkspace, toCsv as rowsToCsv, writeReturn } from "../support/helpers.ts";

/** Temp folders of this file, removed when it ends (the sample workspaces are tens of MB each). */

interface ZipInput {
  name: string;
  /** The entry's bytes, or chunks to deflate one after another (for entries of hundreds of MB). */
  data: Buffer | { chunk: Buffer; times: number };
  /** Lie in the directory: declare this uncompressed size instead of the real one. */
  declare?: number;
}

/** Deflate an entry as a stream; returns the compressed bytes, real size and CRC-32. */
async function deflateEntry(data: ZipInput["data"]): Promise<{ compressed: Buffer; size: number; crc: number }> {
  if (Buffer.isBuffer(data)) return { compressed: deflateRawSync(data), size: data.length, crc: crc32(data) };
  const z = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  z.on("data", (c: Buffer) => out.push(c));
  let crc = 0;
  for (let i = 0; i < data.times; i++) {
    crc = crc32(data.chunk, crc);
    if (!z.write(data.chunk)) await once(z, "drain");
  }
  z.end();
  await once(z, "end");
  return { compressed: Buffer.concat(out), size: data.chunk.length * data.times, crc };
}

/** A zip file (APPNOTE.TXT local headers, central directory, end record), deflated entries. */
async function makeZip(entries: ZipInput[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const { compressed, size, crc } = await deflateEntry(e.data);
    const name = Buffer.from(e.name, "utf8");
    const declared = e.declare ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(Math.min(declared, 0xfffffffe), 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(compressed.length, 20);
    cd.writeUInt32LE(Math.min(declared, 0xfffffffe), 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + name.length + compressed.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

/** The entries of a zip file, unpacked (for small, trusted test workbooks). */
function unzip(file: string): ZipInput[] {
  const buf = readFileSync(file);
  return readZipDirectory(file).map((e) => {
    const start = e.localHeaderOffset + 30 + buf.readUInt16LE(e.localHeaderOffset + 26) + buf.readUInt16LE(e.localHeaderOffset + 28);
    const raw = buf.subarray(start, start + e.compressedSize);
    return { name: e.name, data: e.method === 8 ? inflateRawSync(raw) : Buffer.from(raw) };
  });
}

/** A workbook whose worker_month sheet is a bomb: `rows` rows of the same repeated cells. */
async function bombWorkbook(rowsPerChunk: number, chunks: number, declare?: number): Promise<Buffer> {
  const row = `<row><c t="inlineStr"><is><t>2025-01</t></is></c><c t="inlineStr"><is><t>W1</t></is></c><c><v>1</v></c></row>`;
  const head = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`);
  return makeZip([
    { name: "[Content_Types].xml", data: Buffer.from(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`) },
    { name: "xl/workbook.xml", data: Buffer.from(`<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="worker_month" sheetId="1"/></sheets></workbook>`) },
    { name: "xl/worksheets/sheet0.xml", data: head },
    { name: "xl/worksheets/sheet1.xml", data: { chunk: Buffer.from(row.repeat(rowsPerChunk)), times: chunks }, declare },
  ]);
}

/** Every file under `dir` with its size and modification time, for "nothing else was written". */
function listTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(relative(dir, p), `${st.size}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

describe("zip bombs are refused before they are unpacked", () => {
  it("a workbook that declares more than max_unpacked_mb (a 300 MB sheet in a small file) is refused by the declared sizes", async () => {
    const ws = tempWorkspace();
    ws.config.max_unpacked_mb = 100;
    const bomb = await bombWorkbook(10_000, 300); // ~300 MB of sheet XML
    expect(bomb.length).toBeLessThan(2 * 1048576);
    const file = join(tempDir(), "returns.xlsx");
    writeFileSync(file, bomb);
    const declared = readZipDirectory(file).reduce((s, e) => s + e.uncompressedSize, 0);
    expect(declared).toBeGreaterThan(300 * 1e6);
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    const s = await ingest(ws, [file]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(200 * 1048576);
    expect(s.status).toBe("refused");
    expect(s.problems.map(formatProblem)).toEqual([expect.stringMatching(/^returns\.xlsx: refused as a possible zip bomb: the workbook would unpack to 3\d\d MB, more than the limit of 100 MB \(max_unpacked_mb in fairload\.json\); nothing was unpacked$/)]);
    expect(readLog(ws).map((l) => l.status)).toEqual(["refused"]);
  });

  it("the default limit (1024 MB) applies, read from the directory alone, without inflating anything", async () => {
    const ws = tempWorkspace();
    expect(ws.config.max_unpacked_mb).toBe(1024);
    const file = join(tempDir(), "returns.xlsx");
    // a small real entry whose directory claims 3 GB (above 4 GB would need ZIP64)
    writeFileSync(file, await bombWorkbook(10, 1, 3_000_000_000));
    const s = await ingest(ws, [file]);
    expect(s.status).toBe("refused");
    expect(s.problems[0].expected).toMatch(/would unpack to 2[,.]?861 MB, more than the limit of 1[,.]?024 MB/);
  });

  it("a workbook whose directory understates an entry is refused when the entry inflates past it", async () => {
    const ws = tempWorkspace();
    const file = join(tempDir(), "returns.xlsx");
    writeFileSync(file, await bombWorkbook(10_000, 50, 1000)); // 50 MB declared as 1,000 bytes
    const out = await runCli(["ingest", file, "-w", ws.dir, "--json"]);
    expect(out.status).toBe(2);
    const s = JSON.parse(out.stdout);
    expect(s.problems[0].expected).toMatch(/refused as a possible zip bomb: zip entry xl\/worksheets\/sheet1\.xml unpacks to more than the 1,000 bytes its directory declares/);
    expect(out.stderr).not.toMatch(/^\s+at |Error:/m);
  });

  it("a workbook of more than 10,000 zip entries is refused", async () => {
    const ws = tempWorkspace();
    const file = join(tempDir(), "returns.xlsx");
    writeFileSync(file, await makeZip(Array.from({ length: 10_001 }, (_, i) => ({ name: `x/${i}.xml`, data: Buffer.from("<a/>") }))));
    const s = await ingest(ws, [file]);
    expect(s.problems.map(formatProblem)).toEqual(["returns.xlsx: refused as a possible zip bomb: the workbook holds 10,001 zip entries, more than the limit of 10,000; nothing was unpacked"]);
  });

  it("real workbooks pass the check: the template round trip and the shipped one-month return", async () => {
    const ws = tempWorkspace();
    const wb = new ExcelJS.Workbook();
    const r = smallReturn();
    for (const t of ["points_scheme", "staff", "worker_month", "case_month"] as const) {
      const sheet = wb.addWorksheet(t);
      const cols = Object.keys(r[t][0]);
      sheet.addRow(cols);
      for (const row of r[t]) sheet.addRow(cols.map((c) => row[c]));
    }
    const file = join(tempDir(), "returns.xlsx");
    await wb.xlsx.writeFile(file);
    expect((await ingest(ws, [file])).status).toBe("accepted");
  });
});

describe("big files", () => {
  it("a file over max_file_mb is refused before it is read: no database, nothing archived, a plain message", async () => {
    const ws = tempWorkspace();
    writeFileSync(ws.configPath, JSON.stringify({ ...ws.config, max_file_mb: 0.0001 }));
    const out = await runCli(["ingest", writeReturn(smallReturn()), "-w", ws.dir]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/^fairload ingest: case_month\.csv: 0\.0 MB is larger than the workspace limit of 0 MB \(max_file_mb in fairload\.json\); nothing was loaded$/m);
    expect(out.stderr).not.toMatch(/^\s+at |Error:/m);
    expect(existsSync(ws.dbPath)).toBe(false);
    expect(readdirSync(ws.archiveDir)).toEqual([]);
  });

  it("a CSV of 10 million rows (~300 MB) streams through bounded memory: peak RSS under 1.5 GB with a 512 MB heap", async () => {
    const root = tempDir("fairload-10m-");
    try {
      const ws = initWorkspace(join(root, "ws"));
      writeFileSync(ws.configPath, JSON.stringify({ ...ws.config, memory_limit_mb: 512 }));
      const dir = join(root, "return");
      mkdirSync(dir);
      const csv = join(dir, "worker_month.csv");
      const n = 10_000_000;
      const w = createWriteStream(csv);
      w.write("period,worker_id,service,team,role,fte\n");
      for (let i = 0; i < n; i += 100_000) {
        let s = "";
        for (let j = i; j < i + 100_000; j++) s += `2024-01,W${j},S,T${j % 50},ASYE,1\n`;
        if (!w.write(s)) await once(w, "drain");
      }
      w.end();
      await once(w, "finish");
      expect(statSync(csv).size).toBeGreaterThan(250e6);
      // the ingest runs in a child process so that its peak RSS is its own
      const script = join(root, "child.mjs");
      writeFileSync(
        script,
        `import { ingest } from ${JSON.stringify(join(ROOT, "loaders", "ingest.ts"))};
import { openWorkspace } from ${JSON.stringify(join(ROOT, "core", "workspace.ts"))};
let out;
try {
  const s = await ingest(openWorkspace(process.argv[2]), [process.argv[3]]);
  out = { status: s.status, rows: s.tables.reduce((a, t) => a + t.rows, 0), problems: s.problems.slice(0, 3) };
} catch (e) {
  out = { error: String(e.message).split("\\n")[0], name: e.name };
}
console.log(JSON.stringify({ ...out, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
`,
      );
      const child = spawn(process.execPath, ["--max-old-space-size=512", "--import", "tsx", script, ws.dir, dir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const [code] = await once(child, "exit");
      expect(code, stderr).toBe(0);
      const r = JSON.parse(stdout.trim().split("\n").pop()!);
      console.log(`10M-row CSV: ${JSON.stringify(r)}`);
      // succeeds, or fails cleanly with a plain message (never an out-of-memory crash)
      if (r.error) expect(r.name).toBe("UserError");
      else expect(r).toMatchObject({ status: "accepted", rows: n });
      expect(r.maxRssMb).toBeLessThan(1536);
      // scratch and DuckDB's spill files are gone afterwards
      expect(readdirSync(join(ws.dir, "tmp")).filter((f) => f !== "duckdb")).toEqual([]);
      if (existsSync(join(ws.dir, "tmp", "duckdb"))) expect(readdirSync(join(ws.dir, "tmp", "duckdb"))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);
});

describe("names cannot write outside the workspace", () => {
  it("sheet names like ../../evil and file names with backslashes or control characters: everything stays in the workspace", async () => {
    const root = tempDir("fairload-names-");
    const ws = initWorkspace(join(root, "a", "b", "ws"));
    // os.tmpdir() of the CLI, deep enough that a path escaping it would land inside `root`
    const tmp = join(root, "t1", "t2", "t3");
    mkdirSync(tmp, { recursive: true });
    const r = smallReturn();
    // a workbook whose sheets are renamed in its XML (Excel itself would not allow these names)
    const wb = new ExcelJS.Workbook();
    for (const [name, t] of [["SHEETA", "worker_month"], ["SHEETB", "staff"]] as const) {
      const sheet = wb.addWorksheet(name);
      const cols = Object.keys(r[t][0]);
      sheet.addRow(cols);
      for (const row of r[t]) sheet.addRow(cols.map((c) => row[c]));
    }
    const plain = join(root, "plain.xlsx");
    await wb.xlsx.writeFile(plain);
    const entries = unzip(plain).map((e) =>
      e.name === "xl/workbook.xml" ? { ...e, data: Buffer.from((e.data as Buffer).toString("utf8").replace('name="SHEETA"', 'name="../worker_month"').replace('name="SHEETB"', 'name="../../evil"')) } : e,
    );
    const xlsxDir = join(root, "xlsx");
    mkdirSync(xlsxDir);
    writeFileSync(join(xlsxDir, "returns.xlsx"), await makeZip(entries));
    const dir = join(root, "return");
    mkdirSync(dir);
    // (a name starting with "." is a hidden file, skipped like .DS_Store)
    writeFileSync(join(dir, "\\..\\..\\points_scheme.csv"), rowsToCsv(r.points_scheme));
    // DuckDB reads a path with * as a glob pattern: it would read team_month-old.csv too
    writeFileSync(join(dir, "team_month*.csv"), "period,service,team,referrals\n2025-01,Safeguarding and Support,Team A,7\n");
    writeFileSync(join(dir, "team_month-old.csv"), "period,service,team,referrals\n2025-01,Safeguarding and Support,Team B,99\n");
    writeFileSync(join(dir, "case\u0007_month.csv"), rowsToCsv(r.case_month));
    writeFileSync(join(dir, "worker_month.csv"), rowsToCsv(r.worker_month));
    writeFileSync(join(dir, "\u001b[31mstaff.csv"), rowsToCsv(r.staff));
    const before = listTree(root);

    // the workbook: exceljs will not open sheet names with path separators, so it is refused whole
    const x = await runCli(["ingest", xlsxDir, "-w", ws.dir], { TMPDIR: tmp });
    expect(x.status).toBe(2);
    expect(x.stdout).toContain("returns.xlsx: not a readable .xlsx workbook (Worksheet name ../worker_month cannot include");
    // the CSVs: loaded under the tables their names stand for
    const out = await runCli(["ingest", dir, "-w", ws.dir], { TMPDIR: tmp });
    for (const o of [x, out]) {
      expect(o.stdout + o.stderr).not.toMatch(/^\s+at |Error:/m);
      // control characters of names are shown escaped, never sent to the terminal
      expect(o.stdout + o.stderr).not.toMatch(/\u001b|\u0007/);
    }
    expect(out.status, out.stdout).toBe(0);
    expect(out.stdout).toContain("note: \\u{1b}[31mstaff.csv: ignored");
    expect(out.stdout).toMatch(/case_month +3 rows +from case\\u\{7\}_month\.csv/);
    expect(await currentCounts(openWorkspace(ws.dir))).toMatchObject({ points_scheme: 2, worker_month: 3, case_month: 3, staff: 0, team_month: 1 });
    expect(await query(openWorkspace(ws.dir), `SELECT referrals FROM team_month`)).toEqual([{ referrals: 7 }]);

    // what changed on disk: only files inside the workspace (tsx's compile cache aside)
    const after = listTree(root);
    const changed = [...after].filter(([p, v]) => before.get(p) !== v).map(([p]) => p);
    expect(changed.filter((p) => !p.startsWith(join("a", "b", "ws") + "/") && !/^t1\/t2\/t3\/tsx-/.test(p))).toEqual([]);
    expect([...before.keys()].filter((p) => !after.has(p))).toEqual([]);
    // the archive names files by their hash only, and no scratch copy is left behind
    for (const f of readdirSync(ws.archiveDir)) expect(f).toMatch(/^[0-9a-f]{64}\.(csv|xlsx)$/);
    expect(readdirSync(join(ws.dir, "tmp")).filter((f) => f !== "duckdb")).toEqual([]);
  });
});

describe("personal data that is refused is not kept", () => {
  it("a return refused for an e-mail address or a name column is not archived, and the value is not logged anywhere in the workspace", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.staff = r.staff.map((x, i) => ({ ...x, contact: i === 1 ? "sam.jones@example.org" : "" }));
    const s = await ingest(ws, [writeReturn(r)]);
    expect(s.status).toBe("refused");
    // shown to the person loading the file (they have it already), with where it is
    expect(s.problems.map(formatProblem)).toEqual([expect.stringMatching(/^staff\.csv, row 3, column contact: got "sam\.jones@example\.org"; refused/)]);
    const named = smallReturn();
    named.staff = named.staff.map((x, i) => ({ ...x, Surname: i === 2 ? "Okonkwo-Smith" : "" }));
    const t = await ingest(ws, [writeReturn(named)]);
    expect(t.problems.map(formatProblem)).toEqual([expect.stringMatching(/^staff\.csv, row 1, column Surname: refused: it looks like a person's name/)]);
    expect(readdirSync(ws.archiveDir)).toEqual([]);
    const log = readFileSync(ws.logPath, "utf8");
    expect(log).toContain("(withheld: personal data)");
    // no file of the workspace (database, log, archive, tmp) holds either value
    for (const f of listTree(ws.dir).keys()) {
      const bytes = readFileSync(join(ws.dir, f));
      expect(bytes.includes("sam.jones@example.org"), f).toBe(false);
      expect(bytes.includes("Okonkwo-Smith"), f).toBe(false);
    }
  });
});

describe("CSV exports neutralise formula injection (src/components/csv.js)", () => {
  it("cells a spreadsheet would run as a formula open as text", () => {
    for (const v of ["=1+1", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']) {
      expect(neutralise(v), JSON.stringify(v)).toBe(`'${v}`);
    }
    for (const v of ["Team A", "Child in Need", "2025-01", "0.8", "", "a=b", " =not first"]) expect(neutralise(v)).toBe(v);
    expect(neutralise(null)).toBe("");
    expect(neutralise(undefined)).toBe("");
  });

  it("numbers, including negative ones, are left as numbers", () => {
    expect(neutralise(-1.5)).toBe("-1.5");
    expect(neutralise("-3.2")).toBe("-3.2");
    expect(toCsv([{ trend: -0.25 }])).toBe("trend\r\n-0.25\r\n");
  });

  it("toCsv quotes delimiters, quotes and line breaks after neutralising, one row per record", () => {
    const rows = [
      { team: "Team A, North", note: 'said "no"', formula: "=cmd|' /C calc'!A0", multi: "a\nb", n: 3 },
      { team: "=evil()", note: null, formula: "@x", multi: "", n: 0 },
    ];
    expect(toCsv(rows)).toBe(
      `team,note,formula,multi,n\r\n"Team A, North","said ""no""",'=cmd|' /C calc'!A0,"a\nb",3\r\n'=evil(),,'@x,,0\r\n`,
    );
    expect(toCsv(rows, ["n", "team"])).toBe(`n,team\r\n3,"Team A, North"\r\n0,'=evil()\r\n`);
  });

  it("text that arrives in a return is stored as sent, and neutralised only on the way out", async () => {
    const ws = tempWorkspace();
    const r = smallReturn();
    r.worker_month = r.worker_month.map((w) => ({ ...w, team: "=HYPERLINK(\"http://x\")" }));
    expect((await ingest(ws, [writeReturn(r)])).status).toBe("accepted");
    const rows = await query<{ team: string }>(ws, `SELECT DISTINCT team FROM worker_month`);
    expect(rows).toEqual([{ team: '=HYPERLINK("http://x")' }]);
    expect(toCsv(rows)).toBe(`team\r\n"'=HYPERLINK(""http://x"")"\r\n`);
  });
});
