// Seed 003's tracing helpers with their 2013 semantics, as a dialect helper set of one simulated kernel.
//
// Choice: a 2013 image runs by transcoding to modern instructions (engine/isa/ebpf2013/transcode.ts).
// With `helperIds` the transcoder turns every `call <strtab offset>` into `call <id>` with the same
// registers, and the id is a helper this module defines on the kernel (Kernel.defineDynamicHelper):
// bpf_load_pointer, bpf_memcmp, bpf_dump_stack, bpf_trace_printk, bpf_table_lookup and
// bpf_table_update behave as bpf_trace_callbacks.c [S3:L3342-L3483] does (plus the table runtime
// the RFC lacked, HLP-04), instead of as the modern helpers the plain transcoding maps them to
// (probe_read, trace_printk, map_*; see engine/isa/ebpf2013/helpers.ts). Every binding gets its own
// ids, so two images on one kernel keep their own tables (table_id indexes the image's table array).
//
// Common to all: execute_func sets R0 = 0 before dispatching [S3:L3443-L3447], so the void helpers
// return 0, and an unknown name logs once and leaves R0 = 0 [S3:L3461-L3464].
import { hex64, splitAddress } from './address-space';
import { formatTracePrintk, type HelperCall, type HelperFault } from './helpers';
import type { Kernel } from './kernel';
import { PT_REGS_OFFSETS } from './kprobe';
import { ERRNO, HashMap } from './maps';
import type { ProgType } from './prog-types';

/** struct bpf_table [S3:L246-L257]. */
export interface Table2013Def {
  readonly type: number;
  readonly keySize: number;
  readonly elemSize: number;
  readonly maxEntries: number;
  readonly param1: number;
}

/**
 * PT-01: the 2013 tracing filter's ctx, struct bpf_context { struct pt_regs regs; }. get_context_access
 * [S3:L3314-L3340] grants only regs.di, si, dx and cx, 8-byte reads (x86-64); every other offset has
 * size 0 and is refused, and offsets >= sizeof(ctx) get NULL. Data for a 2013 verifier / ctx view.
 */
export const BPF_CONTEXT_2013: ProgType = Object.freeze({
  id: -1, // not an enum bpf_prog_type: the 2013 RFC had no program types, only the tracing callbacks
  name: 'tracing_filter_2013',
  ctxStruct: 'struct bpf_context { struct pt_regs regs; }',
  ctxSize: 168,
  fields: Object.freeze(([['regs.cx', 88], ['regs.dx', 96], ['regs.si', 104], ['regs.di', 112]] as const).map(([name, offset]) => ({ name, offset, size: 8, read: 'exact' as const, write: 'none' as const }))),
  helpers: new Set<number>(),
});

export const BPF_TABLE_HASH = 1;
export const BPF_TABLE_LPM = 2;

export interface Bind2013Options {
  /**
   * 'hardened' (default): the table helpers work (hash tables, HLP-04's "real table helpers").
   * 'faithful-legacy': as the RFC's execute_func, which has no branch for them [S3:L3443-L3466]:
   * a table call logs "trace cannot execute unknown bpf function" once and returns 0 (NULL).
   */
  readonly mode?: 'hardened' | 'faithful-legacy';
  /**
   * The traced function: bpf_trace_printk's line is prefixed with it ("__netif_receive_skb_core: ..."),
   * because __trace_printk records __builtin_return_address(3), the probed function (HLP-03).
   */
  readonly probe?: string;
}

export interface Binding2013 {
  /** For the transcoder's helperIds option: the id a call to `name` (at strtab `offset`) becomes. */
  readonly idFor: (name: string, offset: number) => number;
  /** One hash map per table of the image, in table_id order (MAP-01, MAP-04). */
  readonly tables: readonly HashMap[];
}

export interface Bind2013Error {
  readonly code: 'table_def';
  readonly message: string;
}

const neg = (errno: number): bigint => BigInt.asUintN(64, BigInt(-errno));

/**
 * void *bpf_load_pointer(void *unsafe_ptr): probe_kernel_read(&ptr, unsafe_ptr, 8) with ptr preset to
 * NULL, so a fault returns NULL and never stops the program [S3:L3342-L3348].
 */
function loadPointer({ kernel: k, args }: HelperCall): bigint {
  const b = k.space.read(args[0], 8);
  return b ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) : 0n;
}

/**
 * long bpf_memcmp(void *unsafe_ptr, void *safe_ptr, long size) [S3:L3350-L3362]: size < 64 reads
 * `size` bytes with probe_kernel_read (its error, -EFAULT, is returned) and compares them with the
 * program's buffer; size >= 64 returns -1. memcmp's value is lib/string.c's: the difference of the
 * first differing bytes (as unsigned char), 0 when equal. A negative size would make the seed's
 * probe_kernel_read run past its 64-byte buffer; here it fails with -EFAULT (hardened).
 */
