/**
 * Runs a conformance program on our CPU, with the same signature and result as runInQemu.
 *
 * The machine around the CPU is the least the programs need, modelled on what QEMU's `pc` machine
 * does for the same port accesses:
 *   E9h      output (QEMU's debugcon; reads return E9h as there)
 *   F4h-F7h  stop (QEMU's isa-debug-exit)
 *   70h/71h  CMOS RAM index/data: 128 bytes that survive a reset (the shutdown byte 0Fh)
 *   92h      system control port A: bit 1 drives the A20 gate, a rising bit 0 resets the CPU
 *   60h/64h  keyboard controller: status reads "input buffer empty"; command FEh pulses RESET
 * A triple fault stops the CPU with stopReason 'shutdown'; the PC's chipset answers a shutdown cycle
 * with RESET, so the runner resets the CPU (RAM kept) and goes on, as QEMU does.
 */
import { Cpu } from '../../emulator/cpu/cpu.js';
import { IoBus, type PortHandler } from '../../emulator/io/ioBus.js';
import { PhysicalMemory } from '../../emulator/memory/physicalMemory.js';
import { assembleProgram, type ProgramResult } from './programAssembler.js';

/** Instructions a program may run before the runner gives up (QEMU's runs take well under 1e7). */
export const OUR_INSTRUCTION_BUDGET = 200_000_000;
const SLICE = 1_000_000;
const RAM_SIZE = 16 * 1024 * 1024;
/** More resets than this means a program that resets forever. */
const MAX_RESETS = 16;

class PcStub {
  output = '';
  stopped = false;
  resetPending = false;
  private readonly cmos = new Uint8Array(128);
  private cmosIndex = 0;
  private port92 = 0x02;

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly requestStop: () => void,
  ) {}

  register(io: IoBus): void {
    const e9: PortHandler = {
      read8: () => 0xe9,
      write8: (_p, v) => {
        this.output += String.fromCharCode(v);
      },
    };
    io.register(0xe9, 0xe9, e9, 'cpu-pm', 'output');
    io.register(0xf4, 0xf7, { read8: () => 0xff, write8: () => this.stop() }, 'cpu-pm', 'exit');
    io.register(
      0x70,
      0x71,
      {
        read8: (p) => (p === 0x71 ? this.cmos[this.cmosIndex] : 0xff),
        write8: (p, v) => {
          if (p === 0x70) this.cmosIndex = v & 0x7f;
          else this.cmos[this.cmosIndex] = v;
        },
      },
      'cpu-pm',
      'cmos',
    );
    io.register(
      0x92,
      0x92,
      {
        read8: () => this.port92,
        write8: (_p, v) => {
          const rising = (v & 1) !== 0 && (this.port92 & 1) === 0;
          this.port92 = v & 0x03;
          this.memory.setA20((v & 2) !== 0);
          if (rising) this.requestReset();
        },
      },
      'cpu-pm',
      'system control A',
    );
    io.register(
      0x60,
      0x60,
      { read8: () => 0, write8: () => undefined },
      'cpu-pm',
      'kbc data',
    );
    io.register(
      0x64,
      0x64,
      {
        read8: () => 0x1c,
        write8: (_p, v) => {
          if (v === 0xfe) this.requestReset();
        },
      },
      'cpu-pm',
      'kbc command',
    );
  }

  /** The state a system reset leaves in these pieces: A20 on, port 92h cleared, CMOS kept. */
  afterReset(): void {
    this.port92 = 0x02;
    this.memory.setA20(true);
    this.resetPending = false;
  }

  private stop(): void {
    this.stopped = true;
    this.requestStop();
  }

  private requestReset(): void {
    this.resetPending = true;
    this.requestStop();
  }
}

/**
 * `reloadEvery`: every that many instructions the CPU's state is saved and loaded into a new CPU
 * (RAM carried over), which then runs on: a save/load test whose oracle is the plain run.
 */
export function runInOurCpu(name: string, reloadEvery = 0): Promise<ProgramResult> {
  return Promise.resolve(runSync(assembleProgram(name), reloadEvery));
}

function runSync(rom: Uint8Array, reloadEvery: number): ProgramResult {
  const memory = new PhysicalMemory(RAM_SIZE);
  memory.loadRom(0xf0000, rom);
  const io = new IoBus();
  let cpu = new Cpu({ model: '486', memory, io });
  const pc = new PcStub(memory, () => cpu.requestStop());
  pc.register(io);
  cpu.reset('power');
  let executed = 0;
  let resets = 0;
  const slice = reloadEvery > 0 ? reloadEvery : SLICE;
  while (!pc.stopped && executed < OUR_INSTRUCTION_BUDGET) {
    if (reloadEvery > 0 && executed > 0) {
      const state = cpu.saveState();
      cpu = new Cpu({ model: '486', memory, io });
      cpu.loadState(state);
    }
    executed += cpu.run(slice);
    if (pc.stopped) break;
    if (pc.resetPending || cpu.stopReason === 'shutdown') {
      if (++resets > MAX_RESETS) break;
      cpu.reset('hard');
      pc.afterReset();
      continue;
    }
    // A halted CPU with interrupts off never wakes up: nothing here raises INTR or NMI.
    if (cpu.stopReason === 'halt') break;
    if (cpu.stopReason === 'unsupported') {
      // Shown in the diff against QEMU, so the reason a program stops early is visible.
      pc.output += `\n[our CPU stopped: unsupported: ${cpu.unsupportedReason}]\n`;
      break;
    }
  }
  return { output: pc.output, finished: pc.stopped };
}
