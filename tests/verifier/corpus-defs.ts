// Shared definitions of the verifier differential corpus (tests/verifier/corpus*.ts).
//
// Maps are referenced as `ld_pseudo rN, 5, K` (BPF_PSEUDO_MAP_IDX: the K-th entry of `maps`), which the kernel
// resolves through fd_array and our verifier through VerifyOptions.maps; `ld_pseudo rN, 6, K | off << 32` is
// BPF_PSEUDO_MAP_IDX_VALUE (a pointer into the value of array map K).

export interface CorpusMap {
  readonly name: string;
  readonly type: 'hash' | 'array' | 'ringbuf' | 'prog_array' | 'percpu_array' | 'percpu_hash' | 'lru_hash' | 'queue' | 'stack' | 'perf_event_array';
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
}

export interface CorpusCase {
  readonly name: string;
  /** The rule the program exercises. */
  readonly rule: string;
  readonly progType: string;
  readonly asm: string;
  readonly maps?: readonly CorpusMap[];
  readonly license?: string;
  /** Load with BPF_F_SLEEPABLE (syscall programs must be). */
  readonly sleepable?: boolean;
  /** Why the level-2 log is not compared (e.g. a million-insn log that neither side should print in full). */
  readonly noLevel2?: string;
}

export const HASH: CorpusMap = { name: '', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 };
export const ARRAY: CorpusMap = { name: '', type: 'array', keySize: 4, valueSize: 16, maxEntries: 4 };
export const RINGBUF: CorpusMap = { name: '', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 };

/** Prologue: *(u32 *)(r10 - 4) = 0; r2 = fp-4; r1 = map 0; call bpf_map_lookup_elem. */
export const LOOKUP = `
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
`;
