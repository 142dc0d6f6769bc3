import * as vscode from 'vscode';
import type { ModelPuller } from '../../core/providers/local';
import type { LocalModelsService } from '../localModels';
import type { Services } from '../services';
import { updateSetting } from '../settings';
import { errorMessage } from '../../core/errors';
import { notify } from '../notify';

function canPull(catalog: unknown): catalog is ModelPuller {
  return typeof (catalog as Partial<ModelPuller>).pull === 'function';
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${Math.round(n / 1e6)} MB`;
}

/** Turns completions on or off (user settings). */
export async function toggleCompletions(s: Services): Promise<void> {
  const next = !s.settings.current.completion.enabled;
  await updateSetting('completion.enabled', next, vscode.ConfigurationTarget.Global);
  void vscode.window.setStatusBarMessage(`Switchyard completions ${next ? 'on' : 'off'}`, 2000);
}

/** Picks the completion model from the server's list. */
export async function selectCompletionModel(s: Services, local: LocalModelsService): Promise<string | undefined> {
  const controller = new AbortController();
  let models;
  try {
    models = await local.catalog().listModels(controller.signal);
  } catch (err) {
    void notify('warn', `cannot list the local models — ${errorMessage(err)}`);
    return undefined;
  }
  const current = s.settings.current.completion.model;
  const items: vscode.QuickPickItem[] = models.map((m) => ({
    label: m.name,
    description: [m.name === current ? 'current' : '', m.family ?? '', m.sizeBytes ? formatBytes(m.sizeBytes) : ''].filter(Boolean).join(' · '),
  }));
  if (!items.length) {
    void vscode.window.showInformationMessage('Switchyard: the local server lists no models. Pull one with Switchyard: Pull Model.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'Completion model', placeHolder: 'A base (FIM-trained) code model completes best, e.g. qwen2.5-coder:1.5b-base' });
  if (!pick) return undefined;
  await updateSetting('completion.model', pick.label, vscode.ConfigurationTarget.Global);
  return pick.label;
}

/** Downloads a model with a cancellable progress notification. Resolves true when it completed. */
export async function pullModel(s: Services, local: LocalModelsService, model?: string): Promise<boolean> {
  // Ollama would download the model from the internet: the same rule as the embedded engine's download.
  const policy = s.privacy.policy();
  if (policy.neverLeaveMachine) {
    const message = `Pulling a model is blocked here: Ollama would download it from the internet, and this workspace is ${policy.reason}. Pull it from a window that is not never-leave-machine (or run \`ollama pull\` yourself).`;
    s.log.warn(`pull: ${message}`);
    void notify('error', message);
    return false;
  }
  const catalog = local.catalog();
  if (!canPull(catalog)) {
    void notify('warn', 'this local server cannot download models; load the model in the server itself.');
    return false;
  }
  const name = model ?? await vscode.window.showInputBox({ title: 'Pull a model into Ollama', value: s.settings.current.completion.model, prompt: 'Model name, e.g. qwen2.5-coder:1.5b-base' });
  if (!name) return false;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pulling ${name}`, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    let last = 0;
    try {
      await catalog.pull(name, (p) => {
        const pct = p.total ? Math.floor((100 * (p.completed ?? 0)) / p.total) : undefined;
        const increment = pct !== undefined && pct > last ? pct - last : undefined;
        if (increment) last = pct!;
        progress.report({ message: pct !== undefined ? `${p.status} ${pct}%` : p.status, increment });
      }, controller.signal);
      if (controller.signal.aborted) {
        s.log.info(`pull of ${name} cancelled`);
        return false;
      }
      s.log.info(`pulled ${name}`);
      void local.checkNow();
      void vscode.window.showInformationMessage(`Switchyard: ${name} is ready.`);
      return true;
    } catch (err) {
      void notify('warn', `pulling ${name} failed — ${errorMessage(err)}`);
      return false;
    } finally {
      sub.dispose();
    }
  });
}
