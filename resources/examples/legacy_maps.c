// Old-style object: maps in the legacy "maps" section as struct bpf_map_def, a "version"
// section with the kernel version, and a kprobe counting calls in both maps.
#include "bpf-defs.h"

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") call_count = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
};

struct bpf_map_def SEC("maps") pid_seen = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 512,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("kprobe/__x64_sys_getpid")
int count_getpid(void *ctx)
{
	__u32 key = 0, pid = bpf_get_current_pid_tgid() >> 32, one = 1;
	__u64 *n = bpf_map_lookup_elem(&call_count, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	bpf_map_update_elem(&pid_seen, &pid, &one, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060c00;
