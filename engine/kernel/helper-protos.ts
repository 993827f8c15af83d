// Helper function prototypes as data: ids and names from the kernel's __BPF_FUNC_MAPPER, argument and return kinds from each bpf_func_proto.
//
// Sources: include/uapi/linux/bpf.h (ids 0..211, frozen since 6.2), kernel/bpf/helpers.c, kernel/trace/bpf_trace.c,
// net/core/filter.c, kernel/bpf/ringbuf.c (the bpf_func_proto initialisers). Shared by the verifier (argument
// checking) and the interpreter (calling convention). Only helpers listed in HELPER_PROTOS have a modelled
// prototype; the verifier reports any other helper as unsupported rather than guessing.

/** Base argument kinds of enum bpf_arg_type (include/linux/bpf.h). */
export type ArgKind =
  | 'ARG_DONTCARE'
  | 'ARG_CONST_MAP_PTR'
  | 'ARG_PTR_TO_MAP_KEY'
  | 'ARG_PTR_TO_MAP_VALUE'
  | 'ARG_PTR_TO_MEM'
  | 'ARG_PTR_TO_ARENA'
  | 'ARG_CONST_SIZE'
  | 'ARG_CONST_SIZE_OR_ZERO'
  | 'ARG_PTR_TO_CTX'
  | 'ARG_ANYTHING'
  | 'ARG_PTR_TO_SPIN_LOCK'
  | 'ARG_PTR_TO_SOCK_COMMON'
  | 'ARG_PTR_TO_SOCKET'
  | 'ARG_PTR_TO_BTF_ID'
  | 'ARG_PTR_TO_RINGBUF_MEM'
  | 'ARG_CONST_ALLOC_SIZE_OR_ZERO'
  | 'ARG_PTR_TO_BTF_ID_SOCK_COMMON'
  | 'ARG_PTR_TO_PERCPU_BTF_ID'
  | 'ARG_PTR_TO_FUNC'
  | 'ARG_PTR_TO_STACK'
  | 'ARG_PTR_TO_CONST_STR'
  | 'ARG_PTR_TO_TIMER'
  | 'ARG_KPTR_XCHG_DEST'
  | 'ARG_PTR_TO_DYNPTR';

/** Type flags that modify an argument kind (the high bits of bpf_arg_type). */
export type ArgFlag = 'PTR_MAYBE_NULL' | 'MEM_RDONLY' | 'MEM_UNINIT' | 'MEM_WRITE' | 'OBJ_RELEASE' | 'MEM_FIXED_SIZE' | 'MEM_ALIGNED';

export interface ArgType {
  readonly kind: ArgKind;
  readonly flags: readonly ArgFlag[];
  /** MEM_FIXED_SIZE: the size in bytes the memory argument must cover. */
  readonly size?: number;
}

/** Base return kinds of enum bpf_return_type. */
export type RetKind =
  | 'RET_INTEGER'
  | 'RET_VOID'
  | 'RET_PTR_TO_MAP_VALUE'
  | 'RET_PTR_TO_SOCKET'
  | 'RET_PTR_TO_TCP_SOCK'
  | 'RET_PTR_TO_SOCK_COMMON'
  | 'RET_PTR_TO_MEM'
  | 'RET_PTR_TO_MEM_OR_BTF_ID'
  | 'RET_PTR_TO_BTF_ID';

export type RetFlag = 'PTR_MAYBE_NULL' | 'MEM_RINGBUF' | 'MEM_RDONLY' | 'PTR_TRUSTED' | 'MEM_ALLOC';

export interface RetType {
  readonly kind: RetKind;
  readonly flags: readonly RetFlag[];
}

