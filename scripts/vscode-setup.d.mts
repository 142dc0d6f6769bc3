// Types for scripts/vscode-setup.mjs, so the TypeScript test harnesses can import it.
export const CODE_SERVER_VERSION: string;
export const NODE_MAJOR: string;
export interface VsCodePaths {
  root: string;
  nodeDir: string;
  nodeBin: string;
  codeServerEntry: string;
  csDir: string;
  chromium: string;
}
export function cacheRoot(): string;
export function paths(): VsCodePaths;
export function ensureVsCodeDeps(opts?: { chromium?: boolean }): VsCodePaths;
