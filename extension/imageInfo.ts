/**
 * The metadata table of the image editor, from the disk layer's inspectImage: format, sizes,
 * cluster size, backing chain, snapshots, features and allocated space. A backing file that the
 * folder rule refuses shows up as needing consent before anything follows it.
 */
import { basename } from 'node:path';
import { inspectImage, type AllowBackingPath } from '../emulator/disk/index.js';
import type { ImageView, MetadataRow } from '../protocol/webviewProtocol.js';

export interface ImageDescription extends ImageView {
  /** Resolved backing paths the folder rule refuses: the user must approve each before boot. */
  readonly needsConsent: readonly string[];
  readonly kind: 'floppy' | 'hardDisk';
}

/** Raw image sizes that are floppies (360 KB to 2.88 MB formats); anything else is a hard disk. */
const FLOPPY_SIZES = new Set([368640, 737280, 1228800, 1474560, 2949120]);

export function bytes(n: number): string {
  const mib = n / 1048576;
  return `${n.toLocaleString('en-US')} bytes (${mib >= 1 ? `${mib.toFixed(mib >= 100 ? 0 : 1)} MiB` : `${(n / 1024).toFixed(0)} KiB`})`;
}

export function describeImage(path: string, allow?: AllowBackingPath): ImageDescription {
  const info = inspectImage(path, allow ? { allowBackingPath: allow } : {});
  const rows: MetadataRow[] = [];
  const warnings: string[] = [];
  const needsConsent: string[] = [];
  const kind = info.format === 'raw' && FLOPPY_SIZES.has(info.virtualSize) ? 'floppy' : 'hardDisk';
  rows.push({ label: 'Format', value: info.format === 'qcow2' ? `qcow2 version ${info.version ?? '?'}` : 'raw' });
  rows.push({ label: 'Virtual size', value: bytes(info.virtualSize) });
  rows.push({ label: 'File size', value: bytes(info.fileSize) });
  rows.push({ label: 'Allocated', value: `${bytes(info.allocatedBytes)} of guest data; ${bytes(info.diskUsage)} used on the host disk` });
  if (info.clusterSize !== null) rows.push({ label: 'Cluster size', value: bytes(info.clusterSize) });
  if (info.compressionType !== null) rows.push({ label: 'Compression type', value: info.compressionType });
  if (info.format === 'qcow2') {
    const f = [...info.features.incompatible, ...info.features.compatible, ...info.features.autoclear];
    if (info.extendedL2) f.push('extended L2');
    rows.push({ label: 'Features', value: f.length > 0 ? f.join(', ') : 'none' });
    rows.push({
      label: 'Backing chain',
      value:
        info.backingChain.length === 0
          ? 'none (standalone image)'
          : info.backingChain.map((b) => `${b.followed ? b.path : `${b.name} (not followed)`}${b.format ? ` [${b.format}]` : ''}`).join(' → '),
    });
    rows.push({
      label: 'Snapshots',
      value: info.snapshots.length === 0 ? 'none' : info.snapshots.map((s) => `${s.id} "${s.name}" (${s.date})`).join('; '),
    });
  }
  rows.push({ label: 'Boots as', value: kind === 'floppy' ? 'floppy drive A: (BIOS drive 00h)' : 'hard disk C: (BIOS drive 80h)' });
  for (const b of info.backingChain) {
    if (!b.problem) continue;
    warnings.push(b.problem);
    if (/without permission/.test(b.problem)) needsConsent.push(b.path);
  }
  if (info.dirty) warnings.push('the image is marked dirty (it was not closed cleanly); it is opened read-only and never repaired here');
  if (info.corrupt) warnings.push('the image is marked corrupt');
  const fatal = info.corrupt || info.backingChain.some((b) => b.problem !== null && !/without permission/.test(b.problem));
  return { fileName: basename(path), rows, warnings, bootable: !fatal && needsConsent.length === 0, needsConsent, kind };
}