export interface HelperProto {
  readonly id: number;
  /** Name without the bpf_ prefix, as in __BPF_FUNC_MAPPER ("map_lookup_elem"). */
  readonly name: string;
  readonly ret: RetType;
  /** Arguments R1..R5 in order; fewer than five means the rest are ARG_DONTCARE. */
  readonly args: readonly ArgType[];
  readonly gplOnly: boolean;
  /** pkt_access: the helper may be given packet pointers (kept for the interpreter; the 6.18 verifier no longer checks it). */
  readonly pktAccess?: boolean;
  /** might_sleep: only sleepable programs may call it ("helper call might sleep in a non-sleepable prog"). */
  readonly mightSleep?: boolean;
}

/** Helper names by id, from __BPF_FUNC_MAPPER (index = BPF_FUNC_* value; 0 is "unspec"). */
export const HELPER_NAMES: readonly string[] = Object.freeze([
  'unspec', 'map_lookup_elem', 'map_update_elem', 'map_delete_elem', 'probe_read', 'ktime_get_ns',
  'trace_printk', 'get_prandom_u32', 'get_smp_processor_id', 'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace',
  'tail_call', 'clone_redirect', 'get_current_pid_tgid', 'get_current_uid_gid', 'get_current_comm', 'get_cgroup_classid',
  'skb_vlan_push', 'skb_vlan_pop', 'skb_get_tunnel_key', 'skb_set_tunnel_key', 'perf_event_read', 'redirect',
  'get_route_realm', 'perf_event_output', 'skb_load_bytes', 'get_stackid', 'csum_diff', 'skb_get_tunnel_opt',
  'skb_set_tunnel_opt', 'skb_change_proto', 'skb_change_type', 'skb_under_cgroup', 'get_hash_recalc', 'get_current_task',
  'probe_write_user', 'current_task_under_cgroup', 'skb_change_tail', 'skb_pull_data', 'csum_update', 'set_hash_invalid',
  'get_numa_node_id', 'skb_change_head', 'xdp_adjust_head', 'probe_read_str', 'get_socket_cookie', 'get_socket_uid',
  'set_hash', 'setsockopt', 'skb_adjust_room', 'redirect_map', 'sk_redirect_map', 'sock_map_update',
  'xdp_adjust_meta', 'perf_event_read_value', 'perf_prog_read_value', 'getsockopt', 'override_return', 'sock_ops_cb_flags_set',
  'msg_redirect_map', 'msg_apply_bytes', 'msg_cork_bytes', 'msg_pull_data', 'bind', 'xdp_adjust_tail',
  'skb_get_xfrm_state', 'get_stack', 'skb_load_bytes_relative', 'fib_lookup', 'sock_hash_update', 'msg_redirect_hash',
  'sk_redirect_hash', 'lwt_push_encap', 'lwt_seg6_store_bytes', 'lwt_seg6_adjust_srh', 'lwt_seg6_action', 'rc_repeat',
  'rc_keydown', 'skb_cgroup_id', 'get_current_cgroup_id', 'get_local_storage', 'sk_select_reuseport', 'skb_ancestor_cgroup_id',
  'sk_lookup_tcp', 'sk_lookup_udp', 'sk_release', 'map_push_elem', 'map_pop_elem', 'map_peek_elem',
  'msg_push_data', 'msg_pop_data', 'rc_pointer_rel', 'spin_lock', 'spin_unlock', 'sk_fullsock',
  'tcp_sock', 'skb_ecn_set_ce', 'get_listener_sock', 'skc_lookup_tcp', 'tcp_check_syncookie', 'sysctl_get_name',
  'sysctl_get_current_value', 'sysctl_get_new_value', 'sysctl_set_new_value', 'strtol', 'strtoul', 'sk_storage_get',
  'sk_storage_delete', 'send_signal', 'tcp_gen_syncookie', 'skb_output', 'probe_read_user', 'probe_read_kernel',
  'probe_read_user_str', 'probe_read_kernel_str', 'tcp_send_ack', 'send_signal_thread', 'jiffies64', 'read_branch_records',
  'get_ns_current_pid_tgid', 'xdp_output', 'get_netns_cookie', 'get_current_ancestor_cgroup_id', 'sk_assign', 'ktime_get_boot_ns',
  'seq_printf', 'seq_write', 'sk_cgroup_id', 'sk_ancestor_cgroup_id', 'ringbuf_output', 'ringbuf_reserve',
  'ringbuf_submit', 'ringbuf_discard', 'ringbuf_query', 'csum_level', 'skc_to_tcp6_sock', 'skc_to_tcp_sock',
  'skc_to_tcp_timewait_sock', 'skc_to_tcp_request_sock', 'skc_to_udp6_sock', 'get_task_stack', 'load_hdr_opt', 'store_hdr_opt',
  'reserve_hdr_opt', 'inode_storage_get', 'inode_storage_delete', 'd_path', 'copy_from_user', 'snprintf_btf',
  'seq_printf_btf', 'skb_cgroup_classid', 'redirect_neigh', 'per_cpu_ptr', 'this_cpu_ptr', 'redirect_peer',
  'task_storage_get', 'task_storage_delete', 'get_current_task_btf', 'bprm_opts_set', 'ktime_get_coarse_ns', 'ima_inode_hash',
  'sock_from_file', 'check_mtu', 'for_each_map_elem', 'snprintf', 'sys_bpf', 'btf_find_by_name_kind',
  'sys_close', 'timer_init', 'timer_set_callback', 'timer_start', 'timer_cancel', 'get_func_ip',
  'get_attach_cookie', 'task_pt_regs', 'get_branch_snapshot', 'trace_vprintk', 'skc_to_unix_sock', 'kallsyms_lookup_name',
  'find_vma', 'loop', 'strncmp', 'get_func_arg', 'get_func_ret', 'get_func_arg_cnt',
  'get_retval', 'set_retval', 'xdp_get_buff_len', 'xdp_load_bytes', 'xdp_store_bytes', 'copy_from_user_task',
  'skb_set_tstamp', 'ima_file_hash', 'kptr_xchg', 'map_lookup_percpu_elem', 'skc_to_mptcp_sock', 'dynptr_from_mem',
  'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr', 'dynptr_read', 'dynptr_write', 'dynptr_data',
  'tcp_raw_gen_syncookie_ipv4', 'tcp_raw_gen_syncookie_ipv6', 'tcp_raw_check_syncookie_ipv4', 'tcp_raw_check_syncookie_ipv6', 'ktime_get_tai_ns', 'user_ringbuf_drain',
  'cgrp_storage_get', 'cgrp_storage_delete',
]);

