// Runtime semantics of BPF helper functions on the simulated kernel, keyed by the kernel's helper ids.
//
// A helper gets r1..r5 as unsigned 64-bit values and returns r0, or a HelperFault when the program
// hands it memory or a map the kernel would never accept (the verifier stops such programs; the
// debugger runs them anyway and stops at the call with a clear reason). tail_call and loop change
// control flow, so the interpreter implements them; they are listed here as 'machine' helpers.
import { hex64, splitAddress, type AccessError } from './address-space';
import type { Kernel } from './kernel';
import { ERRNO, HashMap, ArrayMap, PerfEventArrayMap, QueueStackMap, RingBufMap, type BpfMap } from './maps';

export interface HelperFault {
  code: 'helper_arg' | AccessError['code'];
  message: string;
  address?: bigint;
  size?: number;
  region?: string;
}

export interface HelperCall {
  kernel: Kernel;
  /** r1..r5, unsigned. */
  args: readonly bigint[];
}

export type HelperFn = (call: HelperCall) => bigint | HelperFault;

export interface HelperDef {
  id: number;
  name: string;
  /** 'machine': implemented by the interpreter (changes control flow). */
  fn: HelperFn | 'machine';
}

export const HELPER_IDS = {
  map_lookup_elem: 1, map_update_elem: 2, map_delete_elem: 3, probe_read: 4, ktime_get_ns: 5,
  trace_printk: 6, get_prandom_u32: 7, get_smp_processor_id: 8, tail_call: 12, get_current_pid_tgid: 14,
  get_current_uid_gid: 15, get_current_comm: 16, perf_event_output: 25, skb_load_bytes: 26, probe_read_str: 45,
  map_push_elem: 87, map_pop_elem: 88, map_peek_elem: 89, probe_read_user: 112, probe_read_kernel: 113,
  probe_read_user_str: 114, probe_read_kernel_str: 115, jiffies64: 118, ktime_get_boot_ns: 125,
  ringbuf_output: 130, ringbuf_reserve: 131, ringbuf_submit: 132, ringbuf_discard: 133, ringbuf_query: 134,
  loop: 181,
} as const;

const neg = (errno: number): bigint => BigInt.asUintN(64, BigInt(-errno));

function isFault(x: unknown): x is HelperFault {
  return typeof x === 'object' && x !== null && 'code' in x && 'message' in x;
}

function memFault(e: AccessError, addr: bigint, size: number, what: string): HelperFault {
  return { code: e.code, message: `${what}: ${e.message}`, address: addr, size, ...('region' in e ? { region: e.region.name } : {}) };
}

/** Reads program-supplied memory a helper argument must point at (key, value, data). */
function readArg(k: Kernel, addr: bigint, size: number, what: string): Uint8Array | HelperFault {
  if (size === 0) return new Uint8Array(0);
  const [hi, lo] = splitAddress(addr);
  const res = k.space.resolve(hi, lo, size, false);
  if ('code' in res) return memFault(res, addr, size, what);
  return res.region.bytes.slice(res.offset, res.offset + size);
}

function writeArg(k: Kernel, addr: bigint, data: Uint8Array, what: string): HelperFault | undefined {
  const e = k.space.write(addr, data);
  return e ? memFault(e, addr, data.byteLength, what) : undefined;
}

function mapArg(k: Kernel, addr: bigint, helper: string): BpfMap | HelperFault {
  const m = k.mapAt(addr);
  return m ?? { code: 'helper_arg', message: `${helper}: r1 = ${hex64(Number(addr >> 32n) | 0, Number(addr & 0xffffffffn))} is not a map`, address: addr };
}

/** Byte-wise read that stops at the first unreadable byte (probe_read_*_str, %s). */
function readString(k: Kernel, addr: bigint, max: number): { bytes: number[]; fault: boolean } {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = k.space.read(addr + BigInt(i), 1);
    if (!b) return { bytes: out, fault: true };
    out.push(b[0]);
    if (b[0] === 0) break;
  }
  return { bytes: out, fault: false };
}

function probeRead(call: HelperCall, name: string): bigint | HelperFault {
  const [dst, sizeArg, src] = call.args;
  const size = Number(sizeArg & 0xffffffffn);
  const k = call.kernel;
  const data = k.space.read(src, size);
  // probe_read_kernel/_user zero the destination on a fault and return -EFAULT.
  const err = writeArg(k, dst, data ?? new Uint8Array(size), `${name} destination`);
  if (err) return err;
  return data ? 0n : neg(ERRNO.EFAULT);
}

