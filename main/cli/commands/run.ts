// bpfdbg run: executes a program in the interpreter on the simulated kernel and prints r0 (or a JSON result).
import { loadProgram, prepareRun, type RunFault } from '../../../engine/interp';
import { formatDiagnostic, type Insn } from '../../../engine/isa';
import {
  ArrayMap, Kernel, ProgArrayMap, PT_REGS_OFFSETS, PT_REGS_SIZE, RUN_PROG_TYPES, mapTypeName, prepare2013, registerDtrace,
  type BpfMap, type Helpers2013Mode, type MapDef, type RunProgType,
} from '../../../engine/kernel';
import { loadProgramInput, type BpfObject } from '../../../engine/obj';
import { loadImage2013 } from '../../../engine/obj/image-2013';
import { flagString, parseArgs, UsageError } from '../args';
import { EXIT, type CliIO } from '../io';
import type { Command } from '../main';

const USAGE = `bpfdbg run FILE [--program NAME] [--type T] [--ctx HEX] [--regs R=V,...] [--mem HEX] [--packet HEX] [--kmem ADDR=HEX,...]
                [--repeat N] [--kprobe SYMBOL] [--nmi] [--probe SYMBOL] [--helpers 2013|2013-faithful|modern] [--maps] [--budget N] [--seed N] [--json]

  FILE       an ELF BPF object, llvm-syntax assembly (.s), raw bytecode (.bin), or a 2013 "bpf\\0" image
             (seed 003; run as a tracing filter: ctx = struct pt_regs); "-" reads standard input
  --program  ELF: the program (function or SEC() name) to run; default the first
  --type     ${RUN_PROG_TYPES.join(', ')} (default: the ELF section's type, else raw)
  --ctx      ctx bytes in hex (syscall args, pt_regs, tracing / raw_tracepoint u64 args, a tracepoint's event
             record from its common header on, or a whole __sk_buff / xdp_md)
  --mem      raw: memory bytes in hex; r1 = its address, r2 = its length (the conformance convention)
  --packet   socket_filter / sched_cls / xdp: packet bytes in hex
  --regs     kprobe / 2013 images: pt_regs fields by name (di=0xffff888200001000,si=5; names: ${Object.keys(PT_REGS_OFFSETS).join(' ')})
  --kmem     kernel memory probe_read / bpf_load_pointer can reach: ADDR=HEX pairs, comma-separated
             (use 0xffff8882xxxxxxxx, the simulator's area for kernel objects)
  --repeat   run N times on the same kernel (maps, console and clock carry over); r0 of the last run
  --kprobe   attach the program to the kprobe SYMBOL and invoke it through trace_call_bpf (seed 004):
             0 drops the event, others store it; a helper named like SYMBOL (bpf_map_update_elem...)
             fires the kprobe again, and the per-CPU guard drops that nested event
  --nmi      with --kprobe: the event arrives in NMI context (the program is not run, the event is stored)
  --probe    2013 images: the traced function (prefix of bpf_trace_printk lines, bpf_dump_stack frame)
  --helpers  2013 images: '2013' (default) the seed's helper semantics with working tables, '2013-faithful'
             the RFC's runtime exactly (no table helpers: they log and return 0), 'modern' the helpers and
             maps the image transcodes to for today's kernel
  --maps     print every map's entries after the run (JSON: "maps")
  --tail     ELF: fill prog_array slots with other programs of the object: MAP:INDEX=PROGRAM[@TYPE],...
             (TYPE dtrace: seed 002's DTrace type, entered by a cross-type tail call with convert_ctx)
  --dtrace   register seed 002's DTrace type first, so its helpers get this kernel's first dynamic ids:
             finalize_context 4096, buffer_reserve 4097, buffer_commit 4098; committed records are printed
  --budget   instruction budget (default 100000000)
  --seed     get_prandom_u32 seed
  --json     print {"r0","executed","console","fault"} (r0 as a decimal string) instead of r0 in hex
             (plus "runs" with --repeat, "kprobe" with --kprobe, "maps" with --maps)
Exit 0 when the program exits, 1 on a fault, unreadable input or budget exhaustion, 2 usage.`;

