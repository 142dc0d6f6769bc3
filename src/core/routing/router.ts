// The router: decides, for one request, whether it runs on the local model, in the cloud, or not at all,
// and says why in plain words. Pure: every input is passed in, so a test can drive every decision.
import { UNPRICED_MODEL_PRICE } from '../cost/prices';
import { formatUsd } from '../cost/usd';
import type { PrivacyPolicy } from '../privacy/policy';
import type { RoutingMode, RoutingSettings } from '../settings/routing';
import { CLOUD_PROVIDER_NAMES, isCloudProvider, type BudgetState, type CloudProviderId, type EndpointClass, type LocalProviderId, type ProviderId, type RequestKind, type Route, type TokenUsage } from '../types';

export type Override = 'local' | 'cloud';

export type PriceFn = (provider: ProviderId, model: string, usage: TokenUsage) => number | undefined;

export interface RouteInput {
  kind: RequestKind;
  /** Estimated prompt tokens (gpt-tokenizer). */
  promptTokens: number;
  /** Expected answer tokens, for the cost estimate. */
  expectedOutputTokens: number;
  selectionLines: number;
  files: number;
  privacy: Pick<PrivacyPolicy, 'allowed' | 'neverLeaveMachine' | 'reason'>;
  /** Some of the content comes from a file excluded by the privacy settings. */
  excludedContent: boolean;
  /** What the secret scan found (the detector rules, never the values) and what the settings say to do about it. */
  secrets: { found: boolean; handling: 'keep-local' | 'redact'; rules?: readonly string[] };
  budget: BudgetState;
  local: { provider: LocalProviderId; model: string; endpointClass: EndpointClass; /** undefined: not checked yet. */ healthy: boolean | undefined };
  cloud: { provider: CloudProviderId; model: string; endpointClass: EndpointClass; keyConfigured: boolean };
  /** The team server, when one is configured (switchyard.team.url). */
  team?: TeamInput;
  mode: RoutingMode;
  override?: Override;
  /** Says why an override was set when the user did not set it (an automatic escalation). */
  overrideWhy?: string;
  settings: Pick<RoutingSettings, 'targets' | 'askLocalMaxTokens' | 'askLocalMaxLines'>;
  price: PriceFn;
  /** Whether `price` stood in a conservative assumed price for this model (it has no known price). */
  priceAssumed?: (provider: ProviderId, model: string) => boolean;
}

export interface TeamInput {
  model: string;
  /** `network` for a trusted host (never `machine`: the server is shared), `cloud` otherwise. */
  endpointClass: EndpointClass;
  /** undefined: not checked yet. */
  healthy: boolean | undefined;
  /** Why it cannot take requests right now although it is up, e.g. it asked to wait (Retry-After). */
  busy?: string;
}

/** Where a request runs: this machine's model server, the team's shared server, or a cloud provider. */
export type Tier = 'machine' | 'team' | 'cloud';

export function tierOf(provider: ProviderId): Tier {
  return provider === 'team' ? 'team' : isCloudProvider(provider) ? 'cloud' : 'machine';
}

export interface Alternative {
  allowed: boolean;
  /** Why not, when not allowed. */
  why?: string;
  estimatedCostUsd?: number;
  /** The estimate is at a conservative assumed price: the model has no known price. */
  priceAssumed?: true;
}

export interface RouteDecision {
  target: Route;
  /** The provider that serves the request; for a block, the one that would have. */
  provider: ProviderId;
  model: string;
  endpointClass: EndpointClass;
  /** The tier that serves it (for a block, the one that would have). */
  tier: Tier;
  estimated: TokenUsage;
  /** USD for the chosen route (local runs cost the configured local rate); undefined when unknown. */
  estimatedCostUsd?: number;
  /** The cloud estimate is at a conservative assumed price (the model has no known price). */
  priceAssumed?: true;
  reasons: string[];
  /** Could the same request run in the cloud / locally instead? Drives "Ask the cloud instead" and "Keep it local". */
  cloud: Alternative;
  local: Alternative;
}

const KIND_WORDS: Record<RequestKind, string> = {
  completion: 'completions',
  ask: 'ask',
  refactor: 'refactor',
  architecture: 'explain-architecture',
};

const PROVIDER_NAMES: Record<ProviderId, string> = {
  ollama: 'Ollama',
  'openai-compatible': 'the local OpenAI-compatible server',
  embedded: 'the embedded engine',
  team: 'the team server',
  ...CLOUD_PROVIDER_NAMES,
};

export function providerName(p: ProviderId): string {
  return PROVIDER_NAMES[p];
}

