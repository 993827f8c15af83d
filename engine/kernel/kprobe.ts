// Seed 004's kprobe program-invocation path: trace_call_bpf with its NMI bypass and per-CPU recursion guard.
//
// [S4:L83-L112] trace_call_bpf(prog, ctx):
//   if (in_nmi()) return 1;                              // not supported yet: the event is stored
//   preempt_disable();
//   if (__this_cpu_inc_return(bpf_prog_active) != 1) {   // a BPF program already runs on this CPU:
//           ret = 0; goto out;                           // don't call it, don't store the event
//   }
//   ret = BPF_PROG_RUN(prog, ctx);
// out:
//   __this_cpu_dec(bpf_prog_active);                     // on both paths
//   return ret;
// Return values [S4:L25-L27, L76-L82]: 0 = event filtered out, 1 = stored, others reserved (behave as 1).
//
// The simulator's kernel functions are its helpers: a helper named X is the kernel function bpf_X
// (BPF_CALL_n(bpf_map_update_elem, ...)), so a kprobe attached to "bpf_map_update_elem" fires when
// any program calls that helper. A kprobe program that calls the helper it is attached to therefore
// triggers itself; the guard drops that nested event (KP-09: counted as a recursion drop).
//
// The hub does not run programs itself (engine/kernel sits below the interpreter): whoever runs
// programs registers a runner, and the top-level invocation goes through traceCallBpf as well so
// that bpf_prog_active is 1 while the outer program runs.
import type { HelperDef, HelperFn } from './helpers';
import type { Kernel } from './kernel';

/** A program attached to a kprobe; `program` is opaque here (the runner knows what it is). */
export interface KprobeAttachment {
  readonly symbol: string;
  readonly program: unknown;
  readonly name: string;
}

/** Runs an attached program on a pt_regs ctx and returns r0 (the interpreter supplies it). */
export type KprobeRunner = (attachment: KprobeAttachment, regs: Uint8Array) => bigint;

/** What happened to one kprobe event. */
export type KprobeOutcome = 'stored' | 'filtered' | 'recursion_drop' | 'nmi_bypass';

export interface KprobeEvent {
  readonly symbol: string;
  readonly program: string;
  readonly cpu: number;
  /** trace_call_bpf's return value. */
  readonly ret: bigint;
  readonly outcome: KprobeOutcome;
  /** Nesting depth of bpf_prog_active when the event arrived (1 = top level). */
  readonly depth: number;
}

export interface KprobeStats {
  runs: number;
  stored: number;
  filtered: number;
  /** Nested invocations the per-CPU guard refused (KP-09). */
  recursionDrops: number;
  /** Events in NMI context: the program was not run, the event was stored (KP-02 step 1). */
  nmiBypass: number;
}

/** sizeof(struct pt_regs) on x86-64 (21 u64 fields); run-ctx.ts has the same value. */
const PT_REGS_SIZE = 168;

/** x86-64 ABI argument registers in pt_regs (offsets: di 112, si 104, dx 96, cx 88, r8 72, r9 64). */
export const PT_REGS_ARG_OFFSETS = [112, 104, 96, 88, 72, 64] as const;
/** pt_regs offsets of every x86-64 register by name (arch/x86/include/asm/ptrace.h). */
export const PT_REGS_OFFSETS: Readonly<Record<string, number>> = Object.freeze({
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72, ax: 80, cx: 88,
  dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
});

/** Fake text address of a kernel symbol (stable per name), for regs.ip of a fired kprobe. */
export function symbolAddress(symbol: string): bigint {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193);
  return 0xffffffff81000000n + (BigInt(h >>> 0) & 0xfffff0n);
}

