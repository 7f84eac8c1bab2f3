/**
 * Internal snapshots of a qcow2 image file, by path: list, create, apply, delete (the same
 * operations as `qemu-img snapshot -l/-c/-a/-d`, with the same on-disk result). Reading a snapshot's
 * content is `openDisk(path, { snapshot })`.
 */
import { DiskError } from './blockDevice.js';
import type { AllowBackingPath } from './backingPolicy.js';
import { inspectImage, type SnapshotInfo } from './inspect.js';
import { openDisk } from './openDisk.js';
import { Qcow2Image } from './qcow2/qcow2Image.js';
import * as ops from './qcow2/snapshotOps.js';

export interface SnapshotOptions {
  readonly allowBackingPath?: AllowBackingPath;
}

function withImage<T>(path: string, opts: SnapshotOptions, run: (img: Qcow2Image) => T): T {
  const disk = openDisk(path, { allowBackingPath: opts.allowBackingPath });
  try {
    if (!(disk instanceof Qcow2Image)) throw new DiskError(`${path}: raw images have no snapshots`);
    const result = run(disk);
    disk.close();
    return result;
  } finally {
    disk.close();
  }
}

export function listSnapshots(path: string): readonly SnapshotInfo[] {
  return inspectImage(path).snapshots;
}

export function createSnapshot(path: string, name: string, opts: SnapshotOptions & ops.CreateSnapshotOptions = {}): SnapshotInfo {
  const id = withImage(path, opts, (img) => ops.createSnapshot(img, name, opts).id);
  const info = listSnapshots(path).find((s) => s.id === id);
  if (info === undefined) throw new DiskError(`${path}: snapshot '${name}' vanished after creation`);
  return info;
}

export function applySnapshot(path: string, idOrName: string, opts: SnapshotOptions = {}): void {
  withImage(path, opts, (img) => ops.applySnapshot(img, idOrName));
}

export function deleteSnapshot(path: string, idOrName: string, opts: SnapshotOptions = {}): void {
  withImage(path, opts, (img) => ops.deleteSnapshot(img, idOrName));
}
