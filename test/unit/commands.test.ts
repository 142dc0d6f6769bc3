// package.json's contributed commands and the COMMANDS table name the same ids, so neither can drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMMANDS, INTERNAL_COMMANDS } from '../../src/core/commands';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command?: string; submenu?: string }[]>;
    keybindings?: { command: string }[];
  };
};
const table: string[] = Object.values(COMMANDS);
const contributed = pkg.contributes.commands.map((c) => c.command);

test('every contributed command is in the COMMANDS table and not marked internal', () => {
  for (const id of contributed) {
    assert.ok(table.includes(id), `${id} is contributed but missing from COMMANDS`);
    assert.ok(!(INTERNAL_COMMANDS as ReadonlySet<string>).has(id), `${id} is contributed but marked internal`);
  }
});

test('every command in the table is contributed, except the internal ones', () => {
  const missing = table.filter((id) => !contributed.includes(id) && !(INTERNAL_COMMANDS as ReadonlySet<string>).has(id));
  assert.deepEqual(missing, []);
});

test('the table has no id twice', () => {
  assert.equal(new Set(table).size, table.length);
});

test('menus and keybindings name only contributed commands', () => {
  const used = [
    ...Object.values(pkg.contributes.menus).flat().flatMap((m) => (m.command ? [m.command] : [])),
    ...(pkg.contributes.keybindings ?? []).map((k) => k.command),
  ];
  assert.ok(used.length > 0);
  for (const id of used) assert.ok(contributed.includes(id), `${id} is in a menu or keybinding but not contributed`);
});