/** pt_regs for a call of `symbol` with these arguments (di, si, dx, cx, r8, r9), as a kprobe at its entry sees them. */
export function regsForCall(symbol: string, args: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(PT_REGS_SIZE);
  const v = new DataView(bytes.buffer);
  args.slice(0, 6).forEach((a, i) => v.setBigUint64(PT_REGS_ARG_OFFSETS[i], BigInt.asUintN(64, a), true));
  v.setBigUint64(PT_REGS_OFFSETS.ip, symbolAddress(symbol), true);
  return bytes;
}

export class KprobeHub {
  private readonly attached = new Map<string, KprobeAttachment[]>();
  /** bpf_prog_active, per CPU. */
  readonly active: number[];
  /** Simulate in_nmi() for the next events. */
  inNmi = false;
  runner: KprobeRunner | undefined;
  readonly stats: KprobeStats = { runs: 0, stored: 0, filtered: 0, recursionDrops: 0, nmiBypass: 0 };
  readonly events: KprobeEvent[] = [];

  constructor(private readonly kernel: Kernel) {
    this.active = new Array<number>(kernel.nCpus).fill(0);
  }

  attach(symbol: string, program: unknown, name = 'prog'): KprobeAttachment {
    const a: KprobeAttachment = { symbol, program, name };
    const list = this.attached.get(symbol) ?? [];
    list.push(a);
    this.attached.set(symbol, list);
    return a;
  }

  detach(a: KprobeAttachment): void {
    const list = this.attached.get(a.symbol);
    if (!list) return;
    const i = list.indexOf(a);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.attached.delete(a.symbol);
  }

  hasProbes(): boolean {
    return this.attached.size > 0;
  }

  /**
   * trace_call_bpf [S4:L83-L112]: runs `run` unless in NMI (returns 1) or another BPF program is
   * already active on this CPU (returns 0, event dropped). The counter is decremented on both paths.
   */
  traceCallBpf(symbol: string, program: string, run: () => bigint): bigint {
    const k = this.kernel;
    const cpu = k.cpu;
    const record = (ret: bigint, outcome: KprobeOutcome, depth: number): bigint => {
      this.events.push({ symbol, program, cpu, ret, outcome, depth });
      // KP-03: 0 filters the event out; 1 and every other value store it. A recursion drop stores nothing.
      if (outcome === 'recursion_drop') this.stats.recursionDrops++;
      else if (outcome === 'nmi_bypass') this.stats.nmiBypass++;
      if (outcome === 'stored' || outcome === 'nmi_bypass') this.stats.stored++;
      else if (outcome === 'filtered') this.stats.filtered++;
      return ret;
    };
    if (this.inNmi) return record(1n, 'nmi_bypass', this.active[cpu]);
    const depth = ++this.active[cpu];
    try {
      if (depth !== 1) return record(0n, 'recursion_drop', depth);
      this.stats.runs++;
      const ret = BigInt.asUintN(32, run()); // trace_call_bpf returns unsigned int
      return record(ret, ret === 0n ? 'filtered' : 'stored', depth);
    } finally {
      this.active[cpu]--;
    }
  }

  /**
   * The kernel reached `symbol` with these arguments: every program attached there runs through
   * trace_call_bpf. Without a registered runner nothing can run programs, so nothing fires.
   */
  fire(symbol: string, args: readonly bigint[]): void {
    const list = this.attached.get(symbol);
    const runner = this.runner;
    if (!list || !runner) return;
    for (const a of [...list]) {
      const regs = regsForCall(symbol, args);
      this.traceCallBpf(symbol, a.name, () => runner(a, regs));
    }
  }

  /** The helper as the kernel function bpf_<name>: entering it fires the kprobes attached there. */
  wrapHelper(h: HelperDef): HelperDef {
    if (h.fn === 'machine') return h;
    const symbol = h.name.startsWith('bpf_') ? h.name : `bpf_${h.name}`;
    if (!this.attached.has(symbol)) return h;
    const inner: HelperFn = h.fn;
    return { ...h, fn: (call) => {
      this.fire(symbol, call.args);
      return inner(call);
    } };
  }
}
