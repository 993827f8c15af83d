// Program inputs as the workspace file keeps them: a flat record of strings (engine/session/workspace-file's `inputs`).
//
// The record names the program it belongs to, so inputs saved for a kprobe are never applied to
// another program of the same file.
import { RUN_TYPES, type MemoryInput, type ProgramInputs, type RunType } from '../../engine/protocol';

export function inputsToRecord(program: string, p: ProgramInputs): Record<string, string> {
  const r: Record<string, string> = { program, type: p.type };
  if (p.ctx !== undefined) r.ctx = p.ctx;
  if (p.packet !== undefined) r.packet = p.packet;
  if (p.mem !== undefined) r.mem = p.mem;
  p.memory.forEach((m, i) => {
    r[`memory.${i}.bytes`] = m.bytes;
    r[`memory.${i}.user`] = String(m.user);
    if (m.address !== undefined) r[`memory.${i}.address`] = m.address;
  });
  return r;
}

const HEX64 = /^0x[0-9a-f]{1,16}$/;
const HEX_BYTES = /^([0-9a-f]{2}( [0-9a-f]{2})*)?$/;

/** The inputs a record holds for `program`, or undefined when it holds none for it (or is not well formed). */
export function recordToInputs(program: string, r: Readonly<Record<string, string>>): ProgramInputs | undefined {
  if (r.program !== program || !RUN_TYPES.includes(r.type as RunType)) return undefined;
  for (const k of ['ctx', 'packet', 'mem'] as const) if (r[k] !== undefined && !HEX_BYTES.test(r[k])) return undefined;
  const memory: MemoryInput[] = [];
  for (let i = 0; r[`memory.${i}.bytes`] !== undefined; i++) {
    const bytes = r[`memory.${i}.bytes`];
    const address = r[`memory.${i}.address`];
    if (!HEX_BYTES.test(bytes) || (address !== undefined && !HEX64.test(address))) return undefined;
    memory.push({ bytes, user: r[`memory.${i}.user`] === 'true', ...(address !== undefined ? { address } : {}) });
  }
  return {
    type: r.type as RunType,
    ...(r.ctx !== undefined ? { ctx: r.ctx } : {}),
    ...(r.packet !== undefined ? { packet: r.packet } : {}),
    ...(r.mem !== undefined ? { mem: r.mem } : {}),
    memory,
  };
}
