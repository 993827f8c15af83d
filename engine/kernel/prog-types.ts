// Program types as data: ctx layout and access rules, the pointer types ctx loads yield, allowed helpers, return ranges.
//
// The access rules transcribe each type's is_valid_access callback (net/core/filter.c: sk_filter_, tc_cls_act_,
// cg_skb_, xdp_is_valid_access and bpf_skb_is_valid_access; kernel/trace/bpf_trace.c: kprobe_prog_, tp_prog_,
// raw_tp_prog_, pe_prog_is_valid_access; kernel/bpf/syscall.c: syscall_prog_is_valid_access) into per-field
// entries read by one interpreter function, ctxAccess(). Allowed helper ids were measured on Linux 6.18 by loading
// `call N; exit` for every N and type (privileged, GPL); tests/verifier/helper-table.test.ts re-checks them.

/** Register types a ctx load can produce (bpf_insn_access_aux.reg_type); plain data loads give a scalar. */
export type CtxLoadType = 'PTR_TO_PACKET' | 'PTR_TO_PACKET_END' | 'PTR_TO_PACKET_META' | 'PTR_TO_SOCK_COMMON_OR_NULL';

/**
 * How a field may be accessed:
 * - 'none': never;
 * - 'exact': only with the field's own size;
 * - 'narrow': any power-of-two size up to the field size (bpf_ctx_narrow_access_ok);
 * - 'any': any size, possibly running into the following fields up to `spanEnd`.
 */
export type AccessMode = 'none' | 'exact' | 'narrow' | 'any';

export interface CtxField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly read: AccessMode;
  readonly write: AccessMode;
  /** For 'any': accesses may extend to this offset (exclusive), e.g. the end of cb[]. */
  readonly spanEnd?: number;
  /** The register type a read of this field produces, when not a scalar. */
  readonly yields?: CtxLoadType;
}

export interface ProgType {
  /** enum bpf_prog_type value. */
  readonly id: number;
  /** Our name, and the name bpftool/libbpf use ("socket_filter", "xdp"). */
  readonly name: string;
  /** The C type of the ctx as the program sees it. */
  readonly ctxStruct: string;
  /** sizeof the ctx struct: any access at or past it is invalid. */
  readonly ctxSize: number;
  /** Fields by offset; an offset inside no field (padding) is invalid. Empty for opaque contexts. */
  readonly fields: readonly CtxField[];
  /** Opaque contexts (tracepoint, syscall): valid offsets are [minOffset, ctxSize), reads only unless writable. */
  readonly opaque?: { readonly minOffset: number; readonly writable: boolean };
  /** Allowed helper ids (measured on Linux 6.18). */
  readonly helpers: ReadonlySet<number>;
  /** R0 range enforced at program exit (check_return_code), or undefined when any scalar is accepted. */
  readonly retRange?: readonly [number, number];
  /** BPF_F_SLEEPABLE is required to load (syscall programs). */
  readonly requiresSleepable?: boolean;
}

const u32 = (name: string, offset: number, read: AccessMode, write: AccessMode, yields?: CtxLoadType): CtxField =>
  ({ name, offset, size: 4, read, write, ...(yields ? { yields } : {}) });

