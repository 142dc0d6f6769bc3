// The price table shipped with the extension. It is never fetched from the network: a price file
// downloaded at start-up breaks offline use, and the user can override any entry in settings.

/** USD per million tokens. Cache prices default to the input price when a provider has no such charge. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /**
   * Higher rates once a request's total input (incl. cache tokens) exceeds `thresholdTokens`
   * (Anthropic's 1M-context tier for Sonnet 4 / 4.5 above 200k input tokens).
   */
  longContext?: { thresholdTokens: number } & Omit<ModelPrice, 'longContext'>;
}

/**
 * When the list prices below were last checked against the providers' pricing pages. A model missing
 * here shows "price unknown" until the user adds it to `switchyard.cost.prices`.
 */
export const PRICES_AS_OF = '2025-10-15';

/**
 * What a cloud call on a model with no known price counts against the budget until the user sets its
 * price: the dearest list price of a general-purpose model in the table (Claude Opus 4.1), so a budget is
 * reached early rather than never.
 */
export const UNPRICED_MODEL_PRICE: ModelPrice = { input: 15, output: 75 };

// Anthropic: cache writes (5-minute TTL) cost 1.25x input, cache reads 0.1x input.
// OpenAI: cached input has its own (discounted) price; there is no cache write charge.
const anthropic = (input: number, output: number): ModelPrice => ({
  input, output, cacheRead: round(input * 0.1), cacheWrite: round(input * 1.25),
});
/**
 * The one long-context threshold in the table (input tokens per request). Aggregates keep calls above it
 * apart so they can be priced at the long-context rate later.
 */
export const LONG_CONTEXT_TOKENS = 200_000;
const sonnetLongContext = { thresholdTokens: LONG_CONTEXT_TOKENS, ...anthropic(6, 22.5) };

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-5.2': { input: 1.75, output: 14, cacheRead: 0.175 },
  'gpt-5.1': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5.1-codex': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-codex': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
  'o3': { input: 2, output: 8, cacheRead: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
  'o3-pro': { input: 20, output: 80 },
  'o1': { input: 15, output: 60, cacheRead: 7.5 },
  'o1-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
  'gpt-5-pro': { input: 15, output: 120 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 }, // the first gpt-4o snapshot kept its launch price
  'chatgpt-4o-latest': { input: 5, output: 15 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  // Anthropic
  'claude-opus-4-6': anthropic(5, 25),
  'claude-opus-4-5': anthropic(5, 25),
  'claude-sonnet-4-6': anthropic(3, 15),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-sonnet-4-5': { ...anthropic(3, 15), longContext: sonnetLongContext },
  'claude-sonnet-4': { ...anthropic(3, 15), longContext: sonnetLongContext },
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-haiku-4-5': anthropic(1, 5),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-3-5-sonnet': anthropic(3, 15),
  'claude-3-opus': anthropic(15, 75),
  'claude-3-haiku': anthropic(0.25, 1.25),
};

// Aliases the providers document that are not a snapshot suffix of a listed name.
const ALIASES: Readonly<Record<string, string>> = {
  'claude-sonnet-4-0': 'claude-sonnet-4',
  'claude-opus-4-0': 'claude-opus-4',
};

// A dated snapshot or alias of a listed model: `gpt-4.1-mini-2025-04-14`, `claude-sonnet-4-5-20250929`,
// `claude-3-5-haiku-latest`, `claude-sonnet-4-5@20250929` (Vertex), `gpt-4-0613`. The suffix must be a
// date or "latest", so `gpt-4.1` never swallows `gpt-4.1-mini`.
const SNAPSHOT = /^[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)$/;

/**
 * The listed form of a model id as gateways spell it: Bedrock (`us.anthropic.claude-sonnet-4-20250514-v1:0`),
 * OpenRouter (`anthropic/claude-sonnet-4.5`, `openai/gpt-4o`), and the documented aliases.
 */
export function canonicalModel(model: string): string {
  let name = model.trim().toLowerCase()
    .replace(/^(?:openai|anthropic)\//, '')
    .replace(/^(?:[a-z]{2,6}\.)?anthropic\./, '')
    .replace(/-v\d+(?::\d+)?$/, '');
  if (name.startsWith('claude-')) name = name.replace(/(\d)\.(\d)/g, '$1-$2');
  return ALIASES[name] ?? name;
}

/**
 * The price for a model: an override wins, then the shipped table; exact name first, then a dated
 * snapshot of a listed name. Undefined when the model is unknown (the caller counts UNPRICED_MODEL_PRICE
 * and tells the user).
 */
export function findPrice(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ModelPrice | undefined {
  const raw = model.trim().toLowerCase();
  // A user's override may name the model exactly as their gateway spells it (an Azure deployment).
  const exactOverride = lookup(overrides, raw);
  if (exactOverride) return exactOverride;
  const name = canonicalModel(model);
  for (const table of [overrides, PRICE_TABLE]) {
    const exact = lookup(table, name);
    if (exact) return exact;
  }
  for (const table of [overrides, PRICE_TABLE]) {
    for (const [key, price] of Object.entries(table)) {
      const k = key.toLowerCase();
      if (name.startsWith(k) && SNAPSHOT.test(name.slice(k.length))) return price;
    }
  }
  return undefined;
}

/**
 * The price a cloud call is counted at: the model's own, or UNPRICED_MODEL_PRICE (`assumed`) when it has
 * none, as the ledger bills it - so a pre-call estimate and the budget see an unpriced model too.
 */
export function priceOrAssumed(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): { price: ModelPrice; assumed: boolean } {
  const known = findPrice(model, overrides);
  return known ? { price: known, assumed: false } : { price: UNPRICED_MODEL_PRICE, assumed: true };
}

function lookup(table: Readonly<Record<string, ModelPrice>>, name: string): ModelPrice | undefined {
  if (Object.prototype.hasOwnProperty.call(table, name)) return table[name];
  for (const [key, price] of Object.entries(table)) if (key.toLowerCase() === name) return price;
  return undefined;
}

/**
 * Validates one entry of `switchyard.cost.prices`. Returns the price, or a message saying what is wrong
 * (the settings reader turns it into a problem naming the setting and drops the entry).
 */
export function parsePriceOverride(value: unknown): ModelPrice | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object like { "input": 2, "output": 8 } (USD per million tokens)';
  }
  const v = value as Record<string, unknown>;
  const allowed = ['input', 'output', 'cacheRead', 'cacheWrite'];
  const unknown = Object.keys(v).filter((k) => !allowed.includes(k));
  if (unknown.length) return `has unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')})`;
  const out: Partial<ModelPrice> = {};
  for (const field of allowed as (keyof ModelPrice)[]) {
    const n = v[field];
    if (n === undefined) {
      if (field === 'input' || field === 'output') return `needs "${field}" (USD per million tokens)`;
      continue;
    }
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 10_000) {
      return `"${field}" must be a number of USD per million tokens between 0 and 10000`;
    }
    (out as Record<string, number>)[field] = n;
  }
  return out as ModelPrice;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