function memcmp2013({ kernel: k, args }: HelperCall): bigint | HelperFault {
  const size = BigInt.asIntN(64, args[2]);
  if (size >= 64n) return BigInt.asUintN(64, -1n);
  if (size < 0n) return neg(ERRNO.EFAULT);
  const n = Number(size);
  const unsafe = k.space.read(args[0], n);
  if (!unsafe) return neg(ERRNO.EFAULT);
  const safe = k.space.read(args[1], n);
  if (!safe) {
    const [hi, lo] = splitAddress(args[1]);
    return { code: 'helper_arg', message: `bpf_memcmp: safe_ptr r2 = ${hex64(hi, lo)} is not ${n} readable bytes (the 2013 verifier demands a stack buffer)`, address: args[1], size: n };
  }
  for (let i = 0; i < n; i++) {
    if (unsafe[i] !== safe[i]) return BigInt.asUintN(64, BigInt(unsafe[i] - safe[i]));
  }
  return 0n;
}

/**
 * void bpf_trace_printk(char *fmt, long fmt_size, long a1, long a2, long a3) [S3:L3373-L3402],
 * HLP-03: silent unless fmt[fmt_size-1] is NUL, every '%' in the fmt_size bytes is followed by one
 * of p d u x (so %%, %s, %ld are refused, and a '%' in the last byte too), and there are at most 3.
 * Printing is vsnprintf's: %d/%u/%x take an int (the low 32 bits), %p prints 16 zero-padded hex
 * digits; the text ends at the first NUL. A fmt_size <= 0 would index fmt[-1] in the seed; here it
 * prints nothing (hardened).
 */
function tracePrintk2013(probe: string | undefined) {
  return ({ kernel: k, args }: HelperCall): bigint | HelperFault => {
    const size = BigInt.asIntN(64, args[1]);
    if (size <= 0n || size > 4096n) return 0n;
    const n = Number(size);
    const fmt = k.space.read(args[0], n);
    if (!fmt) {
      const [hi, lo] = splitAddress(args[0]);
      return { code: 'helper_arg', message: `bpf_trace_printk: fmt r1 = ${hex64(hi, lo)} is not ${n} readable bytes (the 2013 verifier demands a stack buffer)`, address: args[0], size: n };
    }
    if (fmt[n - 1] !== 0) return 0n;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (fmt[i] !== 0x25) continue;
      if (i + 1 >= n) return 0n;
      if (!'pdux'.includes(String.fromCharCode(fmt[i + 1]))) return 0n;
      count++;
    }
    if (count > 3) return 0n;
    const text = String.fromCharCode(...fmt.subarray(0, fmt.indexOf(0)));
    // The checks above leave only %p %d %u %x, which the modern formatter prints as vsnprintf does.
    const out = formatTracePrintk(k, text, args.slice(2, 5)) ?? text;
    k.print(`${probe ? `${probe}: ` : ''}${out}${out.endsWith('\n') ? '' : '\n'}`);
    return 0n;
  };
}

/**
 * void bpf_dump_stack(struct bpf_context *ctx): __trace_stack_regs records the kernel stack at the
 * probe [S3:L3364-L3371, L3497-L3502]. The simulator has no kernel call chain, so it prints the one
 * frame it knows (the probed function, or regs.ip) and says so.
 */
function dumpStack2013(probe: string | undefined) {
  return ({ kernel: k, args }: HelperCall): bigint | HelperFault => {
    const regs = k.space.read(args[0], 168);
    if (!regs) {
      const [hi, lo] = splitAddress(args[0]);
      return { code: 'helper_arg', message: `bpf_dump_stack: ctx r1 = ${hex64(hi, lo)} is not a struct bpf_context (pt_regs)`, address: args[0] };
    }
    const v = new DataView(regs.buffer, regs.byteOffset, 168);
    const ip = v.getBigUint64(PT_REGS_OFFSETS.ip, true);
    const sp = v.getBigUint64(PT_REGS_OFFSETS.sp, true);
    const hx = (x: bigint): string => `0x${x.toString(16).padStart(16, '0')}`;
    k.print(` <stack trace>\n => ${probe ?? hx(ip)}\n => (simulated kernel: no call chain beyond the probe; regs ip=${hx(ip)} sp=${hx(sp)})\n`);
    return 0n;
  };
}