function arg(kind: ArgKind, ...flags: ArgFlag[]): ArgType {
  return { kind, flags };
}
function ret(kind: RetKind, ...flags: RetFlag[]): RetType {
  return { kind, flags };
}

const MAP = arg('ARG_CONST_MAP_PTR');
const KEY = arg('ARG_PTR_TO_MAP_KEY');
const VALUE = arg('ARG_PTR_TO_MAP_VALUE');
const CTX = arg('ARG_PTR_TO_CTX');
const ANY = arg('ARG_ANYTHING');
const SIZE = arg('ARG_CONST_SIZE');
const SIZE0 = arg('ARG_CONST_SIZE_OR_ZERO');
/** const void *buf: initialised memory the helper only reads (ARG_PTR_TO_MEM | MEM_RDONLY). */
const RO_MEM = arg('ARG_PTR_TO_MEM', 'MEM_RDONLY');
/** void *dst: memory the helper fills (ARG_PTR_TO_UNINIT_MEM = ARG_PTR_TO_MEM | MEM_UNINIT | MEM_WRITE). */
const UNINIT_MEM = arg('ARG_PTR_TO_MEM', 'MEM_UNINIT', 'MEM_WRITE');
const INT = ret('RET_INTEGER');
const VOID = ret('RET_VOID');

type ProtoSpec = readonly [name: string, ret: RetType, args: readonly ArgType[], gplOnly: boolean, extra?: { pktAccess?: boolean; mightSleep?: boolean }];

