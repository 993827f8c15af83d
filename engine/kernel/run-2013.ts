// Turns a loaded 2013 program (seed 003) into what the interpreter runs on one simulated kernel.
//
// helpers '2013' (default): the image's tables become hash maps and every helper call goes to the
// 2013 helper set defined on this kernel (helpers-2013.ts), so the program behaves as under the
// RFC's bpf_trace_callbacks.c (plus the table runtime it lacked). helpers 'modern': the plain
// transcoding to modern helpers and maps, i.e. what the program becomes when loaded into today's
// kernel (probe_read, trace_printk, map_lookup/update_elem on maps passed by fd_array index).
import { hasErrors, type Diagnostic, type Insn } from '../isa';
import { transcodeProgram, type Program2013 } from '../isa/ebpf2013';
import { bind2013Helpers, type Binding2013 } from './helpers-2013';
import type { Kernel } from './kernel';
import type { MapDef } from './maps';

/** '2013-faithful': the RFC's runtime exactly, whose table helpers did not exist (HLP-04). */
export type Helpers2013Mode = '2013' | '2013-faithful' | 'modern';

export interface Prepare2013Options {
  readonly helpers?: Helpers2013Mode;
  /** The traced function (trace_printk prefix, dump_stack frame). */
  readonly probe?: string;
}

export interface Prepared2013 {
  /** Modern instructions to run with run type 'kprobe' (struct bpf_context is a struct pt_regs, PT-01). */
  readonly insns: Insn[];
  /** 'modern': the maps the program expects at fd_array index i. */
  readonly maps: MapDef[];
  readonly binding?: Binding2013;
  readonly diagnostics: Diagnostic[];
}

export function prepare2013(k: Kernel, program: Program2013, opts: Prepare2013Options = {}): Prepared2013 | { error: string; diagnostics: Diagnostic[] } {
  if ((opts.helpers ?? '2013') === 'modern') {
    const t = transcodeProgram(program);
    if (hasErrors(t.diagnostics)) return { error: 'the program cannot be transcoded to modern eBPF', diagnostics: t.diagnostics };
    const maps = t.maps.map((m): MapDef => ({ type: 'hash', keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, name: `table${m.index}` }));
    return { insns: t.insns, maps, diagnostics: t.diagnostics };
  }
  const binding = bind2013Helpers(k, program.tables, {
    ...(opts.probe !== undefined ? { probe: opts.probe } : {}), ...(opts.helpers === '2013-faithful' ? { mode: 'faithful-legacy' as const } : {}),
  });
  if (!('idFor' in binding)) return { error: binding.message, diagnostics: [] };
  const t = transcodeProgram(program, { helperIds: binding.idFor });
  if (hasErrors(t.diagnostics)) return { error: 'the program cannot be transcoded', diagnostics: t.diagnostics };
  return { insns: t.insns, maps: [], binding, diagnostics: t.diagnostics };
}
