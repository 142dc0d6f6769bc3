// The typed setting keys (read and written) and package.json's contributed configuration name the same settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SETTING_TYPES, type SettingKey, type SettingValues } from '../../src/core/settings/keys';

const ROOT = resolve(__dirname, '../..');
type ConfigurationSection = { properties: Record<string, unknown> };
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: ConfigurationSection | ConfigurationSection[] } };
const contributed = ([] as ConfigurationSection[]).concat(pkg.contributes.configuration)
  .flatMap((s) => Object.keys(s.properties)).map((k) => k.replace(/^switchyard\./, '')).sort();

test('every contributed setting has a typed key and every typed key is contributed', () => {
  assert.deepEqual(Object.keys(SETTING_TYPES).sort(), contributed);
});

// Checked by `npm run typecheck` (each @ts-expect-error fails the check if its line compiles): writes are keyed
// and typed by SETTING_TYPES, so an unknown key or a value of the wrong type is a type error.
export const typeChecks = [
  // @ts-expect-error: not a Switchyard setting
  'completion.enable' satisfies SettingKey,
  // @ts-expect-error: completion.enabled holds a boolean
  'yes' satisfies SettingValues['completion.enabled'],
  // @ts-expect-error: not one of local.provider's choices
  'lmstudio' satisfies SettingValues['local.provider'],
  true satisfies SettingValues['completion.enabled'],
];
