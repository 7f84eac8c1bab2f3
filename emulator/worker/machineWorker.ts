/**
 * Entry point of the machine worker thread (bundled as dist/worker.mjs). The extension host
 * starts it with a shared control word; everything else goes over the parent port. An exception
 * that escapes becomes a 'fatal' notice with the reason, so the host can show it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerStartData } from '../../protocol/workerProtocol.js';
import { buildMachine } from './machineFactory.js';
import { WorkerHost } from './workerHost.js';

const port = parentPort;
if (!port) throw new Error('machineWorker.ts runs only as a worker thread');
const start = workerData as WorkerStartData;
const host = new WorkerHost(port, buildMachine, new Int32Array(start.control));

function fatal(e: unknown): void {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  host.notice({ type: 'fatal', message });
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
