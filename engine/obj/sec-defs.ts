// libbpf's SEC() naming conventions: ELF section name -> program type, expected attach type and
// attach target, plus the kernel's program/attach/map type numbers (include/uapi/linux/bpf.h).

function enumOf(names: readonly string[]): Readonly<Record<string, number>> {
  return Object.freeze(Object.fromEntries(names.map((n, i) => [n, i])));
}

/** `enum bpf_prog_type` by lower-case name without the BPF_PROG_TYPE_ prefix. */
export const PROG_TYPE_NAMES = [
  'unspec', 'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp', 'perf_event',
  'cgroup_skb', 'cgroup_sock', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sock_ops', 'sk_skb', 'cgroup_device',
  'sk_msg', 'raw_tracepoint', 'cgroup_sock_addr', 'lwt_seg6local', 'lirc_mode2', 'sk_reuseport',
  'flow_dissector', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'tracing', 'struct_ops',
  'ext', 'lsm', 'sk_lookup', 'syscall', 'netfilter',
] as const;
export const PROG_TYPE = enumOf(PROG_TYPE_NAMES);

/** `enum bpf_attach_type` by lower-case name without the BPF_ prefix. */
export const ATTACH_TYPE_NAMES = [
  'cgroup_inet_ingress', 'cgroup_inet_egress', 'cgroup_inet_sock_create', 'cgroup_sock_ops',
  'sk_skb_stream_parser', 'sk_skb_stream_verdict', 'cgroup_device', 'sk_msg_verdict', 'cgroup_inet4_bind',
  'cgroup_inet6_bind', 'cgroup_inet4_connect', 'cgroup_inet6_connect', 'cgroup_inet4_post_bind',
  'cgroup_inet6_post_bind', 'cgroup_udp4_sendmsg', 'cgroup_udp6_sendmsg', 'lirc_mode2', 'flow_dissector',
  'cgroup_sysctl', 'cgroup_udp4_recvmsg', 'cgroup_udp6_recvmsg', 'cgroup_getsockopt', 'cgroup_setsockopt',
  'trace_raw_tp', 'trace_fentry', 'trace_fexit', 'modify_return', 'lsm_mac', 'trace_iter',
  'cgroup_inet4_getpeername', 'cgroup_inet6_getpeername', 'cgroup_inet4_getsockname',
  'cgroup_inet6_getsockname', 'xdp_devmap', 'cgroup_inet_sock_release', 'xdp_cpumap', 'sk_lookup', 'xdp',
  'sk_skb_verdict', 'sk_reuseport_select', 'sk_reuseport_select_or_migrate', 'perf_event',
  'trace_kprobe_multi', 'lsm_cgroup', 'struct_ops', 'netfilter', 'tcx_ingress', 'tcx_egress',
  'trace_uprobe_multi', 'cgroup_unix_connect', 'cgroup_unix_sendmsg', 'cgroup_unix_recvmsg',
  'cgroup_unix_getpeername', 'cgroup_unix_getsockname', 'netkit_primary', 'netkit_peer',
  'trace_kprobe_session', 'trace_uprobe_session',
] as const;
export const ATTACH_TYPE = enumOf(ATTACH_TYPE_NAMES);

/** `enum bpf_map_type` by lower-case name without the BPF_MAP_TYPE_ prefix. */
export const MAP_TYPE_NAMES = [
  'unspec', 'hash', 'array', 'prog_array', 'perf_event_array', 'percpu_hash', 'percpu_array',
  'stack_trace', 'cgroup_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'array_of_maps',
  'hash_of_maps', 'devmap', 'sockmap', 'cpumap', 'xskmap', 'sockhash', 'cgroup_storage',
  'reuseport_sockarray', 'percpu_cgroup_storage', 'queue', 'stack', 'sk_storage', 'devmap_hash',
  'struct_ops', 'ringbuf', 'inode_storage', 'task_storage', 'bloom_filter', 'user_ringbuf',
  'cgrp_storage', 'arena',
] as const;
export const MAP_TYPE = enumOf(MAP_TYPE_NAMES);

