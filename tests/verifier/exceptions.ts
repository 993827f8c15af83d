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
