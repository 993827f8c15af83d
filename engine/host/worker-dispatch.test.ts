// The engine service answers every request once, with messages that pass the protocol validator.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkEngineMessage, encodeBase64, type EngineMessage, type Request, type Response } from '../protocol';
import { Kernel } from '../kernel';
import { progType } from '../kernel/prog-types';
import { loadObject } from '../obj';
import { parse } from '../asm';
import { printReg, verify } from '../verifier';
import { EngineService } from './worker-dispatch';

const EXAMPLES = path.join(__dirname, '..', '..', 'resources', 'examples');

function service(): { ask(request: Request): Promise<Response> } {
  const sent: EngineMessage[] = [];
  const s = new EngineService((m) => {
    const checked = checkEngineMessage(JSON.parse(JSON.stringify(m)));
    if (!checked.ok) throw new Error(`invalid engine message: ${checked.error}`);
    sent.push(m);
  });
  let id = 0;
  return {
    async ask(request) {
      const my = ++id;
      await s.handle({ type: 'request', id: my, request });
      const answers = sent.filter((m) => m.type === 'response' && m.id === my);
      expect(answers).toHaveLength(1);
      const a = answers[0];
      if (a.type !== 'response') throw new Error('unreachable');
      return a.response;
    },
  };
}

const open = (name: string, bytes: Uint8Array, format: 'auto' | 'object' | 'raw' | 'asm' | 'image2013' = 'auto'): Request =>
  ({ kind: 'open', name, base64: encodeBase64(bytes), format });

