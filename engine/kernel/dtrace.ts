// Seed 002: the DTrace program type (PT-06), its context, finalize_context (TC-10) and writable buffers (WB-01..WB-07).
//
// What the seed fixes and what is ours. The RFC [S2] gives: a BPF_PROG_TYPE_DTRACE entered by a
// cross-type tail call from a kprobe program, whose ctx is "independent from the probe-specific BPF
// program context" [S2:L283-L286]; bpf_finalize_context(ctx, map) reading "a map that is indexed by
// CPU id" whose content the target type defines [S2:L56-L60, L113-L119]; <buf>/<buf>_end ctx members
// read as PTR_TO_BUFFER / PTR_TO_BUFFER_END with a buf_id (offsetof(ctx, <buf>)) [S2:L357-L370];
// bpf_buffer_reserve/commit [S2:L391-L396]; page-bounded records with zero padding [S2:L372-L380].
// It does not give (OQ-01, OQ-02) the ctx layout, the finalize map's content, the helpers' prototypes
// or their errors. Our design, documented here and in DTRACE_CTX:
//
//   struct dtrace_bpf_ctx {        // bpfdbg's layout, 96 bytes, read-only to the program
//     u32 probe_id;      //  0  set by bpf_finalize_context from the caller's per-CPU map
//     u32 cpu;           //  4
//     u32 pid;           //  8  tgid of current
//     u32 tid;           // 12  pid of current
//     u64 timestamp;     // 16  ns, taken when the ctx is converted
//     u64 argv[6];       // 24  kprobe: di, si, dx, cx, r8, r9 of the probe's pt_regs
//     u64 ip;            // 72  regs.ip
//     void *buf;         // 80  PTR_TO_BUFFER,     buf_id 80
//     void *buf_end;     // 88  PTR_TO_BUFFER_END, buf_id 80
//   };
//   struct dtrace_finalize_data { u32 probe_id; ... };    // the per-CPU map's value (>= 4 bytes)
//   long bpf_finalize_context(void *ctx, struct bpf_map *map)        0, -EINVAL, -ENOENT
//   long bpf_buffer_reserve(void *ctx, u32 buf_id, u32 size)         0, -EINVAL, -E2BIG, -EBUSY, -ENOSPC
//   long bpf_buffer_commit(void *ctx, u32 buf_id)                    0, -EINVAL, -ENOENT
//
// Helper ids are not hard-wired (finalize_context's RFC id, 109, is send_signal upstream): each kernel
// hands out its own through defineDynamicHelper, and registerDtrace returns them. The program type id
// is private too (DTRACE_PROG_TYPE_ID). Interpreter side only: the verifier does not model
// PTR_TO_BUFFER ranges yet; at run time a reserved record is its own region, so stores inside
// [buf, buf_end) succeed and stores outside fault naming the record.
import { HI, hex64, joinAddress, splitAddress, type Region } from './address-space';
import type { HelperCall, HelperFault } from './helpers';
import type { Kernel } from './kernel';
import { PT_REGS_ARG_OFFSETS, PT_REGS_OFFSETS } from './kprobe';
import { ArrayMap, ERRNO } from './maps';
import type { CtxField, ProgType } from './prog-types';

/** Our enum bpf_prog_type value for DTRACE: outside the upstream range (upstream 25 is cgroup_sockopt). */
export const DTRACE_PROG_TYPE_ID = 1000;
/** BPF_PROG_TYPE_KPROBE. */
const KPROBE_TYPE_ID = 2;

export const DTRACE_CTX = {
  probe_id: 0, cpu: 4, pid: 8, tid: 12, timestamp: 16, argv: 24, ip: 72, buf: 80, buf_end: 88, size: 96,
} as const;
/** buf_id of the one writable buffer: offsetof(ctx, buf), the value the seed recommends [S2:L369-L370]. */
export const DTRACE_BUF_ID = DTRACE_CTX.buf;

const PAGE_SIZE = 4096;
/** Each record starts with a struct perf_event_header {u32 type; u16 misc; u16 size}. */
const RECORD_HEADER = 8;
const PERF_RECORD_SAMPLE = 9;
/** The largest reservation: a record never crosses a page (WB-05). */
export const DTRACE_MAX_RESERVE = PAGE_SIZE - RECORD_HEADER;

const field = (name: string, offset: number, size: number): CtxField => ({ name, offset, size, read: 'exact', write: 'none' });

