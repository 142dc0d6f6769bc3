// The team tier: one shared inference server on the team's network (vLLM, llama.cpp server, TGI or
// Ollama), reached through its OpenAI-compatible API with the official `openai` client, a bearer token
// and, where the team runs its own CA, TLS that trusts it. What each server does differently:
//   - vLLM and TGI have no `suffix` on /v1/completions: FIM always goes as the family's raw template,
//     whose leading text the pipeline keeps stable so the server's automatic prefix cache hits;
//   - the prompt window is sized from the server's context length: vLLM's `max_model_len` in /v1/models,
//     llama.cpp's `default_generation_settings.n_ctx` in GET /props, TGI's `max_input_tokens` /
//     `max_total_tokens` in GET /info, Ollama's `num_ctx` or `<arch>.context_length` from POST /api/show;
//   - the time split the server reports (llama.cpp `timings`, TGI's timing headers) goes to the ledger;
//   - 429 / 503 with Retry-After: every editor on this machine waits as asked (SharedBackoff);
//   - health from GET /health (vLLM, TGI, llama.cpp) or /v1/models (Ollama, and as a fallback).
import type OpenAI from 'openai';
import { familyForModel } from '../completion/templates';
import type { RequestKind } from '../types';
import { parseRetryAfter, type Backoff } from './backoff';
import { llamaCppTiming, tgiTiming } from './serverTiming';
import { callFetch, mapLocalError, runStream, timeoutSignal, type ErrorContext, type FetchFor } from './local';
import { findProviderError, ProviderError, type ChatProvider, type ChatRequest, type FimProvider, type FimRequest, type HealthResult, type ModelCatalog, type ModelInfo, type OnText, type StreamResult } from './types';
import { openAIClientClass, streamChat, streamCompletion } from './openaiSdk';

export type TeamKind = 'vllm' | 'llamacpp' | 'tgi' | 'ollama';
export const TEAM_KINDS: readonly TeamKind[] = ['vllm', 'llamacpp', 'tgi', 'ollama'];

const KIND_NAMES: Record<TeamKind, string> = { vllm: 'vLLM', llamacpp: 'llama.cpp server', tgi: 'TGI', ollama: 'Ollama' };
/** Servers whose /v1/completions honours `suffix` (llama.cpp, Ollama); vLLM and TGI refuse or ignore it. */
const SUFFIX_SUPPORT: ReadonlySet<TeamKind> = new Set(['llamacpp', 'ollama']);
const HEALTH_TIMEOUT_MS = 3000;
/** How long the server's model list (and its max_model_len) is trusted before it is read again. */
const MODELS_TTL_MS = 5 * 60_000;

export interface TeamServerOptions {
  /** Base URL including `/v1`, e.g. `https://gpu.team.lan:8000/v1`. */
  baseUrl: string;
  kind: TeamKind;
  /** The bearer token from SecretStorage (vLLM `--api-key`, a gateway's token); undefined: none set. */
  token: () => Promise<string | undefined>;
  /** The egress gate's fetch for a purpose (with the team TLS transport underneath). */
  fetchFor: FetchFor;
  /** Back-off shared by every editor on this machine (SharedBackoff). */
  backoff: Backoff;
  now?: () => number;
}

/** What the server says about a model (vLLM: `max_model_len`). */
export interface TeamModelInfo extends ModelInfo {
  maxModelLen?: number;
}

/** The server's context for one request: tokens of prompt plus answer, and a prompt limit where it has its own. */
export interface TeamContext {
  contextTokens: number;
  maxInputTokens?: number;
  /** Where it was read, for the log, e.g. `GET /props n_ctx`. */
  source: string;
}

