// How sure a local answer looks. With token log-probabilities (some OpenAI-compatible servers return
// them) the score is the geometric-mean token probability; otherwise plain heuristics: an empty answer,
// a refusal, an answer cut at the token limit, or hedging language all lower it.
import type { StreamResult } from '../providers/types';

export interface Confidence {
  /** 0 (no confidence) .. 1. */
  score: number;
  /** What lowered it, in plain words; empty when nothing did. */
  signals: string[];
}

const REFUSAL = /^\s*(?:i(?:'|’)?m sorry|sorry,|i can(?:no|')t|i cannot|i am unable|i(?:'|’)m unable|i (?:do not|don't) (?:know|have)|as an ai\b)/i;
const HEDGES = [
  /\bi(?:'|’)?m not (?:sure|certain)\b/i,
  /\bi am not (?:sure|certain)\b/i,
  /\bit(?:'|’)?s (?:unclear|hard to say|difficult to say)\b/i,
  /\bwithout more context\b/i,
  /\bi (?:think|believe|guess)\b/i,
  /\b(?:might|may) (?:be|not be)\b/i,
  /\bpossibly\b/i,
  /\bperhaps\b/i,
];

export function confidenceOf(result: Pick<StreamResult, 'text' | 'finishReason' | 'logprobs'>): Confidence {
  const text = result.text.trim();
  if (text === '') return { score: 0, signals: ['the answer was empty'] };
  const signals: string[] = [];
  let score = 0.9;

  if (result.logprobs && result.logprobs.length > 0) {
    const mean = result.logprobs.reduce((a, b) => a + b, 0) / result.logprobs.length;
    score = Math.exp(mean);
    if (score < 0.9) signals.push(`average token probability ${score.toFixed(2)}`);
  }
  if (REFUSAL.test(text)) {
    score = Math.min(score, 0.2);
    signals.push('the model declined or did not know');
  }
  if (result.finishReason === 'length') {
    score = Math.min(score, 0.3);
    signals.push('the answer was cut at the token limit');
  }
  const hedges = HEDGES.filter((h) => h.test(text)).length;
  if (hedges > 0) {
    score = Math.min(score, Math.max(0.3, 0.9 - 0.2 * hedges));
    signals.push(`the answer hedges (${hedges} ${hedges === 1 ? 'phrase' : 'phrases'})`);
  }
  return { score: Math.max(0, Math.min(1, score)), signals };
}
