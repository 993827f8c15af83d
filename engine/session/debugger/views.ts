// The paused program's state as plain data for the UI and the command interpreter: registers, frames with their stack slots, console output.
import type { SourceLine } from './breakpoints';
import type { Debugger, SlotOrigin } from './debugger';
import type { MapInfo } from './target';

export interface RegisterView {
  readonly name: string;
  readonly value: bigint;
  /** The verifier's abstract type at this pc ("scalar(umin=0,umax=255)", "fp-8", "map_value(...)"), where a verifier run is attached. */
  readonly abstractType?: string;
  /** The memory region the value points into, when it is a mapped address. */
  readonly pointsTo?: string;
}

export interface SlotView {
  /** Offset from the frame's r10: -8, -16, ... -stackSize. */
  readonly offset: number;
  readonly name: string;
  readonly addr: bigint;
  /** The slot's 8 bytes, little-endian; undefined if unreadable. */
  readonly bytes: Uint8Array | undefined;
  readonly value: bigint | undefined;
  readonly origin: SlotOrigin;
}

export interface FrameView {
  /** 0 = innermost. */
  readonly index: number;
  readonly pc: number;
  readonly entry: number;
  readonly function?: string;
  readonly returnPc?: number;
  readonly fp: bigint;
  /** The program the frame runs (tail calls replace it); undefined for single-program targets. */
  readonly program?: string;
  readonly source?: SourceLine;
  readonly slots: readonly SlotView[];
}

/** Optional per-pc knowledge the UI can attach: function names (from symbols), verifier types (from a verifier run). */
export interface ViewContext {
  readonly functions?: ReadonlyMap<number, string>;
  readonly abstractTypes?: (pc: number, reg: number) => string | undefined;
}

export function registersView(dbg: Debugger, ctx: ViewContext = {}): RegisterView[] {
  const pc = dbg.target.pc();
  const out: RegisterView[] = [];
  for (let n = 0; n <= 10; n++) {
    const t = ctx.abstractTypes?.(pc, n);
    const value = dbg.target.reg(n);
    // Small values are scalars, not worth a region lookup.
    const to = value > 0xffffffffn ? dbg.target.describeAddress?.(value) : undefined;
    out.push({ name: `r${n}`, value, ...(t !== undefined ? { abstractType: t } : {}), ...(to !== undefined ? { pointsTo: to } : {}) });
  }
  return out;
}

function le64(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** A frame's stack as 8-byte slots below r10, innermost frame first. */
export function framesView(dbg: Debugger, ctx: ViewContext = {}): FrameView[] {
  return dbg.frames().map((f, index) => {
    const slots: SlotView[] = [];
    for (let off = -8; off >= -f.stackSize; off -= 8) {
      const addr = f.fp + BigInt(off);
      const r = dbg.target.read(addr, 8);
      const bytes = r instanceof Uint8Array ? r : undefined;
      slots.push({ offset: off, name: `fp${off}`, addr, bytes, value: bytes ? le64(bytes) : undefined, origin: dbg.slotOrigin(addr) });
    }
    // pcs, lines and function names are the frame's own program's (after a tail call, not the debugged one's).
    const source = dbg.lineOf(f.pc, f.program);
    const fns = dbg.functionsOf(f.program) ?? (f.program === undefined || f.program === dbg.entryProgram ? ctx.functions : undefined);
    const fn = fns?.get(f.entry);
    return {
      index, pc: f.pc, entry: f.entry, fp: f.fp, slots,
      ...(f.program !== undefined ? { program: f.program } : {}),
      ...(fn !== undefined ? { function: fn } : {}),
      ...(f.returnPc !== undefined ? { returnPc: f.returnPc } : {}),
      ...(source ? { source } : {}),
    };
  });
}

/** The run's maps with their current entries (empty when the target has no maps view). */
export function mapsView(dbg: Debugger): readonly MapInfo[] {
  return dbg.target.maps?.() ?? [];
}

export function consoleView(dbg: Debugger): readonly string[] {
  return dbg.target.output();
}

export function describeOrigin(o: SlotOrigin): string {
  const of = 'program' in o && o.program !== undefined ? ` of ${o.program}` : '';
  switch (o.kind) {
    case 'spill':
      return `spilled r${o.reg} at pc ${o.pc}${of}`;
    case 'store':
      return `${o.size}-byte ${o.reg !== undefined ? `store of r${o.reg}` : 'immediate store'} at pc ${o.pc}${of}`;
    case 'atomic':
      return `atomic update at pc ${o.pc}${of}`;
    case 'helper':
      return `written by the helper call at pc ${o.pc}${of}`;
    case 'edit':
      return 'set by the user';
    case 'uninit':
      return 'uninitialized';
  }
}
