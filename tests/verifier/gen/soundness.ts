// Soundness: generated programs that our verifier accepts must never fault in our interpreter.
//
// Each accepted program runs with several random inputs: packet bytes and length (xdp, sched_cls), ctx bytes
// (kprobe pt_regs), and map contents (array values, which hash keys exist, their values). A memory fault, a bad
// jump, a helper argument fault or an exhausted budget after acceptance is a soundness bug (the verifier let
// through what it should have rejected, or the interpreter disagrees with it). Faults that only say the
// interpreter does not simulate something (helper_not_simulated, unsupported) are counted apart.
import { encode } from '../../../engine/isa';
import { parse } from '../../../engine/asm';
import { runProgram, type RunFault } from '../../../engine/interp';
import { Kernel, type BpfMap, type MapDef, type MapTypeName, type RunProgType } from '../../../engine/kernel';
import { verify } from '../../../engine/verifier';
import { Rng } from '../../kernel/gen/rng';
import { hostNrCpuIds } from '../differential';
import { generateCase, type GenCase, type GenOptions } from './verifier-gen';

export const LIMITATION_FAULTS: ReadonlySet<string> = new Set(['helper_not_simulated', 'unknown_helper', 'unsupported']);

export interface SoundnessViolation {
  readonly c: GenCase;
  readonly input: number;
  readonly fault: RunFault;
}

export interface SoundnessStats {
  programs: number;
  accepted: number;
  runs: number;
  /** Runs that ended with exit. */
  clean: number;
  /** Runs stopped by something the interpreter does not simulate (not a verdict on soundness). */
  limited: Map<string, number>;
  violations: SoundnessViolation[];
  /** Control: the same runs for programs our verifier rejects, and how many of them fault (the check has teeth). */
  controlRuns: number;
  controlFaults: number;
}

function mapsFor(c: GenCase, kernel: Kernel, rng: Rng): BpfMap[] {
  return (c.maps ?? []).map((m) => {
    const def: MapDef = { type: m.type as MapTypeName, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries };
    const map = kernel.createMap(def);
    if (!('update' in map)) throw new Error(`map ${m.type}: ${map.message}`);
    if (m.type === 'array' || m.type === 'hash') {
      for (let k = 0; k < m.maxEntries; k++) {
        if (m.type === 'hash' && rng.chance(0.4)) continue;
        const key = new Uint8Array(4);
        new DataView(key.buffer).setUint32(0, k, true);
        const value = new Uint8Array(m.valueSize).map(() => (rng.chance(0.3) ? rng.int(0, 255) : rng.pick([0, 0xff, 1, 7])));
        map.update(key, value, 0, 0);
      }
    }
    return map;
  });
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  return new Uint8Array(n).map(() => rng.int(0, 255));
}

export function checkProgram(c: GenCase, inputs: number, st: SoundnessStats): void {
  const insns = parse(c.asm).insns;
  st.programs++;
  const v = verify(insns, {
    progType: c.progType, logLevel: 0, license: 'GPL', nrCpuIds: hostNrCpuIds(),
    maps: (c.maps ?? []).map((m) => ({ ...m })),
  });
  const accepted = v.verdict === 'accept';
  if (accepted) st.accepted++;
  // Rejected programs run too, as a control, unless they contain undecodable slots the interpreter cannot load.
  else if (insns.some((x) => x.form.id === 'invalid')) return;
  for (let i = 0; i < inputs; i++) {
    const rng = new Rng(c.seed * 7919 + i);
    const kernel = new Kernel({ seed: rng.u32() });
    const maps = mapsFor(c, kernel, rng);
    // Packets from empty-ish to a full frame: short ones make the range checks take their failure branch.
    const packet = randomBytes(rng, rng.pick([14, 15, 20, 34, 40, 64, 100, 200]));
    const type: RunProgType = c.progType;
    const r = runProgram(insns, {
      type, kernel, maps, budget: accepted ? 10_000_000 : 1_000_000, seed: rng.u32(),
      ...(type === 'kprobe' ? { ctx: randomBytes(rng, 168) } : { packet }),
    });
    if (!accepted) {
      st.controlRuns++;
      if (r.fault && !LIMITATION_FAULTS.has(r.fault.code)) st.controlFaults++;
      continue;
    }
    st.runs++;
    if (!r.fault) {
      st.clean++;
      continue;
    }
    if (LIMITATION_FAULTS.has(r.fault.code)) st.limited.set(r.fault.code, (st.limited.get(r.fault.code) ?? 0) + 1);
    else st.violations.push({ c, input: i, fault: r.fault });
  }
}

export function runSoundness(seeds: Iterable<number>, inputs = 4, opts: GenOptions = {}): SoundnessStats {
  const st: SoundnessStats = { programs: 0, accepted: 0, runs: 0, clean: 0, limited: new Map(), violations: [], controlRuns: 0, controlFaults: 0 };
  for (const seed of seeds) checkProgram(generateCase(seed, opts), inputs, st);
  return st;
}

export function describeViolation(v: SoundnessViolation): string {
  return `${v.c.name} (${v.c.progType}) input ${v.input}: ${v.fault.code} at pc ${v.fault.pc}: ${v.fault.message}\n${v.c.asm.split('\n').map((l, i) => `    ${i}: ${l}`).join('\n')}`;
}

/** Bytes of a generated program (for tools that want the encoding). */
export function encodeCase(c: GenCase): Uint8Array {
  return encode(parse(c.asm).insns);
}
