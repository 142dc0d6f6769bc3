// A fake vLLM OpenAI-compatible server (`vllm serve <model> --api-key ...`), as a team runs it on a GPU
// box. What differs from the OpenAI fake, as vLLM does it:
//   - `/v1/completions` has no `suffix`: a request with one is refused (400 "suffix is not currently
//     supported"), so FIM needs the model family's raw template;
//   - `/v1/models` lists `max_model_len`, `root`, `parent` and `owned_by: "vllm"`;
//   - `GET /health` (200, empty body) and `GET /version`, both open without the key;
//   - `--api-key`: every `/v1/*` request needs `Authorization: Bearer <key>`, else 401 `{"error":"Unauthorized"}`;
//   - errors are `{"error":{"message","type","param","code"}}`; a prompt plus `max_tokens` over
//     `max_model_len` is a 400 naming both;
//   - automatic prefix caching: prompts are cached in blocks of 16 tokens and
//     `usage.prompt_tokens_details.cached_tokens` says how many prompt tokens were reused;
//   - `maxNumSeqs` requests generate at once (vLLM `--max-num-seqs`), the rest queue; with
//     `maxInFlight` an admission limit in front of it (a gateway, or vLLM under load) answers 429 or 503
//     with `Retry-After` instead of queueing more.
import type { Exchange, Plan, Script } from './core';
import { FakeOpenAI, type FakeOpenAIOptions } from './openai';
import { tokenize } from './tokens';

export interface FakeVllmOptions extends Omit<FakeOpenAIOptions, 'apiKey' | 'ownedBy'> {
  /** `--api-key`: when set, `/v1/*` needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** `--max-model-len` (default 8192). */
  maxModelLen?: number;
  /** `--max-num-seqs`: requests generating at once when `defaults.speed` is set (default 4). */
  maxNumSeqs?: number;
  /** Requests admitted at once (generating + queued); more are refused with `overload`. Unset: no limit. */
  maxInFlight?: number;
  /** How an over-limit request is refused (default 429 with `Retry-After: 1`). */
  overload?: { status: 429 | 503; retryAfterSeconds?: number };
  /** `GET /version` answer (default 0.11.0). */
  version?: string;
}

export const DEFAULT_VLLM_MODELS = ['Qwen/Qwen2.5-Coder-7B', 'Qwen/Qwen2.5-Coder-32B-Instruct'];
const BLOCK = 16;
const CACHE_ENTRIES = 256;

export class FakeVllm extends FakeOpenAI {
  readonly maxModelLen: number;
  private readonly key: string | undefined;
  private readonly maxInFlight: number | undefined;
  private readonly overload: { status: 429 | 503; retryAfterSeconds?: number };
  private readonly versionText: string;
  private inFlight = 0;
  /** Prompts seen, as token lists, most recent last (the prefix cache). */
  private readonly cache: string[][] = [];
  private readonly cached = new WeakMap<object, number>();
  /** Requests refused by the admission limit. */
  refused = 0;

  constructor(options: FakeVllmOptions = {}) {
    const speed = options.defaults?.speed;
    const defaults = speed ? { ...options.defaults, speed: { parallel: options.maxNumSeqs ?? 4, ...speed } } : options.defaults;
    super({ ...options, defaults, models: options.models ?? DEFAULT_VLLM_MODELS, ownedBy: 'vllm' });
    this.key = options.apiKey;
    this.maxModelLen = options.maxModelLen ?? 8192;
    this.maxInFlight = options.maxInFlight;
    this.overload = options.overload ?? { status: 429, retryAfterSeconds: 1 };
    this.versionText = options.version ?? '0.11.0';
  }

  /** Forgets the prefix cache (like a server restart). */
  clearPrefixCache(): this {
    this.cache.length = 0;
    return this;
  }