/** A kernel enum value with its name ("unknown(99)" for numbers the table does not know). */
export interface KernelEnum {
  readonly id: number;
  readonly name: string;
}

export function progType(id: number): KernelEnum {
  return { id, name: PROG_TYPE_NAMES[id] ?? `unknown(${id})` };
}
export function attachType(id: number): KernelEnum {
  return { id, name: ATTACH_TYPE_NAMES[id] ?? `unknown(${id})` };
}
export function mapType(id: number): KernelEnum {
  return { id, name: MAP_TYPE_NAMES[id] ?? `unknown(${id})` };
}

/** sec_def cookie flags (libbpf enum sec_def_flags). */
export interface SecDefFlags {
  /** BPF_F_SLEEPABLE at load. */
  readonly sleepable: boolean;
  /** The attach target is a BTF id (fentry/fexit/lsm/tp_btf/iter/freplace). */
  readonly attachBtf: boolean;
  /** BPF_F_XDP_HAS_FRAGS at load. */
  readonly xdpFrags: boolean;
  /** expected_attach_type may be dropped for old kernels. */
  readonly attachOptional: boolean;
}

export interface SecDef {
  /** libbpf's pattern: "kprobe+" (exact or "kprobe/..."), "tc/ingress" (exact), "xdp". */
  readonly pattern: string;
  readonly progType: string;
  /** Expected attach type name, or undefined for 0 (libbpf passes 0, which the kernel ignores for these types). */
  readonly attachType?: string;
  readonly flags: SecDefFlags;
}

const F = { sleepable: false, attachBtf: false, xdpFrags: false, attachOptional: false };
const S = { ...F, sleepable: true };
const BTF = { ...F, attachBtf: true };
const BTF_S = { ...BTF, sleepable: true };
const OPT = { ...F, attachOptional: true };
const FRAGS = { ...F, xdpFrags: true };

