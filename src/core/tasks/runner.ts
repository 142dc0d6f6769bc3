// Runs one task request: estimate, scan, route, call the provider through the gate, stream the text,
// and record exactly one ModelCallEvent per model call (or one 'blocked' event when nothing ran).
import { confidenceOf, type Confidence } from '../routing/confidence';
import { route, type Override, type PriceFn, type RouteDecision, type RouteInput, type TeamInput } from '../routing/router';
import type { PrivacyPolicy } from '../privacy/policy';
import { blockReportedByGate } from '../privacy/egress';
import { redactSecrets } from '../privacy/knownKeys';
import { ProviderError, type ChatMessage, type ChatProvider, type StreamResult } from '../providers/types';
import type { RoutingSettings, TaskKind } from '../settings/routing';
import type { BudgetState, CloudProviderId, ProviderId, EndpointClass, LocalProviderId, ModelCallEvent, Outcome, TokenUsage } from '../types';
import { newId } from '../ids';
import { failedStreamUsage, streamSoFar } from '../cost/partial';
import { promptText } from './prompts';
import { errorMessage } from '../errors';

export interface TaskRequest {
  kind: TaskKind;
  messages: ChatMessage[];
  maxTokens: number;
  /** For the cost estimate. */
  expectedOutputTokens: number;
  selectionLines: number;
  files: number;
  /** Some content comes from a privacy-excluded file (the adapters keep such files out, so rarely true). */
  excludedContent: boolean;
  override?: Override;
  /**
   * Where the content comes from (file or folder URIs). Its privacy policy and routing settings are
   * the strictest of theirs; absent, the whole window's.
   */
  sources?: readonly string[];
}

/** Everything the router needs that changes over time, read fresh for each request. */
export interface RoutingContext {
  routing: RoutingSettings;
  policy: PrivacyPolicy;
  budget: BudgetState;
  local: { provider: LocalProviderId; model: string; endpointClass: EndpointClass; healthy: boolean | undefined };
  cloud: { provider: CloudProviderId; model: string; endpointClass: EndpointClass; keyConfigured: boolean };
  /** The team server, when one is set. */
  team?: TeamInput;
}

/** The privacy area's verdict on cloud-bound text: send as is, send redacted, or keep it local. */
export interface SecretsVerdict {
  action: 'send' | 'redact' | 'keep-local';
  text: string;
  reason: string;
  /** What was found: the detector rule of each finding (never the value). */
  findings?: ReadonlyArray<{ ruleId: string }>;
}

export interface TaskDeps {
  /** Read fresh for each attempt, for the content of `sources` (the window when absent). */
  context(sources?: readonly string[]): Promise<RoutingContext>;
  /** The local chat provider, built through the gate for content from `sources`. May throw if none is available. */
  localChat(kind: TaskKind, sources?: readonly string[]): ChatProvider;
  /** The team server's chat provider, built through the gate for content from `sources` (only asked when the router chose it). */
  teamChat?(kind: TaskKind, sources?: readonly string[]): ChatProvider;
  /** The cloud chat provider, built through the gate for content from `sources`; throws ProviderError('no-key') without a key. */
  cloudChat(kind: TaskKind, provider: CloudProviderId, sources?: readonly string[]): Promise<ChatProvider>;
  countTokens(text: string): Promise<number>;
  /** Scans cloud-bound text for secrets and applies the user's privacy.secrets choice. */
  checkSecrets(text: string): Promise<SecretsVerdict>;
  price: PriceFn;
  /** Whether `price` assumed a conservative price for a model with no known price. */
  priceAssumed?: (provider: ProviderId, model: string) => boolean;
  emit(event: ModelCallEvent): void;
}

export interface TaskSink {
  /** A (new) attempt starts: the view clears its text and shows the route. */
  onRoute(decision: RouteDecision): void;
  onText(delta: string): void;
}