/** struct __sk_buff (include/uapi/linux/bpf.h), 192 bytes; `w` marks fields a type may write. */
function skbFields(opts: {
  writable: readonly string[];
  denied: readonly string[];
  packet: boolean;
  meta: boolean;
}): CtxField[] {
  const f: CtxField[] = [];
  const w = (n: string): AccessMode => (opts.writable.includes(n) ? 'exact' : 'none');
  const plain = (name: string, offset: number): void => {
    const denied = opts.denied.includes(name);
    f.push(u32(name, offset, denied ? 'none' : 'narrow', denied ? 'none' : w(name)));
  };
  for (const [name, off] of [['len', 0], ['pkt_type', 4], ['mark', 8], ['queue_mapping', 12], ['protocol', 16], ['vlan_present', 20], ['vlan_tci', 24], ['vlan_proto', 28], ['priority', 32], ['ingress_ifindex', 36], ['ifindex', 40], ['tc_index', 44]] as const) {
    plain(name, off);
  }
  for (let i = 0; i < 5; i++) {
    f.push({ name: `cb[${i}]`, offset: 48 + 4 * i, size: 4, read: 'any', write: opts.writable.includes('cb') ? 'any' : 'none', spanEnd: 68 });
  }
  plain('hash', 68);
  plain('tc_classid', 72);
  const pk = (name: string, off: number, y: CtxLoadType, allowed: boolean): void => {
    f.push(u32(name, off, allowed ? 'exact' : 'none', 'none', allowed ? y : undefined));
  };
  pk('data', 76, 'PTR_TO_PACKET', opts.packet);
  pk('data_end', 80, 'PTR_TO_PACKET_END', opts.packet);
  plain('napi_id', 84);
  const sockDenied = opts.denied.includes('family');
  for (const [name, off] of [['family', 88], ['remote_ip4', 92], ['local_ip4', 96]] as const) {
    f.push(u32(name, off, sockDenied ? 'none' : name === 'family' ? 'narrow' : 'exact', 'none'));
  }
  for (let i = 0; i < 4; i++) f.push(u32(`remote_ip6[${i}]`, 100 + 4 * i, sockDenied ? 'none' : 'exact', 'none'));
  for (let i = 0; i < 4; i++) f.push(u32(`local_ip6[${i}]`, 116 + 4 * i, sockDenied ? 'none' : 'exact', 'none'));
  f.push(u32('remote_port', 132, sockDenied ? 'none' : 'narrow', 'none'));
  f.push(u32('local_port', 136, sockDenied ? 'none' : 'narrow', 'none'));
  pk('data_meta', 140, 'PTR_TO_PACKET_META', opts.meta);
  f.push({ name: 'flow_keys', offset: 144, size: 8, read: 'none', write: 'none' });
  const tsDenied = opts.denied.includes('tstamp');
  f.push({ name: 'tstamp', offset: 152, size: 8, read: tsDenied ? 'none' : 'exact', write: tsDenied ? 'none' : w('tstamp') });
  plain('wire_len', 160);
  plain('gso_segs', 164);
  f.push({ name: 'sk', offset: 168, size: 8, read: 'exact', write: 'none', yields: 'PTR_TO_SOCK_COMMON_OR_NULL' });
  plain('gso_size', 176);
  f.push({ name: 'tstamp_type', offset: 180, size: 1, read: opts.meta ? 'exact' : 'none', write: 'none' });
  const hwDenied = opts.denied.includes('hwtstamp');
  f.push({ name: 'hwtstamp', offset: 184, size: 8, read: hwDenied ? 'none' : 'exact', write: 'none' });
  return f;
}

const SKB_SIZE = 192;

/** x86-64 struct pt_regs: 21 eight-byte registers, in the kernel's order. */
const PT_REGS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'];
const ptRegsFields = (): CtxField[] =>
  PT_REGS.map((name, i) => ({ name, offset: 8 * i, size: 8, read: 'any', write: 'none', spanEnd: 168 }));

