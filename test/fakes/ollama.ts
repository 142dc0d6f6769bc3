// A fake Ollama server speaking its native API (docs.ollama.com/api): /api/version, /api/tags, /api/show,
// /api/ps, /api/generate, /api/chat (NDJSON streaming with the final stats chunk), /api/pull (progress),
// /api/delete. Model state is modelled closely enough for completion code: `/api/show` templates take
// `{{ .Suffix }}` only for FIM-capable models, unknown models answer 404, `keep_alive` decides what
// `/api/ps` lists, and in speed mode a cold model costs its load time.

import { contentText, FakeServer, type Exchange, type FakeServerOptions, type Framing, type GenerationInput, type GenerationStats, type Plan, type Script } from './core';
import { countTokens, tokenId, tokenize } from './tokens';

/** A model the fake Ollama has (or can pull). */
export interface FakeOllamaModel {
  /** Name with tag, e.g. `qwen2.5-coder:1.5b-base` (a name without a tag means `:latest`). */
  name: string;
  /** `details.family`, e.g. `qwen2`, `llama`, `starcoder2`. Default: guessed from the name. */
  family?: string;
  /** Whether its template takes a suffix (`{{ .Suffix }}`), i.e. native FIM. Default false. */
  fim?: boolean;
  /** Template text (default: one fitting `family` and `fim`). */
  template?: string;
  /** Default `1.5B`. */
  parameterSize?: string;
  /** Default `Q4_K_M`. */
  quantization?: string;
  /** Bytes on disk (default from the parameter size). */
  size?: number;
  /** Default 32768. */
  contextLength?: number;
  /** `PARAMETER num_ctx` of its Modelfile: the context the server runs it with (unset: Ollama's default). */
  numCtx?: number;
  /** Default: `completion`, plus `insert` when FIM, plus `tools` for instruct/chat models. */
  capabilities?: string[];
  /** `PARAMETER stop` values shown in `parameters`. */
  stop?: string[];
}

export interface FakeOllamaOptions extends FakeServerOptions {
  /** Installed models (default: DEFAULT_OLLAMA_MODELS). */
  models?: Array<FakeOllamaModel | string>;
  /** Models `/api/pull` can fetch (default: the installed ones plus DEFAULT_OLLAMA_REGISTRY). */
  registry?: Array<FakeOllamaModel | string>;
  /** `/api/version` answer (default 0.12.6). */
  version?: string;
}

