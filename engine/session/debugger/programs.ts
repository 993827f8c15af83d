// The programs one debug run can reach: the debugged program plus the object's others, loaded on demand into prog_array slots for tail calls.
//
// A tail call replaces the running program, so a debugger of a dispatcher that tail-calls parsers has to
// know every program of the object, load each at most once per kernel (breakpoints are patched into a
// loaded Program, so one name must mean one Program), and fill prog_array slots the way user space
// would with bpf_map_update_elem(prog_array, &i, &prog_fd): same type as the array's owner, checked
// with bpf_check_tail_call against the program being debugged.
import { error, type Diagnostic, type Insn } from '../../isa';
import { ERRNO, ProgArrayMap, RUN_PROG_TYPES, type BpfMap, type Kernel, type RunProgType } from '../../kernel';
import { loadProgram, type Program } from '../../interp';

/** A program of the object that tail calls may reach. */
export interface LaunchProgram {
  readonly name: string;
  /** SEC() name, also accepted where a program is named. */
  readonly section?: string;
  readonly insns: readonly Insn[];
  /** Run-time type its section implies. */
  readonly type: RunProgType;
}

/** MAP:INDEX=PROGRAM[@TYPE]: put PROGRAM into slot INDEX of the prog_array MAP (as `bpfdbg run --tail` does). */
export interface TailSpec {
  readonly map: string;
  readonly index: number;
  readonly program: string;
  /** Load the program as this type ('dtrace': seed 002's DTrace type) instead of its section's. */
  readonly type?: RunProgType | 'dtrace';
}

/** Parses `MAP:INDEX=PROGRAM[@TYPE],...` (the --tail flag of run and debug). */
export function parseTailSpecs(text: string): { specs: TailSpec[]; error?: string } {
  const specs: TailSpec[] = [];
  for (const part of text.split(',').filter((p) => p.trim())) {
    const m = /^\s*([^:=\s]+):(\d+)=([^@\s]+)(?:@([a-z_]+))?\s*$/.exec(part);
    if (!m) return { specs, error: `${JSON.stringify(part)} is not MAP:INDEX=PROGRAM[@TYPE]` };
    if (m[4] !== undefined && m[4] !== 'dtrace' && !(RUN_PROG_TYPES as readonly string[]).includes(m[4])) {
      return { specs, error: `type ${m[4]} is not one of ${[...RUN_PROG_TYPES, 'dtrace'].join(', ')}` };
    }
    specs.push({ map: m[1], index: Number(m[2]), program: m[3], ...(m[4] !== undefined ? { type: m[4] as RunProgType | 'dtrace' } : {}) });
  }
  return { specs };
}

/** "counts is an array map, not a prog_array". */
export function notProgArray(name: string, type: string): string {
  return `${name} is ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} map, not a prog_array`;
}

export class ProgramCatalog {
  private readonly loaded = new Map<string, Program>();

  /**
   * @param entry the Program the run started in (already loaded by prepareRun)
   * @param runType the type the debugged program runs as (bpf_check_tail_call compares with it)
   * @param mapNames the object's names of `maps` (the kernel's names may be truncated), same order
   */
  constructor(
    private readonly kernel: Kernel,
    private readonly maps: readonly BpfMap[],
    private readonly programs: readonly LaunchProgram[],
    readonly entry: Program,
    private readonly runType: RunProgType,
    private readonly mapNames: readonly (string | undefined)[] = [],
  ) {
    this.loaded.set(entry.name, entry);
  }

  /** Program names, the debugged one first. */
  names(): string[] {
    const out = [this.entry.name];
    for (const p of this.programs) if (p.name !== this.entry.name) out.push(p.name);
    return out;
  }

  /** The catalog's name for a program named by function or SEC() name; undefined when the object has none. */
  resolve(name: string): string | undefined {
    if (name === this.entry.name) return name;
    return (this.programs.find((p) => p.name === name) ?? this.programs.find((p) => p.section === name))?.name;
  }

