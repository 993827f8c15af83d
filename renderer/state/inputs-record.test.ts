// Inputs survive the workspace file's flat string record, and only for the program they were set for.
import { describe, expect, it } from 'vitest';
import type { ProgramInputs } from '../../engine/protocol';
import { inputsToRecord, recordToInputs } from './inputs-record';

describe('inputs record', () => {
  const inputs: ProgramInputs = {
    type: 'kprobe', ctx: '00 01 02',
    memory: [{ address: '0xffff888200100000', bytes: '2f 00', user: false }, { bytes: 'aa', user: true }],
  };

  it('round-trips', () => {
    expect(recordToInputs('k.o#trace', inputsToRecord('k.o#trace', inputs))).toEqual(inputs);
    expect(recordToInputs('x.o#xdp', inputsToRecord('x.o#xdp', { type: 'xdp', packet: 'ff ff', memory: [] }))).toEqual({ type: 'xdp', packet: 'ff ff', memory: [] });
  });

  it('refuses another program, an empty record and malformed fields', () => {
    expect(recordToInputs('k.o#other', inputsToRecord('k.o#trace', inputs))).toBeUndefined();
    expect(recordToInputs('k.o#trace', {})).toBeUndefined();
    expect(recordToInputs('k.o#trace', { ...inputsToRecord('k.o#trace', inputs), ctx: 'zz' })).toBeUndefined();
    expect(recordToInputs('k.o#trace', { ...inputsToRecord('k.o#trace', inputs), type: 'nope' })).toBeUndefined();
    expect(recordToInputs('k.o#trace', { ...inputsToRecord('k.o#trace', inputs), 'memory.0.address': '12' })).toBeUndefined();
  });
});
