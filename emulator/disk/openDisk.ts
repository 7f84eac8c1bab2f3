/**
 * Opens a disk image as a BlockDevice: the format comes from the magic (qcow2) or else the file is
 * raw; a qcow2 image's backing chain is opened read-only, level by level, each name resolved next to
 * the image that names it, with loops detected by file identity and the folder rule of
 * backingPolicy.ts applied at every level.
 */
import { existsSync } from 'node:fs';
import { DiskError } from './blockDevice.js';
import { resolveReference, type AllowBackingPath } from './backingPolicy.js';
import type { DiskLayer, ImageFormat } from './diskLayer.js';
import { HostFile } from './hostFile.js';
import { RawImage } from './rawImage.js';
import { INCOMPAT_DATA_FILE, QCOW2_MAGIC, readHeader } from './qcow2/header.js';
import { Qcow2Image } from './qcow2/qcow2Image.js';
import { findSnapshot } from './qcow2/snapshotTable.js';

export interface OpenDiskOptions {
  /** Open without write access (the default is read-write). Backing images are always read-only. */
  readonly readOnly?: boolean;
  /** Approves backing files (and external data files) that are absolute or outside the folder. */
  readonly allowBackingPath?: AllowBackingPath;
  /** Show this internal snapshot (id or name) instead of the current state; implies read-only. */
  readonly snapshot?: string;
  /** Skip format detection. */
  readonly format?: ImageFormat;
}

/** Signatures of image formats this layer does not read, so they are refused instead of read as raw. */
const FOREIGN: [magic: string, name: string][] = [
  ['KDMV', 'VMDK'],
  ['# Disk DescriptorFile', 'VMDK descriptor'],
  ['conectix', 'VHD'],
  ['vhdxfile', 'VHDX'],
  ['<<< ', 'VDI'],
  ['QEVM', 'QED'],
];

/**
 * Detects the format of an open file: qcow2 by its magic, raw otherwise. A `.qcow2` file must be
 * qcow2. A `.img`/`.ima` file is raw: if it carries a qcow2 header it is refused rather than probed,
 * because a guest can write such a header into its own raw disk (and name a host file as backing).
 */
export function detectFormat(file: HostFile): ImageFormat {
  const head = new Uint8Array(32);
  const n = file.read(0, head, 0, head.length);
  const isQcow = n >= 4 && ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0 === QCOW2_MAGIC;
  const text = new TextDecoder('latin1').decode(head.subarray(0, n));
  if (isQcow) {
    if (/\.(img|ima)$/i.test(file.path)) {
      throw new DiskError(`${file.path}: has a qcow2 header but a raw image name; rename it to .qcow2 if it is a qcow2 image`);
    }
    return 'qcow2';
  }
  for (const [magic, name] of FOREIGN) {
    if (text.startsWith(magic)) throw new DiskError(`${file.path}: is a ${name} image, which is not supported (convert it with qemu-img convert -O qcow2)`);
  }
  if (/\.qcow2?$/i.test(file.path)) {
    throw new DiskError(`${file.path}: not a qcow2 image (${file.size === 0 ? 'empty file' : 'bad magic'})`);
  }
  return 'raw';
}

function formatFromName(imagePath: string, name: string | null): ImageFormat | null {
  if (name === null || name === '') return null;
  if (name === 'qcow2' || name === 'raw') return name;
  throw new DiskError(`${imagePath}: backing file format '${name}' is not supported (qcow2 and raw are)`);
}

interface ChainContext {
  readonly allow: AllowBackingPath | undefined;
  /** File identities already in the chain, with their paths. */
  readonly seen: Map<string, string>;
}

function openLayer(path: string, readOnly: boolean, format: ImageFormat | null, ctx: ChainContext): DiskLayer {
  const file = HostFile.open(path, readOnly);
  const opened: { close(): void }[] = [file];
  try {
    const id = file.identity();
    const earlier = ctx.seen.get(id);
    if (earlier !== undefined) throw new DiskError(`${earlier}: backing loop: the chain reaches ${path} a second time`);
    ctx.seen.set(id, path);
    const fmt = format ?? detectFormat(file);
    if (fmt === 'raw') return new RawImage(file);
    const header = readHeader(file);
    let dataFile: HostFile | null = null;
    if (header.incompatible & INCOMPAT_DATA_FILE && header.dataFile !== null) {
      const ref = resolveReference(path, header.dataFile, ctx.allow, 'external data file');
      if (ref.problem !== null) throw new DiskError(`${path}: ${ref.problem}`);
      if (!existsSync(ref.path)) throw new DiskError(`${path}: external data file ${ref.path} is missing`);
      dataFile = HostFile.open(ref.path, readOnly);
      opened.push(dataFile);
    }
    let backing: DiskLayer | null = null;
    if (header.backingFile !== null) {
      const ref = resolveReference(path, header.backingFile, ctx.allow, 'backing file');
      if (ref.problem !== null) throw new DiskError(`${path}: ${ref.problem}`);
      if (!existsSync(ref.path)) throw new DiskError(`${path}: backing file ${ref.path} is missing`);
      backing = openLayer(ref.path, true, formatFromName(path, header.backingFormat), ctx);
      opened.push(backing);
    }
    return new Qcow2Image({ file, header, backing, dataFile, readOnly });
  } catch (e) {
    for (const o of opened) {
      try {
        o.close();
      } catch {
        // Already failing: the first error is the one to report.
      }
    }
    throw e;
  }
}

/**
 * Opens an image for the guest. qcow2 or raw by the magic; `.img`/`.ima` and anything else without
 * the qcow2 magic is raw. Errors are DiskErrors with one line naming the file and the problem.
 */
export function openDisk(path: string, opts: OpenDiskOptions = {}): DiskLayer {
  const readOnly = opts.readOnly === true || opts.snapshot !== undefined;
  const disk = openLayer(path, readOnly, opts.format ?? null, { allow: opts.allowBackingPath, seen: new Map() });
  if (opts.snapshot !== undefined) {
    try {
      if (!(disk instanceof Qcow2Image)) throw new DiskError(`${path}: raw images have no snapshots`);
      const all = disk.snapshots();
      const i = findSnapshot(all, opts.snapshot);
      if (i < 0) throw new DiskError(`${path}: no snapshot with id or name '${opts.snapshot}'`);
      disk.showSnapshot(all[i]);
    } catch (e) {
      disk.close();
      throw e;
    }
  }
  return disk;
}
