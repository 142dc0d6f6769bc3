// Fill-in-the-middle prompt formats per model family. Each family's special tokens and stop
// sequences come from its model card; a wrong template makes models echo their tokens into code,
// so the pick from the model name is ordered (most specific first) and can be overridden.

export type FamilyId = 'qwen' | 'starcoder' | 'codellama' | 'deepseek' | 'codestral' | 'codegemma';
export const FAMILY_IDS: readonly FamilyId[] = ['qwen', 'starcoder', 'codellama', 'deepseek', 'codestral', 'codegemma'];

/** A snippet of another open file, given to families that understand multi-file prompts. */
export interface Snippet {
  path: string;
  text: string;
}

export interface FimParts {
  prefix: string;
  suffix: string;
  /** Workspace-relative path of the file, with forward slashes. */
  path: string;
  languageId: string;
  /** Name of the workspace (Qwen's repo-level format). */
  repoName?: string;
  snippets?: readonly Snippet[];
}

export interface FimFamily {
  id: FamilyId;
  label: string;
  /** The raw prompt the model was trained on. */
  build(parts: FimParts): string;
  /** Stop sequences sent to the server. */
  stop: readonly string[];
  /** Every special token of the family: none of them may reach the editor. */
  specialTokens: readonly string[];
}

const QWEN_TOKENS = ['<|endoftext|>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|im_start|>', '<|im_end|>'];
const STARCODER_TOKENS = ['<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<fim_pad>', '<file_sep>', '<repo_name>', '<filename>', '<|endoftext|>'];
const CODELLAMA_TOKENS = ['<PRE>', '<SUF>', '<MID>', '<EOT>', '</s>'];
const DEEPSEEK_TOKENS = ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<|EOT|>'];
const CODESTRAL_TOKENS = ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>', '[INST]', '[/INST]'];
const CODEGEMMA_TOKENS = ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|file_separator|>', '<end_of_turn>', '<eos>'];

/** `// path` (or the language's comment) on top, for families without a file-name convention. */
function pathHeader(parts: FimParts): string {
  if (!parts.path) return '';
  const c = commentFor(parts.languageId);
  return c.end ? `${c.start} ${parts.path} ${c.end}\n` : `${c.start} ${parts.path}\n`;
}

function snippetHeader(parts: FimParts): string {
  if (!parts.snippets?.length) return '';
  const c = commentFor(parts.languageId);
  const line = (s: string) => (c.end ? `${c.start} ${s} ${c.end}` : `${c.start} ${s}`);
  return parts.snippets.map((s) => `${line(`from ${s.path}:`)}\n${s.text.split('\n').map(line).join('\n')}\n`).join('');
}

/**
 * The snippets and the file-path header as comments of the file's language: the context a prompt
 * carries where the server applies the FIM template itself and only the prefix can hold it.
 */
export function contextHeader(parts: Pick<FimParts, 'path' | 'languageId' | 'snippets'>): string {
  const p = { ...parts, prefix: '', suffix: '' };
  return snippetHeader(p) + pathHeader(p);
}

