// Usage export to a team's observability stack (OpenTelemetry over OTLP/HTTP): what each model call
// was - route, tier, provider, model, kind, outcome, tokens, cost, latency - and never what it said.
// This module is light: it turns ledger events into records and hands them to the SDK pipeline
// (otelSdk.ts), which is loaded only once the export is on and a call has happened.
import { tierOf } from '../routing/router';
import type { ModelCallEvent } from '../types';
import { errorMessage } from '../errors';

/** Attribute values the SDK takes. */
export type Attributes = Record<string, string | number | boolean>;

export interface UsageRecord {
  /** Dimensions of every metric point (low cardinality: no ids, no paths, no text). */
  attributes: Attributes;
  /** Only on the log record: the call's id and figures. */
  logAttributes: Attributes;
  inputTokens: number;
  outputTokens: number;
  /** Provider-reported usage was missing and the estimate is used. */
  tokensEstimated: boolean;
  costUsd?: number;
  costEstimated: boolean;
  totalMs: number;
  ttftMs?: number;
  /** A short line for the log record body, e.g. "ask served on team (model-x)". */
  summary: string;
  time: Date;
}

export interface UsageSink {
  record(r: UsageRecord): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface UsageSinkOptions {
  /** Sends one OTLP/HTTP request body to `path` (`/v1/metrics`, `/v1/logs`) of the collector. */
  post(path: string, body: Uint8Array): Promise<void>;
  intervalMs: number;
  logRecords: boolean;
  version: string;
  resourceAttributes?: Attributes;
}

/** The price of a call as the ledger has it: billed (provider-reported) or estimated. */
export interface PricedCall {
  event: ModelCallEvent;
  costUsd?: number;
  costEstimated: boolean;
}

/** One ledger event as a usage record. Takes only fields that carry no prompt or answer text. */
const TIMING_ATTRIBUTES = { queueMs: 'queue_ms', loadMs: 'load_ms', prefillMs: 'prefill_ms', generationMs: 'generation_ms', inferenceMs: 'inference_ms' } as const;

/** The server's own time split, where it reported one: `switchyard.server.prefill_ms` etc. */
function timingAttributes(t: ModelCallEvent['timing']): Attributes {
  const out: Attributes = {};
  for (const [key, name] of Object.entries(TIMING_ATTRIBUTES)) {
    const v = t?.[key as keyof typeof TIMING_ATTRIBUTES];
    if (typeof v === 'number' && Number.isFinite(v)) out[`switchyard.server.${name}`] = Math.round(v);
  }
  return out;
}

export function usageRecord({ event: e, costUsd, costEstimated }: PricedCall): UsageRecord {
  const tier = e.route === 'blocked' ? 'none' : tierOf(e.provider);
  const usage = e.usage ?? (e.outcome === 'served' ? e.estimated : undefined);
  const attributes: Attributes = {
    'switchyard.route': e.route,
    'switchyard.tier': tier,
    'switchyard.provider': e.provider,
    'switchyard.endpoint_class': e.endpointClass,
    'switchyard.kind': e.kind,
    'switchyard.outcome': e.outcome,
    'gen_ai.request.model': e.model,
  };
  const logAttributes: Attributes = {
    'switchyard.call.id': e.id,
    'switchyard.tokens.input': usage?.promptTokens ?? 0,
    'switchyard.tokens.output': usage?.completionTokens ?? 0,
    'switchyard.duration_ms': Math.round(e.totalMs),
    ...(e.ttftMs !== undefined ? { 'switchyard.ttft_ms': Math.round(e.ttftMs) } : {}),
    ...timingAttributes(e.timing),
    ...(costUsd !== undefined ? { 'switchyard.cost_usd': costUsd, 'switchyard.cost.estimated': costEstimated } : {}),
  };
  return {
    attributes,
    logAttributes,
    inputTokens: usage?.promptTokens ?? 0,
    outputTokens: usage?.completionTokens ?? 0,
    tokensEstimated: e.usage === undefined,
    costUsd,
    costEstimated,
    totalMs: e.totalMs,
    ttftMs: e.ttftMs,
    summary: `${e.kind} ${e.outcome} on ${tier} (${e.model})`,
    time: new Date(e.time),
  };
}

/**
 * Feeds records to the SDK pipeline, loading it on first use. Records that arrive while it loads are
 * queued (a bounded number); a pipeline that cannot load drops them with one error message.
 */
export class UsageExporter {
  private sink: UsageSink | undefined;
  private loading: Promise<UsageSink | undefined> | undefined;
  private readonly queue: UsageRecord[] = [];
  private closed = false;

  constructor(
    private readonly load: () => Promise<(opts: UsageSinkOptions) => UsageSink>,
    private readonly options: UsageSinkOptions,
    private readonly onError: (message: string) => void,
  ) {}

  add(call: PricedCall): void {
    if (this.closed) return;
    const r = usageRecord(call);
    if (this.sink) return this.sink.record(r);
    if (this.queue.length < 1000) this.queue.push(r);
    this.start();
  }

  private start(): Promise<UsageSink | undefined> {
    this.loading ??= this.load().then((create) => {
      if (this.closed) return undefined;
      this.sink = create(this.options);
      for (const r of this.queue.splice(0)) this.sink.record(r);
      return this.sink;
    }, (err: unknown) => {
      this.queue.length = 0;
      this.onError(`usage export could not start: ${errorMessage(err)}`);
      return undefined;
    });
    return this.loading;
  }

  /** Sends what has been recorded now (tests, and before the window closes). */
  async flush(): Promise<void> {
    const sink = this.sink ?? (this.queue.length ? await this.start() : undefined);
    await sink?.flush();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await this.sink?.shutdown();
  }
}
