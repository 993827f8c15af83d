// The CLI dispatcher: usage, help, unknown commands and exit statuses.
import { describe, expect, it } from 'vitest';
import { main } from './main';
import { memoryIO } from './memory-io';

describe('bpfdbg dispatcher', () => {
  it('lists every command with its summary on --help and exits 0', async () => {
    const m = memoryIO({});
    expect(await main(['--help'], m.io)).toBe(0);
    for (const c of ['asm', 'disasm', 'run', 'verify', 'debug', 'test', 'conformance-plugin']) expect(m.out()).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
  });

  it('exits 2 with usage on no command or an unknown one', async () => {
    const none = memoryIO({});
    expect(await main([], none.io)).toBe(2);
    expect(none.err()).toMatch(/^usage: bpfdbg/);
    const unknown = memoryIO({});
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toMatch(/unknown command 'frobnicate'/);
  });

  it('shows one command\'s usage with help <command>', async () => {
    const m = memoryIO({});
    expect(await main(['help', 'disasm'], m.io)).toBe(0);
    expect(m.out()).toMatch(/usage: bpfdbg disasm FILE/);
    expect(await main(['help', 'nope'], memoryIO({}).io)).toBe(2);
  });
});