/** Why the cloud cannot take this request, or undefined when it can. Order: privacy first, then money. */
function cloudBlocker(i: RouteInput): string | undefined {
  if (i.privacy.neverLeaveMachine) return 'never-leave-machine workspace';
  // A cloud provider's API is the cloud wherever its base URL points (a local gateway forwards the
  // bytes), as the egress gate holds: routing there would only end in a refusal instead of a local answer.
  if (!i.privacy.allowed.includes('cloud')) return `cloud endpoints are not allowed (${i.privacy.reason})`;
  if (!i.privacy.allowed.includes(i.cloud.endpointClass)) return `${i.cloud.endpointClass} endpoints are not allowed (${i.privacy.reason})`;
  if (i.excludedContent) return 'the request involves a file excluded by switchyard.privacy.exclude';
  if (i.secrets.found && i.secrets.handling === 'keep-local') return `the prompt contains what looks like a secret${ruleWords(i.secrets.rules)}`;
  if (!i.cloud.keyConfigured) return `no ${providerName(i.cloud.provider)} API key is set (Switchyard: Set Cloud API Key)`;
  if (i.budget.exceeded) return budgetWords(i.budget);
  return undefined;
}

/** Which detector rules fired, e.g. " (rule aws-access-key)": says why without repeating the secret. */
function ruleWords(rules: readonly string[] | undefined): string {
  const unique = [...new Set(rules ?? [])];
  if (unique.length === 0) return '';
  const more = unique.length > 3 ? ` and ${unique.length - 3} more` : '';
  return ` (rule${unique.length > 1 ? 's' : ''} ${unique.slice(0, 3).join(', ')}${more})`;
}

function assumedPriceWords(): string {
  return `$${UNPRICED_MODEL_PRICE.input} / $${UNPRICED_MODEL_PRICE.output} per million input / output tokens`;
}

function budgetWords(b: BudgetState): string {
  if (b.dailyCapUsd > 0 && b.dailySpentUsd >= b.dailyCapUsd) return `daily budget of ${formatUsd(b.dailyCapUsd)} reached`;
  if (b.monthlyCapUsd > 0 && b.monthlySpentUsd >= b.monthlyCapUsd) return `monthly budget of ${formatUsd(b.monthlyCapUsd)} reached`;
  return 'cloud budget reached';
}

/** Why the local model cannot take this request, or undefined when it can (or might: health unknown). */
function localBlocker(i: RouteInput): string | undefined {
  if (!i.privacy.allowed.includes(i.local.endpointClass)) {
    return `the local server is a ${i.local.endpointClass} endpoint, not allowed in this workspace (${i.privacy.reason})`;
  }
  if (i.local.healthy === false) return 'local model unreachable';
  return undefined;
}

/** Why the team server cannot take this request, or undefined when it can (or might: health unknown). */
function teamBlocker(i: RouteInput): string | undefined {
  if (!i.team) return 'no team server is set (switchyard.team.url)';
  if (i.privacy.neverLeaveMachine) return 'the team server is another machine and this workspace never leaves the machine';
  // Code goes to the team server without the cloud's checks (secret scan, exclusions, budget): only to a host the user trusts.
  if (i.team.endpointClass !== 'network') return 'the team server is not a trusted network host (add it to switchyard.privacy.trustedNetworkHosts)';
  if (!i.privacy.allowed.includes('network')) return `the team server is a network endpoint, not allowed in this workspace (${i.privacy.reason})`;
  if (i.team.healthy === false) return 'the team server is unreachable';
  if (i.team.busy) return i.team.busy;
  return undefined;
}

/** Where the request would go if nothing stood in the way, and why. */
function preference(i: RouteInput): { want: Override; why: string } {
  if (i.override === 'local') return { want: 'local', why: i.overrideWhy ?? 'you asked to keep it local' };
  if (i.override === 'cloud') return { want: 'cloud', why: i.overrideWhy ?? 'you asked for the cloud' };
  if (i.kind === 'completion') return { want: 'local', why: 'completions stay local' };
  if (i.mode === 'local-only') return { want: 'local', why: 'routing mode is local-only' };
  if (i.mode === 'cloud-preferred') return { want: 'cloud', why: 'routing mode prefers the cloud' };
  const kind = KIND_WORDS[i.kind];
  const target = i.settings.targets[i.kind];
  if (i.kind === 'ask' && target === 'local') {
    if (i.promptTokens > i.settings.askLocalMaxTokens) {
      return { want: 'cloud', why: `ask is large (${i.promptTokens} tokens > ${i.settings.askLocalMaxTokens}), so it goes to the cloud` };
    }
    if (i.files > 1) return { want: 'cloud', why: `ask spans ${i.files} files, so it goes to the cloud` };
    if (i.selectionLines > i.settings.askLocalMaxLines) {
      return { want: 'cloud', why: `ask covers ${i.selectionLines} lines (> ${i.settings.askLocalMaxLines}), so it goes to the cloud` };
    }
    return { want: 'local', why: `ask is small (${i.promptTokens} tokens), so it stays local` };
  }
  return { want: target, why: target === 'cloud' ? `${kind} goes to the cloud by default` : `${kind} stays local by default` };
}