export const FAMILIES: Record<FamilyId, FimFamily> = {
  qwen: {
    id: 'qwen',
    label: 'Qwen2.5-Coder',
    // Repo-level format from the Qwen2.5-Coder card: other files, then the file being edited.
    build: (p) => {
      const files = (p.snippets ?? []).map((s) => `<|file_sep|>${s.path}\n${s.text}\n`).join('');
      const repo = p.repoName ? `<|repo_name|>${p.repoName}\n` : '';
      const head = p.path ? `${repo}${files}<|file_sep|>${p.path}\n` : files;
      return `${head}<|fim_prefix|>${p.prefix}<|fim_suffix|>${p.suffix}<|fim_middle|>`;
    },
    stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<|repo_name|>', '<|fim_prefix|>', '<|im_start|>', '<|im_end|>'],
    specialTokens: QWEN_TOKENS,
  },
  starcoder: {
    id: 'starcoder',
    label: 'StarCoder2 / StableCode',
    build: (p) => {
      const files = (p.snippets ?? []).map((s) => `<file_sep>${s.path}\n${s.text}\n`).join('');
      const head = files ? `${files}<file_sep>${p.path}\n` : '';
      return `${head}<fim_prefix>${p.prefix}<fim_suffix>${p.suffix}<fim_middle>`;
    },
    stop: ['<|endoftext|>', '<file_sep>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<repo_name>'],
    specialTokens: STARCODER_TOKENS,
  },
  codellama: {
    id: 'codellama',
    label: 'CodeLlama',
    // The spaces are part of the trained format.
    build: (p) => `<PRE> ${snippetHeader(p)}${pathHeader(p)}${p.prefix} <SUF>${p.suffix} <MID>`,
    stop: ['<EOT>', '<PRE>', '<SUF>', '<MID>', '</s>'],
    specialTokens: CODELLAMA_TOKENS,
  },
  deepseek: {
    id: 'deepseek',
    label: 'DeepSeek-Coder',
    // Full-width bars and the "▁" are literal characters of the tokens.
    build: (p) => `<｜fim▁begin｜>${snippetHeader(p)}${pathHeader(p)}${p.prefix}<｜fim▁hole｜>${p.suffix}<｜fim▁end｜>`,
    stop: ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<|EOT|>'],
    specialTokens: DEEPSEEK_TOKENS,
  },
  codestral: {
    id: 'codestral',
    label: 'Codestral',
    // Suffix first.
    build: (p) => `[SUFFIX]${p.suffix}[PREFIX]${snippetHeader(p)}${pathHeader(p)}${p.prefix}`,
    stop: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]', '</s>', '[INST]'],
    specialTokens: CODESTRAL_TOKENS,
  },
  codegemma: {
    id: 'codegemma',
    label: 'CodeGemma',
    build: (p) => `<|fim_prefix|>${snippetHeader(p)}${pathHeader(p)}${p.prefix}<|fim_suffix|>${p.suffix}<|fim_middle|>`,
    stop: ['<|file_separator|>', '<end_of_turn>', '<eos>', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
    specialTokens: CODEGEMMA_TOKENS,
  },
};

// Most specific first: "codegemma" before anything matching "gemma", "deepseek-coder" before
// generic "coder", "codellama" before "llama".
const NAME_RULES: ReadonlyArray<[RegExp, FamilyId]> = [
  [/codegemma/i, 'codegemma'],
  [/codestral|mistral.*fim/i, 'codestral'],
  [/deepseek[-_.]?coder/i, 'deepseek'],
  [/code[-_.]?llama/i, 'codellama'],
  [/starcoder|stable[-_.]?code|\bstarchat/i, 'starcoder'],
  [/qwen[\d.]*[-_.]?coder|qwen/i, 'qwen'],
];

/** The family for a model name, or undefined when it is not recognised. */
export function familyForModel(model: string): FimFamily | undefined {
  for (const [re, id] of NAME_RULES) if (re.test(model)) return FAMILIES[id];
  return undefined;
}

/** The override wins; 'auto' picks from the model name; 'none' means "let the server template it". */
export function resolveFamily(model: string, override: FamilyId | 'auto' | 'none'): FimFamily | undefined {
  if (override === 'none') return undefined;
  if (override !== 'auto') return FAMILIES[override];
  return familyForModel(model);
}

const ALL_SPECIAL = [...new Set([...QWEN_TOKENS, ...STARCODER_TOKENS, ...CODELLAMA_TOKENS, ...DEEPSEEK_TOKENS, ...CODESTRAL_TOKENS, ...CODEGEMMA_TOKENS])];

/** Stops common to every family (a model of another family may still be served under any name). */
export function stopsFor(family: FimFamily | undefined): string[] {
  return family ? [...family.stop] : ['<|endoftext|>', '<|file_sep|>', '<EOT>', '</s>', '<|fim_pad|>'];
}

/** Cuts the text at the first special token of any family: such a token means the model left the middle. */
export function cutAtSpecialToken(text: string): string {
  if (!text.includes('<') && !text.includes('[')) return text;
  let end = text.length;
  for (const t of ALL_SPECIAL) {
    const i = text.indexOf(t);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}

interface Comment { start: string; end?: string }

const HASH = new Set(['python', 'shellscript', 'ruby', 'perl', 'r', 'yaml', 'toml', 'dockerfile', 'makefile', 'powershell', 'elixir', 'julia', 'coffeescript', 'nim']);
const DASH = new Set(['sql', 'lua', 'haskell', 'elm']);

export function commentFor(languageId: string): Comment {
  if (HASH.has(languageId)) return { start: '#' };
  if (DASH.has(languageId)) return { start: '--' };
  if (languageId === 'html' || languageId === 'xml' || languageId === 'markdown' || languageId === 'vue' || languageId === 'svelte') return { start: '<!--', end: '-->' };
  if (languageId === 'css') return { start: '/*', end: '*/' };
  if (languageId === 'bat') return { start: 'REM' };
  return { start: '//' };
}
