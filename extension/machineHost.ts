/**
 * One machine worker: starts dist/worker.mjs with a shared control word and hands out the typed
 * client. A crash, an exit or a fatal error in the worker becomes an error notification with the
 * reason, and every pending call fails with it; nothing is swallowed.
 */
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { WorkerMachineClient } from '../emulator/worker/workerClient.js';
import type { WorkerStartData } from '../protocol/workerProtocol.js';

export class MachineHost implements vscode.Disposable {
  readonly client: WorkerMachineClient;
  private readonly worker: Worker;
  private disposed = false;
  private readonly disposeListeners: (() => void)[] = [];

  constructor(
    extensionUri: vscode.Uri,
    readonly label: string,
  ) {
    const control = new SharedArrayBuffer(4);
    const data: WorkerStartData = { control };
    this.worker = new Worker(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.mjs').fsPath, { workerData: data });
    this.client = new WorkerMachineClient(this.worker, new Int32Array(control));
    this.worker.on('error', (e) => this.client.fail(`the machine worker crashed: ${e.message}`));
    this.worker.on('exit', (code) => {
      if (!this.disposed) this.client.fail(`the machine worker exited unexpectedly (exit code ${code})`);
    });
    this.client.onFatal((message) => {
      if (!this.disposed) void vscode.window.showErrorMessage(`Win31 (${label}): the machine stopped: ${message}`);
    });
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Power off first so the worker flushes and closes its disk files, then stop the thread.
    void this.client
      .powerOff()
      .catch(() => undefined)
      .finally(() => void this.worker.terminate());
    for (const l of this.disposeListeners.splice(0)) l();
  }
}
