import type { SettingsReader } from './reader';

export interface EmbeddedSettings {
  /** Absolute path of a GGUF model file; empty when none is chosen. */
  modelPath: string;
}

export function parseEmbeddedSettings(r: SettingsReader): EmbeddedSettings {
  return {
    modelPath: r.string('embedded.modelPath', { fallback: '', resolution: 'user' }),
  };
}
