// bpfdbg command-line entry: dispatches to one module per sub-command; exit 0 ok, 1 diagnosed input error, 2 usage.
import { UsageError } from './args';
import { EXIT, processIO, type CliIO } from './io';

export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CliIO): Promise<number> | number;
}

/** Sub-commands, loaded on demand so that one command's start-up does not pay for the others. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  test: () => import('./commands/test').then((m) => m.default),
  'conformance-plugin': () => import('./commands/conformance-plugin').then((m) => m.default),
  asm: () => import('./commands/asm').then((m) => m.default),
  disasm: () => import('./commands/disasm').then((m) => m.default),
  debug: () => import('./commands/debug').then((m) => m.default),
  verify: () => import('./commands/verify').then((m) => m.default),
  run: () => import('./commands/run').then((m) => m.default),
};

async function usage(): Promise<string> {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length));
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(width)}  ${(await COMMANDS[n]()).summary}`));
  return `usage: bpfdbg <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nbpfdbg help <command> shows a command's options.\n`;
}

export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr)(await usage());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === 'help') {
    const target = rest[0] ? COMMANDS[rest[0]] : undefined;
    if (!target) {
      io.stdout(await usage());
      return rest[0] ? EXIT.USAGE : EXIT.OK;
    }
    const cmd = await target();
    io.stdout(`${cmd.summary}\n\nusage: ${cmd.usage}\n`);
    return EXIT.OK;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`bpfdbg: unknown command '${name}'\n${await usage()}`);
    return EXIT.USAGE;
  }
  const cmd = await load();
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`bpfdbg ${name}: ${e.message}\nusage: ${cmd.usage}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}
