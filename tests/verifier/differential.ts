// Runs one corpus program through our verifier and through the running kernel (bpf(2)), and compares them.
import { parse } from '../../engine/asm';
import { encode } from '../../engine/isa';
import { verify, type VerifyResult } from '../../engine/verifier';
import { BPF_F_SLEEPABLE, bpfAvailability, closeFd, mapCreate, progLoad } from '../../engine/host/bpf';
import { readFileSync } from 'node:fs';
import type { CorpusCase } from './corpus';

/** nr_cpu_ids of this machine ("0-1" in /sys/devices/system/cpu/possible -> 2), for bpf_get_smp_processor_id. */
export function hostNrCpuIds(): number | undefined {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    const last = text.split(',').pop()!.split('-').pop()!;
    return Number(last) + 1;
  } catch {
    return undefined;
  }
}

export interface KernelVerdict {
  readonly verdict: 'accept' | 'reject';
  /** The last line before the statistics line: the kernel's error message for a rejection. */
  readonly error: string | null;
  readonly log: string;
  /** The errno of a refused load (EACCES for a verifier rejection; EPERM, EINVAL, ... before the verifier ran). */
  readonly errorName?: string;
}

export interface Comparison {
  readonly name: string;
  readonly ours: VerifyResult;
  readonly kernel: KernelVerdict;
  readonly verdictAgrees: boolean;
  readonly errorAgrees: boolean;
  /** The level-1 logs agree after normalising kernel addresses. */
  readonly logAgrees: boolean;
}

/** Kernel map addresses (direct map 0xffff8..., vmalloc 0xffffc9...) in lddw lines differ per load; compare them as one token. */
export function normaliseLog(log: string): string {
  return log.replace(/0xffff(8[0-9a-f]|c9)[0-9a-f]{10}\b/g, '<kaddr>');
}

export function lastErrorLine(log: string): string | null {
  const lines = log.split('\n').filter((l) => l.length > 0);
  const stats = lines.findIndex((l) => l.startsWith('processed '));
  if (stats < 0) {
    // A message printed without a newline runs into the statistics line: "expected prog array map for tail callprocessed 3 insns".
    const glued = lines.findIndex((l) => /.processed \d+ insns \(limit/.test(l));
    if (glued >= 0) return lines[glued].replace(/processed \d+ insns \(limit.*$/, '');
  }
  const before = stats >= 0 ? lines.slice(0, stats) : lines;
  return before.length ? before[before.length - 1] : null;
}

export function assemble(c: CorpusCase) {
  const r = parse(c.asm);
  if (r.diagnostics.some((d) => d.severity === 'error')) {
    throw new Error(`corpus case ${c.name} does not assemble: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  }
  return r.insns;
}

export function oursFor(c: CorpusCase, logLevel: 0 | 1 | 2 = 1): VerifyResult {
  return verify(assemble(c), {
    progType: c.progType, logLevel, license: c.license ?? 'GPL', nrCpuIds: hostNrCpuIds(), sleepable: c.sleepable ?? false,
    maps: (c.maps ?? []).map((m) => ({ ...m })),
  });
}

export function kernelFor(c: CorpusCase, logLevel: 1 | 2 = 1): KernelVerdict {
  const fds: number[] = [];
  try {
    for (const m of c.maps ?? []) {
      const r = mapCreate({ mapType: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries });
      if (!r.ok) throw new Error(`map create for ${c.name} failed: ${r.errorName} ${r.message}`);
      fds.push(r.fd);
    }
    const res = progLoad({ progType: c.progType, insns: encode(assemble(c)), license: c.license ?? 'GPL', logLevel, fdArray: fds, progFlags: c.sleepable ? BPF_F_SLEEPABLE : 0 });
    if (res.ok && res.fd !== undefined) closeFd(res.fd);
    return { verdict: res.ok ? 'accept' : 'reject', error: res.ok ? null : lastErrorLine(res.log), log: res.log, ...(res.ok ? {} : { errorName: res.errorName }) };
  } finally {
    for (const fd of fds) closeFd(fd);
  }
}

export function compare(c: CorpusCase): Comparison {
  const ours = oursFor(c, 1);
  const kernel = kernelFor(c, 1);
  return {
    name: c.name, ours, kernel,
    verdictAgrees: ours.verdict === kernel.verdict,
    errorAgrees: (ours.error?.message ?? null) === kernel.error,
    logAgrees: normaliseLog(ours.log) === normaliseLog(kernel.log),
  };
}

export { bpfAvailability };