/** The program type as data (not in PROG_TYPES: the running kernel, which those entries are checked against, has no such type). */
export const DTRACE_PROG_TYPE: ProgType = Object.freeze({
  id: DTRACE_PROG_TYPE_ID,
  name: 'dtrace',
  ctxStruct: 'struct dtrace_bpf_ctx (bpfdbg layout; the seed leaves it open, OQ-02)',
  ctxSize: DTRACE_CTX.size,
  fields: Object.freeze([
    field('probe_id', 0, 4), field('cpu', 4, 4), field('pid', 8, 4), field('tid', 12, 4), field('timestamp', 16, 8),
    ...Array.from({ length: 6 }, (_, i) => field(`argv[${i}]`, DTRACE_CTX.argv + 8 * i, 8)),
    field('ip', 72, 8), field('buf', 80, 8), field('buf_end', 88, 8),
  ]),
  helpers: new Set<number>(),
});

/**
 * The type's helpers as the verifier would need them: all three may change the ctx (patch 9's
 * ctx_update [S2:L382-L389]), so every PTR_TO_BUFFER range must be dropped after a call (WB-07).
 */
export const DTRACE_HELPERS: ReadonlyArray<{ readonly name: keyof DtraceHelperIds; readonly proto: string; readonly ctxUpdate: boolean }> = Object.freeze([
  { name: 'finalize_context', proto: 'long bpf_finalize_context(void *ctx, struct bpf_map *map)', ctxUpdate: true },
  { name: 'buffer_reserve', proto: 'long bpf_buffer_reserve(void *ctx, u32 buf_id, u32 size)', ctxUpdate: true },
  { name: 'buffer_commit', proto: 'long bpf_buffer_commit(void *ctx, u32 buf_id)', ctxUpdate: true },
]);

/** One reservation in a CPU's output buffer. */
export interface DtraceRecord {
  readonly cpu: number;
  /** Offset of the record header in the output buffer. */
  readonly offset: number;
  readonly size: number;
  /** Zero bytes skipped before the record so it does not cross a page (WB-05). */
  readonly padding: number;
  /** The record's memory: writable while reserved, read-only once committed. */
  region: Region;
  committed: boolean;
}

export interface DtraceHelperIds {
  readonly finalize_context: number;
  readonly buffer_reserve: number;
  readonly buffer_commit: number;
}

export interface DtraceOptions {
  /** Output buffer pages per CPU (default 4). */
  readonly pages?: number;
}

const neg = (errno: number): bigint => BigInt.asUintN(64, BigInt(-errno));

/** The DTrace runtime of one kernel: per-CPU contexts and output buffers, and the type's helpers. */
export class DtraceRuntime {
  readonly ids: DtraceHelperIds;
  /** Per CPU: the output buffer (what a consumer would read) and its write head. */
  readonly output: Uint8Array[];
  readonly heads: number[];
  readonly records: DtraceRecord[] = [];
  private readonly ctxByCpu: Array<Region | undefined> = [];
  private readonly ctxRegions = new Set<Region>();
  /** The reservation each ctx has open (at most one per buffer; one buffer per ctx). */
  private readonly open = new Map<Region, DtraceRecord>();

  constructor(private readonly k: Kernel, opts: DtraceOptions = {}) {
    const pages = Math.max(1, opts.pages ?? 4);
    this.output = Array.from({ length: k.nCpus }, () => new Uint8Array(pages * PAGE_SIZE));
    this.heads = new Array<number>(k.nCpus).fill(0);
    this.ids = {
      finalize_context: k.defineDynamicHelper('finalize_context', (c) => this.finalizeContext(c)).id,
      buffer_reserve: k.defineDynamicHelper('buffer_reserve', (c) => this.bufferReserve(c)).id,
      buffer_commit: k.defineDynamicHelper('buffer_commit', (c) => this.bufferCommit(c)).id,
    };
  }

  /** A fresh dtrace ctx region (direct 'dtrace' runs); `bytes` overrides the start of the struct. */
  newContext(bytes?: Uint8Array): Region {
    const b = new Uint8Array(DTRACE_CTX.size);
    if (bytes) b.set(bytes.subarray(0, DTRACE_CTX.size));
    const r = this.k.space.map({ name: 'ctx (struct dtrace_bpf_ctx)', kind: 'ctx', hi: HI.DIRECT, bytes: b, writable: false });
    this.ctxRegions.add(r);
    return r;
  }

