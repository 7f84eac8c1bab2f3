/**
 * Port scripts: a list of port and memory operations that runs both on our devices (through an
 * IoBus, here in TypeScript) and inside QEMU (interpreted by a boot sector assembled with nasm),
 * each printing what it reads as hex text, so a test can compare the chips register by register
 * with QEMU's. Used by the QEMU cross-check test; not part of the emulator.
 *
 * Operations (byte codes shared with the boot sector's interpreter):
 *   1 out8 port val          2 in8 port (printed)        3 out16 port val
 *   4 in16 port (printed)    5 wait port mask value (until (in & mask) == value; prints '!' on timeout)
 *   6 in8 port mask (printed masked)   7 poke seg off val   8 dump seg off len (printed)
 *   9 label n (prints a new line and #n)   10 skip16 port count (reads words, prints nothing)
 *   11 in16 port mask (printed masked)
 *   0 end (prints END)
 */
import type { IoBus } from '../io/ioBus.js';
import type { PhysicalMemory } from '../memory/physicalMemory.js';

/** Bytes of script the boot sector loads (sectors 2-18 of the first track). */
export const SCRIPT_CAPACITY = 17 * 512;

const hex2 = (v: number) => (v & 0xff).toString(16).padStart(2, '0').toUpperCase();

export class PortScript {
  private readonly code: number[] = [];

  private word(v: number): void {
    this.code.push(v & 0xff, (v >> 8) & 0xff);
  }

  out8(port: number, value: number): this {
    this.code.push(1);
    this.word(port);
    this.code.push(value & 0xff);
    return this;
  }

  /** Several out8 to one port. */
  outs(port: number, ...values: number[]): this {
    for (const v of values) this.out8(port, v);
    return this;
  }

  in8(port: number, times = 1): this {
    for (let i = 0; i < times; i++) {
      this.code.push(2);
      this.word(port);
    }
    return this;
  }

  out16(port: number, value: number): this {
    this.code.push(3);
    this.word(port);
    this.word(value);
    return this;
  }

  in16(port: number): this {
    this.code.push(4);
    this.word(port);
    return this;
  }

  /** A 16-bit read printed masked. */
  in16m(port: number, mask: number): this {
    this.code.push(11);
    this.word(port);
    this.word(mask);
    return this;
  }

  wait(port: number, mask: number, value: number): this {
    this.code.push(5);
    this.word(port);
    this.code.push(mask & 0xff, value & 0xff);
    return this;
  }

  in8m(port: number, mask: number): this {
    this.code.push(6);
    this.word(port);
    this.code.push(mask & 0xff);
    return this;
  }

  poke(seg: number, off: number, value: number): this {
    this.code.push(7);
    this.word(seg);
    this.word(off);
    this.code.push(value & 0xff);
    return this;
  }

  dump(seg: number, off: number, len: number): this {
    this.code.push(8);
    this.word(seg);
    this.word(off);
    this.word(len);
    return this;
  }

  label(n: number): this {
    this.code.push(9, n & 0xff);
    return this;
  }

  skip16(port: number, count: number): this {
    this.code.push(10);
    this.word(port);
    this.word(count);
    return this;
  }

  bytes(): Uint8Array {
    const out = Uint8Array.from([...this.code, 0]);
    if (out.length > SCRIPT_CAPACITY) throw new RangeError(`port script of ${out.length} bytes exceeds ${SCRIPT_CAPACITY}`);
    return out;
  }

  /**
   * Runs the script on our devices and returns the text the boot sector would print. `idle` is
   * called between the polls of a wait, to let virtual time pass (up to `maxPolls` times).
   */
  run(io: IoBus, memory: PhysicalMemory, idle: () => void = () => {}, maxPolls = 100_000): string {
    const c = this.bytes();
    let pc = 0;
    let out = '';
    const w = () => {
      const v = c[pc] | (c[pc + 1] << 8);
      pc += 2;
      return v;
    };
    for (;;) {
      const op = c[pc++];
      switch (op) {
        case 0:
          return `${out}END\n`;
        case 1: {
          const port = w();
          io.out8(port, c[pc++]);
          break;
        }
        case 2:
          out += `${hex2(io.in8(w()))} `;
          break;
        case 3: {
          const port = w();
          io.out16(port, w());
          break;
        }
        case 4: {
          const v = io.in16(w());
          out += `${hex2(v)} ${hex2(v >> 8)} `;
          break;
        }
        case 5: {
          const port = w();
          const mask = c[pc++];
          const value = c[pc++];
          let polls = 0;
          while ((io.in8(port) & mask) !== value) {
            if (++polls >= maxPolls) {
              out += '!';
              break;
            }
            idle();
          }
          break;
        }
        case 6: {
          const port = w();
          out += `${hex2(io.in8(port) & c[pc++])} `;
          break;
        }
        case 7: {
          const seg = w();
          const off = w();
          memory.write8(seg * 16 + off, c[pc++]);
          break;
        }
        case 8: {
          const seg = w();
          const off = w();
          const len = w();
          for (let i = 0; i < len; i++) out += `${hex2(memory.read8(seg * 16 + ((off + i) & 0xffff)))} `;
          break;
        }
        case 9:
          out += `\n#${hex2(c[pc++])} `;
          break;
        case 10: {
          const port = w();
          const count = w();
          for (let i = 0; i < count; i++) io.in16(port);
          break;
        }
        case 11: {
          const port = w();
          const v = io.in16(port) & w();
          out += `${hex2(v)} ${hex2(v >> 8)} `;
          break;
        }
        default:
          throw new Error(`bad port script op ${op} at ${pc - 1}`);
      }
    }
  }
}

