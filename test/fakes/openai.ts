// A fake OpenAI API: /v1/models, /v1/chat/completions and the legacy /v1/completions (with `suffix`),
// JSON or SSE (`data: {...}` chunks ending with `data: [DONE]`, a final usage chunk with empty `choices`
// when `stream_options.include_usage` is set), `logprobs`, and OpenAI's error body
// `{error:{message,type,param,code}}`. It serves both as the cloud OpenAI and as an OpenAI-compatible
// local server (llama.cpp server, vLLM, LM Studio): give it the local model names.

import { contentText, FakeServer, fakeId, type Exchange, type FakeServerOptions, type Framing, type GenerationInput, type GenerationStats, type Plan, type Script } from './core';
import { countTokens } from './tokens';

export interface FakeOpenAIOptions extends FakeServerOptions {
  /** Model ids it serves (default DEFAULT_OPENAI_MODELS); other models answer 404 model_not_found. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get 401 invalid_api_key. */
  apiKey?: string;
  /** `owned_by` in /v1/models (default `openai`; e.g. `llamacpp` for a local server). */
  ownedBy?: string;
}

export const DEFAULT_OPENAI_MODELS = ['gpt-4.1-mini', 'gpt-4.1', 'gpt-4o-mini', 'gpt-3.5-turbo-instruct'];

const SSE = 'text/event-stream; charset=utf-8';

export class FakeOpenAI extends FakeServer {
  private modelIds: string[];
  private readonly apiKey: string | undefined;
  private readonly ownedBy: string;

  constructor(options: FakeOpenAIOptions = {}) {
    super(options);
    this.modelIds = [...(options.models ?? DEFAULT_OPENAI_MODELS)];
    this.apiKey = options.apiKey;
    this.ownedBy = options.ownedBy ?? 'openai';
  }

  /** The `baseURL` to give the `openai` client (ends in `/v1`). */
  get baseURL(): string {
    return `${this.url}/v1`;
  }

  setModels(models: string[]): this {
    this.modelIds = [...models];
    return this;
  }

  get models(): string[] {
    return [...this.modelIds];
  }

  protected isGeneration(path: string): boolean {
    return path === '/v1/chat/completions' || path === '/v1/completions';
  }

  protected sendError(ex: Exchange, status: number, script: Script): void {
    const known = KNOWN_ERRORS[status] ?? KNOWN_ERRORS[500];
    const headers: Record<string, string> = { 'x-request-id': fakeId('req_'), ...script.headers };
    if (script.retryAfter !== undefined) headers['retry-after'] = String(script.retryAfter);
    ex.json(
      status,
      { error: { message: script.message ?? known.message, type: script.errorType ?? known.type, param: null, code: script.errorCode ?? known.code } },
      headers,
    );
  }

