// The ledger as the extension sees it: this month's running per-day aggregates (never the records
// themselves), the last few records, and queries that read pages from the file. It follows the file,
// which other windows append to as well.
//
// Memory and start-up time do not grow with the month: a start-up reads the persisted aggregate
// (snapshot.ts) and the bytes appended after it; the status bar and budgets read the aggregates; the
// dashboard reads one page from the file. Only a missing or stale aggregate makes it read the whole month,
// in small chunks that never block the event loop for long.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Emitter } from '../../events';
import { foldRecord, spendOf, type DayAggregates } from '../aggregate';
import type { TableQuery, TableRow } from '../dashboardProtocol';
import { LedgerTail, LedgerWriter, ledgerFileName, ledgerMonths, monthKey } from './ledger';
import { csvHeader, csvRow, jsonItem, matcher, queryRecords, sortKey, toRow } from '../query';
import type { LedgerProblem, LedgerRecord } from '../record';
import { probe, readSnapshot, snapshotFileName, writeSnapshot, zoneOf, SNAPSHOT_VERSION, type LedgerSnapshot } from './snapshot';
import { summaryOf, type Summary, type SummaryOptions } from '../summary';

/** Records kept in memory for the status bar and the first pages of the dashboard. */
const RECENT = 1000;
/** Records between two page marks (a page read parses at most this many plus a chunk). */
const MARK_EVERY = 500;
/** How long aggregate changes wait before they are persisted (one write for a burst of records). */
const SAVE_DELAY_MS = 2000;

