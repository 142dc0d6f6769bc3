// What the cloud chat providers (OpenAI, Anthropic) share around their SDK's stream: the SDK imported on
// the first call (never at activation), its client on the gate's fetch, the idle timeout, cancellation,
// and every failure in plain words. Each provider only says how to ask and how to read its events.
import { attachStreamSoFar, failedStreamUsage } from '../../cost/partial';
import { countTokens } from '../../node/tokens';
import type { CloudProviderId, TokenUsage } from '../../types';
import { cloudCut, cloudTimeout, IdleAbort, mapCloudError, type SdkErrorClasses } from '../cloudErrors';
import type { ChatProvider, ChatRequest, OnText, StreamResult } from '../types';

export interface CloudChatOptions {
  baseUrl: string;
  apiKey: string;
  /** The egress gate's fetch for this request kind. */
  fetch: typeof fetch;
  /** No response, or no streamed text, for this long fails the call as a timeout. */
  timeoutMs: number;
}

/** What both SDKs' client constructors take. */
export interface SdkClientOptions {
  baseURL: string;
  apiKey: string;
  fetch: typeof fetch;
  maxRetries: number;
  timeout: number;
}

/** One call's reading of its stream. */
export interface StreamReading<Event> {
  /** Takes one streamed event; returns the text it carries, if any. */
  read(event: Event): string | null | undefined;
  usage(): TokenUsage | undefined;
  /** Why the answer ended; undefined when its final event never came (the stream was cut). */
  finish(): 'stop' | 'length' | undefined;
}

/** One cloud provider's part: its SDK, its request and how its events read. */
export interface CloudDialect<Sdk extends SdkErrorClasses, Client, Event> {
  id: CloudProviderId;
  /** `import('<sdk>')`, run on the first call only. */
  load(): Promise<Sdk>;
  client(sdk: Sdk, options: SdkClientOptions): Client;
  stream(client: Client, req: ChatRequest, signal: AbortSignal): Promise<AsyncIterable<Event>>;
  reading(): StreamReading<Event>;
}

/** One retry covers a dropped connection or a brief 5xx/429 without keeping the user waiting long. */
const MAX_RETRIES = 1;

export function createCloudStreamingChat<Sdk extends SdkErrorClasses, Client, Event>(
  opts: CloudChatOptions,
  dialect: CloudDialect<Sdk, Client, Event>,
): ChatProvider {
  let sdk: Sdk | undefined;
  let client: Client | undefined;
  const ctx = { host: safeHost(opts.baseUrl), timeoutMs: opts.timeoutMs };
  return {
    id: dialect.id,
    baseUrl: opts.baseUrl,
    async chat(req: ChatRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
      const started = performance.now();
      const idle = new IdleAbort(opts.timeoutMs, signal);
      const reading = dialect.reading();
      let text = '';
      let ttftMs: number | undefined;
      let events = 0;
      let failure: { err: unknown } | undefined;
      try {
        if (!client) {
          sdk = await dialect.load();
          client = dialect.client(sdk, {
            baseURL: opts.baseUrl, apiKey: opts.apiKey, fetch: opts.fetch,
            maxRetries: MAX_RETRIES, timeout: opts.timeoutMs + 1000,
          });
        }
        for await (const event of await dialect.stream(client, req, idle.signal)) {
          idle.touch();
          events++;
          const delta = reading.read(event);
          if (!delta) continue;
          ttftMs ??= performance.now() - started;
          text += delta;
          onText(delta);
        }
      } catch (err) {
        failure = { err };
      } finally {
        idle.stop();
      }
      // Checked whether the stream threw or ended: the SDK ends it quietly when aborted.
      const result = (finishReason: StreamResult['finishReason']): StreamResult =>
        ({ text, usage: reading.usage(), ttftMs, totalMs: performance.now() - started, finishReason });
      if (signal.aborted) return cancelled(result('cancelled'));
      // Once the provider has streamed anything it bills the call, whatever happens next: the error
      // carries what was reported and received so far, for the ledger.
      const billed = <E extends Error>(err: E): E => (events > 0 ? attachStreamSoFar(err, { reported: reading.usage(), text }) : err);
      if (idle.timedOut) throw billed(cloudTimeout(dialect.id, opts.timeoutMs));
      if (failure) throw billed(mapCloudError(failure.err, dialect.id, { ...ctx, model: req.model }, sdk));
      const finish = reading.finish();
      if (!finish) throw billed(cloudCut(dialect.id));
      return result(finish);
    },
  };
}

/**
 * A stream cancelled after the provider reported usage (Anthropic's message_start) is billed for what it
 * generated, which is at least the text received: its reported output count lags (the final count never
 * came), so bill the larger of the two, as a cut stream is. The ledger flags a cancelled call's usage as
 * an estimate.
 */
async function cancelled(r: StreamResult): Promise<StreamResult> {
  if (!r.usage || !r.text) return r;
  return { ...r, usage: failedStreamUsage({ reported: r.usage, text: r.text }, r.usage.promptTokens, await countTokens(r.text)) };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}
