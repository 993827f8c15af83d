// Tail calls through the protocol: a UI fills a prog_array slot with one of the document's programs
// ('prog-array.set'), sets a breakpoint in another program, and the stop names the program the pc is
// in, with the listing line in that program, so the UI can switch its listing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEngineMessage, checkRequestMessage, encodeBase64, type EngineMessage, type Request, type Response } from '../protocol';
import { DIR, frame, lineOf } from '../../tests/fixtures/tail-calls/fixture';
import { EngineService } from './worker-dispatch';

function service(): (request: Request) => Promise<Response> {
  const sent: EngineMessage[] = [];
  const s = new EngineService((m) => {
    // Every answer must pass the validator the hosts run.
    const checked = checkEngineMessage(JSON.parse(JSON.stringify(m)));
    if (!checked.ok) throw new Error(`invalid engine message: ${checked.error}`);
    sent.push(m);
  });
  let id = 0;
  return async (request) => {
    const my = ++id;
    await s.handle({ type: 'request', id: my, request });
    const a = sent.find((m) => m.type === 'response' && m.id === my);
    if (a?.type !== 'response') throw new Error('no answer');
    return a.response;
  };
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('tail calls over the protocol', () => {
  it('prog-array.set fills a slot, a breakpoint in the callee stops, and the stop names the current program and its listing line', async () => {
    const ask = service();
    const opened = await ask({ kind: 'open', name: 'tail_calls.o', base64: encodeBase64(new Uint8Array(readFileSync(join(DIR, 'tail_calls.o')))), format: 'auto' });
    if (opened.kind !== 'opened' || !opened.document) throw new Error(JSON.stringify(opened));
    const doc = opened.document;
    const index = (name: string): number => doc.programs.find((p) => p.name === name)!.index;
    const created = await ask({ kind: 'session.create', document: doc.id, program: index('dispatch'), inputs: { type: 'xdp', packet: hex(frame(0x0800, 17)), memory: [] } });
    if (created.kind !== 'session') throw new Error(JSON.stringify(created));
    const session = created.session;
    expect(created.state.program).toBe(index('dispatch'));
    const table = created.state.maps.find((m) => m.name === 'jmp_table')!;
    expect(table).toMatchObject({ type: 'prog_array', slots: [], editing: 'none' });

    const set = await ask({ kind: 'prog-array.set', session, map: table.index, index: 0, program: index('parse_ipv4') });
    expect(set).toMatchObject({ kind: 'state', message: 'jmp_table[0] = parse_ipv4 (was empty)' });
    if (set.kind !== 'state') return;
    expect(set.state.maps.find((m) => m.name === 'jmp_table')!.slots).toEqual([{ index: 0, program: index('parse_ipv4') }]);
    expect(await ask({ kind: 'prog-array.set', session, map: table.index, index: 7, program: index('parse_ipv4') }))
      .toMatchObject({ kind: 'error', code: 'session.edit-map', message: 'jmp_table: index 7 is out of range (max_entries 4): E2BIG' });
    expect(await ask({ kind: 'prog-array.set', session, map: 1, index: 0, program: 0 })).toMatchObject({ kind: 'error', message: 'counts is an array map, not a prog_array' });

    // The breakpoint on parse_ipv4's line "if (data[23] == 17)": its pc in that program's listing.
    const listing = await ask({ kind: 'listing', document: doc.id, program: index('parse_ipv4'), start: 0, count: 1000 });
    if (listing.kind !== 'listing') throw new Error(JSON.stringify(listing));
    const srcAt = listing.lines.findIndex((l) => l.kind === 'source' && l.source.line === lineOf('if (data[23] == 17)'));
    const insn = listing.lines.slice(srcAt).find((l) => l.kind === 'insn');
    if (insn?.kind !== 'insn') throw new Error('no instruction under the line');
    const bps = await ask({ kind: 'breakpoint.toggle', session, pc: insn.pc, program: index('parse_ipv4') });
    expect(bps).toEqual({ kind: 'breakpoints', breakpoints: [{ id: 1, pc: insn.pc, enabled: true, program: index('parse_ipv4') }] });

    const stop = await ask({ kind: 'run', session });
    if (stop.kind !== 'stopped') throw new Error(JSON.stringify(stop));
    expect(stop).toMatchObject({ reason: 'breakpoint', state: { pc: insn.pc, program: index('parse_ipv4') }, line: listing.start + listing.lines.indexOf(insn) });
    expect(stop.state.frames[0]).toMatchObject({ pc: insn.pc, program: index('parse_ipv4'), function: 'parse_ipv4', source: { line: lineOf('if (data[23] == 17)') } });
    // Step back across the tail call: the state names dispatch again and the line is dispatch's.
    let back: Response = stop;
    while (back.kind === 'stopped' && back.state.program === index('parse_ipv4')) back = await ask({ kind: 'step', session, mode: 'back' });
    if (back.kind !== 'stopped') throw new Error(JSON.stringify(back));
    expect(back.state).toMatchObject({ program: index('dispatch'), pc: 30 });
    const located = await ask({ kind: 'locate', document: doc.id, program: index('dispatch'), pc: 30 });
    expect(located.kind === 'located' && back.line === located.line).toBe(true);

    const end = await ask({ kind: 'run', session });
    expect(end).toMatchObject({ kind: 'stopped', reason: 'breakpoint' });
    expect(await ask({ kind: 'run', session })).toMatchObject({ kind: 'stopped', reason: 'exit', state: { message: 'exited with r0 = 0x1', program: index('parse_ipv4') } });
    // New inputs keep the slots, unless the kernel would now refuse them: a socket filter cannot use an array of XDP programs.
    const same = await ask({ kind: 'session.restart', session, inputs: { type: 'xdp', packet: hex(frame(0x86dd)), memory: [] } });
    expect(same).toMatchObject({ kind: 'session', diagnostics: [], state: { program: index('dispatch') } });
    if (same.kind === 'session') expect(same.state.maps.find((m) => m.name === 'jmp_table')!.slots).toEqual([{ index: 0, program: index('parse_ipv4') }]);
    const other = await ask({ kind: 'session.restart', session, inputs: { type: 'socket_filter', packet: hex(frame(0x86dd)), memory: [] } });
    expect(other).toMatchObject({ kind: 'session', diagnostics: [{ code: 'session.tail-slot', severity: 'warning', message: expect.stringContaining('jmp_table[0] = parse_ipv4 not kept: bpf_check_tail_call: a socket_filter program cannot use jmp_table') }] });
  });

  it('the validator refuses malformed prog-array.set requests, naming the field', () => {
    const req = (request: unknown) => checkRequestMessage({ type: 'request', id: 1, request });
    expect(req({ kind: 'prog-array.set', session: 1, map: 0, index: 0, program: 2 }).ok).toBe(true);
    expect(req({ kind: 'prog-array.set', session: 1, map: 0, index: 0 }).ok).toBe(true);
    expect(req({ kind: 'prog-array.set', session: 1, map: 0, index: -1 })).toEqual({ ok: false, error: 'message.request.index must be in 0..4294967295' });
    expect(req({ kind: 'prog-array.set', session: 1, map: 0, index: 0, program: 'parse_ipv4' })).toEqual({ ok: false, error: 'message.request.program must be an integer' });
    expect(req({ kind: 'prog-array.set', session: 1, index: 0 })).toEqual({ ok: false, error: 'message.request.map is missing' });
    expect(req({ kind: 'breakpoint.toggle', session: 1, pc: 3, program: 1.5 })).toEqual({ ok: false, error: 'message.request.program must be an integer' });
  });
});