/** Allowed helper ids per type, measured on Linux 6.18 (see the module comment). */
const ALLOWED: Record<string, readonly number[]> = {
  socket_filter: [1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  kprobe: [1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 67, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194, 195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  sched_cls: [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 34, 35, 37, 38, 39, 40, 41, 42, 43, 46, 47, 48, 50, 55, 66, 68, 69, 79, 80, 83, 84, 85, 86, 87, 88, 89, 93, 94, 95, 96, 97, 98, 99, 100, 105, 106, 107, 108, 109, 110, 112, 113, 114, 115, 117, 118, 120, 122, 123, 124, 125, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 148, 149, 151, 152, 153, 154, 155, 156, 157, 158, 160, 163, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 192, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211],
  sched_act: [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31, 32, 33, 34, 35, 37, 38, 39, 40, 41, 42, 43, 46, 47, 48, 50, 55, 66, 68, 69, 79, 80, 83, 84, 85, 86, 87, 88, 89, 93, 94, 95, 96, 97, 98, 99, 100, 105, 106, 107, 108, 109, 110, 112, 113, 114, 115, 117, 118, 120, 122, 123, 124, 125, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 148, 149, 151, 152, 153, 154, 155, 156, 157, 158, 160, 163, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 192, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211],
  tracepoint: [1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 67, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194, 195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  xdp: [1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 23, 25, 28, 35, 37, 42, 44, 51, 54, 55, 65, 69, 80, 84, 85, 86, 87, 88, 89, 93, 94, 99, 100, 105, 106, 109, 110, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 163, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 188, 189, 190, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211],
  perf_event: [1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 56, 67, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 119, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194, 195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  cgroup_skb: [1, 2, 3, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 26, 35, 37, 42, 46, 47, 55, 68, 79, 80, 81, 83, 84, 85, 86, 87, 88, 89, 93, 94, 95, 96, 97, 98, 99, 105, 106, 107, 108, 109, 112, 113, 114, 115, 117, 118, 120, 122, 123, 125, 128, 129, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 148, 149, 153, 154, 156, 157, 158, 160, 164, 165, 169, 170, 171, 172, 175, 176, 177, 178, 180, 181, 182, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  raw_tracepoint: [1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 55, 67, 80, 87, 88, 89, 93, 94, 105, 106, 109, 112, 113, 114, 115, 117, 118, 120, 123, 125, 130, 131, 132, 133, 134, 141, 148, 149, 153, 154, 156, 157, 158, 164, 165, 169, 170, 171, 172, 173, 174, 175, 176, 177, 180, 181, 182, 191, 194, 195, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
  syscall: [1, 2, 3, 4, 5, 6, 7, 8, 12, 14, 15, 16, 17, 22, 25, 27, 35, 37, 42, 45, 46, 55, 67, 80, 87, 88, 89, 93, 94, 105, 106, 107, 108, 109, 111, 112, 113, 114, 115, 117, 118, 120, 121, 123, 125, 130, 131, 132, 133, 134, 136, 137, 138, 139, 140, 141, 147, 148, 149, 153, 154, 156, 157, 158, 162, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 175, 176, 177, 178, 179, 180, 181, 182, 188, 191, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 208, 209, 210, 211],
};

function type(t: Omit<ProgType, 'helpers'>): ProgType {
  return Object.freeze({ ...t, helpers: new Set(ALLOWED[t.name] ?? []) });
}

/** The modelled program types, by name. */
export const PROG_TYPES: Readonly<Record<string, ProgType>> = Object.freeze({
  socket_filter: type({
    id: 1, name: 'socket_filter', ctxStruct: 'struct __sk_buff', ctxSize: SKB_SIZE,
    fields: skbFields({ writable: ['cb'], denied: ['tc_classid', 'family', 'tstamp', 'wire_len', 'hwtstamp'], packet: false, meta: false }),
  }),
  kprobe: type({ id: 2, name: 'kprobe', ctxStruct: 'struct pt_regs', ctxSize: 168, fields: ptRegsFields() }),
  sched_cls: type({
    id: 3, name: 'sched_cls', ctxStruct: 'struct __sk_buff', ctxSize: SKB_SIZE,
    fields: skbFields({ writable: ['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping'], denied: ['family'], packet: true, meta: true }),
  }),
  sched_act: type({
    id: 4, name: 'sched_act', ctxStruct: 'struct __sk_buff', ctxSize: SKB_SIZE,
    fields: skbFields({ writable: ['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping'], denied: ['family'], packet: true, meta: true }),
  }),
  tracepoint: type({ id: 5, name: 'tracepoint', ctxStruct: 'void (trace event record)', ctxSize: 8192, fields: [], opaque: { minOffset: 8, writable: false } }),
  xdp: type({
    id: 6, name: 'xdp', ctxStruct: 'struct xdp_md', ctxSize: 24,
    fields: [
      u32('data', 0, 'exact', 'none', 'PTR_TO_PACKET'), u32('data_end', 4, 'exact', 'none', 'PTR_TO_PACKET_END'),
      u32('data_meta', 8, 'exact', 'none', 'PTR_TO_PACKET_META'), u32('ingress_ifindex', 12, 'exact', 'none'),
      u32('rx_queue_index', 16, 'exact', 'none'), u32('egress_ifindex', 20, 'none', 'none'),
    ],
  }),
  perf_event: type({
    id: 7, name: 'perf_event', ctxStruct: 'struct bpf_perf_event_data', ctxSize: 184,
    fields: [
      ...PT_REGS.map((name, i): CtxField => ({ name: `regs.${name}`, offset: 8 * i, size: 8, read: 'exact', write: 'none' })),
      { name: 'sample_period', offset: 168, size: 8, read: 'narrow', write: 'none' },
      { name: 'addr', offset: 176, size: 8, read: 'narrow', write: 'none' },
    ],
  }),
  cgroup_skb: type({
    id: 8, name: 'cgroup_skb', ctxStruct: 'struct __sk_buff', ctxSize: SKB_SIZE,
    fields: skbFields({ writable: ['mark', 'priority', 'cb', 'tstamp'], denied: ['tc_classid', 'wire_len'], packet: true, meta: false }),
    retRange: [0, 1],
  }),
  raw_tracepoint: type({
    id: 17, name: 'raw_tracepoint', ctxStruct: 'struct bpf_raw_tracepoint_args', ctxSize: 96,
    fields: Array.from({ length: 12 }, (_, i): CtxField => ({ name: `args[${i}]`, offset: 8 * i, size: 8, read: 'any', write: 'none', spanEnd: 96 })),
  }),
  syscall: type({ id: 31, name: 'syscall', ctxStruct: 'void (ctx_in buffer)', ctxSize: 65535, fields: [], opaque: { minOffset: 0, writable: true }, requiresSleepable: true }),
});

/** Looks a program type up by our name or by its enum value. */
export function progType(nameOrId: string | number): ProgType | undefined {
  if (typeof nameOrId === 'number') return Object.values(PROG_TYPES).find((t) => t.id === nameOrId);
  return PROG_TYPES[nameOrId];
}

export type AccessKind = 'read' | 'write';

export interface CtxAccessResult {
  readonly ok: boolean;
  /** The field the access starts in, when any. */
  readonly field?: CtxField;
  /** For a valid read: the register type the load produces (scalar when undefined). */
  readonly yields?: CtxLoadType;
}

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** Whether a fixed-offset ctx access of `size` bytes at `off` is valid for the type (the is_valid_access callback). */
export function ctxAccess(t: ProgType, off: number, size: number, kind: AccessKind): CtxAccessResult {
  if (off < 0 || off >= t.ctxSize || off % size !== 0) return { ok: false };
  if (t.opaque) {
    if (off < t.opaque.minOffset) return { ok: false };
    return { ok: kind === 'read' || t.opaque.writable };
  }
  const field = t.fields.find((f) => off >= f.offset && off < f.offset + f.size);
  if (!field) return { ok: false };
  const mode = kind === 'read' ? field.read : field.write;
  let ok: boolean;
  switch (mode) {
    case 'none':
      ok = false;
      break;
    case 'exact':
      ok = size === field.size && off === field.offset;
      break;
    case 'narrow':
      ok = size <= field.size && isPow2(size);
      break;
    case 'any':
      ok = off + size <= (field.spanEnd ?? field.offset + field.size);
      break;
  }
  return ok ? { ok, field, ...(kind === 'read' && field.yields ? { yields: field.yields } : {}) } : { ok: false, field };
}
