// Known disagreements with the kernel, each with its reason; engine/verifier/EXCEPTIONS.md explains them in full.

export interface KnownDifference {
  /**
   * What differs: 'verdict' (we reject, with an unsupported.* code, what the kernel accepts), the first error line,
   * or only the level-1 log text.
   */
  readonly what: 'verdict' | 'error' | 'log';
  readonly reason: string;
}

export const KNOWN_DIFFERENCES: Readonly<Record<string, KnownDifference>> = {
  'ptr-map-ptr-deref': {
    what: 'verdict',
    reason: 'reading struct bpf_map fields through a map pointer (check_ptr_to_map_access) is typed by vmlinux BTF, which the verifier does not model; it rejects with unsupported.map-ptr-access',
  },
};

/**
 * A real program the running kernel refuses before its verifier runs, so there is nothing to compare. The test
 * asserts the premise (`kernelRefuses`: the kernel's errno with an empty log), so the exception ends by itself
 * (the test fails) on a machine where the kernel does verify the program.
 */
export interface ExampleException {
  readonly kernelRefuses: { readonly errorName: string; readonly log: '' };
  readonly reason: string;
}

const TRACING_REFUSED =
  'BPF_PROG_LOAD of a tracing program with expected_attach_type BPF_TRACE_FENTRY, BPF_TRACE_FEXIT or BPF_MODIFY_RETURN ' +
  '(and of any BPF_PROG_TYPE_LSM or BPF_PROG_TYPE_EXT program) fails with EPERM and an empty log on this machine, for ' +
  'every attach target (bpf_fentry_test1, bpf_modify_return_test, do_splice, vfs_read, security_file_open), every ' +
  'prog_flags value and even for insn_cnt 0 or attach_btf_id 0, where upstream 6.18 answers E2BIG or "Tracing programs ' +
  'must provide btf_id": the refusal precedes the kernel\'s own checks, so no attribute set loads them. BPF_TRACE_RAW_TP ' +
  'and BPF_TRACE_ITER tracing loads, kprobe and struct_ops do reach the verifier. The kernel (6.18.44-fc, a VM build) ' +
  'runs bpf_prog_load behind an unnamed trampoline (dmesg call traces show bpf_prog_load+0x5 -> 0xffffffffc0000b49 -> ' +
  'bpf_prog_load), and refuses ftrace control files (set_ftrace_filter) with EPERM too; lockdown (integrity) is not ' +
  'the cause: it prints a "Lockdown: ... is restricted" line for every refusal and prints none. We reject the type as ' +
  'unsupported (unknown program type tracing); its model (btf_ctx_access over the attach function\'s BTF prototype) ' +
  'needs an oracle first. Evidence and commands: engine/verifier/EXCEPTIONS.md.';

export const EXAMPLE_EXCEPTIONS: Readonly<Record<string, ExampleException>> = {
  'fentry_args/on_splice_entry': { kernelRefuses: { errorName: 'EPERM', log: '' }, reason: TRACING_REFUSED },
  'fentry_args/on_splice_exit': { kernelRefuses: { errorName: 'EPERM', log: '' }, reason: TRACING_REFUSED },
  'fentry_args/deny_none': { kernelRefuses: { errorName: 'EPERM', log: '' }, reason: TRACING_REFUSED },
};
