/**
 * Connects one webview (an image editor tab, or the screen panel of a launched debug session) to
 * a machine: frames paced by the webview (it asks for the next one when it has drawn the last),
 * status, toolbar actions, keyboard, mouse, paste-as-typing and screenshots.
 */
import * as vscode from 'vscode';
import type { MachineStatus, SpeedSetting } from '../protocol/machineState.js';
import type { HostToWebview, ImageView, ToolbarAction, WebviewToHost } from '../protocol/webviewProtocol.js';
import type { MachineHost } from './machineHost.js';

/** Fastest frame rate the host asks for (host milliseconds; pacing only). */
const FRAME_MS = 16;
/** While nothing changes on screen, look again this often. */
const IDLE_MS = 50;

export interface ScreenSessionOptions {
  readonly title: string;
  /** The image's metadata for the table shown before boot. */
  readonly image?: () => Promise<ImageView>;
  /** Builds and boots a machine when the user presses Boot. */
  readonly boot?: () => Promise<MachineHost>;
  /** Default folder and name for screenshots. */
  readonly screenshotBase: vscode.Uri;
}

export class ScreenSession implements vscode.Disposable {
  private host: MachineHost | null = null;
  private readonly subscriptions: (() => void)[] = [];
  private frameTimer: ReturnType<typeof setTimeout> | null = null;
  private awaitingDraw = false;
  private disposed = false;
  private status: MachineStatus | null = null;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly options: ScreenSessionOptions,
  ) {
    webview.onDidReceiveMessage((m: WebviewToHost) => void this.receive(m));
  }

  get machine(): MachineHost | null {
    return this.host;
  }

  private post(m: HostToWebview): void {
    if (!this.disposed) void this.webview.postMessage(m);
  }

  private error(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.post({ type: 'error', message });
    void vscode.window.showErrorMessage(`Win31: ${message}`);
  }

  /** Shows a machine that is already running (a launched debug session's). */
  show(host: MachineHost): void {
    this.detach();
    this.host = host;
    const c = host.client;
    this.subscriptions.push(
      c.onStatus((s) => {
        this.status = s;
        this.post({ type: 'status', status: s });
      }),
      c.onEvent((e) => {
        if (e.kind === 'terminated') {
          this.post({ type: 'stopped' });
          if (e.terminated.cause !== 'poweroff') this.post({ type: 'error', message: `The machine stopped: ${e.terminated.reason}` });
        } else if (e.kind === 'stopped' || e.kind === 'continued') {
          this.post({ type: 'notice', text: e.kind === 'stopped' && e.stop.description ? `Paused: ${e.stop.description}` : '' });
          void c.status().then((s) => this.post({ type: 'status', status: s }), () => undefined);
        }
      }),
    );
    host.onDispose(() => {
      if (this.host === host) {
        this.detach();
        this.post({ type: 'stopped' });
      }
    });
    void c.status().then((s) => this.post({ type: 'status', status: s }), (e: unknown) => this.error(e));
    this.awaitingDraw = false;
    this.requestFrame(true);
  }

  private detach(): void {
    for (const u of this.subscriptions.splice(0)) u();
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = null;
    this.host = null;
  }

  private requestFrame(full: boolean, delay = 0): void {
    if (this.frameTimer || this.awaitingDraw || !this.host) return;
    const host = this.host;
    this.frameTimer = setTimeout(() => {
      this.frameTimer = null;
      if (this.host !== host || host.isDisposed) return;
      host.client.frame(full).then(
        (frame) => {
          if (this.host !== host) return;
          if (frame) {
            this.awaitingDraw = true;
            this.post({ type: 'frame', frame });
          } else this.requestFrame(false, IDLE_MS);
        },
        () => undefined,
      );
    }, delay);
  }

  private async receive(m: WebviewToHost): Promise<void> {
    try {
      switch (m.type) {
        case 'ready':
          if (this.options.image) this.post({ type: 'image', image: await this.options.image() });
          if (this.host) {
            this.awaitingDraw = false;
            this.requestFrame(true);
            if (this.status) this.post({ type: 'status', status: this.status });
          }
          return;
        case 'frameDone':
          this.awaitingDraw = false;
          this.requestFrame(false, FRAME_MS);
          return;
        case 'action':
          await this.action(m.action);
          return;
        case 'speed':
          await this.client().setSpeed(m.speed as SpeedSetting);
          return;
        case 'key':
          await this.client().key(m.code, m.pressed);
          return;
        case 'mouse':
          await this.client().mouse(m.dx, m.dy, m.buttons);
          return;
        case 'typeText':
          await this.client().typeText(m.text);
          return;
      }
    } catch (e) {
      this.error(e);
    }
  }

  private client(): MachineHost['client'] {
    if (!this.host) throw new Error('the machine is not running: press Boot');
    return this.host.client;
  }

  async action(action: ToolbarAction): Promise<void> {
    switch (action) {
      case 'boot': {
        if (!this.options.boot) throw new Error('this view cannot boot a machine');
        this.show(await this.options.boot());
        return;
      }
      case 'pause':
        await this.client().pause();
        return;
      case 'resume':
        await this.client().resume();
        return;
      case 'reset':
        await this.client().reset();
        return;
      case 'powerOff':
        this.host?.dispose();
        return;
      case 'ctrlAltDel': {
        const c = this.client();
        for (const code of ['ControlLeft', 'AltLeft', 'Delete']) await c.key(code, true);
        for (const code of ['Delete', 'AltLeft', 'ControlLeft']) await c.key(code, false);
        return;
      }
      case 'paste': {
        const text = await vscode.env.clipboard.readText();
        if (text === '') {
          void vscode.window.showInformationMessage('Win31: the clipboard holds no text to type');
          return;
        }
        await this.client().typeText(text);
        return;
      }
      case 'screenshot':
        await this.screenshot();
        return;
    }
  }

  async screenshot(): Promise<vscode.Uri | undefined> {
    const png = await this.client().screenshot();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.options.screenshotBase, `screen-${stamp}.png`),
      filters: { 'PNG image': ['png'] },
    });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, png);
    void vscode.window.showInformationMessage(`Win31: screenshot saved to ${target.fsPath}`);
    return target;
  }

  dispose(): void {
    this.disposed = true;
    this.detach();
  }
}
