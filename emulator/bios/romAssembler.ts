/**
 * A small two-way-compatible x86 assembler for the BIOS ROMs: it reads a subset of nasm syntax
 * (16-bit code, `bits 16` only) and produces the same bytes nasm does for that source, which the
 * tests check by assembling the ROM sources with both. It exists so the extension can build its
 * ROMs at startup without nasm.
 *
 * Supported: labels (`name:`, local `.name`), `equ`, `org`, `db`/`dw`/`dd` (numbers, strings,
 * expressions), `times`, prefixes (rep/repe/repne/o32 and segment prefixes on string instructions),
 * the integer instructions the ROM uses, 16-bit addressing modes with segment overrides, and the
 * private `biostrap N` pseudo-instruction (0F 3F followed by the 16-bit service number; the tests
 * define it as a nasm macro). Jumps are sized like nasm's optimiser does: short when the target is
 * in range, else near, found by iterating until every label is stable.
 */

import { AsmError, ExprParser } from './romExpression.js';

export { AsmError } from './romExpression.js';

export interface AsmResult {
  readonly bytes: Uint8Array;
  /** Label name -> value (offsets include `org`). Local labels appear as `global.local`. */
  readonly labels: ReadonlyMap<string, number>;
}

const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SREG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const SEG_PREFIX = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

const CC: Record<string, number> = {
  o: 0, no: 1, b: 2, c: 2, nae: 2, nb: 3, nc: 3, ae: 3, e: 4, z: 4, ne: 5, nz: 5, be: 6, na: 6,
  a: 7, nbe: 7, s: 8, ns: 9, p: 10, pe: 10, np: 11, po: 11, l: 12, nge: 12, ge: 13, nl: 13,
  le: 14, ng: 14, g: 15, nle: 15,
};
const ALU: Record<string, number> = { add: 0, or: 1, adc: 2, sbb: 3, and: 4, sub: 5, xor: 6, cmp: 7 };
const SHIFT: Record<string, number> = { rol: 0, ror: 1, rcl: 2, rcr: 3, shl: 4, sal: 4, shr: 5, sar: 7 };
const UNARY: Record<string, number> = { not: 2, neg: 3, mul: 4, imul: 5, div: 6, idiv: 7 };
const SIMPLE: Record<string, number[]> = {
  cli: [0xfa], sti: [0xfb], cld: [0xfc], std: [0xfd], clc: [0xf8], stc: [0xf9], cmc: [0xf5],
  hlt: [0xf4], nop: [0x90], cbw: [0x98], cwd: [0x99], cwde: [0x66, 0x98], cdq: [0x66, 0x99],
  lahf: [0x9f], sahf: [0x9e], pusha: [0x60], popa: [0x61], pushad: [0x66, 0x60], popad: [0x66, 0x61],
  pushf: [0x9c], popf: [0x9d], pushfd: [0x66, 0x9c], popfd: [0x66, 0x9d], iret: [0xcf],
  iretd: [0x66, 0xcf], ret: [0xc3], retf: [0xcb], int3: [0xcc], into: [0xce], xlatb: [0xd7],
  movsb: [0xa4], movsw: [0xa5], movsd: [0x66, 0xa5], cmpsb: [0xa6], cmpsw: [0xa7], stosb: [0xaa],
  stosw: [0xab], stosd: [0x66, 0xab], lodsb: [0xac], lodsw: [0xad], lodsd: [0x66, 0xad], scasb: [0xae],
  scasw: [0xaf], insb: [0x6c], insw: [0x6d], insd: [0x66, 0x6d], outsb: [0x6e], outsw: [0x6f],
  outsd: [0x66, 0x6f], leave: [0xc9], wait: [0x9b],
};
const PREFIX: Record<string, number> = {
  rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2, lock: 0xf0, o32: 0x66, a32: 0x67,
  es: 0x26, cs: 0x2e, ss: 0x36, ds: 0x3e, fs: 0x64, gs: 0x65,
};