export class TeamProvider implements FimProvider, ChatProvider, ModelCatalog {
  readonly id = 'team' as const;
  readonly baseUrl: string;
  readonly kind: TeamKind;
  /** The server's key in the shared back-off: its origin (one server, whatever path a request takes). */
  readonly serverKey: string;
  private models: { at: number; list: Promise<TeamModelInfo[]> } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: TeamServerOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.kind = opts.kind;
    this.serverKey = new URL(this.baseUrl).origin;
    this.now = opts.now ?? Date.now;
  }

  /** The server's name for messages, e.g. "The team server (vLLM)". */
  get label(): string {
    return `The team server (${KIND_NAMES[this.kind]})`;
  }

  /** ms to wait before this server may be asked again (another editor may have been told to wait). */
  backoffMs(): number {
    return this.opts.backoff.waitMs(this.serverKey);
  }

  /**
   * The gate's fetch, plus the shared back-off: refuses at once while the server asked to wait, and
   * records a 429 / 503 with its Retry-After for every editor on this machine.
   */
  private fetch(purpose: Parameters<FetchFor>[0], signal?: AbortSignal, onResponse?: (res: Response) => void): typeof fetch {
    const gated = this.opts.fetchFor(purpose);
    const watched = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const wait = this.backoffMs();
      if (wait > 0) throw this.busy(wait);
      const res = await gated(input, init);
      onResponse?.(res);
      if (res.status === 429 || res.status === 503) {
        this.opts.backoff.note(this.serverKey, parseRetryAfter(res.headers.get('retry-after'), this.now()));
      }
      return res;
    };
    return callFetch(watched as typeof fetch, signal, this.label);
  }

  private busy(waitMs: number, status?: number): ProviderError {
    const s = Math.max(1, Math.ceil(waitMs / 1000));
    const why = status ? `is busy (${status})` : 'asked to wait';
    return new ProviderError('rate-limit', `${this.label} ${why}; no request to it for ${s} s, as it asked (Retry-After)`, { status, retryAfterMs: waitMs, endpointClass: 'network' });
  }

  private async client(purpose: Parameters<FetchFor>[0], signal?: AbortSignal, onResponse?: (res: Response) => void): Promise<OpenAI> {
    const OpenAIClient = await openAIClientClass();
    const token = await this.opts.token();
    return new OpenAIClient({
      baseURL: this.baseUrl,
      // Without a token the SDK still sends a bearer; a placeholder keeps a real OPENAI_API_KEY from
      // the environment away from this server.
      apiKey: token || 'none',
      fetch: this.fetch(purpose, signal, onResponse),
      maxRetries: 0,
    });
  }

  private ctx(model?: string): ErrorContext {
    return { server: this.label, baseUrl: this.baseUrl, model, startHint: 'is the team server up? Check switchyard.team.url' };
  }

  /** Any failure in plain words: TLS trust, the token, the back-off, then the local servers' mapping. */
  private mapError(err: unknown, model?: string): ProviderError {
    const inner = findProviderError(err);
    if (inner) return inner;
    const e = err as { status?: number; headers?: Headers | Record<string, string> };
    if (e?.status === 429 || e?.status === 503) {
      const header = e.headers instanceof Headers ? e.headers.get('retry-after') : e.headers?.['retry-after'];
      return this.busy(Math.max(this.backoffMs(), parseRetryAfter(header, this.now()) ?? 0), e.status);
    }
    if (e?.status === 401 || e?.status === 403) {
      return new ProviderError('auth', `${this.label} at ${this.baseUrl} refused the token (${e.status}) — set it with Switchyard: Set Team Server Token`, { status: e.status });
    }
    const tls = tlsProblem(err);
    if (tls) return new ProviderError('unreachable', `${this.label} at ${this.baseUrl}: ${tls} — if the team uses its own certificate authority, set switchyard.team.caFile`);
    const mapped = mapLocalError(err, this.ctx(model));
    if (mapped.code === 'bad-request' && /suffix/i.test(mapped.message)) {
      return new ProviderError('bad-request', `${this.label} does not take a FIM suffix; set switchyard.completion.template to the model's family`);
    }
    return mapped;
  }

  complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    return runStream(signal, onText, (err) => this.mapError(err, req.model), async (rec) => {
      const prompt = this.fimPrompt(req);
      let headers: Headers | undefined;
      const client = await this.client('completion', signal, (res) => { headers = res.headers; });
      const stream = await streamCompletion(client, req, prompt, signal);
      let finish: StreamResult['finishReason'] | undefined;
      let usage: StreamResult['usage'];
      let timing: StreamResult['timing'];
      for await (const chunk of stream) {
        rec.push(chunk.choices?.[0]?.text);
        const reason = chunk.choices?.[0]?.finish_reason;
        if (reason) finish = reason === 'length' ? 'length' : 'stop';
        if (chunk.usage) usage = usageOf(chunk.usage);
        timing = llamaCppTiming((chunk as { timings?: unknown }).timings) ?? timing;
      }
      if (!finish) throw new Error('terminated: the stream ended without a finish reason');
      timing ??= tgiTiming(headers);
      return rec.result(finish, { usage, ...(timing ? { timing } : {}) });
    });
  }

  /**
   * The raw template when the pipeline built one; for servers without `suffix`, the family's template
   * from the model name; else prompt + suffix.
   */
  private fimPrompt(req: FimRequest): { prompt: string; suffix?: string } {
    if (req.rawPrompt !== undefined) return { prompt: req.rawPrompt };
    if (SUFFIX_SUPPORT.has(this.kind)) return { prompt: req.prefix, suffix: req.suffix };
    const family = familyForModel(req.model);
    if (!family) {
      throw new ProviderError('bad-request', `${this.label} has no FIM suffix and no template is known for "${req.model}" — set switchyard.completion.template to the model's family`);
    }
    return { prompt: family.build({ prefix: req.prefix, suffix: req.suffix, path: '', languageId: '' }) };
  }

  chat(req: ChatRequest & { kind?: RequestKind }, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    return runStream(signal, onText, (err) => this.mapError(err, req.model), async (rec) => {
      let headers: Headers | undefined;
      const client = await this.client(req.kind ?? 'ask', signal, (res) => { headers = res.headers; });
      const stream = await streamChat(client, req, signal);
      let finish: StreamResult['finishReason'] | undefined;
      let usage: StreamResult['usage'];
      let timing: StreamResult['timing'];
      const logprobs: number[] = [];
      for await (const chunk of stream) {
        const choice = chunk.choices?.[0];
        rec.push(choice?.delta?.content ?? undefined);
        for (const lp of choice?.logprobs?.content ?? []) logprobs.push(lp.logprob);
        if (choice?.finish_reason) finish = choice.finish_reason === 'length' ? 'length' : 'stop';
        if (chunk.usage) usage = usageOf(chunk.usage);
        timing = llamaCppTiming((chunk as { timings?: unknown }).timings) ?? timing;
      }
      if (!finish) throw new Error('terminated: the stream ended without a finish reason');
      timing ??= tgiTiming(headers);
      return rec.result(finish, { usage, ...(timing ? { timing } : {}), ...(logprobs.length ? { logprobs } : {}) });
    });
  }

  /** The server's models with `max_model_len` where it says (vLLM); cached for a few minutes. */
  listModels(signal: AbortSignal): Promise<TeamModelInfo[]> {
    const fresh = this.models && this.now() - this.models.at < MODELS_TTL_MS;
    if (!fresh) {
      const list = this.readModels(signal);
      this.models = { at: this.now(), list };
      list.catch(() => { this.models = undefined; });
    }
    return this.models!.list;
  }

  private async readModels(signal: AbortSignal): Promise<TeamModelInfo[]> {
    try {
      const client = await this.client('list-models', signal);
      const page = await client.models.list({ signal });
      return page.data.map((m) => {
        const len = (m as { max_model_len?: unknown }).max_model_len;
        return { name: m.id, ...(typeof len === 'number' && len > 0 ? { maxModelLen: len } : {}) };
      });
    } catch (err) {
      throw this.mapError(err);
    }
  }

  /** The context length of `model` on the server, when it reports one. */
  async maxModelLen(model: string, signal: AbortSignal): Promise<number | undefined> {
    const models = await this.listModels(signal);
    return models.find((m) => m.name === model)?.maxModelLen;
  }

  /**
   * The server's context length for `model`, read where this kind of server reports it; undefined
   * when it does not say. Never throws for a missing or odd answer (the window then stays as set).
   */
  async serverContext(model: string, signal: AbortSignal): Promise<TeamContext | undefined> {
    const origin = this.baseUrl.replace(/\/v1$/, '');
    const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);
    switch (this.kind) {
      case 'vllm': {
        const len = await this.maxModelLen(model, signal);
        return len ? { contextTokens: len, source: 'GET /v1/models max_model_len' } : undefined;
      }
      case 'llamacpp': {
        const props = await this.readJson(`${origin}/props`, signal) as { default_generation_settings?: { n_ctx?: unknown } } | undefined;
        const n = positive(props?.default_generation_settings?.n_ctx);
        return n ? { contextTokens: n, source: 'GET /props n_ctx' } : undefined;
      }
      case 'tgi': {
        const info = await this.readJson(`${origin}/info`, signal) as { max_total_tokens?: unknown; max_input_tokens?: unknown; max_input_length?: unknown } | undefined;
        const total = positive(info?.max_total_tokens);
        // `max_input_length` before TGI 2.0.
        const input = positive(info?.max_input_tokens) ?? positive(info?.max_input_length);
        if (!total) return input ? { contextTokens: input, maxInputTokens: input, source: 'GET /info max_input_tokens' } : undefined;
        return { contextTokens: total, ...(input ? { maxInputTokens: input } : {}), source: 'GET /info max_total_tokens' };
      }
      case 'ollama': {
        const show = await this.readJson(`${origin}/api/show`, signal, { model }) as { parameters?: unknown; model_info?: Record<string, unknown> } | undefined;
        // num_ctx is what the server runs the model with; the architecture's context_length is what it could take.
        const numCtx = typeof show?.parameters === 'string' ? positive(Number(/^num_ctx\s+(\d+)\s*$/m.exec(show.parameters)?.[1])) : undefined;
        if (numCtx) return { contextTokens: numCtx, source: 'POST /api/show num_ctx' };
        const key = Object.keys(show?.model_info ?? {}).find((k) => k.endsWith('.context_length'));
        const len = key ? positive(show?.model_info?.[key]) : undefined;
        return len ? { contextTokens: len, source: `POST /api/show ${key}` } : undefined;
      }
    }
  }

  /** A JSON document from the server (GET, or POST with `body`), with the token; undefined when it is not JSON or not 2xx. */
  private async readJson(url: string, signal: AbortSignal, body?: object): Promise<unknown> {
    const token = await this.opts.token();
    const res = await this.fetch('list-models', signal)(url, {
      method: body ? 'POST' : 'GET',
      headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal,
    });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    return res.json().catch(() => undefined);
  }

  /** GET /health where the server has it (vLLM, TGI, llama.cpp), else /v1/models. Never throws. */
  async health(signal: AbortSignal): Promise<HealthResult> {
    const s = timeoutSignal(HEALTH_TIMEOUT_MS, signal);
    try {
      if (this.kind !== 'ollama') {
        const origin = this.baseUrl.replace(/\/v1$/, '');
        const res = await this.fetch('health', s)(`${origin}/health`, { signal: s });
        await res.body?.cancel();
        if (res.ok) return { ok: true, detail: `${this.label} at ${this.baseUrl} is up` };
        if (res.status !== 404) return { ok: false, detail: `${this.label} at ${this.baseUrl} is not ready (${res.status})` };
      }
      const models = await this.readModels(s);
      return { ok: true, detail: `${this.label} at ${this.baseUrl} is up (${models.length} model${models.length === 1 ? '' : 's'})` };
    } catch (err) {
      return { ok: false, detail: this.mapError(err).message };
    }
  }
}

