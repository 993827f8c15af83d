// Watch expressions for hosts: each expression parsed and evaluated on its own in a paused program, its value or its error as data.
//
// The language is the debugger's (engine/session/debugger/expr.ts), the one conditional breakpoints
// and `print` use, so a watch reads exactly what a condition would. A parse error, unreadable memory
// or a division by zero is that expression's answer; it never fails the others.
import { evaluate, parseExpr, type EvalState } from './debugger/expr';

export type WatchResult =
  | { readonly value: string; readonly signed: boolean }
  | { readonly error: string; readonly column?: number };

const hex64 = (v: bigint): string => `0x${BigInt.asUintN(64, v).toString(16)}`;

/** One expression's value in `state` (columns are 1-based, as the parser reports them). */
export function evaluateWatch(text: string, state: EvalState): WatchResult {
  if (!text.trim()) return { error: 'empty expression' };
  const parsed = parseExpr(text);
  if (!parsed.ok) {
    const d = parsed.diagnostic;
    return { error: d.message, ...(d.column !== undefined ? { column: d.column } : {}) };
  }
  const v = evaluate(parsed.expr, state);
  if (!v.ok) return { error: v.fault, column: v.column };
  return { value: hex64(v.value.bits), signed: v.value.signed === true };
}

/** Every expression in order, each answering alone. */
export function evaluateWatches(texts: readonly string[], state: EvalState): WatchResult[] {
  return texts.map((t) => evaluateWatch(t, state));
}