type Size = 0 | 1 | 2 | 4; // 0: not stated

interface RegOp {
  kind: 'reg';
  size: 1 | 2 | 4;
  n: number;
}
interface SregOp {
  kind: 'sreg';
  n: number;
}
interface MemOp {
  kind: 'mem';
  size: Size;
  seg: number; // -1: default
  base: string[]; // 16-bit address registers
  disp: number;
  /** True when the displacement names a label or `$`: nasm keeps such displacements 16-bit. */
  symbolic: boolean;
  far: boolean;
}
interface ImmOp {
  kind: 'imm';
  size: Size;
  value: number;
  /** Set for `seg:off` far pointers. */
  seg?: number;
  strict: 'short' | 'near' | 'far' | '';
}
type Operand = RegOp | SregOp | MemOp | ImmOp;

// The 16-bit r/m encodings, keyed by the sorted base/index registers.
const RM16: Record<string, number> = { 'bx+si': 0, 'bx+di': 1, 'bp+si': 2, 'bp+di': 3, si: 4, di: 5, bp: 6, bx: 7 };

interface Line {
  readonly text: string;
  readonly lineNo: number;
  readonly label: string | null;
  readonly op: string;
  readonly args: string;
  readonly scope: string;
}

/** Splits on commas that are outside quotes and brackets. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const ch of s) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      cur += ch;
    } else if (ch === '[' || ch === '(') {
      depth++;
      cur += ch;
    } else if (ch === ']' || ch === ')') {
      depth--;
      cur += ch;
    } else if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '' || out.length > 0) out.push(cur.trim());
  return out;
}

function stripComment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === ';') return s.slice(0, i);
  }
  return s;
}

class Assembler {
  private labels = new Map<string, number>();
  private prevLabels = new Map<string, number>();
  /** Jumps (by line index) that did not fit a short displacement in an earlier pass. */
  private readonly longJumps = new Set<number>();
  private org = 0;
  private out: number[] = [];
  private pos = 0;
  /** nasm's `$`: the address where the current source line starts. */
  private lineStart = 0;
  private lineIndex = 0;
  private final = false;
  private changedJump = false;
  private readonly lines: Line[];

  constructor(source: string) {
    this.lines = this.parse(source);
  }

  private parse(source: string): Line[] {
    const lines: Line[] = [];
    let scope = '';
    source.split('\n').forEach((raw, i) => {
      let text = stripComment(raw).trim();
      if (text === '') return;
      let label: string | null = null;
      const m = /^([.A-Za-z_][\w.]*)\s*:(?!\S*\])\s*(.*)$/.exec(text);
      if (m && !SREG.includes(m[1].toLowerCase())) {
        label = m[1];
        text = m[2];
      } else {
        const e = /^([.A-Za-z_][\w.]*)\s+equ\s+(.*)$/i.exec(text);
        if (e) {
          lines.push({ text: raw, lineNo: i + 1, label: e[1], op: 'equ', args: e[2], scope });
          return;
        }
      }
      if (label !== null) {
        if (!label.startsWith('.')) scope = label;
        else label = scope + label;
      }
      const sp = /^(\S+)\s*(.*)$/.exec(text);
      lines.push({
        text: raw,
        lineNo: i + 1,
        label,
        op: sp ? sp[1].toLowerCase() : '',
        args: sp ? sp[2] : '',
        scope,
      });
    });
    return lines;
  }

  run(): AsmResult {
    for (let pass = 0; pass < 40; pass++) {
      this.final = false;
      this.changedJump = false;
      this.onePass();
      const stable = this.sameLabels() && !this.changedJump;
      this.prevLabels = this.labels;
      if (stable && pass > 0) {
        this.final = true;
        this.onePass();
        return { bytes: Uint8Array.from(this.out), labels: this.labels };
      }
    }
    throw new AsmError('labels did not settle after 40 passes');
  }

  private sameLabels(): boolean {
    if (this.labels.size !== this.prevLabels.size) return false;
    for (const [k, v] of this.labels) if (this.prevLabels.get(k) !== v) return false;
    return true;
  }

  private onePass(): void {
    this.labels = new Map();
    this.out = [];
    this.pos = 0;
    this.org = 0;
    for (let i = 0; i < this.lines.length; i++) {
      this.lineIndex = i;
      const line = this.lines[i];
      try {
        this.line(line);
      } catch (e) {
        if (e instanceof AsmError && !e.message.startsWith('line ')) {
          throw new AsmError(`line ${line.lineNo}: ${e.message}: ${line.text.trim()}`);
        }
        throw e;
      }
    }
  }

  private here(): number {
    return this.org + this.pos;
  }

  private define(name: string, value: number): void {
    if (this.labels.has(name)) throw new AsmError(`label '${name}' defined twice`);
    this.labels.set(name, value);
  }

  private line(line: Line): void {
    if (line.op === 'equ') {
      this.define(line.label as string, this.expr(line.args, line.scope));
      return;
    }
    if (line.label !== null) this.define(line.label, this.here());
    if (line.op === '') return;
    this.lineStart = this.here();
    let op = line.op;
    let args = line.args;
    if (op === 'bits') {
      if (args.trim() !== '16') throw new AsmError('only bits 16 is supported');
      return;
    }
    if (op === 'org') {
      this.org = this.expr(args, line.scope) - this.pos;
      return;
    }
    if (op === 'times') {
      const m = /^(.+?)\s+(db|dw|dd|nop)\b\s*(.*)$/i.exec(args);
      if (!m) throw new AsmError('times needs a count and db/dw/dd');
      const count = this.expr(m[1], line.scope);
      if (count < 0) throw new AsmError('times count is negative');
      if (count === 0) return;
      // Assemble the item once and repeat its bytes (padding runs to tens of thousands of bytes);
      // an item that uses `$` is assembled each time, as its value moves.
      const first = this.out.length;
      this.insn(m[2].toLowerCase(), m[3], line.scope);
      if (m[3].includes('$')) {
        for (let k = 1; k < count; k++) this.insn(m[2].toLowerCase(), m[3], line.scope);
        return;
      }
      const item = this.out.slice(first);
      for (let k = 1; k < count; k++) this.emit(...item);
      return;
    }
    const prefixes: number[] = [];
    while (PREFIX[op] !== undefined && args !== '') {
      prefixes.push(PREFIX[op]);
      const sp = /^(\S+)\s*(.*)$/.exec(args) as RegExpExecArray;
      op = sp[1].toLowerCase();
      args = sp[2];
    }
    for (const p of prefixes) this.emit(p);
    this.insn(op, args, line.scope);
  }

  private emit(...bytes: number[]): void {
    for (const b of bytes) {
      this.out.push(b & 0xff);
      this.pos++;
    }
  }

  private emitW(v: number): void {
    this.emit(v & 0xff, (v >>> 8) & 0xff);
  }

  private emitD(v: number): void {
    this.emitW(v & 0xffff);
    this.emitW((v >>> 16) & 0xffff);
  }

  // ---- expressions ----

  private expr(text: string, scope: string): number {
    return new ExprParser(text, (name) => this.lookup(name, scope), this.lineStart, this.org).parse();
  }

  /** True when an expression refers to a label or `$` (its value may move between passes). */
  private symbolic(text: string): boolean {
    return /(^|[^\w.'"])(\$|[A-Za-z_.][\w.]*)/.test(text.replace(/'[^']*'|"[^"]*"/g, '0').replace(/\b0x[0-9a-f]+\b|\b[0-9][0-9a-f]*h\b/gi, '0'));
  }

  private lookup(name: string, scope: string): number {
    const full = name.startsWith('.') ? scope + name : name;
    const v = this.labels.get(full) ?? this.prevLabels.get(full);
    if (v !== undefined) return v;
    if (this.final) throw new AsmError(`undefined label '${full}'`);
    return 0;
  }

  // ---- operands ----

  private operand(textIn: string, scope: string): Operand {
    let text = textIn.trim();
    let size: Size = 0;
    let strict: ImmOp['strict'] = '';
    let far = false;
    for (;;) {
      const m = /^(byte|word|dword|short|near|far|strict)\s+(.*)$/i.exec(text);
      if (!m) break;
      const w = m[1].toLowerCase();
      if (w === 'byte') size = 1;
      else if (w === 'word') size = 2;
      else if (w === 'dword') size = 4;
      else if (w === 'far') far = true;
      else if (w === 'short' || w === 'near') strict = w;
      text = m[2].trim();
    }
    const lower = text.toLowerCase();
    let i = R8.indexOf(lower);
    if (i >= 0) return { kind: 'reg', size: 1, n: i };
    i = R16.indexOf(lower);
    if (i >= 0) return { kind: 'reg', size: 2, n: i };
    i = R32.indexOf(lower);
    if (i >= 0) return { kind: 'reg', size: 4, n: i };
    i = SREG.indexOf(lower);
    if (i >= 0) return { kind: 'sreg', n: i };
    if (text.startsWith('[')) {
      if (!text.endsWith(']')) throw new AsmError(`bad memory operand '${text}'`);
      let inner = text.slice(1, -1).trim();
      let seg = -1;
      const sm = /^(es|cs|ss|ds|fs|gs)\s*:\s*(.*)$/i.exec(inner);
      if (sm) {
        seg = SREG.indexOf(sm[1].toLowerCase());
        inner = sm[2];
      }
      const base: string[] = [];
      const rest: string[] = [];
      // Pull address registers out of a sum; what remains is the displacement expression.
      const terms = inner.split(/(?=[+-])/);
      for (const t of terms) {
        const tt = t.trim();
        const reg = tt.replace(/^\+/, '').trim().toLowerCase();
        if (['bx', 'bp', 'si', 'di'].includes(reg)) base.push(reg);
        else if (R32.includes(reg) || R16.includes(reg)) throw new AsmError(`register ${reg} cannot address memory in 16-bit code`);
        else rest.push(tt);
      }
      let dispText = rest.join('').trim();
      if (dispText.startsWith('+')) dispText = dispText.slice(1);
      const disp = dispText === '' ? 0 : this.expr(dispText, scope);
      return { kind: 'mem', size, seg, base, disp, symbolic: dispText !== '' && this.symbolic(dispText), far };
    }
    const fm = /^([^:'"]+):([^:'"]+)$/.exec(text);
    if (fm) {
      return { kind: 'imm', size, value: this.expr(fm[2], scope), seg: this.expr(fm[1], scope), strict: 'far' };
    }
    return { kind: 'imm', size, value: this.expr(text, scope), strict: far ? 'far' : strict };
  }

  private operands(args: string, scope: string): Operand[] {
    if (args.trim() === '') return [];
    return splitArgs(args).map((a) => this.operand(a, scope));
  }

  /** Emits the ModRM (and displacement) for a register or memory r/m with `reg` in bits 3-5. */
  private modrm(rm: Operand, reg: number): void {
    if (rm.kind === 'reg') {
      this.emit(0xc0 | (reg << 3) | rm.n);
      return;
    }
    if (rm.kind !== 'mem') throw new AsmError('expected a register or memory operand');
    if (rm.base.length === 0) {
      this.emit(0x06 | (reg << 3));
      this.emitW(rm.disp);
      return;
    }
    const key = [...rm.base].sort((a, b) => (a === 'bx' || a === 'bp' ? -1 : b === 'bx' || b === 'bp' ? 1 : 0)).join('+');
    const code = RM16[key];
    if (code === undefined) throw new AsmError(`bad address [${rm.base.join('+')}]`);
    const d = rm.disp;
    const sd = ((d & 0xffff) << 16) >> 16;
    if (d === 0 && code !== 6 && !rm.symbolic) this.emit((reg << 3) | code);
    else if (sd >= -128 && sd <= 127 && !rm.symbolic) {
      this.emit(0x40 | (reg << 3) | code);
      this.emit(sd);
    } else {
      this.emit(0x80 | (reg << 3) | code);
      this.emitW(d);
    }
  }

  private segPrefix(op: Operand): void {
    if (op.kind === 'mem' && op.seg >= 0) this.emit(SEG_PREFIX[op.seg]);
  }

  /** Operand-size prefix for a 32-bit operation. */
  private o32(size: number): void {
    if (size === 4) this.emit(0x66);
  }

  private sizeOf(a: Operand, b?: Operand): 1 | 2 | 4 {
    const s = a.kind === 'reg' ? a.size : a.kind === 'sreg' ? 2 : a.size;
    const t = b === undefined ? 0 : b.kind === 'reg' ? b.size : b.kind === 'sreg' ? 2 : b.kind === 'mem' ? b.size : 0;
    const r = s || t;
    if (r === 0) throw new AsmError('operation size not specified');
    return r;
  }

  private insn(op: string, args: string, scope: string): void {
    if (op === 'db' || op === 'dw' || op === 'dd') {
      this.data(op, args, scope);
      return;
    }
    if (op === 'biostrap') {
      this.emit(0x0f, 0x3f);
      this.emitW(this.expr(args, scope));
      return;
    }
    const simple = SIMPLE[op];
    const ops = this.operands(args, scope);
    if (simple && ops.length === 0) {
      this.emit(...simple);
      return;
    }
    const [a, b] = ops;
    if (ALU[op] !== undefined) return this.alu(ALU[op], a, b);
    if (SHIFT[op] !== undefined) return this.shift(SHIFT[op], a, b);
    if (UNARY[op] !== undefined && ops.length === 1) {
      this.segPrefix(a);
      const s = this.sizeOf(a);
      this.o32(s);
      this.emit(s === 1 ? 0xf6 : 0xf7);
      return this.modrm(a, UNARY[op]);
    }
    if (op.startsWith('j') && CC[op.slice(1)] !== undefined) return this.jcc(CC[op.slice(1)], a);
    switch (op) {
      case 'mov':
        return this.mov(a, b);
      case 'test':
        return this.test(a, b);
      case 'xchg':
        return this.xchg(a, b);
      case 'inc':
      case 'dec': {
        const n = op === 'inc' ? 0 : 1;
        if (a.kind === 'reg' && a.size !== 1) {
          this.o32(a.size);
          return this.emit((n ? 0x48 : 0x40) + a.n);
        }
        this.segPrefix(a);
        const s = this.sizeOf(a);
        this.o32(s);
        this.emit(s === 1 ? 0xfe : 0xff);
        return this.modrm(a, n);
      }
      case 'push':
      case 'pop':
        return this.pushPop(op === 'push', a);
      case 'in':
        return this.inOut(true, a, b);
      case 'out':
        return this.inOut(false, b, a);
      case 'int':
        return this.emit(0xcd, this.imm(a));
      case 'ret':
      case 'retf':
        this.emit(op === 'ret' ? 0xc2 : 0xca);
        return this.emitW(this.imm(a));
      case 'jmp':
      case 'call':
        return this.jmpCall(op === 'jmp', a);
      case 'loop':
      case 'loope':
      case 'loopz':
      case 'loopne':
      case 'loopnz':
      case 'jcxz': {
        const code = op === 'loop' ? 0xe2 : op === 'jcxz' ? 0xe3 : op === 'loope' || op === 'loopz' ? 0xe1 : 0xe0;
        const target = this.imm(a);
        const rel = target - (this.here() + 2);
        if (this.final && (rel < -128 || rel > 127)) throw new AsmError(`${op} target out of range`);
        return this.emit(code, rel);
      }
      case 'lea':
      case 'les':
      case 'lds': {
        if (a.kind !== 'reg' || b.kind !== 'mem') throw new AsmError(`${op} needs a register and memory`);
        this.segPrefix(b);
        this.o32(a.size);
        this.emit(op === 'lea' ? 0x8d : op === 'les' ? 0xc4 : 0xc5);
        return this.modrm(b, a.n);
      }
      case 'lgdt':
      case 'lidt': {
        if (a.kind !== 'mem') throw new AsmError(`${op} needs a memory operand`);
        this.segPrefix(a);
        this.emit(0x0f, 0x01);
        return this.modrm(a, op === 'lgdt' ? 2 : 3);
      }
      case 'movzx':
      case 'movsx': {
        if (a.kind !== 'reg') throw new AsmError(`${op} needs a register destination`);
        const s = b.kind === 'reg' ? b.size : b.kind === 'mem' ? b.size : 0;
        if (s !== 1 && s !== 2) throw new AsmError(`${op} source must be a byte or word`);
        this.segPrefix(b);
        this.o32(a.size);
        this.emit(0x0f, (op === 'movzx' ? 0xb6 : 0xbe) + (s === 2 ? 1 : 0));
        return this.modrm(b, a.n);
      }
      default:
        throw new AsmError(`unsupported instruction '${op}'`);
    }
  }

  private imm(a: Operand | undefined): number {
    if (a === undefined || a.kind !== 'imm') throw new AsmError('expected an immediate');
    return a.value;
  }

  private data(op: string, args: string, scope: string): void {
    for (const item of splitArgs(args)) {
      const q = /^(['"`])(.*)\1$/s.exec(item);
      if (q && (op === 'db' || q[2].length !== 1)) {
        const bytes = [...q[2]].map((c) => c.charCodeAt(0));
        const unit = op === 'db' ? 1 : op === 'dw' ? 2 : 4;
        while (bytes.length % unit) bytes.push(0);
        this.emit(...bytes);
        continue;
      }
      const v = this.expr(item, scope);
      if (op === 'db') this.emit(v);
      else if (op === 'dw') this.emitW(v);
      else this.emitD(v);
    }
  }

  private alu(n: number, a: Operand, b: Operand): void {
    if (b.kind === 'imm') {
      const s = this.sizeOf(a);
      this.segPrefix(a);
      this.o32(s);
      const v = b.value;
      const sb = v >= -128 && v <= 127;
      if (s === 1) {
        if (a.kind === 'reg' && a.n === 0) return this.emit(n * 8 + 4, v);
        this.emit(0x80);
        this.modrm(a, n);
        return this.emit(v);
      }
      if (sb || (s === 2 && ((v & 0xffff) >= 0xff80)) || (s === 4 && v >>> 0 >= 0xffffff80)) {
        this.emit(0x83);
        this.modrm(a, n);
        return this.emit(v);
      }
      if (a.kind === 'reg' && a.n === 0) {
        this.emit(n * 8 + 5);
        return s === 4 ? this.emitD(v) : this.emitW(v);
      }
      this.emit(0x81);
      this.modrm(a, n);
      return s === 4 ? this.emitD(v) : this.emitW(v);
    }
    if (b.kind === 'reg') {
      this.segPrefix(a);
      this.o32(b.size);
      this.emit(n * 8 + (b.size === 1 ? 0 : 1));
      return this.modrm(a, b.n);
    }
    if (a.kind === 'reg' && b.kind === 'mem') {
      this.segPrefix(b);
      this.o32(a.size);
      this.emit(n * 8 + (a.size === 1 ? 2 : 3));
      return this.modrm(b, a.n);
    }
    throw new AsmError('bad operands');
  }

  private shift(n: number, a: Operand, b: Operand): void {
    const s = this.sizeOf(a);
    this.segPrefix(a);
    this.o32(s);
    const w = s === 1 ? 0 : 1;
    if (b.kind === 'reg' && b.size === 1 && b.n === 1) {
      this.emit(0xd2 + w);
      return this.modrm(a, n);
    }
    const v = this.imm(b);
    if (v === 1) {
      this.emit(0xd0 + w);
      return this.modrm(a, n);
    }
    this.emit(0xc0 + w);
    this.modrm(a, n);
    this.emit(v);
  }

  private mov(a: Operand, b: Operand): void {
    if (a.kind === 'sreg' || b.kind === 'sreg') {
      if (a.kind === 'sreg') {
        this.segPrefix(b);
        this.emit(0x8e);
        return this.modrm(b, a.n);
      }
      this.segPrefix(a);
      this.emit(0x8c);
      return this.modrm(a, (b as SregOp).n);
    }
    if (b.kind === 'imm') {
      const s = this.sizeOf(a);
      if (a.kind === 'reg') {
        this.o32(s);
        this.emit((s === 1 ? 0xb0 : 0xb8) + a.n);
        return s === 1 ? this.emit(b.value) : s === 2 ? this.emitW(b.value) : this.emitD(b.value);
      }
      this.segPrefix(a);
      this.o32(s);
      this.emit(s === 1 ? 0xc6 : 0xc7);
      this.modrm(a, 0);
      return s === 1 ? this.emit(b.value) : s === 2 ? this.emitW(b.value) : this.emitD(b.value);
    }
    // The accumulator with a plain address uses the short moffs forms, as nasm does.
    if (a.kind === 'reg' && a.n === 0 && b.kind === 'mem' && b.base.length === 0) {
      this.segPrefix(b);
      this.o32(a.size);
      this.emit(a.size === 1 ? 0xa0 : 0xa1);
      return this.emitW(b.disp);
    }
    if (b.kind === 'reg' && b.n === 0 && a.kind === 'mem' && a.base.length === 0) {
      this.segPrefix(a);
      this.o32(b.size);
      this.emit(b.size === 1 ? 0xa2 : 0xa3);
      return this.emitW(a.disp);
    }
    if (b.kind === 'reg') {
      this.segPrefix(a);
      this.o32(b.size);
      this.emit(b.size === 1 ? 0x88 : 0x89);
      return this.modrm(a, b.n);
    }
    if (a.kind === 'reg' && b.kind === 'mem') {
      this.segPrefix(b);
      this.o32(a.size);
      this.emit(a.size === 1 ? 0x8a : 0x8b);
      return this.modrm(b, a.n);
    }
    throw new AsmError('bad operands');
  }

  private test(a: Operand, b: Operand): void {
    if (b.kind === 'imm') {
      const s = this.sizeOf(a);
      this.segPrefix(a);
      this.o32(s);
      if (a.kind === 'reg' && a.n === 0) {
        this.emit(s === 1 ? 0xa8 : 0xa9);
      } else {
        this.emit(s === 1 ? 0xf6 : 0xf7);
        this.modrm(a, 0);
      }
      return s === 1 ? this.emit(b.value) : s === 2 ? this.emitW(b.value) : this.emitD(b.value);
    }
    const [rm, reg] = b.kind === 'reg' ? [a, b] : [b, a];
    if (reg.kind !== 'reg') throw new AsmError('bad operands');
    this.segPrefix(rm);
    this.o32(reg.size);
    this.emit(reg.size === 1 ? 0x84 : 0x85);
    this.modrm(rm, reg.n);
  }

  private xchg(a: Operand, b: Operand): void {
    if (a.kind === 'reg' && b.kind === 'reg' && a.size !== 1 && (a.n === 0 || b.n === 0)) {
      this.o32(a.size);
      return this.emit(0x90 + (a.n === 0 ? b.n : a.n));
    }
    if (a.kind === 'reg' && b.kind === 'reg') {
      this.o32(a.size);
      this.emit(a.size === 1 ? 0x86 : 0x87);
      return this.modrm(b, a.n);
    }
    const [rm, reg] = a.kind === 'reg' ? [b, a] : [a, b];
    if (reg.kind !== 'reg') throw new AsmError('bad operands');
    this.segPrefix(rm);
    this.o32(reg.size);
    this.emit(reg.size === 1 ? 0x86 : 0x87);
    this.modrm(rm, reg.n);
  }

  private pushPop(push: boolean, a: Operand): void {
    if (a.kind === 'reg') {
      this.o32(a.size);
      return this.emit((push ? 0x50 : 0x58) + a.n);
    }
    if (a.kind === 'sreg') {
      if (a.n < 4) return this.emit(a.n * 8 + (push ? 6 : 7));
      return this.emit(0x0f, (a.n === 4 ? 0xa0 : 0xa8) + (push ? 0 : 1));
    }
    if (a.kind === 'imm') {
      if (!push) throw new AsmError('cannot pop an immediate');
      const v = a.value;
      if (v >= -128 && v <= 127) return this.emit(0x6a, v);
      this.emit(0x68);
      return this.emitW(v);
    }
    this.segPrefix(a);
    this.o32(this.sizeOf(a));
    this.emit(push ? 0xff : 0x8f);
    this.modrm(a, push ? 6 : 0);
  }

  /** `acc` is the AL/AX/EAX operand, `port` the immediate or DX. */
  private inOut(isIn: boolean, acc: Operand, port: Operand): void {
    if (acc.kind !== 'reg' || acc.n !== 0) throw new AsmError('in/out need AL, AX or EAX');
    this.o32(acc.size);
    const w = acc.size === 1 ? 0 : 1;
    if (port.kind === 'reg' && port.size === 2 && port.n === 2) return this.emit((isIn ? 0xec : 0xee) + w);
    this.emit((isIn ? 0xe4 : 0xe6) + w, this.imm(port));
  }

  private jmpCall(isJmp: boolean, a: Operand): void {
    if (a.kind === 'imm' && a.seg !== undefined) {
      this.emit(isJmp ? 0xea : 0x9a);
      this.emitW(a.value);
      return this.emitW(a.seg);
    }
    if (a.kind === 'mem' || a.kind === 'reg') {
      this.segPrefix(a);
      const far = a.kind === 'mem' && a.far;
      this.emit(0xff);
      return this.modrm(a, isJmp ? (far ? 5 : 4) : far ? 3 : 2);
    }
    if (a.kind !== 'imm') throw new AsmError('bad jump target');
    const target = a.value;
    if (!isJmp) {
      this.emit(0xe8);
      return this.emitW(target - (this.here() + 2));
    }
    if (this.useShort(a, target, 2)) return this.emit(0xeb, target - (this.here() + 2));
    this.emit(0xe9);
    this.emitW(target - (this.here() + 2));
  }

  /** Decides between the short and near form of a relative jump `size` bytes long when short. */
  private useShort(a: ImmOp, target: number, size: number): boolean {
    if (a.strict === 'near') return false;
    const rel = target - (this.here() + size);
    const fits = rel >= -128 && rel <= 127;
    if (a.strict === 'short') {
      if (this.final && !fits) throw new AsmError('short jump out of range');
      return true;
    }
    if (this.longJumps.has(this.lineIndex)) return false;
    if (!fits && this.prevLabels.size > 0) {
      this.longJumps.add(this.lineIndex);
      this.changedJump = true;
      return false;
    }
    return true;
  }

  private jcc(cc: number, a: Operand): void {
    if (a === undefined || a.kind !== 'imm') throw new AsmError('conditional jump needs a label');
    const target = a.value;
    if (this.useShort(a, target, 2)) return this.emit(0x70 + cc, target - (this.here() + 2));
    this.emit(0x0f, 0x80 + cc);
    this.emitW(target - (this.here() + 2));
  }
}

/** Assembles nasm-syntax 16-bit source. Throws AsmError naming the line on any problem. */
export function assemble(source: string): AsmResult {
  return new Assembler(source).run();
}

/** The nasm macro that gives `biostrap N` the meaning this assembler gives it. */
export const NASM_BIOSTRAP_MACRO = '%macro biostrap 1\n  db 0x0f, 0x3f\n  dw %1\n%endmacro\n';
