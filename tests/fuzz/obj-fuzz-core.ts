// Mutation fuzzer for engine/obj: seeded, deterministic mutations of real example objects
// (bit flips, byte overwrites, truncations, splices, and targeted ELF/BTF header-field writes),
// each loaded with loadObject; anything thrown, and any diagnostic without code or location, is a finding.
import { decodeElf, encodeFuncInfo, encodeLineInfo, kernelBtf, loadObject, type ElfFile } from '../../engine/obj';

/** mulberry32: a small, well-mixed 32-bit PRNG, so a (seed, index) pair names one input forever. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Seed {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** File offsets of the fields worth aiming at in one seed: ELF/section/symbol/relocation headers, BTF headers. */
interface Fields {
  readonly at: Array<{ readonly offset: number; readonly width: 1 | 2 | 4 | 8 }>;
}

function fieldsOf(bytes: Uint8Array, elf: ElfFile): Fields {
  const at: Fields['at'] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [offset, width] of [[4, 1], [5, 1], [16, 2], [18, 2], [40, 8], [58, 2], [60, 2], [62, 2]] as const) at.push({ offset, width });
  const shoff = Number(view.getBigUint64(40, true));
  elf.sections.forEach((s, i) => {
    const h = shoff + i * 64;
    for (const [f, width] of [[0, 4], [4, 4], [8, 8], [24, 8], [32, 8], [40, 4], [44, 4], [56, 8]] as const) at.push({ offset: h + f, width });
    if (s.type === 2) for (let k = 0; k * 24 < s.size; k++) for (const [f, width] of [[0, 4], [4, 1], [6, 2], [8, 8], [16, 8]] as const) at.push({ offset: s.offset + k * 24 + f, width });
    if (s.type === 9) for (let k = 0; k * 16 < s.size; k++) for (const [f, width] of [[0, 8], [8, 4], [12, 4]] as const) at.push({ offset: s.offset + k * 16 + f, width });
    if (s.name === '.BTF' || s.name === '.BTF.ext') {
      for (let f = 4; f < 32; f += 4) at.push({ offset: s.offset + f, width: 4 });
      // Type records and info blocks: aim at aligned words throughout.
      for (let f = 24; f + 4 <= s.size; f += 4) at.push({ offset: s.offset + f, width: 4 });
    }
  });
  return { at };
}

const INTERESTING = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export type MutationKind = 'bitflip' | 'overwrite' | 'truncate' | 'splice' | 'field' | 'stack';

export function mutate(seed: Seed, fields: Fields, others: readonly Seed[], rnd: () => number): { bytes: Uint8Array; kind: MutationKind } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (n: number) => Math.floor(rnd() * n);
  const kinds: MutationKind[] = ['bitflip', 'overwrite', 'truncate', 'splice', 'field', 'field', 'field', 'stack'];
  const kind = pick(kinds);
  let b = seed.bytes.slice();
  const one = (k: MutationKind): void => {
    switch (k) {
      case 'bitflip':
        for (let n = 1 + int(8); n > 0; n--) { const i = int(b.length); b[i] ^= 1 << int(8); }
        break;
      case 'overwrite':
        for (let n = 1 + int(16); n > 0; n--) b[int(b.length)] = rnd() < 0.5 ? int(256) : pick(INTERESTING) & 0xff;
        break;
      case 'truncate':
        b = b.slice(0, int(b.length));
        break;
      case 'splice': {
        const other = pick(others).bytes;
        const len = 1 + int(Math.min(512, other.length));
        const from = int(other.length - len + 1);
        const to = int(Math.max(1, b.length - len + 1));
        if (rnd() < 0.5) b.set(other.subarray(from, from + len).subarray(0, Math.max(0, b.length - to)), to);
        else { const out = new Uint8Array(b.length + len); out.set(b.subarray(0, to)); out.set(other.subarray(from, from + len), to); out.set(b.subarray(to), to + len); b = out; }
        break;
      }
      case 'field': {
        const f = pick(fields.at);
        if (f.offset + f.width > b.length) break;
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const r = rnd();
        const value = r < 0.5 ? pick(INTERESTING) : r < 0.75 ? int(b.length + 64) : Math.floor(rnd() * 2 ** 32);
        if (f.width === 1) v.setUint8(f.offset, value & 0xff);
        else if (f.width === 2) v.setUint16(f.offset, value & 0xffff, true);
        else if (f.width === 4) v.setUint32(f.offset, value >>> 0, true);
        else v.setBigUint64(f.offset, rnd() < 0.1 ? 0xffffffffffffffffn : BigInt(value), true);
        break;
      }
      case 'stack':
        for (let n = 2 + int(4); n > 0; n--) one(pick(['bitflip', 'overwrite', 'field', 'field'] as const));
        break;
    }
  };
  one(kind);
  return { bytes: b, kind };
}

export interface Finding {
  readonly index: number;
  readonly seed: string;
  readonly kind: MutationKind;
  readonly problem: string;
}

