import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Import layers (checked by @typescript-eslint/no-restricted-imports, type imports included):
//   src/vscode, src/extension.ts  -> anything
//   src/core/**/node/**            -> browser-safe core, Node built-ins, npm packages
//   src/core (browser-safe)        -> browser-safe core, npm packages
//   media/** (webview pages)       -> browser-safe core, npm packages
const noVscode = { name: 'vscode', message: 'Only src/vscode/ and src/extension.ts import vscode; translate in an adapter.' };
const noAdapters = {
  regex: '^(\\.\\.?/)+(.*/)?vscode(/|$)',
  message: 'src/core must not import from src/vscode/ (the adapters depend on core, not the reverse).',
};
const noNodeBuiltins = {
  regex: '^(node:|(assert|buffer|child_process|crypto|dns|events|fs|http|https|net|os|path|readline|stream|tls|url|util|worker_threads|zlib)(/.*)?$)',
  message: 'Browser-safe code must not use Node built-ins; put this in a node/ folder of its area.',
};
// Node's globals, which no import rule sees.
const nodeGlobals = ['Buffer', 'process', 'require', '__dirname', '__filename', 'global', 'setImmediate']
  .map((name) => ({ name, message: 'Browser-safe code must not use Node globals; put this in a node/ folder of its area.' }));
const noNodePart = {
  regex: '(^|/)node(/|$)',
  message: 'Browser-safe code must not import from a node/ folder (Node-only code).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'bench-results/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Only the adapters talk to the editor: src/vscode/** and src/extension.ts.
    files: ['src/**/*.ts', 'media/**/*.ts'],
    ignores: ['src/vscode/**', 'src/extension.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode], patterns: [] }] },
  },
  {
    // core/ is plain TypeScript: it must run (and be tested) without an editor, and never reaches up
    // into the adapters.
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode], patterns: [noAdapters] }],
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.name='require'][arguments.0.value='vscode']",
        message: 'src/core must not require vscode.',
      }],
    },
  },
  {
    // Browser-safe core (everything outside a node/ folder) runs in the webview pages too: no Node
    // built-ins and nothing from a node/ folder. Node-only code goes in <area>/node/, which may
    // import browser-safe core but not the other way round.
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/node/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [noVscode], patterns: [noAdapters, noNodeBuiltins, noNodePart] }],
      'no-restricted-globals': ['error', ...nodeGlobals],
    },
  },
  {
    // The webview pages run in a browser: they may import browser-safe core only.
    files: ['media/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [noNodeBuiltins, noNodePart, {
          regex: '(^|/)src/(vscode|engine|extension)(/|\\.ts|$)',
          message: 'A webview page may import browser-safe src/core only, not the extension side.',
        }],
      }],
    },
  },
  {
    files: ['media/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-globals': ['error', ...nodeGlobals] },
  },
);
