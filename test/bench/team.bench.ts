// Load simulation (not a timed test): N editors typing against one team server with a fixed
// concurrency. Each editor pauses between "keystroke bursts" and asks for a completion through the
// real TeamProvider (openai client, egress gate, back-off) against the fake vLLM in speed mode with an
// admission limit that answers 429 + Retry-After. Three back-off modes:
//   shared   - Switchyard's: every editor on the machine shares one back-off file per server
//   editor   - each editor honours Retry-After only after its own 429
//   none     - no back-off: each editor asks again at its next pause
// Reported per N = 5, 20, 50: completions served per second, p95 time to first token of served
// completions, the share of requests that got a 429, and requests held back by the back-off.
//   npm run bench -- team
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeVllm } from '../fakes';
import { EgressGate } from '../../src/core/privacy/node/gate';
import { ALL_CLASSES } from '../../src/core/privacy/policy';
import { memoryBackoffStore, SharedBackoff, type Backoff } from '../../src/core/providers/backoff';
import { fileBackoffStore } from '../../src/core/providers/node/backoffFile';
import { TeamProvider } from '../../src/core/providers/team';
import { ProviderError } from '../../src/core/providers/types';
import { rng } from '../seededRandom';

type Mode = 'shared' | 'editor' | 'none';
const EDITORS = [5, 20, 50];
const MODES: Mode[] = ['shared', 'editor', 'none'];
const DURATION_MS = Number(process.env.TEAM_BENCH_MS ?? 6000);
/** The server: 8 sequences at once (vLLM --max-num-seqs), 16 admitted (generating + queued), then 429 Retry-After 1 s. */
const SERVER = { maxNumSeqs: 8, maxInFlight: 16, retryAfterSeconds: 1, prefillMs: 40, perTokenMs: 6 };
const MODEL = 'Qwen/Qwen2.5-Coder-7B';

interface Outcome {
  served: number;
  rateLimited: number;
  heldBack: number;
  failed: number;
  ttfts: number[];
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function scenario(n: number, mode: Mode, dir: string, durationMs = DURATION_MS): Promise<Outcome & { sent: number; refusedByServer: number }> {
  const server = await startFakeVllm({
    maxNumSeqs: SERVER.maxNumSeqs, maxInFlight: SERVER.maxInFlight,
    overload: { status: 429, retryAfterSeconds: SERVER.retryAfterSeconds },
    defaults: { speed: { prefillMs: SERVER.prefillMs, perTokenMs: SERVER.perTokenMs } },
    reply: 'return items.filter((item) => item.active).length;',
  });
  const gate = new EgressGate({ policy: () => ({ allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'bench' }), classify: async () => 'network' });
  const sharedStore = fileBackoffStore(join(dir, `${mode}-${n}.json`));
  const neverWait: Backoff = { waitMs: () => 0, note: () => 0 };
  const out: Outcome = { served: 0, rateLimited: 0, heldBack: 0, failed: 0, ttfts: [] };
  const end = performance.now() + durationMs;

  const editor = async (index: number) => {
    const random = rng(1000 + index);
    const backoff = mode === 'none' ? neverWait : new SharedBackoff(mode === 'shared' ? sharedStore : memoryBackoffStore(), Date.now, random);
    const provider = new TeamProvider({
      baseUrl: server.baseURL, kind: 'vllm', token: async () => undefined, backoff,
      fetchFor: (purpose) => gate.fetchFor({ purpose, provider: 'team' }),
    });
    let line = 0;
    // Stagger the start like people opening their editors.
    await new Promise((r) => setTimeout(r, random() * 500));
    while (performance.now() < end) {
      // A pause in typing (debounce passed): ask for a completion of the current line.
      const prefix = `// file ${index}\n${'const a = 1;\n'.repeat(20)}function count${line++}(items) {\n  `;
      try {
        const res = await provider.complete({ model: MODEL, prefix, suffix: '\n}\n', maxTokens: 16, temperature: 0.2, stop: ['\n'] }, () => undefined, AbortSignal.timeout(10_000));
        out.served++;
        if (res.ttftMs !== undefined) out.ttfts.push(res.ttftMs);
      } catch (err) {
        const e = err instanceof ProviderError ? err : undefined;
        if (e?.code === 'rate-limit' && e.options.status === undefined) out.heldBack++;
        else if (e?.code === 'rate-limit') out.rateLimited++;
        else out.failed++;
      }
      // Typing until the next pause: 250-750 ms.
      await new Promise((r) => setTimeout(r, 250 + random() * 500));
    }
  };
  await Promise.all(Array.from({ length: n }, (_, i) => editor(i)));
  const sent = server.generations.length;
  const refusedByServer = server.refused;
  await server.close();
  return { ...out, sent, refusedByServer };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-team-bench-'));
  const figures: Record<string, number> = {};
  console.log(`team server: ${SERVER.maxNumSeqs} sequences at once, ${SERVER.maxInFlight} admitted, then 429 Retry-After ${SERVER.retryAfterSeconds} s; prefill ${SERVER.prefillMs} ms, ${SERVER.perTokenMs} ms/token, 16-token answers; ${DURATION_MS / 1000} s per run; editors pause every 250-750 ms after an answer`);
  console.log('N   mode    served/s  p95 TTFT ms  429 share  held back  sent to server');
  try {
    // Warm-up (discarded): the first run would otherwise also pay for loading the openai client.
    await scenario(2, 'none', dir, 800);
    for (const n of EDITORS) {
      for (const mode of MODES) {
        const r = await scenario(n, mode, dir);
        const perSecond = r.served / (DURATION_MS / 1000);
        const share = r.sent ? r.rateLimited / r.sent : 0;
        const p95 = pct(r.ttfts, 95);
        console.log(`${String(n).padEnd(3)} ${mode.padEnd(7)} ${perSecond.toFixed(1).padStart(8)}  ${p95.toFixed(0).padStart(11)}  ${(100 * share).toFixed(1).padStart(8)} %  ${String(r.heldBack).padStart(9)}  ${String(r.sent).padStart(14)}${r.failed ? `  (${r.failed} failed)` : ''}`);
        figures[`team.n${n}.${mode}.servedPerSecond`] = perSecond;
        figures[`team.n${n}.${mode}.p95TtftMs`] = p95;
        figures[`team.n${n}.${mode}.share429`] = share;
        figures[`team.n${n}.${mode}.heldBack`] = r.heldBack;
        figures[`team.n${n}.${mode}.failed`] = r.failed;
      }
      const ratio = figures[`team.n${n}.shared.share429`] / Math.max(1e-9, figures[`team.n${n}.editor.share429`]);
      figures[`team.n${n}.share429SharedVsEditor`] = ratio;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures));
}

void main();