function usageOf(u: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } | null }): StreamResult['usage'] {
  const cached = u.prompt_tokens_details?.cached_tokens;
  return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, ...(cached ? { cacheReadTokens: cached } : {}) };
}

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not signed by a trusted authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not signed by a trusted authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate chain ends in an untrusted (self-signed) authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate is for another host name',
};

/** A TLS trust failure anywhere along the cause chain, in words; undefined when it is not one. */
function tlsProblem(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: string }).code;
    if (code && TLS_CODES[code]) return TLS_CODES[code];
  }
  return undefined;
}

/**
 * Prompt tokens a completion window may use on a server with this context: half of it, the rest for
 * the answer and headroom, and never over the server's own prompt limit (TGI's max_input_tokens).
 */
export function teamWindowTokens(context: number | Pick<TeamContext, 'contextTokens' | 'maxInputTokens'> | undefined, maxTokens: number, cap = 8192): number | undefined {
  const c = typeof context === 'number' ? { contextTokens: context } : context;
  if (!c?.contextTokens) return undefined;
  const limit = c.maxInputTokens ? Math.floor(c.maxInputTokens * 0.9) : Infinity;
  return Math.max(128, Math.min(cap, Math.floor(c.contextTokens / 2) - maxTokens, limit));
}
