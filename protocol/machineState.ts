/**
 * What a debugger or a host sees of a machine: the CPU's architectural state, memory blocks, stop
 * reasons and the launch configuration. Types only: the worker, the extension host, the standalone
 * adapter and the webview all speak these.
 */

export type CpuMode = 'real' | 'protected' | 'v86';
export type CpuModel = '386' | '486';
/** `max`: flat out; the others throttle virtual time to that clock (instructions per host ms). */
export type SpeedSetting = 'max' | '486-33' | '386-25';

/** A segment register: the visible selector plus the hidden descriptor cache the CPU uses. */
export interface SegmentState {
  readonly selector: number;
  readonly base: number;
  readonly limit: number;
  /** Descriptor access byte (P, DPL, S, type); 0x93/0x9B-like values in real mode. */
  readonly access: number;
  /** D/B bit: 32-bit default operand size (code) or stack size (stack). */
  readonly big: boolean;
}

export interface TableRegister {
  readonly base: number;
  readonly limit: number;
}

export interface CpuState {
  readonly eax: number;
  readonly ecx: number;
  readonly edx: number;
  readonly ebx: number;
  readonly esp: number;
  readonly ebp: number;
  readonly esi: number;
  readonly edi: number;
  readonly eip: number;
  readonly eflags: number;
  readonly es: SegmentState;
  readonly cs: SegmentState;
  readonly ss: SegmentState;
  readonly ds: SegmentState;
  readonly fs: SegmentState;
  readonly gs: SegmentState;
  readonly cr0: number;
  readonly cr2: number;
  readonly cr3: number;
  readonly gdtr: TableRegister;
  readonly idtr: TableRegister;
  readonly ldtr: SegmentState;
  readonly tr: SegmentState;
  readonly cpl: number;
  readonly mode: CpuMode;
  readonly a20: boolean;
  /** Linear address of CS:EIP. */
  readonly pcLinear: number;
  /** Instructions executed since power-on (the scheduler's clock). */
  readonly instructions: number;
}

export type GeneralRegister32 = 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi';
export type GeneralRegister16 = 'ax' | 'cx' | 'dx' | 'bx' | 'sp' | 'bp' | 'si' | 'di';
export type ByteRegister = 'al' | 'cl' | 'dl' | 'bl' | 'ah' | 'ch' | 'dh' | 'bh';
export type SegmentRegister = 'es' | 'cs' | 'ss' | 'ds' | 'fs' | 'gs';
export type FlagName = 'cf' | 'pf' | 'af' | 'zf' | 'sf' | 'tf' | 'if' | 'df' | 'of' | 'nt' | 'rf' | 'vm' | 'ac';
/** Every register an expression or `setRegister` may name. */
export type RegisterName =
  | GeneralRegister32
  | GeneralRegister16
  | ByteRegister
  | SegmentRegister
  | FlagName
  | 'eip'
  | 'ip'
  | 'eflags'
  | 'flags'
  | 'cr0'
  | 'cr2'
  | 'cr3';

export type AddressSpace = 'linear' | 'physical';

/** A block of guest memory. Bytes from `readable` on could not be read (unmapped, beyond RAM). */
export interface MemoryBlock {
  readonly address: number;
  readonly data: Uint8Array;
  readonly readable: number;
}

export type StopReason =
  | 'entry'
  | 'breakpoint'
  | 'step'
  | 'pause'
  | 'goto'
  | 'halt'
  | 'exception';

export interface StopEvent {
  readonly reason: StopReason;
  /** Breakpoint ids (from BreakpointSpec.id) that caused the stop. */
  readonly hitBreakpointIds: readonly number[];
  readonly pcLinear: number;
  /** Human text, e.g. the fault that stopped the CPU. */
  readonly description?: string;
}

export interface TerminatedEvent {
  /** `poweroff`, `triple-fault`, `error` (the reason says more). */
  readonly cause: 'poweroff' | 'triple-fault' | 'error';
  readonly reason: string;
}

export interface OutputEvent {
  /** `log`: a logpoint message; `serial`: bytes the guest wrote to COM1; `console`: host notes. */
  readonly category: 'log' | 'serial' | 'console';
  readonly text: string;
}

export type MachineEvent =
  | { readonly kind: 'stopped'; readonly stop: StopEvent }
  | { readonly kind: 'continued' }
  | { readonly kind: 'output'; readonly output: OutputEvent }
  | { readonly kind: 'terminated'; readonly terminated: TerminatedEvent };

export type RunState = 'running' | 'paused' | 'off';

export interface MachineStatus {
  readonly state: RunState;
  readonly instructions: number;
  /** Instructions per host second over the last measurement window (0 while paused). */
  readonly mips: number;
  /** Virtual clock in MHz: ticks per virtual second / 1e6. */
  readonly virtualMhz: number;
  readonly speed: SpeedSetting;
}

export interface MachineConfig {
  /** Hard disk image (qcow2 or raw): BIOS drive 80h. */
  readonly hardDisk?: string;
  /** Floppy image: BIOS drive 00h. */
  readonly floppy?: string;
  readonly memoryMiB: number;
  readonly cpu: CpuModel;
  readonly speed: SpeedSetting;
  /** `a` boots the floppy, `c` the hard disk; default: floppy when one is given. */
  readonly bootOrder?: 'a' | 'c';
  /**
   * Where the guest's writes go: a qcow2 overlay on top of the boot image (the hard disk, else the
   * floppy), created when missing. The base image is then opened read-only and never written.
   */
  readonly overlay?: string;
  /** Backing files outside an image's folder that the user agreed to follow (resolved paths). */
  readonly approvedBackingPaths?: readonly string[];
  /** RTC time at power-on (ISO 8601); default: a fixed date, for reproducible runs. */
  readonly rtcTime?: string;
}
