// Robustness: random instruction streams (seeded) never throw and always end with a verdict within the limits,
// in both modes. Streams are biased towards valid 2013 opcodes and small offsets so that walks get deep.
import { describe, expect, it } from 'vitest';
import type { RawInsn2013 } from '../../asm/print-2013';
import { FORMS_2013 } from '../../isa/ebpf2013';
import { verify2013 } from './index';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STRTAB = new TextEncoder().encode('\0bpf_load_pointer\0bpf_memcmp\0bpf_trace_printk\0bpf_table_lookup\0bpf_table_update\0bpf_dump_stack\0');
const TABLES = [{ type: 1, keySize: 8, elemSize: 16, maxEntries: 16, param1: 0 }];

describe('2013 verifier fuzz', () => {
  it('2000 random programs per mode: no throw, a verdict, processed <= 32769', () => {
    const r = rng(2013);
    const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
    const counts = { accept: 0, reject: 0 };
    for (let p = 0; p < 2000; p++) {
      const n = 1 + Math.floor(r() * 40);
      const insns: RawInsn2013[] = Array.from({ length: n }, () => {
        const code = r() < 0.9 ? pick(FORMS_2013).code : Math.floor(r() * 256);
        return {
          code, dst: r() < 0.95 ? Math.floor(r() * 11) : Math.floor(r() * 16), src: Math.floor(r() * 11),
          off: r() < 0.5 ? Math.floor(r() * 8) * (r() < 0.5 ? -8 : 1) : Math.floor(r() * 6) - 1,
          imm: r() < 0.3 ? pick([1, 18, 29, 46, 63, 80, 0, 8, 16, -8, -16]) : Math.floor(r() * 64) - 32,
        };
      });
      if (r() < 0.8) insns[n - 1] = { code: 0x06, dst: 0, src: 0, off: 0, imm: 0 };
      for (const mode of ['hardened', 'faithful-legacy'] as const) {
        const res = verify2013({ insns, tables: TABLES, strtab: STRTAB }, { mode });
        expect(['accept', 'reject']).toContain(res.verdict);
        expect(res.processed).toBeLessThanOrEqual(32769);
        if (res.verdict === 'reject') expect(res.error?.errno).toBeLessThan(0);
        else expect(res.log.at(-1)).toBe(`insn_processed ${res.processed}`);
        counts[res.verdict]++;
      }
    }
    // the generator must reach the walk, not only fail check_cfg
    expect(counts.accept).toBeGreaterThan(50);
    expect(counts.reject).toBeGreaterThan(50);
  });
});