/** The modelled prototypes, keyed by helper name; values from the kernel's bpf_func_proto initialisers. */
const SPECS: readonly ProtoSpec[] = [
  // kernel/bpf/helpers.c
  ['map_lookup_elem', ret('RET_PTR_TO_MAP_VALUE', 'PTR_MAYBE_NULL'), [MAP, KEY], false, { pktAccess: true }],
  ['map_update_elem', INT, [MAP, KEY, VALUE, ANY], false, { pktAccess: true }],
  ['map_delete_elem', INT, [MAP, KEY], false, { pktAccess: true }],
  ['map_push_elem', INT, [MAP, VALUE, ANY], false, { pktAccess: true }],
  ['map_pop_elem', INT, [MAP, arg('ARG_PTR_TO_MAP_VALUE', 'MEM_UNINIT', 'MEM_WRITE')], false],
  ['map_peek_elem', INT, [MAP, arg('ARG_PTR_TO_MAP_VALUE', 'MEM_UNINIT', 'MEM_WRITE')], false],
  ['map_lookup_percpu_elem', ret('RET_PTR_TO_MAP_VALUE', 'PTR_MAYBE_NULL'), [MAP, KEY, ANY], false, { pktAccess: true }],
  ['get_prandom_u32', INT, [], false],
  ['get_smp_processor_id', INT, [], false],
  ['get_numa_node_id', INT, [], false],
  ['ktime_get_ns', INT, [], false],
  ['ktime_get_boot_ns', INT, [], false],
  ['ktime_get_coarse_ns', INT, [], false],
  ['ktime_get_tai_ns', INT, [], false],
  ['jiffies64', INT, [], false],
  ['get_current_pid_tgid', INT, [], false],
  ['get_current_uid_gid', INT, [], false],
  ['get_current_comm', INT, [UNINIT_MEM, SIZE], false],
  ['get_current_cgroup_id', INT, [], false],
  ['strtol', INT, [RO_MEM, SIZE, ANY, arg('ARG_PTR_TO_MEM', 'MEM_FIXED_SIZE', 'MEM_UNINIT', 'MEM_WRITE', 'MEM_ALIGNED')], false],
  ['strncmp', INT, [RO_MEM, SIZE, arg('ARG_PTR_TO_CONST_STR')], false],
  ['snprintf', INT, [arg('ARG_PTR_TO_MEM', 'PTR_MAYBE_NULL'), SIZE0, arg('ARG_PTR_TO_CONST_STR'), arg('ARG_PTR_TO_MEM', 'PTR_MAYBE_NULL', 'MEM_RDONLY'), SIZE0], false],
  ['loop', INT, [ANY, arg('ARG_PTR_TO_FUNC'), arg('ARG_PTR_TO_STACK', 'PTR_MAYBE_NULL'), ANY], false],
  ['for_each_map_elem', INT, [MAP, arg('ARG_PTR_TO_FUNC'), arg('ARG_PTR_TO_STACK', 'PTR_MAYBE_NULL'), ANY], false],
  ['tail_call', VOID, [CTX, MAP, ANY], false],
  // kernel/trace/bpf_trace.c
  ['probe_read', INT, [UNINIT_MEM, SIZE0, ANY], true],
  ['probe_read_str', INT, [UNINIT_MEM, SIZE0, ANY], true],
  ['probe_read_user', INT, [UNINIT_MEM, SIZE0, ANY], true],
  ['probe_read_kernel', INT, [UNINIT_MEM, SIZE0, ANY], true],
  ['probe_read_user_str', INT, [UNINIT_MEM, SIZE0, ANY], true],
  ['probe_read_kernel_str', INT, [UNINIT_MEM, SIZE0, ANY], true],
  ['trace_printk', INT, [RO_MEM, SIZE], true],
  ['get_current_task', INT, [], true],
  ['perf_event_output', INT, [CTX, MAP, ANY, RO_MEM, SIZE0], true],
  ['perf_event_read', INT, [MAP, ANY], true],
  ['get_stackid', INT, [CTX, MAP, ANY], true],
  ['send_signal', INT, [ANY], false],
  // net/core/filter.c
  ['skb_store_bytes', INT, [CTX, ANY, RO_MEM, SIZE, ANY], false],
  ['skb_load_bytes', INT, [CTX, ANY, UNINIT_MEM, SIZE], false],
  ['l3_csum_replace', INT, [CTX, ANY, ANY, ANY, ANY], false],
  ['l4_csum_replace', INT, [CTX, ANY, ANY, ANY, ANY], false],
  ['csum_diff', INT, [arg('ARG_PTR_TO_MEM', 'PTR_MAYBE_NULL', 'MEM_RDONLY'), SIZE0, arg('ARG_PTR_TO_MEM', 'PTR_MAYBE_NULL', 'MEM_RDONLY'), SIZE0, ANY], false, { pktAccess: true }],
  ['clone_redirect', INT, [CTX, ANY, ANY], false],
  ['redirect', INT, [ANY, ANY], false],
  ['redirect_map', INT, [MAP, ANY, ANY], false],
  ['get_cgroup_classid', INT, [CTX], false],
  ['get_hash_recalc', INT, [CTX], false],
  ['skb_pull_data', INT, [CTX, ANY], false],
  ['skb_change_tail', INT, [CTX, ANY, ANY], false],
  ['skb_change_head', INT, [CTX, ANY, ANY], false],
  ['skb_adjust_room', INT, [CTX, ANY, ANY, ANY], false],
  ['xdp_adjust_head', INT, [CTX, ANY], false],
  ['xdp_adjust_meta', INT, [CTX, ANY], false],
  ['xdp_adjust_tail', INT, [CTX, ANY], false],
  ['get_socket_cookie', INT, [CTX], false],
  ['get_socket_uid', INT, [CTX], false],
  // kernel/bpf/ringbuf.c
  ['ringbuf_output', INT, [MAP, RO_MEM, SIZE0, ANY], false],
  ['ringbuf_reserve', ret('RET_PTR_TO_MEM', 'PTR_MAYBE_NULL', 'MEM_RINGBUF'), [MAP, arg('ARG_CONST_ALLOC_SIZE_OR_ZERO'), ANY], false],
  ['ringbuf_submit', VOID, [arg('ARG_PTR_TO_RINGBUF_MEM', 'OBJ_RELEASE'), ANY], false],
  ['ringbuf_discard', VOID, [arg('ARG_PTR_TO_RINGBUF_MEM', 'OBJ_RELEASE'), ANY], false],
  ['ringbuf_query', INT, [MAP, ANY], false],
];

function build(): ReadonlyMap<number, HelperProto> {
  const byId = new Map<number, HelperProto>();
  for (const [name, r, args, gplOnly, extra] of SPECS) {
    const id = HELPER_NAMES.indexOf(name);
    if (id <= 0) throw new RangeError(`helper-protos: ${name} is not in __BPF_FUNC_MAPPER`);
    byId.set(id, Object.freeze({ id, name, ret: r, args, gplOnly, ...extra }));
  }
  return byId;
}

/** Modelled prototypes by helper id. */
export const HELPER_PROTOS: ReadonlyMap<number, HelperProto> = build();

/** The helper id for a name ("map_lookup_elem" or "bpf_map_lookup_elem"), or undefined. */
export function helperId(name: string): number | undefined {
  const n = name.startsWith('bpf_') ? name.slice(4) : name;
  const id = HELPER_NAMES.indexOf(n);
  return id > 0 ? id : undefined;
}

/** The kernel's func_id_name(): "bpf_map_lookup_elem", or "unknown" outside the mapper. */
export function helperKernelName(id: number): string {
  return id > 0 && id < HELPER_NAMES.length ? `bpf_${HELPER_NAMES[id]}` : 'unknown';
}
