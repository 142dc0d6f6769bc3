// A fake Hugging Face Text Generation Inference server (TGI 3.x, `text-generation-launcher`), through
// its OpenAI-compatible Messages API, with what TGI does its own way:
//   - `GET /health` (200, empty) and `GET /info`: `model_id`, `max_input_tokens`, `max_total_tokens`,
//     `max_concurrent_requests`, `router`, `version`, ... (`legacyInfo`: TGI 1.x's `max_input_length`);
//   - a whole (not streamed) response carries TGI's timing headers: `x-compute-type`, `x-compute-time`,
//     `x-total-time`, `x-validation-time`, `x-queue-time`, `x-inference-time`, `x-time-per-token`,
//     `x-prompt-tokens`, `x-generated-tokens` (whole ms); a stream has only `x-compute-type` and
//     `x-accel-buffering`;
//   - a prompt over `max_input_tokens` is a 422 validation error.
import type { Exchange, GenerationStats, Plan, Script } from './core';
import { FakeOpenAI, type FakeOpenAIOptions } from './openai';
import { tokenize } from './tokens';

export interface FakeTgiOptions extends Omit<FakeOpenAIOptions, 'apiKey' | 'ownedBy'> {
  /** `--max-input-tokens` (default 4095). */
  maxInputTokens?: number;
  /** `--max-total-tokens` (default 4096). */
  maxTotalTokens?: number;
  /** Answer /info as TGI 1.x did (`max_input_length` instead of `max_input_tokens`). */
  legacyInfo?: boolean;
}

export class FakeTgi extends FakeOpenAI {
  readonly maxInputTokens: number;
  readonly maxTotalTokens: number;
  private readonly legacyInfo: boolean;

  constructor(options: FakeTgiOptions = {}) {
    super({ ...options, models: options.models ?? ['bigcode/starcoder2-15b'], ownedBy: 'tgi' });
    this.maxInputTokens = options.maxInputTokens ?? 4095;
    this.maxTotalTokens = options.maxTotalTokens ?? 4096;
    this.legacyInfo = options.legacyInfo ?? false;
  }

  protected override async route(ex: Exchange, script: Script): Promise<void> {
    const { method, path } = ex.record;
    if (method === 'GET' && path === '/health') return void ex.send(200, 'application/json', '');
    if (method === 'GET' && path === '/info') {
      return void ex.json(200, {
        model_id: this.models[0], model_sha: 'e985a63cdc139290c5f700ff1929f0b5942cced2', model_pipeline_tag: 'text-generation',
        max_concurrent_requests: 128, max_best_of: 2, max_stop_sequences: 4,
        ...(this.legacyInfo ? { max_input_length: this.maxInputTokens } : { max_input_tokens: this.maxInputTokens }),
        max_total_tokens: this.maxTotalTokens, validation_workers: 2, max_client_batch_size: 4,
        router: 'text-generation-router', version: this.legacyInfo ? '1.4.5' : '3.3.6', sha: null, docker_label: null,
      });
    }
    const b = ex.record.body ?? {};
    if (method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions')) {
      const text = path === '/v1/completions'
        ? (typeof b.prompt === 'string' ? b.prompt : '')
        : (Array.isArray(b.messages) ? b.messages : []).map((m: { content?: unknown }) => (typeof m.content === 'string' ? m.content : '')).join('\n');
      const n = tokenize(text).length;
      if (n > this.maxInputTokens) {
        return void ex.json(422, { error: `Input validation error: \`inputs\` tokens + \`max_new_tokens\` must be <= ${this.maxTotalTokens}. Given: ${n} \`inputs\` tokens`, error_type: 'validation' });
      }
      if (b.stream === true) script = { ...script, headers: { 'x-compute-type': 'gpu+optimized', 'x-accel-buffering': 'no', ...script.headers } };
    }
    return super.route(ex, script);
  }

  protected override bodyHeaders(plan: Plan, stats: GenerationStats): Record<string, string> {
    const inference = Math.round((stats.prefillNs + stats.evalNs) / 1e6);
    const queue = Math.round(stats.queueMs ?? 0);
    return {
      'x-compute-type': 'gpu+optimized',
      'x-compute-time': String(inference + queue),
      'x-total-time': String(inference + queue),
      'x-validation-time': '0',
      'x-queue-time': String(queue),
      'x-inference-time': String(inference),
      'x-time-per-token': String(stats.generated ? Math.round(stats.evalNs / 1e6 / stats.generated) : 0),
      'x-prompt-tokens': String(plan.promptTokens),
      'x-generated-tokens': String(stats.generated),
    };
  }
}

/** Starts a fake TGI server on 127.0.0.1 (https with `tls`). */
export function startFakeTgi(options: FakeTgiOptions = {}): Promise<FakeTgi> {
  return new FakeTgi(options).listen();
}
