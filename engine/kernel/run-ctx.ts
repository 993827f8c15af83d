// Builds a program's run-time context in the simulated kernel: the ctx region, packet data and the entry registers, per program type.
//
// Layouts are the kernel's uapi structs (offsets from include/uapi/linux/bpf.h and
// arch/x86/include/asm/ptrace.h). Where the kernel rewrites a ctx load into a pointer load
// (__sk_buff.data, xdp_md.data, ...), the ctx region's fieldLoad returns the full 64-bit pointer.
import { HI, joinAddress, type Region } from './address-space';
import type { Kernel } from './kernel';

export type RunProgType = 'raw' | 'syscall' | 'socket_filter' | 'sched_cls' | 'tc' | 'xdp' | 'kprobe' | 'tracepoint' | 'raw_tracepoint' | 'tracing';

export const RUN_PROG_TYPES: readonly RunProgType[] = ['raw', 'syscall', 'socket_filter', 'sched_cls', 'tc', 'xdp', 'kprobe', 'tracepoint', 'raw_tracepoint', 'tracing'];

/** MAX_BPF_FUNC_ARGS: fentry/fexit and raw tracepoints see at most 12 u64 arguments. */
export const MAX_FUNC_ARGS = 12;
/** struct trace_entry, the common header every trace event record starts with (include/linux/trace_events.h). */
export const TRACE_ENTRY = { common_type: 0, common_flags: 2, common_preempt_count: 3, common_pid: 4, size: 8 } as const;

export interface RunInput {
  type: RunProgType;
  /**
   * Raw ctx bytes (syscall: the user buffer; kprobe: pt_regs; tracing and raw_tracepoint: u64 args;
   * tracepoint: the trace event record; skb/xdp: overrides the built struct).
   */
  ctx?: Uint8Array;
  /** raw: memory whose address goes in r1 and length in r2 (the conformance suite's convention). */
  mem?: Uint8Array;
  /** skb and xdp programs: the packet. */
  packet?: Uint8Array;
}

export interface RunContext {
  r1: bigint;
  r2: bigint;
  ctx?: Region;
  mem?: Region;
  /** Packet data region (data .. data_end), for ld_abs/ld_ind and direct packet access. */
  packet?: Region;
  /**
   * skb programs: the buffer behind the packet with the link-layer (mac) and network header
   * offsets in it, so ld_abs/ld_ind at SKF_LL_OFF + k and SKF_NET_OFF + k can reach them.
   */
  headers?: PacketHeaders;
  /** The writable room before the packet (xdp_adjust_head and friends grow into it). */
  headroom?: Region;
}

/** Unmaps what setupContext mapped, for runs that share one kernel. */
export function releaseContext(k: Kernel, c: RunContext): void {
  for (const r of [c.ctx, c.mem, c.packet, c.headroom]) if (r) k.space.unmap(r);
}

export interface PacketHeaders {
  /** From skb->head to the tail pointer. */
  bytes: Uint8Array;
  mac: number;
  net: number;
}

/** include/uapi/linux/filter.h: negative ld_abs offsets that address the network / link-layer header. */
export const SKF_NET_OFF = -0x100000;
export const SKF_LL_OFF = -0x200000;

/**
 * bpf_internal_load_pointer_neg_helper: where a negative ld_abs/ld_ind offset lands in
 * headers.bytes, or -1 when the kernel's helper returns NULL (the program then ends with r0 = 0).
 */
export function negativeLoadIndex(h: PacketHeaders | undefined, k: number, size: number): number {
  if (!h) return -1;
  let p: number;
  if (k >= SKF_NET_OFF) p = h.net + k - SKF_NET_OFF;
  else if (k >= SKF_LL_OFF) p = h.mac + k - SKF_LL_OFF;
  else return -1;
  return p >= 0 && p + size <= h.bytes.byteLength ? p : -1;
}

