/**
 * The worker protocol end to end in one thread: a WorkerHost on one end of a MessageChannel, the
 * WorkerMachineClient proxy on the other, a shared control word for pauses, and the fake CPU that
 * runs the debugger fixture. The same DAP scenario as the in-process test then runs through it.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../protocol/frame.js';
import type { MachineEvent } from '../../protocol/machineState.js';
import { Win31DebugSession } from '../../debug-adapter/session.js';
import { FakeMachine } from './fakeMachine.js';
import { buildFixture, label, type Fixture } from './fixture.js';
import { IcedDecoder } from './icedDecoder.js';
import { launchToBootSector, runScenario } from './scenario.js';
import { hasTool } from '../support/testdata.js';
import type { BuiltMachine } from '../../emulator/worker/builtMachine.js';
import type { DisplayTarget } from '../../emulator/worker/debugTarget.js';
import { WorkerMachineClient } from '../../emulator/worker/workerClient.js';
import { WorkerHost } from '../../emulator/worker/workerHost.js';

function fakeDisplay(): DisplayTarget & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    frame: (full: boolean): Frame => ({
      width: 2,
      height: 1,
      full,
      spans: [{ y: 0, rows: 1, rgba: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]) }],
      text: 'C:\\>',
      mode: 'text',
    }),
    screenText: () => 'C:\\>',
    screenshotPng: () => new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    keyEvent: (code, pressed) => keys.push(`${code}:${pressed ? 'down' : 'up'}`),
    typeText: (t) => keys.push(`type:${t}`),
    mouseMove: () => undefined,
  };
}

function connect(fixture: Fixture): { client: WorkerMachineClient; display: ReturnType<typeof fakeDisplay>; close(): void } {
  const channel = new MessageChannel();
  const control = new Int32Array(new SharedArrayBuffer(4));
  const display = fakeDisplay();
  new WorkerHost(
    channel.port1,
    async (): Promise<BuiltMachine> => ({
      target: new FakeMachine(fixture.bootSector),
      display,
      notes: ['fake machine'],
      onOutput: () => undefined,
      flush: () => undefined,
      close: () => undefined,
    }),
    control,
  );
  const client = new WorkerMachineClient(channel.port2, control);
  return {
    client,
    display,
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
}

describe.skipIf(!hasTool('nasm'))('machine worker protocol', () => {
  let fixture: Fixture;
  const cleanup: (() => void)[] = [];
  beforeAll(() => {
    fixture = buildFixture();
  });
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('boots, answers typed requests, forwards events, and pauses through the control word', async () => {
    const { client, display, close } = connect(fixture);
    cleanup.push(close);
    await expect(client.registers()).rejects.toThrow(/boot first/);
    const info = await client.boot({ floppy: 'x.img', memoryMiB: 4, cpu: '486', speed: 'max' }, true);
    expect(info.notes).toEqual(['fake machine']);
    expect((await client.registers()).pcLinear).toBe(0x7c00);

    const events: MachineEvent[] = [];
    client.onEvent((e) => events.push(e));
    const site = label(fixture, 'cond_site');
    await client.setBreakpoints([{ id: 7, linear: [site] }]);
    const stopped = new Promise<MachineEvent>((r) => client.onEvent((e) => e.kind === 'stopped' && r(e)));
    await client.resume();
    const hit = await stopped;
    expect(hit.kind === 'stopped' && hit.stop.hitBreakpointIds).toEqual([7]);
    expect((await client.registers()).pcLinear).toBe(site);

    // The guest loops forever without breakpoints: a pause must arrive once, through the control word.
    await client.setBreakpoints([]);
    await client.resume();
    await new Promise((r) => setTimeout(r, 30));
    const paused = new Promise<MachineEvent>((r) => client.onEvent((e) => e.kind === 'stopped' && r(e)));
    await client.pause();
    const p = await paused;
    expect(p.kind === 'stopped' && p.stop.reason).toBe('pause');
    await new Promise((r) => setTimeout(r, 20));
    expect(events.filter((e) => e.kind === 'stopped' && e.stop.reason === 'pause')).toHaveLength(1);
    expect((await client.status()).state).toBe('paused');

    const block = await client.readMemory('linear', 0x7c00, 2);
    expect([...block.data]).toEqual([0xfa, 0xb8]);
    const frame = await client.frame(true);
    expect(frame?.spans[0].rgba[0]).toBe(1);
    await client.key('ControlLeft', true);
    await client.typeText('dir\n');
    expect(display.keys).toEqual(['ControlLeft:down', 'type:dir\n']);
    expect([...(await client.screenshot())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('turns a fatal worker error into failed calls and a terminated event', async () => {
    const { client, close } = connect(fixture);
    cleanup.push(close);
    await client.boot({ floppy: 'x.img', memoryMiB: 4, cpu: '486', speed: 'max' }, true);
    const terminated = new Promise<MachineEvent>((r) => client.onEvent((e) => e.kind === 'terminated' && r(e)));
    client.fail('RangeError: worker ran out of memory');
    const t = await terminated;
    expect(t.kind === 'terminated' && t.terminated.reason).toBe('RangeError: worker ran out of memory');
    await expect(client.registers()).rejects.toThrow(/out of memory/);
  });

  describe('the DAP scenario through the worker proxy', () => {
    let server: Server;
    let dc: DebugClient;
    afterEach(async () => {
      await dc.stop();
      server.close();
    });
    it('passes', async () => {
      server = createServer((socket) => {
        socket.setNoDelay(true);
        const session = new Win31DebugSession({
          launch: async () => {
            const { client, close } = connect(fixture);
            cleanup.push(close);
            const info = await client.boot({ floppy: 'x.img', memoryMiB: 4, cpu: '486', speed: 'max' }, true);
            return { client, decoder: new IcedDecoder(), notes: info.notes, owned: true };
          },
          attach: async () => {
            throw new Error('unused');
          },
        });
        session.setRunAsServer(true);
        session.start(socket, socket);
      }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      dc = new DebugClient('node', 'unused', 'win31');
      await dc.start((server.address() as AddressInfo).port);
      await launchToBootSector(dc, { floppy: 'fixture.img', stopOnEntry: true });
      await runScenario(dc, fixture);
    });
  });
});
