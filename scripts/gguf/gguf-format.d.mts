export interface GgmlType { id: number; block: number; bytes: number }
export const GGML: { F32: GgmlType; F16: GgmlType; Q4_0: GgmlType; Q8_0: GgmlType };
export const ALIGNMENT: number;
export interface DecodedTensor { name: string; dims: number[]; type: string; offset: number }
export interface DecodedGguf {
  version: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  metadata: Record<string, any>;
  tensors: DecodedTensor[];
  dataOffset: number;
}
export function decodeHeader(buf: Buffer): DecodedGguf;
export function encodeTensor(type: GgmlType, values: ArrayLike<number>): Buffer;
export function toHalf(v: number): number;
export const T: Record<'U8' | 'I8' | 'U16' | 'I16' | 'U32' | 'I32' | 'F32' | 'BOOL' | 'STRING' | 'ARRAY' | 'U64' | 'I64' | 'F64', number>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function encodeHeader(metadata: Record<string, { type: number; value: any; itemType?: number }>, tensors: unknown[]): Buffer;
