import type { EndpointClass } from '../types';

/** What the current workspace allows to leave the machine, and why. */
export interface PrivacyPolicy {
  /** Classes of endpoint that requests may reach. Never-leave-machine: only `machine`. */
  allowed: readonly EndpointClass[];
  /** Plain words for the status bar and log, e.g. "never-leave-machine (.switchyard marker)". */
  reason: string;
  neverLeaveMachine: boolean;
}

export const NEVER_LEAVE_MACHINE: readonly EndpointClass[] = ['machine'];
export const ALL_CLASSES: readonly EndpointClass[] = ['machine', 'network', 'cloud'];

/** The policy used whenever the real one cannot be determined: fail closed. */
export function failClosedPolicy(why: string): PrivacyPolicy {
  return { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: `never-leave-machine (fail-closed: ${why})` };
}
