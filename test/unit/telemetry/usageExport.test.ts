// The usage export end to end in Node: ledger events -> the OpenTelemetry SDK -> OTLP/HTTP JSON through
// the real egress gate -> a collector on 127.0.0.1 that decodes what arrives.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeCollector, type FakeCollector } from '../../fakes';
import { EgressGate } from '../../../src/core/privacy/node/gate';
import { ALL_CLASSES, NEVER_LEAVE_MACHINE, type PrivacyPolicy } from '../../../src/core/privacy/policy';
import { UsageExporter, usageRecord, type PricedCall } from '../../../src/core/telemetry/usage';
import type { ModelCallEvent } from '../../../src/core/types';

const MARKER = 'PROMPT_TEXT_MARKER_d41d8';
let collector: FakeCollector;
let policy: PrivacyPolicy;
// 127.0.0.1 is this machine; any other host name (here `localhost`, standing in for a remote
// collector) counts as off the machine - and would reach the fake if the gate let it through.
const gate = new EgressGate({ policy: () => policy, classify: async (u) => (u.hostname === '127.0.0.1' ? 'machine' : 'cloud') });

function event(over: Partial<ModelCallEvent>): ModelCallEvent {
  return {
    id: `id-${Math.random()}`, time: new Date().toISOString(), kind: 'ask', route: 'local', reasons: [`ask is small: ${MARKER}`],
    provider: 'ollama', model: 'qwen2.5-coder:7b-instruct', endpointClass: 'machine', estimated: { promptTokens: 90, completionTokens: 40 },
    usage: { promptTokens: 100, completionTokens: 50 }, ttftMs: 120, totalMs: 900, outcome: 'served', ...over,
  };
}

