// The routing context of a trusted workspace with a healthy local model and a cloud key: the
// starting point of the task runner's tests, which change what each case is about.
import { SettingsReader } from '../../../src/core/settings/reader';
import { parseRoutingSettings } from '../../../src/core/settings/routing';
import type { RoutingContext } from '../../../src/core/tasks/runner';

export function hybridContext(): RoutingContext {
  return {
    routing: parseRoutingSettings(new SettingsReader({})),
    policy: { allowed: ['machine', 'network', 'cloud'], neverLeaveMachine: false, reason: 'hybrid' },
    budget: { dailySpentUsd: 0, monthlySpentUsd: 0, dailyCapUsd: 0, monthlyCapUsd: 0, exceeded: false, warning: false },
    local: { provider: 'ollama', model: 'qwen', endpointClass: 'machine', healthy: true },
    cloud: { provider: 'openai', model: 'gpt-4.1-mini', endpointClass: 'cloud', keyConfigured: true },
  };
}