export class LedgerStore {
  /** Fired with records that arrived (this window's or another's). */
  readonly onRecords = new Emitter<LedgerRecord[]>();
  loaded = false;
  private month: string;
  private tail: LedgerTail;
  private readonly writer: LedgerWriter;
  private loading?: Promise<void>;
  /** The fold of the file's bytes before `tail.offset`. */
  private days: DayAggregates = {};
  private count = 0;
  private marks: number[] = [];
  /** This window's records not yet read back from the file (they are counted from here until then). */
  private pending = new Map<string, LedgerRecord>();
  private recent: LedgerRecord[] = [];
  private saveTimer?: ReturnType<typeof setTimeout>;
  private saving: Promise<void> = Promise.resolve();
  private reading: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string, private readonly now: () => Date = () => new Date()) {
    this.writer = new LedgerWriter(dir);
    this.month = monthKey(this.now());
    this.tail = new LedgerTail(this.pathOf(this.month));
  }

  pathOf(month: string): string {
    return join(this.dir, ledgerFileName(month));
  }

  /** Loads this month's aggregate (once; later calls wait for the same load). */
  load(): Promise<void> {
    this.loading ??= this.exclusive(() => this.open()).then(() => { this.loaded = true; });
    return this.loading;
  }

  /** Records this month (including this window's not yet on disk). */
  get size(): number {
    return this.count + this.pending.size;
  }

  /** The newest records, oldest first (at most RECENT). */
  latest(): readonly LedgerRecord[] {
    return this.recent;
  }

  /** Writes a record and makes it visible at once (without waiting for the file round trip). */
  async append(record: LedgerRecord): Promise<void> {
    this.rollover();
    const write = this.writer.append(record);
    if (monthKey(record.time) === this.month) {
      this.pending.set(record.id, record);
      this.remember([record]);
      this.onRecords.emit([record]);
    }
    await write;
  }

  /** Reads what was appended since (other windows' records, and this window's, read back); returns how many arrived. */
  async refresh(): Promise<number> {
    if (!this.loading) await this.load().catch(() => undefined); // start from the persisted aggregate
    return this.exclusive(() => this.readNew());
  }

  /** One read at a time: two overlapping reads of the same tail would fold the same bytes twice. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.reading.then(fn);
    this.reading = next.catch(() => undefined);
    return next;
  }

  /** Cloud spend of today and this month, from the aggregates. */
  spend(now = this.now()): { dailyUsd: number; monthlyUsd: number } {
    const own = this.pendingDays();
    const a = spendOf(this.days, now);
    if (!own) return a;
    const b = spendOf(own, now);
    return { dailyUsd: a.dailyUsd + b.dailyUsd, monthlyUsd: a.monthlyUsd + b.monthlyUsd };
  }

  summary(o: SummaryOptions): Summary {
    const own = this.pendingDays();
    return own ? summaryOf(this.days, o, own) : summaryOf(this.days, o);
  }

  /** Lines the reader skipped in this month's file. */
  problems(): LedgerProblem[] {
    return this.tail.allProblems();
  }

  /**
   * One page of the requests table. Newest (or oldest) first without a filter reads the page from the
   * file near a page mark; a filter or another sort scans the month in chunks keeping only the best
   * (page + 1) x pageSize rows. `cancelled` stops a scan a newer query made obsolete.
   */
  async page(q: TableQuery, workspace?: string, cancelled: () => boolean = () => false): Promise<{ rows: TableRow[]; total: number } | undefined> {
    await this.load();
    const total = this.size;
    const plain = q.sort.key === 'time' && !q.filter.text && !q.filter.route && !q.filter.kind && !q.filter.outcome && !q.filter.thisWorkspace;
    if (plain) {
      const start = q.sort.dir === 'desc' ? Math.max(0, total - (q.page + 1) * q.pageSize) : q.page * q.pageSize;
      const end = q.sort.dir === 'desc' ? Math.max(0, total - q.page * q.pageSize) : Math.min(total, start + q.pageSize);
      if (start >= end) return { rows: [], total };
      const recentStart = total - this.recent.length;
      if (start >= recentStart) {
        const window = this.recent.slice(start - recentStart, end - recentStart);
        return { rows: queryRecords(window, { ...q, page: 0 }).rows, total };
      }
      const rows = await this.readAt(start, end);
      return { rows: queryRecords(rows, { ...q, page: 0 }).rows, total };
    }
    return this.scan(q, workspace, cancelled);
  }

  /**
   * Streams the records whose time is in [fromMs, toMs), in file order, to `path` as CSV or JSON. Never
   * holds more than a chunk of the ledger. Returns how many were written.
   */
  async exportPeriod(fromMs: number, toMs: number, format: 'csv' | 'json', path: string): Promise<number> {
    const out = createWriteStream(path, { encoding: 'utf8' });
    const failed = new Promise<never>((_, reject) => out.once('error', reject));
    failed.catch(() => undefined);
    const write = async (text: string) => {
      if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
    };
    let n = 0;
    try {
      await this.writer.close(); // this window's records are on disk: the files now hold every record
      await write(format === 'csv' ? csvHeader() : '[');
      await this.forEachFileRecord(fromMs, toMs, async (records) => {
        let text = '';
        for (const r of records) text += format === 'csv' ? csvRow(r) : `${n++ ? ',' : ''}\n${jsonItem(r)}`;
        if (format === 'csv') n += records.length;
        if (text) await write(text);
      });
      await write(format === 'csv' ? '' : n ? '\n]\n' : ']\n');
      out.end();
      await Promise.race([once(out, 'finish'), failed]);
      return n;
    } catch (err) {
      out.destroy();
      throw err;
    }
  }

  /** Waits for pending writes and persists the aggregate. */
  async close(): Promise<void> {
    this.onRecords.clear();
    clearTimeout(this.saveTimer);
    await this.writer.close();
    await this.reading;
    if (this.saveTimer) await this.save();
    await this.saving;
  }

  // ---- loading and following the file ---------------------------------------------------------------

  private snapshotPath(month: string): string {
    return join(this.dir, snapshotFileName(month));
  }

  private async open(): Promise<void> {
    this.rollover();
    const month = this.month;
    const snap = await readSnapshot(this.snapshotPath(month), this.pathOf(month), month);
    if (snap && month === this.month && this.count === 0) {
      this.days = snap.days;
      this.count = snap.count;
      this.marks = snap.marks;
      this.tail.resume(snap.offset, snap.lineNo, snap.problems);
    }
    // With a snapshot: the bytes appended after it. Without: the whole month, folded chunk by chunk.
    const fresh = await this.readNew(true);
    if (!snap || fresh) this.scheduleSave(0);
    // The newest records come from the end of the file.
    if (this.count) await this.loadRecent();
  }

  /**
   * Folds the bytes appended since the last read. Other windows' records are passed to `onRecords` chunk
   * by chunk (never collected: catching up on a whole month holds one chunk at a time); `quiet` (the
   * first load) does not pass them on at all. Returns how many arrived.
   */
  private async readNew(quiet = false): Promise<number> {
    this.rollover();
    const tail = this.tail;
    const before = tail.offset;
    let fresh = 0;
    await tail.read((chunk, at) => {
      if (tail !== this.tail) return false; // the month turned while reading
      if (at < before) { // the file was replaced or cut by hand: the reader started over, so do the totals
        this.days = {};
        this.count = 0;
        this.marks = [];
        this.recent = [];
      }
      if (this.count - (this.marks.at(-2) ?? -MARK_EVERY) >= MARK_EVERY) this.marks.push(this.count, at);
      const arrived: LedgerRecord[] = [];
      for (const r of chunk) {
        foldRecord(this.days, r);
        this.count++;
        // This window's own record, read back: already shown and counted (from pending).
        if (!this.pending.delete(r.id)) arrived.push(r);
      }
      fresh += arrived.length;
      // Loading: the newest records are read afterwards (loadRecent). Keeping each chunk's records a
      // while would promote a month of them to the old generation, and collecting that blocks.
      if (!quiet) {
        this.remember(arrived);
        if (arrived.length) this.onRecords.emit(arrived);
      }
      return true;
    });
    if (tail !== this.tail) return 0;
    if (tail.offset !== before) this.scheduleSave();
    return fresh;
  }

  private remember(records: LedgerRecord[]): void {
    for (const r of records.length > RECENT ? records.slice(-RECENT) : records) this.recent.push(r);
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
  }

  /** Fills the recent records from the end of the file (after a start from a snapshot). */
  private async loadRecent(): Promise<void> {
    const older = await this.readAt(this.count - Math.min(RECENT, this.count), this.count);
    const own = this.recent.filter((r) => this.pending.has(r.id)); // appended while loading, not read back yet
    this.recent = [...older, ...own].slice(-RECENT);
  }

  private pendingDays(): DayAggregates | undefined {
    if (!this.pending.size) return undefined;
    const days: DayAggregates = {};
    for (const r of this.pending.values()) foldRecord(days, r);
    return days;
  }

  private scheduleSave(delay = SAVE_DELAY_MS): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => { void this.save(); }, delay);
    this.saveTimer.unref?.();
  }

  /** Persists the aggregate as of the bytes read so far (a failure only costs a longer next start). */
  private save(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const month = this.month;
    const tail = this.tail;
    const offset = tail.offset;
    const snapshot: Omit<LedgerSnapshot, 'head' | 'tail'> = {
      v: SNAPSHOT_VERSION, month, zone: zoneOf(month), offset, lineNo: tail.lineNo, count: this.count,
      problems: [...tail.problems], marks: [...this.marks], days: structuredClone(this.days),
    };
    this.saving = this.saving.then(async () => {
      const p = await probe(this.pathOf(month), offset);
      if (!p) return;
      await writeSnapshot(this.snapshotPath(month), { ...snapshot, ...p } as LedgerSnapshot);
    }).catch(() => undefined);
    return this.saving;
  }

  private rollover(): void {
    const month = monthKey(this.now());
    if (month === this.month) return;
    if (this.saveTimer) void this.save();
    this.month = month;
    this.tail = new LedgerTail(this.pathOf(month));
    this.days = {};
    this.count = 0;
    this.marks = [];
    this.recent = [];
    this.pending = new Map([...this.pending].filter(([, r]) => monthKey(r.time) === month));
  }

  // ---- reading records from the file ------------------------------------------------------------------

  /** Records [start, end) of this month in file order (then this window's pending ones). */
  private async readAt(start: number, end: number): Promise<LedgerRecord[]> {
    const out: LedgerRecord[] = [];
    const pending = [...this.pending.values()];
    const fileEnd = Math.min(end, this.count);
    if (start < fileEnd) {
      // The last mark at or before `start`.
      let markIndex = 0;
      let markOffset = 0;
      for (let i = 0; i < this.marks.length && this.marks[i] <= start; i += 2) [markIndex, markOffset] = [this.marks[i], this.marks[i + 1]];
      let index = markIndex;
      const reader = new LedgerTail(this.tail.path).resume(markOffset, 1);
      await reader.read((records) => {
        for (const r of records) {
          if (index >= start && index < fileEnd) out.push(r);
          index++;
        }
        return index < fileEnd;
      });
    }
    for (let i = Math.max(start, this.count); i < end && i - this.count < pending.length; i++) out.push(pending[i - this.count]);
    return out;
  }

  /** Filtered or sorted: one pass over the month keeping the best (page + 1) x pageSize rows. */
  private async scan(q: TableQuery, workspace: string | undefined, cancelled: () => boolean): Promise<{ rows: TableRow[]; total: number } | undefined> {
    const match = matcher(q.filter, workspace);
    const key = sortKey(q.sort.key);
    const sign = q.sort.dir === 'asc' ? 1 : -1;
    const keep = (q.page + 1) * q.pageSize;
    // Best first: by key in the asked direction; ties newest (highest index) first, as the table does.
    const better = (a: Kept, b: Kept) => (a.k < b.k ? -sign : a.k > b.k ? sign : b.i - a.i);
    let kept: Kept[] = [];
    let total = 0;
    const take = (r: LedgerRecord) => {
      if (!match(r)) return;
      kept.push({ k: key(r), i: total++, r });
      if (kept.length >= keep * 2 + 256) kept = kept.sort(better).slice(0, keep);
    };
    let stopped = false;
    await new LedgerTail(this.tail.path).read((records) => {
      if (cancelled()) { stopped = true; return false; }
      for (const r of records) take(r);
      return true;
    });
    if (stopped) return undefined;
    for (const r of this.pending.values()) take(r);
    kept.sort(better);
    return { rows: kept.slice(q.page * q.pageSize, keep).map((x) => toRow(x.r)), total };
  }

  private async forEachFileRecord(fromMs: number, toMs: number, onRecords: (records: LedgerRecord[]) => Promise<void>): Promise<void> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const months = (await ledgerMonths(this.dir)).filter((m) => m >= monthKey(fromMs) && m <= monthKey(toMs - 1));
    for (const m of months) {
      await new LedgerTail(this.pathOf(m)).read(async (records) => {
        await onRecords(records.filter((r) => r.time >= from && r.time < to));
      });
    }
  }
}

interface Kept {
  k: string | number;
  i: number;
  r: LedgerRecord;
}
