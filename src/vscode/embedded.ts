import type { LocalModels, Services } from './services';

/** The embedded llama.cpp engine (child process). */
export function registerEmbedded(_s: Services, _local: LocalModels): void {
  // Registered by the embedded engine feature.
}