describe('EngineService', () => {
  const objects = readdirSync(EXAMPLES).filter((f) => f.endsWith('.o'));

  it.each(objects)('opens %s and lists every program completely', async (file) => {
    const s = service();
    const r = await s.ask(open(file, readFileSync(path.join(EXAMPLES, file))));
    if (r.kind !== 'opened' || !r.document) throw new Error(`${file}: ${JSON.stringify(r)}`);
    expect(r.document.format).toBe('object');
    expect(r.document.programs.length).toBeGreaterThan(0);
    for (const p of r.document.programs) {
      const l = await s.ask({ kind: 'listing', document: r.document.id, program: p.index, start: 0, count: 10_000 });
      if (l.kind !== 'listing') throw new Error(JSON.stringify(l));
      expect(l.total).toBe(p.lineCount);
      expect(l.lines).toHaveLength(p.lineCount);
      const insns = l.lines.filter((x) => x.kind === 'insn');
      expect(insns).toHaveLength(p.insnCount);
      expect(insns.map((x) => x.index)).toEqual(insns.map((_, i) => i));
      expect(l.lines[0]).toEqual({ kind: 'label', index: 0, pc: 0, label: p.name });
      if (p.hasSource) expect(l.lines.some((x) => x.kind === 'source')).toBe(true);
    }
  });

  it.each(objects)('starts every program of %s and runs it to an exit or a fault', async (file) => {
    const s = service();
    const r = await s.ask(open(file, readFileSync(path.join(EXAMPLES, file))));
    if (r.kind !== 'opened' || !r.document) throw new Error(`${file}: ${JSON.stringify(r)}`);
    for (const p of r.document.programs) {
      const c = await s.ask({ kind: 'session.create', document: r.document.id, program: p.index });
      if (c.kind !== 'session') throw new Error(`${file} ${p.name}: ${JSON.stringify(c)}`);
      expect(c.state).toMatchObject({ pc: 0, status: 'ready' });
      const run = await s.ask({ kind: 'run', session: c.session });
      if (run.kind !== 'stopped') throw new Error(`${file} ${p.name}: ${JSON.stringify(run)}`);
      // Default inputs (an empty context) may make a program fault; either way the stop is data.
      expect(['exit', 'fault']).toContain(run.reason);
      expect(run.state.status).toBe(run.reason === 'exit' ? 'exited' : 'fault');
    }
  });

  it('pages a listing: consecutive pages join to the whole', async () => {
    const s = service();
    const r = await s.ask(open('subprog_loop.o', readFileSync(path.join(EXAMPLES, 'subprog_loop.o'))));
    if (r.kind !== 'opened' || !r.document) throw new Error(JSON.stringify(r));
    const doc = r.document.id;
    const whole = await s.ask({ kind: 'listing', document: doc, program: 0, start: 0, count: 10_000 });
    if (whole.kind !== 'listing') throw new Error(JSON.stringify(whole));
    const parts = [];
    for (let start = 0; start < whole.total; start += 7) {
      const part = await s.ask({ kind: 'listing', document: doc, program: 0, start, count: 7 });
      if (part.kind !== 'listing') throw new Error(JSON.stringify(part));
      parts.push(...part.lines);
    }
    expect(parts).toEqual(whole.lines);
    const past = await s.ask({ kind: 'listing', document: doc, program: 0, start: whole.total + 5, count: 7 });
    expect(past).toMatchObject({ kind: 'listing', lines: [] });
  });

  it('opens assembly with its lines as source and raw bytecode with decode diagnostics', async () => {
    const s = service();
    const asm = await s.ask(open('t.s', new TextEncoder().encode('r0 = 1\nexit\n')));
    if (asm.kind !== 'opened' || !asm.document) throw new Error(JSON.stringify(asm));
    expect(asm.document).toMatchObject({ format: 'asm', programs: [{ insnCount: 2, hasSource: true, lineCount: 4 }] });
    const raw = await s.ask(open('t.bin', Uint8Array.from([0xb7, 0, 0, 0, 1, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0])));
    if (raw.kind !== 'opened' || !raw.document) throw new Error(JSON.stringify(raw));
    expect(raw.document.programs[0].insnCount).toBe(2);
    expect(raw.diagnostics.map((d) => d.code)).toEqual(['isa.unknown-opcode', 'isa.truncated']);
    const l = await s.ask({ kind: 'listing', document: raw.document.id, program: 0, start: 0, count: 10 });
    expect(l).toMatchObject({ kind: 'listing', lines: [{ kind: 'insn', invalid: false }, { kind: 'insn', invalid: true, bytes: 'ff 00 00 00 00 00 00 00' }] });
  });

  it('answers bad input with diagnostics or errors, never by throwing', async () => {
    const s = service();
    expect(await s.ask(open('x.o', Uint8Array.from([0x7f, 0x45, 0x4c, 0x46])))).toEqual({ kind: 'opened', diagnostics: [expect.objectContaining({ severity: 'error', code: 'obj.elf.truncated' })] });
    expect(await s.ask(open('x.img', Uint8Array.from([1, 2, 3]), 'image2013'))).toMatchObject({ kind: 'opened', diagnostics: [{ code: 'session.format-unavailable' }] });
    expect(await s.ask(open('e.bin', new Uint8Array(0), 'raw'))).toMatchObject({ kind: 'opened', diagnostics: [{ code: 'session.empty-file' }] });
    expect(await s.ask({ kind: 'listing', document: 99, program: 0, start: 0, count: 1 })).toMatchObject({ kind: 'error', code: 'session.no-document' });
    expect(await s.ask({ kind: 'close', document: 99 })).toMatchObject({ kind: 'error', code: 'session.no-document' });
    expect(await s.ask({ kind: 'cancel', target: 12345 })).toEqual({ kind: 'cancelled', target: 12345, found: false });
    expect(await s.ask({ kind: 'run', session: 1 })).toMatchObject({ kind: 'error', code: 'session.no-session' });
    expect(await s.ask({ kind: 'session.create', document: 99, program: 0 })).toMatchObject({ kind: 'error', code: 'session.no-document' });
    expect(await s.ask({ kind: 'console', line: 'info registers' })).toEqual({ kind: 'console', lines: ['No program is loaded: open a file, then debug it (F5 or F11).'] });
  });

  it('says what it can do', async () => {
    const r = await service().ask({ kind: 'hello' });
    expect(r).toMatchObject({ kind: 'hello', version: 1 });
    if (r.kind === 'hello') expect([...r.features].sort()).toEqual([
      'breakpoints', 'console', 'edit', 'inputs', 'listing', 'maps', 'open-asm', 'open-object', 'open-raw', 'registers', 'run', 'stack', 'step', 'step-back', 'verifier', 'watches',
    ]);
  });

  it('debugs a program: step, breakpoint, run, step back, console, locate', async () => {
    const s = service();
    const src = ['r1 = 5', 'r2 = 7', 'r1 += r2', '*(u64 *)(r10 - 8) = r1', 'r0 = r1', 'exit', ''].join('\n');
    const o = await s.ask(open('p.s', new TextEncoder().encode(src)));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const doc = o.document.id;
    // Line layout: one source line before each instruction.
    expect(await s.ask({ kind: 'locate', document: doc, program: 0, pc: 3 })).toEqual({ kind: 'located', line: 7 });
    expect(await s.ask({ kind: 'locate', document: doc, program: 0, pc: 99 })).toEqual({ kind: 'located', line: -1 });
    const c = await s.ask({ kind: 'session.create', document: doc, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    const id = c.session;
    expect(c.state).toMatchObject({ pc: 0, status: 'ready' });
    const st = await s.ask({ kind: 'step', session: id, mode: 'into' });
    expect(st).toMatchObject({ kind: 'stopped', reason: 'step', state: { pc: 1 } });
    if (st.kind === 'stopped') expect(st.state.registers[1]).toEqual({ name: 'r1', value: '0x5' });
    expect(await s.ask({ kind: 'breakpoint.toggle', session: id, pc: 4 })).toEqual({ kind: 'breakpoints', breakpoints: [{ id: 1, pc: 4, enabled: true }] });
    const hit = await s.ask({ kind: 'run', session: id });
    if (hit.kind !== 'stopped') throw new Error(JSON.stringify(hit));
    expect(hit).toMatchObject({ reason: 'breakpoint', state: { pc: 4 } });
    expect(hit.state.frames[0].slots[0]).toMatchObject({ offset: -8, bytes: '0c 00 00 00 00 00 00 00' });
    expect(await s.ask({ kind: 'step', session: id, mode: 'back' })).toMatchObject({ kind: 'stopped', state: { pc: 3 } });
    const info = await s.ask({ kind: 'console', session: id, line: 'print r1 + 1' });
    expect(info).toMatchObject({ kind: 'console', lines: ['$1 = 13 (0xd)'] });
    expect(await s.ask({ kind: 'breakpoint.toggle', session: id, pc: 4 })).toEqual({ kind: 'breakpoints', breakpoints: [] });
    const end = await s.ask({ kind: 'run', session: id });
    expect(end).toMatchObject({ kind: 'stopped', reason: 'exit', state: { status: 'exited', message: 'exited with r0 = 0xc' } });
  });

  it('answers that move execution carry the listing line of the pc, as locate finds it', async () => {
    const s = service();
    const src = ['r1 = 5', 'r2 = 7', 'r1 += r2', 'r0 = r1', 'exit', ''].join('\n');
    const o = await s.ask(open('p.s', new TextEncoder().encode(src)));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const doc = o.document.id;
    const where = async (pc: number): Promise<number> => {
      const r = await s.ask({ kind: 'locate', document: doc, program: 0, pc });
      return r.kind === 'located' ? r.line : NaN;
    };
    const c = await s.ask({ kind: 'session.create', document: doc, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    expect(c.line).toBe(await where(c.state.pc));
    const answers = [
      await s.ask({ kind: 'step', session: c.session, mode: 'into' }),
      await s.ask({ kind: 'step', session: c.session, mode: 'into' }),
      await s.ask({ kind: 'step', session: c.session, mode: 'back' }),
      await s.ask({ kind: 'register.set', session: c.session, register: 3, value: '0x1' }),
      await s.ask({ kind: 'state', session: c.session }),
      await s.ask({ kind: 'console', session: c.session, line: 'stepi' }),
      await s.ask({ kind: 'run', session: c.session }),
    ];
    for (const r of answers) {
      if (r.kind !== 'stopped' && r.kind !== 'state' && r.kind !== 'console') throw new Error(JSON.stringify(r));
      if (!r.state) throw new Error(`no state in ${JSON.stringify(r)}`);
      expect(r.line, `${r.kind} at pc ${r.state.pc}`).toBe(await where(r.state.pc));
      expect(r.line).toBeGreaterThan(0);
    }
  });

  it('evaluates watch expressions in one request: values agree with the state, errors stay with their expression', async () => {
    const s = service();
    const src = ['r1 = -2', 'r2 = 7', '*(u32 *)(r10 - 8) = r2', 'r0 = 0', 'exit', ''].join('\n');
    const o = await s.ask(open('w.s', new TextEncoder().encode(src)));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    let st: Response = c;
    for (let i = 0; i < 3; i++) st = await s.ask({ kind: 'step', session: c.session, mode: 'into' });
    if (st.kind !== 'stopped') throw new Error(JSON.stringify(st));
    const r = await s.ask({ kind: 'evaluate', session: c.session, expressions: ['r1', '(s64)r1', '*(u32 *)(r10 - 8)', 'r1 +', '*(u64 *)0', 'r2 == 7 && *(u32 *)(r10 - 8) > 3'] });
    if (r.kind !== 'values') throw new Error(JSON.stringify(r));
    expect(r.pc).toBe(st.state.pc);
    const slot = st.state.frames[0].slots.find((x) => x.offset === -8);
    expect(r.values[0]).toEqual({ value: st.state.registers[1].value, signed: false });
    expect(r.values[1]).toEqual({ value: st.state.registers[1].value, signed: true });
    // The slot's first four bytes, little-endian.
    expect(r.values[2]).toEqual({ value: `0x${parseHex(slot!.bytes!).slice(0, 4).reverse().reduce((a, b) => a * 256 + b, 0).toString(16)}`, signed: false });
    expect(r.values[3]).toMatchObject({ error: expect.any(String), column: expect.any(Number) });
    expect(r.values[4]).toMatchObject({ error: expect.stringContaining('cannot read') });
    expect(r.values[5]).toEqual({ value: '0x1', signed: false });
    expect(await s.ask({ kind: 'evaluate', session: 999, expressions: ['r0'] })).toMatchObject({ kind: 'error', code: 'session.no-session' });
  });

  it('frames of bpf-to-bpf calls carry their function and the source line the listing shows before their pc', async () => {
    const s = service();
    const o = await s.ask(open('subprog_loop.o', readFileSync(path.join(EXAMPLES, 'subprog_loop.o'))));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const prog = o.document.programs.find((p) => p.name === 'keep_all');
    if (!prog) throw new Error('no keep_all');
    const l = await s.ask({ kind: 'listing', document: o.document.id, program: prog.index, start: 0, count: 10_000 });
    if (l.kind !== 'listing') throw new Error(JSON.stringify(l));
    const callee = l.lines.findIndex((x) => x.kind === 'label' && x.label === 'fold16');
    const insideAt = l.lines.findIndex((x, i) => i > callee && x.kind === 'insn' && l.lines[i - 1].kind === 'source' && i - 1 > callee + 2);
    const inside = l.lines[insideAt];
    if (inside?.kind !== 'insn') throw new Error('no instruction with a source line in fold16');
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: prog.index });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    await s.ask({ kind: 'breakpoint.toggle', session: c.session, pc: inside.pc });
    const hit = await s.ask({ kind: 'run', session: c.session });
    if (hit.kind !== 'stopped') throw new Error(JSON.stringify(hit));
    expect(hit).toMatchObject({ reason: 'breakpoint', state: { pc: inside.pc } });
    const [inner, outer] = hit.state.frames;
    expect(hit.state.frames).toHaveLength(2);
    expect(inner).toMatchObject({ index: 0, pc: inside.pc, function: 'fold16' });
    const before = l.lines[insideAt - 1];
    if (before.kind !== 'source') throw new Error('unreachable');
    expect(inner.source).toMatchObject({ file: before.source.file, line: before.source.line, text: before.source.text });
    // The caller sits at its call instruction.
    const call = l.lines.find((x) => x.kind === 'insn' && x.pc === outer.pc);
    expect(call).toMatchObject({ kind: 'insn', text: expect.stringMatching(/^call /) });
    expect(outer).toMatchObject({ index: 1, function: 'keep_all', source: { line: expect.any(Number) } });
  });

  it('edits registers while paused; a reverse step undoes the edit', async () => {
    const s = service();
    const o = await s.ask(open('p.s', new TextEncoder().encode('r1 = 5\nr0 = r1\nexit\n')));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    await s.ask({ kind: 'step', session: c.session, mode: 'into' });
    const value = '0xfffffffffffffffe';
    const set = await s.ask({ kind: 'register.set', session: c.session, register: 1, value });
    expect(set).toMatchObject({ kind: 'state', state: { registers: expect.arrayContaining([{ name: 'r1', value }]) } });
    // Back undoes the edit and the step before it; forward again, edit again, and the program sees it.
    expect(await s.ask({ kind: 'step', session: c.session, mode: 'back' })).toMatchObject({ state: { pc: 0, registers: expect.arrayContaining([{ name: 'r1', value: '0x0' }]) } });
    await s.ask({ kind: 'step', session: c.session, mode: 'into' });
    await s.ask({ kind: 'register.set', session: c.session, register: 1, value });
    const end = await s.ask({ kind: 'run', session: c.session });
    expect(end).toMatchObject({ kind: 'stopped', state: { message: `exited with r0 = ${value}` } });
    expect(await s.ask({ kind: 'register.set', session: c.session, register: 9, value: '0x1' })).toMatchObject({ kind: 'state' });
  });

  it('kprobe inputs: pt_regs by name, memory probe_read reaches, map entries edited before the program runs', async () => {
    const s = service();
    const bytes = readFileSync(path.join(EXAMPLES, 'kprobe_openat.o'));
    const o = await s.ask(open('kprobe_openat.o', bytes));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    const id = c.session;
    // The maps the object declares, from engine/obj.
    const obj = loadObject(bytes, { file: 'kprobe_openat.o' }).object!;
    expect(c.state.maps.map((m) => [m.name, m.keySize, m.valueSize, m.maxEntries])).toEqual(obj.maps.map((m) => [m.kernelName, m.keySize, m.valueSize, m.maxEntries]));
    expect(c.state.maps.map((m) => m.editing)).toEqual(['entries', 'entries']);

    const info = await s.ask({ kind: 'inputs', session: id });
    if (info.kind !== 'inputs') throw new Error(JSON.stringify(info));
    expect(info.info.inputs.type).toBe('kprobe');
    expect(info.info.fields.map((f) => f.name)).toEqual(progType('kprobe')!.fields.map((f) => f.name));
    const si = info.info.fields.find((f) => f.name === 'si')!;

    // pt_regs->si holds the filename pointer; point it at a string in kernel memory.
    const name = '/etc/passwd';
    const address = 0xffff888200100000n;
    const ctx = new Uint8Array(info.info.ctxSize);
    new DataView(ctx.buffer).setBigUint64(si.offset, address, true);
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
    const restarted = await s.ask({
      kind: 'session.restart', session: id,
      inputs: { type: 'kprobe', ctx: hex(ctx), memory: [{ address: `0x${address.toString(16)}`, bytes: hex(new TextEncoder().encode(`${name}\0`)), user: false }] },
    });
    expect(restarted).toMatchObject({ kind: 'session', session: id, state: { pc: 0, status: 'ready' } });
    expect(await s.ask({ kind: 'inputs', session: id })).toMatchObject({ kind: 'inputs', info: { memoryAddresses: ['0xffff888200100000'] } });

    // The program counts opens per pid (the simulated task's pid): start the count at 41.
    const pid = new Uint8Array(4);
    // get_current_pid_tgid() >> 32: the simulated task's tgid.
    new DataView(pid.buffer).setUint32(0, new Kernel().task.tgid, true);
    const value = new Uint8Array(48);
    value[0] = 41;
    const added = await s.ask({ kind: 'map.update', session: id, map: 0, key: hex(pid), value: hex(value), flag: 'noexist' });
    if (added.kind !== 'state') throw new Error(JSON.stringify(added));
    expect(added.message).toContain('reverse-execution history cleared');
    expect(added.state.maps[0]).toMatchObject({ total: 1, entries: [{ key: hex(pid), value: hex(value) }] });
    expect(await s.ask({ kind: 'map.update', session: id, map: 0, key: hex(pid), value: hex(value), flag: 'noexist' })).toMatchObject({ kind: 'error', code: 'session.edit-map' });
    expect(await s.ask({ kind: 'map.update', session: id, map: 0, key: '01', value: hex(value), flag: 'any' })).toMatchObject({ kind: 'error', message: expect.stringContaining('key must be 4 bytes') });

    const end = await s.ask({ kind: 'run', session: id });
    if (end.kind !== 'stopped') throw new Error(JSON.stringify(end));
    expect(end.reason).toBe('exit');
    const entry = end.state.maps[0].entries[0];
    const v = parseHex(entry.value);
    expect(new DataView(v.buffer).getBigUint64(0, true)).toBe(42n);
    expect(new TextDecoder().decode(v.subarray(16, 16 + name.length))).toBe(name);

    // Deleting it and running again from the start: the program creates the entry with count 1.
    expect(await s.ask({ kind: 'map.delete', session: id, map: 0, key: hex(pid) })).toMatchObject({ kind: 'state', state: { maps: [{ total: 0 }, {}] } });
    const again = await s.ask({ kind: 'console', session: id, line: 'run' });
    if (again.kind !== 'console' || !again.state) throw new Error(JSON.stringify(again));
    // `run` relaunches with the applied inputs (the memory input is mapped again).
    expect(again.state.status).toBe('exited');
    const fresh = parseHex(again.state.maps[0].entries[0].value);
    expect(new DataView(fresh.buffer).getBigUint64(0, true)).toBe(1n);
    expect(new TextDecoder().decode(fresh.subarray(16, 16 + name.length))).toBe(name);
  });

  it('tracing inputs: u64 args[] by index reach an fentry program', async () => {
    const s = service();
    const o = await s.ask(open('fentry_args.o', readFileSync(path.join(EXAMPLES, 'fentry_args.o'))));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    const info = await s.ask({ kind: 'inputs', session: c.session });
    if (info.kind !== 'inputs') throw new Error(JSON.stringify(info));
    expect(info.info.inputs.type).toBe('tracing');
    expect(info.info.fields.slice(0, 2)).toEqual([{ name: 'args[0]', offset: 0, size: 8 }, { name: 'args[1]', offset: 8, size: 8 }]);
    const ctx = new Uint8Array(info.info.ctxSize);
    const args = [1n, 2n, 3n, 4n, 5n, 0x1_0000_0007n];
    args.forEach((v, i) => new DataView(ctx.buffer).setBigUint64(8 * i, v, true));
    const hex = Array.from(ctx, (x) => x.toString(16).padStart(2, '0')).join(' ');
    expect(await s.ask({ kind: 'session.restart', session: c.session, inputs: { type: 'tracing', ctx: hex, memory: [] } })).toMatchObject({ kind: 'session' });
    const end = await s.ask({ kind: 'run', session: c.session });
    if (end.kind !== 'stopped') throw new Error(JSON.stringify(end));
    expect(end.reason).toBe('exit');
    // struct call_info { start_ns, args_sum, ret, flags }: the sum of args[0..4] and (u32)args[5].
    const v = parseHex(end.state.maps[0].entries[0].value);
    const dv = new DataView(v.buffer);
    expect(dv.getBigUint64(8, true)).toBe(args.slice(0, 5).reduce((a, b) => a + b));
    expect(dv.getBigUint64(24, true)).toBe(args[5] & 0xffffffffn);
  });

  it('syscall inputs: the raw ctx buffer is what the program reads', async () => {
    const s = service();
    const o = await s.ask(open('syscall_prog.o', readFileSync(path.join(EXAMPLES, 'syscall_prog.o'))));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    // struct args { u64 a, b, result; s32 status; }: compute() returns 1 when b == 0, else 0.
    const ctx = (a: bigint, b: bigint): string => {
      const bytes = new Uint8Array(32);
      new DataView(bytes.buffer).setBigUint64(0, a, true);
      new DataView(bytes.buffer).setBigUint64(8, b, true);
      return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join(' ');
    };
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: 0, inputs: { type: 'syscall', ctx: ctx(100n, 0n), memory: [] } });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    expect(await s.ask({ kind: 'inputs', session: c.session })).toMatchObject({ kind: 'inputs', info: { inputs: { type: 'syscall', ctx: ctx(100n, 0n) }, ctxSize: 32 } });
    expect(await s.ask({ kind: 'run', session: c.session })).toMatchObject({ kind: 'stopped', reason: 'exit', state: { message: 'exited with r0 = 0x1' } });
    await s.ask({ kind: 'session.restart', session: c.session, inputs: { type: 'syscall', ctx: ctx(100n, 7n), memory: [] } });
    expect(await s.ask({ kind: 'run', session: c.session })).toMatchObject({ kind: 'stopped', reason: 'exit', state: { message: 'exited with r0 = 0x0' } });
  });

  it('edits an array value in place; the program sees it', async () => {
    const s = service();
    const bytes = readFileSync(path.join(EXAMPLES, 'tp_counter.o'));
    const o = await s.ask(open('tp_counter.o', bytes));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const c = await s.ask({ kind: 'session.create', document: o.document.id, program: 0 });
    if (c.kind !== 'session') throw new Error(JSON.stringify(c));
    const m = c.state.maps.find((x) => x.name === 'writes_per_cpu')!;
    // Arrays list their non-zero elements only: all zero at the start.
    expect(m).toMatchObject({ type: 'array', editing: 'values', total: 64, keySize: 4, valueSize: 8, entries: [], zeroesOmitted: true });
    expect(c.state.maps.find((x) => x.name === 'events')).toMatchObject({ type: 'ringbuf', editing: 'none' });
    const set = await s.ask({ kind: 'map.update', session: c.session, map: m.index, key: '00 00 00 00', value: '29 00 00 00 00 00 00 00', flag: 'exist' });
    if (set.kind !== 'state') throw new Error(JSON.stringify(set));
    expect(set.message).not.toContain('history cleared');
    expect(set.state.maps[m.index].entries).toEqual([{ key: '00 00 00 00', value: '29 00 00 00 00 00 00 00' }]);
    const end = await s.ask({ kind: 'run', session: c.session });
    if (end.kind !== 'stopped') throw new Error(JSON.stringify(end));
    // count_write adds one for the current CPU (0): 41 + 1.
    expect(end.state.maps[m.index].entries[0].value).toBe('2a 00 00 00 00 00 00 00');
    expect(await s.ask({ kind: 'map.delete', session: c.session, map: m.index, key: '00 00 00 00' })).toMatchObject({ kind: 'error', message: expect.stringContaining('cannot be deleted') });
  });

  it('verifies a program: verdict, first error, log levels and the abstract state at an instruction', async () => {
    const s = service();
    const bytes = readFileSync(path.join(EXAMPLES, 'xdp_parse.o'));
    const o = await s.ask(open('xdp_parse.o', bytes));
    if (o.kind !== 'opened' || !o.document) throw new Error(JSON.stringify(o));
    const doc = o.document.id;
    expect(await s.ask({ kind: 'verifier.state', document: doc, program: 0, pc: 0 })).toMatchObject({ kind: 'error', code: 'verifier.not-run' });
    const prog = loadObject(bytes, { file: 'xdp_parse.o' }).object!.programs[0];
    const maps = loadObject(bytes, { file: 'xdp_parse.o' }).object!.maps.map((m) => ({ name: m.kernelName, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries }));
    for (const level of [1, 2] as const) {
      const r = await s.ask({ kind: 'verify', document: doc, program: 0, logLevel: level });
      if (r.kind !== 'verified') throw new Error(JSON.stringify(r));
      const direct = verify(prog.insns, { progType: 'xdp', logLevel: level, maps, license: 'GPL' });
      expect(r.report).toMatchObject({ verdict: direct.verdict, processed: direct.processed, log: direct.log, progType: 'xdp', logLevel: level });
    }
    const st = await s.ask({ kind: 'verifier.state', document: doc, program: 0, pc: 0 });
    if (st.kind !== 'verifier-state') throw new Error(JSON.stringify(st));
    const direct = verify(prog.insns, { progType: 'xdp', logLevel: 0, maps, license: 'GPL' }).states.get(0)!;
    expect(st.states[0].registers.find((r) => r.name === 'R1')?.value).toBe(printReg(direct[0].frames[0].regs[1], 0));

    // A rejected assembly program: reading an uninitialized register.
    const bad = 'r0 = r2\nexit\n';
    const a = await s.ask(open('bad.s', new TextEncoder().encode(bad)));
    if (a.kind !== 'opened' || !a.document) throw new Error(JSON.stringify(a));
    const r = await s.ask({ kind: 'verify', document: a.document.id, program: 0, logLevel: 1 });
    if (r.kind !== 'verified') throw new Error(JSON.stringify(r));
    const expected = verify(parse(bad).insns, { progType: 'socket_filter', logLevel: 1 });
    expect(r.report).toMatchObject({ verdict: 'reject', progType: 'socket_filter', error: { pc: expected.error!.pc, message: expected.error!.message } });
    expect(await s.ask({ kind: 'verify', document: a.document.id, program: 0, logLevel: 1, progType: 'nope' })).toMatchObject({ kind: 'error', code: 'verifier.prog-type' });
    expect(await s.ask({ kind: 'verify', document: a.document.id, program: 0, logLevel: 2, progType: 'kprobe' })).toMatchObject({ kind: 'verified', report: { progType: 'kprobe' } });
  });
});

function parseHex(text: string): Uint8Array {
  return Uint8Array.from(text.split(' '), (x) => parseInt(x, 16));
}
