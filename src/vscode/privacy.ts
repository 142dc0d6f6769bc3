// Privacy in the editor: the lock, marker and ignore file watching, blocked-call records and the
// commands (privacy/commands.ts), around the service (privacy/service.ts) that reads each folder's
// files (privacy/markers.ts).
import * as vscode from 'vscode';
import { newId } from '../core/ids';
import { IGNORE_FILE } from '../core/privacy/node/exclusions';
import { isModelRequest } from '../core/privacy/node/gate';
import { MARKER_FILE } from '../core/privacy/policy';
import { redactSecrets } from '../core/privacy/knownKeys';
import { registerPrivacyCommands } from './privacy/commands';
import type { PrivacyServiceImpl } from './privacy/service';
import { registerApiKeyCommands } from './secrets';
import type { Services } from './services';
import { errorMessage } from '../core/errors';

export { createPrivacyService, owningFolders, type PrivacyServiceImpl } from './privacy/service';

/**
 * Privacy commands, marker-file watching, API key commands, lock state, blocked-call records.
 * `privacy` is the service in s.privacy, with the refresh and editor-policy parts these need.
 */
export function registerPrivacyFeatures(s: Services, privacy: PrivacyServiceImpl): void {
  registerApiKeyCommands(s.context, s.log);

  // The lock shows the policy of the active editor's folder: what a request from there would get.
  const show = (): void => {
    const p = privacy.editorPolicy();
    s.status.update({ locked: p.neverLeaveMachine, lockReason: p.reason });
  };
  show();
  s.log.info(`Privacy: ${privacy.policy().reason}`);
  s.context.subscriptions.push(
    privacy.onDidChangePolicy((p) => {
      show();
      s.log.info(`Privacy changed: ${p.reason}`);
    }),
    vscode.window.onDidChangeActiveTextEditor(show),
  );

  // Marker and ignore files: created, changed or deleted in any folder root.
  const refresh = (): void => {
    void privacy.refresh().catch((err: unknown) => s.log.warn(`Privacy: could not re-read marker files: ${errorMessage(err)}`));
  };
  for (const name of [MARKER_FILE, IGNORE_FILE]) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${name}`);
    watcher.onDidCreate(refresh);
    watcher.onDidChange(refresh);
    watcher.onDidDelete(refresh);
    s.context.subscriptions.push(watcher);
  }
  s.context.subscriptions.push(
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    vscode.workspace.onDidGrantWorkspaceTrust(refresh),
    // A saved ignore file applies at once, even where file watching is slow or off.
    vscode.workspace.onDidSaveTextDocument((d) => {
      const name = d.uri.path.split('/').pop();
      if (name === IGNORE_FILE || name === MARKER_FILE) refresh();
    }),
  );
  refresh();

  // The last line of defence reports what it refused: a blocked model call for the ledger and log.
  const unsubscribe = s.gate.onBlocked((intent, url, decision) => {
    if (!isModelRequest(intent.purpose) || intent.provider === 'collector') return; // health checks, listings, pulls, usage export: the log line is enough
    s.events.emit({
      id: newId(),
      time: new Date().toISOString(),
      kind: intent.purpose,
      route: 'blocked',
      reasons: [decision.reason],
      provider: intent.provider,
      model: intent.model ?? '',
      endpointClass: decision.endpointClass,
      estimated: { promptTokens: 0, completionTokens: 0 },
      totalMs: 0,
      outcome: 'blocked',
      error: redactSecrets(`${url.host}: ${decision.reason}`),
    });
  });
  s.context.subscriptions.push({ dispose: unsubscribe });

  registerPrivacyCommands(s, privacy);
}