export interface FuzzReport {
  readonly tried: number;
  readonly byKind: Record<string, number>;
  readonly crashes: Finding[];
  readonly badDiagnostics: Finding[];
  readonly inconsistent: Finding[];
  /** Inputs that still loaded at least one program (the mutation did not just break the header). */
  readonly loadedPrograms: number;
  readonly diagnostics: number;
  readonly slowestMs: number;
  /** Index of the slowest input (timings only when a clock is passed). */
  readonly slowestIndex: number;
}

export interface ObjectCheck {
  readonly crashes: string[];
  readonly badDiagnostics: string[];
  readonly inconsistent: string[];
  readonly diagnostics: number;
  readonly loadedPrograms: boolean;
}

/** Loads one input and checks the loader's promises: no throw, located diagnostics, consistent programs. */
export function checkObject(bytes: Uint8Array, file: string): ObjectCheck {
  const crashes: string[] = [], badDiagnostics: string[] = [], inconsistent: string[] = [];
  let diagnostics = 0, loadedPrograms = false;
  try {
    const r = loadObject(bytes, { file });
    diagnostics = r.diagnostics.length;
    for (const d of r.diagnostics) {
      if (typeof d.code !== 'string' || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d.code) || typeof d.message !== 'string' || d.message === '') badDiagnostics.push(`diagnostic without code or message: ${JSON.stringify(d)}`);
      else if (typeof d.byteOffset !== 'number' && typeof d.pc !== 'number') badDiagnostics.push(`diagnostic without location: ${JSON.stringify(d)}`);
      else if (d.byteOffset !== undefined && !Number.isFinite(d.byteOffset)) badDiagnostics.push(`diagnostic with non-finite offset: ${JSON.stringify(d)}`);
    }
    for (const p of r.object?.programs ?? []) {
      const n = p.insns.length;
      if (p.pcs.length !== n || p.origins.length !== n || p.source.length !== n) inconsistent.push(`program ${p.name}: per-instruction arrays differ in length`);
      for (const rel of p.relocations) if (rel.index < 0 || rel.index >= n || p.pcs[rel.index] !== rel.pc) inconsistent.push(`program ${p.name}: relocation at ${rel.index} points outside the program`);
      const pcSet = new Set(p.pcs);
      for (const l of p.lineInfo) if (!pcSet.has(l.pc)) inconsistent.push(`program ${p.name}: line_info at pc ${l.pc} is not an instruction start`);
      for (const f of p.funcInfo) if (!pcSet.has(f.pc) && f.pc !== p.pcs.length) inconsistent.push(`program ${p.name}: func_info at pc ${f.pc} is not an instruction start`);
    }
    loadedPrograms = (r.object?.programs.length ?? 0) > 0;
    // The kernel-facing helpers must cope with whatever the loader accepted.
    if (r.object) {
      for (const d of kernelBtf(r.object).diagnostics) if (typeof d.byteOffset !== 'number') badDiagnostics.push(`kernelBtf diagnostic without location: ${JSON.stringify(d)}`);
      for (const p of r.object.programs) {
        encodeFuncInfo(p);
        encodeLineInfo(p);
      }
    }
  } catch (e) {
    crashes.push(e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e));
  }
  return { crashes, badDiagnostics, inconsistent, diagnostics, loadedPrograms };
}

/** The mutated inputs of a run, in order: (seed name, mutation kind, bytes). */
export function* fuzzInputs(seeds: readonly Seed[], count: number, prngSeed: number): Generator<{ index: number; seed: Seed; kind: MutationKind; bytes: Uint8Array }> {
  const rnd = prng(prngSeed);
  const prepared = seeds.map((s) => ({ seed: s, fields: fieldsOf(s.bytes, decodeElf(s.bytes).elf!) }));
  for (let index = 0; index < count; index++) {
    const { seed, fields } = prepared[index % prepared.length];
    const { bytes, kind } = mutate(seed, fields, seeds, rnd);
    yield { index, seed, kind, bytes };
  }
}

/** Runs `count` mutated inputs from `seeds`; deterministic for a given PRNG seed. */
export function fuzzObjects(seeds: readonly Seed[], count: number, prngSeed: number, now: () => number = () => 0): FuzzReport {
  const byKind: Record<string, number> = {};
  const crashes: Finding[] = [];
  const badDiagnostics: Finding[] = [];
  const inconsistent: Finding[] = [];
  let loadedPrograms = 0, diagnostics = 0, slowestMs = 0, slowestIndex = -1;
  for (const { index, seed, kind, bytes } of fuzzInputs(seeds, count, prngSeed)) {
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const finding = (problem: string): Finding => ({ index, seed: seed.name, kind, problem });
    const t0 = now();
    const c = checkObject(bytes, `${seed.name}.o`);
    const ms = now() - t0;
    if (ms > slowestMs) { slowestMs = ms; slowestIndex = index; }
    diagnostics += c.diagnostics;
    if (c.loadedPrograms) loadedPrograms++;
    for (const problem of c.crashes) crashes.push(finding(problem));
    for (const problem of c.badDiagnostics) badDiagnostics.push(finding(problem));
    for (const problem of c.inconsistent) inconsistent.push(finding(problem));
  }
  return { tried: count, byKind, crashes, badDiagnostics, inconsistent, loadedPrograms, diagnostics, slowestMs, slowestIndex };
}
