/**
 * Messages between the extension host and the screen webview (postMessage, structured clone).
 */
import type { Frame } from './frame.js';
import type { MachineStatus, SpeedSetting } from './machineState.js';

/** One row of the image's metadata table. */
export interface MetadataRow {
  readonly label: string;
  readonly value: string;
}

export interface ImageView {
  readonly fileName: string;
  readonly rows: readonly MetadataRow[];
  /** Problems worth showing (an unreadable header, a backing file that needs consent). */
  readonly warnings: readonly string[];
  /** False when the image cannot be booted (e.g. an unreadable backing chain). */
  readonly bootable: boolean;
}

export type ToolbarAction = 'boot' | 'pause' | 'resume' | 'reset' | 'powerOff' | 'ctrlAltDel' | 'screenshot' | 'paste';

export type HostToWebview =
  | { readonly type: 'image'; readonly image: ImageView }
  | { readonly type: 'frame'; readonly frame: Frame }
  | { readonly type: 'status'; readonly status: MachineStatus }
  | { readonly type: 'stopped' }
  /** Why the machine paused by itself (a HLT with interrupts off, an unemulated feature); '' clears it. */
  | { readonly type: 'notice'; readonly text: string }
  | { readonly type: 'error'; readonly message: string };

export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'action'; readonly action: ToolbarAction }
  | { readonly type: 'speed'; readonly speed: SpeedSetting }
  | { readonly type: 'key'; readonly code: string; readonly pressed: boolean }
  | { readonly type: 'mouse'; readonly dx: number; readonly dy: number; readonly buttons: number }
  | { readonly type: 'typeText'; readonly text: string }
  /** The webview drew the last frame and wants the next one: host-driven pacing. */
  | { readonly type: 'frameDone' };
