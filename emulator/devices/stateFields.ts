/**
 * Typed readers for the nested parts of device states (per-channel records, queues, sub-devices),
 * complementing the scalar readers in machine/device.ts. A missing or mistyped field is a
 * StateError, never a silent default, so a damaged snapshot is refused before it corrupts a device.
 */
import { StateError, type DeviceState, type StateValue } from '../machine/device.js';

export type StateFields = DeviceState['fields'];

/** A nested record (one PIT counter, one DMA channel). */
export function objField(fields: StateFields, key: string): StateFields {
  const v = fields[key];
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new StateError(`state field '${key}' is not a record`);
  }
  return v as StateFields;
}

/** A list of nested records, with the expected length. */
export function objListField(fields: StateFields, key: string, length: number): StateFields[] {
  const v = fields[key];
  if (!Array.isArray(v) || v.length !== length) throw new StateError(`state field '${key}' is not a list of ${length} records`);
  return (v as readonly StateValue[]).map((item, i) => objField({ [`${key}[${i}]`]: item }, `${key}[${i}]`));
}

/** An integer in [min, max]: guards indices and register widths restored from a snapshot. */
export function intField(fields: StateFields, key: string, min: number, max: number): number {
  const v = fields[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new StateError(`state field '${key}' is not an integer in ${min}..${max}`);
  }
  return v;
}

/** A tick or count that may be any finite number (virtual times), or -1 for "none". */
export function timeField(fields: StateFields, key: string): number {
  const v = fields[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StateError(`state field '${key}' is not a finite number`);
  return v;
}

/** A byte array of an exact length (register files, sector buffers). */
export function fixedBytesField(fields: StateFields, key: string, length: number): Uint8Array {
  const v = fields[key];
  if (!(v instanceof Uint8Array) || v.length !== length) throw new StateError(`state field '${key}' is not ${length} bytes`);
  return v;
}

/** A sub-device's whole state stored inside its owner's state (the 8042's keyboard and mouse). */
export function nestedState(fields: StateFields, key: string): DeviceState {
  const f = objField(fields, key);
  const device = f.device;
  const version = f.version;
  if (typeof device !== 'string' || typeof version !== 'number') throw new StateError(`state field '${key}' is not a device state`);
  return { device, version, fields: objField(f, 'fields') };
}

/** Stores a sub-device's state as a plain nested record (the inverse of nestedState). */
export function nest(state: DeviceState): StateFields {
  return { device: state.device, version: state.version, fields: state.fields };
}

/** A Uint16Array of an exact length (DMA address and count registers). */
export function fixedWordsField(fields: StateFields, key: string, length: number): Uint16Array {
  const v = fields[key];
  if (!(v instanceof Uint16Array) || v.length !== length) throw new StateError(`state field '${key}' is not ${length} 16-bit words`);
  return v;
}
