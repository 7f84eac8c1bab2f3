/**
 * `win31`: the headless command line. It shares the emulator with the VS Code extension.
 * Every failure ends as one line on stderr and a non-zero exit status, never a stack trace.
 */
import { CliError, type CliCommand } from './cliError.js';
import { diskCommand } from './diskCommand.js';
import { runCommand } from './runCommand.js';
import { demoCommand } from './demoCommand.js';
import { dapCommand } from './dapCommand.js';

const commands: CliCommand[] = [diskCommand, runCommand, demoCommand, dapCommand];

function usage(): string {
  const lines = ['usage: win31 <command> [arguments]', '', 'commands:'];
  for (const c of commands) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', "Run 'win31 <command> --help' for a command's arguments.");
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) throw new CliError(`unknown command '${name}' (try 'win31 --help')`, 2);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  return command.run(rest);
}

function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`win31: ${oneLine(e)}\n`);
    process.exitCode = e instanceof CliError ? e.exitCode : 1;
  },
);
