// Child process for the concurrent-append test: appends M records to the ledger in argv[2] as fast as it can.
import { LedgerWriter } from '../../../src/core/cost/node/ledger';
import { toRecord } from '../../../src/core/cost/record';

async function main(): Promise<void> {
  const [dir, writer, count, time] = [process.argv[2], process.argv[3], Number(process.argv[4]), process.argv[5]];
  const w = new LedgerWriter(dir);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    // Lines of varied size, some far larger than a pipe buffer (4 KiB), to catch interleaving.
    const reasons = [`writer ${writer}`, 'x'.repeat((i % 7) * 1500)];
    writes.push(w.append(toRecord({
      id: `${writer}-${i}`, time, kind: 'completion', route: 'local', reasons, provider: 'ollama', model: 'm',
      endpointClass: 'machine', estimated: { promptTokens: i, completionTokens: 1 }, totalMs: i, outcome: 'served',
    }, 'ws', { billedCostUsd: 0 })));
  }
  await Promise.all(writes);
  await w.close();
  process.send?.('done');
}
void main();
