// fentry/fexit on a six-argument kernel function: read the arguments from the u64 context array
// (the trampoline's layout), time the call and record the return value seen at fexit.
#include "bpf-defs.h"

struct call_info {
	__u64 start_ns;
	__u64 args_sum;
	__s64 ret;
	__u64 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct call_info);
} calls SEC(".maps");

/* int do_splice(struct file *in, loff_t *off_in, struct file *out, loff_t *off_out,
 *               size_t len, unsigned int flags) */
SEC("fentry/do_splice")
int on_splice_entry(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_info info = {};

	info.start_ns = bpf_ktime_get_ns();
	info.args_sum = ctx[0] + ctx[1] + ctx[2] + ctx[3] + ctx[4];
	info.flags = (__u32)ctx[5];
	bpf_map_update_elem(&calls, &id, &info, BPF_ANY);
	return 0;
}

/* fexit sees the arguments followed by the return value: ctx[6]. */
SEC("fexit/do_splice")
int on_splice_exit(__u64 *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call_info *info = bpf_map_lookup_elem(&calls, &id);

	if (!info)
		return 0;
	info->ret = (long)ctx[6];
	info->start_ns = bpf_ktime_get_ns() - info->start_ns;
	return 0;
}

SEC("fmod_ret/security_file_open")
int deny_none(__u64 *ctx)
{
	return (int)ctx[1];
}

char _license[] SEC("license") = "GPL";
