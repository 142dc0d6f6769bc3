// A fake llama.cpp server (`llama-server -m model.gguf -c N --api-key ...`) as a team runs it: its
// OpenAI-compatible API plus what llama.cpp does its own way:
//   - `GET /health` `{"status":"ok"}` and `GET /v1/models` open; everything else needs the key when one
//     is set (401 `{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}`);
//   - `GET /props`: `default_generation_settings.n_ctx` is a slot's context (what one request may use),
//     with `total_slots`, `model_path`, `chat_template`, `modalities` and `build_info`;
//   - the last stream chunk (and a whole response) carries `timings`: `prompt_n`, `prompt_ms`,
//     `prompt_per_token_ms`, `prompt_per_second`, `predicted_n`, `predicted_ms`,
//     `predicted_per_token_ms`, `predicted_per_second`, plus `cache_n`;
//   - `/v1/completions` takes a `suffix` (the server applies the model's FIM tokens).
import type { Exchange, GenerationStats, Plan, Script } from './core';
import { FakeOpenAI, type FakeOpenAIOptions } from './openai';

export interface FakeLlamaServerOptions extends Omit<FakeOpenAIOptions, 'apiKey' | 'ownedBy'> {
  /** `--api-key`. */
  apiKey?: string;
  /** A slot's context, `default_generation_settings.n_ctx` (default 4096). */
  nCtx?: number;
  /** `--parallel` (default 1). */
  totalSlots?: number;
}

const OPEN = new Set(['/health', '/v1/health', '/models', '/v1/models']);

export class FakeLlamaServer extends FakeOpenAI {
  readonly nCtx: number;
  private readonly key: string | undefined;
  private readonly totalSlots: number;

  constructor(options: FakeLlamaServerOptions = {}) {
    super({ ...options, models: options.models ?? ['qwen2.5-coder-7b-q4_k_m.gguf'], ownedBy: 'llamacpp' });
    this.key = options.apiKey;
    this.nCtx = options.nCtx ?? 4096;
    this.totalSlots = options.totalSlots ?? 1;
  }

  protected override async route(ex: Exchange, script: Script): Promise<void> {
    const { method, path } = ex.record;
    if (this.key !== undefined && !OPEN.has(path) && ex.record.headers.authorization !== `Bearer ${this.key}`) {
      return void ex.json(401, { error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' } });
    }
    if (method === 'GET' && (path === '/health' || path === '/v1/health')) return void ex.json(200, { status: 'ok' });
    if (method === 'GET' && path === '/props') {
      const model = this.models[0] ?? 'model.gguf';
      return void ex.json(200, {
        default_generation_settings: {
          id: 0, id_task: -1, n_ctx: this.nCtx, speculative: false, is_processing: false,
          params: { n_predict: -1, seed: 4294967295, temperature: 0.8, top_k: 40, top_p: 0.95, min_p: 0.05, stream: true, cache_prompt: true },
          prompt: '', next_token: { has_next_token: true, has_new_line: false, n_remain: -1, n_decoded: 0, stopping_word: '' },
        },
        total_slots: this.totalSlots,
        model_path: `/models/${model}`,
        modalities: { vision: false, audio: false },
        chat_template: '{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}',
        bos_token: '<|endoftext|>',
        eos_token: '<|im_end|>',
        build_info: 'b6097-9515c613',
      });
    }
    return super.route(ex, script);
  }

  protected override finalExtra(plan: Plan, stats: GenerationStats): object {
    const cached = this.cachedTokens(plan);
    const promptN = Math.max(plan.promptTokens - cached, 0);
    const promptMs = stats.prefillNs / 1e6;
    const predictedMs = stats.evalNs / 1e6;
    return {
      timings: {
        cache_n: cached,
        prompt_n: promptN,
        prompt_ms: promptMs,
        prompt_per_token_ms: promptN ? promptMs / promptN : 0,
        prompt_per_second: promptMs ? (promptN * 1000) / promptMs : 0,
        predicted_n: stats.generated,
        predicted_ms: predictedMs,
        predicted_per_token_ms: stats.generated ? predictedMs / stats.generated : 0,
        predicted_per_second: predictedMs ? (stats.generated * 1000) / predictedMs : 0,
      },
    };
  }
}

/** Starts a fake llama.cpp server on 127.0.0.1 (https with `tls`). */
export function startFakeLlamaServer(options: FakeLlamaServerOptions = {}): Promise<FakeLlamaServer> {
  return new FakeLlamaServer(options).listen();
}