  protected override sendError(ex: Exchange, status: number, script: Script): void {
    const headers: Record<string, string> = { ...script.headers };
    if (script.retryAfter !== undefined) headers['retry-after'] = String(script.retryAfter);
    const type = status === 400 ? 'BadRequestError' : status === 404 ? 'NotFoundError' : status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'InternalServerError';
    ex.json(status, { error: { message: script.message ?? type, type: script.errorType ?? type, param: null, code: status } }, headers);
  }

  protected override async route(ex: Exchange, script: Script): Promise<void> {
    const { method, path } = ex.record;
    if (method === 'GET' && path === '/health') return void ex.send(200, 'application/json', '');
    if (method === 'GET' && path === '/version') return void ex.json(200, { version: this.versionText });
    if (this.key !== undefined && path.startsWith('/v1') && ex.record.headers.authorization !== `Bearer ${this.key}`) {
      return void ex.json(401, { error: 'Unauthorized' });
    }
    if (method === 'GET' && path === '/v1/models') {
      const data = this.models.map((id) => ({
        id, object: 'model', created: 1_700_000_000, owned_by: 'vllm', root: id, parent: null, max_model_len: this.maxModelLen,
        permission: [{ id: `modelperm-${id.length}`, object: 'model_permission', created: 1_700_000_000, allow_create_engine: false, allow_sampling: true, allow_logprobs: true, allow_search_indices: false, allow_view: true, allow_fine_tuning: false, organization: '*', group: null, is_blocking: false }],
      }));
      return void ex.json(200, { object: 'list', data });
    }
    const generation = method === 'POST' && (path === '/v1/completions' || path === '/v1/chat/completions');
    if (!generation) return super.route(ex, script);
    const b = ex.record.body ?? {};
    if (path === '/v1/completions' && b.suffix !== undefined && b.suffix !== null) {
      return this.sendError(ex, 400, { message: 'suffix is not currently supported' });
    }
    const promptText = path === '/v1/completions'
      ? (typeof b.prompt === 'string' ? b.prompt : '')
      : (Array.isArray(b.messages) ? b.messages : []).map((m: { role?: string; content?: unknown }) => `<|im_start|>${m.role}\n${typeof m.content === 'string' ? m.content : ''}<|im_end|>\n`).join('');
    const tokens = tokenize(promptText);
    const maxTokens = typeof b.max_tokens === 'number' ? b.max_tokens : typeof b.max_completion_tokens === 'number' ? b.max_completion_tokens : 16;
    if (tokens.length + maxTokens > this.maxModelLen) {
      return this.sendError(ex, 400, {
        message: `This model's maximum context length is ${this.maxModelLen} tokens. However, you requested ${tokens.length + maxTokens} tokens (${tokens.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
      });
    }
    if (this.maxInFlight !== undefined && this.inFlight >= this.maxInFlight) {
      this.refused++;
      return this.sendError(ex, this.overload.status, { retryAfter: this.overload.retryAfterSeconds, message: 'The server is busy; try again later.' });
    }
    this.cached.set(ex.record, this.prefixHit(tokens));
    this.inFlight++;
    void ex.ended.then(() => this.inFlight--);
    return super.route(ex, script);
  }

  protected override cachedTokens(plan: Plan): number {
    return plan.script.usage?.cacheReadTokens ?? this.cached.get(plan.request) ?? 0;
  }

  /** Longest cached prefix in whole blocks (never the whole prompt: the last token is always computed). */
  private prefixHit(tokens: string[]): number {
    let best = 0;
    for (const seen of this.cache) {
      let n = 0;
      while (n < seen.length && n < tokens.length && seen[n] === tokens[n]) n++;
      best = Math.max(best, n);
    }
    this.cache.push(tokens);
    if (this.cache.length > CACHE_ENTRIES) this.cache.shift();
    const blocks = Math.floor(Math.min(best, tokens.length - 1) / BLOCK);
    return Math.max(0, blocks * BLOCK);
  }
}

/** Starts a fake vLLM server on 127.0.0.1 (https with `tls`). */
export function startFakeVllm(options: FakeVllmOptions = {}): Promise<FakeVllm> {
  return new FakeVllm(options).listen();
}
