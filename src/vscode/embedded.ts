import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EngineClient } from '../core/providers/embedded/node/engine';
import { resolveThreads } from '../core/providers/embedded/hardware';
import { readMachine } from '../core/providers/embedded/node/machine';
import { EmbeddedProvider } from '../core/providers/embedded/node/provider';
import type { Services } from './services';
import { registerEmbeddedCommands } from './embedded/commands';

export interface EmbeddedFeature {
  provider: EmbeddedProvider;
  /** node-llama-cpp ships with this build (the platform VSIX or a development checkout). */
  engineInstalled(): boolean;
}

/**
 * The embedded llama.cpp engine. Nothing starts here: the child process is forked on the first
 * request, and only while a model is chosen is the provider offered to the local model service.
 */
export function registerEmbedded(s: Services): EmbeddedFeature {
  const { local } = s;
  const root = s.context.extensionPath;
  const engine = new EngineClient({ workerPath: join(root, 'dist', 'engine', 'worker.js'), cwd: root });
  // Read the CPU's description only when a model loads, never at activation.
  let physicalCores: number | undefined;
  const provider = new EmbeddedProvider(engine, () => {
    const e = s.settings.current.embedded;
    physicalCores ??= readMachine().physicalCores;
    return { modelPath: e.modelPath, threads: resolveThreads(e.threads, physicalCores), contextSize: e.contextSize, gpu: e.gpu };
  });
  const feature: EmbeddedFeature = {
    provider,
    engineInstalled: () => [root, process.env.SWITCHYARD_ENGINE_MODULES].some((dir) => dir && existsSync(join(dir, 'node_modules', 'node-llama-cpp', 'package.json'))),
  };

  s.context.subscriptions.push(engine.onLog.on((line) => s.log.info(`embedded engine: ${line}`)));
  s.context.subscriptions.push(engine.onState.on((state) => {
    const serving = local.current().id === 'embedded';
    if (state.kind === 'crashed') {
      // The engine's own log line (through onLog) already says it stopped and when it restarts.
      if (serving) s.status.update({ completion: 'unreachable', completionDetail: `The embedded engine stopped (${state.detail}) and is restarting.` });
    } else if (state.kind === 'ready' && state.model) {
      s.log.info(`embedded engine ready: ${state.model.name} (pid ${state.pid}, ${state.model.threads} threads${state.model.gpu ? `, GPU ${state.model.gpu}` : ''})`);
      if (serving && engine.crashes > 0) s.status.update({ completion: 'ready', completionDetail: undefined });
    }
  }));

  // Offer the provider only while a model is chosen; with none, the local model service explains the fix.
  // When the engine can no longer serve (no model, or another provider chosen), its process and the
  // model's memory are released; it starts again on the next request.
  let offered: string | undefined;
  const offer = (): void => {
    const path = s.settings.current.embedded.modelPath;
    const choice = s.settings.current.providers.local.provider;
    if (!path || (choice !== 'embedded' && choice !== 'auto')) engine.stop();
    if (path === offered) return;
    offered = path;
    local.setEmbedded(path ? provider : undefined);
  };
  offer();
  s.context.subscriptions.push(s.settings.onDidChange.on(offer));

  registerEmbeddedCommands(s, feature);
  s.context.subscriptions.push({ dispose: () => engine.dispose() });
  return feature;
}
