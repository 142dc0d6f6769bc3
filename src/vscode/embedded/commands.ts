import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { MODEL_OFFERS, downloadModel, type ModelOffer } from '../../core/providers/embedded/node/download';
import { adviseHardware, type MachineInfo } from '../../core/providers/embedded/hardware';
import { readMachine } from '../../core/providers/embedded/node/machine';
import { ProviderError } from '../../core/providers/types';
import type { EmbeddedFeature } from '../embedded';
import type { Services } from '../services';
import { updateSetting } from '../settings';
import { COMMANDS } from '../../core/commands';
import { errorMessage } from '../../core/errors';
import { notify } from '../notify';

const MB = 1024 * 1024;

function modelsDir(s: Services): string {
  return join(s.context.globalStorageUri.fsPath, 'models');
}

const ENGINE_MISSING = 'This build of Switchyard does not include the embedded engine. Install the Switchyard VSIX for your platform (e.g. switchyard-linux-x64.vsix), which carries the llama.cpp engine; in a development checkout run `npm install`.';

/** Without the engine a model is of no use: says how to get it instead. */
function warnIfNoEngine(f: EmbeddedFeature): boolean {
  if (f.engineInstalled()) return false;
  void notify('warn', ENGINE_MISSING);
  return true;
}

async function useModel(s: Services, path: string): Promise<void> {
  await updateSetting('embedded.modelPath', path, vscode.ConfigurationTarget.Global);
  const provider = s.settings.current.providers.local.provider;
  if (provider !== 'embedded' && provider !== 'auto') {
    const pick = await vscode.window.showInformationMessage(`Switchyard: the embedded engine will use ${path}. Use it for completions instead of ${provider}?`, 'Use Embedded Engine', 'Keep ' + provider);
    if (pick === 'Use Embedded Engine') await updateSetting('local.provider', 'embedded', vscode.ConfigurationTarget.Global);
  } else {
    void vscode.window.showInformationMessage(`Switchyard: the embedded engine now uses ${path.split(/[\\/]/).pop()}.`);
  }
}

function hardwareSummary(): string {
  return adviseHardware(readMachine()).summary;
}

async function selectModel(s: Services, f: EmbeddedFeature): Promise<void> {
  if (warnIfNoEngine(f)) return;
  type Item = vscode.QuickPickItem & { action: 'browse' | 'download' | 'file'; path?: string };
  const dir = modelsDir(s);
  const downloaded: Item[] = existsSync(dir)
    ? readdirSync(dir).filter((n) => n.endsWith('.gguf')).map((n) => ({ label: n, description: `${Math.round(statSync(join(dir, n)).size / MB)} MB, downloaded`, action: 'file', path: join(dir, n) }))
    : [];
  const items: Item[] = [
    { label: '$(folder-opened) Choose a GGUF file…', action: 'browse' },
    { label: '$(cloud-download) Download a recommended code model…', action: 'download' },
    ...downloaded,
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Switchyard: Embedded Model', placeHolder: hardwareSummary(), matchOnDescription: true });
  if (!pick) return;
  if (pick.action === 'download') return downloadCommand(s, f);
  if (pick.action === 'file' && pick.path) return useModel(s, pick.path);
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this model', filters: { 'GGUF models': ['gguf'] } });
  if (uris?.[0]) await useModel(s, uris[0].fsPath);
}

async function downloadCommand(s: Services, f: EmbeddedFeature): Promise<void> {
  if (warnIfNoEngine(f)) return;
  const advice = adviseHardware(await machineWithGpu(f));
  const pick = await vscode.window.showQuickPick(
    MODEL_OFFERS.map((o) => ({ label: o.label, detail: o.url, offer: o })),
    { title: 'Switchyard: Download a Code Model', placeHolder: advice.summary },
  );
  if (pick) await download(s, pick.offer);
}

async function download(s: Services, offer: ModelOffer): Promise<void> {
  const dest = join(modelsDir(s), offer.fileName);
  if (existsSync(dest)) return useModel(s, dest);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Switchyard: downloading ${offer.fileName}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let reported = 0;
        return downloadModel({
          url: offer.url, dest, sha256: offer.sha256, signal: abort.signal,
          // A download is an egress like any other: a never-leave-machine workspace refuses it.
          fetch: s.gate.fetchFor({ purpose: 'pull', provider: 'embedded' }),
          onProgress: (p) => {
            const total = p.totalBytes ?? offer.sizeBytes;
            const pct = Math.min(100, (p.receivedBytes / total) * 100);
            if (pct - reported >= 1) {
              progress.report({ increment: pct - reported, message: `${Math.round(p.receivedBytes / MB)} of ${Math.round(total / MB)} MB${p.resumedFromBytes ? ' (resumed)' : ''}` });
              reported = pct;
            }
          },
        });
      },
    );
    s.log.info(`downloaded ${offer.fileName} (${Math.round(result.bytes / MB)} MB, sha256 ${result.sha256})`);
    await useModel(s, result.path);
  } catch (err) {
    const message = err instanceof ProviderError && err.code === 'blocked'
      ? `Downloading a model is blocked here: ${err.message}. Download it from a workspace that is not never-leave-machine, or choose a GGUF file you already have.`
      : errorMessage(err);
    s.log.error(`model download: ${message}`);
    void notify('error', message);
  }
}

/** This machine, with GPU memory when the running engine reports a GPU. */
async function machineWithGpu(f: EmbeddedFeature): Promise<MachineInfo> {
  const machine = readMachine();
  if (f.provider.engine.state.kind !== 'ready') return machine;
  try {
    const stats = await f.provider.engine.stats();
    if (stats.vram && stats.model?.gpu) machine.gpu = { name: stats.model.gpu, totalBytes: stats.vram.totalBytes, freeBytes: stats.vram.freeBytes };
  } catch {
    // the CPU figures stand on their own
  }
  return machine;
}

async function checkHardware(s: Services, f: EmbeddedFeature): Promise<void> {
  const advice = adviseHardware(await machineWithGpu(f));
  const lines = advice.sizes.map((z) => `${z.label}: ${z.verdict === 'good' ? 'runs well' : z.verdict === 'slow' ? 'runs, but slowly' : 'too big'} (needs ~${(z.needBytes / 1024 ** 3).toFixed(1)} GB)`);
  s.log.info(`hardware check: ${advice.summary} ${lines.join('; ')}`);
  const action = await vscode.window.showInformationMessage(`Switchyard: ${advice.summary}`, { modal: true, detail: lines.join('\n') + (f.engineInstalled() ? '' : `\n\n${ENGINE_MISSING}`) }, 'Select Embedded Model');
  if (action) await selectModel(s, f);
}

export function registerEmbeddedCommands(s: Services, f: EmbeddedFeature): void {
  s.context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.selectEmbeddedModel, () => selectModel(s, f)),
    vscode.commands.registerCommand(COMMANDS.downloadEmbeddedModel, () => downloadCommand(s, f)),
    vscode.commands.registerCommand(COMMANDS.checkEmbeddedHardware, () => checkHardware(s, f)),
  );
}
