import { describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/runCommand.js';
import { CliError } from '../../cli/cliError.js';
import { parseKeys } from '../../emulator/machine/keyTypist.js';

describe('win31 run arguments', () => {
  it('rejects bad arguments with one-line errors', async () => {
    await expect(runCommand.run([])).rejects.toThrow(/no image given/);
    await expect(runCommand.run(['x.img', '--memory', '100'])).rejects.toThrow(/--memory must be .* 1 to 64/);
    await expect(runCommand.run(['x.img', '--cpu', '286'])).rejects.toThrow(/--cpu must be 386 or 486/);
    await expect(runCommand.run(['x.img', '--timeout', '-3'])).rejects.toThrow(CliError);
    await expect(runCommand.run(['x.img', '--type', '{Nope}'])).rejects.toThrow(/unknown key name \{Nope\}/);
    await expect(runCommand.run(['x.img', '--frobnicate'])).rejects.toThrow(/unknown option/);
    await expect(runCommand.run(['/nonexistent/disk.img'])).rejects.toThrow(/nonexistent/);
  });

  it('parses typed keys: characters, Enter and named keys', () => {
    expect(parseKeys('aB\n{F5}{{')).toEqual([
      { code: 'KeyA', shift: false },
      { code: 'KeyB', shift: true },
      { code: 'Enter', shift: false },
      { code: 'F5', shift: false },
      { code: 'BracketLeft', shift: true },
    ]);
  });
});