  protected async route(ex: Exchange, script: Script): Promise<void> {
    const { method, path } = ex.record;
    if (this.apiKey !== undefined && ex.record.headers.authorization !== `Bearer ${this.apiKey}`) {
      const sent = String(ex.record.headers.authorization ?? '').replace(/^Bearer\s*/, '');
      const shown = sent ? `${sent.slice(0, 3)}*****${sent.slice(-4)}` : '';
      return this.sendError(ex, 401, {
        message: sent ? `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.` : "You didn't provide an API key.",
      });
    }
    if (method === 'GET' && path === '/v1/models') {
      const data = this.modelIds.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: this.ownedBy }));
      return void ex.json(200, { object: 'list', data }, requestHeaders());
    }
    const modelPath = /^\/v1\/models\/(.+)$/.exec(path);
    if (method === 'GET' && modelPath) {
      const id = decodeURIComponent(modelPath[1]);
      if (!this.modelIds.includes(id)) return this.modelMissing(ex, id);
      return void ex.json(200, { id, object: 'model', created: 1_700_000_000, owned_by: this.ownedBy }, requestHeaders());
    }
    if (method === 'POST' && path === '/v1/chat/completions') return this.chat(ex, script);
    if (method === 'POST' && path === '/v1/completions') return this.completions(ex, script);
    this.sendError(ex, 404, { message: `Invalid URL (${method} ${path})`, errorType: 'invalid_request_error', errorCode: '' });
  }

  private modelMissing(ex: Exchange, model: string): void {
    this.sendError(ex, 404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      errorType: 'invalid_request_error',
      errorCode: 'model_not_found',
    });
  }

  private checkModel(ex: Exchange): string | undefined {
    const model: unknown = ex.record.body?.model;
    ex.record.model = typeof model === 'string' ? model : undefined;
    if (typeof model !== 'string' || !model) {
      this.sendError(ex, 400, { message: 'you must provide a model parameter', errorType: 'invalid_request_error', errorCode: '' });
      return undefined;
    }
    if (!this.modelIds.includes(model)) return void this.modelMissing(ex, model);
    return model;
  }

  private async chat(ex: Exchange, script: Script): Promise<void> {
    const model = this.checkModel(ex);
    if (!model) return;
    const b = ex.record.body;
    const raw: unknown[] = Array.isArray(b.messages) ? b.messages : [];
    if (raw.length === 0) return this.sendError(ex, 400, { message: "Invalid 'messages': empty array.", errorType: 'invalid_request_error', errorCode: 'empty_array' });
    const messages = raw.map((m) => {
      const msg = (m ?? {}) as { role?: unknown; content?: unknown };
      return { role: String(msg.role ?? ''), content: contentText(msg.content) };
    });
    const input: GenerationInput = {
      endpoint: ex.record.path,
      model,
      prompt: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
      system: messages.find((m) => m.role === 'system' || m.role === 'developer')?.content,
      messages,
      stream: b.stream === true,
      request: ex.record,
    };
    const promptTokens = messages.reduce((n, m) => n + countTokens(m.content), 0);
    const topLogprobs = b.logprobs === true ? Math.max(0, Number(b.top_logprobs ?? 0)) : undefined;
    const plan = this.plan(input, script, { promptTokens, maxTokens: numberOr(b.max_completion_tokens, b.max_tokens), stop: stops(b.stop), topLogprobs });
    await this.generate(ex, plan, this.chatFraming(plan, b.stream_options?.include_usage === true));
  }

  private async completions(ex: Exchange, script: Script): Promise<void> {
    const model = this.checkModel(ex);
    if (!model) return;
    const b = ex.record.body;
    const prompt = Array.isArray(b.prompt) ? b.prompt.map(String).join('') : typeof b.prompt === 'string' ? b.prompt : '';
    const suffix = typeof b.suffix === 'string' ? b.suffix : undefined;
    const input: GenerationInput = { endpoint: ex.record.path, model, prompt, suffix, messages: [], stream: b.stream === true, request: ex.record };
    const promptTokens = countTokens(prompt) + countTokens(suffix);
    const topLogprobs = typeof b.logprobs === 'number' ? b.logprobs : undefined;
    const plan = this.plan(input, script, { promptTokens, maxTokens: numberOr(b.max_tokens), stop: stops(b.stop), topLogprobs });
    await this.generate(ex, plan, this.completionFraming(plan, b.stream_options?.include_usage === true));
  }

  /** Fields a server adds to its last stream chunk and to a whole response (llama.cpp: `timings`). */
  protected finalExtra(_plan: Plan, _stats: GenerationStats): object {
    return {};
  }

  /** Headers of a whole (not streamed) response that depend on the generation (TGI: timing headers). */
  protected bodyHeaders(_plan: Plan, _stats: GenerationStats): Record<string, string> {
    return {};
  }

  /** Prompt tokens served from a prefix cache (0: none; the vLLM fake overrides it). */
  protected cachedTokens(plan: Plan): number {
    return plan.script.usage?.cacheReadTokens ?? 0;
  }

  private usage(plan: Plan, generated: number): object {
    const completion = plan.script.usage?.completionTokens ?? generated;
    return {
      prompt_tokens: plan.promptTokens,
      completion_tokens: completion,
      total_tokens: plan.promptTokens + completion,
      prompt_tokens_details: { cached_tokens: this.cachedTokens(plan), audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
  }

  private chatLogprobs(plan: Plan, from: number, to: number): object | null {
    if (plan.topLogprobs === undefined) return null;
    const entry = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token, 'utf8')] });
    const content = [];
    for (let i = from; i < to; i++) {
      const lp = this.logprob(plan, i);
      content.push({ ...entry(lp.token, lp.logprob), top_logprobs: lp.top.map((t) => entry(t.token, t.logprob)) });
    }
    return { content, refusal: null };
  }

  private chatFraming(plan: Plan, includeUsage: boolean): Framing {
    const id = fakeId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const head = { id, object: 'chat.completion.chunk', created, model: plan.model, service_tier: 'default', system_fingerprint: 'fp_fake' };
    const withUsage = includeUsage ? { usage: null } : {};
    const chunk = (delta: object, finish: string | null, logprobs: object | null = null) =>
      sse({ ...head, choices: [{ index: 0, delta, logprobs, finish_reason: finish }], ...withUsage });
    const finish = plan.finishReason;
    return {
      headers: requestHeaders(),
      streamContentType: SSE,
      headAtFirstToken: false,
      start: () => chunk({ role: 'assistant', content: '', refusal: null }, null),
      token: (text, i) => chunk({ content: text }, null, this.chatLogprobs(plan, i, i + 1)),
      finish: (stats) => {
        const extra = this.finalExtra(plan, stats);
        const last = Object.keys(extra).length > 0
          ? sse({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }], ...withUsage, ...extra })
          : chunk({}, finish);
        return last + (includeUsage ? sse({ ...head, choices: [], usage: this.usage(plan, stats.generated) }) : '') + 'data: [DONE]\n\n';
      },
      bodyHeaders: (stats) => this.bodyHeaders(plan, stats),
      malformed: () => 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":\n\n',
      streamError: (message) => sse({ error: { message, type: 'server_error', param: null, code: null } }),
      body: (stats: GenerationStats) => ({
        id,
        object: 'chat.completion',
        created,
        model: plan.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: plan.tokens.slice(0, stats.generated).join(''), refusal: null, annotations: [] },
            logprobs: this.chatLogprobs(plan, 0, stats.generated),
            finish_reason: finish,
          },
        ],
        usage: this.usage(plan, stats.generated),
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
        ...this.finalExtra(plan, stats),
      }),
    };
  }

  private completionLogprobs(plan: Plan, from: number, to: number, offset: number): object | null {
    if (plan.topLogprobs === undefined) return null;
    const tokens: string[] = [];
    const tokenLogprobs: number[] = [];
    const top: Array<Record<string, number>> = [];
    const textOffset: number[] = [];
    let at = offset;
    for (let i = from; i < to; i++) {
      const lp = this.logprob(plan, i);
      tokens.push(lp.token);
      tokenLogprobs.push(lp.logprob);
      top.push(Object.fromEntries(lp.top.map((t) => [t.token, t.logprob])));
      textOffset.push(at);
      at += lp.token.length;
    }
    return { tokens, token_logprobs: tokenLogprobs, top_logprobs: top, text_offset: textOffset };
  }

  private completionFraming(plan: Plan, includeUsage: boolean): Framing {
    const id = fakeId('cmpl-');
    const created = Math.floor(Date.now() / 1000);
    const head = { id, object: 'text_completion', created, model: plan.model, system_fingerprint: 'fp_fake' };
    const finish = plan.finishReason;
    let offset = 0;
    return {
      headers: requestHeaders(),
      streamContentType: SSE,
      headAtFirstToken: false,
      start: () => '',
      token: (text, i) => {
        const logprobs = this.completionLogprobs(plan, i, i + 1, offset);
        offset += text.length;
        return sse({ ...head, choices: [{ text, index: 0, logprobs, finish_reason: null }] });
      },
      bodyHeaders: (stats) => this.bodyHeaders(plan, stats),
      finish: (stats) =>
        sse({ ...head, choices: [{ text: '', index: 0, logprobs: null, finish_reason: finish }], ...this.finalExtra(plan, stats) }) +
        (includeUsage ? sse({ ...head, choices: [], usage: this.usage(plan, stats.generated) }) : '') +
        'data: [DONE]\n\n',
      malformed: () => 'data: {"id":"cmpl-broken","choices":[{"text":\n\n',
      streamError: (message) => sse({ error: { message, type: 'server_error', param: null, code: null } }),
      body: (stats) => ({
        ...head,
        choices: [
          { text: plan.tokens.slice(0, stats.generated).join(''), index: 0, logprobs: this.completionLogprobs(plan, 0, stats.generated, 0), finish_reason: finish },
        ],
        usage: this.usage(plan, stats.generated),
        ...this.finalExtra(plan, stats),
      }),
    };
  }
}

/** Starts a fake OpenAI (or OpenAI-compatible local) server on 127.0.0.1. */
export function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  return new FakeOpenAI(options).listen();
}

const KNOWN_ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to sample from this model.', type: 'invalid_request_error', code: null },
  404: { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests. Please try again in 1s.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

function sse(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

function requestHeaders(): Record<string, string> {
  return { 'x-request-id': fakeId('req_'), 'openai-processing-ms': '12' };
}

function stops(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === 'string');
  return undefined;
}

function numberOr(...values: unknown[]): number | undefined {
  for (const v of values) if (typeof v === 'number') return v;
  return undefined;
}