function probeReadStr(call: HelperCall, name: string): bigint | HelperFault {
  const [dst, sizeArg, src] = call.args;
  const size = Number(sizeArg & 0xffffffffn);
  const k = call.kernel;
  if (size === 0) return 0n;
  const s = readString(k, src, size);
  const buf = new Uint8Array(size);
  if (s.fault) {
    const err = writeArg(k, dst, buf, `${name} destination`);
    return err ?? neg(ERRNO.EFAULT);
  }
  const n = Math.min(s.bytes.length, size);
  buf.set(s.bytes.slice(0, n));
  if (n === size) buf[size - 1] = 0;
  const out = buf.subarray(0, n);
  const err = writeArg(k, dst, out, `${name} destination`);
  if (err) return err;
  return BigInt(n);
}

/**
 * bpf_trace_printk's format checking and printing (kernel bpf_bprintf_prepare): at most 3
 * conversions out of %d %i %u %x %X %c %s %p (%px %pK %ps %pS), with l/ll, optional
 * "[0 +-][width]"; %% is literal. Any other conversion is -EINVAL and nothing is printed.
 * %p prints the raw value in hex (the kernel hashes it unless %px).
 */
export function formatTracePrintk(k: Kernel, fmt: string, args: readonly bigint[]): string | undefined {
  let out = '';
  let argi = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt.charCodeAt(i);
    if (c > 127 || (c < 32 && !(c >= 9 && c <= 13))) return undefined;
    if (fmt[i] !== '%') {
      out += fmt[i];
      continue;
    }
    if (fmt[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (argi >= 3) return undefined;
    i++;
    let flags = '';
    while ('0+- '.includes(fmt[i] ?? 'x')) flags += fmt[i++];
    let width = 0;
    if (fmt[i] >= '1' && fmt[i] <= '9') {
      while (fmt[i] >= '0' && fmt[i] <= '9') width = width * 10 + Number(fmt[i++]);
    }
    const arg = BigInt.asUintN(64, args[argi++] ?? 0n);
    let text: string;
    if (fmt[i] === 'p') {
      const ext = fmt[i + 1];
      if (ext === 'x' || ext === 'K' || ext === 's' || ext === 'S') i++;
      text = arg.toString(16).padStart(ext === 'x' || ext === undefined || !/[a-zA-Z]/.test(ext) ? 16 : 1, '0');
    } else if (fmt[i] === 's') {
      const s = readString(k, arg, 512);
      text = s.fault ? '' : String.fromCharCode(...s.bytes.filter((b) => b !== 0));
    } else if (fmt[i] === 'c') {
      text = String.fromCharCode(Number(arg & 0xffn));
    } else {
      let bits = 32;
      if (fmt[i] === 'l') {
        bits = 64;
        i++;
        if (fmt[i] === 'l') i++;
      }
      const conv = fmt[i];
      if (conv === 'd' || conv === 'i') text = (bits === 64 ? BigInt.asIntN(64, arg) : BigInt.asIntN(32, arg)).toString();
      else if (conv === 'u') text = BigInt.asUintN(bits, arg).toString();
      else if (conv === 'x') text = BigInt.asUintN(bits, arg).toString(16);
      else if (conv === 'X') text = BigInt.asUintN(bits, arg).toString(16).toUpperCase();
      else return undefined;
    }
    if (text.length < width) {
      if (flags.includes('-')) text = text.padEnd(width, ' ');
      else if (flags.includes('0') && fmt[i] !== 's' && fmt[i] !== 'c') {
        const sign = text.startsWith('-') ? '-' : '';
        text = sign + text.slice(sign.length).padStart(width - sign.length, '0');
      } else text = text.padStart(width, ' ');
    }
    out += text;
  }
  return out;
}

const HELPERS: HelperDef[] = [
  {
    id: 1, name: 'map_lookup_elem', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'map_lookup_elem');
      if (isFault(m)) return m;
      if (m instanceof QueueStackMap || m instanceof RingBufMap || m instanceof PerfEventArrayMap) return { code: 'helper_arg', message: `map_lookup_elem is not supported on ${m.type} maps` };
      const key = readArg(k, args[1], m.def.keySize, 'map_lookup_elem key');
      if (isFault(key)) return key;
      const r = m.lookupRegion(key, k.cpu);
      return r ? ((BigInt(r.region.hi >>> 0) << 32n) | BigInt(r.region.lo + r.offset)) : 0n;
    },
  },
  {
    id: 2, name: 'map_update_elem', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'map_update_elem');
      if (isFault(m)) return m;
      const key = readArg(k, args[1], m.def.keySize, 'map_update_elem key');
      if (isFault(key)) return key;
      const value = readArg(k, args[2], m.def.valueSize, 'map_update_elem value');
      if (isFault(value)) return value;
      if (!(m instanceof HashMap || m instanceof ArrayMap || m instanceof QueueStackMap)) return neg(ERRNO.EINVAL);
      return BigInt.asUintN(64, BigInt(m.update(key, value, Number(args[3] & 0xffffffffn), k.cpu)));
    },
  },
  {
    id: 3, name: 'map_delete_elem', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'map_delete_elem');
      if (isFault(m)) return m;
      const key = readArg(k, args[1], m.def.keySize, 'map_delete_elem key');
      if (isFault(key)) return key;
      return BigInt.asUintN(64, BigInt(m.delete(key)));
    },
  },
  { id: 4, name: 'probe_read', fn: (c) => probeRead(c, 'probe_read') },
  { id: 5, name: 'ktime_get_ns', fn: ({ kernel: k }) => k.readClock() },
  {
    id: 6, name: 'trace_printk', fn: ({ kernel: k, args }) => {
      const size = Number(args[1] & 0xffffffffn);
      const fmtBytes = readArg(k, args[0], size, 'trace_printk fmt');
      if (isFault(fmtBytes)) return fmtBytes;
      const nul = fmtBytes.indexOf(0);
      if (nul < 0) return neg(ERRNO.EINVAL);
      const text = formatTracePrintk(k, String.fromCharCode(...fmtBytes.subarray(0, nul)), args.slice(2));
      if (text === undefined) return neg(ERRNO.EINVAL);
      k.print(text.endsWith('\n') ? text : `${text}\n`);
      return BigInt(text.length);
    },
  },
  { id: 7, name: 'get_prandom_u32', fn: ({ kernel: k }) => BigInt(k.nextRandom()) },
  { id: 8, name: 'get_smp_processor_id', fn: ({ kernel: k }) => BigInt(k.cpu) },
  { id: 12, name: 'tail_call', fn: 'machine' },
  { id: 14, name: 'get_current_pid_tgid', fn: ({ kernel: k }) => (BigInt(k.task.tgid >>> 0) << 32n) | BigInt(k.task.pid >>> 0) },
  { id: 15, name: 'get_current_uid_gid', fn: ({ kernel: k }) => (BigInt(k.task.gid >>> 0) << 32n) | BigInt(k.task.uid >>> 0) },
  {
    id: 16, name: 'get_current_comm', fn: ({ kernel: k, args }) => {
      const size = Number(args[1] & 0xffffffffn);
      const buf = new Uint8Array(size);
      const comm = k.task.comm.slice(0, 15);
      for (let i = 0; i < comm.length && i < size - 1; i++) buf[i] = comm.charCodeAt(i) & 0xff;
      const err = writeArg(k, args[0], buf, 'get_current_comm buffer');
      return err ?? 0n;
    },
  },
  {
    id: 25, name: 'perf_event_output', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[1], 'perf_event_output');
      if (isFault(m)) return m;
      if (!(m instanceof PerfEventArrayMap)) return neg(ERRNO.EINVAL);
      const flags = args[2];
      if (flags >> 32n !== 0n) return neg(ERRNO.EINVAL);
      const idx = flags === 0xffffffffn ? k.cpu : Number(flags);
      const data = readArg(k, args[3], Number(args[4] & 0xffffffffn), 'perf_event_output data');
      if (isFault(data)) return data;
      return BigInt.asUintN(64, BigInt(m.output(idx, data)));
    },
  },
  {
    // skb_load_bytes(skb, offset, to, len): -EFAULT when the range leaves the packet (linear data only).
    id: 26, name: 'skb_load_bytes', fn: ({ kernel: k, args }) => {
      const pkt = k.packet;
      const off = Number(args[1] & 0xffffffffn);
      const len = Number(args[3] & 0xffffffffn);
      if (!pkt || off + len > pkt.size || len === 0) {
        const err = writeArg(k, args[2], new Uint8Array(len), 'skb_load_bytes destination');
        return err ?? neg(ERRNO.EFAULT);
      }
      return writeArg(k, args[2], pkt.bytes.slice(off, off + len), 'skb_load_bytes destination') ?? 0n;
    },
  },
  { id: 45, name: 'probe_read_str', fn: (c) => probeReadStr(c, 'probe_read_str') },
  {
    id: 87, name: 'map_push_elem', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'map_push_elem');
      if (isFault(m)) return m;
      if (!(m instanceof QueueStackMap)) return neg(ERRNO.EINVAL);
      const value = readArg(k, args[1], m.def.valueSize, 'map_push_elem value');
      if (isFault(value)) return value;
      return BigInt.asUintN(64, BigInt(m.push(value, Number(args[2] & 0xffffffffn))));
    },
  },
  { id: 88, name: 'map_pop_elem', fn: (c) => popPeek(c, true) },
  { id: 89, name: 'map_peek_elem', fn: (c) => popPeek(c, false) },
  { id: 112, name: 'probe_read_user', fn: (c) => probeRead(c, 'probe_read_user') },
  { id: 113, name: 'probe_read_kernel', fn: (c) => probeRead(c, 'probe_read_kernel') },
  { id: 114, name: 'probe_read_user_str', fn: (c) => probeReadStr(c, 'probe_read_user_str') },
  { id: 115, name: 'probe_read_kernel_str', fn: (c) => probeReadStr(c, 'probe_read_kernel_str') },
  { id: 118, name: 'jiffies64', fn: ({ kernel: k }) => 4294667296n + k.readClock() / 4_000_000n },
  { id: 125, name: 'ktime_get_boot_ns', fn: ({ kernel: k }) => k.readClock() },
  {
    id: 130, name: 'ringbuf_output', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'ringbuf_output');
      if (isFault(m)) return m;
      if (!(m instanceof RingBufMap)) return neg(ERRNO.EINVAL);
      const data = readArg(k, args[1], Number(args[2] & 0xffffffffn), 'ringbuf_output data');
      if (isFault(data)) return data;
      return BigInt.asUintN(64, BigInt(m.output(data)));
    },
  },
  {
    id: 131, name: 'ringbuf_reserve', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'ringbuf_reserve');
      if (isFault(m)) return m;
      if (!(m instanceof RingBufMap) || args[2] !== 0n) return 0n;
      const r = m.reserve(Number(args[1] & 0xffffffffn));
      return r ? (BigInt(r.hi >>> 0) << 32n) | BigInt(r.lo) : 0n;
    },
  },
  { id: 132, name: 'ringbuf_submit', fn: (c) => ringFinish(c, false) },
  { id: 133, name: 'ringbuf_discard', fn: (c) => ringFinish(c, true) },
  {
    id: 134, name: 'ringbuf_query', fn: ({ kernel: k, args }) => {
      const m = mapArg(k, args[0], 'ringbuf_query');
      if (isFault(m)) return m;
      return m instanceof RingBufMap ? m.query(Number(args[1])) : 0n;
    },
  },
  { id: 181, name: 'loop', fn: 'machine' },
];

function popPeek({ kernel: k, args }: HelperCall, remove: boolean): bigint | HelperFault {
  const name = remove ? 'map_pop_elem' : 'map_peek_elem';
  const m = mapArg(k, args[0], name);
  if (isFault(m)) return m;
  if (!(m instanceof QueueStackMap)) return neg(ERRNO.EINVAL);
  const v = m.take(remove);
  if (!v) return neg(ERRNO.ENOENT);
  return writeArg(k, args[1], v, `${name} value`) ?? 0n;
}

function ringFinish({ kernel: k, args }: HelperCall, discard: boolean): bigint | HelperFault {
  const [hi, lo] = splitAddress(args[0]);
  for (const m of k.allMaps()) {
    if (m instanceof RingBufMap && m.finish(lo, discard)) return 0n;
  }
  return { code: 'helper_arg', message: `ringbuf_${discard ? 'discard' : 'submit'}: ${hex64(hi, lo)} is not a reserved ring buffer record`, address: args[0] };
}

const BY_ID = new Map(HELPERS.map((h) => [h.id, h]));

export function helperById(id: number): HelperDef | undefined {
  return BY_ID.get(id);
}

export function allHelpers(): readonly HelperDef[] {
  return HELPERS;
}

export { isFault as isHelperFault };