/**
 * The boot sector (nasm source): loads the script from sectors 2-18 of the boot floppy to
 * 1000:0000, disables interrupts, interprets it, and prints to the debug console port E9h.
 */
export const PORT_SCRIPT_BOOT_ASM = `
bits 16
org 0x7c00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov ax, 0x1000
    mov es, ax
    xor bx, bx
    mov ax, 0x0211
    mov cx, 0x0002
    xor dh, dh
    int 0x13
    jc fail
    cli
    mov ax, 0x1000
    mov ds, ax
    xor si, si
next:
    lodsb
    cmp al, 0
    je done
    cmp al, 1
    je op_out8
    cmp al, 2
    je op_in8
    cmp al, 3
    je op_out16
    cmp al, 4
    je op_in16
    cmp al, 5
    je op_wait
    cmp al, 6
    je op_in8m
    cmp al, 7
    je op_poke
    cmp al, 8
    je op_dump
    cmp al, 9
    je op_label
    cmp al, 10
    je op_skip16
    cmp al, 11
    je op_in16m
    jmp fail
op_out8:
    lodsw
    mov dx, ax
    lodsb
    out dx, al
    jmp next
op_in8:
    lodsw
    mov dx, ax
    in al, dx
    call emit
    jmp next
op_out16:
    lodsw
    mov dx, ax
    lodsw
    out dx, ax
    jmp next
op_in16:
    lodsw
    mov dx, ax
    in ax, dx
    call emit
    mov al, ah
    call emit
    jmp next
op_in16m:
    lodsw
    mov dx, ax
    lodsw
    mov bx, ax
    in ax, dx
    and ax, bx
    call emit
    mov al, ah
    call emit
    jmp next
op_wait:
    lodsw
    mov dx, ax
    lodsw
    mov bx, ax
    mov di, 256
.outer:
    mov cx, 0xffff
.inner:
    in al, dx
    and al, bl
    cmp al, bh
    je next
    loop .inner
    dec di
    jnz .outer
    mov al, '!'
    out 0xe9, al
    jmp next
op_in8m:
    lodsw
    mov dx, ax
    lodsb
    mov bl, al
    in al, dx
    and al, bl
    call emit
    jmp next
op_poke:
    lodsw
    mov es, ax
    lodsw
    mov di, ax
    lodsb
    mov [es:di], al
    jmp next
op_dump:
    lodsw
    mov es, ax
    lodsw
    mov di, ax
    lodsw
    mov cx, ax
.d:
    mov al, [es:di]
    call emit
    inc di
    loop .d
    jmp next
op_label:
    mov al, 10
    out 0xe9, al
    mov al, '#'
    out 0xe9, al
    lodsb
    call emit
    jmp next
op_skip16:
    lodsw
    mov dx, ax
    lodsw
    mov cx, ax
.s:
    in ax, dx
    loop .s
    jmp next
emit:
    push ax
    push bx
    mov bl, al
    shr al, 4
    call digit
    mov al, bl
    and al, 0x0f
    call digit
    mov al, ' '
    out 0xe9, al
    pop bx
    pop ax
    ret
digit:
    add al, '0'
    cmp al, '9'
    jbe .o
    add al, 7
.o:
    out 0xe9, al
    ret
done:
    mov al, 'E'
    out 0xe9, al
    mov al, 'N'
    out 0xe9, al
    mov al, 'D'
    out 0xe9, al
    mov al, 10
    out 0xe9, al
    jmp halt
fail:
    mov al, 'F'
    out 0xe9, al
    mov al, 10
    out 0xe9, al
halt:
    cli
    hlt
    jmp halt
times 510-($-$$) db 0
dw 0xaa55
`;