interface Loaded {
  insns: Insn[];
  type?: RunProgType;
  maps: Array<MapDef & { initialData?: Uint8Array }>;
  /** Maps created by the loader itself (2013 tables), already in the kernel. */
  created?: BpfMap[];
  /** ELF input: the whole object (for --tail). */
  object?: BpfObject;
}

interface Outcome {
  r0: bigint;
  executed: number;
  fault?: RunFault;
}

const IMAGE_2013_MAGIC = [0x62, 0x70, 0x66, 0x00];

/** A 2013 image: loaded in bpf_load_image's order, then prepared for this kernel (helpers-2013 or modern). */
function load2013(bytes: Uint8Array, file: string, kernel: Kernel, helpers: Helpers2013Mode, probe: string | undefined, io: CliIO): Loaded | undefined {
  const img = loadImage2013(bytes, { file });
  for (const d of img.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
  if (!img.image) return undefined;
  const prep = prepare2013(kernel, img.image, { helpers, ...(probe !== undefined ? { probe } : {}) });
  for (const d of prep.diagnostics) if (d.severity === 'error') io.stderr(formatDiagnostic({ ...d, file }) + '\n');
  if ('error' in prep) {
    io.stderr(`bpfdbg run: ${file}: ${prep.error}\n`);
    return undefined;
  }
  return { insns: prep.insns, type: 'kprobe', maps: prep.maps, ...(prep.binding ? { created: [...prep.binding.tables] } : {}) };
}

const ELF_TYPES: Record<string, RunProgType> = {
  socket_filter: 'socket_filter', sched_cls: 'sched_cls', sched_act: 'sched_cls', xdp: 'xdp', kprobe: 'kprobe',
  tracepoint: 'tracepoint', raw_tracepoint: 'raw_tracepoint', raw_tracepoint_writable: 'raw_tracepoint', tracing: 'tracing', syscall: 'syscall',
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
  return { insns: [...input.program.insns], maps, object: input.object, ...(type ? { type } : {}) };
}

interface TailSpec {
  map: string;
  index: number;
  program: string;
  type?: string;
}

/** --tail MAP:INDEX=PROGRAM[@TYPE],...: prog_array slots to fill with other programs of the object. */
function tailFlag(text: string | undefined): TailSpec[] {
  if (text === undefined) return [];
  return text.split(',').filter((p) => p.trim()).map((part) => {
    const m = /^\s*([^:=\s]+):(\d+)=([^@\s]+)(?:@([a-z_]+))?\s*$/.exec(part);
    if (!m) throw new UsageError(`--tail: ${JSON.stringify(part)} is not MAP:INDEX=PROGRAM[@TYPE]`);
    if (m[4] !== undefined && m[4] !== 'dtrace' && !(RUN_PROG_TYPES as readonly string[]).includes(m[4])) {
      throw new UsageError(`--tail: type ${m[4]} is not one of ${[...RUN_PROG_TYPES, 'dtrace'].join(', ')}`);
    }
    return { map: m[1], index: Number(m[2]), program: m[3], ...(m[4] !== undefined ? { type: m[4] } : {}) };
  });
}

function hexBytes(name: string, text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const clean = text.replace(/^0x/i, '').replace(/[\s:,]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new UsageError(`--${name} must be hex bytes (got ${JSON.stringify(text)})`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** --regs di=0x...,si=5: a struct pt_regs (over --ctx bytes when both are given). */
function regsCtx(text: string | undefined, base: Uint8Array | undefined): Uint8Array | undefined {
  if (text === undefined) return base;
  const bytes = new Uint8Array(PT_REGS_SIZE);
  if (base) bytes.set(base.subarray(0, PT_REGS_SIZE));
  const v = new DataView(bytes.buffer);
  for (const part of text.split(',').filter((p) => p.trim())) {
    const m = /^\s*([a-z0-9_]+)\s*=\s*(-?(?:0x[0-9a-f]+|\d+))\s*$/i.exec(part);
    const off = m ? PT_REGS_OFFSETS[m[1].toLowerCase()] : undefined;
    if (!m || off === undefined) throw new UsageError(`--regs: ${JSON.stringify(part)} is not REG=VALUE with REG one of ${Object.keys(PT_REGS_OFFSETS).join(', ')}`);
    v.setBigUint64(off, BigInt.asUintN(64, BigInt(m[2])), true);
  }
  return bytes;
}

/** --kmem ADDR=HEX,ADDR=HEX: regions of kernel memory at fixed addresses. */
function kmemFlag(text: string | undefined): Array<{ address: bigint; bytes: Uint8Array }> {
  if (text === undefined) return [];
  return text.split(',').filter((p) => p.trim()).map((part) => {
    const m = /^\s*(0x[0-9a-f]+)\s*=\s*([0-9a-f\s:]*)$/i.exec(part);
    if (!m) throw new UsageError(`--kmem: ${JSON.stringify(part)} is not ADDR=HEX (e.g. 0xffff888200001000=6c6f00)`);
    return { address: BigInt(m[1]), bytes: hexBytes('kmem', m[2])! };
  });
}

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

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
      regs: { value: true },
      mem: { value: true },
      packet: { value: true },
      kmem: { value: true },
      repeat: { value: true },
      kprobe: { value: true },
      nmi: { value: false },
      probe: { value: true },
      helpers: { value: true, choices: ['2013', '2013-faithful', 'modern'] },
      maps: { value: false },
      tail: { value: true },
      dtrace: { value: false },
      budget: { value: true },
      seed: { value: true },
      json: { value: false },
    });
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'give exactly one input file' : 'missing input file');
    const ctx = regsCtx(flagString(args, 'regs'), hexBytes('ctx', flagString(args, 'ctx')));
    const mem = hexBytes('mem', flagString(args, 'mem'));
    const packet = hexBytes('packet', flagString(args, 'packet'));
    const kmem = kmemFlag(flagString(args, 'kmem'));
    const budget = intFlag('budget', flagString(args, 'budget'));
    const seed = intFlag('seed', flagString(args, 'seed'));
    const repeat = intFlag('repeat', flagString(args, 'repeat')) ?? 1;
    if (repeat < 1) throw new UsageError('--repeat must be at least 1');
    const kprobe = flagString(args, 'kprobe');
    if (args.flags.has('nmi') && kprobe === undefined) throw new UsageError('--nmi needs --kprobe');
    const input = args.positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = input === '-' ? io.readStdin() : io.readFile(input);
    } catch (e) {
      io.stderr(`bpfdbg run: cannot read ${input}: ${(e as Error).message}\n`);
      return EXIT.INPUT_ERROR;
    }
    const file = input === '-' ? '<stdin>' : input;
    const tails = tailFlag(flagString(args, 'tail'));
    const kernel = new Kernel(seed !== undefined ? { seed } : {});
    const dtrace = args.flags.has('dtrace') || tails.some((t) => t.type === 'dtrace') ? registerDtrace(kernel) : undefined;
    for (const { address, bytes: b } of kmem) {
      try {
        kernel.mapKernelMemory(`kmem@0x${address.toString(16)}`, b, { address });
      } catch (e) {
        io.stderr(`bpfdbg run: --kmem 0x${address.toString(16)}: ${(e as Error).message}\n`);
        return EXIT.INPUT_ERROR;
      }
    }
    const is2013 = IMAGE_2013_MAGIC.every((b, i) => bytes[i] === b);
    const helpers = (flagString(args, 'helpers') as Helpers2013Mode | undefined) ?? '2013';
    const loaded = is2013
      ? load2013(bytes, file, kernel, helpers, flagString(args, 'probe'), io)
      : load(bytes, file, flagString(args, 'program'), io);
    if (!loaded) return EXIT.INPUT_ERROR;
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
    const type = (flagString(args, 'type') as RunProgType | undefined) ?? (kprobe !== undefined ? 'kprobe' : undefined) ?? loaded.type ?? 'raw';
    if (tails.length && !loaded.object) throw new UsageError('--tail needs an ELF object (its programs and prog_array maps)');
    const byFd = new Map(maps.map((m, i) => [i, m] as const));
    for (const t of tails) {
      const obj = loaded.object!;
      const mi = obj.maps.findIndex((m) => m.name === t.map || m.kernelName === t.map);
      const array = maps[mi];
      const prog = obj.programs.find((p) => p.name === t.program || p.section === t.program);
      if (!(array instanceof ProgArrayMap) || !prog) {
        io.stderr(`bpfdbg run: --tail ${t.map}:${t.index}=${t.program}: ${!prog ? `no program ${t.program}` : `${t.map} is not a prog_array map of the object`}\n`);
        return EXIT.INPUT_ERROR;
      }
      const ptype = t.type ?? ELF_TYPES[prog.type.name] ?? 'raw';
      const loadedProg = loadProgram(kernel, prog.insns, { type: ptype === 'dtrace' ? 'raw' : (ptype as RunProgType), mapsByFd: byFd, mapsByIndex: maps, name: prog.name });
      if (ptype === 'dtrace') kernel.crossType!.setProgramType(loadedProg, 'dtrace');
      const err = array.setProgram(t.index, loadedProg, ptype);
      if (err !== 0) {
        io.stderr(`bpfdbg run: --tail: ${t.map} slot ${t.index}: ${err === -22 ? `the array holds ${array.ownerType} programs, not ${ptype} (TC-03)` : `index out of range (${array.def.maxEntries} slots)`}\n`);
        return EXIT.INPUT_ERROR;
      }
      // bpf_check_tail_call for the program being run (TC-02): same type, or the owner type's is_valid_tail_call.
      const check = kernel.crossType ? kernel.crossType.checkTailCall(array, type) : array.ownerType === type ? 0 : -22;
      if (check !== 0) {
        io.stderr(`bpfdbg run: bpf_check_tail_call: a ${type} program cannot use ${t.map}, which holds ${array.ownerType} programs (-EINVAL)\n`);
        return EXIT.INPUT_ERROR;
      }
    }
    // One run on the shared kernel; its stacks and ctx/mem regions are unmapped afterwards so --repeat can run long.
    const runOnce = (ctxBytes: Uint8Array | undefined): Outcome => {
      const prep = prepareRun(loaded.insns, {
        type, kernel, maps, ...(ctxBytes ? { ctx: ctxBytes } : {}), ...(mem ? { mem } : {}), ...(packet ? { packet } : {}),
      });
      if (!('machine' in prep)) return { r0: 0n, executed: 0, fault: prep };
      const { machine, context } = prep;
      const stop = machine.run({ budget: budget ?? 100_000_000 });
      let fault: RunFault | undefined = machine.fault;
      if (stop === 'budget') fault = { code: 'budget_exhausted', message: `instruction budget of ${machine.executed} used up`, pc: machine.pc, program: machine.prog.name };
      const out: Outcome = { r0: machine.reg(0), executed: machine.executed, ...(fault ? { fault } : {}) };
      machine.dispose();
      for (const region of [context.ctx, context.mem]) if (region) kernel.space.unmap(region);
      return out;
    };
    let r: Outcome | undefined;
    let ret: bigint | undefined;
    for (let i = 0; i < repeat; i++) {
      if (kprobe === undefined) {
        r = runOnce(ctx);
      } else {
        // Seed 004: the program is attached at `kprobe`; this event and any the program itself causes go through trace_call_bpf.
        const hub = kernel.kprobes;
        hub.inNmi = args.flags.has('nmi');
        if (i === 0) {
          hub.attach(kprobe, loaded.insns, file);
          hub.runner = (_a, regs) => runOnce(regs).r0;
        }
        ret = hub.traceCallBpf(kprobe, file, () => {
          r = runOnce(ctx);
          return r.r0;
        });
      }
      if (r?.fault) break;
    }
    const events = kernel.kprobes.events;
    const kprobeInfo = kprobe === undefined ? undefined : {
      symbol: kprobe, ret: (ret ?? 0n).toString(), ...kernel.kprobes.stats,
      events: events.map((e) => ({ outcome: e.outcome, ret: e.ret.toString(), depth: e.depth, cpu: e.cpu })),
    };
    const mapDump = !args.flags.has('maps') ? undefined : [...(loaded.created ?? []), ...maps].map((m) => ({
      name: m.name, type: m.type,
      // prog_array slots hold programs, shown by name (the kernel's user-visible value would be a prog fd).
      entries: m instanceof ProgArrayMap
        ? m.slots.flatMap((p, i) => (p === undefined ? [] : [{ key: hexOf(Uint8Array.of(i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24)), value: `${(p as { name?: string }).name ?? 'program'} (${m.ownerType ?? '?'})` }]))
        : m.entries().map((e) => ({ key: hexOf(e.key), value: hexOf(e.value) })),
    }));
    const records = dtrace?.committed().map((c) => ({ cpu: c.cpu, offset: c.offset, data: hexOf(c.data) }));
    const fault = r?.fault;
    const r0 = r?.r0 ?? 0n;
    const console = kernel.console;
    if (args.flags.has('json')) {
      const f = fault ? {
        code: fault.code, message: fault.message, pc: fault.pc,
        ...(fault.address !== undefined ? { address: `0x${fault.address.toString(16)}` } : {}),
        ...(fault.size !== undefined ? { size: fault.size } : {}), ...(fault.region ? { region: fault.region } : {}),
      } : null;
      io.stdout(`${JSON.stringify({
        r0: r0.toString(), executed: r?.executed ?? 0, console, fault: f,
        ...(repeat > 1 ? { runs: repeat } : {}), ...(kprobeInfo ? { kprobe: kprobeInfo } : {}), ...(mapDump ? { maps: mapDump } : {}),
        ...(records ? { dtrace: records } : {}),
      })}\n`);
    } else {
      if (console) io.stdout(console);
      if (fault) io.stderr(`bpfdbg run: ${fault.code} at pc ${fault.pc}${tails.length && fault.program ? ` of ${fault.program}` : ''}: ${fault.message}\n`);
      if (kprobeInfo) {
        const s = kernel.kprobes.stats;
        const top = events.filter((e) => e.depth <= 1 || e.outcome === 'nmi_bypass');
        io.stdout(`kprobe ${kprobe}: ${top.map((e) => `event ${e.outcome === 'filtered' ? 'filtered out' : e.outcome === 'nmi_bypass' ? 'stored (NMI: program not run)' : 'stored'} (trace_call_bpf returned ${e.ret})`).join('; ')}; `
          + `runs ${s.runs}, stored ${s.stored}, filtered ${s.filtered}, recursion drops ${s.recursionDrops}, nmi bypass ${s.nmiBypass}\n`);
      }
      for (const [i, c] of (records ?? []).entries()) io.stdout(`dtrace record ${i} (cpu ${c.cpu}, buffer offset ${c.offset}, ${c.data.length / 2} bytes): ${c.data}\n`);
      for (const m of mapDump ?? []) {
        io.stdout(`map ${m.name} (${m.type}): ${m.entries.length} entr${m.entries.length === 1 ? 'y' : 'ies'}\n`);
        for (const e of m.entries) io.stdout(`  ${e.key}: ${e.value}\n`);
      }
      io.stdout(`0x${r0.toString(16)}\n`);
    }
    return fault ? EXIT.INPUT_ERROR : EXIT.OK;
  },
};

export default command;
