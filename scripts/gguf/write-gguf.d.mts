export const WRITER_VERSION: number;
export const SPECIAL_TOKENS: string[];
export type ModelKind = 'tiny' | 'qwen-shaped';
export type Quant = 'f32' | 'f16' | 'q4_0' | 'q8_0';
export interface WriteResult { path: string; vocab: number; merges: number; tensors: number; bytes: number }
export function writeModel(opts: { out: string; kind?: ModelKind; quant?: Quant; seed?: number }): WriteResult;
export function ensureModel(opts?: { kind?: ModelKind; quant?: Quant }): { path: string; cached: boolean };
export function cacheDir(): string;
