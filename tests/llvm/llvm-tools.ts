// LLVM 19 as an oracle for the assembler: find llvm-mc-19 / llvm-objdump-19, run them, read .text from their objects.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LLVM_MC = process.env.LLVM_MC ?? 'llvm-mc-19';
export const LLVM_OBJDUMP = process.env.LLVM_OBJDUMP ?? 'llvm-objdump-19';

/** Why the LLVM tools cannot run here, or undefined when both answer --version with major 19. */
export function llvmUnavailable(): string | undefined {
  for (const tool of [LLVM_MC, LLVM_OBJDUMP]) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not found (install Debian package llvm-19)`;
    if (!/version 19\./.test(r.stdout)) return `${tool} is not LLVM 19: ${r.stdout.split('\n').find((l) => /version/.test(l))?.trim()}`;
  }
  return undefined;
}

export interface Assembled {
  readonly text: Uint8Array;
  readonly objectPath: string;
  readonly stderr: string;
  readonly status: number | null;
}

/** Runs fn with a fresh temporary directory, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'bpfdbg-llvm-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assembles a .s source with llvm-mc into dir/name.o and returns its .text bytes. */
export function llvmAssemble(dir: string, name: string, source: string, flags: readonly string[]): Assembled {
  const src = join(dir, `${name}.s`);
  const obj = join(dir, `${name}.o`);
  writeFileSync(src, source);
  const r = spawnSync(LLVM_MC, ['-triple', 'bpf', ...flags, '-filetype=obj', src, '-o', obj], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return { text: new Uint8Array(), objectPath: obj, stderr: r.stderr, status: r.status };
  return { text: elfSection(new Uint8Array(readFileSync(obj)), '.text'), objectPath: obj, stderr: r.stderr, status: r.status };
}

/** llvm-objdump -d lines as [slot index, text] with whitespace runs collapsed. */
export function llvmDisassemble(objectPath: string, flags: readonly string[]): Array<[number, string]> {
  const r = spawnSync(LLVM_OBJDUMP, ['-d', '--no-show-raw-insn', ...flags, objectPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${LLVM_OBJDUMP} failed: ${r.stderr}`);
  const out: Array<[number, string]> = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*(\d+):\s+(.*)$/.exec(line);
    if (m) out.push([Number(m[1]), m[2].replace(/\s+/g, ' ').trim()]);
  }
  return out;
}

/** llvm-objdump -d lines per section ("Disassembly of section xdp:"), each as [slot index, text]. */
export function llvmDisassembleSections(objectPath: string, flags: readonly string[]): Map<string, Array<[number, string]>> {
  const r = spawnSync(LLVM_OBJDUMP, ['-d', '--no-show-raw-insn', ...flags, objectPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${LLVM_OBJDUMP} failed: ${r.stderr}`);
  const out = new Map<string, Array<[number, string]>>();
  let current: Array<[number, string]> = [];
  for (const line of r.stdout.split('\n')) {
    const sec = /^Disassembly of section (.*):$/.exec(line);
    if (sec) {
      current = [];
      out.set(sec[1], current);
      continue;
    }
    const m = /^\s*(\d+):\s+(.*)$/.exec(line);
    if (m) current.push([Number(m[1]), m[2].replace(/\s+/g, ' ').trim()]);
  }
  return out;
}

/**
 * The bytes of one section of a little-endian ELF64 object. Only what is needed here:
 *
 *   ELF header: e_shoff u64 @0x28, e_shentsize u16 @0x3a, e_shnum u16 @0x3c, e_shstrndx u16 @0x3e
 *   section header: sh_name u32 @0x00, sh_offset u64 @0x18, sh_size u64 @0x20
 */
export function elfSection(elf: Uint8Array, name: string): Uint8Array {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: v.getUint32(at, true), offset: Number(v.getBigUint64(at + 0x18, true)), size: Number(v.getBigUint64(at + 0x20, true)) };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number): string => {
    let end = strtab.offset + off;
    while (elf[end] !== 0) end++;
    return new TextDecoder().decode(elf.subarray(strtab.offset + off, end));
  };
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    if (nameAt(h.name) === name) return elf.slice(h.offset, h.offset + h.size);
  }
  throw new Error(`no section ${name}`);
}
