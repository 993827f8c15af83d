// bpfdbg asm: assembles llvm or conformance syntax into raw eBPF bytecode (8 bytes per slot, little-endian).
import { parse, type Syntax } from '../../../engine/asm';
import { encode, formatDiagnostic, hasErrors } from '../../../engine/isa';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { Command } from '../main';

const USAGE = `bpfdbg asm FILE.s [--syntax llvm|conformance] [-o OUT.bin]

  FILE.s       assembly source; "-" reads standard input
  --syntax     llvm (default): "r1 = *(u64 *)(r10 - 8)", as llvm-mc reads and llvm-objdump prints
               conformance: "ldxdw %r1, [%r10-8]", the bpf_conformance suite's syntax
  -o, --output where to write the raw bytecode; default: FILE with its extension replaced by .bin
               (a.s -> a.bin); required when reading standard input
Errors print as file:line:col: error: message [code]; exit 1 on errors, 2 on usage errors.`;

/** a.s -> a.bin, dir/prog.asm -> dir/prog.bin, noext -> noext.bin. */
export function defaultOutput(input: string): string {
  const slash = input.lastIndexOf('/');
  const dot = input.lastIndexOf('.');
  return (dot > slash + 1 ? input.slice(0, dot) : input) + '.bin';
}

const command: Command = {
  summary: 'assemble eBPF assembly (llvm or conformance syntax) into raw bytecode',
  usage: USAGE,
  run(argv: readonly string[], io: CliIO): number {
    const args = parseArgs(argv, {
      syntax: { value: true, choices: ['llvm', 'conformance'] },
      output: { value: true, alias: '-o' },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'give exactly one input file' : 'missing input file');
    const input = args.positionals[0];
    const syntax = (flagString(args, 'syntax') ?? 'llvm') as Syntax;
    const given = flagString(args, 'output');
    if (input === '-' && given === undefined) throw new UsageError('reading standard input needs -o OUT.bin');
    const output = given ?? defaultOutput(input);

    let bytes: Uint8Array;
    try {
      bytes = input === '-' ? io.readStdin() : io.readFile(input);
    } catch (e) {
      io.stderr(`bpfdbg asm: cannot read ${input}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    const file = input === '-' ? '<stdin>' : input;
    const result = parse(new TextDecoder().decode(bytes), { syntax, file });
    for (const d of result.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    if (hasErrors(result.diagnostics)) return EXIT.INPUT_ERROR;

    try {
      io.writeFile(output, encode(result.insns));
    } catch (e) {
      io.stderr(`bpfdbg asm: cannot write ${output}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    return EXIT.OK;
  },
};

export default command;
