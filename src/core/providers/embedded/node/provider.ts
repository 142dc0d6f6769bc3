// Provider "embedded": FIM, chat and a one-model catalogue served by the engine child process.
// Its bytes never leave the machine (no network at all), so its endpoint class is `machine`.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { embeddedModelName } from './identity';
import type { EndpointClass } from '../../../types';
import {
  ProviderError, type ChatProvider, type ChatRequest, type FimProvider, type FimRequest, type HealthResult, type ModelCatalog,
  type ModelInfo, type OnText, type StreamResult,
} from '../../types';
import type { EngineClient } from './engine';
import type { GenerationResult, LoadOptions } from '../protocol';
import { errorMessage } from '../../../errors';

export const EMBEDDED_BASE_URL = 'embedded:';

export class EmbeddedProvider implements FimProvider, ChatProvider, ModelCatalog {
  readonly id = 'embedded' as const;
  readonly baseUrl = EMBEDDED_BASE_URL;
  /** Inference happens in a child process on this machine; nothing is sent anywhere. */
  readonly endpointClass: EndpointClass = 'machine';

  constructor(
    readonly engine: EngineClient,
    /** The load options from the current settings (model path, threads...). */
    private readonly options: () => LoadOptions,
  ) {}

  private async ensureModel(): Promise<void> {
    const o = this.options();
    if (!o.modelPath) {
      throw new ProviderError('model-missing', 'No model is chosen for the embedded engine. Run "Switchyard: Select Embedded Model" or "Switchyard: Download Embedded Model".', { endpointClass: 'machine' });
    }
    await this.engine.load(o);
  }

  async complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    if (signal.aborted) return { text: '', finishReason: 'cancelled', totalMs: 0 };
    const started = performance.now();
    await this.ensureModel();
    // The engine applies the model's own FIM tokens, so the raw templated prompt is not needed.
    const r = await this.engine.generate({ type: 'fim', prefix: req.prefix, suffix: req.suffix, maxTokens: req.maxTokens, temperature: req.temperature, stop: req.stop }, onText, signal);
    return toStreamResult(r, performance.now() - started, this.modelName());
  }

  async chat(req: ChatRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    if (signal.aborted) return { text: '', finishReason: 'cancelled', totalMs: 0 };
    const started = performance.now();
    await this.ensureModel();
    const r = await this.engine.generate({ type: 'chat', messages: req.messages, maxTokens: req.maxTokens, temperature: req.temperature ?? 0.2 }, onText, signal);
    return toStreamResult(r, performance.now() - started, this.modelName());
  }

  /** The model that runs: the engine's GGUF file, whatever model name the request carried. */
  private modelName(): string {
    return embeddedModelName(this.options().modelPath);
  }

  async listModels(_signal: AbortSignal): Promise<ModelInfo[]> {
    const path = this.options().modelPath;
    if (!path || !existsSync(path)) return [];
    return [{ name: basename(path).replace(/\.gguf$/i, ''), sizeBytes: statSync(path).size, family: 'gguf' }];
  }

  async health(_signal: AbortSignal): Promise<HealthResult> {
    const path = this.options().modelPath;
    if (!path) return { ok: false, detail: 'the embedded engine has no model: choose one with "Switchyard: Select Embedded Model"' };
    if (!existsSync(path)) return { ok: false, detail: `the embedded engine's model file is missing: ${path}` };
    try {
      await this.ensureModel();
      const s = this.engine.state;
      return { ok: true, detail: `embedded engine is running ${basename(path)}${s.kind === 'ready' ? ` (pid ${s.pid})` : ''}` };
    } catch (err) {
      return { ok: false, detail: errorMessage(err) };
    }
  }
}

function toStreamResult(r: GenerationResult, wallMs: number, model: string): StreamResult {
  return {
    model,
    text: r.text,
    finishReason: r.finishReason,
    usage: { promptTokens: r.promptTokens, completionTokens: r.completionTokens, cacheReadTokens: r.cachedTokens },
    ttftMs: r.ttftMs,
    totalMs: wallMs,
  };
}