/** struct __sk_buff offsets the simulator fills in (the rest stays zero). */
export const SK_BUFF = { len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, ifindex: 40, data: 76, data_end: 80, data_meta: 140, size: 192 } as const;
/** struct xdp_md. */
export const XDP_MD = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20, size: 24 } as const;
/** x86-64 struct pt_regs is 21 u64 fields. */
export const PT_REGS_SIZE = 168;

const PACKET_HEADROOM = 256;
const ETH_HLEN = 14;
/** test_run attaches skbs and xdp buffers to the loopback device. */
const LOOPBACK_IFINDEX = 1;

/**
 * eth_type_trans's pkt_type on the loopback device, whose own and broadcast addresses are both
 * 00:00:00:00:00:00: so ff:ff:ff:ff:ff:ff counts as multicast (confirmed with test_run on 6.18).
 */
function packetType(dst: Uint8Array): number {
  if (dst.every((b) => b === 0)) return 0; // PACKET_HOST
  return dst[0] & 1 ? 2 : 3; // PACKET_MULTICAST : PACKET_OTHERHOST
}

/** eth_type_trans's skb->protocol, as the u32 a program reads (network byte order in the low half). */
function ethProtocol(frame: Uint8Array): number {
  const type = (frame[12] << 8) | frame[13];
  // Below ETH_P_802_3_MIN (0x600) the field is an 802.3 length: raw IPX (0xffff) or 802.2 LLC.
  const proto = type >= 0x600 ? type : frame.byteLength >= 16 && frame[14] === 0xff && frame[15] === 0xff ? 0x0001 : 0x0004;
  return ((proto & 0xff) << 8) | (proto >>> 8);
}

const CTX_NAME = {
  kprobe: 'ctx (struct pt_regs)',
  tracepoint: 'ctx (trace event record)',
  raw_tracepoint: 'ctx (struct bpf_raw_tracepoint_args: u64 args[])',
  tracing: 'ctx (u64 args[])',
} as const;