export interface TaskResult {
  decision: RouteDecision;
  /** The model that ran, as the provider reported it (the decision's model until one reports). */
  model: string;
  outcome: Outcome;
  text: string;
  finishReason?: StreamResult['finishReason'];
  usage?: TokenUsage;
  ttftMs?: number;
  totalMs: number;
  /** From reported usage when there is one, else the estimate. */
  costUsd?: number;
  error?: { code: ProviderError['code'] | 'internal'; message: string; retryAfterMs?: number };
  /** Local answers only. */
  confidence?: Confidence;
  /** The local answer looked unsure (below routing.confidenceThreshold). */
  unsure: boolean;
  /**
   * What the user can do next: re-run in the cloud (with its estimate) or locally; for an unsure answer
   * the cloud cannot take, `setKey` when a cloud key is all it lacks, else `cloudWhyNot` says why not.
   */
  offers: { askCloud?: { estimatedCostUsd?: number }; keepLocal?: boolean; setKey?: boolean; cloudWhyNot?: string };
  /** Made under a never-leave-machine policy. */
  neverLeaveMachine: boolean;
  /** When this answer replaced an unsure local one automatically. */
  escalatedFrom?: TaskResult;
}

export class TaskRunner {
  constructor(private readonly deps: TaskDeps) {}

  /** Runs the request; escalates an unsure local answer to the cloud when routing.autoEscalate allows. */
  async run(req: TaskRequest, sink: TaskSink, signal: AbortSignal): Promise<TaskResult> {
    const first = await this.attempt(req, sink, signal);
    if (!first.unsure || !first.offers.askCloud || signal.aborted) return first;
    const ctx = await this.deps.context(req.sources);
    if (!ctx.routing.autoEscalate) return first;
    const why = `escalated: the local answer looked unsure (${first.confidence?.signals.join(', ') || 'low confidence'})`;
    const second = await this.attempt({ ...req, override: 'cloud' }, sink, signal, why);
    return { ...second, escalatedFrom: first };
  }

  private async attempt(req: TaskRequest, sink: TaskSink, signal: AbortSignal, overrideWhy?: string): Promise<TaskResult> {
    const started = Date.now();
    const ctx = await this.deps.context(req.sources);
    const text = promptText(req.messages);
    const promptTokens = await this.deps.countTokens(text);
    // Scanning only matters when the cloud is possible at all.
    const cloudPossible = !ctx.policy.neverLeaveMachine && req.override !== 'local';
    const verdict = cloudPossible ? await this.deps.checkSecrets(text) : undefined;
    const secretsFound = verdict !== undefined && verdict.action !== 'send';
    const input: RouteInput = {
      kind: req.kind,
      promptTokens,
      expectedOutputTokens: req.expectedOutputTokens,
      selectionLines: req.selectionLines,
      files: req.files,
      privacy: ctx.policy,
      excludedContent: req.excludedContent,
      secrets: { found: secretsFound, handling: verdict?.action === 'redact' ? 'redact' : 'keep-local', rules: verdict?.findings?.map((f) => f.ruleId) },
      budget: ctx.budget,
      local: ctx.local,
      cloud: ctx.cloud,
      team: ctx.team,
      mode: ctx.routing.mode,
      override: req.override,
      overrideWhy,
      settings: ctx.routing,
      price: this.deps.price,
      priceAssumed: this.deps.priceAssumed,
    };
    const decision = route(input);
    sink.onRoute(decision);
    const base = {
      id: newId(), time: new Date(started).toISOString(), kind: req.kind, reasons: decision.reasons,
      provider: decision.provider, model: decision.model, endpointClass: decision.endpointClass, estimated: decision.estimated,
    };
    const offers = offersFor(decision);
    const neverLeaveMachine = ctx.policy.neverLeaveMachine;

    if (decision.target === 'blocked') {
      const message = decision.reasons[decision.reasons.length - 1] ?? 'blocked';
      this.deps.emit({ ...base, route: 'blocked', totalMs: 0, outcome: 'blocked', error: message });
      return { decision, model: decision.model, outcome: 'blocked', text: '', totalMs: 0, error: { code: 'blocked', message }, unsure: false, offers, neverLeaveMachine };
    }

    let provider: ChatProvider;
    let messages = req.messages;
    try {
      if (decision.target === 'cloud') {
        provider = await this.deps.cloudChat(req.kind, ctx.cloud.provider, req.sources);
        if (secretsFound) messages = await this.redacted(req.messages);
      } else if (decision.provider === 'team') {
        if (!this.deps.teamChat) throw new ProviderError('unreachable', 'no team server is set (switchyard.team.url)');
        provider = this.deps.teamChat(req.kind, req.sources);
      } else {
        provider = this.deps.localChat(req.kind, req.sources);
      }
    } catch (err) {
      return this.failed(req, decision, base, started, err, '', offers, neverLeaveMachine);
    }

    let streamed = '';
    try {
      const result = await provider.chat(
        { model: decision.model, messages, maxTokens: req.maxTokens, temperature: 0.2, logprobs: decision.target === 'local' },
        (delta) => { streamed += delta; sink.onText(delta); },
        signal,
      );
      const outcome: Outcome = result.finishReason === 'cancelled' ? 'cancelled' : 'served';
      // The record names the model that ran: a server may serve another model than the one asked for.
      const model = result.model ?? decision.model;
      const costUsd = this.deps.price(decision.provider, model, result.usage ?? decision.estimated);
      this.deps.emit({ ...base, model, route: decision.target, usage: result.usage, ttftMs: result.ttftMs, ...(result.timing ? { timing: result.timing } : {}), totalMs: result.totalMs, outcome });
      const confidence = decision.target === 'local' && outcome === 'served' ? confidenceOf(result) : undefined;
      const unsure = confidence !== undefined && confidence.score < ctx.routing.confidenceThreshold;
      return {
        decision, model, outcome, text: result.text, finishReason: result.finishReason, usage: result.usage, ttftMs: result.ttftMs,
        totalMs: result.totalMs, costUsd, confidence, unsure, offers: unsure ? withUnsureNextStep(offers, input) : offers, neverLeaveMachine,
      };
    } catch (err) {
      // A stream that failed after the provider accepted it is billed: record its usage (an estimate).
      const soFar = decision.target === 'cloud' ? streamSoFar(err) : undefined;
      const usage = soFar && failedStreamUsage(soFar, decision.estimated.promptTokens, await this.deps.countTokens(soFar.text));
      return this.failed(req, decision, base, started, err, streamed, offers, neverLeaveMachine, usage);
    }
  }

