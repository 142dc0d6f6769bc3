import type * as vscode from 'vscode';
import type { Disposable, Emitter } from '../core/events';
import type { Classification } from '../core/privacy/node/endpoints';
import type { EgressGate } from '../core/privacy/node/gate';
import type { PrivacyPolicy } from '../core/privacy/policy';
import type { SecretsVerdict } from '../core/privacy/secrets';
import type { EmbeddedIdentity } from '../core/providers/embedded/node/identity';
import type { ChatProvider, FimProvider, ModelCatalog } from '../core/providers/types';
import type { BudgetState, EndpointClass, LocalProviderId, ModelCallEvent, ProviderId, TokenUsage } from '../core/types';
import type { Log } from './log';
import type { SettingsStore } from './settings';
import type { StatusBar } from './statusBar';
import type { TeamService } from './team';
import type { CostFeature } from './cost';
import type { LocalModelsService } from './localModels';

/** What the privacy area offers the rest of the extension. */
export interface PrivacyService {
  /** The window's policy: the strictest of every workspace folder's. For content of unknown origin. Fails closed. */
  policy(): PrivacyPolicy;
  /**
   * The policy of content from these files or folders (URI strings): the strictest of every folder
   * they lie in; anything outside every folder gets the window's policy. Empty: the window's.
   */
  policyFor(sources?: readonly string[]): PrivacyPolicy;
  /** Where a URL's bytes go, after name resolution. */
  classify(url: URL): Promise<EndpointClass>;
  /** True when the file may not be sent to the cloud nor used as context. Resolves symlinks. */
  isExcluded(uri: vscode.Uri): Promise<boolean>;
  /**
   * Same without symlink resolution, for listing: a URI is checked against the folders it lies in,
   * a bare relative path against every folder. True while the exclusions are not known yet.
   */
  isExcludedPath(path: string | vscode.Uri): boolean;
  /** Where a URL's bytes go, with the addresses checked and plain-words detail. */
  classifyDetailed(url: URL): Promise<Classification>;
  /**
   * Scans cloud-bound text for secrets and applies the user's choice: `send` (nothing found),
   * `redact` (send the returned text) or `keep-local` (do not send to the cloud; `reason` says why).
   */
  checkSecrets(text: string, source?: string): Promise<SecretsVerdict>;
  /** Fires when a policy changes (marker file, settings, Workspace Trust); dispose() unsubscribes. */
  onDidChangePolicy(listener: (policy: PrivacyPolicy) => void): Disposable;
  /** Fires when exclusions change (settings, an ignore file): cached verdicts are stale. */
  onDidChangeExclusions(listener: () => void): Disposable;
}

/** The window-wide parts, created first in activate(); the services below are built from them. */
export interface CoreServices {
  context: vscode.ExtensionContext;
  settings: SettingsStore;
  log: Log;
  status: StatusBar;
  /** Every model call, as it happened: the ledger, log and status bar listen here. */
  events: Emitter<ModelCallEvent>;
  privacy: PrivacyService;
  /** The one door to the network for provider traffic. */
  gate: EgressGate;
}

/** Everything features are registered with: every service is built before the first feature. */
export interface Services extends CoreServices {
  /** The ledger, budgets and prices. */
  cost: CostFeature;
  /** The configured local model server. */
  local: LocalModelsService;
  /** The team tier (a shared inference server). */
  team: TeamService;
}

/** What the cost area offers: budgets for the router and prices for estimates. */
export interface CostService {
  budget(): BudgetState;
  /** USD for a usage on a model, from the bundled price table (with setting overrides); undefined if unknown. */
  priceUsd(provider: ProviderId, model: string, usage: TokenUsage): number | undefined;
  /** Whether priceUsd assumes a conservative price for this cloud model (it has no known price). */
  priceAssumed(provider: ProviderId, model: string): boolean;
}

/** The configured local model server, built through the egress gate. Owned by the completion area. */
export interface LocalModels {
  /**
   * What serves now, with the models that actually run (for the embedded engine: its GGUF file, and
   * `embedded` describes it).
   */
  current(): {
    id: LocalProviderId; baseUrl: string; completionModel: string; chatModel: string;
    embedded?: EmbeddedIdentity;
  };
  fim(): FimProvider;
  /** The chat provider; with `sources`, its requests carry them to the gate (their policy, not the window's). */
  chat(sources?: readonly string[]): ChatProvider;
  catalog(): ModelCatalog;
  /** Last known health; undefined until checked. */
  healthy(): boolean | undefined;
  /** The embedded engine registers its provider here (undefined to unregister). */
  setEmbedded(provider: (FimProvider & ChatProvider & ModelCatalog) | undefined): void;
}
