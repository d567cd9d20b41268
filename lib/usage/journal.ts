// The request records' write-ahead log: an append-only journal under DATA_DIR/journal.
// Every record (and event) is appended with one write(2) before the response's last byte
// leaves, so a killed process (SIGKILL, the OOM killer) loses nothing that reached the
// operating system; fdatasync runs every `fsyncMs`, which bounds what a machine crash or
// power cut can lose to that interval. The recorder (recorder.ts) writes the entries to
// the database in batches and checkpoints the position up to which they are stored;
// entries past the checkpoint are replayed at the next start, or when the database answers
// again. Replays are idempotent in the database (unique request ids and event uids), so the
// checkpoint needs no fsync of its own: a lost checkpoint only replays rows already there.
//
// Layout: segments named by a growing number (000000000001.jsonl …), one JSON entry per
// line; checkpoint.json holds {segment, offset}; segments wholly before it are deleted.
// The journal is bounded by `maxBytes` of entries not yet checkpointed: past it, appends
// are refused (the recorder says so in the log) until the database has taken enough.
import {
  closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync,
  readSync, renameSync, rmSync, statSync, writeFileSync, writeSync,
} from "node:fs";
import { join } from "node:path";

export interface JournalPosition {
  segment: number;
  offset: number;
}

export interface JournalOptions {
  dir: string;
  /** Bytes past the checkpoint the journal may hold before it refuses appends. */
  maxBytes: number;
  /** Milliseconds between fdatasync calls (the machine-crash loss window). */
  fsyncMs: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
  log?: (line: string) => void;
}

export interface JournalBatch {
  lines: string[];
  /** Position just past each line. */
  ends: JournalPosition[];
  /** Where the next read starts. */
  next: JournalPosition;
}

export class JournalLockedError extends Error {
  override name = "JournalLockedError";
}

const SEGMENT_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

const segmentName = (n: number) => `${String(n).padStart(12, "0")}.jsonl`;

export function comparePositions(a: JournalPosition, b: JournalPosition): number {
  return a.segment - b.segment || a.offset - b.offset;
}

export class Journal {
  private fd: number;
  private segment: number;
  private offset: number;
  /** Sizes of the segments that are complete (no longer appended to). */
  private readonly sealed = new Map<number, number>();
  private checkpointed: JournalPosition;
  private dirty = false;
  private syncing = false;
  private readonly timer: NodeJS.Timeout;
  private readonly segmentBytes: number;
  private readonly log: (line: string) => void;
  private closed = false;

  private constructor(private readonly options: JournalOptions) {
    this.segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.log = options.log ?? (() => undefined);
    const { dir } = options;
    mkdirSync(dir, { recursive: true });
    takeLock(dir);
    try {
      const segments = readdirSync(dir)
        .map((name) => /^(\d{12})\.jsonl$/.exec(name))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
      this.checkpointed = readCheckpoint(dir) ?? { segment: segments[0] ?? 1, offset: 0 };
      for (const n of segments) {
        if (n < this.checkpointed.segment) rmSync(join(dir, segmentName(n)), { force: true });
        else this.sealed.set(n, statSync(join(dir, segmentName(n))).size);
      }
      const last = Math.max(this.checkpointed.segment, ...this.sealed.keys());
      this.sealed.delete(last);
      this.segment = last;
      this.fd = openSync(join(dir, segmentName(last)), "a+");
      this.offset = this.repairTail();
    } catch (error) {
      releaseLock(dir);
      throw error;
    }
    this.timer = setInterval(() => this.sync(), options.fsyncMs);
    this.timer.unref();
  }

  /** Opens (creating) the journal in `dir`; refused while another live process holds it. */
  static open(options: JournalOptions): Journal {
    return new Journal(options);
  }

  /**
   * Appends one entry (one line, no newline in it) with a single write. Returns the
   * position just past it, or null when the journal is full or the disk refused it.
   */
  append(line: string): JournalPosition | null {
    if (this.closed) return null;
    const bytes = Buffer.from(line + "\n", "utf8");
    if (this.pendingBytes() + bytes.length > this.options.maxBytes) return null;
    try {
      writeAll(this.fd, bytes);
    } catch (error) {
      this.log(`[journal] could not append to ${this.options.dir}: ${(error as Error).message}`);
      return null;
    }
    this.offset += bytes.length;
    this.dirty = true;
    const end = { segment: this.segment, offset: this.offset };
    if (this.offset >= this.segmentBytes) this.rotate();
    return end;
  }

  /** Position just past the last entry. */
  end(): JournalPosition {
    return { segment: this.segment, offset: this.offset };
  }

  get dir(): string {
    return this.options.dir;
  }

  get checkpoint(): JournalPosition {
    return { ...this.checkpointed };
  }

  /** Bytes appended and not yet checkpointed. */
  pendingBytes(): number {
    let total = 0;
    for (const [n, size] of this.sealed) if (n >= this.checkpointed.segment) total += size;
    total += this.offset;
    return total - this.checkpointed.offset;
  }

