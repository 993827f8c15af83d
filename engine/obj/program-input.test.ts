import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode, makeInsn } from '../isa';
import { detectFormat, loadProgramInput } from './program-input';

const XDP = new Uint8Array(readFileSync(join(__dirname, '../../resources/examples/xdp_parse.o')));
const text = (s: string) => new TextEncoder().encode(s);

describe('loadProgramInput', () => {
  it('detects ELF by magic, raw by extension or NUL bytes, assembly otherwise', () => {
    const raw = encode([makeInsn('mov64_imm', { dst: 0, imm: 0 }), makeInsn('exit')]);
    expect(detectFormat(XDP, 'x.bin')).toBe('elf');
    expect(detectFormat(raw, 'prog')).toBe('raw');
    expect(detectFormat(text('r0 = 0\nexit\n'), 'prog.bin')).toBe('raw');
    expect(detectFormat(text('r0 = 0\nexit\n'), 'prog.s')).toBe('asm');
  });

  it('selects a program by function or section name, the first by default', () => {
    const first = loadProgramInput(XDP, { file: 'xdp_parse.o' });
    expect(first.input?.program?.name).toBe('xdp_drop_discard');
    const bySection = loadProgramInput(XDP, { file: 'xdp_parse.o', program: 'tc' });
    expect(bySection.input?.program?.name).toBe('tc_drop_discard');
    expect(bySection.input?.insns.length).toBeGreaterThan(10);
  });

  it('names the choices when the program does not exist', () => {
    const r = loadProgramInput(XDP, { file: 'xdp_parse.o', program: 'nope' });
    expect(r.input).toBeUndefined();
    const d = r.diagnostics.find((x) => x.code === 'input.no-program')!;
    expect(d.file).toBe('xdp_parse.o');
    expect(d.message).toBe('no program named nope (programs: xdp_drop_discard (xdp), tc_drop_discard (tc))');
  });

  it('gives assembly errors with line and column, and keeps the parse for line tables', () => {
    const bad = loadProgramInput(text('r0 = 1\nr0 +=\nexit\n'), { file: 'p.s' });
    expect(bad.input).toBeUndefined();
    expect(bad.diagnostics[0]).toMatchObject({ file: 'p.s', line: 2 });
    const good = loadProgramInput(text('r0 = 1\nexit\n'), { file: 'p.s' });
    expect(good.input?.asm?.lineOfInsn).toEqual([1, 2]);
  });

  it('reports truncated raw bytecode and truncated objects instead of throwing', () => {
    const raw = loadProgramInput(new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0]), { file: 'p.bin' });
    expect(raw.input).toBeUndefined();
    expect(raw.diagnostics.length).toBeGreaterThan(0);
    const elf = loadProgramInput(XDP.subarray(0, 200), { file: 'cut.o' });
    expect(elf.input).toBeUndefined();
    expect(elf.diagnostics.length).toBeGreaterThan(0);
  });
});
