// Confirms the expected result of every .data file in this folder by running the same program in the Linux kernel.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../engine/asm';
import { encode } from '../../engine/isa';
import { bpfAvailability } from '../../engine/host/bpf';
import { parseDataFile } from '../../main/cli/commands/test';
import { runConformanceInKernel } from './kernel-oracle';

const avail = bpfAvailability();
const files = readdirSync(__dirname).filter((f) => f.endsWith('.data')).sort();

describe(`conformance files agree with the kernel${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  it('has test files for every instruction group', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const f of files) {
    it.skipIf(!avail.ok)(f, () => {
      const d = parseDataFile(readFileSync(join(__dirname, f), 'utf8'));
      expect(d.ok, d.ok ? '' : d.reason).toBe(true);
      if (!d.ok) return;
      const p = parse(d.file.asm!, { syntax: 'conformance', file: f });
      expect(p.diagnostics).toEqual([]);
      const r = runConformanceInKernel(encode(p.insns), d.file.mem);
      expect(r.ok, r.ok ? '' : `${r.error}\n${r.log}`).toBe(true);
      if (r.ok) expect(`0x${r.r0.toString(16)}`).toBe(`0x${d.file.result!.toString(16)}`);
    });
  }
});