  /** A program already loaded into this run (undefined: it cannot be running, nothing put it in a slot). */
  loadedProgram(name: string): Program | undefined {
    return this.loaded.get(name);
  }

  /** The instructions of any program of the catalog (loaded or not). */
  insnsOf(name: string): readonly Insn[] | undefined {
    return name === this.entry.name ? this.entry.insns : this.programs.find((p) => p.name === name)?.insns;
  }

  /** The prog_array map named `name` (object or kernel name), or why there is none. */
  progArray(name: string): ProgArrayMap | string {
    const i = this.maps.findIndex((m, k) => m.name === name || this.mapNames[k] === name);
    const m = this.maps[i];
    if (!m) return `no map named ${name} (maps: ${this.maps.map((x) => x.name).join(', ') || 'none'})`;
    return m instanceof ProgArrayMap ? m : notProgArray(name, m.type);
  }

  /** Loads a program (once) as the given type, with the object's maps. */
  private load(p: { name: string; insns: readonly Insn[] }, type: RunProgType | 'dtrace'): Program {
    const have = this.loaded.get(p.name);
    if (have) return have;
    const prog = loadProgram(this.kernel, p.insns, { type: type === 'dtrace' ? 'raw' : type, mapsByFd: new Map(this.maps.map((m, i) => [i, m] as const)), mapsByIndex: [...this.maps], name: p.name });
    if (type === 'dtrace') this.kernel.crossType?.setProgramType(prog, 'dtrace');
    this.loaded.set(p.name, prog);
    return prog;
  }

  /**
   * bpf_map_update_elem(prog_array, index, program) from user space, then bpf_check_tail_call for the
   * debugged program: an error text (the kernel's reason) or the program put there.
   */
  fill(spec: TailSpec): { program: Program; array: ProgArrayMap } | { error: string } {
    const array = this.progArray(spec.map);
    if (typeof array === 'string') return { error: array };
    const name = this.resolve(spec.program);
    if (name === undefined) return { error: `no program named ${spec.program} (programs: ${this.names().join(', ')})` };
    const source = name === this.entry.name ? { name, insns: this.entry.insns, type: this.runType } : this.programs.find((p) => p.name === name)!;
    const type = spec.type ?? source.type;
    if (type === 'dtrace' && !this.kernel.crossType) return { error: 'the dtrace type needs seed 002\'s cross-type tail calls registered before the run starts (give it with --tail at launch)' };
    if (spec.index < 0 || spec.index >= array.def.maxEntries) return { error: `${spec.map}: index ${spec.index} is out of range (max_entries ${array.def.maxEntries}): E2BIG` };
    if (array.ownerType !== undefined && array.ownerType !== type) return { error: `${spec.map} holds ${array.ownerType} programs, not ${type}: EINVAL` };
    const program = this.load(source, type);
    const before = array.ownerType;
    const rc = array.setProgram(spec.index, program, type);
    if (rc !== 0) return { error: `${spec.map}: slot ${spec.index}: ${rc === -ERRNO.E2BIG ? 'E2BIG' : 'EINVAL'}` };
    const check = this.kernel.crossType ? this.kernel.crossType.checkTailCall(array, this.runType) : array.ownerType === this.runType ? 0 : -ERRNO.EINVAL;
    if (check !== 0) {
      array.slots[spec.index] = undefined;
      array.ownerType = before;
      return { error: `bpf_check_tail_call: a ${this.runType} program cannot use ${spec.map}, which holds ${type} programs: EINVAL` };
    }
    return { program, array };
  }

  /** Fills the slots a launch asks for; the first failure is a diagnostic. */
  fillAll(specs: readonly TailSpec[]): Diagnostic[] {
    for (const s of specs) {
      const r = this.fill(s);
      if ('error' in r) return [error('debug.tail', `--tail ${s.map}:${s.index}=${s.program}: ${r.error}`)];
    }
    return [];
  }
}