  /** The ctx region behind an address the program passed, if it is a dtrace ctx (its start). */
  contextAt(addr: bigint): Region | undefined {
    const [hi, lo] = splitAddress(addr);
    for (const r of this.ctxRegions) if (r.hi === hi && r.lo === lo) return r;
    return undefined;
  }

  /**
   * convert_ctx for the DTRACE type: identity for a dtrace source (TC-06), a per-CPU dtrace ctx built
   * from the pt_regs of a kprobe source, NULL (0n) for every other type or unreadable regs.
   */
  convertCtx(stype: number, ctx: bigint): bigint {
    if (stype === DTRACE_PROG_TYPE_ID) return this.contextAt(ctx) ? ctx : 0n;
    if (stype !== KPROBE_TYPE_ID) return 0n;
    const regs = this.k.space.read(ctx, 168);
    if (!regs) return 0n;
    const rv = new DataView(regs.buffer, regs.byteOffset, regs.byteLength);
    const cpu = this.k.cpu;
    let region = this.ctxByCpu[cpu];
    if (!region) {
      region = this.newContext();
      this.ctxByCpu[cpu] = region;
    }
    const out = new Uint8Array(DTRACE_CTX.size);
    const v = new DataView(out.buffer);
    v.setUint32(DTRACE_CTX.cpu, cpu, true);
    v.setUint32(DTRACE_CTX.pid, this.k.task.tgid >>> 0, true);
    v.setUint32(DTRACE_CTX.tid, this.k.task.pid >>> 0, true);
    v.setBigUint64(DTRACE_CTX.timestamp, this.k.readClock(), true);
    PT_REGS_ARG_OFFSETS.forEach((off, i) => v.setBigUint64(DTRACE_CTX.argv + 8 * i, rv.getBigUint64(off, true), true));
    v.setBigUint64(DTRACE_CTX.ip, rv.getBigUint64(PT_REGS_OFFSETS.ip, true), true);
    this.writeCtx(region, 0, out);
    // A new event starts without an open reservation (an uncommitted one stays in the buffer, unpublished).
    this.open.delete(region);
    return joinAddress(region.hi, region.lo);
  }

  /** Writes into a (read-only to programs) ctx region through the address space, so step-back can undo it. */
  private writeCtx(region: Region, offset: number, data: Uint8Array): void {
    this.k.space.write(joinAddress(region.hi, region.lo) + BigInt(offset), data, true);
  }

