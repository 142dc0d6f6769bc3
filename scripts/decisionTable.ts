// The router's decision table: one row per situation, computed by the router itself (not written by
// hand), so the table in the README is what the code does. Printed by scripts/printDecisionTable.ts (npm run decision-table).
import { ALL_CLASSES, NEVER_LEAVE_MACHINE } from '../src/core/privacy/policy';
import { DEFAULT_TARGETS } from '../src/core/settings/routing';
import { formatUsd } from '../src/core/cost/usd';
import { route, type RouteDecision, type RouteInput } from '../src/core/routing/router';

/** Illustrative prices (USD per million tokens) so the table shows estimates; the extension uses the bundled table. */
const PRICES: Record<string, { in: number; out: number }> = { 'gpt-4.1-mini': { in: 0.4, out: 1.6 }, 'claude-sonnet-4-6': { in: 3, out: 15 } };

/** A typical request: a 40-line "ask" in a hybrid workspace with everything healthy and configured. */
export function baseInput(): RouteInput {
  return {
    kind: 'ask',
    promptTokens: 600,
    expectedOutputTokens: 400,
    selectionLines: 40,
    files: 1,
    privacy: { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'hybrid' },
    excludedContent: false,
    secrets: { found: false, handling: 'keep-local' },
    budget: { dailySpentUsd: 0.4, monthlySpentUsd: 3, dailyCapUsd: 2, monthlyCapUsd: 20, exceeded: false, warning: false },
    local: { provider: 'ollama', model: 'qwen2.5-coder:7b-instruct', endpointClass: 'machine', healthy: true },
    cloud: { provider: 'openai', model: 'gpt-4.1-mini', endpointClass: 'cloud', keyConfigured: true },
    mode: 'hybrid',
    settings: { targets: { ...DEFAULT_TARGETS }, askLocalMaxTokens: 2000, askLocalMaxLines: 150 },
    price: (provider, model, u) => {
      if (provider !== 'openai' && provider !== 'anthropic') return 0;
      const p = PRICES[model];
      return p ? (u.promptTokens * p.in + u.completionTokens * p.out) / 1e6 : undefined;
    },
  };
}

export interface Scenario {
  situation: string;
  change: (i: RouteInput) => void;
}

const nlm = (i: RouteInput) => { i.privacy = { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: 'never-leave-machine (setting)' }; };
const down = (i: RouteInput) => { i.local.healthy = false; };
const big = (i: RouteInput) => { i.promptTokens = 5200; i.selectionLines = 400; };
const team = (i: RouteInput) => { i.team = { model: 'Qwen/Qwen2.5-Coder-32B-Instruct', endpointClass: 'network', healthy: true }; };
const networkOnly = (i: RouteInput) => { i.privacy = { allowed: ['machine', 'network'], neverLeaveMachine: false, reason: 'network-only (.switchyard): the team server, never the cloud' }; };

