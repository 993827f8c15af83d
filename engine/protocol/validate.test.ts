// The protocol validators accept every well-formed message and name the field of a malformed one.
import { describe, expect, it } from 'vitest';
import { checkEngineMessage, checkMenuMessage, checkRequestMessage, parseRequestText } from './validate';
import { decodeBase64, encodeBase64 } from './base64';
import { LIMITS, type Request } from './messages';

const req = (request: unknown, id: unknown = 1) => checkRequestMessage({ type: 'request', id, request });

describe('request validation', () => {
  const good: Request[] = [
    { kind: 'hello' },
    { kind: 'open', name: 'a.o', base64: 'AAEC', format: 'auto' },
    { kind: 'close', document: 3 },
    { kind: 'listing', document: 1, program: 0, start: 512, count: 512 },
    { kind: 'locate', document: 1, program: 0, pc: 12 },
    { kind: 'session.create', document: 1, program: 2 },
    { kind: 'run', session: 1 },
    { kind: 'step', session: 1, mode: 'back' },
    { kind: 'breakpoint.toggle', session: 1, pc: 7 },
    { kind: 'state', session: 1 },
    { kind: 'console', line: 'info registers' },
    { kind: 'console', session: 2, line: 'x/4x $r10-16' },
    { kind: 'cancel', target: 9 },
    { kind: 'session.create', document: 1, program: 0, inputs: { type: 'xdp', packet: 'ff ff 00', memory: [] } },
    { kind: 'session.restart', session: 1, inputs: { type: 'kprobe', ctx: '00 01', memory: [{ address: '0xffff888200100000', bytes: '2f 00', user: false }, { bytes: '', user: true }] } },
    { kind: 'inputs', session: 1 },
    { kind: 'register.set', session: 1, register: 9, value: '0xffffffffffffffff' },
    { kind: 'map.update', session: 1, map: 0, key: '00 00 00 00', value: '01', flag: 'noexist' },
    { kind: 'map.delete', session: 1, map: 2, key: '00' },
    { kind: 'verify', document: 1, program: 0, logLevel: 2 },
    { kind: 'verify', document: 1, program: 0, logLevel: 1, progType: 'xdp' },
    { kind: 'verifier.state', document: 1, program: 0, pc: 4 },
  ];
  it.each(good)('accepts $kind', (r) => {
    expect(req(r)).toEqual({ ok: true, value: { type: 'request', id: 1, request: r } });
  });

  it.each([
    [{ kind: 'nope' }, 'message.request.kind must be one of'],
    [{ kind: 'close' }, 'message.request.document is missing'],
    [{ kind: 'close', document: 1.5 }, 'message.request.document must be an integer'],
    [{ kind: 'close', document: -1 }, 'message.request.document must be in'],
    [{ kind: 'close', document: '1' }, 'message.request.document must be an integer'],
    [{ kind: 'close', document: 1, extra: true }, 'message.request.extra is not a known field'],
    [{ kind: 'step', session: 1, mode: 'sideways' }, 'message.request.mode must be one of into, over, out, back'],
    [{ kind: 'register.set', session: 1, register: 10, value: '0x1' }, 'message.request.register must be in 0..9'],
    [{ kind: 'register.set', session: 1, register: 1, value: '5' }, 'message.request.value must be a "0x..." 64-bit hex string'],
    [{ kind: 'map.update', session: 1, map: 0, key: '0', value: '01', flag: 'any' }, 'message.request.key must be hex byte pairs'],
    [{ kind: 'map.update', session: 1, map: 0, key: '00', value: '01', flag: 'maybe' }, 'message.request.flag must be one of'],
    [{ kind: 'verify', document: 1, program: 0, logLevel: 0 }, 'message.request.logLevel must be 1 or 2'],
    [{ kind: 'session.restart', session: 1, inputs: { type: 'nope', memory: [] } }, 'message.request.inputs.type must be one of'],
    [{ kind: 'session.restart', session: 1, inputs: { type: 'raw', mem: '00 '.repeat(LIMITS.maxInputBytes + 1).trim(), memory: [] } }, 'message.request.inputs.mem is longer than'],
    [{ kind: 'open', name: 'a', base64: 'AAE', format: 'auto' }, 'message.request.base64 is not valid base64'],
    [{ kind: 'open', name: 'a', base64: 'AA*=', format: 'auto' }, 'message.request.base64 is not valid base64'],
    [{ kind: 'open', name: 'a', base64: 'AAAA', format: 'pdf' }, 'message.request.format must be one of'],
    [{ kind: 'open', name: 'x'.repeat(LIMITS.maxName + 1), base64: '', format: 'auto' }, 'message.request.name is longer than'],
    [{ kind: 'listing', document: 1, program: 0, start: 0, count: LIMITS.maxListingCount + 1 }, 'message.request.count must be in'],
    [{ kind: 'listing', document: 1, program: 0, start: 0, count: 0 }, 'message.request.count must be in'],
    [null, 'message.request must be an object'],
    [['hello'], 'message.request must be an object'],
  ])('rejects %j', (r, error) => {
    const c = req(r);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.error).toContain(error);
  });

  it('rejects a bad envelope', () => {
    expect(checkRequestMessage({ type: 'response', id: 1, request: { kind: 'hello' } }).ok).toBe(false);
    expect(req({ kind: 'hello' }, 2 ** 60).ok).toBe(false);
    expect(req({ kind: 'hello' }, NaN).ok).toBe(false);
    expect(checkRequestMessage('hello').ok).toBe(false);
    expect(checkRequestMessage(undefined).ok).toBe(false);
  });

  it('rejects inherited and prototype-polluting field names', () => {
    expect(parseRequestText('{"type":"request","id":1,"request":{"kind":"hello","__proto__":{"x":1}}}')).toMatchObject({ ok: false, error: 'message.request.__proto__ is not a known field' });
    expect(parseRequestText('{"type":"request","id":1,"request":{"kind":"toString"}}').ok).toBe(false);
    expect(parseRequestText('{"type":"request","id":1,"request":{"kind":"hello","toString":1}}').ok).toBe(false);
  });

  it('reports unparsable JSON and throwing getters instead of throwing', () => {
    expect(parseRequestText('{"type":')).toEqual({ ok: false, error: 'message is not valid JSON' });
    const hostile = { type: 'request', id: 1, get request(): never { throw new Error('boom'); } };
    expect(checkRequestMessage(hostile)).toEqual({ ok: false, error: 'message could not be inspected' });
  });
});

