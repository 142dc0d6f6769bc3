// The ledger on disk: append-only JSONL, one file per month (ledger-YYYY-MM.jsonl, local time).
//
// Several VS Code windows append to the same file at once. Each record is written with ONE write() on a
// descriptor opened with O_APPEND, so the kernel places every line whole at the end of the file: lines
// never interleave and none is lost. A crash (or a full disk) can still leave a torn last line; the
// reader skips and reports it, and a record appended right after it (same line) is recovered, not lost.
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isLedgerRecord, type LedgerProblem, type LedgerRecord } from '../record';

const FILE_RE = /^ledger-(\d{4})-(\d{2})\.jsonl$/;
const RECORD_START = Buffer.from('{"v":');
const NEWLINE = 0x0a;

/** `YYYY-MM` of a time, in local time (the user's months). */
export function monthKey(time: Date | string | number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export function ledgerFileName(month: string): string {
  return `ledger-${month}.jsonl`;
}

/** Months that have a ledger file in `dir`, oldest first. */
export async function ledgerMonths(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).map((f) => FILE_RE.exec(f)).filter((m) => m !== null)
      .map((m) => `${m[1]}-${m[2]}`).sort();
  } catch {
    return [];
  }
}

/**
 * Appends records, one write() each, in the order `append` was called. The file is opened per record,
 * so a ledger deleted or moved while VS Code runs is simply recreated.
 */
export class LedgerWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private dirReady = false;

  constructor(readonly dir: string) {}

  append(record: LedgerRecord): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    const done = this.queue.then(() => this.write(monthKey(record.time), line));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async write(month: string, line: string): Promise<void> {
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true });
      this.dirReady = true;
    }
    // No check for a torn tail before writing: another window's line can be in flight at that moment,
    // so any such check races. A record appended straight after a torn fragment is recovered by the
    // reader instead (it resynchronises on the `{"v":` every record starts with).
    const handle = await open(join(this.dir, ledgerFileName(month)), 'a');
    try {
      const data = Buffer.from(line, 'utf8');
      const { bytesWritten } = await handle.write(data, 0, data.length);
      // Never write the rest separately: a second write could land after another window's line.
      if (bytesWritten !== data.length) throw new Error(`ledger: only ${bytesWritten} of ${data.length} bytes written (disk full?)`);
    } finally {
      await handle.close();
    }
  }

  /** Waits for pending writes. */
  async close(): Promise<void> {
    await this.queue;
  }
}

export interface ParsedLines {
  records: LedgerRecord[];
  problems: LedgerProblem[];
}

/**
 * Parses complete lines of `buf` (each ending in '\n'). Returns how many bytes were consumed: a trailing
 * fragment without a newline is left for the caller (it may still be being written, or be torn).
 */
function parseLines(buf: Buffer, file: string, firstLine: number, into: ParsedLines): { consumed: number; lines: number } {
  let start = 0;
  let lines = 0;
  for (;;) {
    const end = buf.indexOf(NEWLINE, start);
    if (end < 0) break;
    parseLine(buf.subarray(start, end), file, firstLine + lines, into);
    lines++;
    start = end + 1;
  }
  return { consumed: start, lines };
}

/**
 * Parses one line. After a crash a line can hold more than one record: a torn fragment, or a record that
 * lost only its newline, with the next record appended straight after it. Every whole record on the line
 * is kept, and the line is reported once if any part of it is not a record. Returns whether the line ends
 * in a whole record (a torn end may still be being written).
 */
function parseLine(line: Buffer, file: string, lineNo: number, into: ParsedLines): boolean {
  if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) return true;
  const whole = tryParse(line);
  if (whole) {
    into.records.push(whole);
    return true;
  }
  into.problems.push({ file, line: lineNo, kind: 'corrupt' });
  // JSON escapes the quotes inside strings, so `{"v":` occurs only where a record starts: split there.
  let endsWhole = false;
  for (let from = 0; from >= 0;) {
    const next = line.indexOf(RECORD_START, from + 1);
    const rec = tryParse(line.subarray(from, next < 0 ? line.length : next));
    if (rec) into.records.push(rec);
    endsWhole = rec !== undefined;
    from = next;
  }
  return endsWhole;
}

