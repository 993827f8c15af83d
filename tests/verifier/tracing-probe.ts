// Where the running kernel refuses trampoline programs (fentry/fexit/fmod_ret, LSM, freplace): `npx tsx tests/verifier/tracing-probe.ts`.
//
// Prints one line per BPF_PROG_LOAD attempt (program type, expected_attach_type, attach_btf_id, insn_cnt, prog_flags
// -> errno and the first log line). Upstream 6.18 checks, in bpf_prog_load order: prog_flags (EINVAL), insn_cnt
// (E2BIG), attach_btf_id > BTF_MAX_TYPE (EINVAL in bpf_prog_load_check_attach), then the verifier, whose
// check_attach_btf_id logs "Tracing programs must provide btf_id". A refusal that comes before E2BIG for insn_cnt 0
// and before EINVAL for an out-of-range btf id is made before any of the kernel's own checks on the program.
// engine/verifier/EXCEPTIONS.md records what this printed on the reference machine.
import { readFileSync, existsSync } from 'node:fs';
import { BTF_KIND, decodeBtf } from '../../engine/obj/btf';
import { ATTACH_TYPES, bpfAvailability, errnoName, PROG_TYPES } from '../../engine/host/bpf';
import { bpfSyscall, withBuffers } from '../../engine/host/bpf/syscall';

interface Attempt {
  readonly type: string;
  readonly attach?: string;
  readonly btfFunc?: string;
  readonly btfId?: number;
  readonly insnCnt?: number;
  readonly flags?: number;
}

const vmlinuxPath = '/sys/kernel/btf/vmlinux';
const vmlinux = existsSync(vmlinuxPath) ? decodeBtf(new Uint8Array(readFileSync(vmlinuxPath)), '.BTF', vmlinuxPath).btf : undefined;

/** BPF_PROG_LOAD of `r0 = 0; exit` with the raw attr, so insn_cnt can be 0 (the bridge's progLoad refuses that itself). */
function load(a: Attempt): { errno: string; log: string; btfId: number } {
  const btfId = a.btfId ?? (a.btfFunc ? vmlinux?.find(a.btfFunc, BTF_KIND.FUNC)[0]?.id ?? 0 : 0);
  return withBuffers((alloc) => {
    const insns = alloc(16);
    insns.bytes.set([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
    const license = alloc(4, new TextEncoder().encode('GPL\0'));
    const log = alloc(1 << 16);
    const attr = alloc(152);
    const v = attr.view;
    v.setUint32(0, PROG_TYPES[a.type], true);
    v.setUint32(4, a.insnCnt ?? 2, true);
    v.setBigUint64(8, insns.address, true);
    v.setBigUint64(16, license.address, true);
    v.setUint32(24, 1, true);
    v.setUint32(28, log.size, true);
    v.setBigUint64(32, log.address, true);
    v.setUint32(44, a.flags ?? 0, true);
    v.setUint32(68, a.attach ? ATTACH_TYPES[a.attach] : 0, true);
    v.setUint32(108, btfId, true);
    const r = bpfSyscall(5 /* BPF_PROG_LOAD */, attr);
    const end = log.bytes.indexOf(0);
    const text = new TextDecoder().decode(log.bytes.subarray(0, end < 0 ? log.size : end));
    return { errno: r.ok ? 'ok' : errnoName(r.errno), log: text, btfId };
  });
}

const ATTEMPTS: Attempt[] = [
  ...['trace_fentry', 'trace_fexit', 'modify_return'].flatMap((attach) =>
    ['bpf_fentry_test1', 'bpf_modify_return_test', 'do_splice', 'vfs_read', 'security_file_open'].map((f) => ({ type: 'tracing', attach, btfFunc: f }))),
  { type: 'tracing', attach: 'trace_fentry', btfFunc: 'bpf_fentry_test1', flags: 1 << 4 /* BPF_F_SLEEPABLE */ },
  { type: 'tracing', attach: 'trace_fentry', btfId: 0 },
  { type: 'tracing', attach: 'trace_fentry', btfId: 9_999_999 },
  { type: 'tracing', attach: 'trace_fentry', btfFunc: 'bpf_fentry_test1', insnCnt: 0 },
  { type: 'tracing', attach: 'trace_fentry', btfFunc: 'bpf_fentry_test1', flags: 1 << 30 },
  { type: 'tracing', attach: 'trace_raw_tp', btfId: 0 },
  { type: 'tracing', attach: 'trace_raw_tp', btfId: 9_999_999 },
  { type: 'tracing', attach: 'trace_raw_tp', insnCnt: 0 },
  { type: 'tracing', attach: 'trace_iter', btfId: 0 },
  { type: 'lsm', attach: 'lsm_mac', btfFunc: 'bpf_lsm_file_open' },
  { type: 'lsm', attach: 'lsm_mac', insnCnt: 0 },
  { type: 'ext', btfId: 0 },
  { type: 'struct_ops', btfId: 0 },
  { type: 'kprobe' },
  { type: 'kprobe', attach: 'trace_fentry' },
  { type: 'raw_tracepoint' },
];

const avail = bpfAvailability();
if (!avail.ok) {
  console.log(`kernel unavailable: ${avail.reason}`);
  process.exit(0);
}
for (const a of ATTEMPTS) {
  const r = load(a);
  const what = `${a.type} ${a.attach ?? '-'} btf_id=${r.btfId}${a.btfFunc ? ` (${a.btfFunc})` : ''} insn_cnt=${a.insnCnt ?? 2}${a.flags ? ` prog_flags=0x${a.flags.toString(16)}` : ''}`;
  console.log(`${what.padEnd(86)} -> ${r.errno.padEnd(6)} ${JSON.stringify(r.log.split('\n')[0])}`);
}
