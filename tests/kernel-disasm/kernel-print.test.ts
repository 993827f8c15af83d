// engine/asm's kernel print flavour against the running kernel's own text: a program holding every
// form the verifier lets through its early passes is loaded with log_level 2, whose "Live regs before
// insn" listing (Linux 6.15+) prints every instruction with kernel/bpf/disasm.c; we compare line for line.
import { describe, expect, it } from 'vitest';
import { printInsn, slotPcs } from '../../engine/asm';
import { bpfAvailability, closeFd, progLoad } from '../../engine/host/bpf';
import { encode, FORMS, makeInsn, type Insn, type InsnForm } from '../../engine/isa';
import { helperKernelName } from '../../engine/kernel/helper-protos';

const avail = bpfAvailability();

/** Forms the kernel refuses before it prints anything, so it has no text for them to compare with. */
const NOT_PRINTED: Record<string, string> = {
  callx: 'the verifier rejects opcode 0x8d ("unknown opcode 8d") before the listing',
  call_kfunc: 'kfunc calls are resolved against BTF before the listing; a made-up BTF id fails there',
  lddw_map_fd: 'resolve_pseudo_ldimm64 needs a real map fd before the listing',
  lddw_map_value: 'resolve_pseudo_ldimm64 needs a real map fd before the listing',
  lddw_btf_id: 'resolve_pseudo_ldimm64 needs a real BTF id before the listing',
  lddw_func: 'resolve_pseudo_ldimm64 needs a subprogram start as target before the listing',
  lddw_map_idx: 'resolve_pseudo_ldimm64 needs fd_array before the listing',
  lddw_map_idx_value: 'resolve_pseudo_ldimm64 needs fd_array before the listing',
};

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES = 4;
const IMMS = [-2147483648, 2147483647, 0, -1];
const OFFS = [-32768, 32767, 0, -1];

/**
 * main: every printable form SAMPLES times, then exit; a subprogram "r0 = 0; exit" for the local calls.
 * Jumps stay inside main (check_cfg), unconditional ones jump to the next instruction so nothing
 * becomes unreachable, and exit appears only at the end of each function.
 */
function program(): Insn[] {
  const rand = rng(618);
  const body: Insn[] = [];
  FORMS.forEach((form: InsnForm, k) => {
    if (NOT_PRINTED[form.id] || form.kind === 'exit') return;
    for (let i = 0; i < SAMPLES; i++) {
      const z = (use: InsnForm['dst'], v: number): number => (use === 'zero' ? 0 : v);
      body.push(makeInsn(form.id, {
        dst: z(form.dst, (i * 3 + k) % 11),
        src: z(form.src, (i * 5 + k + 1) % 11),
        off: z(form.off, OFFS[i]),
        imm: z(form.imm, form.id === 'call' ? [0, 1, 211, 100000][i] : IMMS[i]),
        imm2: IMMS[(i + 1) % 4],
      }));
    }
  });
  const main = [...body, makeInsn('exit')];
  const pcs = slotPcs(main);
  const exitPc = pcs[pcs.length - 1];
  const sub = exitPc + 1;
  const fixed = main.map((insn, i) => {
    const next = pcs[i] + 1;
    switch (insn.form.kind) {
      case 'ja':
        return insn.form.id === 'gotol' ? { ...insn, imm: 0 } : { ...insn, off: 0 };
      case 'jcond':
      case 'may_goto':
        return { ...insn, off: pcs[Math.floor(rand() * pcs.length)] - next };
      case 'call':
        return insn.form.id === 'call_local' ? { ...insn, imm: sub - next } : insn;
      default:
        return insn;
    }
  });
  return [...fixed, makeInsn('mov64_imm', { dst: 0, imm: 0 }), makeInsn('exit')];
}

/** The "Live regs before insn:" listing: pc -> "(b7) r0 = 0". */
function liveRegsListing(log: string): Map<number, string> {
  const out = new Map<number, string>();
  const lines = log.split('\n');
  const start = lines.indexOf('Live regs before insn:');
  if (start < 0) return out;
  for (const line of lines.slice(start + 1)) {
    // "  1  12: 0123456789 (1f) r3 -= r4": an optional loop-nesting column, pc, live registers, insn.
    const m = /^\s*(?:\d+\s+)?(\d+): [.0-9]{10} (\(.*)$/.exec(line);
    if (!m) break;
    out.set(Number(m[1]), m[2]);
  }
  return out;
}

describe('kernel print flavour against the running kernel', () => {
  it.skipIf(!avail.ok)(`every form the verifier lists${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
    const insns = program();
    const r = progLoad({ progType: 'socket_filter', insns: encode(insns), logLevel: 2 });
    if (r.fd !== undefined) closeFd(r.fd);
    const listing = liveRegsListing(r.log);
    expect(listing.size, `no "Live regs before insn" listing (needs Linux 6.15+); log starts: ${r.log.slice(0, 300)}`).toBeGreaterThan(0);
    const pcs = slotPcs(insns);
    const forms = new Set<string>();
    const mismatches: string[] = [];
    let equal = 0;
    insns.forEach((insn, i) => {
      const mine = printInsn(insn, { syntax: 'kernel', helperName: (id) => (id === 0 ? 'bpf_unspec' : helperKernelName(id)) });
      const theirs = listing.get(pcs[i]);
      forms.add(insn.form.id);
      if (mine === theirs) equal++;
      else mismatches.push(`${insn.form.id} @${pcs[i]}: ours "${mine}" kernel "${theirs}"`);
    });
    expect(mismatches).toEqual([]);
    console.log(`kernel disasm.c text: ${forms.size} forms, ${insns.length} instructions, ${equal} lines equal to the verifier's listing (${Object.keys(NOT_PRINTED).length} forms the kernel refuses before printing)`);
  });
});