export function route(i: RouteInput): RouteDecision {
  const estimated: TokenUsage = { promptTokens: i.promptTokens, completionTokens: i.expectedOutputTokens };
  const cloudCost = i.price(i.cloud.provider, i.cloud.model, estimated);
  const localCost = i.price(i.local.provider, i.local.model, estimated);
  const cloudWhyNot = i.kind === 'completion' ? 'completions stay local' : cloudBlocker(i);
  const localWhyNot = localBlocker(i);
  const cloudAssumed = cloudCost !== undefined && i.priceAssumed?.(i.cloud.provider, i.cloud.model) === true;
  const cloudAlt: Alternative = { allowed: !cloudWhyNot, why: cloudWhyNot, estimatedCostUsd: cloudCost, ...(cloudAssumed ? { priceAssumed: true } : {}) };
  const localAlt: Alternative = { allowed: !localWhyNot, why: localWhyNot, estimatedCostUsd: localCost };

  const teamWhyNot = teamBlocker(i);
  const toLocal = (reasons: string[]): RouteDecision => ({
    target: 'local', provider: i.local.provider, model: i.local.model, endpointClass: i.local.endpointClass, tier: 'machine',
    estimated, estimatedCostUsd: localCost, reasons, cloud: cloudAlt, local: localAlt,
  });
  // The team tier runs "locally" as far as the cloud is concerned (route 'local', no cloud spend).
  const toTeam = (reasons: string[]): RouteDecision => ({
    target: 'local', provider: 'team', model: i.team!.model, endpointClass: i.team!.endpointClass, tier: 'team',
    estimated, estimatedCostUsd: i.price('team', i.team!.model, estimated), reasons, cloud: cloudAlt, local: { allowed: true },
  });
  const toCloud = (reasons: string[]): RouteDecision => {
    const extra: string[] = [];
    if (i.secrets.found && i.secrets.handling === 'redact') extra.push(`secrets redacted before sending${ruleWords(i.secrets.rules)}`);
    if (cloudAssumed) extra.push(`no known price for ${i.cloud.model}: the estimate assumes ${assumedPriceWords()} (Switchyard: Set a Model Price)`);
    if (i.budget.warning) extra.push(`budget warning: ${formatUsd(i.budget.dailySpentUsd)} spent today, ${formatUsd(i.budget.monthlySpentUsd)} this month`);
    return {
      target: 'cloud', provider: i.cloud.provider, model: i.cloud.model, endpointClass: i.cloud.endpointClass, tier: 'cloud',
      estimated, estimatedCostUsd: cloudCost, ...(cloudAssumed ? { priceAssumed: true as const } : {}),
      reasons: [...reasons, ...extra], cloud: cloudAlt, local: localAlt,
    };
  };
  const blocked = (onCloud: boolean, reasons: string[]): RouteDecision => ({
    ...(onCloud ? toCloud([]) : toLocal([])), target: 'blocked', estimatedCostUsd: undefined, priceAssumed: undefined, reasons,
  });

  const { want, why } = preference(i);

  if (want === 'cloud') {
    if (!cloudWhyNot) return toCloud([why]);
    // An explicit request for the cloud is answered as asked or not at all: no quiet substitute.
    if (i.override === 'cloud') return blocked(true, [`blocked: the cloud is not available: ${cloudWhyNot} (you asked for the cloud)`]);
    // The team server is the closest to the cloud's strength that the workspace allows.
    if (i.team && !teamWhyNot && i.kind !== 'completion') return toTeam([why, `kept on the team server: ${cloudWhyNot}`]);
    if (!localWhyNot) return toLocal([why, `kept local: ${cloudWhyNot}`]);
    return blocked(false, [why, `blocked: ${cloudWhyNot} and ${localWhyNot}`]);
  }

  if (!localWhyNot) return toLocal([why]);
  // Machine tier unavailable: the team server next, before anything reaches the cloud.
  if (i.team && !teamWhyNot) return toTeam([why, `${localWhyNot}: using the team server (${i.privacy.reason})`]);
  if (i.team && i.override !== 'local') {
    const both = `${localWhyNot}, and ${teamWhyNot}`;
    if (i.local.healthy !== false) return blocked(false, [why, `blocked: ${both}`]);
    if (i.privacy.neverLeaveMachine) return blocked(false, [why, `blocked: ${both}; this workspace never leaves the machine`]);
    if (i.mode === 'local-only') return blocked(false, [why, `blocked: ${both}; routing mode is local-only`]);
    if (!cloudWhyNot) return toCloud([why, `${both}: using the cloud (allowed in this workspace)`]);
    return blocked(false, [why, `blocked: ${both}; the cloud is not available: ${cloudWhyNot}`]);
  }
  if (i.local.healthy !== false) return blocked(false, [why, `blocked: ${localWhyNot}`]); // the local server's address is not allowed
  // The local model is down. Every reason to stay local comes before the cloud fallback (completions
  // and never-leave-machine workspaces already have a cloudWhyNot).
  if (i.privacy.neverLeaveMachine) return blocked(false, [why, `blocked: ${localWhyNot} and this workspace never leaves the machine`]);
  if (i.override === 'local') return blocked(false, [`blocked: ${localWhyNot} (you asked to keep it local)`]);
  if (i.mode === 'local-only') return blocked(false, [why, `blocked: ${localWhyNot} and routing mode is local-only`]);
  if (!cloudWhyNot) return toCloud([why, `${localWhyNot}, using the cloud (allowed in this workspace)`]);
  return blocked(false, [why, `blocked: ${localWhyNot} and the cloud is not available: ${cloudWhyNot}`]);
}