  /** Each message redacted; a message whose secrets cannot all be located stops the request (fail closed). */
  private async redacted(messages: ChatMessage[]): Promise<ChatMessage[]> {
    return Promise.all(messages.map(async (m) => {
      const v = await this.deps.checkSecrets(m.content);
      if (v.action === 'keep-local') throw new ProviderError('blocked', v.reason || 'kept local: a secret could not be redacted');
      return { ...m, content: v.text };
    }));
  }

  private failed(
    req: TaskRequest, decision: RouteDecision, base: Omit<ModelCallEvent, 'route' | 'totalMs' | 'outcome'>,
    started: number, err: unknown, text: string, offers: TaskResult['offers'], neverLeaveMachine: boolean,
    usage?: TokenUsage,
  ): TaskResult {
    const totalMs = Date.now() - started;
    const pe = err instanceof ProviderError ? err : undefined;
    const message = redactSecrets(pe ? pe.message : `${req.kind} failed unexpectedly: ${errorMessage(err)}`);
    const blocked = pe?.code === 'blocked';
    // A refusal by the egress gate is already in the ledger (the gate reports it): one record per call.
    if (!blockReportedByGate(err)) this.deps.emit({ ...base, route: blocked ? 'blocked' : decision.target, totalMs, outcome: blocked ? 'blocked' : 'failed', error: message, ...(usage ? { usage } : {}) });
    return {
      decision, model: decision.model, outcome: blocked ? 'blocked' : 'failed', text, totalMs, unsure: false, offers, neverLeaveMachine,
      error: { code: pe?.code ?? 'internal', message, retryAfterMs: pe?.options.retryAfterMs },
    };
  }
}

/** The other route, when it is allowed: a local answer can go to the cloud, a cloud one (or failure) can stay local. */
function offersFor(d: RouteDecision): TaskResult['offers'] {
  const offers: TaskResult['offers'] = {};
  if (d.target !== 'cloud' && d.cloud.allowed) offers.askCloud = { estimatedCostUsd: d.cloud.estimatedCostUsd };
  if (d.target !== 'local' && d.local.allowed) offers.keepLocal = true;
  return offers;
}

/** The next step an unsure local answer offers when the cloud cannot take it: set a key, or the reason. */
function withUnsureNextStep(offers: TaskResult['offers'], input: RouteInput): TaskResult['offers'] {
  if (offers.askCloud) return offers;
  const cloud = route({ ...input, override: 'cloud' }).cloud;
  if (!input.cloud.keyConfigured && route({ ...input, override: 'cloud', cloud: { ...input.cloud, keyConfigured: true } }).cloud.allowed) {
    return { ...offers, setKey: true };
  }
  return { ...offers, cloudWhyNot: cloud.why ?? 'the cloud cannot take this request' };
}