function tryParse(bytes: Buffer): LedgerRecord | undefined {
  try {
    const x: unknown = JSON.parse(bytes.toString('utf8'));
    return isLedgerRecord(x) ? x : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Called with the records of each chunk as it parses, and the byte offset of the first line in that chunk
 * (a line start: reading from there parses the same records again). Returning `false` stops the read.
 */
export type OnRecords = (records: LedgerRecord[], lineStart: number) => void | boolean | Promise<void | boolean>;

/** Chunks small enough that parsing one never blocks the event loop for long (~300 records, a few ms). */
export const CHUNK_BYTES = 128 * 1024;

/**
 * Reads one ledger file incrementally: each `read()` parses only the bytes appended since the last one,
 * in chunks, yielding to the event loop between chunks so a large file never blocks the extension host.
 */
export class LedgerTail {
  private _offset = 0;
  private _lineNo = 1;
  /** Lines skipped so far (corrupt), plus the current torn tail, if any. */
  readonly problems: LedgerProblem[] = [];
  private tail?: LedgerProblem;

  constructor(readonly path: string, private readonly chunkBytes = CHUNK_BYTES) {}

  /** Bytes parsed so far: everything before this offset has been read (always a line start). */
  get offset(): number {
    return this._offset;
  }

  get lineNo(): number {
    return this._lineNo;
  }

  /** Continues from a line start already read (e.g. where a persisted aggregate stopped). */
  resume(offset: number, lineNo: number, problems: readonly LedgerProblem[] = []): this {
    this._offset = offset;
    this._lineNo = lineNo;
    this.problems.splice(0, this.problems.length, ...problems);
    this.tail = undefined;
    return this;
  }

  /** The last line, when it has no newline yet and is not a valid record (torn, or still being written). */
  get truncated(): LedgerProblem | undefined {
    return this.tail;
  }

  /**
   * Records appended since the last call. With `onRecords` they are passed chunk by chunk as they parse
   * and not collected (the result is empty), so a whole month can be read without holding it.
   */
  async read(onRecords?: OnRecords): Promise<LedgerRecord[]> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return []; // no file yet
    }
    if (size < this._offset) { // replaced or cut by hand: start over
      this._offset = 0;
      this._lineNo = 1;
      this.problems.length = 0;
    }
    if (size === this._offset) return [];
    const handle = await open(this.path, 'r');
    const all: LedgerRecord[] = [];
    const deliver = async (records: LedgerRecord[], at: number): Promise<boolean> => {
      if (!onRecords) {
        for (const r of records) all.push(r);
        return true;
      }
      return records.length === 0 || (await onRecords(records, at)) !== false;
    };
    try {
      let carry = Buffer.alloc(0);
      let pos = this._offset;
      while (pos < size) {
        const len = Math.min(this.chunkBytes, size - pos);
        const chunk = Buffer.alloc(len);
        const { bytesRead } = await handle.read(chunk, 0, len, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
        const out: ParsedLines = { records: [], problems: [] };
        const at = this._offset;
        const { consumed, lines } = parseLines(buf, this.path, this._lineNo, out);
        this._offset += consumed;
        this._lineNo += lines;
        carry = buf.subarray(consumed);
        this.problems.push(...out.problems);
        if (!(await deliver(out.records, at))) return all;
        if (pos < size) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // A fragment without a newline that ends in a whole record (one that lost only its newline) is
      // kept and consumed. Otherwise it stays pending: reported as truncated, re-read when more bytes arrive.
      this.tail = undefined;
      if (carry.length) {
        const out: ParsedLines = { records: [], problems: [] };
        if (parseLine(carry, this.path, this._lineNo, out)) {
          const at = this._offset;
          this.problems.push(...out.problems);
          this._offset += carry.length;
          this._lineNo++;
          await deliver(out.records, at);
        } else {
          this.tail = { file: this.path, line: this._lineNo, kind: 'truncated' };
        }
      }
    } finally {
      await handle.close();
    }
    return all;
  }

  /** Every skipped line so far: corrupt lines plus a torn last line. */
  allProblems(): LedgerProblem[] {
    return this.tail ? [...this.problems, this.tail] : [...this.problems];
  }
}

/** Reads a whole ledger file once. */
export async function readLedgerFile(path: string): Promise<ParsedLines> {
  const tail = new LedgerTail(path);
  const records = await tail.read();
  return { records, problems: tail.allProblems() };
}
