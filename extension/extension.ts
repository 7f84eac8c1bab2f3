/**
 * Extension entry point: the disk image editor, the `win31` debugger, and the overlay commands.
 */
import * as vscode from 'vscode';
import { registerDebugging } from './debugSetup.js';
import { ImageEditorProvider, IMAGE_EDITOR_VIEW_TYPE } from './imageEditor.js';
import { registerOverlayCommands } from './overlayCommands.js';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Win31');
  const editors = new ImageEditorProvider(context, log);
  context.subscriptions.push(
    log,
    vscode.window.registerCustomEditorProvider(IMAGE_EDITOR_VIEW_TYPE, editors, {
      webviewOptions: { retainContextWhenHidden: true },
      supportsMultipleEditorsPerDocument: false,
    }),
  );
  registerDebugging(context);
  registerOverlayCommands(context, editors);
  context.subscriptions.push(
    vscode.commands.registerCommand('win31.boot', async () => {
      const e = editors.active();
      if (!e) throw new Error('open a disk image first');
      await e.session.action('boot');
    }),
    vscode.commands.registerCommand('win31.screenshot', async () => {
      const e = editors.active();
      if (!e) throw new Error('open a disk image first');
      await e.session.screenshot();
    }),
    vscode.commands.registerCommand('win31.pasteAsTyping', async () => {
      const e = editors.active();
      if (!e) throw new Error('open a disk image first');
      await e.session.action('paste');
    }),
  );
}

export function deactivate(): void {}
