// A fake Anthropic Messages API: POST /v1/messages (JSON, or SSE with message_start, content_block_start,
// ping, content_block_delta, content_block_stop, message_delta, message_stop), usage with
// cache_creation_input_tokens / cache_read_input_tokens, the error body {type:"error",error:{type,message}},
// `request-id` headers, GET /v1/models and POST /v1/messages/count_tokens.
//
// Prompt caching is modelled: the blocks up to the last one marked `cache_control` form the cached prefix;
// the first request with a prefix writes it (cache_creation_input_tokens), later ones read it
// (cache_read_input_tokens), and input_tokens counts only the rest, as the real API reports.

import { contentText, FakeServer, fakeId, type Exchange, type FakeServerOptions, type Framing, type GenerationInput, type Plan, type Script } from './core';
import { countTokens } from './tokens';

export interface FakeAnthropicOptions extends FakeServerOptions {
  /** Model ids it serves (default DEFAULT_ANTHROPIC_MODELS); others answer 404 not_found_error. */
  models?: string[];
  /** When set, requests must carry this key (`x-api-key` or `Authorization: Bearer`) or get 401 authentication_error. */
  apiKey?: string;
  /** Smallest prefix (tokens) that gets cached; shorter ones are not cached, like the real minimum (default 0). */
  cacheMinTokens?: number;
}

export const DEFAULT_ANTHROPIC_MODELS = ['claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-6'];

const SSE = 'text/event-stream; charset=utf-8';

interface Block {
  text: string;
  cached: boolean;
}

export class FakeAnthropic extends FakeServer {
  private modelIds: string[];
  private readonly apiKey: string | undefined;
  private readonly cacheMinTokens: number;
  private readonly cache = new Set<string>();

  constructor(options: FakeAnthropicOptions = {}) {
    super(options);
    this.modelIds = [...(options.models ?? DEFAULT_ANTHROPIC_MODELS)];
    this.apiKey = options.apiKey;
    this.cacheMinTokens = options.cacheMinTokens ?? 0;
  }

  /** The `baseURL` to give the `@anthropic-ai/sdk` client. */
  get baseURL(): string {
    return this.url;
  }

  setModels(models: string[]): this {
    this.modelIds = [...models];
    return this;
  }

  get models(): string[] {
    return [...this.modelIds];
  }

  /** Forgets the cached prompt prefixes. */
  clearCache(): this {
    this.cache.clear();
    return this;
  }

  protected isGeneration(path: string): boolean {
    return path === '/v1/messages';
  }

  protected sendError(ex: Exchange, status: number, script: Script): void {
    const known = KNOWN_ERRORS[status] ?? KNOWN_ERRORS[500];
    const requestId = fakeId('req_');
    const headers: Record<string, string> = { 'request-id': requestId, ...script.headers };
    if (script.retryAfter !== undefined) headers['retry-after'] = String(script.retryAfter);
    ex.json(status, { type: 'error', error: { type: script.errorType ?? known.type, message: script.message ?? known.message }, request_id: requestId }, headers);
  }

