/**
 * The contract every emulated device follows, so the machine can reset it, snapshot it and show it
 * in the debugger without knowing what it is.
 */

/**
 * `power`: power-on (all state to its documented reset values, RAM contents undefined).
 * `hard`: the RESET line (8042 pulse, port 92h, triple fault, Ctrl-Alt-Del): RAM and CMOS survive.
 */
export type ResetKind = 'power' | 'hard';

/** Values a saved state may hold. Named fields only: never positional arrays of mixed meaning. */
export type StateValue =
  | number
  | boolean
  | string
  | null
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int32Array
  | Float64Array
  | readonly StateValue[]
  | { readonly [field: string]: StateValue };

export interface DeviceState {
  /** The device name this state belongs to; loadState refuses a state for another device. */
  readonly device: string;
  /** Bumped whenever the meaning of a field changes; loadState refuses versions it does not know. */
  readonly version: number;
  readonly fields: { readonly [field: string]: StateValue };
}

/** One row of a device's register view in the debugger. */
export interface InspectNode {
  readonly name: string;
  readonly value: string;
  readonly children?: readonly InspectNode[];
}

export interface Device {
  /** Stable identifier, unique in a machine (`pic-master`, `pit`, `vga`). */
  readonly name: string;
  reset(kind: ResetKind): void;
  saveState(): DeviceState;
  loadState(state: DeviceState): void;
  /** A side-effect-free view of the registers for the debugger. */
  inspect(): readonly InspectNode[];
}

export class StateError extends Error {}

/** Checks that a state belongs to this device and has a version it understands. */
export function expectState(state: DeviceState, device: string, version: number): DeviceState['fields'] {
  if (state.device !== device) throw new StateError(`state for '${state.device}' given to device '${device}'`);
  if (state.version !== version) {
    throw new StateError(`device '${device}' cannot load state version ${state.version} (it understands ${version})`);
  }
  return state.fields;
}

/** Typed field readers for loadState: a missing or mistyped field is an error, not a silent default. */
export function numField(fields: DeviceState['fields'], key: string): number {
  const v = fields[key];
  if (typeof v !== 'number') throw new StateError(`state field '${key}' is not a number`);
  return v;
}

export function boolField(fields: DeviceState['fields'], key: string): boolean {
  const v = fields[key];
  if (typeof v !== 'boolean') throw new StateError(`state field '${key}' is not a boolean`);
  return v;
}

export function strField(fields: DeviceState['fields'], key: string): string {
  const v = fields[key];
  if (typeof v !== 'string') throw new StateError(`state field '${key}' is not a string`);
  return v;
}

export function bytesField(fields: DeviceState['fields'], key: string): Uint8Array {
  const v = fields[key];
  if (!(v instanceof Uint8Array)) throw new StateError(`state field '${key}' is not a byte array`);
  return v;
}

export function hex(value: number, digits: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}
