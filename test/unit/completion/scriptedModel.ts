import type { FimProvider, FimRequest, OnText, StreamResult } from '../../../src/core/providers/types';
import { ProviderError } from '../../../src/core/providers/types';
import type { FakeClock } from './fakeClock';

export interface Call {
  req: FimRequest;
  aborted: boolean;
  emitted: number;
}

/**
 * An in-memory FIM model on the fake clock: a prefill delay, then one piece per `perTokenMs`,
 * honouring stop strings and aborts like a server would. `answer` decides the text per request.
 */
export class ScriptedModel implements FimProvider {
  readonly id = 'ollama' as const;
  readonly baseUrl = 'http://127.0.0.1:11434';
  readonly calls: Call[] = [];
  fail?: ProviderError;

  constructor(private readonly clock: FakeClock, private readonly answer: (req: FimRequest) => string[], private readonly prefillMs = 300, private readonly perTokenMs = 25) {}

  complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    const call: Call = { req, aborted: false, emitted: 0 };
    this.calls.push(call);
    if (this.fail) return Promise.reject(this.fail);
    const pieces = this.answer(req);
    const t0 = this.clock.now();
    return new Promise((resolve) => {
      let text = '';
      let timer: unknown;
      let ttft: number | undefined;
      const end = (finishReason: StreamResult['finishReason']) => {
        this.clock.clearTimeout(timer);
        const usage = finishReason === 'cancelled' ? undefined : { promptTokens: 100, completionTokens: call.emitted };
        resolve({ text, usage, finishReason, ttftMs: ttft, totalMs: this.clock.now() - t0 });
      };
      signal.addEventListener('abort', () => {
        call.aborted = true;
        end('cancelled');
      }, { once: true });
      const step = (i: number) => {
        if (signal.aborted) return;
        if (i >= pieces.length) return end('stop');
        let piece = pieces[i];
        const hit = req.stop.map((s) => (text + piece).indexOf(s, Math.max(0, text.length - s.length))).filter((x) => x >= 0);
        if (hit.length) {
          piece = (text + piece).slice(0, Math.min(...hit)).slice(text.length);
          if (piece) { text += piece; call.emitted++; onText(piece); }
          return end('stop');
        }
        ttft ??= this.clock.now() - t0;
        text += piece;
        call.emitted++;
        onText(piece);
        timer = this.clock.setTimeout(() => step(i + 1), this.perTokenMs);
      };
      timer = this.clock.setTimeout(() => step(0), this.prefillMs);
    });
  }
}

/** Splits text into token-sized pieces (~ words and punctuation). */
export function pieces(text: string): string[] {
  return text.match(/\s*[A-Za-z_]\w{0,3}|\s*\d+|\s*[^\sA-Za-z_\d]|\s+$/g) ?? [];
}
