// Numbers of the bpf(2) interface (commands, program/map/attach types, flags) as in include/uapi/linux/bpf.h.

/** `enum bpf_cmd`: the first argument of bpf(2). */
export const BPF_CMD = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  PROG_TEST_RUN: 10,
  OBJ_GET_INFO_BY_FD: 15,
  BTF_LOAD: 18,
  MAP_FREEZE: 22,
} as const;

/** `enum bpf_prog_type`, keyed by the kernel's name without the BPF_PROG_TYPE_ prefix, lower case. */
export const PROG_TYPES: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries([
  'unspec', 'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp', 'perf_event',
  'cgroup_skb', 'cgroup_sock', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sock_ops', 'sk_skb', 'cgroup_device',
  'sk_msg', 'raw_tracepoint', 'cgroup_sock_addr', 'lwt_seg6local', 'lirc_mode2', 'sk_reuseport',
  'flow_dissector', 'cgroup_sysctl', 'raw_tracepoint_writable', 'cgroup_sockopt', 'tracing', 'struct_ops',
  'ext', 'lsm', 'sk_lookup', 'syscall', 'netfilter',
].map((name, i) => [name, i])));

/** `enum bpf_map_type`, keyed like PROG_TYPES (without BPF_MAP_TYPE_). */
export const MAP_TYPES: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries([
  'unspec', 'hash', 'array', 'prog_array', 'perf_event_array', 'percpu_hash', 'percpu_array',
  'stack_trace', 'cgroup_array', 'lru_hash', 'lru_percpu_hash', 'lpm_trie', 'array_of_maps',
  'hash_of_maps', 'devmap', 'sockmap', 'cpumap', 'xskmap', 'sockhash', 'cgroup_storage',
  'reuseport_sockarray', 'percpu_cgroup_storage', 'queue', 'stack', 'sk_storage', 'devmap_hash',
  'struct_ops', 'ringbuf', 'inode_storage', 'task_storage', 'bloom_filter', 'user_ringbuf',
  'cgrp_storage', 'arena',
].map((name, i) => [name, i])));

/** `enum bpf_attach_type`, keyed by the kernel's name without the BPF_ prefix, lower case. */
export const ATTACH_TYPES: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries([
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
].map((name, i) => [name, i])));

/** BPF_PROG_LOAD `prog_flags`. */
export const BPF_F_STRICT_ALIGNMENT = 1 << 0;
export const BPF_F_ANY_ALIGNMENT = 1 << 1;
export const BPF_F_TEST_RND_HI32 = 1 << 2;
export const BPF_F_TEST_STATE_FREQ = 1 << 3;
export const BPF_F_SLEEPABLE = 1 << 4;
export const BPF_F_XDP_HAS_FRAGS = 1 << 5;

/** BPF_MAP_UPDATE_ELEM `flags`. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

/** BPF_PROG_TEST_RUN `flags`. */
export const BPF_F_TEST_RUN_ON_CPU = 1 << 0;
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;

/** Verifier log levels: BPF_LOG_LEVEL1, BPF_LOG_LEVEL2, and BPF_LOG_STATS added to either. */
export const BPF_LOG_LEVEL1 = 1;
export const BPF_LOG_LEVEL2 = 2;
export const BPF_LOG_STATS = 4;

/** The kernel caps log_size at UINT_MAX >> 2 (kernel/bpf/log.c, bpf_vlog_init). */
export const BPF_LOG_SIZE_MAX = 0x3fffffff;
