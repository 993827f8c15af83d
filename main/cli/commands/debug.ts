// bpfdbg debug: an interactive gdb-like debugger over the simulated kernel, reading commands from standard input line by line.
import { createInterface } from 'node:readline';
import { formatDiagnostic, hasErrors } from '../../../engine/isa';
import { RUN_PROG_TYPES, type Helpers2013Mode, type RunProgType } from '../../../engine/kernel';
import { createDebugSession } from '../../../engine/session/debugger/launch';
import { parseTailSpecs } from '../../../engine/session/debugger/programs';
import { loadDebugInput, type InputFormat } from '../../../engine/session/debugger/load';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT, processIO, type CliIO } from '../io';
import type { Command } from '../main';

const USAGE = `bpfdbg debug FILE [--program NAME] [--type T] [--ctx HEX] [--mem HEX] [--packet HEX]
                     [--format elf|asm|raw|image2013] [--helpers 2013|2013-faithful|modern] [--probe FN]
                     [--tail MAP:INDEX=PROGRAM[@TYPE],...] [--history N] [--echo]

  FILE         an ELF BPF object (line info from .BTF.ext), llvm-syntax assembly, raw bytecode, or a
               2013 extended-BPF image (seed 003; runs as a kprobe: ctx = struct pt_regs, give it with --ctx)
  --program    ELF: the program (function name or SEC() name) to debug; default the first
  --type       run-time program type: ${RUN_PROG_TYPES.join(', ')} (default: from the
               ELF section, else raw: r1 = --mem, r2 = its length)
  --ctx HEX    ctx bytes (syscall args, pt_regs, u64 args[], or overriding __sk_buff / xdp_md)
  --mem HEX    raw programs: the memory r1 points at
  --packet HEX skb and xdp programs: the packet
  --format     force the input format instead of detecting it
  --helpers    2013 images: the seed's helper set with table helpers (2013, default), the RFC's runtime
               exactly, which had no table helpers (2013-faithful), or today's helpers (modern)
  --probe FN   2013 images: the traced function (bpf_trace_printk's line prefix)
  --tail       ELF: fill prog_array slots with other programs of the object before the run, as
               bpfdbg run does (MAP:INDEX=PROGRAM[@TYPE],...); tail calls then step into them, and
               "tail MAP INDEX [PROGRAM]" / "info tails" change and show the slots while debugging
  --history N  instructions kept for reverse execution (default 100000, about 32 MB);
               0 turns reverse execution off and runs at full interpreter speed
  --echo       echo each command after a "(bpfdbg) " prompt (for transcripts of piped input)

Commands come from standard input, one per line (gdb's: break, run, step, next, finish,
reverse-step, continue, info registers, x/8gx r10-64, print, set, watch, ...; "help" lists them).
The prompt is printed only when standard input is a terminal. An empty line repeats the last
stepping command. Exit 0 at end of input or "quit"; 1 when FILE cannot be loaded; 2 on usage errors.`;

