// Vocabulary shared by every part of Switchyard. Plain data, no behaviour.

export type RequestKind = 'completion' | 'ask' | 'refactor' | 'architecture';

/** Where an endpoint's bytes go. `machine`: loopback only; `network`: a trusted private host; `cloud`: anything else. */
export type EndpointClass = 'machine' | 'network' | 'cloud';

export type Route = 'local' | 'cloud' | 'blocked';

export type Outcome = 'served' | 'cancelled' | 'cached' | 'failed' | 'blocked';

export type LocalProviderId = 'ollama' | 'openai-compatible' | 'embedded';
export type CloudProviderId = 'openai' | 'anthropic';

/** How a cloud provider is named to the user. */
export const CLOUD_PROVIDER_NAMES: Readonly<Record<CloudProviderId, string>> = { openai: 'OpenAI', anthropic: 'Anthropic' };
/** The team tier: a shared inference server on the team's network (vLLM, llama.cpp server, TGI, Ollama). */
export type TeamProviderId = 'team';
export type ProviderId = LocalProviderId | TeamProviderId | CloudProviderId;

export const LOCAL_PROVIDERS: readonly LocalProviderId[] = ['ollama', 'openai-compatible', 'embedded'];
export const CLOUD_PROVIDERS: readonly CloudProviderId[] = ['openai', 'anthropic'];

export function isCloudProvider(p: string): p is CloudProviderId {
  return (CLOUD_PROVIDERS as readonly string[]).includes(p);
}

/** Token counts. Provider-reported where available; cache fields only for providers that report them. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/**
 * One model call, as it happened. Emitted by completions and commands, consumed by the ledger,
 * the status bar and the log. Never carries prompt or completion text.
 */
export interface ModelCallEvent {
  id: string;
  /** ISO-8601 time the call started. */
  time: string;
  kind: RequestKind;
  route: Route;
  reasons: string[];
  provider: ProviderId;
  model: string;
  endpointClass: EndpointClass;
  /** Estimated before the call. */
  estimated: TokenUsage;
  /** As reported by the provider; absent when the call produced no usage (blocked, failed early, cached). */
  usage?: TokenUsage;
  /** Time to first token, ms. */
  ttftMs?: number;
  /** How the server says it spent the time, where it reports it (see ServerTiming). */
  timing?: ServerTiming;
  /** Wall time of the call, ms (for local calls this is the inference time that local cost is charged for). */
  totalMs: number;
  outcome: Outcome;
  /** Short, secret-free description of a failure or block. */
  error?: string;
}

/** Cloud spend against the configured caps. A cap of 0 means none. */
export interface BudgetState {
  dailySpentUsd: number;
  monthlySpentUsd: number;
  dailyCapUsd: number;
  monthlyCapUsd: number;
  /** A cap is reached: the router keeps requests local (reason "budget"). */
  exceeded: boolean;
  /** Spend passed the warning threshold of a cap. */
  warning: boolean;
}

/**
 * How a model server says it spent a call's time, in ms - only figures the server reported:
 * llama.cpp server's `timings` (prompt_ms, predicted_ms), TGI's `x-queue-time` / `x-inference-time`
 * headers, Ollama's load / prompt_eval / eval durations. vLLM's OpenAI server reports none.
 */
export interface ServerTiming {
  /** Waiting for a free slot before the model started (TGI). */
  queueMs?: number;
  /** Loading the model into memory (Ollama). */
  loadMs?: number;
  /** Processing the prompt: the server's part of the time to first token (llama.cpp, Ollama). */
  prefillMs?: number;
  /** Generating the answer after the first token's prefill (llama.cpp, Ollama). */
  generationMs?: number;
  /** Prefill and generation together, where the server does not split them (TGI). */
  inferenceMs?: number;
}
