// Bundles the extension (Node, CommonJS) and the webview front ends (browser, IIFE) into dist/.
//   node esbuild.mjs               development build with sourcemaps
//   node esbuild.mjs --production  minified, for packaging
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// Extra Node entry points that run outside the extension host bundle (e.g. child processes).
const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension' },
  { in: 'src/engine/worker.ts', out: 'engine/worker' },
].filter((e) => existsSync(e.in));

// Every media/<name>/main.ts is a webview front end, bundled to dist/webview/<name>.js.
const webviewEntries = existsSync('media')
  ? readdirSync('media', { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join('media', d.name, 'main.ts')))
      .map((d) => ({ in: join('media', d.name, 'main.ts'), out: d.name }))
  : [];

// Heavy libraries that are only needed once a request needs them (a tokenizer count, a cloud
// request, a secret scan). Each is bundled into its own dist/vendor/<name>.js and required on first
// use, so the extension's own bundle - parsed on every activation - stays small.
const lazyVendors = {
  'openai': 'openai',
  '@anthropic-ai/sdk': 'anthropic-sdk',
  'gpt-tokenizer/encoding/o200k_base': 'gpt-tokenizer-o200k',
  '@secretlint/core': 'secretlint-core',
  '@secretlint/secretlint-rule-preset-recommend': 'secretlint-preset-recommend',
  'undici': 'undici',
};

// Switchyard's own modules that wrap a heavy library (the OpenTelemetry SDK for the usage export),
// bundled and loaded the same way: source file -> dist/vendor/<name>.js.
const lazyModules = {
  'src/core/telemetry/otelSdk.ts': 'otel',
};

/** Resolves imports of the lazy vendors to their separate files, relative to dist/extension.js. */
const lazyVendorPlugin = {
  name: 'lazy-vendors',
  setup(build) {
    const names = Object.keys(lazyVendors).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({
      path: `./vendor/${lazyVendors[args.path]}.js`,
      external: true,
    }));
    for (const [file, out] of Object.entries(lazyModules)) {
      const source = resolve(file.replace(/\.ts$/, ''));
      const base = source.split(/[\\/]/).pop();
      build.onResolve({ filter: new RegExp(`[\\\\/]${base}$`) }, (args) =>
        (resolve(args.resolveDir, args.path) === source ? { path: `./vendor/${out}.js`, external: true } : undefined));
    }
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  legalComments: production ? 'none' : 'inline',
};

const contexts = [
  await esbuild.context({
    ...common,
    entryPoints: nodeEntries,
    outdir: 'dist',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // node-llama-cpp ships native binaries and must be loaded with import() at run time.
    external: ['vscode', 'node-llama-cpp'],
    plugins: [lazyVendorPlugin],
  }),
  await esbuild.context({
    ...common,
    entryPoints: [...Object.entries(lazyVendors), ...Object.entries(lazyModules)].map(([pkg, out]) => ({ in: pkg, out })),
    outdir: 'dist/vendor',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
  }),
];
if (webviewEntries.length > 0) {
  contexts.push(await esbuild.context({
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    loader: { '.css': 'css', '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
  }));
}

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