/** Creates the image's tables as hash maps; LPM and zero-sized definitions are refused (MAP-01, MAP-03 hardened). */
function createTables(k: Kernel, tables: readonly Table2013Def[]): HashMap[] | Bind2013Error {
  const out: HashMap[] = [];
  for (const [i, t] of tables.entries()) {
    if (t.type !== BPF_TABLE_HASH) {
      return { code: 'table_def', message: `table ${i}: ${t.type === BPF_TABLE_LPM ? 'BPF_TABLE_LPM is not simulated' : `unknown table type ${t.type}`}` };
    }
    if (t.keySize === 0 || t.elemSize === 0 || t.maxEntries === 0) {
      return { code: 'table_def', message: `table ${i}: key_size, elem_size and max_entries must be non-zero` };
    }
    const m = k.createMap({ type: 'hash', keySize: t.keySize, valueSize: t.elemSize, maxEntries: t.maxEntries, name: `table${i}` });
    if (!(m instanceof HashMap)) return { code: 'table_def', message: `table ${i}: ${'message' in m ? m.message : 'not a hash map'}` };
    out.push(m);
  }
  return out;
}

/**
 * Defines the 2013 helpers on `k` for one image and creates its tables. Table semantics (OQ-03, the
 * seed has no runtime): lookup returns the element's address (readable and writable, XADD included,
 * MAP-04) or NULL; update inserts or overwrites (BPF_ANY) and returns 0, or -E2BIG when the table
 * holds max_entries elements. A table_id outside the image's tables, which the 2013 verifier
 * refuses (CONST_ARG_TABLE_ID), stops the run with a helper_arg fault.
 */
export function bind2013Helpers(k: Kernel, tables: readonly Table2013Def[], opts: Bind2013Options = {}): Binding2013 | Bind2013Error {
  const maps = createTables(k, tables);
  if (!Array.isArray(maps)) return maps;
  const table = (name: string, id: bigint): HashMap | HelperFault => {
    const i = BigInt.asIntN(64, id);
    if (i >= 0n && i < BigInt(maps.length)) return maps[Number(i)];
    return { code: 'helper_arg', message: `${name}: table_id ${i} is not a table of this program (it has ${maps.length})` };
  };
  const key = (name: string, c: HelperCall, m: HashMap, addr: bigint, what: string, size: number): Uint8Array | HelperFault => {
    const b = c.kernel.space.read(addr, size);
    if (b) return b;
    const [hi, lo] = splitAddress(addr);
    return { code: 'helper_arg', message: `${name}: ${what} ${hex64(hi, lo)} is not ${size} readable bytes (${m.name})`, address: addr, size };
  };
  const defs: Record<string, (c: HelperCall) => bigint | HelperFault> = {
    bpf_load_pointer: loadPointer,
    bpf_memcmp: memcmp2013,
    bpf_trace_printk: tracePrintk2013(opts.probe),
    bpf_dump_stack: dumpStack2013(opts.probe),
    bpf_table_lookup: (c) => {
      const m = table('bpf_table_lookup', c.args[1]);
      if (!(m instanceof HashMap)) return m;
      const kb = key('bpf_table_lookup', c, m, c.args[2], 'key', m.def.keySize);
      if (!(kb instanceof Uint8Array)) return kb;
      const r = m.lookupRegion(kb, c.kernel.cpu);
      return r ? (BigInt(r.region.hi >>> 0) << 32n) | BigInt(r.region.lo + r.offset) : 0n;
    },
    bpf_table_update: (c) => {
      const m = table('bpf_table_update', c.args[1]);
      if (!(m instanceof HashMap)) return m;
      const kb = key('bpf_table_update', c, m, c.args[2], 'key', m.def.keySize);
      if (!(kb instanceof Uint8Array)) return kb;
      const vb = key('bpf_table_update', c, m, c.args[3], 'leaf', m.def.valueSize);
      if (!(vb instanceof Uint8Array)) return vb;
      return BigInt.asUintN(64, BigInt(m.update(kb, vb, 0, c.kernel.cpu)));
    },
  };
  if (opts.mode === 'faithful-legacy') {
    delete defs.bpf_table_lookup;
    delete defs.bpf_table_update;
  }
  const ids = new Map<string, number>();
  const logged = new Set<string>();
  const idFor = (name: string, offset: number): number => {
    const known = ids.get(name);
    if (known !== undefined) return known;
    const fn = defs[name] ?? ((c: HelperCall): bigint => {
      // pr_err_once in the seed: goes to the kernel log, not the trace pipe; R0 stays 0.
      if (!logged.has(name)) {
        logged.add(name);
        c.kernel.print(`kernel: trace cannot execute unknown bpf function ${offset} '${name}'\n`);
      }
      return 0n;
    });
    const id = k.defineDynamicHelper(name, fn).id;
    ids.set(name, id);
    return id;
  };
  return { idFor, tables: maps };
}
