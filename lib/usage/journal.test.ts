import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Journal, JournalLockedError } from "./journal";

const dirs: string[] = [];
const open: Journal[] = [];
afterEach(() => {
  for (const j of open.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "akm-journal-"));
  dirs.push(dir);
  return dir;
}

function openJournal(dir: string, options: Partial<Parameters<typeof Journal.open>[0]> = {}): Journal {
  const j = Journal.open({ dir, maxBytes: 1 << 20, fsyncMs: 60_000, ...options });
  open.push(j);
  return j;
}

function closeJournal(j: Journal): void {
  j.close();
  open.splice(open.indexOf(j), 1);
}

function readAll(j: Journal, from = j.checkpoint): string[] {
  const out: string[] = [];
  for (let at = from; ; ) {
    const batch = j.read(at, 7);
    if (!batch.lines.length) return out;
    out.push(...batch.lines);
    at = batch.next;
  }
}

const segments = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".jsonl")).sort();

describe("request journal", () => {
  it("reads back what was appended, in order, across segments, and resumes after its checkpoint when reopened", () => {
    const dir = newDir();
    const j = openJournal(dir, { segmentBytes: 200 });
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i, pad: "x".repeat(i % 9) }));
    const ends = lines.map((line) => j.append(line)!);
    expect(segments(dir).length).toBeGreaterThan(3);
    expect(readAll(j)).toEqual(lines);

    // Everything up to the 25th entry is stored: the segments before its one are deleted.
    j.advance(ends[24]);
    expect(Number(segments(dir)[0].slice(0, 12))).toBe(ends[24].segment);
    expect(readAll(j)).toEqual(lines.slice(25));
    closeJournal(j);

    const again = openJournal(dir, { segmentBytes: 200 });
    expect(again.checkpoint).toEqual(ends[24]);
    expect(readAll(again)).toEqual(lines.slice(25));
    again.append('{"n":"after"}');
    expect(readAll(again).at(-1)).toBe('{"n":"after"}');
  });

  it("cuts an entry a crash left half written, and keeps the whole ones", () => {
    const dir = newDir();
    const j = openJournal(dir);
    j.append('{"a":1}');
    j.append('{"a":2}');
    closeJournal(j);
    appendFileSync(join(dir, segments(dir)[0]), '{"a":3,"tr');
    const logs: string[] = [];
    const again = openJournal(dir, { log: (line) => logs.push(line) });
    expect(readAll(again)).toEqual(['{"a":1}', '{"a":2}']);
    expect(logs.join("\n")).toMatch(/cut 10 byte\(s\) of an entry left half written/);
    again.append('{"a":4}');
    expect(readAll(again)).toEqual(['{"a":1}', '{"a":2}', '{"a":4}']);
  });

  it("refuses appends past maxBytes not yet checkpointed, and takes them again once checkpointed", () => {
    const dir = newDir();
    const j = openJournal(dir, { maxBytes: 100 });
    const line = JSON.stringify({ pad: "y".repeat(30) }); // 41 bytes with its newline
    const first = j.append(line)!;
    expect(j.append(line)).not.toBeNull();
    expect(j.append(line)).toBeNull();
    expect(j.pendingBytes()).toBe(82);
    j.advance(first);
    expect(j.append(line)).not.toBeNull();
  });

  it("refuses a second process's journal on the same directory while its holder lives", () => {
    const dir = newDir();
    openJournal(dir);
    expect(() => Journal.open({ dir, maxBytes: 1000, fsyncMs: 1000 })).toThrow(JournalLockedError);
  });

  it("takes over the lock of a process that died", () => {
    const dir = newDir();
    writeFileSync(join(dir, "lock"), "999999999\n"); // no such process
    const j = openJournal(dir);
    expect(readFileSync(join(dir, "lock"), "utf8").trim()).toBe(String(process.pid));
    expect(j.append("{}")).not.toBeNull();
  });

  it("reads an entry longer than one read's buffer whole", () => {
    const dir = newDir();
    const j = openJournal(dir);
    const big = JSON.stringify({ big: "z".repeat(5000) });
    j.append('{"small":1}');
    j.append(big);
    const batch = j.read(j.checkpoint, 10, 1024);
    expect(batch.lines).toEqual(['{"small":1}']);
    expect(j.read(batch.next, 10, 1024).lines).toEqual([big]);
  });
});
