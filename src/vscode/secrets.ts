import * as vscode from 'vscode';
import { rememberKey } from '../core/privacy/knownKeys';
import { CLOUD_PROVIDER_NAMES, CLOUD_PROVIDERS, type CloudProviderId } from '../core/types';
import { COMMANDS } from '../core/commands';

/**
 * Cloud API keys, kept only in VS Code's SecretStorage (the OS keychain where available).
 * Never in settings, logs, the ledger, error messages or the webview.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private static storageKey(provider: CloudProviderId): string {
    return `switchyard.apiKey.${provider}`;
  }

  async get(provider: CloudProviderId): Promise<string | undefined> {
    const key = await this.secrets.get(ApiKeys.storageKey(provider));
    // Every key in use is known to the redactor, so no error text can carry it.
    rememberKey(key);
    return key && key.trim() !== '' ? key.trim() : undefined;
  }

  async set(provider: CloudProviderId, key: string): Promise<void> {
    rememberKey(key);
    await this.secrets.store(ApiKeys.storageKey(provider), key.trim());
  }

  async clear(provider: CloudProviderId): Promise<void> {
    await this.secrets.delete(ApiKeys.storageKey(provider));
  }

  async has(provider: CloudProviderId): Promise<boolean> {
    return (await this.get(provider)) !== undefined;
  }

  /** Fires when any provider's key is stored or deleted (also from another window). */
  onDidChange(listener: (provider: CloudProviderId) => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      const provider = CLOUD_PROVIDERS.find((p) => e.key === ApiKeys.storageKey(p));
      if (provider) listener(provider);
    });
  }
}

let shared: ApiKeys | undefined;

/** The one ApiKeys instance of this extension host (created by registerApiKeyCommands). */
export function apiKeys(secrets?: vscode.SecretStorage): ApiKeys {
  if (!shared) {
    if (!secrets) throw new Error('API key storage is not ready yet.');
    shared = new ApiKeys(secrets);
  }
  return shared;
}

async function pickProvider(keys: ApiKeys, placeHolder: string, arg?: unknown): Promise<CloudProviderId | undefined> {
  if (typeof arg === 'string' && (CLOUD_PROVIDERS as readonly string[]).includes(arg)) return arg as CloudProviderId;
  const items = await Promise.all(CLOUD_PROVIDERS.map(async (p) => ({
    label: CLOUD_PROVIDER_NAMES[p],
    description: (await keys.has(p)) ? 'key stored' : 'no key',
    provider: p,
  })));
  return (await vscode.window.showQuickPick(items, { placeHolder }))?.provider;
}

/** `switchyard.setApiKey` and `switchyard.clearApiKey`; an optional provider id argument skips the pick. */
export function registerApiKeyCommands(context: vscode.ExtensionContext, log: { info(m: string): void }): ApiKeys {
  const keys = apiKeys(context.secrets);
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.setApiKey, async (arg?: unknown) => {
      const provider = await pickProvider(keys, 'Set the API key of which cloud provider?', arg);
      if (!provider) return;
      const key = await vscode.window.showInputBox({
        title: `Switchyard: ${CLOUD_PROVIDER_NAMES[provider]} API key`,
        prompt: 'Stored in VS Code\'s secret storage on this machine only; never written to settings or logs.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Enter a key, or press Escape to cancel.' : /\s/.test(v.trim()) ? 'An API key has no spaces.' : undefined),
      });
      if (key === undefined) return;
      await keys.set(provider, key);
      log.info(`${CLOUD_PROVIDER_NAMES[provider]} API key stored in secret storage.`);
      void vscode.window.showInformationMessage(`Switchyard: ${CLOUD_PROVIDER_NAMES[provider]} API key stored.`);
    }),
    vscode.commands.registerCommand(COMMANDS.clearApiKey, async (arg?: unknown) => {
      const provider = await pickProvider(keys, 'Clear the API key of which cloud provider?', arg);
      if (!provider) return;
      await keys.clear(provider);
      log.info(`${CLOUD_PROVIDER_NAMES[provider]} API key removed from secret storage.`);
      void vscode.window.showInformationMessage(`Switchyard: ${CLOUD_PROVIDER_NAMES[provider]} API key cleared.`);
    }),
  );
  return keys;
}
