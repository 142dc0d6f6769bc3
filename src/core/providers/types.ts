import type { ProviderId, ServerTiming, TokenUsage } from '../types';

/** The outcome of one streamed model call. */
export interface StreamResult {
  text: string;
  /** Provider-reported usage (Ollama prompt_eval_count/eval_count, OpenAI usage, Anthropic usage). */
  usage?: TokenUsage;
  /** Why generation ended. */
  finishReason: 'stop' | 'length' | 'cancelled';
  /** Per-token log-probabilities when the server returned them. */
  logprobs?: number[];
  ttftMs?: number;
  /** The server's own split of the time, where it reports one. */
  timing?: ServerTiming;
  totalMs: number;
  /** The model that actually ran, as the server or engine reported it (it may differ from the one asked for). */
  model?: string;
}

/** A fill-in-the-middle request. `prompt` is a fully templated raw prompt when `raw` is set. */
export interface FimRequest {
  model: string;
  prefix: string;
  suffix: string;
  /** When set, the provider sends this text verbatim (the model family's FIM template already applied). */
  rawPrompt?: string;
  /**
   * The file-path header and snippets of other files as comments, for prompts the server templates
   * itself (Ollama's native `suffix`, an OpenAI-compatible `suffix`): sent before the prefix.
   */
  header?: string;
  /** Called with the prompt text (and suffix) as it is sent, so the ledger counts what went out. */
  onSend?: (prompt: string, suffix?: string) => void;
  maxTokens: number;
  temperature: number;
  stop: string[];
  /** Ollama keep_alive, e.g. "30m". */
  keepAlive?: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number;
  temperature?: number;
  /** Ask for token log-probabilities where the provider supports them. */
  logprobs?: boolean;
}

export interface ModelInfo {
  name: string;
  sizeBytes?: number;
  family?: string;
}

export interface HealthResult {
  ok: boolean;
  /** A plain-words status, e.g. "Ollama 0.12.3 is running" or "nothing listens on 127.0.0.1:11434". */
  detail: string;
  version?: string;
}

/** Called with each streamed piece of text, in order. */
export type OnText = (delta: string) => void;

/** Common to every provider: identity and where its bytes go. */
export interface ProviderEndpoint {
  readonly id: ProviderId;
  /** Base URL (or `embedded:` for the in-process engine). */
  readonly baseUrl: string;
}

export interface FimProvider extends ProviderEndpoint {
  /** Streams a completion; rejects with ProviderError; resolves with finishReason 'cancelled' when aborted. */
  complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult>;
}

export interface ChatProvider extends ProviderEndpoint {
  chat(req: ChatRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult>;
}

export interface ModelCatalog {
  listModels(signal: AbortSignal): Promise<ModelInfo[]>;
  health(signal: AbortSignal): Promise<HealthResult>;
}

// The error every provider rejects with lives in core/errors.ts (the gate throws it too); re-exported
// here because it is part of the provider contract.
export { ProviderError, findProviderError, type ProviderErrorCode } from '../errors';
