// The object loader against the real example objects and against LLVM's own readers
// (llvm-objdump-19 / llvm-readelf-19): instruction placement, relocations, line info, maps.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../isa';
import { loadObject, type BpfObject } from './object';
import { R_BPF_NAMES, SHF, SHT } from './elf';
import { BTF_KIND, decodeBtf } from './btf';
import { encodeFuncInfo, encodeLineInfo, kernelBtf } from './kernel-btf';

const DIR = join(__dirname, '../../resources/examples');
const EXAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.o')).map((f) => f.slice(0, -2)).sort();

function tool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAVE_LLVM = tool('llvm-objdump-19') && tool('llvm-readelf-19');
const NO_LLVM = 'llvm-objdump-19 / llvm-readelf-19 not installed (Debian package llvm-19)';

function load(name: string): BpfObject {
  const r = loadObject(new Uint8Array(readFileSync(join(DIR, `${name}.o`))), { file: `${name}.o` });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.object!;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: DIR, encoding: 'utf8', maxBuffer: 1 << 26 });
}

interface DumpInsn { section: string; func: string; slot: number; line?: number; text: string }

/** llvm-objdump -d -l: every instruction with its section, function, slot and DWARF line. */
function objdump(name: string): DumpInsn[] {
  const out: DumpInsn[] = [];
  let section = '', func = '', line: number | undefined;
  for (const l of run('llvm-objdump-19', ['-d', '-l', '--no-show-raw-insn', `${name}.o`]).split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = l.match(/^Disassembly of section (.*):$/))) { section = m[1]; line = undefined; } else if ((m = l.match(/^[0-9a-f]{16} <(.*)>:$/))) { func = m[1]; line = undefined; } else if ((m = l.match(/^; .*:(\d+)$/))) line = Number(m[1]);
    else if ((m = l.match(/^\s+(\d+):\t(.*)$/))) out.push({ section, func, slot: Number(m[1]), text: m[2], ...(line !== undefined ? { line } : {}) });
  }
  return out;
}

interface ReadelfReloc { section: string; offset: number; type: string; symbol: string; symbolValue: number }

/** llvm-readelf -r: relocations grouped by the section they apply to. */
function readelfRelocs(name: string): ReadelfReloc[] {
  const out: ReadelfReloc[] = [];
  let section = '';
  for (const l of run('llvm-readelf-19', ['-r', `${name}.o`]).split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = l.match(/^Relocation section '\.rel(.*)' at offset/))) section = m[1];
    else if ((m = l.match(/^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)\s+([0-9a-f]{16})\s+(\S+)/))) out.push({ section, offset: parseInt(m[1], 16), type: m[2], symbolValue: parseInt(m[3], 16), symbol: m[4] });
  }
  return out;
}

/** llvm-readelf -x: a section's bytes from its hex dump. */
function readelfHex(name: string, section: string): Uint8Array {
  const bytes: number[] = [];
  for (const l of run('llvm-readelf-19', ['-x', section, `${name}.o`]).split('\n')) {
    const m = l.match(/^\s*0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})/);
    if (!m) continue;
    for (const word of m[1].trim().split(' ')) for (let i = 0; i < word.length; i += 2) bytes.push(parseInt(word.slice(i, i + 2), 16));
  }
  return new Uint8Array(bytes);
}

