/**
 * Turns an image (and the user's settings) into a machine configuration: which drive the image is,
 * where the session overlay lives (the base image is never written), and which backing paths the
 * user approved.
 */
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { CpuModel, MachineConfig, SpeedSetting } from '../protocol/machineState.js';

export function settings(): { memoryMiB: number; cpu: CpuModel; speed: SpeedSetting } {
  const c = vscode.workspace.getConfiguration('win31');
  return {
    memoryMiB: c.get<number>('memoryMiB', 16),
    cpu: c.get<CpuModel>('cpu', '486'),
    speed: c.get<SpeedSetting>('speed', 'max'),
  };
}

/** The session overlay for an image: one per base image, in the extension's global storage. */
export function overlayUri(storage: vscode.Uri, imagePath: string): vscode.Uri {
  const id = createHash('sha256').update(imagePath).digest('hex').slice(0, 16);
  return vscode.Uri.joinPath(storage, 'overlays', `${basename(imagePath).replace(/[^\w.-]/g, '_')}-${id}.qcow2`);
}

export function machineConfig(
  imagePath: string,
  kind: 'floppy' | 'hardDisk',
  overlay: string,
  approvedBackingPaths: readonly string[],
  overrides: Partial<Pick<MachineConfig, 'memoryMiB' | 'cpu' | 'speed'>> = {},
): MachineConfig {
  const s = { ...settings(), ...overrides };
  return {
    ...(kind === 'floppy' ? { floppy: imagePath, bootOrder: 'a' as const } : { hardDisk: imagePath, bootOrder: 'c' as const }),
    memoryMiB: s.memoryMiB,
    cpu: s.cpu,
    speed: s.speed,
    overlay,
    approvedBackingPaths,
  };
}
