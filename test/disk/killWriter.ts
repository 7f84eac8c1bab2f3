/**
 * Child process of the kill test: opens an image, writes random patterns and flushes, reporting on
 * stdout before each write (`W index offset length seed`) and after each acknowledged flush
 * (`A index`: every write up to index is durable). The parent kills it with SIGKILL at a random
 * moment. Lines are written with writeSync so they are in the pipe before the next step starts.
 *
 * Arguments: image seed maxLength [allowedBackingPath]
 */
import { writeSync } from 'node:fs';
import { openDisk } from '../../emulator/disk/openDisk.js';
import { pattern, rng } from './patterns.js';

const [image, seedText, maxText, allowed] = process.argv.slice(2);
const seed = Number(seedText);
const maxLength = Number(maxText);
const say = (line: string): void => {
  writeSync(1, line + '\n');
};

const disk = openDisk(image, { allowBackingPath: allowed ? (p) => p === allowed : undefined });
const r = rng(seed);
say('R');
for (let i = 0; i < 1_000_000; i++) {
  const aligned = r() < 0.4;
  const length = aligned ? 512 * (1 + Math.floor(r() * 16)) : 1 + Math.floor(r() * maxLength);
  let offset = Math.floor(r() * (disk.size - length));
  if (aligned) offset -= offset % 512;
  const writeSeed = seed * 1_000_000 + i;
  say(`W ${i} ${offset} ${length} ${writeSeed}`);
  disk.write(offset, pattern(writeSeed, length));
  if (r() < 0.35) {
    disk.flush();
    say(`A ${i}`);
  }
}
disk.close();