describe('engine/obj: example objects', () => {
  it('has examples to test', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(8);
  });

  it.each(EXAMPLES)('%s loads with no errors, a license and BTF', (name) => {
    const r = loadObject(new Uint8Array(readFileSync(join(DIR, `${name}.o`))), { file: `${name}.o` });
    expect(hasErrors(r.diagnostics)).toBe(false);
    expect(r.object?.license).toMatch(/GPL/);
    expect(r.object?.btf?.types.length).toBeGreaterThan(1);
    expect(r.object?.programs.length).toBeGreaterThan(0);
  });

  it('maps SEC() names to program types, attach types and targets as libbpf does', () => {
    const table = EXAMPLES.flatMap((n) => load(n).programs.map((p) => [p.name, p.section, p.type.name, p.attachType?.name ?? '-', p.attachTo ?? '-', p.flags.sleepable]));
    expect(table).toEqual(expect.arrayContaining([
      ['trace_openat2', 'kprobe/do_sys_openat2', 'kprobe', '-', 'do_sys_openat2', false],
      ['trace_openat2_ret', 'kretprobe/do_sys_openat2', 'kprobe', '-', 'do_sys_openat2', false],
      ['xdp_drop_discard', 'xdp', 'xdp', 'xdp', '-', false],
      ['tc_drop_discard', 'tc', 'sched_cls', '-', '-', false],
      ['count_write', 'tracepoint/syscalls/sys_enter_write', 'tracepoint', '-', 'syscalls/sys_enter_write', false],
      ['count_syscalls', 'raw_tp/sys_enter', 'raw_tracepoint', '-', 'sys_enter', false],
      ['on_splice_entry', 'fentry/do_splice', 'tracing', 'trace_fentry', 'do_splice', false],
      ['on_splice_exit', 'fexit/do_splice', 'tracing', 'trace_fexit', 'do_splice', false],
      ['deny_none', 'fmod_ret/security_file_open', 'tracing', 'modify_return', 'security_file_open', false],
      ['compute', 'syscall', 'syscall', '-', '-', true],
      ['keep_odd', 'socket', 'socket_filter', '-', '-', false],
      ['keep_all', 'socket', 'socket_filter', '-', '-', false],
      ['count_reads', 'kprobe/vfs_read', 'kprobe', '-', 'vfs_read', false],
      ['count_getpid', 'kprobe/__x64_sys_getpid', 'kprobe', '-', '__x64_sys_getpid', false],
    ]));
    // Subprograms in .text are never programs of their own.
    expect(table.map((t) => t[0])).not.toContain('fold16');
  });

  it('reads BTF-defined, legacy and global-data maps', () => {
    const spec = (n: string) => load(n).maps.map((m) => [m.name, m.origin, m.type.name, m.keySize, m.valueSize, m.maxEntries, m.flags, m.keyType ?? '-', m.valueType ?? '-']);
    expect(spec('kprobe_openat')).toEqual([
      ['opens', 'btf', 'hash', 4, 48, 1024, 0, '__u32', 'struct open_stats'],
      ['last_ret', 'btf', 'lru_hash', 4, 8, 256, 0, '__u32', 'long'],
    ]);
    expect(spec('tp_counter')).toEqual([
      ['writes_per_cpu', 'btf', 'array', 4, 8, 64, 0, '__u32', '__u64'],
      ['events', 'btf', 'ringbuf', 0, 0, 256 * 1024, 0, '-', '-'],
      ['syscalls_seen', 'btf', 'array', 4, 8, 1, 0, '__u32', '__u64'],
    ]);
    expect(spec('fentry_args')).toEqual([['calls', 'btf', 'hash', 8, 32, 4096, 1, '__u64', 'struct call_info']]);
    expect(spec('legacy_maps')).toEqual([
      ['call_count', 'legacy', 'array', 4, 8, 2, 0, '-', '-'],
      ['pid_seen', 'legacy', 'hash', 4, 4, 512, 1, '-', '-'],
    ]);
    expect(load('legacy_maps').kernVersion).toBe(0x060c00);
    // .rodata: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE; .rodata.str1.1 has no DATASEC so it is not mmapable.
    expect(spec('global_data')).toEqual([
      ['.rodata', 'data', 'array', 4, 16, 1, 0x480, '-', 'SEC .rodata'],
      ['.data', 'data', 'array', 4, 16, 1, 0x400, '-', 'SEC .data'],
      ['.bss', 'data', 'array', 4, 80, 1, 0x400, '-', 'SEC .bss'],
      ['.rodata.str1.1', 'data', 'array', 4, 12, 1, 0x80, '-', '-'],
    ]);
    expect(load('global_data').maps.map((m) => m.kernelName)).toEqual(['global_d.rodata', 'global_d.data', 'global_d.bss', '.rodata.str1.1']);
  });

  it('links subprograms after the program once each and patches call offsets', () => {
    const obj = load('subprog_loop');
    const keepOdd = obj.programs.find((p) => p.name === 'keep_odd')!;
    expect(keepOdd.subprograms.map((s) => s.name)).toEqual(['classify', 'mix', 'fold16']);
    const keepAll = obj.programs.find((p) => p.name === 'keep_all')!;
    expect(keepAll.subprograms.map((s) => s.name)).toEqual(['fold16']);
    for (const p of [keepOdd, keepAll]) {
      const calls = p.relocations.filter((r) => r.kind === 'call');
      expect(calls.length).toBe(p.insns.filter((i) => i.form.id === 'call_local').length);
      for (const c of calls) {
        const insn = p.insns[c.index];
        expect(c.pc + 1 + insn.imm).toBe(c.target);
        const sub = p.subprograms.find((s) => s.pc === c.target);
        expect(sub?.name).toBe(c.callee);
        // The callee's first instruction really is that function's first instruction.
        expect(p.origins[p.pcs.indexOf(c.target!)]).toMatchObject({ func: c.callee });
        if (c.elf && c.symbol !== '.text') expect(c.callee).toBe(c.symbol);
      }
      // func_info: one record per function, at its first pc, naming a BTF FUNC.
      expect(p.funcInfo.map((f) => [f.pc, f.name])).toEqual([[0, p.name], ...p.subprograms.map((s) => [s.pc, s.name])]);
    }
  });

  it('names every function with its BTF prototype and linkage', () => {
    const p = load('subprog_loop').programs.find((x) => x.name === 'keep_odd')!;
    expect(p.funcInfo.map((f) => [f.prototype, f.linkage])).toEqual([
      ['int keep_odd(struct __sk_buff *skb)', 'global'],
      ['int classify(__u32 len, __u32 mark)', 'static'],
      ['int mix(__u32 a, __u32 b)', 'global'],
      ['__u32 fold16(__u64 v)', 'static'],
    ]);
    const f = load('fentry_args').programs.find((x) => x.name === 'on_splice_entry')!;
    expect(f.funcInfo[0].prototype).toBe('int on_splice_entry(__u64 *ctx)');
  });

  it('turns the address of a bpf_loop callback into a BPF_PSEUDO_FUNC lddw relative to itself', () => {
    const p = load('subprog_loop').programs.find((x) => x.name === 'keep_loop')!;
    const addr = p.relocations.filter((r) => r.kind === 'func-addr');
    expect(addr.map((r) => [r.symbol, r.callee])).toEqual([['.text', 'add_step']]);
    const insn = p.insns[addr[0].index];
    expect(insn.form.id).toBe('lddw_func');
    expect(addr[0].pc + insn.imm + 1).toBe(addr[0].target);
    expect(p.subprograms.map((s) => s.name)).toEqual(['add_step', 'fold16']);
    expect(p.origins[p.pcs.indexOf(addr[0].target!)]).toMatchObject({ func: 'add_step', byteOffset: 0x108 });
  });

  it('fixes DATASEC sizes and offsets from the ELF for the kernel, and encodes func/line info records', () => {
    for (const name of ['global_data', 'kprobe_openat']) {
      const obj = load(name);
      const fixed = kernelBtf(obj);
      expect(fixed.diagnostics).toEqual([]);
      const btf = decodeBtf(fixed.bytes!).btf!;
      const datasecs = btf.types.filter((t) => t.kind === BTF_KIND.DATASEC);
      expect(datasecs.length).toBeGreaterThan(0);
      for (const ds of datasecs) {
        const sec = obj.elf.sections.find((s) => s.name === ds.name)!;
        expect(ds.sizeOrType).toBe(sec.size);
        for (const m of ds.members) expect(m.offset).toBe(obj.elf.symbols.find((y) => y.name === btf.type(m.type)!.name && y.shndx === sec.index)!.value);
      }
      // Everything else is untouched.
      expect(btf.types.length).toBe(obj.btf!.types.length);
      for (const p of obj.programs) {
        const fi = new DataView(encodeFuncInfo(p).buffer);
        expect(fi.byteLength).toBe(8 * p.funcInfo.length);
        expect([fi.getUint32(0, true), fi.getUint32(4, true)]).toEqual([0, p.funcInfo[0].typeId]);
        expect(encodeLineInfo(p).byteLength).toBe(16 * p.lineInfo.length);
      }
    }
  });

  it('rewrites map loads to the pseudo forms the kernel expects', () => {
    for (const name of EXAMPLES) {
      const obj = load(name);
      for (const p of obj.programs) {
        for (const r of p.relocations) {
          const insn = p.insns[r.index];
          if (r.kind === 'map') expect([insn.form.id, insn.imm, obj.maps[r.map!].name]).toEqual(['lddw_map_fd', r.map, r.symbol]);
          if (r.kind === 'map-value') expect([insn.form.id, insn.imm, insn.imm2]).toEqual(['lddw_map_value', r.map, r.offset]);
        }
      }
    }
  });
});

