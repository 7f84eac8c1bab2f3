/**
 * Keyboard capture for the screen. While the screen has focus every key goes to the guest as its
 * DOM `KeyboardEvent.code` (the emulator's i8042 maps codes to scancodes), and the event is
 * stopped before VS Code sees it, so F1-F12, Alt combinations and Ctrl shortcuts reach the guest.
 *
 * Not capturable: keys the operating system takes first (Ctrl+Alt+Del, Alt+Tab, the Windows key
 * on some desktops) and, in a browser-hosted VS Code, the browser's own reserved shortcuts
 * (Ctrl+W, Ctrl+T, Ctrl+N). Ctrl+Alt+Del has a toolbar button.
 *
 * Release: Ctrl+Alt+G gives focus back to VS Code (as in QEMU). Keys still held when focus leaves
 * are released in the guest, so none stays stuck down.
 */

export type KeySink = (code: string, pressed: boolean) => void;

export const RELEASE_HINT = 'Ctrl+Alt+G releases the keyboard and mouse';

export function isReleaseCombo(e: KeyboardEvent): boolean {
  return e.code === 'KeyG' && e.ctrlKey && e.altKey;
}

export class KeyboardCapture {
  private readonly held = new Set<string>();

  constructor(
    target: HTMLElement,
    private readonly sink: KeySink,
    private readonly onRelease: () => void,
  ) {
    target.addEventListener('keydown', (e) => this.key(e, true));
    target.addEventListener('keyup', (e) => this.key(e, false));
    target.addEventListener('blur', () => this.releaseAll());
  }

  private key(e: KeyboardEvent, pressed: boolean): void {
    if (pressed && isReleaseCombo(e)) {
      e.preventDefault();
      e.stopPropagation();
      this.releaseAll();
      this.onRelease();
      return;
    }
    if (e.code === '' || e.code === 'Unidentified') return;
    e.preventDefault();
    // VS Code's webview host forwards keydowns that reach the window to the workbench's
    // keybindings; stopping here keeps F5, Ctrl+P and friends inside the guest.
    e.stopPropagation();
    if (pressed) this.held.add(e.code);
    else this.held.delete(e.code);
    this.sink(e.code, pressed);
  }

  releaseAll(): void {
    for (const code of this.held) this.sink(code, false);
    this.held.clear();
  }
}