describe('engine message validation', () => {
  it('accepts responses and events of every shape the engine sends', () => {
    const ok = [
      { type: 'response', id: 1, response: { kind: 'hello', version: 1, engine: 'e', features: ['listing'] } },
      { type: 'response', id: 2, response: { kind: 'opened', diagnostics: [{ code: 'x', severity: 'error', message: 'm', byteOffset: 7, section: 'ELF header' }] } },
      {
        type: 'response', id: 3, response: {
          kind: 'listing', document: 1, program: 0, start: 0, total: 3, lines: [
            { kind: 'label', index: 0, pc: 0, label: 'prog' },
            { kind: 'source', index: 0, source: { file: 'a.c', line: 3, column: 1, text: 'return 0;' } },
            { kind: 'insn', index: 0, pc: 0, bytes: 'b7 00 00 00 00 00 00 00', text: 'r0 = 0x0', invalid: false },
          ],
        },
      },
      {
        type: 'response', id: 4, response: {
          kind: 'stopped', reason: 'breakpoint', message: 'Breakpoint 1, pc 4', state: {
            session: 1, pc: 4, status: 'ready', registers: [{ name: 'r0', value: '0xffffffffffffffff' }],
            frames: [{ index: 0, pc: 4, slots: [{ offset: -8, bytes: '00 01 02 03 04 05 06 07', origin: 'spilled r1' }] }], maps: [],
          },
          line: 9,
        },
      },
      { type: 'event', event: { kind: 'console', stream: 'program', text: 'hello\n' } },
      { type: 'event', event: { kind: 'engine-restarted', reason: 'r' } },
    ];
    for (const m of ok) expect(checkEngineMessage(m)).toEqual({ ok: true, value: m });
  });

  it('rejects malformed engine messages', () => {
    expect(checkEngineMessage({ type: 'event', event: { kind: 'console', stream: 'stderr', text: '' } }).ok).toBe(false);
    expect(checkEngineMessage({ type: 'response', id: 1, response: { kind: 'listing', document: 1, program: 0, start: 0, total: 1, lines: [{ kind: 'insn', index: 0, pc: 0, bytes: 'B7', text: '', invalid: false }] } })).toMatchObject({ ok: false, error: 'message.response.lines[0].bytes must be hex byte pairs' });
    expect(checkEngineMessage({ type: 'response', id: 1, response: { kind: 'state', state: { session: 1, pc: 0, status: 'ready', registers: [{ name: 'r0', value: '12' }], frames: [], maps: [] } } }).ok).toBe(false);
    expect(checkEngineMessage({ type: 'request', id: 1, request: { kind: 'hello' } }).ok).toBe(false);
    const state = { session: 1, pc: 0, status: 'ready', registers: [], frames: [], maps: [] };
    expect(checkEngineMessage({ type: 'response', id: 1, response: { kind: 'state', state, line: -1 } }).ok).toBe(true);
    expect(checkEngineMessage({ type: 'response', id: 1, response: { kind: 'state', state, line: -2 } }).ok).toBe(false);
    expect(checkEngineMessage({ type: 'response', id: 1, response: { kind: 'stopped', reason: 'step', message: '', state, line: 1.5 } }).ok).toBe(false);
  });

  it('validates watch evaluation: a batch of expressions, one value or one error per expression', () => {
    expect(req({ kind: 'evaluate', session: 1, expressions: ['r1', '*(u32 *)(r10 - 8)'] }).ok).toBe(true);
    expect(req({ kind: 'evaluate', session: 1, expressions: [] }).ok).toBe(true);
    expect(req({ kind: 'evaluate', session: 1, expressions: ['x'.repeat(1001)] })).toMatchObject({ ok: false, error: 'message.request.expressions[0] is longer than 1000 characters' });
    expect(req({ kind: 'evaluate', session: 1, expressions: Array(1001).fill('r0') }).ok).toBe(false);
    expect(req({ kind: 'evaluate', session: 1, expressions: [1] }).ok).toBe(false);
    const values = (v: unknown[]) => checkEngineMessage({ type: 'response', id: 1, response: { kind: 'values', pc: 3, values: v } });
    expect(values([{ value: '0x1f', signed: false }, { error: 'cannot read 8 bytes at 0x0', column: 1 }, { error: 'empty expression' }]).ok).toBe(true);
    expect(values([{ value: '31', signed: false }]).ok).toBe(false);
    expect(values([{ value: '0x1', signed: false, error: 'both' }]).ok).toBe(false);
    expect(values([{ error: 'e', signed: true }]).ok).toBe(false);
    expect(values([{}]).ok).toBe(false);
    const bps = (b: unknown) => checkEngineMessage({ type: 'response', id: 1, response: { kind: 'breakpoints', breakpoints: [b] } }).ok;
    expect(bps({ id: 1, pc: 3, enabled: true, condition: 'r1 == 2', hits: 4 })).toBe(true);
    expect(bps({ id: 1, pc: 3, enabled: true, hits: -1 })).toBe(false);
    const frame = { index: 0, pc: 4, function: 'f', source: { file: 'a.c', line: 3, column: 0, text: 'x++;' }, slots: [] };
    expect(checkEngineMessage({ type: 'response', id: 1, response: { kind: 'state', state: { session: 1, pc: 4, status: 'ready', registers: [], frames: [frame], maps: [] } } }).ok).toBe(true);
  });

  it('validates menu messages', () => {
    expect(checkMenuMessage({ command: 'step-over' }).ok).toBe(true);
    expect(checkMenuMessage({ command: 'open-file', name: 'a.o', base64: 'AAAA', format: 'object' }).ok).toBe(true);
    expect(checkMenuMessage({ command: 'format-disk' }).ok).toBe(false);
    for (const command of ['toggle-state-panes', 'toggle-bottom-pane', 'reset-layout', 'show-watches', 'show-call-stack']) expect(checkMenuMessage({ command }).ok, command).toBe(true);
    expect(checkMenuMessage({ command: 'open-file', name: 'a.o', base64: '!', format: 'object' }).ok).toBe(false);
  });
});

describe('base64', () => {
  it('round-trips every length and matches Node', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + n * 7) & 255);
      const text = encodeBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(decodeBase64(text)).toEqual(bytes);
    }
  });

  it('refuses text that is not base64', () => {
    expect(decodeBase64('abc')).toBeUndefined();
    expect(decodeBase64('ab=c')).toBeUndefined();
    expect(decodeBase64('abé=')).toBeUndefined();
  });
});
