// The HTML shell every panel uses: a strict Content-Security-Policy with a per-load nonce, one script and one
// stylesheet from dist/ and media/, nothing inline.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export type PanelKind = 'analysis' | 'compare';

export const PANEL_TESTIDS: Record<PanelKind, string> = {
  analysis: 'analysis-panel',
  compare: 'compare-panel',
};

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: PanelKind, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${esc(title)}</title>
</head>
<body>
<main id="root" data-kind="${kind}" data-testid="${PANEL_TESTIDS[kind]}"><p class="busy">Analysing…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
