// The kernel as the oracle for tail calls seen through the debugger: the fixture's four XDP programs
// loaded with bpf(2), its prog_array filled with their fds, and BPF_PROG_TEST_RUN of the dispatcher
// must end with the same r0 and the same counts[] as the debug session (run with continue, and
// stepped line by line across the tail calls).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encode, type Insn } from '../../isa';
import { bpfAvailability, btfLoad, closeFd, mapCreate, mapLookup, mapUpdate, progLoad, progTestRun } from '../../host/bpf';
import { loadObject, type ObjProgram } from '../../obj';
import { encodeFuncInfo, encodeLineInfo, kernelBtf } from '../../obj/kernel-btf';
import { createDebugSession } from './launch';
import { DIR, FIXTURE_TAILS, fixtureInput, frame } from '../../../tests/fixtures/tail-calls/fixture';

const avail = bpfAvailability();
const fds: number[] = [];
afterAll(() => {
  for (const fd of fds) closeFd(fd);
});

const PACKETS: ReadonlyArray<readonly [string, Uint8Array]> = [
  ['IPv4 TCP', frame(0x0800, 6)],
  ['IPv4 UDP', frame(0x0800, 17)],
  ['IPv6', frame(0x86dd)],
  ['slot 3: 33 self tail calls', frame(0x88b5)],
  ['ARP: empty slot 2', frame(0x0806)],
  ['runt frame', new Uint8Array(14)],
];

/** The kernel's side: maps, programs with map relocations pointing at the maps' fds, slots filled as FIXTURE_TAILS says. */
function kernelSetup(): { progs: Map<string, number>; counts: number } | string {
  const obj = loadObject(new Uint8Array(readFileSync(join(DIR, 'tail_calls.o'))), { file: 'tail_calls.o' }).object!;
  const mapFds = obj.maps.map((m) => {
    const r = mapCreate({ mapType: m.type.id, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, name: m.kernelName });
    if (!r.ok) throw new Error(`map ${m.name}: ${r.message}`);
    fds.push(r.fd);
    return r.fd;
  });
  const btf = kernelBtf(obj);
  if (!btf.bytes) return 'no BTF';
  const loaded = btfLoad(btf.bytes);
  if (!loaded.ok) return `${loaded.message}\n${loaded.log.slice(-800)}`;
  fds.push(loaded.fd);
  const progFds = new Map<string, number>();
  for (const p of obj.programs) {
    // With BTF, func_info and line_info: the kernel refuses a tail call in a subprogram without BTF
    // ("tail_call is not allowed in subprogs without BTF"), and via_subprog makes one.
    const r = progLoad({ progType: 'xdp', insns: patched(p, mapFds), license: 'GPL', btfFd: loaded.fd, funcInfo: encodeFuncInfo(p), lineInfo: encodeLineInfo(p) });
    if (!r.ok) return `${p.name}: ${r.message}\n${r.log.slice(-800)}`;
    fds.push(r.fd!);
    progFds.set(p.name, r.fd!);
  }
  const table = mapFds[obj.maps.findIndex((m) => m.name === 'jmp_table')];
  for (const t of FIXTURE_TAILS) {
    const u = mapUpdate(table, u32(t.index), u32(progFds.get(t.program)!));
    if (!u.ok) return `jmp_table[${t.index}]: ${u.message}`;
  }
  return { progs: progFds, counts: mapFds[obj.maps.findIndex((m) => m.name === 'counts')] };
}

function patched(p: ObjProgram, mapFds: number[]): Uint8Array {
  const insns: Insn[] = p.insns.slice();
  for (const r of p.relocations) if (r.kind === 'map') insns[r.index] = { ...insns[r.index], imm: mapFds[r.map!] };
  return encode(insns);
}

const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);
const u64s = (b: Uint8Array): number => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));

/** The debug session's end state: r0 and counts[0..7], after `continue` or after `step` until the program exits. */
function debuggerRun(program: string, packet: Uint8Array, how: 'continue' | 'step'): { r0: number; counts: number[]; stepsAcrossTailCalls: number } {
  const input = fixtureInput(program);
  const s = createDebugSession(
    { insns: input.insns, name: input.name, type: input.type, maps: input.maps, packet, programs: input.programs, tails: FIXTURE_TAILS },
    { lines: input.lines, functions: input.functions, programs: new Map(input.programs.map((p) => [p.name, p] as const)) },
  );
  if (!('console' in s)) throw new Error(s.diagnostics.map((d) => d.message).join('\n'));
  let across = 0;
  let stop = s.console.execute(how === 'continue' ? 'run' : 'start').stop;
  for (let i = 0; how === 'step' && i < 10_000 && s.debugger.target.status().state === 'ready'; i++) {
    stop = s.console.execute('step').stop;
    if (stop?.tailCall?.to !== undefined) across++;
  }
  const status = s.debugger.target.status();
  if (status.state !== 'exited') throw new Error(`debugger run did not exit: ${JSON.stringify(status)} (${stop?.message})`);
  const counts = s.debugger.target.maps!().find((m) => m.name === 'counts')!.entries.map((e) => u64s(e.value));
  return { r0: Number(status.r0), counts, stepsAcrossTailCalls: across };
}

describe(`tail calls in the debugger agree with BPF_PROG_TEST_RUN${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  const cases = [
    ...PACKETS.map(([name, packet]) => ['dispatch', name, packet] as const),
    ['via_subprog', 'tail call from a subprogram', frame(0x86dd)] as const,
  ];
  it.skipIf(!avail.ok).each(cases)('%s, %s: r0 and counts[] as the kernel leaves them', (program, _name, packet) => {
    const k = kernelSetup();
    if (typeof k === 'string') throw new Error(k);
    const run = progTestRun(k.progs.get(program)!, { dataIn: packet });
    expect(run.ok, run.message).toBe(true);
    const kernelCounts = Array.from({ length: 8 }, (_, i) => {
      const v = mapLookup(k.counts, u32(i), 8);
      if (!v.ok) throw new Error(v.message);
      return u64s(v.value);
    });
    const expected = { r0: run.retval, counts: kernelCounts };
    const cont = debuggerRun(program, packet, 'continue');
    const stepped = debuggerRun(program, packet, 'step');
    expect({ r0: cont.r0, counts: cont.counts }).toEqual(expected);
    expect({ r0: stepped.r0, counts: stepped.counts }).toEqual(expected);
    // Every taken tail call was stepped across (counts[4] is the self-calling program's runs).
    expect(stepped.stepsAcrossTailCalls).toBe(kernelCounts[1] + kernelCounts[2] + kernelCounts[4]);
    console.log(`${program}, ${_name}: kernel r0 ${run.retval}, counts ${kernelCounts.join(' ')}; debugger agrees (continue and ${stepped.stepsAcrossTailCalls} tail calls stepped across)`);
  });
});
