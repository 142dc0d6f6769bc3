import * as vscode from 'vscode';
import { systemClock } from '../core/completion/clock';
import { CompletionPipeline, type ActiveProvider, type PipelineState } from '../core/completion/pipeline';
import type { ProviderError } from '../core/providers/types';
import { pullModel, selectCompletionModel, toggleCompletions } from './completion/commands';
import { COMPLETION_SCHEMES, InlineProvider } from './completion/inlineProvider';
import type { Services } from './services';
import { COMMANDS } from '../core/commands';
import { errorMessage } from '../core/errors';
import { notify } from './notify';

/** Ghost-text completions from the local model. Never the cloud. */
export function registerCompletion(s: Services): CompletionPipeline {
  const { local } = s;
  let pipelineState: PipelineState = 'ready';
  let problem: string | undefined; // a model-level problem (missing model, blocked) for the tooltip
  // The ghost text being grown to a longer suggestion (see onMore), and a request to grow it again.
  let growing: Promise<void> | undefined;
  let growAgain: string | undefined;
  let cloudProblem: string | undefined; // the configured server is not local: nothing is sent
  const offeredPull = new Set<string>();
  let lastWarned = '';

  const renderStatus = () => {
    const c = s.settings.current.completion;
    if (!c.enabled) {
      s.status.update({ completion: 'off', completionDetail: 'turned off — run Switchyard: Toggle Completions to turn them on' });
      return;
    }
    const health = local.health();
    const active = local.active();
    const editor = vscode.window.activeTextEditor?.document.uri.toString();
    const team = health && !health.ok ? teamCompletion(s, editor ? [editor] : undefined) : undefined;
    if (team) {
      s.status.update({ completion: pipelineState, completionDetail: `${team.model} on the team server ${team.fim.baseUrl} (this machine's server: ${health?.detail})` });
    } else if (health && !health.ok) {
      s.status.update({ completion: 'unreachable', completionDetail: health.detail });
    } else if (problem ?? cloudProblem) {
      s.status.update({ completion: 'unreachable', completionDetail: problem ?? cloudProblem });
    } else {
      const where = `${local.current().completionModel} on ${active.id === 'embedded' ? 'the embedded engine' : active.baseUrl}`;
      s.status.update({
        completion: pipelineState,
        completionDetail: pipelineState === 'slow' ? `${where} is slow — a smaller model (e.g. qwen2.5-coder:0.5b-base) answers faster` : where,
      });
    }
  };

  const onError = (e: ProviderError) => {
    switch (e.code) {
      case 'unreachable':
        local.reportDown(e);
        break;
      case 'model-missing':
        offerPull(s.settings.current.completion.model);
        break;
      case 'blocked':
        problem = `blocked by the privacy policy: ${e.message}`;
        break;
      case 'timeout':
        pipelineState = 'slow';
        break;
      default:
        break;
    }
    // One log line per kind of failure in a row, not one per keystroke.
    const key = `${e.code}:${e.message}`;
    if (key !== lastWarned) {
      lastWarned = key;
      s.log.warn(`completion: ${e.message}`);
    }
    renderStatus();
  };

  const offerPull = (model: string) => {
    problem = `the model "${model}" is not on the server — run Switchyard: Pull Model, or Switchyard: Select Completion Model`;
    if (offeredPull.has(model)) return;
    offeredPull.add(model);
    const pull = `Pull ${model}`;
    void notify('warn', `the completion model "${model}" is not on the local server.`, pull, 'Select Model').then(async (pick) => {
      if (pick === pull) {
        if (await pullModel(s, local, model)) {
          problem = undefined;
          pipeline.reset();
          renderStatus();
        }
      } else if (pick === 'Select Model') {
        await selectCompletionModel(s, local);
      }
    });
  };

  const pipeline = new CompletionPipeline({
    clock: systemClock,
    settings: () => s.settings.current.completion,
    provider: (req) => {
      // Machine tier down: the team server next, where this content's folders allow it. Never the cloud.
      // Otherwise none: the machine's server is probed with backoff, no attempt per keystroke.
      if (local.healthy() === false) return teamCompletion(s, req?.sources);
      const a = local.active();
      const refuse = a.endpointClass === 'cloud'
        ? `${a.baseUrl} is not a local or trusted address — completions never go to the cloud` : undefined;
      if (refuse !== cloudProblem) {
        cloudProblem = refuse;
        renderStatus();
      }
      if (refuse) return undefined;
      // The embedded engine runs the GGUF file it was given, whatever completion.model names.
      const model = a.id === 'embedded' ? embeddedModelName(s.settings.current.embedded.modelPath) : s.settings.current.completion.model;
      return { id: a.id, fim: a.provider, model, endpointClass: a.endpointClass };
    },
    emit: (e) => s.events.emit(e),
    // Only the machine tier's results change the machine's health.
    onError: (e, p) => {
      if (p.id === 'team') {
        if (e.code === 'unreachable') s.team.reportDown(e);
        if (e.code !== 'rate-limit') onError(e);
        return;
      }
      onError(e);
    },
    onSuccess: (p) => {
      if (p.id === 'team') return;
      local.reportUp();
      if (problem && !problem.startsWith('blocked')) problem = undefined;
    },
    onState: (state) => {
      pipelineState = state;
      renderStatus();
    },
    // A block finished streaming behind its first lines: the editor asks again and shows all of it.
    // VS Code keeps a suggestion it shows when asked again at the same place (after an explicit
    // request it does not even ask), so: hide, ask, and move to the new (whole) suggestion.
    // One at a time: a line's words, then the line, then the block may each ask to be shown.
    onMore: function more(docKey) {
      if (vscode.window.activeTextEditor?.document.uri.toString() !== docKey) return;
      if (growing) {
        growAgain = docKey;
        return;
      }
      growing = Promise.resolve(vscode.commands.executeCommand('editor.action.inlineSuggest.hide'))
        .then(() => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger'))
        .then(() => new Promise((r) => setTimeout(r, 300)))
        .then(() => vscode.commands.executeCommand('editor.action.inlineSuggest.showNext'))
        .then(undefined, (err: unknown) => s.log.warn(`completion: could not show the whole suggestion: ${errorMessage(err)}`))
        .then(() => {
          growing = undefined;
          const next = growAgain;
          growAgain = undefined;
          if (next) more(next);
        });
    },
  });

  const provider = new InlineProvider(s, pipeline);
  let model = s.settings.current.completion.model;
  s.context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider(COMPLETION_SCHEMES.map((scheme) => ({ scheme })), provider),
    vscode.commands.registerCommand(COMMANDS.toggleCompletions, () => toggleCompletions(s)),
    vscode.commands.registerCommand(COMMANDS.selectCompletionModel, () => selectCompletionModel(s, local)),
    vscode.commands.registerCommand(COMMANDS.pullModel, (name?: string) => pullModel(s, local, typeof name === 'string' ? name : undefined)),
    vscode.workspace.onDidCloseTextDocument((d) => pipeline.forget(d.uri.toString())),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length) pipeline.edited(e.document.uri.toString());
    }),
    // Whether the team server may serve depends on the active editor's folder: the status follows it.
    vscode.window.onDidChangeActiveTextEditor(() => renderStatus()),
    s.privacy.onDidChangeExclusions(() => provider.clearExclusions()),
    { dispose: () => pipeline.dispose() },
  );
  s.context.subscriptions.push(s.settings.onDidChange.on((settings) => {
    provider.clearExclusions();
    if (settings.completion.model !== model) {
      model = settings.completion.model;
      problem = undefined;
      pipeline.reset();
    }
    renderStatus();
  }));
  s.context.subscriptions.push(local.onDidChange.on(() => {
    problem = undefined;
    pipeline.reset();
    renderStatus();
  }));
  s.context.subscriptions.push(local.onHealth.on(() => renderStatus()));
  renderStatus();
  return pipeline;
}

/** The model name for the ledger when the embedded engine serves: the GGUF file's name. */
function embeddedModelName(path: string): string {
  return path.split(/[\\/]/).pop()?.replace(/\.gguf$/i, '') || 'embedded';
}

/**
 * The team server as the completion provider, when it is set, allowed for this content (the policy
 * of the folders of the document and its snippets, not the window's), up and not asking to wait.
 */
function teamCompletion(s: Services, sources: readonly string[] | undefined): ActiveProvider | undefined {
  const team = s.team;
  const endpointClass = team?.endpointClass();
  if (!team || !team.provider() || endpointClass !== 'network') return undefined;
  if (!s.privacy.policyFor(sources).allowed.includes(endpointClass)) return undefined;
  // A client whose every byte the gate judges by the same sources.
  const provider = team.chat(sources);
  if (!provider || team.health()?.ok === false || provider.backoffMs() > 0) return undefined;
  const contextTokens = team.windowTokens(s.settings.current.completion.maxTokens);
  return { id: 'team', fim: provider, model: team.settings().completionModel, endpointClass, ...(contextTokens ? { contextTokens } : {}) };
}
