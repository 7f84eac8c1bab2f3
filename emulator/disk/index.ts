/**
 * The disk layer's public face: open images as block devices, describe them, manage overlays and
 * internal snapshots. Everything is synchronous and throws DiskError with one line naming the file.
 */
export { DiskError, type BlockDevice } from './blockDevice.js';
export type { AllowBackingPath } from './backingPolicy.js';
export type { DiskLayer, ImageFormat } from './diskLayer.js';
export { openDisk, type OpenDiskOptions } from './openDisk.js';
export { inspectImage, type BackingInfo, type ImageInfo, type InspectOptions, type SnapshotInfo } from './inspect.js';
export {
  commitOverlay,
  createOverlay,
  discardOverlay,
  type CommitOptions,
  type CommitResult,
  type CreateOverlayOptions,
} from './overlay.js';
export { applySnapshot, createSnapshot, deleteSnapshot, listSnapshots, type SnapshotOptions } from './snapshots.js';
