/**
 * Parses what a user types in the watch view, the debug console, a hover, a breakpoint condition
 * or a function breakpoint into an expression tree (protocol/debugExpression.ts).
 *
 * Numbers: `1234h` and `0x1234` are hex, `1234` is decimal, a token with hex letters (`7C00`) is
 * hex, and both halves of `seg:off`, like the number after `lin:`/`phys:`, are hex (`0000:0100`
 * is 0:100h). Memory operands need a size:
 * `byte [es:di+4]`, `word [bx]`, `dword [lin:0x1000]`; without a segment, `[bp...]`/`[sp...]` use
 * SS and everything else DS, as the CPU does. Address literals: `seg:off` (a selector in protected
 * mode), `lin:<expr>`, `phys:<expr>`.
 */
import type { AddressExpr, BinaryOp, Expr } from '../protocol/debugExpression.js';
import type { RegisterName, SegmentRegister } from '../protocol/machineState.js';

export class ParseError extends Error {
  override readonly name = 'ParseError';
}

const REGISTERS = new Set<string>([
  'eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi',
  'ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di',
  'al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh',
  'es', 'cs', 'ss', 'ds', 'fs', 'gs',
  'cf', 'pf', 'af', 'zf', 'sf', 'tf', 'if', 'df', 'of', 'nt', 'rf', 'vm', 'ac',
  'eip', 'ip', 'eflags', 'flags', 'cr0', 'cr2', 'cr3',
]);
const SEGMENT_REGISTERS = new Set<string>(['es', 'cs', 'ss', 'ds', 'fs', 'gs']);
const SIZES: { readonly [k: string]: 1 | 2 | 4 } = { byte: 1, word: 2, dword: 4 };

type Tok =
  | { t: 'num'; value: number; text: string; bare: boolean; pos: number }
  | { t: 'id'; text: string; pos: number }
  | { t: 'op'; text: string; pos: number }
  | { t: 'end'; pos: number };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', '[', ']', ':', ','];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(c)) {
      let text: string;
      let value: number;
      let bare = false;
      const m0x = /^0[xX]([0-9a-fA-F]+)/.exec(src.slice(i));
      if (m0x) {
        text = m0x[0];
        value = parseInt(m0x[1], 16);
      } else {
        const m = /^[0-9a-fA-F]+[hH]?/.exec(src.slice(i)) as RegExpExecArray;
        text = m[0];
        if (/[hH]$/.test(text)) value = parseInt(text.slice(0, -1), 16);
        else if (/^[0-9]+$/.test(text)) {
          value = parseInt(text, 10);
          bare = true;
        } else value = parseInt(text, 16);
      }
      i += text.length;
      if (i < src.length && /[A-Za-z0-9_]/.test(src[i])) throw new ParseError(`bad number '${src.slice(start, i + 1)}' at column ${start + 1}`);
      if (value > 0xffffffff) throw new ParseError(`number '${text}' does not fit in 32 bits`);
      out.push({ t: 'num', value, text, bare, pos: start });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', text: m[0].toLowerCase(), pos: start });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ParseError(`unexpected character '${c}' at column ${i + 1}`);
    out.push({ t: 'op', text: op, pos: start });
    i += op.length;
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

