// Runs generated programs through our verifier and the running kernel and tallies the agreement.
import { compare, kernelFor, normaliseLog, oursFor, type Comparison } from '../differential';
import { classify, type GenException } from './exceptions';
import { generateCase, type GenCase, type GenOptions } from './verifier-gen';

export interface GenOutcome {
  readonly c: GenCase;
  readonly r: Comparison;
  /** The reasoned exception that covers a disagreement, if any. */
  readonly exception?: GenException;
}

export interface GenTally {
  programs: number;
  verdictAgrees: number;
  errorAgrees: number;
  kernelAccepts: number;
  /** Level-1 logs equal (for accepted programs: the statistics line, i.e. processed count and state counts). */
  logAgrees: number;
  /** Accepted by both with the same `processed N insns`. */
  processedAgrees: number;
  /** Level-2 logs equal (only counted when asked for: another kernel load per program). */
  log2Agrees: number;
  bothAccept: number;
  /** Disagreements covered by an exception, by exception id. */
  excepted: Map<string, number>;
  /** Disagreements no exception covers: bugs. */
  unexplained: GenOutcome[];
  /** Seeds whose level-2 logs differ (when level 2 is compared). */
  log2Differs: number[];
}

export function runGenerated(seeds: Iterable<number>, opts: GenOptions = {}, onEach?: (o: GenOutcome) => void, level2 = false): GenTally {
  const t: GenTally = { programs: 0, verdictAgrees: 0, errorAgrees: 0, kernelAccepts: 0, logAgrees: 0, processedAgrees: 0, log2Agrees: 0, bothAccept: 0, excepted: new Map(), unexplained: [], log2Differs: [] };
  for (const seed of seeds) {
    const c = generateCase(seed, opts);
    const r = compare(c);
    const exception = classify(c, r);
    t.programs++;
    t.verdictAgrees += Number(r.verdictAgrees);
    t.errorAgrees += Number(r.errorAgrees);
    t.kernelAccepts += Number(r.kernel.verdict === 'accept');
    t.logAgrees += Number(r.logAgrees);
    if (level2) {
      const same = normaliseLog(kernelFor(c, 2).log) === normaliseLog(oursFor(c, 2).log);
      t.log2Agrees += Number(same);
      if (!same) t.log2Differs.push(seed);
    }
    if (r.kernel.verdict === 'accept' && r.ours.verdict === 'accept') {
      t.bothAccept++;
      t.processedAgrees += Number(kernelProcessed(r.kernel.log) === r.ours.processed);
    }
    if (!(r.verdictAgrees && r.errorAgrees)) {
      if (exception) t.excepted.set(exception.id, (t.excepted.get(exception.id) ?? 0) + 1);
      else t.unexplained.push({ c, r });
    }
    onEach?.({ c, r, ...(exception ? { exception } : {}) });
  }
  return t;
}

export function kernelProcessed(log: string): number | undefined {
  const m = /processed (\d+) insns/.exec(log);
  return m ? Number(m[1]) : undefined;
}

export function describeOutcome(o: GenOutcome): string {
  const k = o.r.kernel;
  const ours = o.r.ours;
  return [
    `${o.c.name} (${o.c.progType}; mistakes: ${o.c.mistakes.join('; ') || 'none'})`,
    `  kernel: ${k.verdict}${k.error ? ` "${k.error}"` : ''}`,
    `  ours:   ${ours.verdict}${ours.error ? ` "${ours.error.message}" at ${ours.error.pc} (${ours.error.code})` : ''}`,
    ...o.c.asm.split('\n').map((l) => `    ${l}`),
  ].join('\n');
}
