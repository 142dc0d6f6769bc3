// Helpers for the privacy suites (bundled into each suite's test file).
import * as assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';

export async function activate(): Promise<SwitchyardApi> {
  const ext = vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard');
  assert.ok(ext, 'extension not installed');
  return ext.activate();
}

/**
 * A non-loopback address of this machine. A fake server bound there is, to the classifier, a
 * host off the machine - yet a leak would still be recorded by it, so "zero requests" means something.
 */
export function offMachineAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return undefined;
}

/** The ProviderError('blocked') somewhere in an SDK error's cause chain. */
export function blockedCause(err: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = err, i = 0; e && i < 6; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: string }).code === 'blocked') return e as { code: string; message: string };
  }
  return undefined;
}

export async function until(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
