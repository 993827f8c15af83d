// BPF_BTF_LOAD through the raw bridge: programs with func_info/line_info (and tail calls in
// subprograms) need their object's BTF loaded first; engine/obj/kernel-btf prepares the bytes.
import { BPF_CMD } from './constants';
import { bpfError, bpfSyscall, withBuffers, type BpfError } from './syscall';

/*
 * union bpf_attr, the BPF_BTF_LOAD member (offsets in bytes):
 *    0 btf u64 (ptr)   8 btf_log_buf u64 (ptr)   16 btf_size u32   20 btf_log_size u32
 *   24 btf_log_level u32   28 btf_log_true_size u32 (out)
 */
const ATTR_SIZE = 32;
const LOG_SIZE = 1 << 16;

export type BtfLoadResult = { ok: true; fd: number; log: string } | ({ ok: false; log: string } & BpfError);

/** Loads BTF bytes into the kernel; a refusal comes back with the kernel's BTF log saying why. */
export function btfLoad(bytes: Uint8Array): BtfLoadResult {
  return withBuffers((alloc): BtfLoadResult => {
    const data = alloc(bytes.length, bytes);
    const log = alloc(LOG_SIZE);
    const attr = alloc(ATTR_SIZE);
    attr.view.setBigUint64(0, data.address, true);
    attr.view.setBigUint64(8, log.address, true);
    attr.view.setUint32(16, bytes.length, true);
    attr.view.setUint32(20, log.size, true);
    attr.view.setUint32(24, 1, true);
    const r = bpfSyscall(BPF_CMD.BTF_LOAD, attr);
    const end = log.bytes.indexOf(0);
    const text = new TextDecoder().decode(end < 0 ? log.copy() : log.copy(end));
    return r.ok ? { ok: true, fd: r.value, log: text } : { ok: false, ...bpfError(r.errno, 'BPF_BTF_LOAD'), log: text };
  });
}
