/**
 * Builds a Machine with the emulator's CPU. Kept apart from machine.ts so the wiring can be tested
 * with a fake CPU.
 */
import { Cpu } from '../cpu/cpu.js';
import { Machine } from './machine.js';
import type { MachineConfig } from './machineConfig.js';

export function createMachine(config: MachineConfig): Machine {
  return new Machine(config, ({ model, memory, io }) => new Cpu({ model, memory, io }));
}
