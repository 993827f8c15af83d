// A BPF_PROG_TYPE_SYSCALL program: run with BPF_PROG_TEST_RUN, it reads two inputs from its
// context, computes a 64-bit result and writes it back into the context for the caller.
#include "bpf-defs.h"

struct args {
	__u64 a;
	__u64 b;
	__u64 result;
	__s32 status;
};

SEC("syscall")
int compute(struct args *ctx)
{
	__u64 a = ctx->a, b = ctx->b;

	if (b == 0) {
		ctx->status = -22;
		return 1;
	}
	ctx->result = (a / b) * 0x100000001ULL + (a % b);
	ctx->status = 0;
	return 0;
}

char _license[] SEC("license") = "GPL";
