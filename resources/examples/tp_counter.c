// Tracepoint counter: count write(2) calls per CPU in an array map and stream one event per
// call (pid, fd, count, comm) through a ring buffer; a raw tracepoint counts every syscall entry.
#include "bpf-defs.h"

/* Layout of /sys/kernel/tracing/events/syscalls/sys_enter_write/format. */
struct sys_enter_write_args {
	__u64 common;
	__s32 syscall_nr;
	__u32 pad;
	__u64 fd;
	__u64 buf;
	__u64 count;
};

struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

struct write_event {
	__u32 pid;
	__u32 fd;
	__u64 count;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} writes_per_cpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} syscalls_seen SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int count_write(struct sys_enter_write_args *args)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 *n = bpf_map_lookup_elem(&writes_per_cpu, &cpu);
	struct write_event *e;

	if (n)
		__sync_fetch_and_add(n, 1);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->fd = args->fd;
	e->count = args->count;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int count_syscalls(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&syscalls_seen, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char _license[] SEC("license") = "Dual BSD/GPL";
