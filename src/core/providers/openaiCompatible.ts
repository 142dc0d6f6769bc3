// A local OpenAI-compatible server (llama.cpp server, vLLM, LM Studio) through the official `openai`
// client with the configured base URL. FIM uses /v1/completions: the family's raw template when the
// model is known, else the `suffix` field (llama.cpp and LM Studio honour it).
import type OpenAI from 'openai';
import type { RequestKind } from '../types';
import { callFetch, mapLocalError, runStream, timeoutSignal, unhealthy, type ErrorContext, type FetchFor } from './local';
import type { ChatProvider, ChatRequest, FimProvider, FimRequest, HealthResult, ModelCatalog, ModelInfo, OnText, StreamResult } from './types';
import { openAIClientClass, streamChat, streamCompletion } from './openaiSdk';

const HEALTH_TIMEOUT_MS = 3000;

export class OpenAICompatibleProvider implements FimProvider, ChatProvider, ModelCatalog {
  readonly id = 'openai-compatible' as const;

  constructor(readonly baseUrl: string, private readonly fetchFor: FetchFor) {}

  private async client(purpose: Parameters<FetchFor>[0], signal?: AbortSignal): Promise<OpenAI> {
    const OpenAIClient = await openAIClientClass();
    return new OpenAIClient({
      baseURL: this.baseUrl,
      // Local servers ignore the key; an explicit placeholder keeps the SDK from picking up a real
      // OPENAI_API_KEY from the environment and sending it to this server.
      apiKey: 'local',
      fetch: callFetch(this.fetchFor(purpose), signal, 'The local server'),
      maxRetries: 0,
    });
  }

  private ctx(model?: string): ErrorContext {
    return { server: 'The local server', baseUrl: this.baseUrl, model, startHint: 'is the server running? Check switchyard.local.openaiCompatibleUrl' };
  }

  complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    return runStream(signal, onText, (err) => mapLocalError(err, this.ctx(req.model)), async (rec) => {
      const client = await this.client('completion', signal);
      const prompt = req.rawPrompt !== undefined ? { prompt: req.rawPrompt } : { prompt: (req.header ?? '') + req.prefix, suffix: req.suffix };
      req.onSend?.(prompt.prompt, prompt.suffix);
      const stream = await streamCompletion(client, req, prompt, signal);
      const end = new StreamEnd();
      for await (const chunk of stream) {
        rec.push(chunk.choices?.[0]?.text);
        end.note(chunk);
      }
      return rec.result(end.finish(), { usage: end.usage });
    });
  }

  chat(req: ChatRequest & { kind?: RequestKind }, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    return runStream(signal, onText, (err) => mapLocalError(err, this.ctx(req.model)), async (rec) => {
      const client = await this.client(req.kind ?? 'ask', signal);
      const stream = await streamChat(client, req, signal);
      const end = new StreamEnd();
      const logprobs: number[] = [];
      for await (const chunk of stream) {
        const choice = chunk.choices?.[0];
        rec.reported(chunk.model);
        rec.push(choice?.delta?.content ?? undefined);
        for (const lp of choice?.logprobs?.content ?? []) logprobs.push(lp.logprob);
        end.note(chunk);
      }
      return rec.result(end.finish(), { usage: end.usage, ...(logprobs.length ? { logprobs } : {}) });
    });
  }

  async listModels(signal: AbortSignal): Promise<ModelInfo[]> {
    try {
      const client = await this.client('list-models', signal);
      const page = await client.models.list({ signal });
      return page.data.map((m) => ({ name: m.id }));
    } catch (err) {
      throw mapLocalError(err, this.ctx());
    }
  }

  /** GET /v1/models: cheap, and every OpenAI-compatible server has it. */
  async health(signal: AbortSignal): Promise<HealthResult> {
    const s = timeoutSignal(HEALTH_TIMEOUT_MS, signal);
    try {
      const client = await this.client('health', s);
      const page = await client.models.list({ signal: s });
      // Something that answers 200 without a model list is not an OpenAI-compatible server.
      if (!Array.isArray(page.data)) return { ok: false, detail: `${this.baseUrl} answers, but not with a model list: this is not a model server` };
      return { ok: true, detail: `the local server at ${this.baseUrl} is running (${page.data.length} model${page.data.length === 1 ? '' : 's'})` };
    } catch (err) {
      return unhealthy(err, this.ctx(), s);
    }
  }
}

/**
 * The finish reason and usage of an OpenAI-style stream. The SDK ends a cut stream quietly, so a
 * stream without a finish reason is reported as cut.
 */
class StreamEnd {
  private reason: StreamResult['finishReason'] | undefined;
  usage: StreamResult['usage'];

  note(chunk: { choices?: Array<{ finish_reason?: string | null }>; usage?: { prompt_tokens: number; completion_tokens: number } | null }): void {
    const reason = chunk.choices?.[0]?.finish_reason;
    if (reason) this.reason = reason === 'length' ? 'length' : 'stop';
    if (chunk.usage) this.usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
  }

  finish(): StreamResult['finishReason'] {
    if (!this.reason) throw new Error('terminated: the stream ended without a finish reason');
    return this.reason;
  }
}
