import type { CostService, LocalModels, Services } from './services';

/** Ask About Selection, Refactor Selection, Explain Architecture. */
export function registerTasks(_s: Services, _local: LocalModels, _cost: CostService): void {
  // Registered by the tasks feature.
}
