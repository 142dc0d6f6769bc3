// The back-off store the windows of one machine share: a file (backoff.ts has the waits themselves).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BackoffStore } from '../backoff';

/**
 * A JSON file shared by the windows of one machine. Written to a temporary file and renamed, so a
 * reader never sees half a file; anything unreadable counts as "no back-off" (a missing wait costs one
 * more 429, a wrong one would block the tier). With `maxAgeMs`, a read is reused that long: the wait is
 * asked for on every completion request, and another window's 429 may reach this one that much later.
 */
export function fileBackoffStore(path: string, opts: { maxAgeMs?: number; now?: () => number } = {}): BackoffStore {
  const now = opts.now ?? Date.now;
  let cached: { at: number; entries: Record<string, number> } | undefined;
  const readFile = (): Record<string, number> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {};
    }
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
      return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
    } catch {
      return {};
    }
  };
  return {
    read() {
      if (!cached || !(now() - cached.at < (opts.maxAgeMs ?? 0))) cached = { at: now(), entries: readFile() };
      return { ...cached.entries };
    },
    write(entries) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, JSON.stringify(entries));
      renameSync(tmp, path);
      cached = { at: now(), entries: { ...entries } };
    },
  };
}
