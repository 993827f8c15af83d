// kprobe + kretprobe on do_sys_openat2: read the filename pointer from pt_regs with
// bpf_probe_read_kernel, count opens per pid in a hash map, and remember the last return value.
#include "bpf-defs.h"

/* x86-64 struct pt_regs, as the kernel lays it out for kprobes. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct open_stats {
	__u64 count;
	__u64 last_ns;
	char last_name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct open_stats);
} opens SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__uint(map_flags, 0);
	__type(key, __u32);
	__type(value, long);
} last_ret SEC(".maps");

SEC("kprobe/do_sys_openat2")
int trace_openat2(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	const char *filename = 0;
	struct open_stats zero = {}, *st;

	/* do_sys_openat2(int dfd, const char __user *filename, struct open_how *how): arg 2 is in si. */
	bpf_probe_read_kernel(&filename, sizeof(filename), &ctx->si);
	st = bpf_map_lookup_elem(&opens, &pid);
	if (!st) {
		bpf_map_update_elem(&opens, &pid, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&opens, &pid);
		if (!st)
			return 0;
	}
	st->count++;
	st->last_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(st->last_name, sizeof(st->last_name), filename);
	return 0;
}

SEC("kretprobe/do_sys_openat2")
int trace_openat2_ret(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	long ret = ctx->ax;

	bpf_map_update_elem(&last_ret, &pid, &ret, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
