// esbuild bundles CSS imported by the webview entry into dist/webview/<name>.css.
declare module '*.css';
