// Secret scanning: recall and false-positive rate on the generated corpus, and scan speed.
//   npm run bench -- secrets
import { scanSecrets } from '../../src/core/privacy/secrets';
import { buildCorpus, rng } from '../unit/privacy/secretCorpus';

async function main(): Promise<void> {
  const { positives, negatives } = buildCorpus();
  let found = 0;
  const missedByType = new Map<string, number>();
  for (const s of positives) {
    if ((await scanSecrets(s.text, { fileName: s.fileName })).length > 0) found++;
    else missedByType.set(s.type, (missedByType.get(s.type) ?? 0) + 1);
  }
  let falsePositives = 0;
  const fpByType = new Map<string, number>();
  for (const s of negatives) {
    if ((await scanSecrets(s.text, { fileName: s.fileName })).length > 0) {
      falsePositives++;
      fpByType.set(s.type, (fpByType.get(s.type) ?? 0) + 1);
    }
  }
  const recall = found / positives.length;
  const falsePositiveRate = falsePositives / negatives.length;
  console.log(`corpus: ${positives.length} positives in ${new Set(positives.map((p) => p.type)).size} families, ${negatives.length} negatives`);
  console.log(`recall ${(recall * 100).toFixed(1)} %${missedByType.size ? ` (missed: ${[...missedByType].map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`);
  console.log(`false-positive rate ${(falsePositiveRate * 100).toFixed(1)} %${fpByType.size ? ` (on: ${[...fpByType].map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`);

  // Speed: ~100 KB of ordinary source with a few secrets sprinkled in, scanned warm.
  const r = rng(7);
  const lines: string[] = [];
  let size = 0;
  while (size < 100 * 1024) {
    const i = lines.length;
    const line = i % 400 === 0 ? `const k${i} = "ghp_${Array.from({ length: 36 }, () => 'abcdefABCDEF0123456789'[Math.floor(r() * 22)]).join('')}";`
      : `export function f${i}(a: number, b: string): string { return b.repeat(a) + ${JSON.stringify(String(r()).slice(2, 10))}; }`;
    lines.push(line);
    size += line.length + 1;
  }
  const text = lines.join('\n');
  await scanSecrets(text); // warm: load secretlint, JIT
  const runs = 10;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await scanSecrets(text);
  const msPer100KB = (performance.now() - t0) / runs / (text.length / (100 * 1024));
  console.log(`scan speed ${msPer100KB.toFixed(1)} ms per 100 KB (warm, ${runs} runs)`);
  console.log(JSON.stringify({ 'secrets.recall': recall, 'secrets.falsePositiveRate': falsePositiveRate, 'secrets.scanMsPer100KB': Number(msPer100KB.toFixed(2)) }));
}

void main();
