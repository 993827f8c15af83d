// BPF_MAP_CREATE and the element commands (lookup, update, delete, get-next-key) through the raw bridge.
import { BPF_ANY, BPF_CMD, MAP_TYPES } from './constants';
import { bpfError, bpfSyscall, withBuffers, type BpfError } from './syscall';

/*
 * union bpf_attr, the BPF_MAP_CREATE member (offsets in bytes):
 *    0 map_type u32    4 key_size u32     8 value_size u32   12 max_entries u32   16 map_flags u32
 *   20 inner_map_fd   24 numa_node u32   28 map_name char[16] 44 map_ifindex u32   48 btf_fd u32
 *   52 btf_key_type_id 56 btf_value_type_id 60 btf_vmlinux_value_type_id 64 map_extra u64
 *   72 value_type_btf_obj_fd s32  76 map_token_fd s32
 *
 * The element commands (BPF_MAP_*_ELEM, BPF_MAP_GET_NEXT_KEY):
 *    0 map_fd u32    8 key ptr    16 value / next_key ptr    24 flags u64
 */
const CREATE_ATTR_SIZE = 80;
const ELEM_ATTR_SIZE = 32;

export interface MapCreateOptions {
  readonly mapType: number | string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags?: number;
  readonly name?: string;
  readonly innerMapFd?: number;
  readonly mapExtra?: bigint;
}

export type FdResult = { ok: true; fd: number } | ({ ok: false } & BpfError);
export type DoneResult = { ok: true } | ({ ok: false } & BpfError);
export type BytesResult = { ok: true; value: Uint8Array } | ({ ok: false } & BpfError);

export function mapCreate(opts: MapCreateOptions): FdResult {
  let mapType: number;
  if (typeof opts.mapType === 'number') mapType = opts.mapType;
  else {
    const n = MAP_TYPES[opts.mapType.toLowerCase().replace(/^bpf_map_type_/, '')];
    if (n === undefined) return { ok: false, errno: 22, errorName: 'EINVAL', message: `unknown map type '${opts.mapType}'` };
    mapType = n;
  }
  return withBuffers((alloc): FdResult => {
    const attr = alloc(CREATE_ATTR_SIZE);
    const v = attr.view;
    v.setUint32(0, mapType, true);
    v.setUint32(4, opts.keySize, true);
    v.setUint32(8, opts.valueSize, true);
    v.setUint32(12, opts.maxEntries, true);
    v.setUint32(16, opts.flags ?? 0, true);
    v.setUint32(20, opts.innerMapFd ?? 0, true);
    if (opts.name) attr.bytes.set(new TextEncoder().encode(opts.name).subarray(0, 15), 28);
    v.setBigUint64(64, opts.mapExtra ?? 0n, true);
    const r = bpfSyscall(BPF_CMD.MAP_CREATE, attr);
    return r.ok ? { ok: true, fd: r.value } : { ok: false, ...bpfError(r.errno, 'BPF_MAP_CREATE') };
  });
}

function elemCall(cmd: number, what: string, fd: number, key: Uint8Array | undefined, valueRoom: number, valueIn: Uint8Array | undefined, flags: bigint): BytesResult {
  return withBuffers((alloc): BytesResult => {
    const attr = alloc(ELEM_ATTR_SIZE);
    const k = key ? alloc(key.length, key) : undefined;
    const val = valueIn ? alloc(valueIn.length, valueIn) : valueRoom ? alloc(valueRoom) : undefined;
    attr.view.setUint32(0, fd, true);
    attr.view.setBigUint64(8, k ? k.address : 0n, true);
    attr.view.setBigUint64(16, val ? val.address : 0n, true);
    attr.view.setBigUint64(24, flags, true);
    const r = bpfSyscall(cmd, attr);
    if (!r.ok) return { ok: false, ...bpfError(r.errno, what) };
    return { ok: true, value: val && !valueIn ? val.copy(valueRoom) : new Uint8Array(0) };
  });
}

/** Looks a key up; `valueSize` is the map's value size (times the CPU count, rounded to 8, for per-CPU maps). */
export function mapLookup(fd: number, key: Uint8Array, valueSize: number, flags = 0n): BytesResult {
  return elemCall(BPF_CMD.MAP_LOOKUP_ELEM, 'BPF_MAP_LOOKUP_ELEM', fd, key, valueSize, undefined, flags);
}

export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags: number | bigint = BPF_ANY): DoneResult {
  const r = elemCall(BPF_CMD.MAP_UPDATE_ELEM, 'BPF_MAP_UPDATE_ELEM', fd, key, 0, value, BigInt(flags));
  return r.ok ? { ok: true } : r;
}

export function mapDelete(fd: number, key: Uint8Array): DoneResult {
  const r = elemCall(BPF_CMD.MAP_DELETE_ELEM, 'BPF_MAP_DELETE_ELEM', fd, key, 0, undefined, 0n);
  return r.ok ? { ok: true } : r;
}

/** BPF_MAP_FREEZE: no more writes from user space (what libbpf does to .rodata, so programs may treat it as constant). */
export function mapFreeze(fd: number): DoneResult {
  return withBuffers((alloc): DoneResult => {
    const attr = alloc(ELEM_ATTR_SIZE);
    attr.view.setUint32(0, fd, true);
    const r = bpfSyscall(BPF_CMD.MAP_FREEZE, attr);
    return r.ok ? { ok: true } : { ok: false, ...bpfError(r.errno, 'BPF_MAP_FREEZE') };
  });
}

/** The key after `key` (or the first key when `key` is undefined); ENOENT at the end. */
export function mapGetNextKey(fd: number, key: Uint8Array | undefined, keySize: number): BytesResult {
  return elemCall(BPF_CMD.MAP_GET_NEXT_KEY, 'BPF_MAP_GET_NEXT_KEY', fd, key, keySize, undefined, 0n);
}