  /** Reads whole entries from `from`, at most `maxLines` of them and about `maxBytes`. */
  read(from: JournalPosition, maxLines: number, maxBytes = 4 * 1024 * 1024): JournalBatch {
    const lines: string[] = [];
    const ends: JournalPosition[] = [];
    const at = { ...from };
    while (lines.length < maxLines) {
      const size = at.segment === this.segment ? this.offset : this.sealed.get(at.segment);
      if (size === undefined || at.offset >= size) {
        if (at.segment >= this.segment) break;
        at.segment++; // the next segment (a missing one is skipped)
        at.offset = 0;
        continue;
      }
      const length = Math.min(size - at.offset, maxBytes);
      const buf = Buffer.allocUnsafe(length);
      const fd = at.segment === this.segment ? this.fd : openSync(join(this.options.dir, segmentName(at.segment)), "r");
      try {
        readExactly(fd, buf, at.offset);
      } finally {
        if (fd !== this.fd) closeSync(fd);
      }
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl >= 0 && lines.length < maxLines; nl = buf.indexOf(NEWLINE, start)) {
        lines.push(buf.toString("utf8", start, nl));
        start = nl + 1;
        ends.push({ segment: at.segment, offset: at.offset + start });
      }
      if (start === 0) {
        // An entry longer than maxBytes: read it whole. (Segments always end with a newline.)
        if (length === size - at.offset) break;
        maxBytes = length * 2;
        continue;
      }
      at.offset += start;
      if (start < length) break; // maxLines reached, or the rest of the buffer is a partial entry
    }
    return { lines, ends, next: at };
  }

  /** Records that everything before `pos` is stored; deletes segments wholly before it. */
  advance(pos: JournalPosition): void {
    if (this.closed || comparePositions(pos, this.checkpointed) <= 0) return;
    this.checkpointed = { ...pos };
    const file = join(this.options.dir, "checkpoint.json");
    writeFileSync(`${file}.tmp`, JSON.stringify(pos) + "\n");
    renameSync(`${file}.tmp`, file);
    for (const n of [...this.sealed.keys()]) {
      if (n < pos.segment) {
        rmSync(join(this.options.dir, segmentName(n)), { force: true });
        this.sealed.delete(n);
      }
    }
  }

  /** Forces what was appended to the disk now (the timer does it every fsyncMs). */
  sync(): void {
    if (!this.dirty || this.syncing || this.closed) return;
    this.dirty = false;
    this.syncing = true;
    fdatasync(this.fd, (error) => {
      this.syncing = false;
      if (error && !this.closed) this.log(`[journal] fdatasync failed: ${error.message}`);
    });
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    try {
      if (this.dirty) fdatasyncSync(this.fd);
    } finally {
      this.closed = true;
      closeSync(this.fd);
      releaseLock(this.options.dir);
    }
  }

  private rotate(): void {
    fdatasyncSync(this.fd);
    this.dirty = false;
    closeSync(this.fd);
    this.sealed.set(this.segment, this.offset);
    this.segment++;
    this.offset = 0;
    this.fd = openSync(join(this.options.dir, segmentName(this.segment)), "a+");
  }

  // A machine crash can leave the last entry half written: cut it off, say so.
  private repairTail(): number {
    const size = fstatSync(this.fd).size;
    if (size === 0) return 0;
    const tail = Buffer.allocUnsafe(Math.min(size, 64 * 1024));
    let end = size;
    for (;;) {
      const start = Math.max(0, end - tail.length);
      readExactly(this.fd, tail.subarray(0, end - start), start);
      const nl = tail.subarray(0, end - start).lastIndexOf(NEWLINE);
      if (nl >= 0) {
        const whole = start + nl + 1;
        if (whole < size) {
          this.log(`[journal] cut ${size - whole} byte(s) of an entry left half written in ${segmentName(this.segment)}`);
          ftruncateSync(this.fd, whole);
        }
        return whole;
      }
      if (start === 0) {
        this.log(`[journal] cut ${size} byte(s) of an entry left half written in ${segmentName(this.segment)}`);
        ftruncateSync(this.fd, 0);
        return 0;
      }
      end = start;
    }
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

function readExactly(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error("journal segment shorter than expected");
    done += n;
  }
}

function readCheckpoint(dir: string): JournalPosition | null {
  const file = join(dir, "checkpoint.json");
  if (!existsSync(file)) return null;
  try {
    const pos = JSON.parse(readFileSync(file, "utf8")) as JournalPosition;
    if (Number.isInteger(pos.segment) && Number.isInteger(pos.offset) && pos.segment > 0 && pos.offset >= 0) return pos;
  } catch {
    // unreadable: replay everything; the database ignores what it already has
  }
  return null;
}

// One process per journal: two writers would interleave their entries and checkpoints.
function takeLock(dir: string): void {
  const file = join(dir, "lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx" });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    if (pid === process.pid || (Number.isInteger(pid) && pid > 0 && alive(pid))) {
      throw new JournalLockedError(
        `The request journal in ${dir} is in use by process ${pid}. Each server instance needs its own DATA_DIR.`,
      );
    }
    rmSync(file, { force: true }); // its holder is gone (a crash)
  }
  throw new JournalLockedError(`Could not lock the request journal in ${dir}.`);
}

function releaseLock(dir: string): void {
  const file = join(dir, "lock");
  try {
    if (Number.parseInt(readFileSync(file, "utf8"), 10) === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
