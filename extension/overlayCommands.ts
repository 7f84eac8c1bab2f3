/**
 * Commit or discard the session overlay that took the guest's writes for an image. Both power the
 * image's machine off first (the worker holds the files open). Commit asks for a confirmation that
 * names the file it will write, and shows progress.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { commitOverlay, discardOverlay } from '../emulator/disk/index.js';
import { overlayUri } from './bootConfig.js';
import type { ImageEditorProvider } from './imageEditor.js';

async function powerOff(editors: ImageEditorProvider, image: string): Promise<void> {
  for (const e of editors.editorsFor(image)) {
    const host = e.session.machine;
    if (!host) continue;
    await host.client.powerOff().catch(() => undefined);
    host.dispose();
  }
}

function target(editors: ImageEditorProvider, uri: vscode.Uri | undefined): string {
  if (uri instanceof vscode.Uri && uri.scheme === 'file') return uri.fsPath;
  const e = editors.active();
  if (!e) throw new Error('open the disk image whose session changes you mean first');
  return e.document.uri.fsPath;
}

export function registerOverlayCommands(context: vscode.ExtensionContext, editors: ImageEditorProvider): void {
  const storage = context.globalStorageUri;
  context.subscriptions.push(
    vscode.commands.registerCommand('win31.commitOverlay', async (uri?: vscode.Uri) => {
      const image = target(editors, uri);
      const overlay = overlayUri(storage, image).fsPath;
      if (!existsSync(overlay)) {
        void vscode.window.showInformationMessage(`Win31: ${basename(image)} has no session changes to commit`);
        return;
      }
      const yes = 'Commit';
      const answer = await vscode.window.showWarningMessage(
        `Write the session's changes into ${image}? This modifies the image file itself and cannot be undone. The running machine is powered off first.`,
        { modal: true },
        yes,
      );
      if (answer !== yes) return;
      await powerOff(editors, image);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Committing changes into ${basename(image)}`, cancellable: false },
        async (progress) => {
          let last = 0;
          return commitOverlay(overlay, {
            allowBackingPath: (p) => p === image,
            onProgress: (done, total) => {
              const pct = total > 0 ? (done / total) * 100 : 100;
              progress.report({ increment: pct - last, message: `${Math.floor(pct)} %` });
              last = pct;
            },
          });
        },
      );
      discardOverlay(overlay);
      void vscode.window.showInformationMessage(`Win31: committed ${result.committedBytes.toLocaleString('en-US')} bytes into ${image}`);
    }),
    vscode.commands.registerCommand('win31.discardOverlay', async (uri?: vscode.Uri) => {
      const image = target(editors, uri);
      const overlay = overlayUri(storage, image).fsPath;
      if (!existsSync(overlay)) {
        void vscode.window.showInformationMessage(`Win31: ${basename(image)} has no session changes to discard`);
        return;
      }
      const yes = 'Discard';
      const answer = await vscode.window.showWarningMessage(
        `Discard the guest's changes to ${basename(image)} since the last commit? The image file is not touched. The running machine is powered off first.`,
        { modal: true },
        yes,
      );
      if (answer !== yes) return;
      await powerOff(editors, image);
      discardOverlay(overlay);
      void vscode.window.showInformationMessage(`Win31: discarded the session changes of ${basename(image)}`);
    }),
  );
}