export const SCENARIOS: readonly Scenario[] = [
  { situation: 'completion', change: (i) => { i.kind = 'completion'; } },
  { situation: 'ask, small', change: () => undefined },
  { situation: 'ask, large prompt (5200 tokens)', change: big },
  { situation: 'ask, 400 selected lines', change: (i) => { i.selectionLines = 400; } },
  { situation: 'ask, 3 files', change: (i) => { i.files = 3; } },
  { situation: 'refactor', change: (i) => { i.kind = 'refactor'; } },
  { situation: 'explain-architecture', change: (i) => { i.kind = 'architecture'; i.promptTokens = 7000; i.expectedOutputTokens = 1500; } },
  { situation: 'refactor, per-kind target local', change: (i) => { i.kind = 'refactor'; i.settings.targets.refactor = 'local'; } },
  { situation: 'refactor, never-leave-machine', change: (i) => { i.kind = 'refactor'; nlm(i); } },
  { situation: 'refactor, untrusted workspace (no cloud class)', change: (i) => { i.kind = 'refactor'; i.privacy = { allowed: ['machine', 'network'], neverLeaveMachine: false, reason: 'local-only (untrusted workspace)' }; } },
  { situation: 'refactor, excluded file involved', change: (i) => { i.kind = 'refactor'; i.excludedContent = true; } },
  { situation: 'refactor, secret in prompt (keep-local)', change: (i) => { i.kind = 'refactor'; i.secrets.found = true; } },
  { situation: 'refactor, secret in prompt (redact)', change: (i) => { i.kind = 'refactor'; i.secrets = { found: true, handling: 'redact' }; } },
  { situation: 'refactor, no cloud key', change: (i) => { i.kind = 'refactor'; i.cloud.keyConfigured = false; } },
  { situation: 'refactor, daily budget reached', change: (i) => { i.kind = 'refactor'; i.budget = { ...i.budget, dailySpentUsd: 2, exceeded: true }; } },
  { situation: 'refactor, monthly budget reached', change: (i) => { i.kind = 'refactor'; i.budget = { ...i.budget, monthlySpentUsd: 20, exceeded: true }; } },
  { situation: 'refactor, budget warning', change: (i) => { i.kind = 'refactor'; i.budget = { ...i.budget, dailySpentUsd: 1.7, warning: true }; } },
  { situation: 'ask, local down', change: down },
  { situation: 'ask, local down, never-leave-machine', change: (i) => { down(i); nlm(i); } },
  { situation: 'ask, local down, no cloud key', change: (i) => { down(i); i.cloud.keyConfigured = false; } },
  { situation: 'refactor, local down, budget reached', change: (i) => { i.kind = 'refactor'; down(i); i.budget = { ...i.budget, dailySpentUsd: 2, exceeded: true }; } },
  { situation: 'ask, local server on the network, never-leave-machine', change: (i) => { i.local.endpointClass = 'network'; nlm(i); } },
  { situation: 'mode local-only, refactor', change: (i) => { i.kind = 'refactor'; i.mode = 'local-only'; } },
  { situation: 'mode local-only, local down', change: (i) => { i.mode = 'local-only'; down(i); } },
  { situation: 'mode cloud-preferred, ask', change: (i) => { i.mode = 'cloud-preferred'; } },
  { situation: 'mode cloud-preferred, never-leave-machine', change: (i) => { i.mode = 'cloud-preferred'; nlm(i); } },
  { situation: 'override: force local, refactor', change: (i) => { i.kind = 'refactor'; i.override = 'local'; } },
  { situation: 'override: force local, local down', change: (i) => { i.override = 'local'; down(i); } },
  { situation: 'override: force cloud, ask', change: (i) => { i.override = 'cloud'; } },
  { situation: 'override: force cloud, never-leave-machine', change: (i) => { i.override = 'cloud'; nlm(i); } },
  { situation: 'override: force cloud, budget reached', change: (i) => { i.override = 'cloud'; i.budget = { ...i.budget, dailySpentUsd: 2, exceeded: true }; } },
  { situation: 'team server: ask, local down', change: (i) => { team(i); down(i); } },
  { situation: 'team server: ask, local down, never-leave-machine', change: (i) => { team(i); down(i); nlm(i); } },
  { situation: 'team server: refactor, network-only workspace', change: (i) => { team(i); networkOnly(i); i.kind = 'refactor'; } },
  { situation: 'team server: refactor, network-only workspace, team down', change: (i) => { team(i); networkOnly(i); i.kind = 'refactor'; i.team!.healthy = false; } },
  { situation: 'team server: ask, network-only workspace, local and team down', change: (i) => { team(i); networkOnly(i); down(i); i.team!.healthy = false; } },
  { situation: 'team server: ask, local down, team busy (Retry-After)', change: (i) => { team(i); down(i); i.team!.busy = 'the team server asked to wait 5 s (Retry-After)'; } },
  { situation: 'team server: ask, local down, team host not trusted', change: (i) => { team(i); down(i); networkOnly(i); i.team!.endpointClass = 'cloud'; } },
  { situation: 'team server: ask, local down, team host not trusted, hybrid', change: (i) => { team(i); down(i); i.team!.endpointClass = 'cloud'; } },
  { situation: 'team server: refactor, hybrid workspace (cloud allowed)', change: (i) => { team(i); i.kind = 'refactor'; } },
  { situation: 'Anthropic as the cloud provider, refactor', change: (i) => { i.kind = 'refactor'; i.cloud = { provider: 'anthropic', model: 'claude-sonnet-4-6', endpointClass: 'cloud', keyConfigured: true }; } },
];

export function decide(s: Scenario): RouteDecision {
  const input = baseInput();
  s.change(input);
  return route(input);
}

/** The table as Markdown: situation, target, provider/model, estimated cost, reasons. */
export function renderDecisionTable(): string {
  const rows = SCENARIOS.map((s) => {
    const d = decide(s);
    const cost = d.estimatedCostUsd === undefined ? '-' : formatUsd(d.estimatedCostUsd);
    return `| ${s.situation} | **${d.target}** | ${d.provider}/${d.model} | ${cost} | ${d.reasons.join('; ')} |`;
  });
  return ['| Situation | Route | Provider/model | Est. cost | Reasons shown |', '|---|---|---|---|---|', ...rows].join('\n');
}