function parseHex(name: string, text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const clean = text.replace(/^0x/i, '').replace(/[\s:_-]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw new UsageError(`--${name} wants hex bytes (e.g. 0100000002000000), got ${JSON.stringify(text)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lines of standard input: streamed through readline for the real process (so a terminal or a slow pipe works), read at once for injected IO. */
async function* inputLines(io: CliIO, prompt: string): AsyncGenerator<string> {
  if (io !== processIO) {
    const text = new TextDecoder().decode(io.readStdin());
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    yield* lines.map((l) => l.replace(/\r$/, ''));
    return;
  }
  const tty = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, ...(tty ? { output: process.stdout, prompt, terminal: true } : { terminal: false }) });
  try {
    if (tty) rl.prompt();
    for await (const line of rl) {
      yield line;
      if (tty) rl.prompt();
    }
  } finally {
    rl.close();
  }
}

const command: Command = {
  summary: 'debug a program interactively (gdb-like commands, breakpoints, watchpoints, reverse stepping)',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const args = parseArgs(argv, {
      program: { value: true },
      type: { value: true, choices: RUN_PROG_TYPES },
      ctx: { value: true },
      mem: { value: true },
      packet: { value: true },
      format: { value: true, choices: ['elf', 'asm', 'raw', 'image2013'] },
      helpers: { value: true, choices: ['2013', '2013-faithful', 'modern'] },
      probe: { value: true },
      history: { value: true },
      tail: { value: true },
      echo: { value: false },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'give exactly one program file' : 'missing program file');
    const file = args.positionals[0];
    const ctx = parseHex('ctx', flagString(args, 'ctx'));
    const mem = parseHex('mem', flagString(args, 'mem'));
    const packet = parseHex('packet', flagString(args, 'packet'));
    const tailText = flagString(args, 'tail');
    const tails = tailText === undefined ? { specs: [] } : parseTailSpecs(tailText);
    if (tails.error) throw new UsageError(`--tail: ${tails.error}`);
    const historyText = flagString(args, 'history');
    if (historyText !== undefined && !/^\d+$/.test(historyText)) throw new UsageError(`--history wants a number of steps, got ${JSON.stringify(historyText)}`);

    let bytes: Uint8Array;
    try {
      bytes = io.readFile(file);
    } catch (e) {
      io.stderr(`bpfdbg debug: cannot read ${file}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    const program = flagString(args, 'program');
    const format = flagString(args, 'format') as InputFormat | undefined;
    const loaded = loadDebugInput(bytes, { file, ...(program !== undefined ? { program } : {}), ...(format ? { format } : {}) });
    for (const d of loaded.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (!loaded.input || hasErrors(loaded.diagnostics)) return EXIT.INPUT_ERROR;
    const input = loaded.input;
    const type = (flagString(args, 'type') as RunProgType | undefined) ?? input.type;
    if (tails.specs.length && !input.programs.length) throw new UsageError('--tail needs an ELF object (its programs and prog_array maps)');

    // C sources named by the line info: read the ones that exist, as gdb does, for `list`.
    const sources = new Map(input.sources);
    for (const l of [input.lines, ...input.programs.map((p) => p.lines)].flatMap((t) => [...t.values()])) {
      if (sources.has(l.file)) continue;
      try {
        const text = new TextDecoder().decode(io.readFile(l.file)).split('\n');
        sources.set(l.file, text[text.length - 1] === '' ? text.slice(0, -1) : text);
      } catch {
        sources.set(l.file, []);
      }
    }
    for (const [f, t] of sources) if (t.length === 0) sources.delete(f);
    const helpers = flagString(args, 'helpers') as Helpers2013Mode | undefined;
    const probe = flagString(args, 'probe');
    const image2013 = input.image2013 ? { program: input.image2013, ...(helpers ? { helpers } : {}), ...(probe !== undefined ? { probe } : {}) } : undefined;
    const session = createDebugSession(
      {
        insns: input.insns, name: input.name, type, maps: input.maps, ...(ctx ? { ctx } : {}), ...(mem ? { mem } : {}), ...(packet ? { packet } : {}),
        ...(image2013 ? { image2013 } : {}), programs: input.programs, tails: tails.specs,
      },
      {
        lines: input.lines, functions: input.functions, sources, programs: new Map(input.programs.map((p) => [p.name, p] as const)),
        ...(historyText !== undefined ? { historyLimit: Number(historyText) } : {}),
      },
    );
    if (!('console' in session)) {
      for (const d of session.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
      return EXIT.INPUT_ERROR;
    }
    const slots = input.insns.reduce((n, i) => n + (i.form.kind === 'lddw' ? 2 : 1), 0);
    const lineInfo = input.lines.size ? `line info for ${input.lines.size} instructions` : 'no line info';
    const others = input.programs.filter((p) => p.name !== input.name).map((p) => p.name);
    const tailNote = others.length ? `Other programs (tail call targets): ${others.join(', ')}${tails.specs.length ? `; slots filled: ${tails.specs.map((t) => `${t.map}[${t.index}] = ${t.program}`).join(', ')}` : ''}.\n` : '';
    io.stdout(`Loaded ${input.name} from ${file}: ${input.insns.length} instructions (${slots} slots), type ${type}, ${lineInfo}.\n${tailNote}Type "help" for commands, "run" to start.\n`);

    const echo = args.flags.has('echo');
    for await (const line of inputLines(io, '(bpfdbg) ')) {
      if (echo) io.stdout(`(bpfdbg) ${line}\n`);
      const r = session.console.execute(line);
      io.stdout(r.text);
      if (r.quit) break;
    }
    return EXIT.OK;
  },
};

export default command;