export function setupContext(k: Kernel, input: RunInput): RunContext {
  const ptr = (r: Region, off = 0): bigint => joinAddress(r.hi, r.lo) + BigInt(off);
  switch (input.type) {
    case 'raw': {
      if (!input.mem) return { r1: 0n, r2: 0n };
      const mem = k.space.map({ name: 'mem', kind: 'mem', hi: HI.DIRECT, bytes: input.mem.slice(), writable: true });
      return { r1: ptr(mem), r2: BigInt(input.mem.byteLength), mem };
    }
    case 'syscall': {
      const bytes = input.ctx ? input.ctx.slice() : new Uint8Array(0);
      const ctx = k.space.map({ name: 'ctx (syscall args)', kind: 'ctx', hi: HI.DIRECT, bytes, writable: true });
      return { r1: bytes.byteLength ? ptr(ctx) : 0n, r2: 0n, ctx };
    }
    case 'kprobe':
    case 'tracepoint':
    case 'raw_tracepoint':
    case 'tracing': {
      // Read-only in every case. pt_regs has its fixed size; an args array or an event record is as
      // long as the input, rounded up to whole u64s (a record is at least its common header), so a
      // read past what the user supplied faults naming the ctx instead of reading invented zeroes.
      const given = input.ctx?.byteLength ?? 0;
      const size = input.type === 'kprobe' ? PT_REGS_SIZE : (Math.max(input.type === 'tracepoint' ? TRACE_ENTRY.size : 8, given) + 7) & ~7;
      const bytes = new Uint8Array(size);
      if (input.ctx) bytes.set(input.ctx.subarray(0, size));
      const ctx = k.space.map({ name: CTX_NAME[input.type], kind: 'ctx', hi: HI.DIRECT, bytes, writable: false });
      return { r1: ptr(ctx), r2: 0n, ctx };
    }
    case 'socket_filter':
    case 'sched_cls':
    case 'tc':
    case 'xdp': {
      const frame = input.packet ?? new Uint8Array(0);
      // BPF_PROG_TEST_RUN runs eth_type_trans(): a socket filter then sees the packet from the
      // network header (the 14-byte Ethernet header pulled), tc programs from the MAC header.
      const pulled = input.type === 'socket_filter' && frame.byteLength >= ETH_HLEN ? ETH_HLEN : 0;
      const pkt = frame.subarray(pulled);
      const buf = new Uint8Array(PACKET_HEADROOM + pkt.byteLength);
      // The pulled Ethernet header stays in the headroom just before the data, as in the skb.
      buf.set(frame.subarray(0, pulled), PACKET_HEADROOM - pulled);
      buf.set(pkt, PACKET_HEADROOM);
      // The mac header is where the frame starts; the network header follows a full Ethernet header.
      const headers: PacketHeaders = { bytes: buf, mac: PACKET_HEADROOM - pulled, net: PACKET_HEADROOM - pulled + (frame.byteLength >= ETH_HLEN ? ETH_HLEN : 0) };
      const headroom = k.space.map({ name: 'packet headroom', kind: 'packet', hi: HI.DIRECT, bytes: buf.subarray(0, PACKET_HEADROOM), writable: true, reserve: buf.byteLength });
      const packet = k.space.map({ name: 'packet', kind: 'packet', hi: HI.DIRECT, lo: headroom.lo + PACKET_HEADROOM, bytes: buf.subarray(PACKET_HEADROOM), writable: input.type !== 'socket_filter' });
      k.packet = packet;
      const data = ptr(packet);
      const dataEnd = data + BigInt(pkt.byteLength);
      if (input.type === 'xdp') {
        const bytes = new Uint8Array(XDP_MD.size);
        if (input.ctx) bytes.set(input.ctx.subarray(0, XDP_MD.size));
        else new DataView(bytes.buffer).setUint32(XDP_MD.ingress_ifindex, LOOPBACK_IFINDEX, true);
        const ptrs: Record<number, bigint> = { [XDP_MD.data]: data, [XDP_MD.data_end]: dataEnd, [XDP_MD.data_meta]: data };
        const ctx = k.space.map({ name: 'ctx (struct xdp_md)', kind: 'ctx', hi: HI.DIRECT, bytes, writable: false, fieldLoad: (off, size) => (size === 4 ? ptrs[off] : undefined) });
        return { r1: ptr(ctx), r2: 0n, ctx, packet, headroom };
      }
      const bytes = new Uint8Array(SK_BUFF.size);
      if (input.ctx) bytes.set(input.ctx.subarray(0, SK_BUFF.size));
      const v = new DataView(bytes.buffer);
      if (!input.ctx) {
        v.setUint32(SK_BUFF.len, pkt.byteLength, true);
        if (frame.byteLength >= ETH_HLEN) {
          // protocol stays in network byte order (as eth_type_trans stores it); pkt_type from the destination MAC.
          v.setUint32(SK_BUFF.protocol, ethProtocol(frame), true);
          v.setUint32(SK_BUFF.pkt_type, packetType(frame.subarray(0, 6)), true);
        }
        v.setUint32(SK_BUFF.ifindex, LOOPBACK_IFINDEX, true);
      }
      const ptrs: Record<number, bigint> = { [SK_BUFF.data]: data, [SK_BUFF.data_end]: dataEnd, [SK_BUFF.data_meta]: data };
      // __sk_buff is writable only in some fields (mark, priority, cb[], tc_index...); the verifier polices which.
      const ctx = k.space.map({ name: 'ctx (struct __sk_buff)', kind: 'ctx', hi: HI.DIRECT, bytes, writable: true, fieldLoad: (off, size) => (size === 4 ? ptrs[off] : undefined) });
      return { r1: ptr(ctx), r2: 0n, ctx, packet, headers, headroom };
    }
  }
}
