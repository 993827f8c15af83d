// Our printer against llvm-objdump-19 on real clang-compiled objects (resources/examples/*.o), every
// executable section, with and without --mattr=+alu32: the same text line for line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printInsn } from '../../engine/asm';
import { decode } from '../../engine/isa';
import { decodeElf, SHF, STT, type ElfFile, type ElfSection } from '../../engine/obj';
import { llvmDisassembleSections, llvmUnavailable } from './llvm-tools';

const unavailable = llvmUnavailable();
const DIR = join(__dirname, '../../resources/examples');
const OBJECTS = readdirSync(DIR).filter((f) => f.endsWith('.o')).sort();

/** LLVM prints a bpf-to-bpf call like a helper call ("call -0x1"); we print "call pc-0x1" to keep them apart. */
const EXCEPTED_FORMS = new Set(['call_local']);

/** objdump's "<sym+0x10>" note for a jump target: the nearest symbol at or before it in the section. */
function noteMaker(elf: ElfFile, section: ElfSection): (targetPc: number) => string | undefined {
  const rank = (type: number) => (type === STT.FUNC ? 3 : type === STT.SECTION ? 1 : 2);
  const syms = elf.symbols
    .filter((s) => s.shndx === section.index && s.type !== STT.FILE && (s.name !== '' || s.type === STT.SECTION))
    .map((s) => ({ name: s.type === STT.SECTION ? section.name : s.name, value: s.value, rank: rank(s.type) }));
  return (targetPc) => {
    const at = targetPc * 8;
    let best: { name: string; value: number; rank: number } | undefined;
    for (const s of syms) {
      if (s.value > at) continue;
      if (!best || s.value > best.value || (s.value === best.value && s.rank > best.rank)) best = s;
    }
    if (!best) return undefined;
    const off = at - best.value;
    return off ? `<${best.name}+0x${off.toString(16)}>` : `<${best.name}>`;
  };
}

describe('printer against llvm-objdump on clang-compiled examples', () => {
  it.skipIf(unavailable !== undefined || OBJECTS.length === 0)(`every executable section of resources/examples/*.o${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
    let lines = 0;
    let equal = 0;
    let excepted = 0;
    const forms = new Set<string>();
    const mismatches: string[] = [];
    for (const name of OBJECTS) {
      const path = join(DIR, name);
      const { elf } = decodeElf(new Uint8Array(readFileSync(path)), name);
      expect(elf).toBeDefined();
      for (const alu32 of [true, false]) {
        const theirs = llvmDisassembleSections(path, alu32 ? ['--mattr=+alu32'] : []);
        for (const section of elf!.sections.filter((s) => s.flags & SHF.EXECINSTR && s.size > 0)) {
          const their = new Map(theirs.get(section.name) ?? []);
          const { insns, pcs } = decode(section.data);
          const targetNote = noteMaker(elf!, section);
          insns.forEach((insn, i) => {
            const mine = printInsn(insn, { syntax: 'llvm', pc: pcs[i], alu32, targetNote }).replace(/\s+/g, ' ');
            lines++;
            forms.add(insn.form.id);
            if (mine === their.get(pcs[i])) equal++;
            else if (EXCEPTED_FORMS.has(insn.form.id)) excepted++;
            else mismatches.push(`${name} ${section.name} @${pcs[i]} alu32=${alu32}: ours "${mine}" llvm "${their.get(pcs[i])}"`);
          });
        }
      }
    }
    expect(mismatches).toEqual([]);
    console.log(`llvm-objdump-19 on ${OBJECTS.length} example objects: ${lines} lines (${forms.size} forms, 2 modes), ${equal} equal, ${excepted} excepted (call_local)`);
    expect(equal + excepted).toBe(lines);
    expect(lines).toBeGreaterThan(100);
  });
});
