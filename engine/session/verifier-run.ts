// The verifier for hosts: verdict, first error, log and the per-instruction abstract states of a document's program, as plain data.
//
// A thin facade over engine/verifier's verify(): it finds what the verifier needs that the
// workspace does not keep (the object's maps and license, the program's sleepable flag) and turns
// abstract states into the kernel's own log spelling, which users already read.
import { error, type Diagnostic } from '../isa';
import { PROG_TYPES } from '../kernel/prog-types';
import { loadObject } from '../obj/object';
import { printReg, verify, type MapInfo, type VerifierState, type VerifyOptions, type VerifyResult } from '../verifier';
import type { WorkspaceDocument } from './workspace';

export interface VerificationReport {
  readonly verdict: 'accept' | 'reject';
  readonly error?: { readonly pc: number; readonly message: string; readonly code: string };
  readonly processed: number;
  readonly logLevel: 1 | 2;
  readonly log: string;
  readonly logOmitted?: number;
  readonly progType: string;
  readonly unsupported: boolean;
  readonly progTypes: readonly string[];
}

export interface AbstractStateView {
  readonly frame: number;
  readonly registers: { readonly name: string; readonly value: string }[];
  readonly stack: { readonly offset: number; readonly value: string }[];
}

/** Log characters a report keeps (the protocol's LIMITS.maxVerifierLog): the end, where the verdict is. */
export const MAX_LOG = 2 * 1024 * 1024;

/** What a raw bytecode or assembly program is verified as when the user picks nothing (as `bpfdbg verify` does). */
export const DEFAULT_PROG_TYPE = 'socket_filter';

export const PROG_TYPE_NAMES: readonly string[] = Object.keys(PROG_TYPES);

export interface Verification {
  readonly report: VerificationReport;
  readonly states: VerifyResult['states'];
}

/**
 * Verifies one program of a document; the file's program type unless `progType` names another. `onProgress` is
 * verify()'s progress and cancel hook: a stopped verification answers the diagnostic verifier.cancelled.
 */
export function verifyProgram(doc: WorkspaceDocument, programIndex: number, logLevel: 1 | 2, progType?: string, onProgress?: VerifyOptions['onProgress']): { verification?: Verification; diagnostics: Diagnostic[] } {
  const prog = doc.programs[programIndex];
  if (!prog) return { diagnostics: [error('verifier.no-program', `${doc.name} has no program ${programIndex}`)] };
  if (progType !== undefined && !PROG_TYPES[progType]) {
    return { diagnostics: [error('verifier.prog-type', `unknown program type ${progType} (known: ${PROG_TYPE_NAMES.join(', ')})`)] };
  }
  let maps: MapInfo[] = [];
  let license: string | undefined;
  let sleepable = false;
  let fileType: string | undefined;
  if (doc.format === 'object') {
    const o = loadObject(doc.bytes, { file: doc.name });
    const p = o.object?.programs.find((x) => x.name === prog.name && x.section === prog.section);
    if (o.object && p) {
      maps = o.object.maps.map((m): MapInfo => ({ name: m.kernelName, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries }));
      license = o.object.license;
      sleepable = p.flags.sleepable;
      fileType = p.type.name;
    }
  }
  const type = progType ?? (fileType && PROG_TYPES[fileType] ? fileType : DEFAULT_PROG_TYPE);
  // A user choosing syscall for raw bytecode means a sleepable syscall program: there is no other kind.
  if (PROG_TYPES[type]?.requiresSleepable) sleepable = true;
  const r = verify(prog.insns, { progType: type, logLevel, maps, license: license ?? 'GPL', sleepable, ...(onProgress ? { onProgress } : {}) });
  if (r.cancelled) return { diagnostics: [error('verifier.cancelled', `verification of ${prog.name} cancelled after ${r.processed} insns`)] };
  // Like the kernel's rotating log buffer: keep the end, say how much of the start was dropped.
  const omitted = Math.max(0, r.log.length - MAX_LOG);
  return {
    verification: {
      report: {
        verdict: r.verdict,
        ...(r.error ? { error: { pc: r.error.pc, message: r.error.message, code: r.error.code } } : {}),
        processed: r.processed, logLevel, log: omitted ? r.log.slice(omitted) : r.log, ...(omitted ? { logOmitted: omitted } : {}), progType: type, unsupported: r.unsupported, progTypes: PROG_TYPE_NAMES,
      },
      states: r.states,
    },
    diagnostics: [],
  };
}

/** A verifier state as the kernel's log spells each register and stack slot, innermost frame only. */
export function describeState(s: VerifierState): AbstractStateView {
  const f = s.frames[s.curframe];
  const registers: AbstractStateView['registers'] = [];
  f.regs.forEach((r, i) => {
    if (r.type !== 'NOT_INIT') registers.push({ name: `R${i}`, value: printReg(r, f.frameno) });
  });
  const stack: AbstractStateView['stack'] = [];
  f.stack.forEach((sl, i) => {
    if (sl.types.every((t) => t === 'INVALID')) return;
    const chars = sl.types.map((t) => ({ INVALID: '?', SPILL: 'r', MISC: 'm', ZERO: '0' })[t]).join('');
    const value = sl.types[7] === 'SPILL' ? printReg(sl.spilled, f.frameno) : chars;
    stack.push({ offset: -(i + 1) * 8, value });
  });
  return { frame: f.frameno, registers, stack };
}
