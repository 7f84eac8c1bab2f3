/**
 * What the image editor and `win31 disk info` show about an image: format, sizes, the backing chain
 * (each level resolved, and whether it was followed under the folder rule), snapshots, feature bits
 * by name, allocated bytes, dirty and corrupt flags. Inspection only reads headers and tables: it
 * never opens a backing file that the folder rule refuses.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DiskError } from './blockDevice.js';
import { resolveReference, type AllowBackingPath } from './backingPolicy.js';
import type { ImageFormat } from './diskLayer.js';
import { HostFile } from './hostFile.js';
import { detectFormat } from './openDisk.js';
import {
  INCOMPAT_CORRUPT,
  INCOMPAT_DIRTY,
  INCOMPAT_EXTL2,
  featureList,
  readHeader,
  type CompressionType,
  type Qcow2Header,
} from './qcow2/header.js';
import { Qcow2Image } from './qcow2/qcow2Image.js';

export interface BackingInfo {
  /** The backing file name as the referring image records it. */
  readonly name: string;
  /** Where that name resolves to. */
  readonly path: string;
  /** Recorded backing format, else the detected one once followed (null if unknown). */
  readonly format: string | null;
  /** True when the file was opened and inspected. */
  readonly followed: boolean;
  /** Why it was not followed or could not be read, else null. */
  readonly problem: string | null;
  readonly virtualSize: number | null;
}

export interface SnapshotInfo {
  readonly id: string;
  readonly name: string;
  /** Host date of the snapshot, ISO 8601 UTC. */
  readonly date: string;
  readonly dateSec: number;
  readonly dateNsec: number;
  /** Guest virtual clock when the snapshot was taken, in nanoseconds. */
  readonly vmClockNs: number;
  readonly vmStateSize: number;
  readonly diskSize: number;
  readonly icount: number | null;
}

export interface ImageInfo {
  readonly path: string;
  readonly format: ImageFormat;
  /** qcow2 version (2 or 3); null for raw images. */
  readonly version: number | null;
  readonly virtualSize: number;
  readonly clusterSize: number | null;
  /** Length of the image file. */
  readonly fileSize: number;
  /** Bytes the file occupies on the host disk (sparse files use less). */
  readonly diskUsage: number;
  /** Guest bytes this image itself stores (qcow2: allocated clusters times cluster size, as qemu-img check counts them). */
  readonly allocatedBytes: number;
  readonly refcountBits: number | null;
  readonly compressionType: CompressionType | null;
  readonly extendedL2: boolean;
  /** External data file name as recorded, or null. */
  readonly dataFile: string | null;
  /** Backing files, nearest first. */
  readonly backingChain: readonly BackingInfo[];
  readonly snapshots: readonly SnapshotInfo[];
  readonly features: { readonly incompatible: string[]; readonly compatible: string[]; readonly autoclear: string[] };
  readonly dirty: boolean;
  readonly corrupt: boolean;
}

export interface InspectOptions {
  readonly allowBackingPath?: AllowBackingPath;
}

function walkChain(top: string, header: Qcow2Header, identity: string, allow: AllowBackingPath | undefined): BackingInfo[] {
  const chain: BackingInfo[] = [];
  const seen = new Set<string>([identity]);
  let imagePath = top;
  let h: Qcow2Header | null = header;
  while (h !== null && h.backingFile !== null) {
    const ref = resolveReference(imagePath, h.backingFile, allow, 'backing file');
    const base = { name: h.backingFile, path: ref.path, format: h.backingFormat };
    if (ref.problem !== null) {
      chain.push({ ...base, followed: false, problem: ref.problem, virtualSize: null });
      break;
    }
    if (!existsSync(ref.path)) {
      chain.push({ ...base, followed: false, problem: `backing file ${ref.path} is missing`, virtualSize: null });
      break;
    }
    let file: HostFile | null = null;
    try {
      file = HostFile.open(ref.path, true);
      const id = file.identity();
      if (seen.has(id)) {
        chain.push({ ...base, followed: false, problem: `backing loop: ${ref.path} appears twice in the chain`, virtualSize: null });
        break;
      }
      seen.add(id);
      const fmt = h.backingFormat === 'raw' || h.backingFormat === 'qcow2' ? h.backingFormat : detectFormat(file);
      if (fmt === 'raw') {
        chain.push({ ...base, format: 'raw', followed: true, problem: null, virtualSize: file.size });
        h = null;
      } else {
        const next = readHeader(file);
        chain.push({ ...base, format: 'qcow2', followed: true, problem: null, virtualSize: next.size });
        h = next;
        imagePath = ref.path;
      }
    } catch (e) {
      chain.push({ ...base, followed: true, problem: e instanceof Error ? e.message : String(e), virtualSize: null });
      break;
    } finally {
      file?.close();
    }
  }
  return chain;
}

/** Describes an image without changing it. Throws DiskError for files that are not usable images. */
export function inspectImage(path: string, opts: InspectOptions = {}): ImageInfo {
  const file = HostFile.open(path, true);
  let img: Qcow2Image | null = null;
  try {
    const format = detectFormat(file);
    const abs = resolve(path);
    if (format === 'raw') {
      const usage = file.diskUsage();
      return {
        path: abs,
        format,
        version: null,
        virtualSize: file.size,
        clusterSize: null,
        fileSize: file.size,
        diskUsage: usage,
        allocatedBytes: Math.min(usage, file.size),
        refcountBits: null,
        compressionType: null,
        extendedL2: false,
        dataFile: null,
        backingChain: [],
        snapshots: [],
        features: { incompatible: [], compatible: [], autoclear: [] },
        dirty: false,
        corrupt: false,
      };
    }
    const h = readHeader(file);
    img = new Qcow2Image({ file, header: h, backing: null, dataFile: null, readOnly: true });
    const snapshots = img.snapshots().map((s) => ({
      id: s.id,
      name: s.name,
      date: new Date(s.dateSec * 1000 + Math.floor(s.dateNsec / 1e6)).toISOString(),
      dateSec: s.dateSec,
      dateNsec: s.dateNsec,
      vmClockNs: s.vmClockNs,
      vmStateSize: s.vmStateSize,
      diskSize: s.diskSize,
      icount: s.icount,
    }));
    return {
      path: abs,
      format,
      version: h.version,
      virtualSize: h.size,
      clusterSize: img.clusterSize,
      fileSize: file.size,
      diskUsage: file.diskUsage(),
      allocatedBytes: img.allocatedClusters() * img.clusterSize,
      refcountBits: 1 << h.refcountOrder,
      compressionType: h.compressionType,
      extendedL2: (h.incompatible & INCOMPAT_EXTL2) !== 0n,
      dataFile: h.dataFile,
      backingChain: walkChain(path, h, file.identity(), opts.allowBackingPath),
      snapshots,
      features: {
        incompatible: featureList(h.featureNames, 'incompatible', h.incompatible),
        compatible: featureList(h.featureNames, 'compatible', h.compatible),
        autoclear: featureList(h.featureNames, 'autoclear', h.autoclear),
      },
      dirty: (h.incompatible & INCOMPAT_DIRTY) !== 0n,
      corrupt: (h.incompatible & INCOMPAT_CORRUPT) !== 0n,
    };
  } catch (e) {
    if (e instanceof DiskError) throw e;
    throw new DiskError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    if (img !== null) img.close();
    else file.close();
  }
}
