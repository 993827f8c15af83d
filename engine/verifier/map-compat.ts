// check_map_func_compatibility (kernel/bpf/verifier.c): which helpers a map type may be passed to, and which map
// types a helper accepts. Both directions are checked; a mismatch is "cannot pass map_type N into func NAME#ID".

/** enum bpf_map_type values of the map types the simulated kernel models (the number the message prints). */
export const MAP_TYPE_IDS: Readonly<Record<string, number>> = Object.freeze({
  hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6, stack_trace: 7,
  cgroup_array: 8, lru_hash: 9, lru_percpu_hash: 10, lpm_trie: 11, array_of_maps: 12, hash_of_maps: 13,
  devmap: 14, sockmap: 15, cpumap: 16, xskmap: 17, sockhash: 18, queue: 22, stack: 23, sk_storage: 24,
  devmap_hash: 25, struct_ops: 26, ringbuf: 27, inode_storage: 28, task_storage: 29, bloom_filter: 30,
  user_ringbuf: 31, cgrp_storage: 32, arena: 33,
});

/** Map side: map types restricted to a set of helpers (by helper name, without bpf_). */
const MAP_ONLY: Readonly<Record<string, readonly string[]>> = {
  prog_array: ['tail_call'],
  perf_event_array: ['perf_event_read', 'perf_event_output', 'perf_event_read_value', 'skb_output', 'xdp_output'],
  ringbuf: ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr'],
  stack_trace: ['get_stackid'],
  queue: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  stack: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  bloom_filter: ['map_peek_elem', 'map_push_elem'],
};

/** Helper side: helpers restricted to a set of map types. */
const FUNC_ONLY: Readonly<Record<string, readonly string[]>> = {
  tail_call: ['prog_array'],
  perf_event_read: ['perf_event_array'],
  perf_event_output: ['perf_event_array'],
  perf_event_read_value: ['perf_event_array'],
  skb_output: ['perf_event_array'],
  xdp_output: ['perf_event_array'],
  get_stackid: ['stack_trace'],
  ringbuf_output: ['ringbuf'],
  ringbuf_reserve: ['ringbuf'],
  ringbuf_query: ['ringbuf'],
  map_pop_elem: ['queue', 'stack'],
  map_peek_elem: ['queue', 'stack', 'bloom_filter'],
  map_push_elem: ['queue', 'stack', 'bloom_filter'],
  map_lookup_percpu_elem: ['percpu_array', 'percpu_hash', 'lru_percpu_hash'],
  redirect_map: ['devmap', 'devmap_hash', 'cpumap', 'xskmap'],
  for_each_map_elem: ['hash', 'lru_hash', 'array', 'percpu_hash', 'lru_percpu_hash', 'percpu_array'],
};

/** Whether helper `fn` may take a map of type `mapType` (both directions of check_map_func_compatibility). */
export function mapFuncCompatible(mapType: string, fn: string): boolean {
  const m = MAP_ONLY[mapType];
  if (m && !m.includes(fn)) return false;
  const f = FUNC_ONLY[fn];
  if (f && !f.includes(mapType)) return false;
  return true;
}