/** libbpf's section_defs table (src/libbpf.c), in its order: the first match wins. */
export const SEC_DEFS: readonly SecDef[] = Object.freeze(([
  ['socket', 'socket_filter', undefined, F],
  ['sk_reuseport/migrate', 'sk_reuseport', 'sk_reuseport_select_or_migrate', F],
  ['sk_reuseport', 'sk_reuseport', 'sk_reuseport_select', F],
  ['kprobe+', 'kprobe', undefined, F],
  ['uprobe+', 'kprobe', undefined, F],
  ['uprobe.s+', 'kprobe', undefined, S],
  ['kretprobe+', 'kprobe', undefined, F],
  ['uretprobe+', 'kprobe', undefined, F],
  ['uretprobe.s+', 'kprobe', undefined, S],
  ['kprobe.multi+', 'kprobe', 'trace_kprobe_multi', F],
  ['kretprobe.multi+', 'kprobe', 'trace_kprobe_multi', F],
  ['kprobe.session+', 'kprobe', 'trace_kprobe_session', F],
  ['uprobe.multi+', 'kprobe', 'trace_uprobe_multi', F],
  ['uretprobe.multi+', 'kprobe', 'trace_uprobe_multi', F],
  ['uprobe.session+', 'kprobe', 'trace_uprobe_session', F],
  ['uprobe.multi.s+', 'kprobe', 'trace_uprobe_multi', S],
  ['uretprobe.multi.s+', 'kprobe', 'trace_uprobe_multi', S],
  ['uprobe.session.s+', 'kprobe', 'trace_uprobe_session', S],
  ['ksyscall+', 'kprobe', undefined, F],
  ['kretsyscall+', 'kprobe', undefined, F],
  ['usdt+', 'kprobe', undefined, F],
  ['usdt.s+', 'kprobe', undefined, S],
  ['tc/ingress', 'sched_cls', 'tcx_ingress', F],
  ['tc/egress', 'sched_cls', 'tcx_egress', F],
  ['tcx/ingress', 'sched_cls', 'tcx_ingress', F],
  ['tcx/egress', 'sched_cls', 'tcx_egress', F],
  ['tc', 'sched_cls', undefined, F],
  ['classifier', 'sched_cls', undefined, F],
  ['action', 'sched_act', undefined, F],
  ['netkit/primary', 'sched_cls', 'netkit_primary', F],
  ['netkit/peer', 'sched_cls', 'netkit_peer', F],
  ['tracepoint+', 'tracepoint', undefined, F],
  ['tp+', 'tracepoint', undefined, F],
  ['raw_tracepoint+', 'raw_tracepoint', undefined, F],
  ['raw_tp+', 'raw_tracepoint', undefined, F],
  ['raw_tracepoint.w+', 'raw_tracepoint_writable', undefined, F],
  ['raw_tp.w+', 'raw_tracepoint_writable', undefined, F],
  ['tp_btf+', 'tracing', 'trace_raw_tp', BTF],
  ['fentry+', 'tracing', 'trace_fentry', BTF],
  ['fmod_ret+', 'tracing', 'modify_return', BTF],
  ['fexit+', 'tracing', 'trace_fexit', BTF],
  ['fentry.s+', 'tracing', 'trace_fentry', BTF_S],
  ['fmod_ret.s+', 'tracing', 'modify_return', BTF_S],
  ['fexit.s+', 'tracing', 'trace_fexit', BTF_S],
  ['freplace+', 'ext', undefined, BTF],
  ['lsm+', 'lsm', 'lsm_mac', BTF],
  ['lsm.s+', 'lsm', 'lsm_mac', BTF_S],
  ['lsm_cgroup+', 'lsm', 'lsm_cgroup', BTF],
  ['iter+', 'tracing', 'trace_iter', BTF],
  ['iter.s+', 'tracing', 'trace_iter', BTF_S],
  ['syscall', 'syscall', undefined, S],
  ['xdp.frags/devmap', 'xdp', 'xdp_devmap', FRAGS],
  ['xdp/devmap', 'xdp', 'xdp_devmap', F],
  ['xdp.frags/cpumap', 'xdp', 'xdp_cpumap', FRAGS],
  ['xdp/cpumap', 'xdp', 'xdp_cpumap', F],
  ['xdp.frags', 'xdp', 'xdp', FRAGS],
  ['xdp', 'xdp', 'xdp', OPT],
  ['perf_event', 'perf_event', undefined, F],
  ['lwt_in', 'lwt_in', undefined, F],
  ['lwt_out', 'lwt_out', undefined, F],
  ['lwt_xmit', 'lwt_xmit', undefined, F],
  ['lwt_seg6local', 'lwt_seg6local', undefined, F],
  ['sockops', 'sock_ops', 'cgroup_sock_ops', OPT],
  ['sk_skb/stream_parser', 'sk_skb', 'sk_skb_stream_parser', OPT],
  ['sk_skb/stream_verdict', 'sk_skb', 'sk_skb_stream_verdict', OPT],
  ['sk_skb/verdict', 'sk_skb', 'sk_skb_verdict', OPT],
  ['sk_skb', 'sk_skb', undefined, F],
  ['sk_msg', 'sk_msg', 'sk_msg_verdict', OPT],
  ['lirc_mode2', 'lirc_mode2', 'lirc_mode2', OPT],
  ['flow_dissector', 'flow_dissector', 'flow_dissector', OPT],
  ['cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress', OPT],
  ['cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress', OPT],
  ['cgroup/skb', 'cgroup_skb', undefined, F],
  ['cgroup/sock_create', 'cgroup_sock', 'cgroup_inet_sock_create', F],
  ['cgroup/sock_release', 'cgroup_sock', 'cgroup_inet_sock_release', F],
  ['cgroup/sock', 'cgroup_sock', 'cgroup_inet_sock_create', OPT],
  ['cgroup/post_bind4', 'cgroup_sock', 'cgroup_inet4_post_bind', F],
  ['cgroup/post_bind6', 'cgroup_sock', 'cgroup_inet6_post_bind', F],
  ['cgroup/bind4', 'cgroup_sock_addr', 'cgroup_inet4_bind', F],
  ['cgroup/bind6', 'cgroup_sock_addr', 'cgroup_inet6_bind', F],
  ['cgroup/connect4', 'cgroup_sock_addr', 'cgroup_inet4_connect', F],
  ['cgroup/connect6', 'cgroup_sock_addr', 'cgroup_inet6_connect', F],
  ['cgroup/connect_unix', 'cgroup_sock_addr', 'cgroup_unix_connect', F],
  ['cgroup/sendmsg4', 'cgroup_sock_addr', 'cgroup_udp4_sendmsg', F],
  ['cgroup/sendmsg6', 'cgroup_sock_addr', 'cgroup_udp6_sendmsg', F],
  ['cgroup/sendmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_sendmsg', F],
  ['cgroup/recvmsg4', 'cgroup_sock_addr', 'cgroup_udp4_recvmsg', F],
  ['cgroup/recvmsg6', 'cgroup_sock_addr', 'cgroup_udp6_recvmsg', F],
  ['cgroup/recvmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_recvmsg', F],
  ['cgroup/getpeername4', 'cgroup_sock_addr', 'cgroup_inet4_getpeername', F],
  ['cgroup/getpeername6', 'cgroup_sock_addr', 'cgroup_inet6_getpeername', F],
  ['cgroup/getpeername_unix', 'cgroup_sock_addr', 'cgroup_unix_getpeername', F],
  ['cgroup/getsockname4', 'cgroup_sock_addr', 'cgroup_inet4_getsockname', F],
  ['cgroup/getsockname6', 'cgroup_sock_addr', 'cgroup_inet6_getsockname', F],
  ['cgroup/getsockname_unix', 'cgroup_sock_addr', 'cgroup_unix_getsockname', F],
  ['cgroup/sysctl', 'cgroup_sysctl', 'cgroup_sysctl', F],
  ['cgroup/getsockopt', 'cgroup_sockopt', 'cgroup_getsockopt', F],
  ['cgroup/setsockopt', 'cgroup_sockopt', 'cgroup_setsockopt', F],
  ['cgroup/dev', 'cgroup_device', 'cgroup_device', OPT],
  ['struct_ops+', 'struct_ops', undefined, F],
  ['struct_ops.s+', 'struct_ops', undefined, S],
  ['sk_lookup', 'sk_lookup', 'sk_lookup', F],
  ['netfilter', 'netfilter', 'netfilter', F],
] as const).map(([pattern, progType, attachType, flags]): SecDef => ({ pattern, progType, ...(attachType ? { attachType } : {}), flags })));

