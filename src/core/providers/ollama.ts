// Ollama through its official client. Every call builds a light client whose fetch is the egress
// gate's for that purpose, tied to the call's AbortSignal: cancelling closes the HTTP connection
// and Ollama stops generating.
import { Ollama } from 'ollama';
import type { RequestKind } from '../types';
import { callFetch, isAbort, mapLocalError, runStream, timeoutSignal, unhealthy, type ErrorContext, type FetchFor, type ModelPuller, type PullProgress } from './local';
import { ollamaTiming } from './serverTiming';
import type { ChatProvider, ChatRequest, FimProvider, FimRequest, HealthResult, ModelCatalog, ModelInfo, OnText, StreamResult } from './types';

const HEALTH_TIMEOUT_MS = 3000;
const SHOW_TIMEOUT_MS = 5000;

export class OllamaProvider implements FimProvider, ChatProvider, ModelCatalog, ModelPuller {
  readonly id = 'ollama' as const;
  /** Per model: does its template take a suffix (then Ollama's own FIM templating is used)? */
  private readonly takesSuffix = new Map<string, Promise<boolean>>();

  constructor(readonly baseUrl: string, private readonly fetchFor: FetchFor) {}

  private client(purpose: Parameters<FetchFor>[0], signal?: AbortSignal): Ollama {
    return new Ollama({ host: this.baseUrl, fetch: callFetch(this.fetchFor(purpose), signal, 'Ollama') });
  }

  private ctx(model?: string): ErrorContext {
    return { server: 'Ollama', baseUrl: this.baseUrl, model, startHint: 'is Ollama running? Start it with `ollama serve` or check switchyard.local.ollamaUrl' };
  }

  /**
   * Asks /api/show once per model whether its template uses `.Suffix` (FIM-capable). The answer is
   * shared by every request waiting for it, so it is bound to its own timeout only, never to the
   * signal of the request that happened to ask first.
   */
  supportsSuffix(model: string): Promise<boolean> {
    let known = this.takesSuffix.get(model);
    if (!known) {
      known = this.client('show-model', timeoutSignal(SHOW_TIMEOUT_MS)).show({ model })
        .then((info) => (info.template ?? '').includes('.Suffix') || (info.capabilities ?? []).includes('insert'));
      this.takesSuffix.set(model, known);
      // A failure is not remembered: the next request asks again.
      known.catch(() => this.takesSuffix.delete(model));
    }
    return known;
  }

  complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    return runStream(signal, onText, (err) => mapLocalError(err, this.ctx(req.model)), async (rec) => {
      const native = await this.supportsSuffix(req.model);
      // Ollama templates the suffix itself when the model's template takes one; otherwise the
      // family's raw template; a model with neither gets the prefix alone (plain completion).
      const head = req.header ?? '';
      const prompt = native
        ? { prompt: head + req.prefix, suffix: req.suffix }
        : req.rawPrompt !== undefined ? { prompt: req.rawPrompt, raw: true } : { prompt: head + req.prefix, raw: true };
      req.onSend?.(prompt.prompt, 'suffix' in prompt ? prompt.suffix : undefined);
      const stream = await this.client('completion', signal).generate({
        model: req.model,
        ...prompt,
        stream: true,
        keep_alive: req.keepAlive,
        options: { num_predict: req.maxTokens, temperature: req.temperature, stop: req.stop },
      });
      for await (const part of stream) {
        rec.push(part.response);
        if (part.done) return rec.result(...ollamaEnd(part));
      }
      throw new Error(STREAM_CUT);
    });
  }

  chat(req: ChatRequest & { kind?: RequestKind }, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    return runStream(signal, onText, (err) => mapLocalError(err, this.ctx(req.model)), async (rec) => {
      const stream = await this.client(req.kind ?? 'ask', signal).chat({
        model: req.model,
        messages: req.messages,
        stream: true,
        ...(req.logprobs ? { logprobs: true } : {}),
        options: { num_predict: req.maxTokens, ...(req.temperature !== undefined ? { temperature: req.temperature } : {}) },
      });
      const logprobs: number[] = [];
      for await (const part of stream) {
        rec.reported(part.model);
        rec.push(part.message?.content);
        for (const lp of (part as { logprobs?: Array<{ logprob?: number }> }).logprobs ?? []) {
          if (typeof lp.logprob === 'number') logprobs.push(lp.logprob);
        }
        if (part.done) {
          const [finish, extra] = ollamaEnd(part);
          return rec.result(finish, { ...extra, ...(logprobs.length ? { logprobs } : {}) });
        }
      }
      throw new Error(STREAM_CUT);
    });
  }

  async listModels(signal: AbortSignal): Promise<ModelInfo[]> {
    try {
      const res = await this.client('list-models', signal).list();
      return res.models.map((m) => ({ name: m.name, sizeBytes: m.size, family: m.details?.family }));
    } catch (err) {
      throw mapLocalError(err, this.ctx());
    }
  }

  /** GET /api/version: the cheapest call Ollama has. */
  async health(signal: AbortSignal): Promise<HealthResult> {
    try {
      const { version } = await this.client('health', timeoutSignal(HEALTH_TIMEOUT_MS, signal)).version();
      return { ok: true, detail: `Ollama ${version} is running at ${this.baseUrl}`, version };
    } catch (err) {
      return unhealthy(err, this.ctx());
    }
  }

  async pull(model: string, onProgress: (p: PullProgress) => void, signal: AbortSignal): Promise<void> {
    try {
      const stream = await this.client('pull', signal).pull({ model, stream: true });
      for await (const p of stream) onProgress({ status: p.status, completed: p.completed, total: p.total });
      this.takesSuffix.delete(model);
    } catch (err) {
      if (isAbort(err, signal)) return;
      throw mapLocalError(err, this.ctx(model));
    }
  }
}

/** What the ollama client says when a stream ends without its final message (mapped to 'cut'). */
const STREAM_CUT = 'Did not receive done or success response in stream.';

/** Finish reason, server-reported usage and time split from Ollama's final stream message. */
function ollamaEnd(part: { done_reason?: string; prompt_eval_count?: number; eval_count?: number; load_duration?: number; prompt_eval_duration?: number; eval_duration?: number }): [StreamResult['finishReason'], Partial<StreamResult>] {
  const timing = ollamaTiming(part);
  return [
    part.done_reason === 'length' ? 'length' : 'stop',
    { usage: { promptTokens: part.prompt_eval_count ?? 0, completionTokens: part.eval_count ?? 0 }, ...(timing ? { timing } : {}) },
  ];
}
