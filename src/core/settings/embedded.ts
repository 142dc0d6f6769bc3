import type { SettingsReader } from './reader';

export interface EmbeddedSettings {
  /** Absolute path of a GGUF model file; empty when none is chosen. */
  modelPath: string;
  /** CPU threads for inference; 0 = automatic (one per physical core, less one left to the editor). */
  threads: number;
  /** Tokens of context the engine keeps (prompt + completion). */
  contextSize: number;
  /** Let llama.cpp use a GPU when its binaries for one are installed. */
  gpu: boolean;
}

// The model path decides which file is executed as a model, so a workspace cannot set it.
export function parseEmbeddedSettings(r: SettingsReader): EmbeddedSettings {
  return {
    modelPath: r.string('embedded.modelPath', { fallback: '', resolution: 'user' }),
    threads: r.number('embedded.threads', { fallback: 0, min: 0, max: 256, integer: true, resolution: 'user' }),
    contextSize: r.number('embedded.contextSize', { fallback: 4096, min: 512, max: 131072, integer: true, resolution: 'user' }),
    gpu: r.boolean('embedded.gpu', { fallback: false, resolution: 'user' }),
  };
}
