// Verifier fuzzing: random instruction streams and mutated real programs must never crash or hang the verifier;
// every input gets a verdict within the 1M-instruction limit. No oracle is needed: the properties are ours.
//
// Inputs come in three kinds, round-robin:
//   random   - 1..64 slots of bytes, biased toward valid opcodes and small offsets (so that verification gets
//              past the first instruction), decoded as the loader would (invalid slots stay in the stream);
//   corpus   - a hand-written corpus program, encoded and mutated (bit flips, slot overwrite/duplicate/delete,
//              jump offsets and immediates nudged, opcodes swapped for another valid one);
//   example  - the same mutations on a compiled resources/examples program (with its maps).
import { decode, encode, FORMS, type Insn } from '../../../engine/isa';
import { verify, type MapInfo, type VerifyResult } from '../../../engine/verifier';
import { PROG_TYPES } from '../../../engine/kernel/prog-types';
import { Rng } from '../../kernel/gen/rng';
import { CORPUS } from '../corpus';
import { assemble } from '../differential';
import { examplePrograms } from '../examples';

export type FuzzKind = 'random' | 'corpus' | 'example';

export interface FuzzInput {
  readonly kind: FuzzKind;
  readonly label: string;
  readonly insns: readonly Insn[];
  readonly progType: string;
  readonly maps: readonly MapInfo[];
  readonly logLevel: 0 | 1 | 2;
}

export interface FuzzFailure {
  readonly input: FuzzInput;
  readonly what: string;
}

export interface FuzzStats {
  inputs: number;
  byKind: Record<FuzzKind, number>;
  accepts: number;
  rejects: number;
  /** Rejected with an unsupported.* code (a feature we do not model), internal faults excluded. */
  unsupported: number;
  /** Thrown exceptions, internal verifier errors, verdicts outside accept/reject, processed past the limit. */
  failures: FuzzFailure[];
  totalMs: number;
  maxMs: number;
  maxLabel: string;
  maxProcessed: number;
}

const CODES = [...new Set(FORMS.map((f) => f.code))];
const HASH: MapInfo = { name: 'h', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 16 };
const ARRAY: MapInfo = { name: 'a', type: 'array', keySize: 4, valueSize: 16, maxEntries: 4 };
const RING: MapInfo = { name: 'r', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 };

function randomSlot(rng: Rng, view: DataView, at: number): void {
  view.setUint8(at, rng.chance(0.9) ? rng.pick(CODES) : rng.int(0, 255));
  view.setUint8(at + 1, rng.chance(0.9) ? (rng.int(0, 10) << 4) | rng.int(0, 10) : rng.int(0, 255));
  view.setInt16(at + 2, rng.chance(0.8) ? rng.int(-8, 8) : rng.chance(0.5) ? -8 * rng.int(1, 66) : rng.int(-32768, 32767), true);
  view.setInt32(at + 4, rng.chance(0.7) ? rng.interesting32() : rng.int(-16, 16), true);
}

function randomBytes(rng: Rng): Uint8Array {
  const n = rng.int(1, 64);
  const bytes = new Uint8Array(8 * n);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) randomSlot(rng, view, 8 * i);
  // Often end in exit, so that more programs reach the analysis instead of the CFG check.
  if (rng.chance(0.7)) bytes.set([0x95, 0, 0, 0, 0, 0, 0, 0], 8 * (n - 1));
  return bytes;
}

/** One to four mutations of an encoded program. */
export function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  let bytes = src.slice();
  for (let m = rng.int(1, 4); m > 0; m--) {
    const n = bytes.length / 8;
    if (n === 0) return randomBytes(rng);
    const slot = rng.int(0, n - 1);
    const view = new DataView(bytes.buffer);
    switch (rng.int(0, 7)) {
      case 0: bytes[8 * slot + rng.int(0, 7)] ^= 1 << rng.int(0, 7); break;
      case 1: randomSlot(rng, view, 8 * slot); break;
      case 2: { // duplicate a slot
        const out = new Uint8Array(bytes.length + 8);
        out.set(bytes.subarray(0, 8 * (slot + 1)));
        out.set(bytes.subarray(8 * slot), 8 * (slot + 1));
        bytes = out;
        break;
      }
      case 3: { // delete a slot
        const out = new Uint8Array(bytes.length - 8);
        out.set(bytes.subarray(0, 8 * slot));
        out.set(bytes.subarray(8 * (slot + 1)), 8 * slot);
        bytes = out;
        break;
      }
      case 4: view.setInt16(8 * slot + 2, view.getInt16(8 * slot + 2, true) + rng.int(-3, 3), true); break;
      case 5: view.setInt32(8 * slot + 4, rng.chance(0.5) ? rng.interesting32() : view.getInt32(8 * slot + 4, true) + rng.int(-8, 8), true); break;
      case 6: bytes[8 * slot] = rng.pick(CODES); break;
      default: bytes[8 * slot + 1] = (rng.int(0, 10) << 4) | rng.int(0, 10);
    }
  }
  return bytes;
}

