// The aggregate of a month's ledger, persisted beside it (ledger-YYYY-MM.totals.json), so a start-up reads
// a few kilobytes instead of the whole month. The JSONL file stays the source of truth: a snapshot says
// which bytes of it it summarizes (offset, and a hash of the first and last 4 KB of those bytes), and one
// that is missing, unreadable, from another time zone or no longer matching its file is rebuilt from it.
//
// Several windows may write the snapshot: each writes a complete one (aggregates as of its offset) to a
// temporary file and renames it over the old one, so a reader sees one whole snapshot or the other, and
// either is correct for the bytes it names.
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { isDayAggregates, type DayAggregates } from '../aggregate';
import type { LedgerProblem } from '../record';

export const SNAPSHOT_VERSION = 1;
const PROBE_BYTES = 4096;

export interface LedgerSnapshot {
  v: typeof SNAPSHOT_VERSION;
  month: string;
  /** Day keys are local dates: a snapshot made in another time zone is rebuilt. */
  zone: string;
  /** Bytes of the ledger file summarized, and the line number after them. */
  offset: number;
  lineNo: number;
  /** Records folded in. */
  count: number;
  head: string;
  tail: string;
  problems: LedgerProblem[];
  /** Page marks, flattened pairs [record index, byte offset of a line start where that record begins a chunk]. */
  marks: number[];
  days: DayAggregates;
}

export function snapshotFileName(month: string): string {
  return `ledger-${month}.totals.json`;
}

/** The local time zone as day keys depend on it (the offset at the start of the month, and its name). */
export function zoneOf(month: string): string {
  const [y, m] = month.split('-').map(Number);
  let name = '';
  try {
    name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
  } catch { /* no Intl time zone support: the offset alone */ }
  return `${name}|${new Date(y, m - 1, 1).getTimezoneOffset()}|${new Date(y, m, 0).getTimezoneOffset()}`;
}

/** Hashes of the first and the last PROBE_BYTES of the file's first `offset` bytes. */
export async function probe(path: string, offset: number): Promise<{ head: string; tail: string } | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return offset === 0 ? { head: hash(Buffer.alloc(0)), tail: hash(Buffer.alloc(0)) } : undefined;
  }
  try {
    const read = async (from: number, len: number) => {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await handle.read(buf, 0, len, from);
      return buf.subarray(0, bytesRead);
    };
    const head = await read(0, Math.min(PROBE_BYTES, offset));
    const tailFrom = Math.max(0, offset - PROBE_BYTES);
    const tail = await read(tailFrom, offset - tailFrom);
    if (head.length !== Math.min(PROBE_BYTES, offset) || tail.length !== offset - tailFrom) return undefined; // file shorter
    return { head: hash(head), tail: hash(tail) };
  } finally {
    await handle.close();
  }
}

function hash(b: Buffer): string {
  return createHash('sha1').update(b).digest('base64');
}

/** The snapshot at `path` when it is whole, of this version, month and zone, and matches the ledger file. */
export async function readSnapshot(path: string, ledgerPath: string, month: string): Promise<LedgerSnapshot | undefined> {
  let x: unknown;
  try {
    x = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isSnapshot(x) || x.month !== month || x.zone !== zoneOf(month)) return undefined;
  const p = await probe(ledgerPath, x.offset);
  if (!p || p.head !== x.head || p.tail !== x.tail) return undefined;
  return x;
}

export async function writeSnapshot(path: string, snapshot: LedgerSnapshot): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(snapshot));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function isSnapshot(x: unknown): x is LedgerSnapshot {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<LedgerSnapshot>;
  const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  return s.v === SNAPSHOT_VERSION && typeof s.month === 'string' && typeof s.zone === 'string'
    && whole(s.offset) && whole(s.lineNo) && whole(s.count) && typeof s.head === 'string' && typeof s.tail === 'string'
    && Array.isArray(s.problems) && Array.isArray(s.marks) && s.marks.length % 2 === 0 && s.marks.every(whole)
    && isDayAggregates(s.days);
}
