import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** Folder of the built front end (dist/webview): `<name>.js` and `<name>.css` are loaded from it. */
  root: vscode.Uri;
  /** Base name of the bundle, e.g. `dashboard` or `answer`. */
  name: string;
  title: string;
  /** Static markup of the body (no user content: that arrives later by message). */
  body: string;
}

/**
 * The HTML shell every Switchyard webview uses. Nothing remote can load or leave: `default-src 'none'`,
 * scripts only with a fresh CSPRNG nonce, styles/fonts/images only from the extension's own files
 * (img-src has no https:, so model output cannot smuggle data out through an image URL), no fetch,
 * frames, forms or base URL.
 */
export function webviewHtml(webview: vscode.Webview, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const src = webview.cspSource;
  const script = webview.asWebviewUri(vscode.Uri.joinPath(page.root, `${page.name}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(page.root, `${page.name}.css`));
  const csp = [
    "default-src 'none'",
    `style-src ${src}`,
    `font-src ${src}`,
    `img-src ${src} data:`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${page.title}</title>
</head>
<body>
${page.body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