  protected async route(ex: Exchange, script: Script): Promise<void> {
    const { method, path, headers } = ex.record;
    // The key comes as `x-api-key`, or as a bearer token (what recent SDK versions send).
    const key = headers['x-api-key'] ?? String(headers.authorization ?? '').replace(/^Bearer /, '');
    if (this.apiKey !== undefined && key !== this.apiKey) return this.sendError(ex, 401, {});
    if (method === 'GET' && path === '/v1/models') {
      const data = this.modelIds.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' }));
      return void ex.json(200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }, ids());
    }
    if (method === 'POST' && (path === '/v1/messages' || path === '/v1/messages/count_tokens')) {
      if (!headers['anthropic-version']) return this.invalid(ex, 'anthropic-version: header is required');
      const b = ex.record.body ?? {};
      ex.record.model = typeof b.model === 'string' ? b.model : undefined;
      if (typeof b.model !== 'string') return this.invalid(ex, 'model: Field required');
      if (!this.modelIds.includes(b.model)) return this.sendError(ex, 404, { message: `model: ${b.model}` });
      if (!Array.isArray(b.messages) || b.messages.length === 0) return this.invalid(ex, 'messages: at least one message is required');
      if (path === '/v1/messages/count_tokens') {
        return void ex.json(200, { input_tokens: blocksOf(b).reduce((n, x) => n + countTokens(x.text), 0) }, ids());
      }
      if (typeof b.max_tokens !== 'number') return this.invalid(ex, 'max_tokens: Field required');
      return this.messages(ex, script);
    }
    this.sendError(ex, 404, { message: 'Not Found' });
  }

  private invalid(ex: Exchange, message: string): void {
    this.sendError(ex, 400, { message });
  }

  private async messages(ex: Exchange, script: Script): Promise<void> {
    const b = ex.record.body;
    const blocks = blocksOf(b);
    const total = blocks.reduce((n, x) => n + countTokens(x.text), 0);
    const lastCached = blocks.map((x) => x.cached).lastIndexOf(true);
    const prefix = blocks.slice(0, lastCached + 1);
    const prefixTokens = prefix.reduce((n, x) => n + countTokens(x.text), 0);
    let cacheRead = 0;
    let cacheWrite = 0;
    if (lastCached >= 0 && prefixTokens >= this.cacheMinTokens && prefixTokens > 0) {
      const key = `${b.model}\u0000${prefix.map((x) => x.text).join('\u0000')}`;
      if (this.cache.has(key)) cacheRead = prefixTokens;
      else {
        cacheWrite = prefixTokens;
        this.cache.add(key);
      }
    }
    const messages = (b.messages as unknown[]).map((m) => {
      const msg = (m ?? {}) as { role?: unknown; content?: unknown };
      return { role: String(msg.role ?? ''), content: contentText(msg.content) };
    });
    const input: GenerationInput = {
      endpoint: ex.record.path,
      model: b.model,
      prompt: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
      system: typeof b.system === 'string' ? b.system : contentText(b.system) || undefined,
      messages,
      stream: b.stream === true,
      request: ex.record,
    };
    const stop = Array.isArray(b.stop_sequences) ? b.stop_sequences.filter((s: unknown): s is string => typeof s === 'string') : undefined;
    const plan = this.plan(input, script, { promptTokens: total - cacheRead - cacheWrite, maxTokens: b.max_tokens, stop });
    await this.generate(ex, plan, this.framing(plan, { read: cacheRead, write: cacheWrite }));
  }

  private framing(plan: Plan, cache: { read: number; write: number }): Framing {
    const id = fakeId('msg_01Fake');
    const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const usage = (output: number) => ({
      input_tokens: plan.promptTokens,
      cache_creation_input_tokens: plan.script.usage?.cacheWriteTokens ?? cache.write,
      cache_read_input_tokens: plan.script.usage?.cacheReadTokens ?? cache.read,
      output_tokens: plan.script.usage?.completionTokens ?? output,
    });
    const stopReason = () => (plan.finishReason === 'length' ? 'max_tokens' : plan.stopSequence !== undefined ? 'stop_sequence' : 'end_turn');
    const message = (content: object[], output: number, done: boolean) => ({
      id,
      type: 'message',
      role: 'assistant',
      model: plan.model,
      content,
      stop_reason: done ? stopReason() : null,
      stop_sequence: done ? (plan.stopSequence ?? null) : null,
      usage: usage(output),
    });
    return {
      headers: ids(),
      streamContentType: SSE,
      headAtFirstToken: false,
      start: () =>
        event('message_start', { message: message([], 1, false) }) +
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
        event('ping', {}),
      token: (text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
      finish: (stats) =>
        event('content_block_stop', { index: 0 }) +
        event('message_delta', { delta: { stop_reason: stopReason(), stop_sequence: plan.stopSequence ?? null }, usage: usage(stats.generated) }) +
        event('message_stop', {}),
      malformed: () => 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\n\n',
      streamError: (text) => event('error', { error: { type: plan.script.errorType ?? 'overloaded_error', message: text } }),
      body: (stats) => message([{ type: 'text', text: plan.tokens.slice(0, stats.generated).join('') }], stats.generated, true),
    };
  }
}

/** Starts a fake Anthropic API on 127.0.0.1. */
export function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  return new FakeAnthropic(options).listen();
}

/** System and message text blocks in order, with whether each is marked for caching. */
function blocksOf(b: { system?: unknown; messages?: unknown }): Block[] {
  const out: Block[] = [];
  const add = (content: unknown) => {
    if (typeof content === 'string') out.push({ text: content, cached: false });
    else if (Array.isArray(content)) {
      for (const part of content as Array<{ text?: unknown; cache_control?: unknown }>) {
        out.push({ text: typeof part?.text === 'string' ? part.text : '', cached: part?.cache_control != null });
      }
    }
  };
  add(b.system);
  for (const m of Array.isArray(b.messages) ? (b.messages as Array<{ content?: unknown }>) : []) add(m?.content);
  return out;
}

function ids(): Record<string, string> {
  return { 'request-id': fakeId('req_'), 'anthropic-organization-id': 'org-fake' };
}

const KNOWN_ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit.' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};
