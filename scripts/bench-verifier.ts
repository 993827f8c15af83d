// Verifier benchmark: our verification time and processed-instruction count next to the running kernel's, for
// the same programs in the same run: `npx tsx scripts/bench-verifier.ts [--reps N] [--only corpus|examples|generated] [--match TEXT]`.
//
// Programs: the hand-written corpus (tests/verifier/corpus.ts), every resources/examples program of a modelled
// type (the largest included), and a few large generated ones (tests/verifier/gen/verifier-gen.ts, 40 snippets,
// no deliberate mistakes; and a 20000-iteration loop). Both sides run at log level 1 (so both print `processed`);
// the kernel also gets BPF_LOG_STATS (4), which adds its own `verification time N usec`.
// Columns: ours = best of N runs of verify() (ms); kernel wall = best of N BPF_PROG_LOAD calls through the bpf(2)
// bridge (ms, includes the syscall and log copy); kernel verif = the kernel's own `verification time` (ms);
// processed = `processed N insns` of each log; vinsns = bpf_prog_info.verified_insns (accepted programs only).
// ours `reject*`: rejected as not modelled (an unsupported.* code), not a kernel verdict.
import { encode, makeInsn, type Insn } from '../engine/isa';
import { parse } from '../engine/asm';
import { verify, type MapInfo } from '../engine/verifier';
import { bpfAvailability, BPF_F_SLEEPABLE, closeFd, mapCreate, progGetInfo, progLoad } from '../engine/host/bpf';
import { PROG_TYPES } from '../engine/kernel/prog-types';
import { CORPUS } from '../tests/verifier/corpus';
import { hostNrCpuIds } from '../tests/verifier/differential';
import { examplePrograms } from '../tests/verifier/examples';
import { generateCase } from '../tests/verifier/gen/verifier-gen';

interface BenchProgram {
  readonly group: 'corpus' | 'examples' | 'generated';
  readonly name: string;
  readonly insns: readonly Insn[];
  readonly progType: string;
  readonly license: string;
  readonly maps: readonly (MapInfo & { flags?: number })[];
  readonly sleepable?: boolean;
  readonly expectedAttachType?: number;
}

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 5;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
// --match TEXT: only programs whose name contains TEXT (timing one program without the whole table).
const matchAt = args.indexOf('--match');
const match = matchAt >= 0 ? args[matchAt + 1] : undefined;

/** Object map references become BPF_PSEUDO_MAP_IDX(_VALUE), resolved through fd_array by both verifiers. */
function byMapIndex(insns: readonly Insn[]): Insn[] {
  return insns.map((i) => {
    if (i.form.id === 'lddw_map_fd') return makeInsn('lddw_map_idx', { dst: i.dst, imm: i.imm, imm2: i.imm2 });
    if (i.form.id === 'lddw_map_value') return makeInsn('lddw_map_idx_value', { dst: i.dst, imm: i.imm, imm2: i.imm2 });
    return i;
  });
}

function programs(): BenchProgram[] {
  const out: BenchProgram[] = [];
  for (const c of CORPUS) {
    out.push({ group: 'corpus', name: c.name, insns: parse(c.asm).insns, progType: c.progType, license: c.license ?? 'GPL', maps: (c.maps ?? []).map((m) => ({ ...m })) });
  }
  // Every example, also of types we do not model yet (ours then reports reject*), so the largest is always in.
  for (const e of examplePrograms()) {
    out.push({
      group: 'examples', name: e.id, insns: byMapIndex(e.prog.insns), progType: e.prog.type.name, license: e.obj.license ?? '',
      maps: e.obj.maps.map((m) => ({ name: m.kernelName, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags })),
      sleepable: !!PROG_TYPES[e.prog.type.name]?.requiresSleepable,
      ...(e.prog.attachType ? { expectedAttachType: e.prog.attachType.id } : {}),
    });
  }
  for (const seed of [101, 202, 303, 404]) {
    const c = generateCase(seed, { snippets: 40, mistakeRate: 0 });
    out.push({ group: 'generated', name: `gen-${seed}x40 (${c.progType})`, insns: parse(c.asm).insns, progType: c.progType, license: 'GPL', maps: (c.maps ?? []).map((m) => ({ ...m })) });
  }
  const loop = 'r1 = 0\nr2 = 0\nr2 += r1\nr1 += 1\nif r1 < 20000 goto -3\nr0 = 0\nexit';
  out.push({ group: 'generated', name: 'loop-20000', insns: parse(loop).insns, progType: 'socket_filter', license: 'GPL', maps: [] });
  return out;
}

interface Side {
  verdict: string;
  ms: number;
  processed: number | undefined;
  kernelUsec?: number;
  verifiedInsns?: number;
}

