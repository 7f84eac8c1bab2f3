/**
 * Expressions of the ROM assembler's nasm subset: numbers (decimal, 0x.., ..h, ..b), character
 * constants, labels, `$` and `$$`, unary - + ~, * / %, + -, << >>, &, ^, | with nasm's precedence.
 */

export class AsmError extends Error {
  override readonly name = 'AsmError';
}

/** Recursive-descent evaluator for nasm expressions (integer arithmetic). */
export class ExprParser {
  private i = 0;
  private readonly toks: string[];

  constructor(
    text: string,
    private readonly lookup: (name: string) => number,
    private readonly here: number,
    private readonly start: number,
  ) {
    this.toks = text.match(/'[^']*'|"[^"]*"|\$\$|\$|<<|>>|[.A-Za-z_][\w.]*|[0-9][\w]*|[-+*/%&|^~()]/g) ?? [];
    const joined = this.toks.join('');
    if (joined.replace(/\s/g, '') !== text.replace(/\s/g, '')) throw new AsmError(`cannot parse expression '${text}'`);
  }

  parse(): number {
    const v = this.or();
    if (this.i !== this.toks.length) throw new AsmError(`unexpected '${this.toks[this.i]}'`);
    return v;
  }

  private peek(): string | undefined {
    return this.toks[this.i];
  }

  private or(): number {
    let v = this.xor();
    while (this.peek() === '|') {
      this.i++;
      v = v | this.xor();
    }
    return v;
  }

  private xor(): number {
    let v = this.and();
    while (this.peek() === '^') {
      this.i++;
      v = v ^ this.and();
    }
    return v;
  }

  private and(): number {
    let v = this.shift();
    while (this.peek() === '&') {
      this.i++;
      v = v & this.shift();
    }
    return v;
  }

  private shift(): number {
    let v = this.sum();
    for (;;) {
      const t = this.peek();
      if (t === '<<') {
        this.i++;
        v = v * 2 ** this.sum();
      } else if (t === '>>') {
        this.i++;
        v = Math.floor(v / 2 ** this.sum());
      } else return v;
    }
  }

  private sum(): number {
    let v = this.product();
    for (;;) {
      const t = this.peek();
      if (t === '+') {
        this.i++;
        v += this.product();
      } else if (t === '-') {
        this.i++;
        v -= this.product();
      } else return v;
    }
  }

  private product(): number {
    let v = this.unary();
    for (;;) {
      const t = this.peek();
      if (t === '*') {
        this.i++;
        v *= this.unary();
      } else if (t === '/') {
        this.i++;
        const d = this.unary();
        v = d === 0 ? 0 : Math.trunc(v / d);
      } else if (t === '%') {
        this.i++;
        const d = this.unary();
        v = d === 0 ? 0 : v % d;
      } else return v;
    }
  }

  private unary(): number {
    const t = this.peek();
    if (t === '-') {
      this.i++;
      return -this.unary();
    }
    if (t === '+') {
      this.i++;
      return this.unary();
    }
    if (t === '~') {
      this.i++;
      return ~this.unary();
    }
    return this.atom();
  }

  private atom(): number {
    const t = this.toks[this.i++];
    if (t === undefined) throw new AsmError('expression ends early');
    if (t === '(') {
      const v = this.or();
      if (this.toks[this.i++] !== ')') throw new AsmError('missing )');
      return v;
    }
    if (t === '$') return this.here;
    if (t === '$$') return this.start;
    if (t.startsWith("'") || t.startsWith('"')) {
      let v = 0;
      const s = t.slice(1, -1);
      for (let k = s.length - 1; k >= 0; k--) v = v * 256 + s.charCodeAt(k);
      return v;
    }
    if (/^[0-9]/.test(t)) return parseNumber(t);
    return this.lookup(t);
  }
}

function parseNumber(t: string): number {
  const s = t.toLowerCase().replace(/_/g, '');
  let m: RegExpExecArray | null;
  if ((m = /^0x([0-9a-f]+)$/.exec(s))) return parseInt(m[1], 16);
  if ((m = /^([0-9][0-9a-f]*)h$/.exec(s))) return parseInt(m[1], 16);
  if ((m = /^([01]+)b$/.exec(s)) || (m = /^0b([01]+)$/.exec(s))) return parseInt(m[1], 2);
  if (/^[0-9]+$/.test(s)) return parseInt(s, 10);
  throw new AsmError(`bad number '${t}'`);
}

