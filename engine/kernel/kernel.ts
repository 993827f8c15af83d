// The simulated kernel instance: address space, maps, CPU and task state, clock, PRNG and console that helpers act on.
import { AddressSpace, HI, joinAddress, type Region } from './address-space';
import type { DtraceRuntime } from './dtrace';
import { helperById, type HelperDef, type HelperFn } from './helpers';
import { KprobeHub } from './kprobe';
import { ArrayMap, BpfMap, createMap, type Journal, type MapDef, type MapDefError } from './maps';
import { CrossTypeTailCalls } from './tail-call';

/**
 * First id defineDynamicHelper hands out: above every upstream BPF_FUNC_* id, so a helper that has
 * no upstream id (the seeds' 2013 helpers, finalize_context, buffer_reserve/commit) can never be
 * mistaken for one. Ids are per kernel: a program must get them from the kernel that runs it.
 */
export const DYNAMIC_HELPER_BASE = 0x1000;

/** The task `current` points at while the program runs (get_current_* helpers). */
export interface TaskInfo {
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  comm: string;
}

export interface KernelOptions {
  /** Number of possible CPUs (per-CPU maps hold this many values). Default 2. */
  nCpus?: number;
  /** CPU the program runs on. Default 0. */
  cpu?: number;
  /** PRNG seed for get_prandom_u32. Default 0. */
  seed?: number;
  /** Simulated CLOCK_MONOTONIC at start, ns. Default 1_000_000_000. */
  clockNs?: bigint;
  /** ns the clock advances on every ktime_get_ns call (deterministic). Default 1000. */
  clockStepNs?: bigint;
  task?: Partial<TaskInfo>;
}

/** xorshift32 with a splitmix-style seed scramble: deterministic, seedable, never stuck at 0. */
function scramble(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return z === 0 ? 0x2545f491 : z;
}

export class Kernel {
  readonly space = new AddressSpace();
  readonly journal: Journal = { record: undefined };
  readonly nCpus: number;
  cpu: number;
  task: TaskInfo;
  clockNs: bigint;
  clockStepNs: bigint;
  private prng: number;
  /** The packet of the current run (skb/xdp programs), for skb_load_bytes. */
  packet: Region | undefined;
  /** trace_printk output (the trace pipe), one line per call as the kernel emits it. */
  console = '';
  private readonly maps: BpfMap[] = [];
  private readonly extraHelpers = new Map<number, HelperDef>();
  private readonly mapsByObject = new Map<number, BpfMap>();
  private nextHelperId = DYNAMIC_HELPER_BASE;
  /** Seed 004: kprobe attachments and trace_call_bpf's per-CPU recursion guard. */
  readonly kprobes: KprobeHub;
  /** Seed 002: cross-type tail calls; undefined until a program type registers its ops (upstream behaviour). */
  crossType: CrossTypeTailCalls | undefined;
  /** Seed 002: the DTrace program type's runtime, once registered (engine/kernel/dtrace.ts). */
  dtrace: DtraceRuntime | undefined;

  constructor(opts: KernelOptions = {}) {
    this.nCpus = Math.max(1, opts.nCpus ?? 2);
    this.cpu = Math.min(this.nCpus - 1, Math.max(0, opts.cpu ?? 0));
    this.prng = scramble(opts.seed ?? 0);
    this.clockNs = opts.clockNs ?? 1_000_000_000n;
    this.clockStepNs = opts.clockStepNs ?? 1000n;
    this.task = { pid: 4242, tgid: 4242, uid: 0, gid: 0, comm: 'bpfdbg', ...opts.task };
    this.kprobes = new KprobeHub(this);
  }

  /** The cross-type tail-call registry, created on first use (TC-01). */
  enableCrossTypeTailCalls(): CrossTypeTailCalls {
    this.crossType ??= new CrossTypeTailCalls(this);
    return this.crossType;
  }

  createMap(def: MapDef): BpfMap | MapDefError {
    const m = createMap(def, { space: this.space, nCpus: this.nCpus, journal: this.journal });
    if (m instanceof BpfMap) {
      this.maps.push(m);
      this.mapsByObject.set(m.object.lo, m);
    }
    return m;
  }

  /**
   * Adds or replaces a helper for this kernel only: helpers whose id is not fixed upstream (the
   * seeds' finalize_context, buffer_reserve/commit) or a dialect's own helper set.
   */
  defineHelper(def: HelperDef): void {
    this.extraHelpers.set(def.id, def);
  }

  /** Defines a helper under a fresh id of this kernel (from DYNAMIC_HELPER_BASE up) and returns it. */
  defineDynamicHelper(name: string, fn: HelperFn): HelperDef {
    const def: HelperDef = { id: this.nextHelperId++, name, fn };
    this.extraHelpers.set(def.id, def);
    return def;
  }

  /**
   * The helper the program's `call imm` reaches on this kernel. With kprobes attached, a helper is
   * also the kernel function bpf_<name> those kprobes fire on (seed 004's recursion case).
   */
  helper(id: number): HelperDef | undefined {
    const h = this.extraHelpers.get(id) ?? helperById(id);
    return h && this.kprobes.hasProbes() ? this.kprobes.wrapHelper(h) : h;
  }

  allMaps(): readonly BpfMap[] {
    return this.maps;
  }

  /** The map whose struct bpf_map lives at this address (what a program passes as a map argument). */
  mapAt(addr: bigint): BpfMap | undefined {
    const hi = Number(BigInt.asUintN(64, addr) >> 32n) | 0;
    if (hi !== HI.MAP_OBJECT) return undefined;
    const m = this.mapsByObject.get(Number(addr & 0xffffffffn));
    return m;
  }

  /** Address of the first value of an array map plus `offset` (lddw map_value). */
  mapValueAddress(map: BpfMap, offset: number): bigint | undefined {
    if (!(map instanceof ArrayMap) || map.type !== 'array') return undefined;
    const r = map.storage[0];
    return joinAddress(r.hi, r.lo) + BigInt(offset);
  }

  /** Maps read-only (or writable) memory the program can reach with probe_read*, e.g. a fake task_struct. */
  mapKernelMemory(name: string, bytes: Uint8Array, opts: { address?: bigint; writable?: boolean; user?: boolean } = {}): Region {
    const hi = opts.address !== undefined ? Number(BigInt.asUintN(64, opts.address) >> 32n) | 0 : opts.user ? HI.USER : HI.KERNEL;
    const lo = opts.address !== undefined ? Number(opts.address & 0xffffffffn) : undefined;
    return this.space.map({ name, kind: opts.user ? 'user' : 'kernel', hi, ...(lo !== undefined ? { lo } : {}), bytes, writable: opts.writable ?? false });
  }

  nextRandom(): number {
    let x = this.prng;
    const prev = x;
    this.journal.record?.(() => {
      this.prng = prev;
    });
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.prng = x;
    return x >>> 0;
  }

  /** Current value of a simulated clock; advances by clockStepNs per reading so durations are non-zero. */
  readClock(): bigint {
    const now = this.clockNs;
    this.clockNs += this.clockStepNs;
    const prev = now;
    this.journal.record?.(() => {
      this.clockNs = prev;
    });
    return now;
  }

  print(line: string): void {
    const before = this.console;
    this.journal.record?.(() => {
      this.console = before;
    });
    this.console += line;
  }
}
