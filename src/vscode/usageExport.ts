// Usage export to the team's observability stack: each model call from the ledger's event stream,
// as OpenTelemetry metrics (and, opt-in, log records) over OTLP/HTTP to the user's collector. Off by
// default. The bytes go through the egress gate: a never-leave-machine workspace sends them only to
// a collector on this machine. The local ledger stays the record; the export is a copy.
import * as vscode from 'vscode';
import { UsageExporter, type UsageSink, type UsageSinkOptions } from '../core/telemetry/usage';
import type { UsageExportSettings } from '../core/settings/team';
import type { Services } from './services';
import { errorMessage } from '../core/errors';

export interface UsageExportService {
  /** The running exporter; undefined while the export is off. */
  current(): UsageExporter | undefined;
}

// Loaded on first use: the OpenTelemetry SDK is a separate bundle, never on the activation path.
const loadSdk = async (): Promise<(opts: UsageSinkOptions) => UsageSink> => (await import('../core/telemetry/otelSdk')).createUsageSink;

export function registerUsageExport(s: Services): UsageExportService {
  const { cost } = s;
  let exporter: UsageExporter | undefined;
  let key = '';
  let lastError = '';
  const version = String((s.context.extension.packageJSON as { version?: string }).version ?? '0');

  const post = (settings: UsageExportSettings) => async (path: string, body: Uint8Array): Promise<void> => {
    const send = s.gate.fetchFor({ purpose: 'usage-export', provider: 'collector' });
    const res = await send(`${settings.endpoint}${path}`, {
      method: 'POST',
      headers: { ...settings.headers, 'content-type': 'application/json' },
      body: body as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(10_000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the collector at ${settings.endpoint} answered ${res.status}`);
  };

  const reportError = (message: string) => {
    if (message === lastError) return; // once per kind of failure, not once per export interval
    lastError = message;
    s.log.warn(`usage export: ${message}`);
  };

  const apply = () => {
    const u = s.settings.current.usageExport;
    const next = u.enabled ? JSON.stringify(u) : '';
    if (next === key) return;
    key = next;
    void exporter?.shutdown();
    exporter = undefined;
    if (!u.enabled) return;
    exporter = new UsageExporter(loadSdk, {
      post: (path, body) => post(u)(path, body).then(() => { lastError = ''; }, (err: unknown) => {
        reportError(errorMessage(err));
        throw err;
      }),
      intervalMs: u.intervalSeconds * 1000,
      logRecords: u.logRecords,
      version,
      resourceAttributes: { 'service.instance.id': vscode.env.machineId.slice(0, 12) },
    }, reportError);
    s.log.info(`usage export on: OpenTelemetry metrics${u.logRecords ? ' and log records' : ''} to ${u.endpoint} every ${u.intervalSeconds} s`);
  };

  apply();
  s.context.subscriptions.push(s.settings.onDidChange.on(apply));
  const subscription = s.events.on((e) => {
    if (!exporter) return;
    const priced = cost.priced(e);
    const billed = priced.billedCostUsd;
    exporter.add({ event: e, costUsd: billed ?? priced.estimatedCostUsd, costEstimated: billed === undefined });
  });
  s.context.subscriptions.push({ dispose: () => { subscription.dispose(); void exporter?.shutdown(); } });
  return { current: () => exporter };
}
