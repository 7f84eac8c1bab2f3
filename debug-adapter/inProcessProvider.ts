/**
 * The machine provider of the standalone adapter (`win31 dap`): the machine runs in this process.
 * Relative image paths resolve against `cwd` from the launch configuration, else the process's
 * working folder. Without an overlay the base image is opened read-only and the guest's writes
 * stay in memory.
 */
import { isAbsolute, resolve } from 'node:path';
import type { MachineConfig } from '../protocol/machineState.js';
import type { MachineFactory } from '../emulator/worker/builtMachine.js';
import { InProcessMachineClient } from '../emulator/worker/inProcessClient.js';
import type { InstructionDecoder } from './decoder.js';
import type { AttachArguments, LaunchArguments, MachineProvider, ProvidedMachine } from './session.js';

export function launchConfig(args: LaunchArguments): MachineConfig {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(args.cwd ?? process.cwd(), p));
  const memory = args.memory ?? 16;
  if (!Number.isInteger(memory) || memory < 1 || memory > 64) throw new Error(`'memory' must be a whole number of MiB from 1 to 64, not ${String(args.memory)}`);
  if (args.cpu !== undefined && args.cpu !== '386' && args.cpu !== '486') throw new Error(`'cpu' must be "386" or "486", not ${JSON.stringify(args.cpu)}`);
  const speeds = ['max', '486-33', '386-25'];
  if (args.speed !== undefined && !speeds.includes(args.speed)) throw new Error(`'speed' must be one of ${speeds.join(', ')}, not ${JSON.stringify(args.speed)}`);
  return {
    ...(args.image ? { hardDisk: at(args.image) } : {}),
    ...(args.floppy ? { floppy: at(args.floppy) } : {}),
    memoryMiB: memory,
    cpu: args.cpu ?? '486',
    speed: args.speed ?? 'max',
  };
}

export class InProcessProvider implements MachineProvider {
  private current: InProcessMachineClient | null = null;

  constructor(
    private readonly factory: MachineFactory,
    private readonly decoder: () => InstructionDecoder,
  ) {}

  async launch(args: LaunchArguments): Promise<ProvidedMachine> {
    const built = await this.factory(launchConfig(args));
    const client = new InProcessMachineClient(built.target, { speed: args.speed ?? 'max' });
    built.onOutput((text) => client.emitOutput(text));
    client.onEvent((e) => {
      if (e.kind === 'terminated') built.close();
    });
    this.current = client;
    return { client, decoder: this.decoder(), notes: built.notes, owned: true };
  }

  async attach(_args: AttachArguments): Promise<ProvidedMachine> {
    if (!this.current) throw new Error('the standalone adapter has no running machine to attach to: use a launch configuration');
    return { client: this.current, decoder: this.decoder(), notes: [], owned: false };
  }
}
