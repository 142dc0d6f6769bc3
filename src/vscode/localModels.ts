import { systemClock } from '../core/completion/clock';
import { HealthMonitor } from '../core/completion/health';
import { Emitter } from '../core/events';
import { embeddedIdentity, type EmbeddedIdentity } from '../core/providers/embedded/node/identity';
import { chooseLocal, createServerProvider, type LocalProvider, type ServerProviderId } from '../core/providers/registry';
import { ProviderError, type HealthResult } from '../core/providers/types';
import type { EndpointClass, LocalProviderId } from '../core/types';
import type { Settings } from '../core/settings';
import type { CoreServices, LocalModels } from './services';

export interface ActiveLocal {
  id: LocalProviderId;
  provider: LocalProvider;
  baseUrl: string;
  endpointClass: EndpointClass;
}

/** LocalModels plus what the completion feature needs: health reporting and change notices. */
export interface LocalModelsService extends LocalModels {
  /** The provider serving now, with its endpoint class (classified when it was built). */
  active(): ActiveLocal;
  health(): HealthResult | undefined;
  readonly onDidChange: Emitter<void>;
  readonly onHealth: Emitter<HealthResult>;
  /** A request could not reach the server: start probing with backoff. */
  reportDown(error: ProviderError): void;
  reportUp(): void;
  checkNow(): Promise<HealthResult>;
}

/** Stands in for the embedded engine while none is registered: every call fails in plain words. */
function missingEmbedded(): LocalProvider {
  const err = () => new ProviderError('unreachable', 'the embedded engine is not running — set switchyard.embedded.modelPath, or choose Ollama in switchyard.local.provider');
  return {
    id: 'embedded', baseUrl: 'embedded:',
    complete: () => Promise.reject(err()),
    chat: () => Promise.reject(err()),
    listModels: () => Promise.reject(err()),
    health: async () => ({ ok: false, detail: err().message }),
  };
}

/** Builds the configured local provider (Ollama / OpenAI-compatible / embedded / auto) through the gate. */
export function createLocalModels(s: CoreServices): LocalModelsService {
  let embedded: LocalProvider | undefined;
  let servers = new Map<ServerProviderId, LocalProvider>();
  let settingsKey = '';
  let chosen: LocalProviderId = 'ollama';
  const classes = new Map<string, EndpointClass>();
  const onDidChange = new Emitter<void>();
  const onHealth = new Emitter<HealthResult>();
  // The embedded model's identity, read from its GGUF header once per file.
  let identity: (EmbeddedIdentity & { path: string }) | undefined;
  const embeddedModel = (): EmbeddedIdentity & { path: string } => {
    const path = s.settings.current.embedded.modelPath;
    if (identity?.path !== path) identity = { ...embeddedIdentity(path), path };
    return identity;
  };

  const local = () => s.settings.current.providers.local;
  const server = (id: ServerProviderId): LocalProvider => {
    let p = servers.get(id);
    if (!p) {
      p = createServerProvider(id, local(), s.gate);
      servers.set(id, p);
    }
    return p;
  };
  const provider = (id: LocalProviderId): LocalProvider => (id === 'embedded' ? embedded ?? missingEmbedded() : server(id));

  /** Where the provider's bytes go; 'cloud' (unusable for completions) until classified: fail closed. */
  const classify = (p: LocalProvider): EndpointClass => {
    if (p.id === 'embedded') return 'machine';
    const known = classes.get(p.baseUrl);
    if (known) return known;
    startClassify(p.baseUrl);
    return 'cloud';
  };
  const startClassify = (url: string) => {
    if (classes.has(url)) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      classes.set(url, 'cloud');
      return;
    }
    void s.privacy.classify(parsed).then((c) => classes.set(url, c), () => classes.set(url, 'cloud'));
  };

  // 'auto' probes the servers in order; a fixed choice checks only its own.
  const check = async (signal: AbortSignal): Promise<HealthResult> => {
    const setting = local().provider;
    if (setting !== 'auto') return provider(setting).health(signal);
    const ollama = await server('ollama').health(signal);
    const openai = ollama.ok ? undefined : await server('openai-compatible').health(signal);
    const next = chooseLocal('auto', { ollama: ollama.ok, openaiCompatible: openai?.ok, embedded: !!embedded });
    if (next !== chosen) {
      chosen = next;
      onDidChange.emit();
    }
    if (next === 'embedded') return embedded!.health(signal);
    return next === 'ollama' ? ollama : openai ?? ollama;
  };

  const monitor = new HealthMonitor(check, systemClock, (h) => {
    if (!h.ok) s.log.warn(`local model server: ${h.detail}`);
    onHealth.emit(h);
  });

  const rebuild = (settings: Settings) => {
    const l = settings.providers.local;
    const key = `${l.provider}|${l.ollamaUrl}|${l.openaiCompatibleUrl}`;
    if (key === settingsKey) return;
    settingsKey = key;
    servers = new Map();
    classes.clear();
    startClassify(l.ollamaUrl);
    startClassify(l.openaiCompatibleUrl);
    chosen = l.provider === 'auto' ? chosen : l.provider;
    onDidChange.emit();
    void monitor.checkNow();
  };
  rebuild(s.settings.current);
  s.context.subscriptions.push(s.settings.onDidChange.on(rebuild));
  s.context.subscriptions.push({ dispose: () => { monitor.dispose(); onDidChange.clear(); onHealth.clear(); } });

  const service: LocalModelsService = {
    current: () => {
      const p = provider(chosen);
      // The embedded engine runs its GGUF file whatever the model settings name: report that file.
      if (chosen === 'embedded') {
        const id = embeddedModel();
        return { id: chosen, baseUrl: p.baseUrl, completionModel: id.model, chatModel: id.model, embedded: id };
      }
      return { id: chosen, baseUrl: p.baseUrl, completionModel: s.settings.current.completion.model, chatModel: local().chatModel };
    },
    active: () => {
      const p = provider(chosen);
      return { id: chosen, provider: p, baseUrl: p.baseUrl, endpointClass: classify(p) };
    },
    fim: () => provider(chosen),
    chat: (sources) => {
      if (!sources?.length || chosen === 'embedded') return provider(chosen);
      // A light client per request: the gate judges it by where its content comes from.
      return createServerProvider(chosen, local(), { fetchFor: (intent) => s.gate.fetchFor({ ...intent, sources }) });
    },
    catalog: () => provider(chosen),
    healthy: () => monitor.healthy,
    health: () => monitor.current,
    setEmbedded: (p) => {
      embedded = p;
      if (local().provider === 'embedded' || local().provider === 'auto') {
        onDidChange.emit();
        void monitor.checkNow();
      }
    },
    onDidChange,
    onHealth,
    reportDown: (e) => monitor.reportDown(e.message),
    reportUp: () => monitor.reportUp(),
    checkNow: () => monitor.checkNow(),
  };
  return service;
}
