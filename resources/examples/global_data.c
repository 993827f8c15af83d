// Global data: a const volatile configuration (.rodata), initialised counters (.data), a zeroed
// buffer (.bss) and a string literal for bpf_trace_printk (.rodata.str1.1); each becomes an array
// map with one entry, and instructions reach it through BPF_PSEUDO_MAP_VALUE with an offset.
#include "bpf-defs.h"

const volatile __u32 target_pid = 0;
const volatile __u64 min_bytes = 512;
__u64 hits = 1;
__u64 bytes_total = 0x1122334455667788ULL;
__u64 per_cpu_seen[8];
static char last_comm[16];

SEC("kprobe/vfs_read")
int count_reads(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 cpu = bpf_get_smp_processor_id();

	if (target_pid && pid != target_pid)
		return 0;
	hits++;
	bytes_total += min_bytes;
	if (cpu < 8)
		per_cpu_seen[cpu]++;
	bpf_get_current_comm(last_comm, sizeof(last_comm));
	bpf_trace_printk("read by %s\n", sizeof("read by %s\n"), last_comm);
	return 0;
}

char _license[] SEC("license") = "GPL";
