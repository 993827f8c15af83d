// The engine service answers every request once, with messages that pass the protocol validator.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkEngineMessage, encodeBase64, type EngineMessage, type Request, type Response } from '../protocol';
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
    if (r.kind === 'hello') expect([...r.features].sort()).toEqual(['breakpoints', 'console', 'listing', 'open-asm', 'open-object', 'open-raw', 'registers', 'run', 'stack', 'step', 'step-back']);
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
});
