// `bpfdbg conformance-plugin`: the runtime-under-test side of the bpf_conformance suite's plugin protocol, backed by our interpreter.
//
// Protocol (bpf_conformance src/bpf_conformance.cc and libbpf_plugin/libbpf_plugin.cc):
//   plugin [--program HEX] [HEXMEM] [--debug] [--elf]
//   - the program comes as base16 bytes separated by spaces, as one line on stdin (or in --program);
//     with --elf those bytes are an ELF object whose first program runs
//   - HEXMEM, the first argument, is the memory as base16 bytes separated by spaces; the program gets
//     its address in r1 and its length in r2
//   - on success: r0 in hex (no 0x) and a newline on stdout, exit 0; the runner compares the low 32 bits
//   - on failure: a message on stdout and exit 1 (the runner compares it with a test's "-- error" text)
// Raw binary bytecode on stdin (anything that is not base16 text) is accepted too.
import { decode, formatDiagnostic, type Insn } from '../../../engine/isa';
import { loadObject } from '../../../engine/obj';
import { runProgram } from '../../../engine/interp';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT } from '../io';
import type { Command } from '../main';

const USAGE = `bpfdbg conformance-plugin [--program HEX] [HEXMEM] [--debug] [--elf]

  stdin        the program as base16 bytes ("b7 00 00 00 2a 00 00 00 95 00 ...") or raw bytecode
  --program    the program as base16 bytes, instead of stdin
  HEXMEM       memory as base16 bytes; its address is passed in r1 and its length in r2
  --elf        the program bytes are an ELF object; its first program runs
  --debug      explain failures in more detail
Prints r0 in hex and exits 0; on failure prints the reason and exits 1.`;

/** Base16 bytes separated by whitespace; undefined when the text is not base16. */
export function decodeBase16(text: string): Uint8Array | undefined {
  const tokens = text.split(/\s+/).filter(Boolean);
  if (!tokens.every((t) => /^[0-9a-f]{1,2}$/i.test(t))) return undefined;
  return Uint8Array.from(tokens.map((t) => parseInt(t, 16)));
}

function programFrom(bytes: Uint8Array, elf: boolean): { insns: Insn[] } | { error: string } {
  if (elf) {
    const r = loadObject(bytes, { file: 'stdin' });
    const bad = r.diagnostics.find((d) => d.severity === 'error');
    if (!r.object || bad) return { error: bad ? formatDiagnostic(bad) : 'Failed to load ELF file' };
    const prog = r.object.programs.find((p) => String(p.type).toLowerCase().includes('xdp')) ?? r.object.programs[0];
    if (!prog) return { error: 'ELF file has no program' };
    return { insns: prog.insns };
  }
  if (bytes.length % 8 !== 0) return { error: `program is ${bytes.length} bytes, not a multiple of 8` };
  const d = decode(bytes, { section: 'stdin' });
  const bad = d.diagnostics.find((x) => x.severity === 'error');
  return bad ? { error: formatDiagnostic(bad) } : { insns: d.insns };
}

export const command: Command = {
  summary: 'bpf_conformance plugin: program on stdin, memory as hex argument, prints r0 in hex',
  usage: USAGE,
  run(argv, io) {
    const args = parseArgs(argv, { program: { value: true }, debug: { value: false }, elf: { value: false } });
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
    const debug = args.flags.has('debug');
    const memText = args.positionals[0] ?? '';
    const mem = decodeBase16(memText);
    if (!mem) {
      io.stdout(`memory is not base16 bytes: ${JSON.stringify(memText.slice(0, 40))}\n`);
      return EXIT.INPUT_ERROR;
    }
    const programArg = flagString(args, 'program');
    const input = programArg !== undefined ? new TextEncoder().encode(programArg) : io.readStdin();
    const asText = new TextDecoder('utf-8', { fatal: false }).decode(input);
    // The suite sends base16 text; anything else is taken as the bytes themselves.
    const bytes = decodeBase16(asText) ?? input;
    const prog = programFrom(bytes, args.flags.has('elf'));
    if ('error' in prog) {
      io.stdout(`${debug ? 'Failed to load program: ' : ''}${prog.error}\n`);
      return EXIT.INPUT_ERROR;
    }
    const run = runProgram(prog.insns, { type: 'raw', mem, budget: 10_000_000 });
    if (run.stop !== 'exit') {
      const f = run.fault;
      io.stdout(`${f ? f.message : run.stop}${debug && f ? ` (${f.code} at pc ${f.pc})` : ''}\n`);
      return EXIT.INPUT_ERROR;
    }
    io.stdout(`${run.r0.toString(16)}\n`);
    return EXIT.OK;
  },
};

export default command;
