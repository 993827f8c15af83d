// Benchmark of the debugger's stepping paths (run with `node --expose-gc --import tsx engine/session/debugger/debugger.bench.ts [iterations] [historyLimit]`; without --expose-gc the heap figure includes garbage): instructions per second forward and backward, heap per recorded step.
import { parse } from '../../asm';
import { Debugger } from './debugger';
import { launchTarget } from './launch';

const iterations = Number(globalThis.process?.argv[2] ?? 250_000);
const limits = globalThis.process?.argv[3] !== undefined ? [Number(globalThis.process.argv[3])] : [0, 100_000];
// Four instructions per iteration: an add, a spill to fp-8, an increment, a conditional jump.
const src = `r1 = 0\nr2 = 0\nloop:\nr2 += r1\n*(u64 *)(r10 - 8) = r2\nr1 += 1\nif r1 < ${iterations} goto loop\nr0 = r2\nexit\n`;
const heap = (): number => {
  const g = globalThis as { gc?: () => void };
  g.gc?.();
  return globalThis.process?.memoryUsage().heapUsed ?? 0;
};

for (const historyLimit of limits) {
  const { target } = launchTarget({ insns: parse(src).insns });
  const dbg = new Debugger(target!, { historyLimit, budget: 1e9 });
  const h0 = heap();
  let t = performance.now();
  const fwd = dbg.continue();
  const forwardMs = performance.now() - t;
  const h1 = heap();
  t = performance.now();
  const back = dbg.reverseContinue();
  const backMs = performance.now() - t;
  const perStep = dbg.historySteps() + back.steps ? (h1 - h0) / Math.max(1, back.steps) : 0;
  console.log([
    `history limit ${historyLimit}: ${fwd.reason} after ${fwd.steps} insns`,
    `forward ${(fwd.steps / forwardMs / 1000).toFixed(2)} M insn/s`,
    `reverse ${back.steps} insns at ${back.steps ? (back.steps / backMs / 1000).toFixed(2) : '-'} M insn/s`,
    `heap ${((h1 - h0) / 1e6).toFixed(0)} MB${perStep ? ` (${(perStep / 1024).toFixed(2)} KB per recorded step)` : ''}`,
  ].join('; '));
}
