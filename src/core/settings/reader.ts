// Turns raw configuration values into typed, validated values. A bad value never throws:
// it yields a problem that names the setting, and the safe fallback is used instead.

import type { SettingKey } from './keys';

/** One setting's values per scope, as VS Code's `inspect()` reports them. */
export interface RawValue {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Keys are relative to the `switchyard.` section, e.g. `completion.debounceMs`. */
export type RawSettings = Readonly<Record<string, RawValue | undefined>>;

export interface SettingProblem {
  /** Full setting id, e.g. `switchyard.completion.debounceMs`. */
  setting: string;
  message: string;
}

/**
 * How scopes combine for a key.
 * - `any`: the most specific value wins (folder > workspace > user > default).
 * - `user`: only the user's (or default) value; a workspace cannot change it. Used for endpoints,
 *   keys and anything that could redirect or loosen privacy.
 */
export type Resolution = 'any' | 'user';

/** One settings level: the user's (with the default), the workspace's, or a workspace folder's. */
export type Level = 'user' | 'workspace' | 'folder';

interface Common<T> {
  fallback: T;
  resolution?: Resolution;
}

export const SECTION = 'switchyard';

/** What a `record` item validator returns for a bad entry (a class, so string-valued records stay unambiguous). */
export class Invalid {
  constructor(readonly why: string) {}
}

export function invalid(why: string): Invalid {
  return new Invalid(why);
}

export class SettingsReader {
  /**
   * `only`: which values this reader sees - all of them (unset), only the user's (or the default),
   * only the workspace's, or only the folder's. See `level()`.
   */
  constructor(private readonly raw: RawSettings, readonly problems: SettingProblem[] = [], private readonly only?: Level) {}

  /**
   * A reader of one level's values, sharing this reader's problems. For settings a workspace or a
   * folder may only tighten: read every level and keep the strictest value. (In a multi-root window
   * the workspace level is the `.code-workspace` file and the folder level a folder's
   * `.vscode/settings.json`; in a single-folder window that file is the workspace level.)
   */
  level(level: Level): SettingsReader {
    return new SettingsReader(this.raw, this.problems, level);
  }

  /** The value for `key` under `resolution`, or undefined when no scope sets one. */
  value(key: SettingKey, resolution: Resolution = 'any'): unknown {
    const v = this.raw[key];
    if (!v) return undefined;
    if (this.only === 'workspace') return resolution === 'user' ? undefined : v.workspaceValue;
    if (this.only === 'folder') return resolution === 'user' ? undefined : v.workspaceFolderValue;
    if (resolution === 'user' || this.only === 'user') return v.globalValue ?? v.defaultValue;
    return v.workspaceFolderValue ?? v.workspaceValue ?? v.globalValue ?? v.defaultValue;
  }

  /** Every value set for `key` in the levels this reader sees (default included with the user's). */
  allValues(key: SettingKey): unknown[] {
    const v = this.raw[key];
    if (!v) return [];
    const values = this.only === 'user' ? [v.defaultValue, v.globalValue]
      : this.only === 'workspace' ? [v.workspaceValue]
      : this.only === 'folder' ? [v.workspaceFolderValue]
      : [v.defaultValue, v.globalValue, v.workspaceValue, v.workspaceFolderValue];
    return values.filter((x) => x !== undefined);
  }

  problem(key: SettingKey, message: string): void {
    this.problems.push({ setting: `${SECTION}.${key}`, message: `Setting "${SECTION}.${key}" ${message}` });
  }

  boolean(key: SettingKey, opts: Common<boolean>): boolean {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    if (typeof v === 'boolean') return v;
    this.problem(key, `must be true or false; using ${opts.fallback}.`);
    return opts.fallback;
  }

  /** True if any scope sets it true: for settings that may only tighten (a workspace can turn them on, never off). */
  anyTrue(key: SettingKey): boolean {
    const values = this.allValues(key);
    for (const v of values) {
      if (v !== undefined && typeof v !== 'boolean') {
        this.problem(key, 'must be true or false; treating it as true to stay on the safe side.');
        return true;
      }
    }
    return values.some((v) => v === true);
  }

  number(key: SettingKey, opts: Common<number> & { min?: number; max?: number; integer?: boolean }): number {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    const ok = typeof v === 'number' && Number.isFinite(v)
      && (opts.min === undefined || v >= opts.min)
      && (opts.max === undefined || v <= opts.max)
      && (!opts.integer || Number.isInteger(v));
    if (ok) return v as number;
    const range = opts.min !== undefined && opts.max !== undefined ? ` between ${opts.min} and ${opts.max}`
      : opts.min !== undefined ? ` of at least ${opts.min}` : opts.max !== undefined ? ` of at most ${opts.max}` : '';
    this.problem(key, `must be ${opts.integer ? 'a whole number' : 'a number'}${range}; got ${describe(v)}, using ${opts.fallback}.`);
    return opts.fallback;
  }

  string(key: SettingKey, opts: Common<string> & { nonEmpty?: boolean }): string {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    if (typeof v === 'string' && (!opts.nonEmpty || v.trim() !== '')) return v;
    this.problem(key, `must be ${opts.nonEmpty ? 'a non-empty' : 'a'} string; got ${describe(v)}, using "${opts.fallback}".`);
    return opts.fallback;
  }

  oneOf<T extends string>(key: SettingKey, options: readonly T[], opts: Common<T>): T {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    this.problem(key, `must be one of ${options.map((o) => `"${o}"`).join(', ')}; got ${describe(v)}, using "${opts.fallback}".`);
    return opts.fallback;
  }

  stringArray(key: SettingKey, opts: Common<string[]>): string[] {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    this.problem(key, `must be a list of strings; got ${describe(v)}, using the default.`);
    return opts.fallback;
  }

  /** Concatenation of the lists set in every scope: for lists that may only grow (exclusions). */
  unionStringArray(key: SettingKey): string[] {
    const out: string[] = [];
    for (const v of this.allValues(key)) {
      if (Array.isArray(v)) {
        for (const x of v) if (typeof x === 'string') out.push(x);
        if (v.some((x) => typeof x !== 'string')) this.problem(key, 'must contain only strings; other entries are ignored.');
      } else {
        this.problem(key, `must be a list of strings; got ${describe(v)}, ignoring that value.`);
      }
    }
    return [...new Set(out)];
  }

  /** An http(s) URL, normalised without a trailing slash. */
  url(key: SettingKey, opts: Common<string>): string {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    if (typeof v === 'string') {
      try {
        const u = new URL(v);
        if (u.protocol === 'http:' || u.protocol === 'https:') return v.replace(/\/+$/, '');
      } catch {
        // fall through to the problem below
      }
    }
    this.problem(key, `must be an http:// or https:// URL; got ${describe(v)}, using "${opts.fallback}".`);
    return opts.fallback;
  }

  /**
   * An object whose values are each validated by `item`, which returns the value or `invalid(why)`;
   * bad entries are dropped with a problem naming the entry.
   */
  record<T>(key: SettingKey, item: (value: unknown, entry: string) => T | Invalid, opts: Common<Record<string, T>>): Record<string, T> {
    const v = this.value(key, opts.resolution);
    if (v === undefined) return opts.fallback;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.problem(key, `must be an object; got ${describe(v)}, using the default.`);
      return opts.fallback;
    }
    const out: Record<string, T> = {};
    for (const [entry, value] of Object.entries(v)) {
      const parsed = item(value, entry);
      if (parsed instanceof Invalid) this.problem(key, `entry "${entry}" ${parsed.why}; ignoring it.`);
      else out[entry] = parsed;
    }
    return out;
  }

}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}
