// The ledger as the extension sees it: this month's records in memory (loaded incrementally), kept in step
// with the file, which other windows append to as well.
import { join } from 'node:path';
import { Emitter } from '../events';
import { LedgerTail, LedgerWriter, ledgerFileName, ledgerMonths, monthKey, readLedgerFile, type LedgerProblem } from './ledger';
import type { LedgerRecord } from './record';

export class LedgerStore {
  /** This month's records, in the order they were seen (append order). */
  records: LedgerRecord[] = [];
  /** Fired with records that arrived (this window's or another's). */
  readonly onRecords = new Emitter<LedgerRecord[]>();
  private ids = new Set<string>();
  private month: string;
  private tail: LedgerTail;
  private readonly writer: LedgerWriter;
  private loading?: Promise<void>;
  loaded = false;

  constructor(readonly dir: string, private readonly now: () => Date = () => new Date()) {
    this.writer = new LedgerWriter(dir);
    this.month = monthKey(this.now());
    this.tail = new LedgerTail(this.pathOf(this.month));
  }

  pathOf(month: string): string {
    return join(this.dir, ledgerFileName(month));
  }

  /** Loads this month's file (once; later calls wait for the same load). */
  load(): Promise<void> {
    this.loading ??= this.refresh().then(() => { this.loaded = true; });
    return this.loading;
  }

  /** Writes a record and makes it visible at once (without waiting for the file round trip). */
  async append(record: LedgerRecord): Promise<void> {
    this.rollover();
    const write = this.writer.append(record);
    if (monthKey(record.time) === this.month) this.accept([record]);
    await write;
  }

  /** Reads what other windows appended since the last refresh. */
  async refresh(): Promise<LedgerRecord[]> {
    this.rollover();
    const tail = this.tail;
    const fresh: LedgerRecord[] = [];
    await tail.read((chunk) => {
      if (tail !== this.tail) return; // the month turned while reading
      fresh.push(...this.accept(chunk, false));
    });
    if (fresh.length) this.onRecords.emit(fresh);
    return fresh;
  }

  /** Lines the reader skipped in this month's file. */
  problems(): LedgerProblem[] {
    return this.tail.allProblems();
  }

  /** Records whose time is in [fromMs, toMs), from memory for this month and from the files otherwise. */
  async readPeriod(fromMs: number, toMs: number): Promise<{ records: LedgerRecord[]; problems: LedgerProblem[] }> {
    await this.load(); // this month comes from memory: it must hold the whole file, not what loaded so far
    const months = (await ledgerMonths(this.dir)).filter((m) => m >= monthKey(fromMs) && m <= monthKey(toMs - 1));
    const records: LedgerRecord[] = [];
    const problems: LedgerProblem[] = [];
    for (const m of months) {
      const got = m === this.month ? { records: this.records, problems: this.problems() } : await readLedgerFile(this.pathOf(m));
      problems.push(...got.problems);
      for (const r of got.records) {
        const t = Date.parse(r.time);
        if (t >= fromMs && t < toMs) records.push(r);
      }
    }
    records.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    return { records, problems };
  }

  close(): Promise<void> {
    this.onRecords.clear();
    return this.writer.close();
  }

  private accept(records: LedgerRecord[], emit = true): LedgerRecord[] {
    const fresh = records.filter((r) => !this.ids.has(r.id));
    for (const r of fresh) {
      this.ids.add(r.id);
      this.records.push(r);
    }
    if (emit && fresh.length) this.onRecords.emit(fresh);
    return fresh;
  }

  private rollover(): void {
    const month = monthKey(this.now());
    if (month === this.month) return;
    this.month = month;
    this.tail = new LedgerTail(this.pathOf(month));
    this.records = [];
    this.ids = new Set();
  }
}
