/**
 * The read-only custom editor for disk images (*.qcow2, *.img, *.ima): the metadata table, a Boot
 * button, and once booted the live screen. The machine runs in its own worker; the guest's writes
 * go to a session overlay in the extension's storage, never to the image itself.
 */
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describeImage } from './imageInfo.js';
import { machineConfig, overlayUri } from './bootConfig.js';
import { MachineHost } from './machineHost.js';
import { registerMachine } from './machineRegistry.js';
import { ScreenSession } from './screenSession.js';
import { screenHtml } from './webviewHtml.js';

export const IMAGE_EDITOR_VIEW_TYPE = 'win31.diskImage';

class ImageDocument implements vscode.CustomDocument {
  /** Backing paths outside the image's folder that the user approved in this window. */
  readonly approved: string[] = [];
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

interface OpenEditor {
  readonly document: ImageDocument;
  readonly panel: vscode.WebviewPanel;
  readonly session: ScreenSession;
}

export class ImageEditorProvider implements vscode.CustomReadonlyEditorProvider<ImageDocument> {
  private readonly open = new Set<OpenEditor>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {}

  openCustomDocument(uri: vscode.Uri): ImageDocument {
    if (uri.scheme !== 'file') throw new Error(`Win31 opens images on the local file system only, not ${uri.scheme}:`);
    return new ImageDocument(uri);
  }

  resolveCustomEditor(document: ImageDocument, panel: vscode.WebviewPanel): void {
    const ext = this.context.extensionUri;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')],
    };
    const path = document.uri.fsPath;
    const session = new ScreenSession(panel.webview, {
      title: basename(path),
      image: async () => describeImage(path, (p) => document.approved.includes(p)),
      boot: () => this.boot(document),
      screenshotBase: vscode.Uri.file(dirname(path)),
    });
    panel.webview.html = screenHtml(panel.webview, ext, basename(path));
    const entry: OpenEditor = { document, panel, session };
    this.open.add(entry);
    panel.onDidDispose(() => {
      this.open.delete(entry);
      session.machine?.dispose();
      session.dispose();
    });
  }

  /** The editor the user is looking at, for commands. */
  active(): OpenEditor | undefined {
    for (const e of this.open) if (e.panel.active) return e;
    return this.open.size === 1 ? [...this.open][0] : undefined;
  }

  editorsFor(path: string): OpenEditor[] {
    return [...this.open].filter((e) => e.document.uri.fsPath === path);
  }

  private async boot(document: ImageDocument): Promise<MachineHost> {
    const path = document.uri.fsPath;
    const desc = describeImage(path, (p) => document.approved.includes(p));
    for (const outside of desc.needsConsent) {
      if (!vscode.workspace.isTrusted) {
        throw new Error(`${basename(path)} has a backing file outside its folder (${outside}); it is not followed in an untrusted workspace`);
      }
      const follow = 'Follow it (read-only)';
      const answer = await vscode.window.showWarningMessage(
        `${basename(path)} names a backing file outside its folder: ${outside}. Follow it? It is opened read-only.`,
        { modal: true },
        follow,
      );
      if (answer !== follow) throw new Error(`boot cancelled: the backing file ${outside} was not approved`);
      document.approved.push(outside);
    }
    const again = describeImage(path, (p) => document.approved.includes(p));
    if (!again.bootable) throw new Error(again.warnings.join('; ') || `${basename(path)} cannot be booted`);
    const overlay = overlayUri(this.context.globalStorageUri, path);
    mkdirSync(dirname(overlay.fsPath), { recursive: true });
    const host = new MachineHost(this.context.extensionUri, basename(path));
    try {
      const info = await host.client.boot(machineConfig(path, again.kind, overlay.fsPath, document.approved), false);
      for (const n of info.notes) this.log.appendLine(`${basename(path)}: ${n}`);
    } catch (e) {
      host.dispose();
      throw e;
    }
    registerMachine(path, host);
    return host;
  }
}
