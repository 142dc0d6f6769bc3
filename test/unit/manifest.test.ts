// package.json sanity: what the manifest promises matches what the code reads and VS Code accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSettings, SECTION, type RawSettings } from '../../src/core/settings';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  icon: string;
  engines: { vscode: string };
  activationEvents?: string[];
  capabilities?: { untrustedWorkspaces?: { supported: unknown } };
  devDependencies: Record<string, string>;
  contributes: {
    commands: { command: string; title?: string; category?: string }[];
    configuration: ConfigurationSection | ConfigurationSection[];
    languages?: { id: string }[];
    grammars?: { language: string; path: string }[];
  };
};
type ConfigurationSection = { title?: string; properties: Record<string, { scope?: string; type?: unknown; default?: unknown; description?: string; markdownDescription?: string }> };
const sections = ([] as ConfigurationSection[]).concat(pkg.contributes.configuration);
const properties = Object.assign({}, ...sections.map((s) => s.properties)) as ConfigurationSection['properties'];
/** The VS Code version the tests run against (code-server 4.139.1). */
const TESTED_VSCODE = '1.139.1';

type Version = [number, number, number];
function parseVersion(v: string): Version {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v);
  assert.ok(m, `not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
/** Whether a `^x.y.z` or `>=x.y.z` range admits `version` (the forms VS Code's engines field uses). */
function admits(range: string, version: string): boolean {
  const v = parseVersion(version);
  const min = parseVersion(range);
  if (range.startsWith('^')) return compare(v, min) >= 0 && (min[0] > 0 ? v[0] === min[0] : v[1] === min[1]);
  if (range.startsWith('>=')) return compare(v, min) >= 0;
  return compare(v, min) === 0;
}

/** The keys (relative to `switchyard.`) that parseSettings asks the raw settings for. */
function keysReadByParseSettings(): Set<string> {
  const asked = new Set<string>();
  const raw = new Proxy({} as RawSettings, {
    get(_target, key) {
      if (typeof key === 'string') asked.add(key);
      return undefined;
    },
  });
  parseSettings(raw);
  return asked;
}

test('every contributed command has a title and the Switchyard category', () => {
  assert.ok(pkg.contributes.commands.length > 0);
  for (const c of pkg.contributes.commands) {
    assert.match(c.command, /^switchyard\./, `${c.command} id`);
    assert.ok(c.title?.trim(), `${c.command} has no title`);
    assert.equal(c.category, 'Switchyard', `${c.command} category`);
  }
});

test('every contributed setting is read by the settings reader, and every read key is contributed', () => {
  const contributed = Object.keys(properties).filter((k) => k.startsWith(`${SECTION}.`)).map((k) => k.slice(SECTION.length + 1)).sort();
  const read = [...keysReadByParseSettings()].sort();
  assert.ok(read.length > 0, 'the reader asked for no keys: the instrumentation broke');
  assert.deepEqual(contributed.filter((k) => !read.includes(k)), [], 'contributed in package.json but never read');
  assert.deepEqual(read.filter((k) => !contributed.includes(k)), [], 'read by the code but missing from package.json');
});

test('the defaults in package.json are valid for the settings reader', () => {
  const raw: Record<string, { defaultValue: unknown }> = {};
  for (const [key, p] of Object.entries(properties)) {
    if (key.startsWith(`${SECTION}.`)) raw[key.slice(SECTION.length + 1)] = { defaultValue: p.default };
  }
  assert.deepEqual(parseSettings(raw).problems.map((p) => p.message), []);
});

test('every setting has a type, a default, a description and a scope', () => {
  for (const [key, p] of Object.entries(properties)) {
    assert.ok(p.type !== undefined, `${key} type`);
    assert.ok('default' in p, `${key} default`);
    assert.ok((p.markdownDescription ?? p.description)?.trim(), `${key} description`);
    assert.ok(['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable'].includes(p.scope ?? ''), `${key} scope "${p.scope}"`);
  }
});

test('endpoint and provider settings cannot be set by a workspace (machine or application scope)', () => {
  const sensitive = Object.keys(properties).filter((k) =>
    /^switchyard\.local\.[^.]*Url$/.test(k)
    || k === 'switchyard.local.provider'
    || k.startsWith('switchyard.cloud.')
    || k === 'switchyard.privacy.trustedNetworkHosts'
    || k.startsWith('switchyard.team.')
    || k.startsWith('switchyard.usageExport.'));
  assert.ok(sensitive.includes('switchyard.local.ollamaUrl') && sensitive.includes('switchyard.cloud.provider'));
  for (const key of sensitive) {
    assert.ok(['machine', 'application'].includes(properties[key].scope ?? ''), `${key} has scope "${properties[key].scope}"`);
  }
});

test('engines.vscode admits the tested VS Code and @types/vscode is not newer than it', () => {
  assert.ok(admits(pkg.engines.vscode, TESTED_VSCODE), `engines.vscode ${pkg.engines.vscode} excludes ${TESTED_VSCODE}`);
  const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/vscode/package.json'), 'utf8')) as { version: string };
  const engineMin = parseVersion(pkg.engines.vscode);
  assert.ok(compare(parseVersion(installed.version), engineMin) <= 0,
    `@types/vscode ${installed.version} is newer than engines.vscode ${pkg.engines.vscode}: the API types would promise what older editors lack`);
  assert.ok(compare(parseVersion(pkg.devDependencies['@types/vscode']), engineMin) <= 0, '@types/vscode range');
  // Sanity of the range check itself.
  assert.equal(admits('^1.96.0', '1.139.1'), true);
  assert.equal(admits('^1.140.0', '1.139.1'), false);
});

test('activation is cheap and the workspace-trust capability is declared', () => {
  assert.ok(!(pkg.activationEvents ?? []).includes('*'), 'activation on "*" slows every window');
  assert.ok(pkg.capabilities?.untrustedWorkspaces?.supported !== undefined);
});

test('files the manifest points at exist', () => {
  assert.ok(existsSync(join(ROOT, pkg.icon)), pkg.icon);
  assert.match(pkg.main, /^\.\/dist\/extension\.js$/);
  for (const g of pkg.contributes.grammars ?? []) {
    assert.ok(existsSync(join(ROOT, g.path)), g.path);
    assert.ok(pkg.contributes.languages?.some((l) => l.id === g.language), `grammar for unknown language ${g.language}`);
  }
});
