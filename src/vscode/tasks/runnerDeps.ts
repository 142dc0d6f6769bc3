import * as vscode from 'vscode';
import { strictestRouting, type RoutingSettings } from '../../core/settings/routing';
import type { RoutingContext, TaskDeps } from '../../core/tasks/runner';
import { cloudBaseUrl, cloudModel, createCloudChat } from '../../core/providers/node/cloud';
import { ProviderError } from '../../core/providers/types';
import { providerName } from '../../core/routing/router';
import { countTokens } from '../../core/node/tokens';
import type { EndpointClass } from '../../core/types';
import { owningFolders } from '../privacy';
import { apiKeys } from '../secrets';
import type { CostService, LocalModels, Services } from '../services';

async function classify(s: Services, url: string): Promise<EndpointClass> {
  try {
    return await s.privacy.classify(new URL(url));
  } catch {
    return 'cloud'; // unknown counts as leaving the machine
  }
}

/**
 * Routing settings for content from `sources`: the most local of every folder it comes from (a
 * folder's own `routing.mode: local-only` holds for its files); the window's for unknown origins.
 */
function routingFor(s: Services, sources: readonly string[] | undefined): RoutingSettings {
  const all = vscode.workspace.workspaceFolders ?? [];
  const window = (): RoutingSettings => strictestRouting([s.settings.current.routing, ...all.map((f) => s.settings.forFolder(f.uri).routing)]);
  const owners = new Map<string, vscode.WorkspaceFolder>();
  for (const source of sources ?? []) {
    const mine = owningFolders(source);
    if (mine.length === 0) return window();
    for (const f of mine) owners.set(f.uri.toString(), f);
  }
  if (owners.size === 0) return window();
  return strictestRouting([...owners.values()].map((f) => s.settings.forFolder(f.uri).routing));
}

/** The runner's view of the extension: settings, policy, budget, health, providers - read fresh per request. */
export function createRunnerDeps(s: Services, local: LocalModels, cost: CostService): TaskDeps {
  const keys = apiKeys(s.context.secrets);
  return {
    async context(sources): Promise<RoutingContext> {
      const settings = s.settings.current;
      const cloudProvider = settings.providers.cloud.provider;
      const current = local.current();
      const [localClass, cloudClass, keyConfigured, team] = await Promise.all([
        current.id === 'embedded' ? Promise.resolve<EndpointClass>('machine') : classify(s, current.baseUrl),
        classify(s, cloudBaseUrl(cloudProvider, settings.providers.cloud)),
        keys.has(cloudProvider).catch(() => false),
        s.team.routeInput('chat', sources),
      ]);
      return {
        routing: routingFor(s, sources),
        policy: s.privacy.policyFor(sources),
        budget: cost.budget(),
        local: { provider: current.id, model: current.chatModel, endpointClass: localClass, healthy: local.healthy() },
        cloud: { provider: cloudProvider, model: cloudModel(cloudProvider, settings.providers.cloud), endpointClass: cloudClass, keyConfigured },
        ...(team ? { team } : {}),
      };
    },
    localChat: (_kind, sources) => local.chat(sources),
    teamChat: (_kind, sources) => {
      const team = s.team.chat(sources);
      if (!team) throw new ProviderError('unreachable', 'no team server is set (switchyard.team.url)');
      return team;
    },
    async cloudChat(kind, provider, sources) {
      const apiKey = await keys.get(provider);
      if (!apiKey) throw new ProviderError('no-key', `no ${providerName(provider)} API key is set — set it with Switchyard: Set Cloud API Key`);
      return createCloudChat({
        provider,
        settings: s.settings.current.providers.cloud,
        apiKey,
        fetch: s.gate.fetchFor({ purpose: kind, provider, sources }),
        timeoutMs: s.settings.current.routing.cloudTimeoutSeconds * 1000,
      });
    },
    countTokens,
    checkSecrets: (text) => s.privacy.checkSecrets(text),
    price: (provider, model, usage) => cost.priceUsd(provider, model, usage),
    priceAssumed: (provider, model) => cost.priceAssumed(provider, model),
    emit: (event) => s.events.emit(event),
  };
}
