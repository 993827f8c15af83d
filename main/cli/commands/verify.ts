// bpfdbg verify: runs the kernel-compatible verifier on an ELF object, llvm assembly or raw bytecode.
import { parse } from '../../../engine/asm';
import { formatDiagnostic, hasErrors, type Insn } from '../../../engine/isa';
import { PROG_TYPES } from '../../../engine/kernel/prog-types';
import { detectFormat, loadObject, loadRaw } from '../../../engine/obj';
import { verify, type MapInfo, type Mode2013 } from '../../../engine/verifier';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { Command } from '../main';
import { PROFILES_2013, verifyImage2013 } from './verify-2013';

const USAGE = `bpfdbg verify FILE [--program NAME] [--type T] [--log-level 0|1|2] [--license L] [--json]
       bpfdbg verify IMAGE.bpf [--profile hardened|faithful-legacy] [--log-level 0|1] [--json]

  FILE         an ELF BPF object, llvm-syntax assembly, or raw bytecode ("-" reads standard input)
  --program    ELF: the program (function or SEC() name) to verify; default the first
  --type       program type: ${Object.keys(PROG_TYPES).join(', ')}
               (default: the ELF section's type, else socket_filter)
  --log-level  0 no log, 1 the failing path (default), 2 every instruction with its state
  --license    license string (default: the ELF's license section, else GPL)
  --profile    2013 images only: the seed-003 bpf_check in 'hardened' mode (default; its holes closed) or
               'faithful-legacy' (bit for bit, holes reported as quirks); its log is the seed's pr_err lines
  --json       print {"verdict","error":{"insn","message"}|null,"processed","log"} instead of the log
Verifies as Linux 6.18 does for a privileged (root) loader. Exit 0 accept, 1 reject or unreadable input, 2 usage.`;

interface Loaded {
  insns: Insn[];
  progType?: string;
  maps: MapInfo[];
  license?: string;
}

function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  }
  return true;
}

function load(bytes: Uint8Array, file: string, program: string | undefined, io: CliIO): Loaded | undefined {
  const report = (ds: readonly Parameters<typeof formatDiagnostic>[0][]): boolean => {
    for (const d of ds) io.stderr(formatDiagnostic(d) + '\n');
    return hasErrors(ds);
  };
  if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    const r = loadObject(bytes, { file });
    if (report(r.diagnostics) || !r.object) return undefined;
    const obj = r.object;
    const prog = program === undefined ? obj.programs[0] : obj.programs.find((p) => p.name === program || p.section === program);
    if (!prog) {
      io.stderr(`bpfdbg verify: ${file}: ${program === undefined ? 'no programs' : `no program named ${program}`} (have: ${obj.programs.map((p) => p.name).join(', ') || 'none'})\n`);
      return undefined;
    }
    const maps = obj.maps.map((m): MapInfo => ({ name: m.kernelName, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries }));
    return { insns: prog.insns, progType: prog.type.name, maps, license: obj.license };
  }
  if (looksLikeText(bytes)) {
    const r = parse(new TextDecoder().decode(bytes), { file });
    if (report(r.diagnostics)) return undefined;
    return { insns: r.insns, maps: [] };
  }
  const r = loadRaw(bytes, { file });
  if (report(r.diagnostics)) return undefined;
  return { insns: r.program.insns, maps: [] };
}

/** nr_cpu_ids from /sys/devices/system/cpu/possible ("0-7" -> 8); undefined off Linux. */
function nrCpuIds(io: CliIO): number | undefined {
  try {
    const text = new TextDecoder().decode(io.readFile('/sys/devices/system/cpu/possible')).trim();
    const n = Number(text.split(',').pop()!.split('-').pop()) + 1;
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

const command: Command = {
  summary: 'verify a program the way the Linux kernel verifier does (verdict, first error, log)',
  usage: USAGE,
  run(argv: readonly string[], io: CliIO): number {
    const args = parseArgs(argv, {
      program: { value: true },
      type: { value: true, choices: Object.keys(PROG_TYPES) },
      'log-level': { value: true, choices: ['0', '1', '2'] },
      license: { value: true },
      json: { value: false },
      profile: { value: true, choices: PROFILES_2013 },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'give exactly one input file' : 'missing input file');
    const input = args.positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = input === '-' ? io.readStdin() : io.readFile(input);
    } catch (e) {
      io.stderr(`bpfdbg verify: cannot read ${input}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    const file = input === '-' ? '<stdin>' : input;
    const profile = flagString(args, 'profile') as Mode2013 | undefined;
    if (detectFormat(bytes, file) === 'image2013') {
      // A 2013 image has one subsystem (the tracing filter) and its own verifier (engine/verifier/ebpf2013).
      for (const f of ['program', 'type', 'license']) if (args.flags.has(f)) throw new UsageError(`--${f} does not apply to 2013 images`);
      return verifyImage2013(bytes, { file, profile: profile ?? 'hardened', json: args.flags.has('json'), logLevel: Number(flagString(args, 'log-level') ?? '1') as 0 | 1 | 2 }, io);
    }
    if (profile !== undefined) throw new UsageError('--profile applies to 2013 images only');
    const loaded = load(bytes, file, flagString(args, 'program'), io);
    if (!loaded) return EXIT.INPUT_ERROR;
    const progType = flagString(args, 'type') ?? loaded.progType ?? 'socket_filter';
    const logLevel = Number(flagString(args, 'log-level') ?? '1') as 0 | 1 | 2;
    const r = verify(loaded.insns, {
      progType, logLevel, maps: loaded.maps, license: flagString(args, 'license') ?? loaded.license ?? 'GPL', nrCpuIds: nrCpuIds(io),
    });
    if (args.flags.has('json')) {
      const error = r.error ? { insn: r.error.pc, message: r.error.message } : null;
      io.stdout(`${JSON.stringify({ verdict: r.verdict, error, processed: r.processed, log: r.log })}\n`);
    } else {
      io.stdout(r.log);
      if (r.unsupported) io.stderr(`bpfdbg verify: note: this rejection is a limit of bpfdbg's verifier (${r.error?.code}), not the kernel's verdict\n`);
    }
    return r.verdict === 'accept' ? EXIT.OK : EXIT.INPUT_ERROR;
  },
};

export default command;
