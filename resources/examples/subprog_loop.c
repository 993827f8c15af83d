// bpf-to-bpf calls and bounded loops: __noinline static and global functions in .text, called
// from three socket filters in the same section; the checksum loop has a constant trip count, and
// a static callback passed to bpf_loop is reached through an ld_imm64 of its address (BPF_PSEUDO_FUNC).
#include "bpf-defs.h"

struct __sk_buff {
	__u32 len, pkt_type, mark, queue_mapping, protocol, vlan_present, vlan_tci, vlan_proto, priority;
	__u32 ingress_ifindex, ifindex, tc_index, cb[5], hash, tc_classid, data, data_end;
};

/* Folds a 64-bit value into 16 bits, one's-complement style, with a bounded loop. */
static __noinline __u32 fold16(__u64 v)
{
	__u32 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 4; i++) {
		sum += v & 0xffff;
		v >>= 16;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* A global function: verified on its own by the kernel (BTF func linkage global). */
__noinline int mix(__u32 a, __u32 b)
{
	__u32 h = a;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 8; i++)
		h = (h ^ b) * 0x01000193;
	return fold16(h);
}

static __noinline int classify(__u32 len, __u32 mark)
{
	if (len < 64)
		return 0;
	return mix(len, mark) & 1 ? len : 0;
}

SEC("socket")
int keep_odd(struct __sk_buff *skb)
{
	return classify(skb->len, skb->mark);
}

SEC("socket")
int keep_all(struct __sk_buff *skb)
{
	return fold16(skb->len) ? skb->len : 0;
}

struct loop_ctx {
	__u32 sum;
	__u32 len;
};

static int add_step(__u32 index, struct loop_ctx *c)
{
	c->sum += fold16(c->len + index);
	return 0;
}

SEC("socket")
int keep_loop(struct __sk_buff *skb)
{
	struct loop_ctx c = { .sum = 0, .len = skb->len };

	bpf_loop(4, add_step, &c, 0);
	return c.sum & 1 ? skb->len : 0;
}

char _license[] SEC("license") = "GPL";
