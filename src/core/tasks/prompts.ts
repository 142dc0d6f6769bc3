// Prompt builders for the three commands, and the parsing of what comes back. Plain strings in,
// chat messages out, so each can be tested on its own.
import type { ChatMessage } from '../providers/types';

export interface SelectionContext {
  /** Workspace-relative path, for the model's orientation (never an absolute path). */
  path: string;
  languageId: string;
  /** 1-based first and last line of the selection. */
  startLine: number;
  endLine: number;
  text: string;
}

/** A fence that cannot be closed by anything inside `text`. */
export function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function codeBlock(sel: SelectionContext): string {
  const fence = fenceFor(sel.text);
  return `${fence}${sel.languageId}\n${sel.text}\n${fence}`;
}

function where(sel: SelectionContext): string {
  return `${sel.path} (${sel.languageId}), lines ${sel.startLine}-${sel.endLine}`;
}

export function buildAskPrompt(sel: SelectionContext, question: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: 'You are a precise coding assistant. Answer the question about the selected code concisely in Markdown. '
        + 'Put code in fenced blocks with a language tag. If you are unsure, say so plainly.',
    },
    { role: 'user', content: `Selected code from ${where(sel)}:\n\n${codeBlock(sel)}\n\nQuestion: ${question.trim()}` },
  ];
}

/** Common refactors offered in the quick pick; the instruction is what the model is told. */
export const COMMON_REFACTORS: readonly { label: string; instruction: string }[] = [
  { label: 'Simplify', instruction: 'Simplify this code without changing its behaviour.' },
  { label: 'Extract function', instruction: 'Extract the core logic into a well-named function and call it.' },
  { label: 'Improve names', instruction: 'Rename variables and functions for clarity; keep the public names used elsewhere unchanged.' },
  { label: 'Add types', instruction: 'Add precise type annotations where they are missing.' },
  { label: 'Convert to async/await', instruction: 'Convert promise chains or callbacks to async/await.' },
  { label: 'Add error handling', instruction: 'Add error handling for the failure cases this code ignores.' },
  { label: 'Add doc comments', instruction: 'Add concise doc comments that explain why, not what.' },
];

export function buildRefactorPrompt(sel: SelectionContext, instruction: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: 'You rewrite code as asked. Reply with ONLY the complete rewritten code for the selection, in one fenced '
        + 'code block, and nothing else. Keep the original indentation and style. Do not change behaviour beyond the request.',
    },
    { role: 'user', content: `Rewrite this code from ${where(sel)}.\nRequest: ${instruction.trim()}\n\n${codeBlock(sel)}` },
  ];
}

/**
 * The code in a refactor answer: the first fenced block, or the whole answer when there is no fence.
 * Keeps the selection's trailing newline convention so the diff shows only real changes.
 */
export function extractCode(answer: string, original: string): string {
  const fence = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n\1\s*$/m.exec(answer) ?? /^(`{3,}|~{3,})[^\n]*\n([\s\S]*)$/m.exec(answer);
  let code = fence ? fence[2] : answer.trim();
  const endsWithNewline = original.endsWith('\n');
  code = code.replace(/\n+$/, '');
  return endsWithNewline ? `${code}\n` : code;
}

export function buildArchitecturePrompt(overview: string, workspaceName: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: 'You explain software architecture to a developer new to the codebase. Using only the overview given, '
        + 'describe in Markdown: the purpose, the main components and how they depend on each other, the entry points, '
        + 'the data flow, and where to start reading. Link every file you mention with a relative Markdown link, '
        + 'e.g. [src/main.ts](src/main.ts). Do not invent files that are not in the overview.',
    },
    { role: 'user', content: `Workspace "${workspaceName}":\n\n${overview}` },
  ];
}

/** Everything in the prompt, for token estimates and secret scanning. */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => m.content).join('\n\n');
}
