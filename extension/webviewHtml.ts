/**
 * The screen webview's HTML: a strict Content Security Policy with a per-load nonce, scripts and
 * styles only from the extension's own dist/ and media/ folders, no remote content.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export function screenHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'screen.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}" nonce="${nonce}">
<title>${esc(title)}</title>
</head>
<body data-state="off">
<div id="toolbar" role="toolbar" aria-label="Machine">
  <vscode-button id="boot" data-action="boot">Boot</vscode-button>
  <vscode-button id="pause" data-action="pause" secondary>Pause</vscode-button>
  <vscode-button data-action="reset" secondary>Reset</vscode-button>
  <vscode-button data-action="ctrlAltDel" secondary title="Send Ctrl+Alt+Del to the guest">Ctrl+Alt+Del</vscode-button>
  <vscode-button data-action="paste" secondary title="Type the clipboard's text into the guest">Paste as typing</vscode-button>
  <vscode-button data-action="screenshot" secondary title="Save the screen as a PNG file">Screenshot</vscode-button>
  <vscode-button data-action="powerOff" secondary>Power off</vscode-button>
  <vscode-single-select id="speed" aria-label="Speed">
    <vscode-option value="max">Flat out</vscode-option>
    <vscode-option value="486-33">486DX-33</vscode-option>
    <vscode-option value="386-25">386DX-25</vscode-option>
  </vscode-single-select>
</div>
<div id="error" role="alert" hidden></div>
<div id="notice" role="status" hidden></div>
<section id="image">
  <h2>${esc(title)}</h2>
  <table id="meta" aria-label="Image metadata"></table>
  <div id="warnings"></div>
</section>
<div id="screen-box"><canvas id="screen" tabindex="0" width="640" height="400" aria-label="Guest screen"></canvas></div>
<pre id="screen-text" class="visually-hidden" aria-live="off"></pre>
<div id="hint"></div>
<div id="status" role="status">Powered off</div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
