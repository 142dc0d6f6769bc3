import type { RoutingContext, TaskDeps } from '../../core/tasks/runner';
import { cloudBaseUrl, cloudModel, createCloudChat } from '../../core/providers/cloud';
import { ProviderError } from '../../core/providers/types';
import { providerName } from '../../core/routing/router';
import { countTokens } from '../../core/tokens';
import type { EndpointClass } from '../../core/types';
import { apiKeys } from '../secrets';
import type { CostService, LocalModels, Services } from '../services';

async function classify(s: Services, url: string): Promise<EndpointClass> {
  try {
    return await s.privacy.classify(new URL(url));
  } catch {
    return 'cloud'; // unknown counts as leaving the machine
  }
}

/** The runner's view of the extension: settings, policy, budget, health, providers - read fresh per request. */
export function createRunnerDeps(s: Services, local: LocalModels, cost: CostService): TaskDeps {
  const keys = apiKeys(s.context.secrets);
  return {
    async context(): Promise<RoutingContext> {
      const settings = s.settings.current;
      const cloudProvider = settings.providers.cloud.provider;
      const current = local.current();
      const [localClass, cloudClass, keyConfigured, team] = await Promise.all([
        current.id === 'embedded' ? Promise.resolve<EndpointClass>('machine') : classify(s, current.baseUrl),
        classify(s, cloudBaseUrl(cloudProvider, settings.providers.cloud)),
        keys.has(cloudProvider).catch(() => false),
        s.team?.routeInput('chat'),
      ]);
      return {
        routing: settings.routing,
        policy: s.privacy.policy(),
        budget: cost.budget(),
        local: { provider: current.id, model: current.chatModel, endpointClass: localClass, healthy: local.healthy() },
        cloud: { provider: cloudProvider, model: cloudModel(cloudProvider, settings.providers.cloud), endpointClass: cloudClass, keyConfigured },
        ...(team ? { team } : {}),
      };
    },
    localChat: () => local.chat(),
    teamChat: () => {
      const team = s.team?.provider();
      if (!team) throw new ProviderError('unreachable', 'no team server is set (switchyard.team.url)');
      return team;
    },
    async cloudChat(kind, provider) {
      const apiKey = await keys.get(provider);
      if (!apiKey) throw new ProviderError('no-key', `no ${providerName(provider)} API key is set — set it with Switchyard: Set Cloud API Key`);
      return createCloudChat({
        provider,
        settings: s.settings.current.providers.cloud,
        apiKey,
        fetch: s.gate.fetchFor({ purpose: kind, provider }),
        timeoutMs: s.settings.current.routing.cloudTimeoutSeconds * 1000,
      });
    },
    countTokens,
    checkSecrets: (text) => s.privacy.checkSecrets(text),
    price: (provider, model, usage) => cost.priceUsd(provider, model, usage),
    emit: (event) => s.events.emit(event),
  };
}
