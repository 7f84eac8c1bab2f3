/**
 * The adapter's session logic over DebugClient, with the machine in this process: a tiny fake CPU
 * that runs the fixture boot sector, and iced-x86 as the disassembler. The same scenario runs on
 * the real Machine through the standalone adapter in standalone.test.ts.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { InProcessMachineClient } from '../../emulator/worker/inProcessClient.js';
import { Win31DebugSession, type MachineProvider } from '../../debug-adapter/session.js';
import { hasTool } from '../support/testdata.js';
import { FakeMachine } from './fakeMachine.js';
import { buildFixture, type Fixture } from './fixture.js';
import { IcedDecoder } from './icedDecoder.js';
import { launchToBootSector, runScenario } from './scenario.js';

const haveNasm = hasTool('nasm');

describe.skipIf(!haveNasm)('debug adapter session (in-process, fake CPU)', () => {
  let fixture: Fixture;
  let server: Server;
  let dc: DebugClient;

  beforeAll(() => {
    fixture = buildFixture();
  });

  beforeEach(async () => {
    const provider: MachineProvider = {
      launch: async () => {
        const m = new FakeMachine(fixture.bootSector);
        return { client: new InProcessMachineClient(m), decoder: new IcedDecoder(), notes: [], owned: true };
      },
      attach: async () => {
        throw new Error('no machine to attach to');
      },
    };
    server = createServer((socket) => {
      socket.setNoDelay(true);
      const session = new Win31DebugSession(provider);
      session.setRunAsServer(true);
      session.start(socket, socket);
    }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    dc = new DebugClient('node', 'unused', 'win31');
    await dc.start((server.address() as AddressInfo).port);
  });

  afterEach(async () => {
    await dc.stop();
    server.close();
  });

  it('runs the acceptance scenario', async () => {
    await launchToBootSector(dc, { floppy: 'fixture.img', stopOnEntry: true });
    await runScenario(dc, fixture);
  });

  it('refuses a launch without an image, saying what is missing', async () => {
    await dc.initializeRequest({ adapterID: 'win31', pathFormat: 'path' });
    await dc.launchRequest({} as never).then(
      () => {
        throw new Error('launch should fail');
      },
      (e: Error) => {
        if (!/needs 'image'/.test(e.message)) throw e;
      },
    );
  });
});
