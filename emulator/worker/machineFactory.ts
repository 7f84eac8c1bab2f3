/**
 * Builds a powered-on machine from a launch configuration for the worker and the standalone
 * adapter: opens the images (a base image is only ever opened read-only; the guest's writes go to
 * a qcow2 session overlay when one is configured, else to memory), wires the Machine with the
 * emulator's Cpu, and presents both as a BuiltMachine.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MachineConfig } from '../../protocol/machineState.js';
import { Cpu } from '../cpu/cpu.js';
import type { BlockDevice } from '../disk/blockDevice.js';
import { createOverlay, openDisk } from '../disk/index.js';
import { CopyOnWriteDisk } from '../machine/copyOnWriteDisk.js';
import { Machine } from '../machine/machine.js';
import type { BuiltMachine } from './builtMachine.js';
import type { TargetOutputListener } from './debugTarget.js';
import { MachineTarget } from './machineTarget.js';

export async function buildMachine(config: MachineConfig): Promise<BuiltMachine> {
  const notes: string[] = [];
  const approved = new Set((config.approvedBackingPaths ?? []).map((p) => resolve(p)));
  const allow = (p: string): boolean => approved.has(resolve(p));
  const opened: BlockDevice[] = [];
  const bootImage = config.hardDisk ?? config.floppy;

  const open = (path: string): BlockDevice => {
    const base = resolve(path);
    if (config.overlay && path === bootImage) {
      const overlay = resolve(config.overlay);
      if (!existsSync(overlay)) {
        createOverlay(base, overlay, { backingPathInOverlay: 'absolute', allowBackingPath: allow });
        notes.push(`the guest's writes go to a new session overlay (${overlay}); ${base} is never written`);
      } else {
        notes.push(`continuing the session overlay ${overlay}; ${base} is never written`);
      }
      const disk = openDisk(overlay, { allowBackingPath: (p) => resolve(p) === base || allow(p) });
      opened.push(disk);
      return disk;
    }
    const disk = openDisk(base, { readOnly: true, allowBackingPath: allow });
    opened.push(disk);
    notes.push(`${base} is opened read-only; the guest's writes to it are kept in memory and dropped at power off`);
    return new CopyOnWriteDisk(disk);
  };

  const flushAll = (): void => {
    for (const d of opened) if (!d.readOnly) d.flush();
  };
  const closeAll = (): void => {
    for (const d of opened.splice(0)) {
      try {
        if (!d.readOnly) d.flush();
      } finally {
        d.close();
      }
    }
  };

  let cpu: Cpu | null = null;
  let machine: Machine;
  try {
    const hardDisk = config.hardDisk ? { image: open(config.hardDisk) } : null;
    const floppy = config.floppy ? { image: open(config.floppy) } : null;
    const floppyFirst = config.bootOrder === 'a' || (config.bootOrder === undefined && floppy !== null);
    machine = new Machine(
      {
        memoryMiB: config.memoryMiB,
        cpu: config.cpu,
        hardDisk,
        floppy,
        bootOrder: floppyFirst ? ['floppy', 'hard'] : ['hard', 'floppy'],
        ...(config.rtcTime ? { rtcStart: new Date(config.rtcTime) } : {}),
      },
      (o) => (cpu = new Cpu(o)),
    );
  } catch (e) {
    closeAll();
    throw e;
  }
  if (cpu === null) throw new Error('the machine did not build its CPU');
  machine.boot();
  const target = new MachineTarget(machine, cpu);
  const outputs: TargetOutputListener[] = [];
  let line = '';
  machine.onSerial = (byte) => {
    line += String.fromCharCode(byte);
    if (byte === 10 || line.length >= 256) {
      for (const l of outputs) l(line);
      line = '';
    }
  };
  return {
    target,
    display: target,
    notes,
    onOutput: (l) => outputs.push(l),
    flush: flushAll,
    close: closeAll,
  };
}
