/**
 * Mouse: a click on the screen takes pointer lock, then relative motion and buttons go to the
 * guest's PS/2 mouse. Esc (the browser's own rule) or Ctrl+Alt+G releases the pointer.
 */

export type MouseSink = (dx: number, dy: number, buttons: number) => void;

export class PointerCapture {
  constructor(
    private readonly target: HTMLElement,
    private readonly sink: MouseSink,
    private readonly onLockChange: (locked: boolean) => void,
  ) {
    target.addEventListener('click', () => {
      if (!this.locked) void target.requestPointerLock();
    });
    target.ownerDocument.addEventListener('pointerlockchange', () => this.onLockChange(this.locked));
    target.addEventListener('mousemove', (e) => {
      if (this.locked && (e.movementX !== 0 || e.movementY !== 0)) this.sink(e.movementX, e.movementY, buttonsOf(e));
    });
    const button = (e: MouseEvent): void => {
      if (!this.locked) return;
      e.preventDefault();
      this.sink(0, 0, buttonsOf(e));
    };
    target.addEventListener('mousedown', button);
    target.addEventListener('mouseup', button);
    target.addEventListener('contextmenu', (e) => e.preventDefault());
  }

  get locked(): boolean {
    return this.target.ownerDocument.pointerLockElement === this.target;
  }

  release(): void {
    if (this.locked) this.target.ownerDocument.exitPointerLock();
  }
}

/** PS/2 button bits are 1 left, 2 right, 4 middle: the same as DOM `buttons`. */
function buttonsOf(e: MouseEvent): number {
  return e.buttons & 7;
}