const LEVELS: readonly (readonly BinaryOp[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i];
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.text === text;
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) throw new ParseError(`expected '${text}' ${this.where()}`);
    this.i++;
  }

  where(): string {
    const t = this.peek();
    return t.t === 'end' ? 'at the end' : `at column ${t.pos + 1} ('${t.t === 'num' || t.t === 'id' || t.t === 'op' ? t.text : ''}')`;
  }

  atEnd(): boolean {
    return this.peek().t === 'end';
  }

  expr(level = 0): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.expr(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.t !== 'op' || !(LEVELS[level] as readonly string[]).includes(t.text)) return left;
      this.i++;
      const right = this.expr(level + 1);
      left = { k: 'binary', op: t.text as BinaryOp, left, right };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t.t === 'op' && (t.text === '-' || t.text === '~' || t.text === '!')) {
      this.i++;
      return { k: 'unary', op: t.text, arg: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.t === 'op' && t.text === '(') {
      this.i++;
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (t.t === 'op' && t.text === '[') {
      throw new ParseError(`a memory operand needs a size: byte [...], word [...] or dword [...] (column ${t.pos + 1})`);
    }
    if (t.t === 'id' && SIZES[t.text] !== undefined) {
      this.i++;
      const size = SIZES[t.text];
      const ptr = this.peek();
      if (ptr.t === 'id' && ptr.text === 'ptr') this.i++;
      this.expectOp('[');
      const address = this.bracketAddress();
      this.expectOp(']');
      return { k: 'mem', size, address };
    }
    if (t.t === 'id' && (t.text === 'lin' || t.text === 'phys') && this.toks[this.i + 1].t === 'op' && (this.toks[this.i + 1] as { text: string }).text === ':') {
      this.i += 2;
      const value = this.offsetExpr(8);
      return { k: 'addr', address: t.text === 'lin' ? { kind: 'linear', value } : { kind: 'physical', value } };
    }
    if (t.t === 'num' || (t.t === 'id' && REGISTERS.has(t.text))) {
      this.i++;
      if (this.isOp(':') && (t.t === 'num' || SEGMENT_REGISTERS.has(t.text))) {
        this.i++;
        const seg: SegmentRegister | Expr = t.t === 'num' ? { k: 'num', value: hexOf(t) } : (t.text as SegmentRegister);
        const offset = this.offsetExpr(8);
        return { k: 'addr', address: { kind: 'segoff', seg, offset } };
      }
      return t.t === 'num' ? { k: 'num', value: t.value } : { k: 'reg', name: t.text as RegisterName };
    }
    if (t.t === 'id') {
      throw new ParseError(
        `unknown name '${t.text}' at column ${t.pos + 1}: expected a register (ax, es, zf...), a number (1234h, 0x1234), seg:off, or byte/word/dword [...]`,
      );
    }
    throw new ParseError(t.t === 'end' ? 'the expression ends too early' : `unexpected '${t.text}' at column ${t.pos + 1}`);
  }

  /** An offset after `seg:`: a bare leading number is hex, as in debuggers' seg:off notation. */
  private offsetExpr(level: number): Expr {
    const t = this.peek();
    if (t.t === 'num' && t.bare) {
      this.toks[this.i] = { ...t, value: hexOf(t), bare: false };
    }
    return this.expr(level);
  }

  private bracketAddress(): AddressExpr {
    const t = this.peek();
    const next = this.toks[this.i + 1];
    const colon = next.t === 'op' && next.text === ':';
    if (colon && t.t === 'id' && (t.text === 'lin' || t.text === 'phys')) {
      this.i += 2;
      const value = this.offsetExpr(0);
      return t.text === 'lin' ? { kind: 'linear', value } : { kind: 'physical', value };
    }
    if (colon && t.t === 'id' && SEGMENT_REGISTERS.has(t.text)) {
      this.i += 2;
      return { kind: 'segoff', seg: t.text as SegmentRegister, offset: this.offsetExpr(0) };
    }
    if (colon && t.t === 'num') {
      this.i += 2;
      return { kind: 'segoff', seg: { k: 'num', value: hexOf(t) }, offset: this.offsetExpr(0) };
    }
    const offset = this.expr();
    return { kind: 'segoff', seg: usesStack(offset) ? 'ss' : 'ds', offset };
  }
}

function hexOf(t: Tok): number {
  if (t.t !== 'num') return 0;
  return t.bare ? parseInt(t.text, 16) : t.value;
}

function usesStack(e: Expr): boolean {
  if (e.k === 'reg') return e.name === 'bp' || e.name === 'ebp' || e.name === 'sp' || e.name === 'esp';
  if (e.k === 'binary') return usesStack(e.left) || usesStack(e.right);
  if (e.k === 'unary') return usesStack(e.arg);
  return false;
}

/** Parses a whole expression; throws a ParseError that says what is wrong and where. */
export function parseExpression(text: string): Expr {
  if (text.trim() === '') throw new ParseError('the expression is empty');
  const p = new Parser(tokenize(text));
  const e = p.expr();
  if (!p.atEnd()) throw new ParseError(`unexpected text ${p.where()}`);
  return e;
}

/**
 * Parses a code address for a function breakpoint or a `goto`: `0000:7C00`, `sel:off`, `0x7C00`
 * and `7C00h` (linear), `lin:...`, `phys:...`, or any expression (its value is a linear address).
 */
export function parseCodeAddress(text: string): AddressExpr {
  const e = parseExpression(text);
  if (e.k === 'addr') return e.address;
  if (e.k === 'mem') throw new ParseError(`'${text.trim()}' reads memory; a breakpoint needs an address (seg:off, 0x7C00, lin:..., phys:...)`);
  return { kind: 'linear', value: e };
}

/**
 * Parses a logpoint message: `{expr}` holes in text (`{{` and `}}` are literal braces).
 */
export function parseLogMessage(text: string): ({ text: string } | { expr: Expr })[] {
  const parts: ({ text: string } | { expr: Expr })[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      lit += c;
      i++;
      continue;
    }
    if (c === '{') {
      const end = text.indexOf('}', i);
      if (end < 0) throw new ParseError(`logpoint message has an unclosed '{' at column ${i + 1}`);
      if (lit) parts.push({ text: lit });
      lit = '';
      parts.push({ expr: parseExpression(text.slice(i + 1, end)) });
      i = end;
      continue;
    }
    lit += c;
  }
  if (lit) parts.push({ text: lit });
  return parts;
}

/** Parses a DAP hit condition: `5`, `== 5`, `>= 5`, `> 5`, `% 5`. */
export function parseHitCondition(text: string): { op: '==' | '>=' | '>' | '%'; count: number } {
  const m = /^\s*(==|>=|>|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ParseError(`hit condition '${text}' is not one of: N, == N, >= N, > N, % N`);
  const count = parseInt(m[2], 10);
  if (m[1] === '%' && count === 0) throw new ParseError('hit condition % 0 would never fire');
  return { op: (m[1] ?? '==') as '==' | '>=' | '>' | '%', count };
}
