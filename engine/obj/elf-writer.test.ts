// ELF writer round trips: every example, written back out, reads the same through loadObject and
// through LLVM's own tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode, hasErrors, makeInsn, makeLdImm64 } from '../isa';
import { writeInputOf, writeObject } from './elf-writer';
import { loadObject, type BpfObject } from './object';

const DIR = join(__dirname, '../../resources/examples');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.o')).map((f) => f.slice(0, -2)).sort();
const load = (bytes: Uint8Array, file: string): BpfObject => {
  const r = loadObject(bytes, { file });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.object!;
};
let llvm = true;
try {
  execFileSync('llvm-readelf-19', ['--version'], { stdio: 'ignore' });
} catch {
  llvm = false;
}

describe('engine/obj ELF writer', () => {
  it.each(EXAMPLES)('%s: written and read back, programs, relocations and maps are unchanged', (name) => {
    const obj = load(new Uint8Array(readFileSync(join(DIR, `${name}.o`))), `${name}.o`);
    const again = load(writeObject(writeInputOf(obj)), `${name}.o`);
    expect(hasErrors(loadObject(writeObject(writeInputOf(obj))).diagnostics)).toBe(false);
    expect(again.license).toBe(obj.license);
    expect(again.kernVersion).toBe(obj.kernVersion);
    expect(again.programs.map((p) => [p.name, p.section, p.type.name, p.attachType?.name, p.attachTo])).toEqual(obj.programs.map((p) => [p.name, p.section, p.type.name, p.attachType?.name, p.attachTo]));
    for (const [i, p] of again.programs.entries()) {
      expect(encode(p.insns)).toEqual(encode(obj.programs[i].insns));
      expect(p.relocations.filter((r) => r.kind.startsWith('map')).map((r) => [r.kind, r.index, r.map, r.offset])).toEqual(obj.programs[i].relocations.filter((r) => r.kind.startsWith('map')).map((r) => [r.kind, r.index, r.map, r.offset]));
    }
    const mapSpec = (o: BpfObject) => o.maps.map((m) => [m.name, m.type.id, m.keySize, m.valueSize, m.maxEntries, m.flags & ~0x400, m.initialData]);
    expect(mapSpec(again)).toEqual(mapSpec(obj));
  });

  it.skipIf(!llvm)('writes objects llvm-readelf-19 and llvm-objdump-19 read without complaint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-writer-'));
    for (const name of EXAMPLES) {
      const obj = load(new Uint8Array(readFileSync(join(DIR, `${name}.o`))), `${name}.o`);
      const file = join(dir, `${name}.o`);
      writeFileSync(file, writeObject(writeInputOf(obj)));
      const relocs = execFileSync('llvm-readelf-19', ['-r', file], { encoding: 'utf8' }).split('\n').filter((l) => /R_BPF_64_64/.test(l)).length;
      expect(relocs).toBe(obj.programs.reduce((n, p) => n + p.relocations.filter((r) => r.kind.startsWith('map')).length, 0));
      const insns = execFileSync('llvm-objdump-19', ['-d', file], { encoding: 'utf8' }).split('\n').filter((l) => /^\s+\d+:\t/.test(l)).length;
      expect(insns).toBe(obj.programs.reduce((n, p) => n + p.insns.length, 0));
    }
  });

  it('round-trips an object with thousands of programs, maps and relocations', () => {
    const n = 3000;
    const programs = Array.from({ length: n }, (_, i) => ({
      name: `p${i}`, section: i % 2 ? 'xdp' : `kprobe/f${i}`,
      insns: [makeLdImm64('lddw_map_fd', 1, BigInt(i)), makeInsn('mov64_imm', { dst: 0, imm: i }), makeInsn('exit')],
      relocations: [{ kind: 'map' as const, index: 0, map: i }],
    }));
    const maps = Array.from({ length: n }, (_, i) => ({ name: `m${i}`, origin: 'legacy' as const, type: 2, keySize: 4, valueSize: 8, maxEntries: i + 1, flags: 0 }));
    const r = loadObject(writeObject({ programs, maps, license: 'GPL' }));
    expect(r.diagnostics).toEqual([]);
    const obj = r.object!;
    expect(obj.programs.length).toBe(n);
    expect(obj.maps.map((m) => m.maxEntries)).toEqual(maps.map((m) => m.maxEntries));
    for (const p of obj.programs) {
      const i = Number(p.name.slice(1));
      expect([p.relocations[0].map, p.insns[1].imm]).toEqual([i, i]);
    }
  });
});