function exporter(opts: { endpoint?: string; logRecords?: boolean; errors?: string[] } = {}): UsageExporter {
  const endpoint = opts.endpoint ?? collector.url;
  const send = gate.fetchFor({ purpose: 'usage-export', provider: 'collector' });
  return new UsageExporter(async () => (await import('../../../src/core/telemetry/otelSdk')).createUsageSink, {
    post: async (path, body) => {
      const res = await send(`${endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-team': 'platform' }, body: body as Uint8Array<ArrayBuffer> });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`collector answered ${res.status}`);
    },
    intervalMs: 60_000, logRecords: opts.logRecords ?? false, version: '0.1.0',
  }, (m) => opts.errors?.push(m));
}

const calls: PricedCall[] = [
  { event: event({}), costUsd: 0.0004, costEstimated: false },
  { event: event({ provider: 'team', model: 'Qwen/Qwen2.5-Coder-32B-Instruct', endpointClass: 'network', kind: 'refactor', error: `cut: ${MARKER}` }), costUsd: 0.001, costEstimated: false },
  { event: event({ provider: 'team', model: 'Qwen/Qwen2.5-Coder-32B-Instruct', endpointClass: 'network', kind: 'refactor' }), costUsd: 0.001, costEstimated: false },
  { event: event({ route: 'cloud', provider: 'openai', model: 'gpt-4.1-mini', endpointClass: 'cloud', kind: 'architecture', usage: undefined, outcome: 'failed', totalMs: 3000, ttftMs: undefined }), costUsd: 0.002, costEstimated: true },
];

before(async () => { collector = await startFakeCollector(); });
beforeEach(() => {
  policy = { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'test' };
  collector.exports.length = 0;
  collector.metrics.length = 0;
  collector.logs.length = 0;
  collector.status = 200;
});
after(() => collector.close());

describe('usage export over OTLP/HTTP', () => {
  it('exports requests, tokens, cost and latency by route, tier and model, with headers, and no text', async () => {
    const x = exporter();
    for (const c of calls) x.add(c);
    await x.flush();
    await x.shutdown();
    assert.deepEqual(collector.exports.map((e) => e.path), ['/v1/metrics']);
    assert.equal(collector.exports[0].headers['x-team'], 'platform');
    assert.equal(collector.resource()['service.name'], 'switchyard');

    const requests = collector.points('switchyard.requests');
    const by = (tier: string) => requests.filter((p) => p.attributes['switchyard.tier'] === tier).reduce((n, p) => n + (p.value ?? 0), 0);
    assert.deepEqual([by('machine'), by('team'), by('cloud')], [1, 2, 1]);
    const team = requests.find((p) => p.attributes['switchyard.tier'] === 'team')!;
    assert.deepEqual(team.attributes, {
      'switchyard.route': 'local', 'switchyard.tier': 'team', 'switchyard.provider': 'team', 'switchyard.endpoint_class': 'network',
      'switchyard.kind': 'refactor', 'switchyard.outcome': 'served', 'gen_ai.request.model': 'Qwen/Qwen2.5-Coder-32B-Instruct',
    });

    const tokens = collector.points('switchyard.tokens');
    const teamIn = tokens.find((p) => p.attributes['switchyard.tier'] === 'team' && p.attributes['switchyard.token.type'] === 'input');
    assert.equal(teamIn?.value, 200);
    const cloudIn = tokens.find((p) => p.attributes['switchyard.tier'] === 'cloud' && p.attributes['switchyard.token.type'] === 'input');
    assert.equal(cloudIn, undefined, 'a failed call without usage adds no tokens');
    const cost = collector.points('switchyard.cost');
    const cloudCost = cost.find((p) => p.attributes['switchyard.tier'] === 'cloud');
    assert.equal(cloudCost?.value, 0.002);
    assert.equal(cloudCost?.attributes['switchyard.cost.estimated'], true);
    const duration = collector.points('switchyard.request.duration').find((p) => p.attributes['switchyard.tier'] === 'team');
    assert.deepEqual([duration?.count, duration?.sum], [2, 1800]);
    assert.equal(collector.points('switchyard.time_to_first_token').reduce((n, p) => n + (p.count ?? 0), 0), 3);

    assert.ok(collector.exports.every((e) => !e.raw.includes(MARKER)), 'no reason or error text is exported');
  });

  it('log records only when asked: one per call, with figures and without text', async () => {
    const off = exporter();
    off.add(calls[0]);
    await off.flush();
    await off.shutdown();
    assert.equal(collector.logs.length, 0);

    const on = exporter({ logRecords: true });
    for (const c of calls) on.add(c);
    await on.flush();
    await on.shutdown();
    const records = collector.logRecords();
    assert.equal(records.length, calls.length);
    const teamRecord = records.find((r) => r.attributes['switchyard.tier'] === 'team')!;
    assert.equal(teamRecord.body, 'refactor served on team (Qwen/Qwen2.5-Coder-32B-Instruct)');
    assert.equal(teamRecord.attributes['switchyard.tokens.input'], 100);
    assert.equal(typeof teamRecord.attributes['switchyard.call.id'], 'string');
    assert.ok(collector.exports.every((e) => !e.raw.includes(MARKER)));
  });

  it('never-leave-machine: a collector off the machine is refused and receives nothing; one on the machine is fine', async () => {
    policy = { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: 'never-leave-machine (setting)' };
    const errors: string[] = [];
    const remote = exporter({ endpoint: `http://localhost:${collector.port}`, errors });
    remote.add(calls[0]);
    await remote.flush().catch(() => undefined);
    await remote.shutdown();
    assert.equal(collector.exports.length, 0, 'the gate let nothing through');

    const local = exporter();
    local.add(calls[0]);
    await local.flush();
    await local.shutdown();
    assert.equal(collector.exports.length, 1);
  });

  it('a collector that fails does not break anything: the next export works', async () => {
    collector.status = 503;
    const errors: string[] = [];
    const x = exporter({ errors });
    x.add(calls[0]);
    await x.flush().catch(() => undefined);
    collector.status = 200;
    x.add(calls[1]);
    await x.flush();
    await x.shutdown();
    assert.ok(collector.metrics.length >= 1);
  });

  it('a usage record carries no reasons or error text', () => {
    const r = usageRecord(calls[1]);
    assert.ok(!JSON.stringify(r).includes(MARKER));
    assert.equal(r.attributes['switchyard.tier'], 'team');
  });

  it('a log record carries the server\'s own time split where it reported one, and none otherwise', () => {
    const withTiming = usageRecord({ ...calls[2], event: { ...calls[2].event, timing: { queueMs: 310.4, inferenceMs: 95 } } });
    assert.equal(withTiming.logAttributes['switchyard.server.queue_ms'], 310);
    assert.equal(withTiming.logAttributes['switchyard.server.inference_ms'], 95);
    assert.equal(Object.keys(usageRecord(calls[2]).logAttributes).some((k) => k.startsWith('switchyard.server.')), false);
  });
});
