import * as vscode from 'vscode';
import { parseSettings, SECTION, type ParsedSettings, type RawSettings, type SettingKey, type SettingValues, type Settings } from '../core/settings';
import { Emitter } from '../core/events';

type ConfigurationSection = { properties?: Record<string, unknown> };

/** Every key this extension contributes, relative to the `switchyard.` section (one section or titled sections). */
function contributedKeys(extension: vscode.Extension<unknown> | undefined): string[] {
  const config = (extension?.packageJSON as { contributes?: { configuration?: ConfigurationSection | ConfigurationSection[] } })
    ?.contributes?.configuration;
  const sections = Array.isArray(config) ? config : config ? [config] : [];
  return sections.flatMap((c) => Object.keys(c.properties ?? {}))
    .filter((k) => k.startsWith(`${SECTION}.`)).map((k) => k.slice(SECTION.length + 1));
}

/** Reads VS Code configuration, per scope, into the raw shape core validates. */
export function readRawSettings(keys: readonly string[], scope?: vscode.ConfigurationScope): RawSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope ?? null);
  const raw: Record<string, RawSettings[string]> = {};
  for (const key of keys) {
    const i = config.inspect(key);
    if (!i) continue;
    raw[key] = {
      defaultValue: i.defaultValue,
      globalValue: i.globalValue,
      workspaceValue: i.workspaceValue,
      workspaceFolderValue: i.workspaceFolderValue,
    };
  }
  return raw;
}

/**
 * The one place settings are read. Holds the current validated settings, re-reads on change,
 * and reports each bad value once, naming the setting.
 */
export class SettingsStore implements vscode.Disposable {
  private parsed: ParsedSettings;
  private readonly keys: string[];
  private readonly reported = new Set<string>();
  private readonly subscription: vscode.Disposable;
  /** Settings as each workspace folder sees them (its own `.vscode/settings.json` included), by folder URI. */
  private folders = new Map<string, ParsedSettings>();
  readonly onDidChange = new Emitter<Settings>();

  constructor(extension: vscode.Extension<unknown> | undefined, private readonly report: (message: string) => void) {
    this.keys = contributedKeys(extension);
    this.parsed = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      this.parsed = this.read();
      this.folders = new Map();
      this.onDidChange.emit(this.parsed.settings);
    });
  }

  /**
   * The settings of one workspace folder: read with the folder as the resource scope, so the
   * folder's own values count (VS Code returns folder values only to a scoped read). Settings that a
   * workspace may only tighten are already the strictest of the user's, the workspace's and the folder's.
   */
  forFolder(folder: vscode.Uri): Settings {
    const key = folder.toString();
    let parsed = this.folders.get(key);
    if (!parsed) {
      parsed = this.read(folder);
      this.folders.set(key, parsed);
    }
    return parsed.settings;
  }

  get current(): Settings {
    return this.parsed.settings;
  }

  get problems(): ParsedSettings['problems'] {
    return this.parsed.problems;
  }

  private read(scope?: vscode.Uri): ParsedSettings {
    const parsed = parseSettings(readRawSettings(this.keys, scope));
    for (const p of parsed.problems) {
      if (this.reported.has(p.message)) continue;
      this.reported.add(p.message);
      this.report(p.message);
    }
    return parsed;
  }

  dispose(): void {
    this.subscription.dispose();
    this.onDidChange.clear();
  }
}

/**
 * Writes one Switchyard setting: the key must be one the settings reader knows and the value of its type
 * (`undefined` removes the value at `target`).
 */
export function updateSetting<K extends SettingKey>(key: K, value: SettingValues[K] | undefined, target: vscode.ConfigurationTarget, scope?: vscode.ConfigurationScope): Thenable<void> {
  return vscode.workspace.getConfiguration(SECTION, scope).update(key, value, target);
}
