// bpfdbg run: executes a program in the interpreter on the simulated kernel and prints r0 (or a JSON result).
import { runProgram } from '../../../engine/interp';
import { formatDiagnostic, type Insn } from '../../../engine/isa';
import { ArrayMap, Kernel, RUN_PROG_TYPES, mapTypeName, type BpfMap, type MapDef, type RunProgType } from '../../../engine/kernel';
import { loadProgramInput } from '../../../engine/obj';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { Command } from '../main';

const USAGE = `bpfdbg run FILE [--program NAME] [--type T] [--ctx HEX] [--mem HEX] [--packet HEX] [--budget N] [--seed N] [--json]

  FILE       an ELF BPF object, llvm-syntax assembly (.s), or raw bytecode (.bin); "-" reads standard input
  --program  ELF: the program (function or SEC() name) to run; default the first
  --type     ${RUN_PROG_TYPES.join(', ')} (default: the ELF section's type, else raw)
  --ctx      ctx bytes in hex (syscall args, pt_regs, tracing u64 args, or a whole __sk_buff / xdp_md)
  --mem      raw: memory bytes in hex; r1 = its address, r2 = its length (the conformance convention)
  --packet   socket_filter / sched_cls / xdp: packet bytes in hex
  --budget   instruction budget (default 100000000)
  --seed     get_prandom_u32 seed
  --json     print {"r0","executed","console","fault"} (r0 as a decimal string) instead of r0 in hex
Exit 0 when the program exits, 1 on a fault, unreadable input or budget exhaustion, 2 usage.`;

interface Loaded {
  insns: Insn[];
  type?: RunProgType;
  maps: Array<MapDef & { initialData?: Uint8Array }>;
}

const ELF_TYPES: Record<string, RunProgType> = {
  socket_filter: 'socket_filter', sched_cls: 'sched_cls', sched_act: 'sched_cls', xdp: 'xdp', kprobe: 'kprobe',
  tracing: 'tracing', syscall: 'syscall',
};

function load(bytes: Uint8Array, file: string, program: string | undefined, io: CliIO): Loaded | undefined {
  const { input, diagnostics } = loadProgramInput(bytes, { file, program });
  for (const d of diagnostics) io.stderr(formatDiagnostic(d) + '\n');
  if (!input) return undefined;
  if (!input.object || !input.program) return { insns: [...input.insns], maps: [] };
  const maps = input.object.maps.map((m) => ({
    type: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.kernelName,
    ...(m.initialData ? { initialData: m.initialData } : {}),
  }));
  const type = ELF_TYPES[input.program.type.name];
  return { insns: [...input.program.insns], maps, ...(type ? { type } : {}) };
}

function hexBytes(name: string, text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const clean = text.replace(/^0x/i, '').replace(/[\s:,]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new UsageError(`--${name} must be hex bytes (got ${JSON.stringify(text)})`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function intFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a non-negative integer`);
  return Number(text);
}

const command: Command = {
  summary: 'run a program in the interpreter on the simulated kernel and print r0',
  usage: USAGE,
  run(argv: readonly string[], io: CliIO): number {
    const args = parseArgs(argv, {
      program: { value: true },
      type: { value: true, choices: RUN_PROG_TYPES },
      ctx: { value: true },
      mem: { value: true },
      packet: { value: true },
      budget: { value: true },
      seed: { value: true },
      json: { value: false },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'give exactly one input file' : 'missing input file');
    const ctx = hexBytes('ctx', flagString(args, 'ctx'));
    const mem = hexBytes('mem', flagString(args, 'mem'));
    const packet = hexBytes('packet', flagString(args, 'packet'));
    const budget = intFlag('budget', flagString(args, 'budget'));
    const seed = intFlag('seed', flagString(args, 'seed'));
    const input = args.positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = input === '-' ? io.readStdin() : io.readFile(input);
    } catch (e) {
      io.stderr(`bpfdbg run: cannot read ${input}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    const loaded = load(bytes, input === '-' ? '<stdin>' : input, flagString(args, 'program'), io);
    if (!loaded) return EXIT.INPUT_ERROR;
    const kernel = new Kernel(seed !== undefined ? { seed } : {});
    const maps: BpfMap[] = [];
    for (const def of loaded.maps) {
      if (!mapTypeName(def.type)) {
        io.stderr(`bpfdbg run: map ${def.name}: map type ${String(def.type)} is not simulated\n`);
        return EXIT.INPUT_ERROR;
      }
      const m = kernel.createMap(def);
      if ('code' in m) {
        io.stderr(`bpfdbg run: ${m.message}\n`);
        return EXIT.INPUT_ERROR;
      }
      if (def.initialData && m instanceof ArrayMap) m.set(0, def.initialData);
      maps.push(m);
    }
    const type = (flagString(args, 'type') as RunProgType | undefined) ?? loaded.type ?? 'raw';
    const r = runProgram(loaded.insns, {
      type, kernel, maps,
      ...(ctx ? { ctx } : {}), ...(mem ? { mem } : {}), ...(packet ? { packet } : {}), ...(budget !== undefined ? { budget } : {}),
    });
    if (args.flags.has('json')) {
      const fault = r.fault ? {
        code: r.fault.code, message: r.fault.message, pc: r.fault.pc,
        ...(r.fault.address !== undefined ? { address: `0x${r.fault.address.toString(16)}` } : {}),
        ...(r.fault.size !== undefined ? { size: r.fault.size } : {}), ...(r.fault.region ? { region: r.fault.region } : {}),
      } : null;
      io.stdout(`${JSON.stringify({ r0: r.r0.toString(), executed: r.executed, console: r.console, fault })}\n`);
    } else {
      if (r.console) io.stdout(r.console);
      if (r.fault) io.stderr(`bpfdbg run: ${r.fault.code} at pc ${r.fault.pc}: ${r.fault.message}\n`);
      io.stdout(`0x${r.r0.toString(16)}\n`);
    }
    return r.fault ? EXIT.INPUT_ERROR : EXIT.OK;
  },
};

export default command;