function ours(p: BenchProgram): Side {
  let best = Infinity;
  let r!: ReturnType<typeof verify>;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    r = verify(p.insns, { progType: p.progType, logLevel: 1, license: p.license, nrCpuIds: hostNrCpuIds(), maps: p.maps, ...(p.sleepable ? { sleepable: true } : {}) });
    best = Math.min(best, performance.now() - t0);
  }
  return { verdict: r.verdict + (r.unsupported ? '*' : ''), ms: best, processed: r.processed };
}

function kernel(p: BenchProgram): Side {
  const fds: number[] = [];
  try {
    for (const m of p.maps) {
      const r = mapCreate({ mapType: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, ...(m.flags ? { flags: m.flags } : {}) });
      if (!r.ok) return { verdict: `map ${r.errorName}`, ms: NaN, processed: undefined };
      fds.push(r.fd);
    }
    const insns = encode(p.insns);
    let best = Infinity;
    let side: Side = { verdict: '?', ms: NaN, processed: undefined };
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const res = progLoad({
        progType: p.progType, insns, license: p.license, logLevel: 1 | 4, logSize: 64 << 20, fdArray: fds,
        progFlags: p.sleepable ? BPF_F_SLEEPABLE : 0, ...(p.expectedAttachType !== undefined ? { expectedAttachType: p.expectedAttachType } : {}),
      });
      const ms = performance.now() - t0;
      let verifiedInsns: number | undefined;
      if (res.ok && res.fd !== undefined) {
        const info = progGetInfo(res.fd);
        if (info.ok) verifiedInsns = info.verifiedInsns;
        closeFd(res.fd);
      }
      if (ms < best) {
        best = ms;
        const usec = /verification time (\d+) usec/.exec(res.log)?.[1];
        const processed = /processed (\d+) insns/.exec(res.log)?.[1];
        side = {
          verdict: res.ok ? 'accept' : 'reject', ms, processed: processed ? Number(processed) : undefined,
          ...(usec ? { kernelUsec: Number(usec) } : {}), ...(verifiedInsns !== undefined ? { verifiedInsns } : {}),
        };
      }
    }
    return side;
  } finally {
    for (const fd of fds) closeFd(fd);
  }
}

const avail = bpfAvailability();
if (!avail.ok) {
  console.log(`kernel unavailable: ${avail.reason}; printing our side only`);
}
const every = programs();
const list = every.filter((p) => (!only || p.group === only) && (!match || p.name.includes(match)));
const largest = Math.max(...every.filter((p) => p.group === 'examples').map((p) => encode(p.insns).length));
// Warm-up: one unmeasured pass so that the first programs do not pay for V8's compilation of the verifier.
for (const p of list) verify(p.insns, { progType: p.progType, logLevel: 1, license: p.license, maps: p.maps });
const fmt = (v: number | undefined, d = 2): string => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));
console.log(`${'program'.padEnd(40)} ${'slots'.padStart(6)} | ${'ours'.padEnd(8)} ${'ms'.padStart(9)} ${'processed'.padStart(9)} | ${'kernel'.padEnd(7)} ${'wall ms'.padStart(9)} ${'verif ms'.padStart(9)} ${'processed'.padStart(9)} ${'vinsns'.padStart(8)}`);
const totals = new Map<string, { n: number; ours: number; kWall: number; kVerif: number; same: number; both: number }>();
for (const p of list) {
  const o = ours(p);
  const k: Side = avail.ok ? kernel(p) : { verdict: '-', ms: NaN, processed: undefined };
  const slots = encode(p.insns).length / 8;
  const name = p.group === 'examples' && encode(p.insns).length === largest ? `${p.name} (largest)` : p.name;
  console.log(`${name.slice(0, 40).padEnd(40)} ${String(slots).padStart(6)} | ${o.verdict.padEnd(8)} ${fmt(o.ms, 3).padStart(9)} ${String(o.processed ?? '-').padStart(9)} | ${k.verdict.padEnd(7)} ${fmt(k.ms, 3).padStart(9)} ${fmt(k.kernelUsec !== undefined ? k.kernelUsec / 1000 : undefined, 3).padStart(9)} ${String(k.processed ?? '-').padStart(9)} ${String(k.verifiedInsns ?? '-').padStart(8)}`);
  const t = totals.get(p.group) ?? { n: 0, ours: 0, kWall: 0, kVerif: 0, same: 0, both: 0 };
  t.n++;
  t.ours += o.ms;
  t.kWall += Number.isNaN(k.ms) ? 0 : k.ms;
  t.kVerif += (k.kernelUsec ?? 0) / 1000;
  if (k.processed !== undefined) {
    t.both++;
    t.same += Number(k.processed === o.processed);
  }
  totals.set(p.group, t);
}
console.log('');
for (const [g, t] of totals) {
  console.log(`${g}: ${t.n} programs; ours total ${t.ours.toFixed(1)} ms, kernel wall total ${t.kWall.toFixed(1)} ms, kernel verification time total ${t.kVerif.toFixed(1)} ms; processed count equal ${t.same} of ${t.both}`);
}
