/**
 * The Variables view: scopes General, Segments, Flags, System and Stack built from a CpuState.
 * Registers are shown 16- or 32-bit by the code segment's size, with their 8-bit halves as
 * children; pointer-like registers carry a memoryReference (seg:off) so VS Code's memory
 * inspector opens on them.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { CpuState, MemoryBlock, RegisterName, SegmentRegister, SegmentState } from '../protocol/machineState.js';

export const SCOPE = { general: 1, segments: 2, flags: 3, system: 4, stack: 5 } as const;
const CHILD_GPR = 100;
const CHILD_SEG = 200;
const CHILD_TABLE = 300;

export const STACK_WORDS = 16;

const GPR32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp'] as const;
const SEGS: readonly SegmentRegister[] = ['cs', 'ds', 'es', 'ss', 'fs', 'gs'];
const FLAGS: readonly [string, number][] = [
  ['CF', 0], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['TF', 8], ['IF', 9], ['DF', 10], ['OF', 11], ['NT', 14], ['RF', 16], ['VM', 17], ['AC', 18],
];
/** The segment a pointer-like register is normally used with. */
const POINTER_SEG: { readonly [r: string]: SegmentRegister } = { ebx: 'ds', esi: 'ds', edi: 'es', ebp: 'ss', esp: 'ss' };