/** Installed by default: two FIM-capable coder models, a chat model without FIM, a raw-prompt base model. */
export const DEFAULT_OLLAMA_MODELS: FakeOllamaModel[] = [
  { name: 'qwen2.5-coder:1.5b-base', family: 'qwen2', fim: true, parameterSize: '1.5B', stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>'] },
  { name: 'qwen2.5-coder:7b-instruct', family: 'qwen2', fim: true, parameterSize: '7.6B', stop: ['<|im_start|>', '<|im_end|>'] },
  { name: 'llama3.2:latest', family: 'llama', fim: false, parameterSize: '3.2B', stop: ['<|eot_id|>'] },
  { name: 'starcoder2:3b', family: 'starcoder2', fim: false, parameterSize: '3B' },
];

/** Extra models `/api/pull` can fetch by default. */
export const DEFAULT_OLLAMA_REGISTRY: FakeOllamaModel[] = [
  { name: 'qwen2.5-coder:0.5b-base', family: 'qwen2', fim: true, parameterSize: '0.5B' },
  { name: 'codellama:7b-code', family: 'llama', fim: true, parameterSize: '7B', stop: ['<EOT>'] },
  { name: 'deepseek-coder:1.3b-base', family: 'llama', fim: true, parameterSize: '1.3B' },
];

const NDJSON = 'application/x-ndjson';

export class FakeOllama extends FakeServer {
  private installed = new Map<string, FakeOllamaModel>();
  private registry = new Map<string, FakeOllamaModel>();
  /** Loaded models and when they unload (ms since epoch; Infinity = never). */
  private loaded = new Map<string, number>();
  private readonly version: string;

  constructor(options: FakeOllamaOptions = {}) {
    super(options);
    this.version = options.version ?? '0.12.6';
    this.setModels(options.models ?? DEFAULT_OLLAMA_MODELS);
    for (const m of [...this.installed.values(), ...(options.registry ?? DEFAULT_OLLAMA_REGISTRY).map(toModel)]) {
      this.registry.set(m.name, m);
    }
  }

  /** The `host` to give the `ollama` client. */
  get baseURL(): string {
    return this.url;
  }

  /** Replaces the installed models (also makes them pullable). */
  setModels(models: Array<FakeOllamaModel | string>): this {
    this.installed = new Map(models.map(toModel).map((m) => [m.name, m]));
    for (const m of this.installed.values()) this.registry?.set(m.name, m);
    for (const name of this.loaded.keys()) if (!this.installed.has(name)) this.loaded.delete(name);
    return this;
  }

  /** Names of the installed models. */
  get models(): string[] {
    return [...this.installed.keys()];
  }

  /** Names of the loaded (not expired) models, as `/api/ps` would list them. */
  get loadedModels(): string[] {
    const now = Date.now();
    return [...this.loaded.entries()].filter(([, until]) => until > now).map(([name]) => name);
  }

  /** Marks models loaded or not, e.g. to start a test warm. */
  setLoaded(names: string[], keepAliveMs = 5 * 60_000): this {
    this.loaded = new Map(names.map((n) => [normalizeName(n), Date.now() + keepAliveMs]));
    return this;
  }

  protected isGeneration(path: string): boolean {
    return path === '/api/generate' || path === '/api/chat';
  }

  protected sendError(ex: Exchange, status: number, script: Script): void {
    const headers: Record<string, string> = { ...script.headers };
    if (script.retryAfter !== undefined) headers['retry-after'] = String(script.retryAfter);
    ex.json(status, { error: script.message ?? defaultError(status) }, headers);
  }

  protected async route(ex: Exchange, script: Script): Promise<void> {
    const { method, path } = ex.record;
    const get = method === 'GET' || method === 'HEAD';
    if (path === '/' && get) return void ex.send(200, 'text/plain; charset=utf-8', 'Ollama is running');
    if (path === '/api/version' && get) return void ex.json(200, { version: this.version });
    if (path === '/api/tags' && get) return void ex.json(200, { models: [...this.installed.values()].map(listEntry) });
    if (path === '/api/ps' && get) return void ex.json(200, { models: this.psEntries() });
    if (method === 'POST' && path === '/api/show') return this.show(ex);
    if (method === 'POST' && path === '/api/generate') return this.generateRoute(ex, script);
    if (method === 'POST' && path === '/api/chat') return this.chatRoute(ex, script);
    if (method === 'POST' && path === '/api/pull') return this.pull(ex, script);
    if (method === 'DELETE' && path === '/api/delete') return this.remove(ex);
    ex.send(404, 'text/plain', '404 page not found');
  }

  private show(ex: Exchange): void {
    const name = ex.record.body?.model ?? ex.record.body?.name;
    ex.record.model = name;
    const model = name ? this.installed.get(normalizeName(name)) : undefined;
    if (!model) return void ex.json(404, { error: `model '${name ?? ''}' not found` });
    ex.json(200, showEntry(model));
  }

  private remove(ex: Exchange): void {
    const name = normalizeName(ex.record.body?.model ?? ex.record.body?.name ?? '');
    if (!this.installed.delete(name)) return void ex.json(404, { error: `model '${name}' not found` });
    this.loaded.delete(name);
    ex.send(200, 'text/plain', '');
  }

  /** Validates model and suffix; answers the error itself and returns undefined when the request fails. */
  private requireModel(ex: Exchange): FakeOllamaModel | undefined {
    const name: unknown = ex.record.body?.model;
    ex.record.model = typeof name === 'string' ? name : undefined;
    if (typeof name !== 'string' || !name) {
      ex.json(400, { error: 'model is required' });
      return undefined;
    }
    const model = this.installed.get(normalizeName(name));
    if (!model) ex.json(404, { error: `model "${name}" not found, try pulling it first` });
    return model;
  }

  /** Loads the model (returns the load time to simulate) and applies keep_alive for afterwards. */
  private use(model: FakeOllamaModel, keepAlive: unknown, script: Script): { loadMs: number; after: () => void } {
    const until = this.loaded.get(model.name);
    const cold = until === undefined || until <= Date.now();
    this.loaded.set(model.name, Date.now() + 60 * 60_000);
    const keepMs = parseKeepAlive(keepAlive);
    return {
      loadMs: cold ? (script.speed?.loadMs ?? 0) : 0,
      after: () => {
        if (keepMs <= 0) this.loaded.delete(model.name);
        else this.loaded.set(model.name, keepMs === Infinity ? Infinity : Date.now() + keepMs);
      },
    };
  }

  private async generateRoute(ex: Exchange, script: Script): Promise<void> {
    const model = this.requireModel(ex);
    if (!model) return;
    const b = ex.record.body;
    const prompt = typeof b.prompt === 'string' ? b.prompt : '';
    const suffix = typeof b.suffix === 'string' ? b.suffix : undefined;
    if (suffix && !model.fim) return void ex.json(400, { error: `${model.name} does not support insert` });
    const usage = this.use(model, b.keep_alive, script);
    try {
      if (!prompt && !suffix) return this.loadOnly(ex, model.name, b, 'response');
      const input: GenerationInput = {
        endpoint: ex.record.path,
        model: b.model,
        prompt,
        suffix,
        system: typeof b.system === 'string' ? b.system : undefined,
        messages: [],
        stream: b.stream !== false,
        request: ex.record,
      };
      const promptTokens = countTokens(input.system) + countTokens(prompt) + countTokens(suffix);
      const plan = this.plan(input, script, { promptTokens, ...limits(b), loadMs: usage.loadMs });
      const context = [input.system, prompt, suffix].flatMap((part) => tokenize(part ?? '')).concat(plan.tokens).map(tokenId);
      await this.generate(ex, plan, this.framing(plan, b, (text) => ({ response: text }), { context }));
    } finally {
      usage.after();
    }
  }

  private async chatRoute(ex: Exchange, script: Script): Promise<void> {
    const model = this.requireModel(ex);
    if (!model) return;
    const b = ex.record.body;
    const raw: unknown[] = Array.isArray(b.messages) ? b.messages : [];
    const messages = raw.map((m) => {
      const msg = (m ?? {}) as { role?: unknown; content?: unknown };
      return { role: String(msg.role ?? ''), content: contentText(msg.content) };
    });
    const usage = this.use(model, b.keep_alive, script);
    try {
      if (messages.length === 0) return this.loadOnly(ex, model.name, b, 'message');
      const input: GenerationInput = {
        endpoint: ex.record.path,
        model: b.model,
        prompt: [...messages].reverse().find((m) => m.role === 'user')?.content ?? '',
        system: messages.find((m) => m.role === 'system')?.content,
        messages,
        stream: b.stream !== false,
        request: ex.record,
      };
      const promptTokens = messages.reduce((n, m) => n + countTokens(m.content), 0);
      const plan = this.plan(input, script, { promptTokens, ...limits(b), loadMs: usage.loadMs });
      const message = (text: string) => ({ message: { role: 'assistant', content: text } });
      await this.generate(ex, plan, this.framing(plan, b, message, {}));
    } finally {
      usage.after();
    }
  }

  /** An empty prompt only loads (or, with keep_alive 0, unloads) the model, as Ollama does. */
  private loadOnly(ex: Exchange, name: string, b: { model: string; keep_alive?: unknown }, kind: 'response' | 'message'): void {
    const unload = parseKeepAlive(b.keep_alive) <= 0;
    const content = kind === 'response' ? { response: '' } : { message: { role: 'assistant', content: '' } };
    ex.record.model = name;
    ex.json(200, { model: b.model, created_at: new Date().toISOString(), ...content, done: true, done_reason: unload ? 'unload' : 'load' });
  }

  private framing(
    plan: Plan,
    b: { model: string },
    piece: (text: string) => Record<string, unknown>,
    extra: { context?: number[] },
  ): Framing {
    const model = b.model;
    const at = () => new Date().toISOString();
    const logprobs = (i: number) => {
      if (plan.topLogprobs === undefined) return {};
      const lp = this.logprob(plan, i);
      return { logprobs: [{ token: lp.token, logprob: lp.logprob, top_logprobs: lp.top }] };
    };
    const final = (stats: GenerationStats) => ({
      done: true,
      done_reason: plan.finishReason,
      ...extra,
      total_duration: stats.totalNs,
      load_duration: stats.loadNs,
      prompt_eval_count: plan.promptTokens,
      prompt_eval_duration: stats.prefillNs,
      eval_count: stats.generated,
      eval_duration: stats.evalNs,
    });
    const line = (value: unknown) => `${JSON.stringify(value)}\n`;
    return {
      streamContentType: NDJSON,
      headAtFirstToken: true,
      start: () => '',
      token: (text, i) => line({ model, created_at: at(), ...piece(text), done: false, ...logprobs(i) }),
      finish: (stats) => line({ model, created_at: at(), ...piece(''), ...final(stats) }),
      malformed: () => `{"model":"${model}","created_at":"${at()}","response":"\n`,
      streamError: (message) => line({ error: message }),
      body: (stats) => {
        const text = plan.tokens.slice(0, stats.generated).join('');
        const all = plan.topLogprobs === undefined ? {} : { logprobs: plan.tokens.map((_, i) => logprobs(i).logprobs?.[0]) };
        return { model, created_at: at(), ...piece(text), ...final(stats), ...all };
      },
    };
  }

  private async pull(ex: Exchange, script: Script): Promise<void> {
    const b = ex.record.body ?? {};
    const name = normalizeName(String(b.model ?? b.name ?? ''));
    ex.record.model = name;
    const stream = b.stream !== false;
    const model = this.registry.get(name);
    const missing = 'pull model manifest: file does not exist';
    if (!model) {
      if (!stream) return void ex.json(500, { error: missing });
      ex.head(200, { 'content-type': NDJSON });
      ex.write(JSON.stringify({ status: 'pulling manifest' }) + '\n');
      return void ex.end(JSON.stringify({ error: missing }) + '\n');
    }
    const lines: object[] = [{ status: 'pulling manifest' }];
    const size = model.size ?? modelSize(model);
    const layers = [size - 12_000, 11_000, 1_000];
    layers.forEach((total, i) => {
      const digest = `sha256:${hexDigest(`${model.name}#${i}`)}`;
      const status = `pulling ${digest.slice(7, 19)}`;
      for (const part of [0, 0.25, 0.5, 0.75, 1]) lines.push({ status, digest, total, completed: Math.round(total * part) });
    });
    lines.push({ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' });
    const cutAt = script.fault && script.fault !== 'hang' ? (script.afterTokens ?? 3) : Infinity;
    if (stream) ex.head(200, { 'content-type': NDJSON });
    for (let i = 0; i < lines.length; i++) {
      if (i === cutAt) {
        if (script.fault === 'drop') return ex.drop();
        if (script.fault === 'stream-error') return void ex.end(JSON.stringify({ error: script.message ?? 'max retries exceeded: EOF' }) + '\n');
        if (script.fault === 'malformed' || script.fault === 'garbage') ex.write('{"status":"pulling\n');
        else return void ex.end();
      }
      if (i > 0 && !(await ex.sleep(script.chunkMs ?? 0))) return;
      if (stream) ex.write(JSON.stringify(lines[i]) + '\n');
    }
    this.installed.set(model.name, model);
    if (stream) ex.end();
    else ex.json(200, { status: 'success' });
  }

  private psEntries(): object[] {
    const now = Date.now();
    return [...this.loaded.entries()]
      .filter(([name, until]) => until > now && this.installed.has(name))
      .map(([name, until]) => {
        const m = this.installed.get(name) as FakeOllamaModel;
        const size = m.size ?? modelSize(m);
        return {
          name,
          model: name,
          size,
          digest: hexDigest(name),
          details: details(m),
          expires_at: until === Infinity ? '2318-08-05T07:56:34.000Z' : new Date(until).toISOString(),
          size_vram: 0,
          context_length: 4096,
        };
      });
  }
}

/** Starts a fake Ollama on 127.0.0.1 (random port unless `port` is given). */
export function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  return new FakeOllama(options).listen();
}

// ---- model metadata ----

function toModel(m: FakeOllamaModel | string): FakeOllamaModel {
  const model = typeof m === 'string' ? { name: m } : { ...m };
  model.name = normalizeName(model.name);
  return model;
}

/** `llama3.2` -> `llama3.2:latest`. */
export function normalizeName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function familyOf(m: FakeOllamaModel): string {
  if (m.family) return m.family;
  const base = m.name.split(/[:/]/)[0].toLowerCase();
  if (base.startsWith('qwen')) return 'qwen2';
  if (base.startsWith('starcoder')) return 'starcoder2';
  if (base.startsWith('gemma') || base.startsWith('codegemma')) return 'gemma';
  return 'llama';
}

function isChatModel(m: FakeOllamaModel): boolean {
  return !/(base|code)$/.test(m.name) && !familyOf(m).startsWith('starcoder');
}

function modelSize(m: FakeOllamaModel): number {
  const billions = Number.parseFloat(m.parameterSize ?? '1.5') || 1.5;
  return Math.round(billions * 0.62e9);
}

function templateOf(m: FakeOllamaModel): string {
  if (m.template !== undefined) return m.template;
  const family = familyOf(m);
  const chat =
    family === 'llama'
      ? '{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}<|start_header_id|>assistant<|end_header_id|>\n\n'
      : '{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n';
  const plain = isChatModel(m) ? `{{- if .Messages }}${chat}{{- else }}{{ .Prompt }}{{- end }}` : '{{ .Prompt }}';
  if (!m.fim) return plain;
  const fim =
    family === 'llama'
      ? '<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>'
      : family === 'starcoder2'
        ? '<fim_prefix>{{ .Prompt }}<fim_suffix>{{ .Suffix }}<fim_middle>'
        : '<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>';
  return `{{- if .Suffix }}${fim}\n{{- else }}${plain}{{- end }}`;
}

function capabilitiesOf(m: FakeOllamaModel): string[] {
  if (m.capabilities) return m.capabilities;
  return ['completion', ...(m.fim ? ['insert'] : []), ...(isChatModel(m) ? ['tools'] : [])];
}

function details(m: FakeOllamaModel): object {
  const family = familyOf(m);
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: m.parameterSize ?? '1.5B',
    quantization_level: m.quantization ?? 'Q4_K_M',
  };
}

function listEntry(m: FakeOllamaModel): object {
  return { name: m.name, model: m.name, modified_at: '2025-06-01T12:00:00.000Z', size: m.size ?? modelSize(m), digest: hexDigest(m.name), details: details(m) };
}

function showEntry(m: FakeOllamaModel): object {
  const family = familyOf(m);
  const template = templateOf(m);
  const parameters = [
    ...(m.numCtx ? [`num_ctx                        ${m.numCtx}`] : []),
    ...(m.stop ?? []).map((s) => `stop                           "${s}"`),
  ].join('\n');
  return {
    license: 'Apache License 2.0',
    modelfile: `# Modelfile generated by "ollama show"\nFROM /models/blobs/sha256-${hexDigest(m.name)}\nTEMPLATE """${template}"""\n${m.numCtx ? `PARAMETER num_ctx ${m.numCtx}\n` : ''}${(m.stop ?? []).map((s) => `PARAMETER stop ${s}`).join('\n')}\n`,
    parameters,
    template,
    details: details(m),
    model_info: {
      'general.architecture': family,
      'general.basename': m.name.split(':')[0],
      'general.file_type': 15,
      'general.parameter_count': Math.round((Number.parseFloat(m.parameterSize ?? '1.5') || 1.5) * 1e9),
      'general.quantization_version': 2,
      [`${family}.context_length`]: m.contextLength ?? 32768,
      [`${family}.embedding_length`]: 1536,
      [`${family}.block_count`]: 28,
    },
    capabilities: capabilitiesOf(m),
    modified_at: '2025-06-01T12:00:00.000Z',
  };
}

function hexDigest(text: string): string {
  let out = '';
  let h = 2166136261;
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${text}/${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

// ---- request helpers ----

/** `num_predict` and `stop` from the request options, and whether log-probabilities are wanted. */
function limits(b: { options?: { num_predict?: unknown; stop?: unknown }; logprobs?: unknown; top_logprobs?: unknown }): {
  maxTokens?: number;
  stop?: string[];
  topLogprobs?: number;
} {
  const n = b.options?.num_predict;
  const stop = b.options?.stop;
  return {
    topLogprobs: b.logprobs === true ? Math.max(0, Number(b.top_logprobs ?? 0)) : undefined,
    maxTokens: typeof n === 'number' && n >= 0 ? n : undefined,
    stop: Array.isArray(stop) ? stop.filter((s): s is string => typeof s === 'string') : undefined,
  };
}

/** keep_alive as milliseconds: a number is seconds, a string is a Go duration ("5m", "1h30m"); negative = forever. */
export function parseKeepAlive(value: unknown): number {
  if (value === undefined || value === null || value === '') return 5 * 60_000;
  if (typeof value === 'number') return value < 0 ? Infinity : value * 1000;
  const text = String(value).trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return parseKeepAlive(Number(text));
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  const negative = text.startsWith('-');
  for (const [, num, unit] of text.replace(/^-/, '').matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(num) * units[unit];
  return negative ? Infinity : total;
}

function defaultError(status: number): string {
  switch (status) {
    case 400:
      return 'invalid request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'model not found';
    case 429:
      return 'too many requests';
    case 503:
      return 'server busy, please try again.  maximum pending requests exceeded';
    default:
      return 'llama runner process has terminated: exit status 2';
  }
}
