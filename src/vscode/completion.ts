import type { LocalModels, Services } from './services';

/** Ghost-text completions from the local model. */
export function registerCompletion(_s: Services, _local: LocalModels): void {
  // Registered by the completion feature.
}
