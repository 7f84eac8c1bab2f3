/**
 * Wires the `win31` debug type into VS Code: the inline adapter (the same Win31DebugSession the
 * standalone `win31 dap` runs), its machine provider (a worker per launch, or the machine of an
 * open image editor for attach), and defaults for F5 without a launch.json.
 */
import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { createDecoder } from '../debug-adapter/cpuDecoder.js';
import { Win31DebugSession, type AttachArguments, type LaunchArguments, type MachineProvider, type ProvidedMachine } from '../debug-adapter/session.js';
import { describeImage } from './imageInfo.js';
import { machineConfig, overlayUri } from './bootConfig.js';
import { MachineHost } from './machineHost.js';
import { findMachine } from './machineRegistry.js';
import { ScreenSession } from './screenSession.js';
import { screenHtml } from './webviewHtml.js';
import { IMAGE_EDITOR_VIEW_TYPE } from './imageEditor.js';

export const DEBUG_TYPE = 'win31';

function resolveImage(p: string, cwd: string | undefined): string {
  if (isAbsolute(p)) return p;
  const base = cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  return resolve(base, p);
}

class ExtensionMachineProvider implements MachineProvider {
  constructor(private readonly context: vscode.ExtensionContext) {}

  async launch(args: LaunchArguments): Promise<ProvidedMachine> {
    const image = resolveImage((args.image ?? args.floppy) as string, args.cwd);
    const desc = describeImage(image);
    if (desc.needsConsent.length > 0) {
      throw new Error(`${basename(image)} names a backing file outside its folder (${desc.needsConsent.join(', ')}); open the image in its editor and boot it there to approve it`);
    }
    const kind = args.floppy && !args.image ? 'floppy' : desc.kind;
    // A debug session gets its own overlay, so it never shares one with an editor booting the same image.
    const overlay = overlayUri(this.context.globalStorageUri, image + '#debug');
    mkdirSync(dirname(overlay.fsPath), { recursive: true });
    const host = new MachineHost(this.context.extensionUri, basename(image));
    try {
      const overrides = {
        ...(args.memory !== undefined ? { memoryMiB: args.memory } : {}),
        ...(args.cpu !== undefined ? { cpu: args.cpu } : {}),
        ...(args.speed !== undefined ? { speed: args.speed } : {}),
      };
      const info = await host.client.boot(machineConfig(image, kind, overlay.fsPath, [], overrides), true);
      this.showScreen(host, basename(image), dirname(image));
      return { client: host.client, decoder: createDecoder(), notes: info.notes, owned: true };
    } catch (e) {
      host.dispose();
      throw e;
    }
  }

  async attach(args: AttachArguments): Promise<ProvidedMachine> {
    const host = findMachine(args.machine);
    return { client: host.client, decoder: createDecoder(), notes: [`attached to ${host.label}`], owned: false };
  }

  /** A launched machine's screen, in a panel beside the editor; closing it powers the machine off. */
  private showScreen(host: MachineHost, title: string, folder: string): void {
    const ext = this.context.extensionUri;
    const panel = vscode.window.createWebviewPanel(`${IMAGE_EDITOR_VIEW_TYPE}.screen`, `${title} (debug)`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(ext, 'dist'), vscode.Uri.joinPath(ext, 'media')],
    });
    const session = new ScreenSession(panel.webview, { title, screenshotBase: vscode.Uri.file(folder) });
    panel.webview.html = screenHtml(panel.webview, ext, title);
    session.show(host);
    panel.onDidDispose(() => {
      session.dispose();
      host.dispose();
    });
    host.onDispose(() => panel.dispose());
  }
}

export function registerDebugging(context: vscode.ExtensionContext): void {
  const provider = new ExtensionMachineProvider(context);
  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new Win31DebugSession(provider)),
    }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, {
      resolveDebugConfiguration(folder, config): vscode.DebugConfiguration | undefined {
        if (!config.type && !config.request && !config.name) {
          // F5 without a launch.json: debug the image in the active editor tab.
          const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
          const uri = tab instanceof vscode.TabInputCustom && tab.viewType === IMAGE_EDITOR_VIEW_TYPE ? tab.uri : undefined;
          if (!uri) {
            void vscode.window.showInformationMessage('Win31: open a disk image, or add a "win31" launch configuration');
            return undefined;
          }
          return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${basename(uri.fsPath)}`, image: uri.fsPath, stopOnEntry: 'bootSector' };
        }
        if (config.request === 'launch' && !config.image && !config.floppy) {
          void vscode.window.showErrorMessage("Win31: the launch configuration needs 'image' (a .qcow2 or raw hard disk) or 'floppy'");
          return undefined;
        }
        if (folder && !config.cwd) config.cwd = folder.uri.fsPath;
        return config;
      },
    }),
  );
}
