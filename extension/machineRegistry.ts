/**
 * The machines open in image editors, by image path, so a debug session can attach to one.
 */
import type { MachineHost } from './machineHost.js';

const open = new Map<string, MachineHost>();

export function registerMachine(imagePath: string, host: MachineHost): void {
  open.set(imagePath, host);
  host.onDispose(() => {
    if (open.get(imagePath) === host) open.delete(imagePath);
  });
}

/** The machine for `which` (an image path or its file name), or the only open one. */
export function findMachine(which: string | undefined): MachineHost {
  const live = [...open.entries()].filter(([, h]) => !h.isDisposed);
  if (which) {
    const hit = live.find(([p]) => p === which || p.endsWith('/' + which) || p.endsWith('\\' + which));
    if (!hit) throw new Error(`no booted machine for '${which}' (open the image and press Boot first)`);
    return hit[1];
  }
  if (live.length === 0) throw new Error('no booted machine: open a disk image and press Boot, or use a launch configuration');
  if (live.length > 1) throw new Error(`${live.length} machines are running: say which with "machine": "<image file>"`);
  return live[0][1];
}
