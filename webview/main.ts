/**
 * The image editor's webview: the image's metadata, a toolbar, the live screen and a status line.
 * It only draws frames and sends input; the machine runs in the extension's worker.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { MachineStatus, SpeedSetting } from '../protocol/machineState.js';
import type { HostToWebview, ImageView, ToolbarAction, WebviewToHost } from '../protocol/webviewProtocol.js';
import { KeyboardCapture, RELEASE_HINT } from './keyboard.js';
import { PointerCapture } from './pointer.js';
import { Screen } from './screen.js';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost): void => vscode.postMessage(m);

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

const canvas = el<HTMLCanvasElement>('screen');
const screenText = el<HTMLPreElement>('screen-text');
const status = el<HTMLDivElement>('status');
const hint = el<HTMLDivElement>('hint');
const meta = el<HTMLTableElement>('meta');
const warnings = el<HTMLDivElement>('warnings');
const errorBox = el<HTMLDivElement>('error');
const notice = el<HTMLDivElement>('notice');
const screen = new Screen(canvas);
let booted = false;
let lastStatus: MachineStatus | null = null;

const pointer = new PointerCapture(
  canvas,
  (dx, dy, buttons) => post({ type: 'mouse', dx, dy, buttons }),
  (locked) => showHint(locked ? `Mouse captured. ${RELEASE_HINT} (or Esc for the mouse).` : null),
);
new KeyboardCapture(
  canvas,
  (code, pressed) => post({ type: 'key', code, pressed }),
  () => {
    pointer.release();
    canvas.blur();
    showHint('Keyboard released. Click the screen to type into the guest again.');
  },
);
canvas.addEventListener('focus', () => showHint(`Keyboard captured: every key goes to the guest. ${RELEASE_HINT}.`));
canvas.addEventListener('blur', () => showHint(null));

function showHint(text: string | null): void {
  hint.textContent = text ?? `Click the screen to capture keyboard and mouse. ${RELEASE_HINT}.`;
}
showHint(null);

for (const button of document.querySelectorAll<HTMLElement>('[data-action]')) {
  button.addEventListener('click', () => {
    const action = button.dataset.action as ToolbarAction;
    if (action === 'pause' && lastStatus?.state === 'paused') post({ type: 'action', action: 'resume' });
    else post({ type: 'action', action });
  });
}
const speed = el<HTMLElement & { value: string }>('speed');
speed.addEventListener('change', () => post({ type: 'speed', speed: speed.value as SpeedSetting }));

function showImage(image: ImageView): void {
  meta.replaceChildren();
  for (const row of image.rows) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.textContent = row.label;
    const td = document.createElement('td');
    td.textContent = row.value;
    tr.append(th, td);
    meta.append(tr);
  }
  warnings.replaceChildren(
    ...image.warnings.map((w) => {
      const p = document.createElement('p');
      p.textContent = w;
      return p;
    }),
  );
  el<HTMLElement>('boot').toggleAttribute('disabled', !image.bootable);
  document.body.dataset.image = image.fileName;
}

function showStatus(s: MachineStatus): void {
  lastStatus = s;
  const state = s.state === 'running' ? 'Running' : s.state === 'paused' ? 'Paused' : 'Powered off';
  const parts = [state, `${s.virtualMhz.toFixed(0)} MHz virtual clock`, `speed ${s.speed === 'max' ? 'flat out' : s.speed}`];
  if (s.state === 'running') parts.push(`${s.mips.toFixed(1)} MIPS`);
  status.textContent = parts.join(' · ');
  document.body.dataset.state = s.state;
  el<HTMLElement>('pause').textContent = s.state === 'paused' ? 'Resume' : 'Pause';
}

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'image':
      showImage(m.image);
      break;
    case 'frame':
      if (!booted) {
        booted = true;
        document.body.classList.add('booted');
      }
      screen.draw(m.frame);
      screenText.textContent = m.frame.text;
      post({ type: 'frameDone' });
      break;
    case 'status':
      showStatus(m.status);
      break;
    case 'stopped':
      document.body.dataset.state = 'off';
      status.textContent = 'Powered off';
      break;
    case 'notice':
      notice.textContent = m.text;
      notice.hidden = m.text === '';
      break;
    case 'error':
      errorBox.textContent = m.message;
      errorBox.hidden = false;
      break;
  }
});

post({ type: 'ready' });