export function hex(v: number, digits: number): string {
  return '0x' + (v >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

function h(v: number, digits: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

export function is32(s: CpuState): boolean {
  return s.mode === 'protected' && s.cs.big;
}

/** A memoryReference in seg:off form (a selector in protected mode). */
export function segOffReference(s: CpuState, seg: SegmentRegister, offset: number): string {
  const wide = is32(s);
  return `${h(s[seg].selector, 4)}:${h(wide ? offset : offset & 0xffff, wide ? 8 : 4)}`;
}

export function linearReference(linear: number): string {
  return `lin:${h(linear, 8)}`;
}

export function scopes(): DebugProtocol.Scope[] {
  return [
    { name: 'General', variablesReference: SCOPE.general, expensive: false, presentationHint: 'registers' },
    { name: 'Segments', variablesReference: SCOPE.segments, expensive: false, presentationHint: 'registers' },
    { name: 'Flags', variablesReference: SCOPE.flags, expensive: false, presentationHint: 'registers' },
    { name: 'System', variablesReference: SCOPE.system, expensive: false, presentationHint: 'registers' },
    { name: 'Stack', variablesReference: SCOPE.stack, expensive: false, presentationHint: 'locals' },
  ];
}

function v(name: string, value: string, ref = 0, memoryReference?: string): DebugProtocol.Variable {
  const out: DebugProtocol.Variable = { name, value, variablesReference: ref };
  if (memoryReference !== undefined) out.memoryReference = memoryReference;
  return out;
}

export function segmentType(access: number): string {
  if ((access & 0x10) === 0) {
    const sys: { [t: number]: string } = {
      1: 'TSS-16 available', 2: 'LDT', 3: 'TSS-16 busy', 4: 'call gate-16', 5: 'task gate', 6: 'interrupt gate-16', 7: 'trap gate-16',
      9: 'TSS-32 available', 11: 'TSS-32 busy', 12: 'call gate-32', 14: 'interrupt gate-32', 15: 'trap gate-32',
    };
    return sys[access & 0xf] ?? `system type ${access & 0xf}`;
  }
  const parts = access & 8 ? ['code', access & 2 ? 'readable' : 'execute-only', access & 4 ? 'conforming' : ''] : ['data', access & 2 ? 'writable' : 'read-only', access & 4 ? 'expand-down' : ''];
  if (access & 1) parts.push('accessed');
  return parts.filter((p) => p !== '').join(', ');
}

function segmentChildren(seg: SegmentState): DebugProtocol.Variable[] {
  return [
    v('Base', hex(seg.base, 8)),
    v('Limit', hex(seg.limit, 8)),
    v('Type', segmentType(seg.access)),
    v('DPL', String((seg.access >>> 5) & 3)),
    v('Present', seg.access & 0x80 ? 'yes' : 'no'),
    v('D/B', seg.big ? '32-bit' : '16-bit'),
  ];
}

function modeLabel(s: CpuState): string {
  return s.mode === 'real' ? 'real' : s.mode === 'v86' ? 'virtual-8086' : `protected (${s.cs.big ? '32' : '16'}-bit code)`;
}

/** The variables under a reference; `stack` is the words at SS:SP (read by the caller). */
export function variables(s: CpuState, ref: number, stack: MemoryBlock | null): DebugProtocol.Variable[] {
  const wide = is32(s);
  if (ref === SCOPE.general) {
    const out = GPR32.map((r, i) => {
      const val = s[r];
      const name = wide ? r.toUpperCase() : r.slice(1).toUpperCase();
      const seg = POINTER_SEG[r];
      const memRef = seg ? segOffReference(s, seg, val) : undefined;
      const hasHalves = i < 4 || wide;
      return v(name, wide ? hex(val, 8) : hex(val & 0xffff, 4), hasHalves ? CHILD_GPR + i : 0, memRef);
    });
    out.push(v(wide ? 'EIP' : 'IP', wide ? hex(s.eip, 8) : hex(s.eip & 0xffff, 4), 0, segOffReference(s, 'cs', s.eip)));
    return out;
  }
  if (ref >= CHILD_GPR && ref < CHILD_GPR + GPR32.length) {
    const i = ref - CHILD_GPR;
    const r = GPR32[i];
    const val = s[r];
    const out: DebugProtocol.Variable[] = [];
    if (wide) out.push(v(r.slice(1).toUpperCase(), hex(val & 0xffff, 4)));
    if (i < 4) {
      const base = r[1].toUpperCase();
      out.push(v(`${base}H`, hex((val >>> 8) & 0xff, 2)), v(`${base}L`, hex(val & 0xff, 2)));
    }
    return out;
  }
  if (ref === SCOPE.segments) {
    return SEGS.map((r, i) => v(r.toUpperCase(), hex(s[r].selector, 4), CHILD_SEG + i));
  }
  if (ref >= CHILD_SEG && ref < CHILD_SEG + SEGS.length) return segmentChildren(s[SEGS[ref - CHILD_SEG]]);
  if (ref === SCOPE.flags) {
    const out = [v(wide ? 'EFLAGS' : 'FLAGS', wide ? hex(s.eflags, 8) : hex(s.eflags & 0xffff, 4))];
    for (const [name, bit] of FLAGS) out.push(v(name, String((s.eflags >>> bit) & 1)));
    out.push(v('IOPL', String((s.eflags >>> 12) & 3)));
    return out;
  }
  if (ref === SCOPE.system) {
    return [
      v('CR0', hex(s.cr0, 8)),
      v('CR2', hex(s.cr2, 8)),
      v('CR3', hex(s.cr3, 8)),
      v('GDTR', `base=${hex(s.gdtr.base, 8)} limit=${hex(s.gdtr.limit, 4)}`, 0, linearReference(s.gdtr.base)),
      v('IDTR', `base=${hex(s.idtr.base, 8)} limit=${hex(s.idtr.limit, 4)}`, 0, linearReference(s.idtr.base)),
      v('LDTR', hex(s.ldtr.selector, 4), CHILD_TABLE),
      v('TR', hex(s.tr.selector, 4), CHILD_TABLE + 1),
      v('CPL', String(s.cpl)),
      v('Mode', modeLabel(s)),
      v('A20', s.a20 ? 'enabled' : 'disabled'),
      v('Instructions', String(s.instructions)),
    ];
  }
  if (ref === CHILD_TABLE) return segmentChildren(s.ldtr);
  if (ref === CHILD_TABLE + 1) return segmentChildren(s.tr);
  if (ref === SCOPE.stack) {
    const out: DebugProtocol.Variable[] = [];
    const sp = wide ? s.esp : s.esp & 0xffff;
    const step = wide ? 4 : 2;
    for (let i = 0; i < STACK_WORDS; i++) {
      const name = `SP+${h(i * step, 2)}`;
      const memRef = segOffReference(s, 'ss', sp + i * step);
      if (!stack || (i + 1) * step > stack.readable) {
        out.push(v(name, 'unreadable', 0, memRef));
        continue;
      }
      let val = 0;
      for (let b = 0; b < step; b++) val |= stack.data[i * step + b] << (8 * b);
      out.push(v(name, hex(val, step * 2), 0, memRef));
    }
    return out;
  }
  return [];
}

/** The register behind a variable the user edits, or null (read-only rows). */
export function registerForVariable(ref: number, name: string): RegisterName | null {
  const n = name.toLowerCase();
  const editable = new Set([
    'eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp',
    'ah', 'al', 'bh', 'bl', 'ch', 'cl', 'dh', 'dl', 'eip', 'ip', 'cs', 'ds', 'es', 'ss', 'fs', 'gs',
    'eflags', 'flags', 'cf', 'pf', 'af', 'zf', 'sf', 'tf', 'if', 'df', 'of', 'nt', 'rf', 'ac', 'cr0', 'cr2', 'cr3',
  ]);
  if (ref === SCOPE.stack) return null;
  return editable.has(n) ? (n as RegisterName) : null;
}

/** Byte offset from SS:SP of a Stack-scope row (`SP+04`), or -1. */
export function stackSlot(name: string): number {
  const m = /^SP\+([0-9A-F]+)$/i.exec(name);
  return m ? parseInt(m[1], 16) : -1;
}
