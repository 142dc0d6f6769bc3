// The completion pipeline's contract: what a caller asks, what it gets back, and what the pipeline
// needs from its host (clock, settings, provider, ledger).
import type { ProviderError, FimProvider } from '../providers/types';
import type { EndpointClass, LocalProviderId, ModelCallEvent } from '../types';
import type { Clock } from './clock';
import type { Snippet } from './templates';
import type { LineSource } from './window';
import type { CompletionSettings } from '../settings/completion';

export interface CompletionRequest {
  /** Identity of the editor/document; one request in flight per key. */
  docKey: string;
  doc: LineSource;
  line: number;
  character: number;
  languageId: string;
  /** Workspace-relative path, forward slashes. */
  path: string;
  repoName?: string;
  /** Stable snippets of other open files (already filtered for exclusions). */
  snippets?: readonly Snippet[];
  /** The user asked explicitly (e.g. Alt+\\): no debounce. */
  immediate?: boolean;
  /**
   * URIs of the document and of the open files its snippets come from: a provider off this machine
   * (the team server) is chosen, and its bytes judged, by the privacy of exactly these.
   */
  sources?: readonly string[];
}

export type ResultSource = 'model' | 'reuse' | 'cache' | 'typing-through';

export interface CompletionResult {
  text: string;
  source: ResultSource;
  /**
   * Characters after the cursor on its line that the text replaces: the auto-closed brackets and
   * quote it supplies itself. Absent when it replaces nothing.
   */
  replace?: number;
}

export interface ActiveProvider {
  /** A machine-tier server, or the team server. */
  id: LocalProviderId | 'team';
  fim: FimProvider;
  model: string;
  endpointClass: EndpointClass;
  /** The prompt window this server takes, when it says (the team server's context); else the setting. */
  contextTokens?: number;
}

export type PipelineSettings = Pick<CompletionSettings, 'debounceMs' | 'adaptiveDebounce' | 'maxTokens' | 'temperature'
  | 'contextTokens' | 'template' | 'keepAlive' | 'multiline' | 'timeoutMs' | 'slowMs'>;

export type PipelineState = 'ready' | 'thinking' | 'slow';

export interface PipelineDeps {
  clock: Clock;
  settings: () => PipelineSettings;
  /** The local provider to use now for `req`; undefined when none is usable (then no request is made). */
  provider: (req?: CompletionRequest) => ActiveProvider | undefined;
  /** Every model call, once. */
  emit: (event: ModelCallEvent) => void;
  /** A request to `provider` failed: the caller updates health, offers a pull for a missing model, etc. */
  onError?: (error: ProviderError, provider: ActiveProvider) => void;
  /** A request to `provider` succeeded: that server is up. */
  onSuccess?: (provider: ActiveProvider) => void;
  onState?: (state: PipelineState) => void;
  /**
   * A block whose first lines were shown while it streamed is complete, and the editor still shows
   * those lines: ask again (the editor's "trigger inline suggestion") to show all of it, from the cache.
   */
  onMore?: (docKey: string) => void;
  /** Overrides the share of the window after the cursor (the benchmark compares shares). */
  suffixShare?: number;
  now?: () => Date;
}

/** Counters for the status bar, tests and the benchmark. */
export interface PipelineStats {
  requests: number;
  served: number;
  cancelled: number;
  failed: number;
  cacheHits: number;
  typingThroughHits: number;
  reuseHits: number;
  /** Tokens the server generated (its own count when it reported one). */
  generatedTokens: number;
  /** Generated tokens that ended up in a suggestion that was returned for display. */
  shownTokens: number;
  /** Wall time requests spent at the server, ms. */
  modelMs: number;
}