  private setBuf(region: Region, buf: bigint, end: bigint): void {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, buf, true);
    v.setBigUint64(8, end, true);
    this.writeCtx(region, DTRACE_CTX.buf, b);
  }

  private ctxArg(c: HelperCall, name: string): Region | HelperFault {
    const r = this.contextAt(c.args[0]);
    if (r) return r;
    const [hi, lo] = splitAddress(c.args[0]);
    return { code: 'helper_arg', message: `${name}: r1 = ${hex64(hi, lo)} is not a struct dtrace_bpf_ctx`, address: c.args[0] };
  }

  /**
   * bpf_finalize_context(ctx, map) (TC-10): copies this CPU's struct dtrace_finalize_data from the
   * map into the ctx. The map is "indexed by CPU id" [S2:L56-L60]: a percpu_array (key 0, this CPU's
   * copy) or an array (key = CPU id).
   */
  private finalizeContext(c: HelperCall): bigint | HelperFault {
    const ctx = this.ctxArg(c, 'finalize_context');
    if ('code' in ctx) return ctx;
    const map = this.k.mapAt(c.args[1]);
    if (!(map instanceof ArrayMap) || map.def.valueSize < 4) return neg(ERRNO.EINVAL);
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, map.type === 'percpu_array' ? 0 : this.k.cpu, true);
    const value = map.get(key, this.k.cpu);
    if (!value) return neg(ERRNO.ENOENT);
    this.writeCtx(ctx, DTRACE_CTX.probe_id, value.slice(0, 4));
    return 0n;
  }

  /**
   * bpf_buffer_reserve(ctx, buf_id, size): opens a record of `size` bytes in this CPU's output buffer
   * and points ctx->buf / ctx->buf_end at it. A record that would cross a page starts on the next
   * page; the rest of the current page stays zero (WB-05).
   */
  private bufferReserve(c: HelperCall): bigint | HelperFault {
    const ctx = this.ctxArg(c, 'buffer_reserve');
    if ('code' in ctx) return ctx;
    if (Number(c.args[1] & 0xffffffffn) !== DTRACE_BUF_ID) return neg(ERRNO.EINVAL);
    const size = Number(c.args[2] & 0xffffffffn);
    if (size === 0 || size > DTRACE_MAX_RESERVE) return neg(ERRNO.E2BIG);
    if (this.open.has(ctx)) return neg(ERRNO.EBUSY);
    const cpu = this.k.cpu;
    const out = this.output[cpu];
    let at = this.heads[cpu];
    const inPage = at % PAGE_SIZE;
    const padding = inPage + RECORD_HEADER + size > PAGE_SIZE ? PAGE_SIZE - inPage : 0;
    at += padding;
    if (at + RECORD_HEADER + size > out.byteLength) return neg(ERRNO.ENOSPC);
    const hv = new DataView(out.buffer, at, RECORD_HEADER);
    hv.setUint32(0, PERF_RECORD_SAMPLE, true);
    hv.setUint16(4, 0, true);
    hv.setUint16(6, RECORD_HEADER + size, true);
    const n = this.records.length;
    const region = this.k.space.map({
      name: `dtrace buf record ${n} (cpu ${cpu}, ${size} bytes reserved)`, kind: 'mem', hi: HI.DIRECT,
      bytes: out.subarray(at + RECORD_HEADER, at + RECORD_HEADER + size), writable: true, compact: true,
    });
    const rec: DtraceRecord = { cpu, offset: at, size, padding, region, committed: false };
    const head = this.heads[cpu];
    this.heads[cpu] = at + RECORD_HEADER + size;
    this.records.push(rec);
    this.open.set(ctx, rec);
    this.k.journal.record?.(() => {
      this.heads[cpu] = head;
      this.records.pop();
      this.open.delete(ctx);
      this.k.space.unmap(region);
      out.fill(0, at, at + RECORD_HEADER);
    });
    const buf = joinAddress(region.hi, region.lo);
    this.setBuf(ctx, buf, buf + BigInt(size));
    return 0n;
  }

  /** bpf_buffer_commit(ctx, buf_id): publishes the open record; the record becomes read-only and ctx->buf/buf_end are cleared. */
  private bufferCommit(c: HelperCall): bigint | HelperFault {
    const ctx = this.ctxArg(c, 'buffer_commit');
    if ('code' in ctx) return ctx;
    if (Number(c.args[1] & 0xffffffffn) !== DTRACE_BUF_ID) return neg(ERRNO.EINVAL);
    const rec = this.open.get(ctx);
    if (!rec) return neg(ERRNO.ENOENT);
    this.open.delete(ctx);
    rec.committed = true;
    // Remapped read-only rather than flipped: unmapping makes interpreters drop cached translations.
    const before = rec.region;
    rec.region = this.remap(before, false);
    this.k.journal.record?.(() => {
      rec.committed = false;
      rec.region = this.remap(rec.region, true);
      this.open.set(ctx, rec);
    });
    this.setBuf(ctx, 0n, 0n);
    return 0n;
  }

  private remap(r: Region, writable: boolean): Region {
    this.k.space.unmap(r);
    return this.k.space.map({ name: r.name, kind: r.kind, hi: r.hi, lo: r.lo, bytes: r.bytes, writable });
  }

  /** Committed records' payloads, in order (what a consumer reading the buffers gets). */
  committed(): Array<{ cpu: number; offset: number; data: Uint8Array }> {
    return this.records.filter((r) => r.committed).map((r) => ({ cpu: r.cpu, offset: r.offset, data: r.region.bytes.slice() }));
  }
}

/**
 * Registers the DTrace program type on a kernel: its runtime, its helpers under fresh ids, and its
 * tail-call operations (is_valid_tail_call accepts kprobe sources; convert_ctx as above).
 */
export function registerDtrace(k: Kernel, opts: DtraceOptions = {}): DtraceRuntime {
  if (k.dtrace) return k.dtrace;
  const rt = new DtraceRuntime(k, opts);
  k.dtrace = rt;
  k.enableCrossTypeTailCalls().register('dtrace', DTRACE_PROG_TYPE_ID, {
    isValidTailCall: (stype) => stype === KPROBE_TYPE_ID,
    convertCtx: (_k, stype, ctx) => rt.convertCtx(stype, ctx),
  });
  return rt;
}
