// The OpenTelemetry side of the usage export: the official SDK aggregates the metrics and batches the
// log records; the official OTLP JSON serializers encode them; Switchyard's own `post` (the egress
// gate's fetch) carries the bytes, so the export obeys the same privacy check as every request.
// Heavy: bundled on its own (dist/vendor/otel.js) and loaded only once an export is turned on.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { UsageRecord, UsageSink, UsageSinkOptions } from './usage';

function done(work: Promise<void>, callback: (r: ExportResult) => void): void {
  work.then(
    () => callback({ code: ExportResultCode.SUCCESS }),
    (error: unknown) => callback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
  );
}

/** Builds the SDK pipeline: metrics always, log records when asked. */
export function createUsageSink(opts: UsageSinkOptions): UsageSink {
  const resource = resourceFromAttributes({ 'service.name': 'switchyard', 'service.version': opts.version, ...opts.resourceAttributes });

  const metricExporter: PushMetricExporter = {
    export(metrics: ResourceMetrics, callback) {
      const body = JsonMetricsSerializer.serializeRequest(metrics);
      done(body ? opts.post('/v1/metrics', body) : Promise.resolve(), callback);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    // Deltas: a collector sums them across every editor of the team without resets on restart.
    selectAggregationTemporality: () => AggregationTemporality.DELTA,
  };
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: opts.intervalMs, exportTimeoutMillis: Math.min(30_000, opts.intervalMs) });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  const meter = meterProvider.getMeter('switchyard', opts.version);
  const requests = meter.createCounter('switchyard.requests', { description: 'Model calls, by route, tier, model and outcome', unit: '{request}' });
  const tokens = meter.createCounter('switchyard.tokens', { description: 'Tokens of model calls (provider-reported, else estimated)', unit: '{token}' });
  const cost = meter.createCounter('switchyard.cost', { description: 'Cost of model calls: billed for the cloud, the local rate for local tiers', unit: 'USD' });
  const duration = meter.createHistogram('switchyard.request.duration', { description: 'Wall time of a model call', unit: 'ms' });
  const ttft = meter.createHistogram('switchyard.time_to_first_token', { description: 'Time to the first streamed token', unit: 'ms' });

  let loggerProvider: LoggerProvider | undefined;
  if (opts.logRecords) {
    const logExporter: LogRecordExporter = {
      export(logs: ReadableLogRecord[], callback) {
        const body = JsonLogsSerializer.serializeRequest(logs);
        done(body ? opts.post('/v1/logs', body) : Promise.resolve(), callback);
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: Math.min(5000, opts.intervalMs) })] });
  }
  const logger = loggerProvider?.getLogger('switchyard', opts.version);

  return {
    record(r: UsageRecord) {
      const a = r.attributes;
      requests.add(1, a);
      if (r.inputTokens) tokens.add(r.inputTokens, { ...a, 'switchyard.token.type': 'input', 'switchyard.tokens.estimated': r.tokensEstimated });
      if (r.outputTokens) tokens.add(r.outputTokens, { ...a, 'switchyard.token.type': 'output', 'switchyard.tokens.estimated': r.tokensEstimated });
      if (r.costUsd !== undefined) cost.add(r.costUsd, { ...a, 'switchyard.cost.estimated': r.costEstimated });
      duration.record(r.totalMs, a);
      if (r.ttftMs !== undefined) ttft.record(r.ttftMs, a);
      logger?.emit({
        severityNumber: r.attributes['switchyard.outcome'] === 'failed' ? SeverityNumber.WARN : SeverityNumber.INFO,
        severityText: r.attributes['switchyard.outcome'] === 'failed' ? 'WARN' : 'INFO',
        body: r.summary,
        attributes: { ...a, ...r.logAttributes },
        timestamp: r.time,
      });
    },
    async flush() {
      await Promise.all([meterProvider.forceFlush(), loggerProvider?.forceFlush()]);
    },
    async shutdown() {
      await Promise.all([meterProvider.shutdown(), loggerProvider?.shutdown()]);
    },
  };
}