/** libbpf's sec_def_matches: "x+" is exact or "x/...", "x/" is a prefix, anything else is exact. */
export function secDefMatches(def: SecDef, name: string): boolean {
  const p = def.pattern;
  if (p.endsWith('/')) return name.startsWith(p);
  if (p.endsWith('+')) {
    const stem = p.slice(0, -1);
    return name === stem || name.startsWith(stem + '/');
  }
  return name === p;
}

export interface SectionProgramKind {
  readonly def?: SecDef;
  readonly type: KernelEnum;
  /** Expected attach type; undefined where libbpf passes 0 and the kernel ignores it. */
  readonly attachType?: KernelEnum;
  /** What the name says to attach to: "do_sys_openat2", "syscalls/sys_enter_write"; undefined for none. */
  readonly attachTo?: string;
  readonly flags: SecDefFlags;
}

/** Classifies a program section name the way libbpf's find_sec_def does; unknown names get type unspec. */
export function classifySection(name: string): SectionProgramKind {
  const def = SEC_DEFS.find((d) => secDefMatches(d, name));
  if (!def) return { type: progType(0), flags: F };
  const stem = def.pattern.replace(/[+/]$/, '');
  const rest = name.length > stem.length + 1 && name[stem.length] === '/' ? name.slice(stem.length + 1) : undefined;
  return {
    def,
    type: progType(PROG_TYPE[def.progType]),
    ...(def.attachType ? { attachType: attachType(ATTACH_TYPE[def.attachType]) } : {}),
    ...(rest !== undefined && def.pattern.endsWith('+') ? { attachTo: rest } : {}),
    flags: def.flags,
  };
}
