// Fake model servers for tests: start them, script them, read what they received.
// See README.md in this folder.

import { AssertionError } from 'node:assert';
import type { FakeServer } from './core';

export * from './core';
export * from './tokens';
export * from './ollama';
export * from './openai';
export * from './anthropic';
export * from './recorder';
export * from './vllm';
export * from './llamaServer';
export * from './tgi';
export * from './tls';
export * from './otlp';

/**
 * Throws unless none of the given fakes received a request or even a connection: the proof that nothing
 * left for them.
 */
export function assertNothingReached(...fakes: FakeServer[]): void {
  const reached = fakes.filter((f) => f.requests.length > 0 || f.connections > 0);
  if (reached.length === 0) return;
  const lines = reached.map((f) => {
    const requests = f.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'no complete request';
    return `${f.url}: ${f.connections} connection(s), ${f.requests.length} request(s): ${requests}`;
  });
  throw new AssertionError({ message: `expected no traffic, but:\n${lines.join('\n')}` });
}

/** Closes every fake given (ignores those already closed or undefined). */
export async function closeAll(...fakes: Array<FakeServer | undefined>): Promise<void> {
  await Promise.all(fakes.map((f) => f?.close().catch(() => undefined)));
}