interface Seedling {
  readonly label: string;
  readonly bytes: Uint8Array;
  readonly progType: string;
  readonly maps: readonly MapInfo[];
}

let corpusSeeds: Seedling[] | undefined;
let exampleSeeds: Seedling[] | undefined;

function corpusSeedlings(): Seedling[] {
  corpusSeeds ??= CORPUS.map((c) => ({
    label: `corpus/${c.name}`, bytes: encode(assemble(c)), progType: c.progType,
    maps: (c.maps ?? []).map((m) => ({ ...m })),
  }));
  return corpusSeeds;
}

function exampleSeedlings(): Seedling[] {
  exampleSeeds ??= examplePrograms().filter((e) => PROG_TYPES[e.prog.type.name]).map((e) => ({
    label: `example/${e.id}`, bytes: encode(e.prog.insns), progType: e.prog.type.name,
    maps: e.obj.maps.map((m) => ({ name: m.kernelName, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries })),
  }));
  return exampleSeeds;
}

const TYPES = Object.keys(PROG_TYPES);

export function fuzzInput(seed: number): FuzzInput {
  const rng = new Rng(seed * 2654435761);
  const kind: FuzzKind = (['random', 'corpus', 'example'] as const)[seed % 3];
  const logLevel = rng.pick([0, 1, 1, 2] as const);
  if (kind === 'random') {
    const maps = rng.chance(0.5) ? [HASH, ARRAY, RING] : [];
    return { kind, label: `random#${seed}`, insns: decode(randomBytes(rng)).insns, progType: rng.pick(TYPES), maps, logLevel };
  }
  const pool = kind === 'corpus' ? corpusSeedlings() : exampleSeedlings();
  const s = rng.pick(pool);
  return { kind, label: `${s.label}#${seed}`, insns: decode(mutate(rng, s.bytes)).insns, progType: rng.chance(0.9) ? s.progType : rng.pick(TYPES), maps: s.maps, logLevel };
}

/** Verifies one input; returns the failure description, or undefined when the verifier behaved. */
export function checkOne(input: FuzzInput): { result?: VerifyResult; failure?: string; ms: number } {
  const t0 = performance.now();
  let result: VerifyResult;
  try {
    result = verify(input.insns, { progType: input.progType, logLevel: input.logLevel, maps: input.maps, license: 'GPL', keepStatesPerInsn: 2 });
  } catch (e) {
    return { failure: `threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, ms: performance.now() - t0 };
  }
  const ms = performance.now() - t0;
  if (result.error?.code === 'unsupported.internal') return { result, failure: result.error.message, ms };
  if (result.verdict !== 'accept' && result.verdict !== 'reject') return { result, failure: `verdict ${String(result.verdict)}`, ms };
  if (result.verdict === 'reject' && !result.error) return { result, failure: 'reject without an error', ms };
  // The kernel stops at the instruction that crosses the limit, so processed can exceed it by one.
  if (result.processed > 1_000_001) return { result, failure: `processed ${result.processed} past the limit`, ms };
  return { result, ms };
}

export function runFuzz(seeds: Iterable<number>): FuzzStats {
  const st: FuzzStats = {
    inputs: 0, byKind: { random: 0, corpus: 0, example: 0 }, accepts: 0, rejects: 0, unsupported: 0, failures: [],
    totalMs: 0, maxMs: 0, maxLabel: '', maxProcessed: 0,
  };
  for (const seed of seeds) {
    const input = fuzzInput(seed);
    const r = checkOne(input);
    st.inputs++;
    st.byKind[input.kind]++;
    st.totalMs += r.ms;
    if (r.ms > st.maxMs) {
      st.maxMs = r.ms;
      st.maxLabel = input.label;
    }
    if (r.failure) st.failures.push({ input, what: r.failure });
    if (r.result) {
      if (r.result.verdict === 'accept') st.accepts++;
      else st.rejects++;
      if (r.result.unsupported && r.result.error?.code !== 'unsupported.internal') st.unsupported++;
      st.maxProcessed = Math.max(st.maxProcessed, r.result.processed);
    }
  }
  return st;
}
