// HLP-11: the 2013 helper names (resolved by strcmp on strtab + imm) and their modern eBPF counterparts.

/** How the transcoder rewrites a call to a 2013 helper. */
export type HelperRewrite2013 =
  | 'direct' // same arguments in the same registers: only imm changes
  | 'load-pointer' // bpf_load_pointer(p) -> probe_read(tmp, 8, p) with tmp preset to NULL, then r0 = tmp
  | 'table-lookup' // bpf_table_lookup(ctx, id, key) -> map_lookup_elem(map[id], key)
  | 'table-update' // bpf_table_update(ctx, id, key, leaf) -> map_update_elem(map[id], key, leaf, BPF_ANY)
  | 'none'; // no modern helper does the same: transcoding is refused

export interface Helper2013 {
  /** The name a 2013 strtab holds. */
  readonly name: string;
  /** C prototype from the seed (S3 bpf_trace.h / design doc). */
  readonly proto: string;
  readonly rewrite: HelperRewrite2013;
  /** Modern helper name and BPF_FUNC_* id (include/uapi/linux/bpf.h), where there is one. */
  readonly modern?: string;
  readonly modernId?: number;
  /** Where the modern helper behaves differently, in words; shown as a warning on every translated call. */
  readonly differences?: string;
  /** Why there is no translation ('none'). */
  readonly reason?: string;
}

/** Modern BPF_FUNC_* ids the transcoder emits. */
export const MODERN_HELPER_ID = { map_lookup_elem: 1, map_update_elem: 2, probe_read: 4, trace_printk: 6, probe_read_kernel: 113 } as const;

export const HELPERS_2013: readonly Helper2013[] = Object.freeze([
  {
    name: 'bpf_load_pointer', proto: 'void *bpf_load_pointer(void *unsafe_ptr)', rewrite: 'load-pointer',
    modern: 'probe_read', modernId: MODERN_HELPER_ID.probe_read,
    differences: 'rewritten as probe_read(fp-512, 8, unsafe_ptr) into a slot preset to 0, then r0 = *(u64 *)(fp-512): a fault still yields NULL; r1-r3 and fp-512..fp-505 (outside the 2013 stack) are clobbered; probe_read is gpl_only',
  },
  {
    name: 'bpf_trace_printk', proto: 'void bpf_trace_printk(char *fmt, long fmt_size, long a1, long a2, long a3)', rewrite: 'direct',
    modern: 'trace_printk', modernId: MODERN_HELPER_ID.trace_printk,
    differences: 'same registers, but the modern helper accepts more conversions (%s, %l..., %%) where the 2013 one printed nothing, prints %p hashed, returns a length in r0 (2013: void), and is gpl_only',
  },
  {
    name: 'bpf_table_lookup', proto: 'void *bpf_table_lookup(struct bpf_context *ctx, long table_id, const void *key)', rewrite: 'table-lookup',
    modern: 'map_lookup_elem', modernId: MODERN_HELPER_ID.map_lookup_elem,
    differences: 'the table becomes a BPF_MAP_TYPE_HASH map addressed by fd_array index (lddw src=BPF_PSEUDO_MAP_IDX); the 2013 runtime never implemented lookups (r0 was always 0)',
  },
  {
    name: 'bpf_table_update', proto: 'long bpf_table_update(struct bpf_context *ctx, long table_id, const void *key, const void *leaf)', rewrite: 'table-update',
    modern: 'map_update_elem', modernId: MODERN_HELPER_ID.map_update_elem,
    differences: 'flags = BPF_ANY (insert or overwrite); returns 0 or a negative errno (-E2BIG when full); the 2013 runtime never implemented updates',
  },
  {
    name: 'bpf_memcmp', proto: 'long bpf_memcmp(void *unsafe_ptr, void *safe_ptr, long size)', rewrite: 'none',
    reason: 'no modern helper compares unsafe kernel memory with a stack buffer (it would need probe_read into a buffer plus an inline compare loop); the simulator runs it with its 2013 helper set (bpfdbg run --helpers 2013)',
  },
  {
    name: 'bpf_dump_stack', proto: 'void bpf_dump_stack(struct bpf_context *ctx)', rewrite: 'none',
    reason: 'no modern helper writes a stack trace to the trace buffer (bpf_get_stack copies it into program memory instead); the simulator runs it with its 2013 helper set (bpfdbg run --helpers 2013)',
  },
  {
    name: 'bpf_load_byte', proto: 'u64 bpf_load_byte(struct bpf_context *ctx, u32 offset)', rewrite: 'none',
    reason: 'the design document\'s sample skb helper has no modern id (modern programs use direct packet access or skb_load_bytes with other arguments)',
  },
]);

const byName = new Map(HELPERS_2013.map((h) => [h.name, h]));

export function helper2013(name: string): Helper2013 | undefined {
  return byName.get(name);
}