describe.skipIf(!HAVE_LLVM)(`engine/obj against LLVM (${HAVE_LLVM ? 'llvm-19' : NO_LLVM})`, () => {
  it.each(EXAMPLES)('%s: every function holds the instructions llvm-objdump shows, at the same slots', (name) => {
    const obj = load(name);
    const dump = objdump(name);
    // Per function: the slots llvm-objdump lists equal our decoded instruction slots.
    const funcs = [...new Set(dump.map((d) => `${d.section}\u0000${d.func}`))];
    expect(funcs.length).toBe(obj.functions.length);
    for (const key of funcs) {
      const [section, func] = key.split('\u0000');
      const want = dump.filter((d) => d.section === section && d.func === func).map((d) => d.slot);
      const fn = obj.functions.find((f) => f.section === section && f.name === func)!;
      expect(fn).toBeDefined();
      // Find the instructions of that function in any program that contains it.
      const prog = obj.programs.find((p) => p.origins.some((o) => o.section === section && o.func === func));
      if (!prog) {
        expect(fn.subprogram).toBe(true); // an unused subprogram
        continue;
      }
      const got = prog.origins.filter((o) => o.section === section && o.func === func).map((o) => o.byteOffset / 8);
      expect(got).toEqual(want);
    }
    // Per section: instruction counts.
    for (const s of obj.elf.sections.filter((x) => x.type === SHT.PROGBITS && (x.flags & SHF.EXECINSTR) && x.size > 0)) {
      const count = obj.functions.filter((f) => f.section === s.name).reduce((n, f) => n + dump.filter((d) => d.section === s.name && d.func === f.name).length, 0);
      expect(count).toBe(dump.filter((d) => d.section === s.name).length);
    }
  });

  it.each(EXAMPLES)('%s: relocations equal llvm-readelf -r (offsets, types, symbols)', (name) => {
    const obj = load(name);
    const want = readelfRelocs(name).map((r) => [r.section, r.offset, r.type, r.symbol]);
    const got = obj.elf.relocations.flatMap((rs) => rs.entries.map((e) => [obj.elf.sections[rs.target].name, e.offset, R_BPF_NAMES[e.type], obj.elf.symbols[e.symbol].name]));
    expect(got).toEqual(want);

    // Every relocation in a program section is resolved in exactly the program covering it, and
    // map-value offsets are the symbol's value plus the lddw immediate llvm-objdump shows.
    const dump = objdump(name);
    for (const r of readelfRelocs(name)) {
      const sec = obj.elf.sections.find((s) => s.name === r.section)!;
      if (!(sec.flags & SHF.EXECINSTR)) continue;
      const users = obj.programs.flatMap((p) => p.relocations.filter((x) => x.elf?.section === r.section && x.elf.offset === r.offset));
      if (r.section !== '.text') expect(users.length).toBe(1);
      for (const u of users) {
        expect(u.symbol).toBe(r.symbol);
        if (u.kind === 'map-value') {
          const d = dump.find((x) => x.section === r.section && x.slot === r.offset / 8)!;
          const imm = Number(d.text.match(/= (-?0x[0-9a-f]+|\d+) ll/)![1]);
          expect(u.offset).toBe(r.symbolValue + imm);
        }
      }
    }
  });

  it.each(EXAMPLES)('%s: BTF line info agrees with the DWARF lines of llvm-objdump -l and with the C source', (name) => {
    const obj = load(name);
    const dump = objdump(name);
    const source = readFileSync(join(DIR, `${name}.c`), 'utf8').split('\n');
    let checked = 0;
    for (const [section, records] of obj.btfExt!.lineInfo) {
      for (const rec of records) {
        // The stored text is the source line (LLVM strips nothing but may trim trailing blanks).
        expect(source[rec.line - 1]?.trimEnd()).toBe(rec.text.trimEnd());
        const d = dump.find((x) => x.section === section && x.slot === rec.insnOff / 8);
        expect(d).toBeDefined();
        const fn = obj.functions.find((f) => f.section === section && f.slot === rec.insnOff / 8);
        if (fn && rec.column === 0) {
          // Function-entry records carry the declaration line, which DWARF puts on the subprogram.
          expect(rec.text).toContain(fn.name);
        } else {
          expect(d!.line).toBe(rec.line);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    // Every instruction of every program has a source position, taken from its own function, and
    // the re-based line_info records sit on instructions carrying exactly those positions.
    for (const p of obj.programs) {
      expect(p.source.every((s) => s !== undefined && s.file.endsWith(`${name}.c`))).toBe(true);
      expect(p.lineInfo[0].pc).toBe(0);
      for (const { pc, record } of p.lineInfo) {
        const i = p.pcs.indexOf(pc);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(p.origins[i].byteOffset).toBe(record.insnOff);
        expect(p.source[i]).toEqual({ file: record.file, line: record.line, column: record.column, text: record.text });
      }
    }
  });

  it('global data maps start with the section bytes llvm-readelf -x shows', () => {
    const obj = load('global_data');
    for (const m of obj.maps) {
      if (m.section === '.bss') expect(m.initialData).toEqual(new Uint8Array(m.valueSize));
      else expect(m.initialData).toEqual(readelfHex('global_data', m.section));
    }
    expect(existsSync(join(DIR, 'global_data.c'))).toBe(true);
  });
});

const HAVE_CLANG = tool('clang-19');

describe.skipIf(!HAVE_CLANG)(`engine/obj on freshly compiled code (${HAVE_CLANG ? 'clang-19' : 'clang-19 not installed (Debian package clang-19)'})`, () => {
  function compile(c: string, extra: string[] = []): Uint8Array {
    return new Uint8Array(execFileSync('clang-19', ['-O2', '-g', '-target', 'bpf', ...extra, '-c', '-x', 'c', '-', '-o', '-'], { input: c }));
  }

  it('treats global .text functions as programs when the object has no program sections', () => {
    const bytes = compile('static __attribute__((noinline)) int twice(int x) { return x * 2; }\nint entry(void *ctx) { return twice((long)ctx & 7); }\n');
    const r = loadObject(bytes, { file: 'plain.o' });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['obj.prog.text-only']);
    expect(r.object!.programs.map((p) => [p.name, p.section, p.type.name, p.subprograms.map((s) => s.name)])).toEqual([['entry', '.text', 'unspec', ['twice']]]);
  });

  it('links the same subprogram into programs of different sections, each at its own offset', () => {
    const src = [
      '#define SEC(n) __attribute__((section(n), used))',
      'static __attribute__((noinline)) int sq(int x) { return x * x; }',
      '__attribute__((noinline)) int cube(int x) { return sq(x) * x; }',
      'SEC("xdp") int a(void *ctx) { return cube(3) & 1; }',
      'SEC("tc") int b(void *ctx) { return sq(4) + 2; }',
      'char _license[] SEC("license") = "GPL";',
    ].join('\n');
    for (const cpu of ['-mcpu=v1', '-mcpu=v4']) {
      const r = loadObject(compile(src, [cpu]));
      expect(hasErrors(r.diagnostics)).toBe(false);
      const [a, b] = r.object!.programs;
      expect(a.subprograms.map((s) => s.name)).toEqual(['cube', 'sq']);
      expect(b.subprograms.map((s) => s.name)).toEqual(['sq']);
      for (const p of [a, b]) {
        for (const c of p.relocations.filter((x) => x.kind === 'call')) expect(p.origins[p.pcs.indexOf(c.pc + 1 + p.insns[c.index].imm)].func).toBe(c.callee);
      }
    }
  });
});
