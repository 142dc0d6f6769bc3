// A byte-level BPE tokenizer (GPT-2 style, as llama.cpp's "gpt2" tokenizer model expects):
// text is split with Qwen2's pre-tokenizer pattern, each piece's UTF-8 bytes are mapped to
// printable characters, then merged pairwise in rank order. Training picks the most frequent
// adjacent pair each round; ties break on the pair's text so the result is deterministic.

/** GPT-2's byte -> printable character table (bytes that are not printable move to U+0100...). */
export function byteToUnicode() {
  const keep = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return table;
}

const BYTE_CHARS = byteToUnicode();

// Qwen2's pre-tokenizer (tokenizer.ggml.pre = "qwen2"); JavaScript has no inline (?i:), so the
// contractions list both cases.
const PRE_TOKENIZE = /'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

export function preTokenize(text) {
  return text.match(PRE_TOKENIZE) ?? [];
}

/** A piece's bytes as byte-level symbols. */
function symbols(piece) {
  return [...Buffer.from(piece, 'utf8')].map((b) => BYTE_CHARS[b]);
}

/** Learns `mergeCount` merges from `text`. Returns merges as [left, right] pairs in rank order. */
export function trainBpe(text, mergeCount) {
  const counts = new Map();
  for (const piece of preTokenize(text)) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  const words = [...counts].map(([piece, count]) => ({ syms: symbols(piece), count }));
  const merges = [];
  for (let round = 0; round < mergeCount; round++) {
    const pairs = new Map();
    for (const { syms, count } of words) {
      for (let i = 0; i + 1 < syms.length; i++) {
        const key = `${syms[i]} ${syms[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best, bestCount = 1; // a pair seen once teaches nothing
    for (const [key, c] of pairs) {
      if (c > bestCount || (c === bestCount && best !== undefined && key < best)) { best = key; bestCount = c; }
    }
    if (best === undefined) break;
    const [a, b] = best.split(' ');
    merges.push([a, b]);
    for (const w of words) w.syms = applyMerge(w.syms, a, b);
  }
  return merges;
}

function applyMerge(syms, a, b) {
  const out = [];
  for (let i = 0; i < syms.length; i++) {
    if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) { out.push(a + b); i++; }
    else out.push(syms[i]);
  }
  return out;
}

/** An encoder over a vocabulary (token text -> id) and ranked merges. */
export function makeEncoder(tokenIds, merges) {
  const rank = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
  return (text) => {
    const ids = [];
    for (const piece of preTokenize(text)) {
      let syms = symbols(piece);
      for (;;) {
        let bestRank = Infinity, at = -1;
        for (let i = 0; i + 1 < syms.length; i++) {
          const r = rank.get(`${syms[i]} ${syms[i + 1]}`);
          if (r !== undefined && r < bestRank) { bestRank = r; at = i; }
        }
        if (at < 0) break;
        syms = [...syms.slice(0, at), syms[at] + syms[at + 1], ...syms.slice(at + 2)];
      }
      for (const s of syms) ids.push(tokenIds.get(s));
    }
    return ids;
  };
}
