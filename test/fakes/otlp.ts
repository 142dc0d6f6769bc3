// A fake OpenTelemetry collector: an OTLP/HTTP receiver on 127.0.0.1 (`POST /v1/metrics`, `/v1/logs`,
// JSON encoding) that decodes every export request into the OTLP data model and keeps it, plus
// helpers to read data points and log records by name and attributes. It answers like a collector:
// 200 with an empty partial-success body, or a scripted status.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IExportLogsServiceRequest, ILogRecord } from '@opentelemetry/otlp-transformer/build/src/logs/internal-types';
import type { IExportMetricsServiceRequest, IMetric } from '@opentelemetry/otlp-transformer/build/src/metrics/internal-types';
import type { IAnyValue, IKeyValue } from '@opentelemetry/otlp-transformer/build/src/common/internal-types';

export interface ReceivedExport {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body as it arrived (to prove what did not). */
  raw: string;
}

export interface MetricPoint {
  metric: string;
  unit?: string;
  attributes: Record<string, unknown>;
  /** Sum value, or histogram count/sum. */
  value?: number;
  count?: number;
  sum?: number;
  temporality?: number;
}

export class FakeCollector {
  readonly exports: ReceivedExport[] = [];
  readonly metrics: IExportMetricsServiceRequest[] = [];
  readonly logs: IExportLogsServiceRequest[] = [];
  /** Status to answer with (default 200). */
  status = 200;
  port = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      this.exports.push({ path, headers: req.headers, raw });
      if (req.method !== 'POST' || (path !== '/v1/metrics' && path !== '/v1/logs')) {
        res.writeHead(404).end();
        return;
      }
      if (!String(req.headers['content-type']).includes('application/json')) {
        res.writeHead(415).end();
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"invalid JSON"}');
        return;
      }
      if (this.status === 200) {
        if (path === '/v1/metrics') this.metrics.push(body as IExportMetricsServiceRequest);
        else this.logs.push(body as IExportLogsServiceRequest);
      }
      res.writeHead(this.status, { 'content-type': 'application/json' }).end(this.status === 200 ? '{"partialSuccess":{}}' : '{"code":14,"message":"unavailable"}');
    });
  });

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Every metric data point received, flattened. */
  points(name?: string): MetricPoint[] {
    const out: MetricPoint[] = [];
    for (const req of this.metrics) for (const rm of req.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) if (!name || m.name === name) out.push(...pointsOf(m));
    }
    return out;
  }

  /** Every log record received. */
  logRecords(): Array<{ body: unknown; attributes: Record<string, unknown>; severityText?: string }> {
    const out = [];
    for (const req of this.logs) for (const rl of req.resourceLogs ?? []) for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) out.push(logOf(r));
    }
    return out;
  }

  /** Resource attributes of the first export. */
  resource(): Record<string, unknown> {
    return attrs(this.metrics[0]?.resourceMetrics?.[0]?.resource?.attributes ?? []);
  }
}

function value(v: IAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  if (v.arrayValue) return v.arrayValue.values.map(value);
  return undefined;
}

function attrs(list: IKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

function pointsOf(m: IMetric): MetricPoint[] {
  if (m.sum) {
    return m.sum.dataPoints.map((p) => ({
      metric: m.name, unit: m.unit, attributes: attrs(p.attributes), value: Number(p.asDouble ?? p.asInt), temporality: m.sum!.aggregationTemporality,
    }));
  }
  if (m.histogram) {
    return m.histogram.dataPoints.map((p) => ({
      metric: m.name, unit: m.unit, attributes: attrs(p.attributes), count: Number(p.count), sum: p.sum, temporality: m.histogram!.aggregationTemporality,
    }));
  }
  return [];
}

function logOf(r: ILogRecord) {
  return { body: value(r.body), attributes: attrs(r.attributes), severityText: r.severityText };
}

export function startFakeCollector(): Promise<FakeCollector> {
  return new FakeCollector().listen();
}
