// Helpers for the privacy suites (bundled into each suite's test file).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';

export async function activate(): Promise<SwitchyardApi> {
  const ext = vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard');
  assert.ok(ext, 'extension not installed');
  return ext.activate();
}

/**
 * A model server "on another host". `.invalid` names never resolve (RFC 6761), so nothing can be
 * reached there even by mistake; the classifier must still refuse it before any connection.
 */
export const REMOTE_HOST_URL = 'http://team-gpu.invalid:11434';

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
