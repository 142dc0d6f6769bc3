export const WRITER_VERSION: number;
export const SPECIAL_TOKENS: string[];
export type ModelKind = 'tiny' | 'qwen-shaped';
export type Quant = 'f32' | 'f16' | 'q4_0' | 'q8_0';
export interface WriteResult { path: string; vocab: number; merges: number; tensors: number; bytes: number }
export function writeModel(opts: { out: string; kind?: ModelKind; quant?: Quant; seed?: number }): WriteResult;
export function ensureModel(opts?: { kind?: ModelKind; quant?: Quant }): { path: string; cached: boolean };
export function cacheDir(): string;
export interface Shape { embd: number; layers: number; heads: number; kvHeads: number; ff: number; merges: number; ctx: number; vocab?: number; quant: Quant }
export const SHAPES: Record<ModelKind, Shape>;
export interface Tokenizer { tokens: string[]; types: number[]; merges: [string, string][]; special: Record<string, number>; encode(text: string): number[]; text: string }
export function buildTokenizer(shape: Shape): Tokenizer;
